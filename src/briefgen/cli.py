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


def cmd_mail(args: argparse.Namespace, out: _Output) -> int:
    from .mail import campaign as mail

    root = Path(args.root)
    if args.ids[0] == "status":
        if len(args.ids) > 2:
            raise UsageError("mail status takes at most one campaign name")
        return _mail_status(mail.status(root, args.ids[1] if len(args.ids) > 1 else None), out)
    if not args.list:
        raise UsageError("mail needs --list FILE (a CSV of recipients)")
    smtp = None
    if args.send or args.test:
        from .mail.settings import smtp_from_env
        smtp = smtp_from_env()
    options = mail.SendOptions(rate=args.rate, ambiguous=args.ambiguous,
                               retry_delay=args.retry_delay)
    incomplete = False
    for bid in args.ids:
        prep = mail.prepare(root, bid, Path(args.list), args.segment or None,
                            Path(args.suppress) if args.suppress else None, args.campaign)
        if args.test:
            reply = mail.send_test(prep, smtp, args.test)
            out.line(f"{bid}: test message sent to {args.test} ({reply})")
            continue
        if args.changed:
            last = mail.last_sent_pdf(root, bid, prep.list_name)
            if last and last[1] == prep.composer_pdf_sha256():
                out.line(f"{bid}: unchanged since campaign {last[0]}: not sent")
                continue
        if not args.send:
            summary = mail.dry_run(root, prep)
            _mail_summary(out, summary, dry=True)
            continue
        if not args.suppress:
            out.line("warning: no --suppress list given: nobody is suppressed", "yellow",
                     err=True)
        with _mail_progress(out, len(prep.selected)) as on_event:
            summary = mail.send_campaign(root, prep, smtp, options, on_event)
        _mail_summary(out, summary, dry=False)
        counts = summary.counts
        incomplete = incomplete or bool(counts["failed"] or counts["held"] or counts["retry"])
    return 1 if incomplete else 0


def _mail_summary(out: _Output, summary, *, dry: bool) -> None:
    if dry:
        n = summary.counts["would send"]
        out.line(f"{summary.briefing}: dry run of campaign {summary.campaign}: would send "
                 f"{_count(n, 'message')}; written to {summary.outbox}")
        segments = ", ".join(f"{k} {v}" for k, v in summary.by_segment.items())
        if segments:
            out.line(f"  by segment: {segments}")
    else:
        counts = ", ".join(f"{k} {v}" for k, v in summary.counts.items() if v)
        out.line(f"{summary.briefing}: campaign {summary.campaign}: {counts or 'nobody'}; "
                 f"ambiguous {summary.ambiguous}")
        for email, reply in summary.failures:
            out.line(f"  failed: {email}: {reply}", "red")
    if summary.skipped:
        out.line(f"  skipped {len(summary.skipped)}:")
        for who, why in summary.skipped:
            out.line(f"    {who}: {why}")


def _mail_status(found: list[dict], out: _Output) -> int:
    if not found:
        out.line("no campaigns yet")
    for c in found:
        counts = ", ".join(f"{k} {v}" for k, v in c["counts"].items() if v)
        state = "finished" if c.get("finished") else "not finished"
        out.line(f"{c['campaign']}: {c.get('briefing', '?')} to {c.get('list', '?')}, "
                 f"{state}: {counts or 'no recipients'}; ambiguous {c['ambiguous']}")
        for email, reply in c["failures"]:
            out.line(f"  failed: {email}: {reply}", "red")
        for email in c["held"]:
            out.line(f"  held for review: {email}", "yellow")
    return 0


@contextlib.contextmanager
def _mail_progress(out: _Output, total: int):
    if not out.out.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("sending"), BarColumn(), MofNCompleteColumn(),
                  console=out.out, transient=True) as progress:
        task = progress.add_task("sending", total=total)

        def on_event(event: str, detail: str) -> None:
            if event in ("sent", "failed", "suppressed"):
                progress.advance(task)

        yield on_event


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

    p = sub.add_parser("mail", parents=[common], help="mail briefings to a list (a dry run "
                       "unless --send); 'mail status [CAMPAIGN]' shows campaigns")
    p.add_argument("ids", nargs="+", metavar="ID", help="briefings to mail, or 'status'")
    p.add_argument("--list", metavar="CSV", help="recipients: email, name or first_name/"
                   "last_name, segments, language")
    p.add_argument("--segment", action="append", metavar="S",
                   help="only these segments (repeatable; default: the spec's audiences)")
    p.add_argument("--suppress", metavar="FILE", help="addresses never to mail (CSV with an "
                   "email column, or one per line)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--send", action="store_true", help="send through SMTP (settings from "
                     "BRIEFGEN_SMTP_* environment variables)")
    how.add_argument("--test", metavar="ADDRESS", help="send one message to ADDRESS only")
    p.add_argument("--changed", action="store_true", help="skip briefings whose PDF is the "
                   "one last mailed to this list")
    p.add_argument("--rate", type=float, metavar="N", help="at most N messages per minute")
    p.add_argument("--ambiguous", choices=["resend", "hold"], default="resend",
                   help="after a crash, messages the server may have accepted: send again "
                        "(default) or hold for review")
    p.add_argument("--campaign", metavar="NAME", help="campaign name (default: briefing, "
                   "list and PDF hash)")
    p.add_argument("--retry-delay", type=float, default=30.0, metavar="S",
                   help="seconds before retrying a temporary failure (doubles each time)")
    p.set_defaults(func=cmd_mail)
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
