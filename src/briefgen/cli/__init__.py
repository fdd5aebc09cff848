"""The ``briefgen`` command: parse arguments, call the library, map errors to exit codes.

Exit codes: 0 success (warnings allowed), 1 content errors, 2 usage errors, 3 a bug.
Each module here adds its commands' parsers and runs them; none of them prints anything
but through :class:`~briefgen.cli.output.Output`.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import traceback
from collections.abc import Sequence
from typing import NoReturn

from .. import __version__
from ..errors import BriefgenError, ContentError
from . import author, build, editions, mail, serve
from .output import Output, print_report, reader_gone


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", default=".", help="project folder (default: current)")
    common.add_argument("--debug", action="store_true", help="show tracebacks")

    parser = argparse.ArgumentParser(prog="briefgen", description="Branded PDF briefings "
                                     "from a shared fact base.")
    parser.add_argument("--version", action="version", version=f"briefgen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (build, mail, author, editions, serve):
        module.add_parsers(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    out = Output()
    try:
        return args.func(args, out)
    except ContentError as exc:
        print_report(out, exc.diagnostics, err=True)
        return exc.exit_code
    except BriefgenError as exc:
        if args.debug:
            traceback.print_exc()
        out.line(f"briefgen: {exc}", "red", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        out.line("briefgen: interrupted", err=True)
        return 130
    except BrokenPipeError:  # printed outside Output (a JSON report): its reader has gone
        reader_gone(sys.stdout)
        return 1
    except Exception as exc:  # a bug in briefgen, not in the user's files
        if args.debug:
            raise
        out.line(f"briefgen: internal error: {type(exc).__name__}: {exc} "
                 "(run again with --debug for the traceback)", "red", err=True)
        return 3


def run() -> NoReturn:
    """The ``briefgen`` program (and ``python -m briefgen.cli``): :func:`main`, then exit."""
    exit_now(main())


def exit_now(code: int) -> NoReturn:
    """End the process with ``code`` once its output is flushed, without tearing the
    interpreter down object by object: freeing every module, schema and font took 0.05-0.1 s
    after the work was done (a fifth of building one briefing). Everything briefgen writes
    is on disk by then (written atomically and synced, locks released, worker processes
    shut down). The orderly exit is kept whenever something may still need it: another
    thread, a tracer or a coverage tool, an output that cannot be flushed, or
    ``BRIEFGEN_ORDERLY_EXIT`` set in the environment."""
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None: started without one
                stream.flush()
    except BrokenPipeError:  # the reader went away before the last lines: nothing to say
        reader_gone(sys.stdout)
        reader_gone(sys.stderr)
    except (OSError, ValueError):  # another failure to flush: Python's own exit reports it
        sys.exit(code)
    if (threading.active_count() > 1 or sys.gettrace() is not None
            or "coverage" in sys.modules or os.environ.get("BRIEFGEN_ORDERLY_EXIT")):
        sys.exit(code)
    os._exit(code)
