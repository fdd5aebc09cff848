"""The ``briefgen`` command: parse arguments, call the library, map errors to exit codes.

Exit codes: 0 success (warnings allowed), 1 content errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import BriefgenError, ContentError, Diagnostic, Report, UsageError
from .project import DEFAULT_STALE_MONTHS, open_project


class _Output:
    """Plain lines on pipes; colour on a terminal (rich), never markup from content."""

    def __init__(self) -> None:
        from rich.console import Console

        self.out = Console(highlight=False, soft_wrap=True)
        self.err = Console(stderr=True, highlight=False, soft_wrap=True)

    def line(self, text: str = "", style: str | None = None, *, err: bool = False) -> None:
        (self.err if err else self.out).print(text, style=style, markup=False)


def _print_report(out: _Output, diagnostics: list[Diagnostic], *, err: bool = False) -> None:
    current = None
    for d in diagnostics:
        if d.location.path != current:
            current = d.location.path
            out.line(current, "bold", err=err)
        text = str(d) if d.is_error else f"{d.location}: {d.key + ': ' if d.key else ''}" \
                                         f"warning: {d.message}"
        out.line(f"  {text}", "red" if d.is_error else "yellow", err=err)


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _summary(project, report: Report) -> str:
    return (f"{_count(len(project.briefing_errors), 'briefing')}, "
            f"{_count(len(project.base.countries), 'country', 'countries')}, "
            f"{_count(len(project.base.sources), 'source')}: "
            f"{_count(len(report.errors), 'error')}, {_count(len(report.warnings), 'warning')}")


def cmd_check(args: argparse.Namespace, out: _Output) -> int:
    project = open_project(args.root)
    report = project.report(args.stale_months)
    diagnostics = report.sorted()
    _print_report(out, diagnostics)
    if diagnostics:
        out.line()
    out.line(_summary(project, report))
    if report.errors:
        return 1
    return 1 if args.strict and report.warnings else 0


def cmd_where(args: argparse.Namespace, out: _Output) -> int:
    project = open_project(args.root)
    base = project.base
    if not (args.id in base.entities or args.id in base.facts or args.id in base.sources):
        from .validate.schema import did_you_mean
        known = [*base.entities, *base.facts, *base.sources]
        raise UsageError(f"no country, body, fact or source '{args.id}'"
                         f"{did_you_mean(args.id, known)}")
    hits = project.where(args.id)
    for bid in hits:
        out.line(f"{bid}  {project.briefings[bid].file.display}")
    if not hits:
        out.line(f"no briefing uses '{args.id}'")
    return 0


def cmd_build(args: argparse.Namespace, out: _Output) -> int:
    from .build.builder import build_project, explain

    profiles = ["screen", "print"] if args.profile == "all" else [args.profile]
    if args.explain:
        for profile in profiles:
            for line in explain(args.root, args.explain, profile):
                out.line(line)
        return 0
    results = {}
    for profile in profiles:
        prefix = f"{profile}: " if len(profiles) > 1 else ""
        with _progress(out, enabled=not args.json, prefix=prefix) as on_event:
            results[profile] = build_project(Path(args.root), ids=args.ids or None,
                                             force=args.force, jobs=args.jobs,
                                             profile=profile, on_event=on_event)
    if args.json:
        report = {p: r.as_json() for p, r in results.items()}
        print(json.dumps(report if len(profiles) > 1 else report[profiles[0]], indent=2))
    failed = False
    for profile, result in results.items():
        if profile == profiles[0]:  # the same content errors would repeat for each profile
            _print_report(out, result.shared_errors, err=True)
            for fail in result.failed:
                _print_report(out, fail.errors, err=True)
        failed = failed or bool(result.failed or result.shared_errors)
        if not args.json:
            if result.note and result.built:
                out.line(f"full rebuild: {result.note}")
            prefix = f"{profile}: " if len(profiles) > 1 else ""
            out.line(prefix + result.summary())
    return 1 if failed else 0


def cmd_preflight(args: argparse.Namespace, out: _Output) -> int:
    from .pdf.preflight import preflight

    missing = [f for f in args.pdfs if not Path(f).is_file()]
    if missing:
        raise UsageError(f"no such file: {missing[0]}")
    trim_size = None
    if args.brand:
        from .load.project import Layout
        from .render.brand import load_brand
        from .render.pages import page_size

        root = Path(args.root)
        trim_size = page_size(load_brand(Layout(root).styles, args.brand, root))
    failed = 0
    for name in args.pdfs:
        problems = preflight(Path(name), print_mode=args.mode, trim_size=trim_size)
        if problems:
            failed += 1
            out.line(name, "bold")
            for problem in problems:
                out.line(f"  {problem}", "red")
        else:
            out.line(f"{name}: ok", "green")
    out.line(f"{_count(len(args.pdfs), 'file')} checked, {failed} with problems")
    return 1 if failed else 0


def cmd_pack(args: argparse.Namespace, out: _Output) -> int:
    from .pdf.pack import make_pack

    root = Path(args.root)
    project = open_project(root)
    unknown = [i for i in args.ids if i not in project.ids]
    if unknown:
        from .validate.schema import did_you_mean
        raise UsageError(f"no briefing '{unknown[0]}'{did_you_mean(unknown[0], project.ids)}")
    result = make_pack(root, args.ids or None, Path(args.output) if args.output else None,
                       jobs=args.jobs)
    out.line(f"wrote {result.path} ({_count(len(result.ids), 'briefing')}, "
             f"{_count(result.pages, 'page')})")
    return 0


@contextlib.contextmanager
def _progress(out: _Output, enabled: bool, prefix: str = ""):
    """A rich progress bar on a terminal; one plain line per briefing otherwise."""
    if not enabled:
        yield None
        return
    if out.out.is_terminal:
        from rich.progress import BarColumn, Progress, TextColumn

        with Progress(TextColumn("{task.description}"), BarColumn(),
                      TextColumn("{task.completed} done"), console=out.out,
                      transient=True) as progress:
            task = progress.add_task("building", total=None)

            def on_event(event: str, bid: str) -> None:
                if event == "start":
                    progress.update(task, description=f"{prefix}building {bid}")
                elif event in ("built", "failed"):
                    progress.advance(task)
                    progress.console.print(f"{prefix}{event} {bid}", markup=False,
                                           highlight=False)
                elif event == "removed":
                    progress.console.print(f"{prefix}removed {bid}", markup=False,
                                           highlight=False)

            yield on_event
        return

    def plain(event: str, bid: str) -> None:
        if event != "start":
            out.line(f"{prefix}{event} {bid}")

    yield plain


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", default=".", help="project folder (default: current)")
    common.add_argument("--debug", action="store_true", help="show tracebacks")

    parser = argparse.ArgumentParser(prog="briefgen", description="Branded PDF briefings "
                                     "from a shared fact base.")
    parser.add_argument("--version", action="version", version=f"briefgen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("check", parents=[common], help="validate everything, render nothing")
    p.add_argument("--strict", action="store_true", help="warnings count as errors")
    p.add_argument("--stale-months", type=int, default=DEFAULT_STALE_MONTHS, metavar="N",
                   help="warn about facts and sources older than N months (default 12)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("where", parents=[common], help="briefings that use an id")
    p.add_argument("id", help="a country, body, fact (country.fact) or source id")
    p.set_defaults(func=cmd_where)

    p = sub.add_parser("build", parents=[common], help="render briefings to dist/")
    p.add_argument("ids", nargs="*", metavar="ID", help="briefings to build (default: all)")
    p.add_argument("--json", action="store_true", help="print a JSON report")
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="worker processes (default: CPU count)")
    p.add_argument("--explain", metavar="ID", help="say why ID would be rebuilt, build nothing")
    p.add_argument("--profile", choices=["screen", "print", "all"], default="screen",
                   help="screen: dist/ID.pdf, RGB; print: dist/print/ID.pdf, CMYK with bleed "
                        "and crop marks; all: both (default: screen)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("preflight", parents=[common],
                       help="check PDFs for what a print shop would reject")
    p.add_argument("pdfs", nargs="+", metavar="PDF")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--print", dest="mode", action="store_const", const=True,
                      help="check CMYK colour, boxes, bleed and image resolution "
                           "(default when the PDF has a TrimBox)")
    mode.add_argument("--screen", dest="mode", action="store_const", const=False,
                      help="check fonts only")
    p.add_argument("--brand", metavar="NAME", help="also check the trim size against "
                                                   "this brand sheet's page size")
    p.set_defaults(func=cmd_preflight, mode=None)

    p = sub.add_parser("pack", parents=[common],
                       help="all (or the named) briefings in one PDF with a contents page")
    p.add_argument("ids", nargs="*", metavar="ID", help="briefings, in this order (default: all)")
    p.add_argument("-o", "--output", metavar="PDF", help="where to write (default: dist/pack.pdf)")
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="worker processes for building stale briefings")
    p.set_defaults(func=cmd_pack)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    out = _Output()
    try:
        return args.func(args, out)
    except ContentError as exc:
        _print_report(out, exc.diagnostics, err=True)
        return exc.exit_code
    except BriefgenError as exc:
        if args.debug:
            traceback.print_exc()
        out.line(f"briefgen: {exc}", "red", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        out.line("briefgen: interrupted", err=True)
        return 130
    except Exception as exc:  # a bug in briefgen, not in the user's files
        if args.debug:
            raise
        out.line(f"briefgen: internal error: {type(exc).__name__}: {exc} "
                 "(run again with --debug for the traceback)", "red", err=True)
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
