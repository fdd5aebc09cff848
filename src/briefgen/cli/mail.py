"""``mail``: dry runs, sending, test messages and campaign status."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

import briefgen

from ..errors import UsageError
from .output import Output, count


def cmd_mail(args: argparse.Namespace, out: Output) -> int:
    root = Path(args.root)
    if args.ids[0] == "status":
        if len(args.ids) > 2:
            raise UsageError("mail status takes at most one campaign name")
        return _mail_status(briefgen.status(root, args.ids[1] if len(args.ids) > 1 else None),
                            out)
    if not args.list and not args.test:
        raise UsageError("mail needs --list FILE (a CSV of recipients)")
    smtp = None
    if args.send or args.test:
        smtp = briefgen.smtp_from_env()
    options = briefgen.SendOptions(rate=args.rate, ambiguous=args.ambiguous,
                                   retry_delay=args.retry_delay)
    ws = briefgen.open_workspace(root)
    for bid in args.ids:
        ws.require(bid)
    root = ws.root
    incomplete = False
    for bid in args.ids:
        prep = briefgen.prepare(ws, bid, Path(args.list) if args.list else None,
                                args.segment or None,
                                Path(args.suppress) if args.suppress else None, args.campaign)
        if args.test:
            reply = briefgen.send_test(prep, smtp, args.test)
            out.line(f"{bid}: test message sent to {args.test} ({reply})")
            continue
        if args.changed:
            last = briefgen.last_sent_pdf(root, bid, prep.list_name)
            if last and last[1] == prep.composer_pdf_sha256():
                out.line(f"{bid}: unchanged since campaign {last[0]}: not sent")
                continue
        if not args.send:
            summary = briefgen.dry_run(root, prep)
            _mail_summary(out, summary, dry=True)
            continue
        if not args.suppress:
            out.line("warning: no --suppress list given: nobody is suppressed", "yellow",
                     err=True)
        with _mail_progress(out, len(prep.selected)) as on_event:
            summary = briefgen.send_campaign(root, prep, smtp, options, on_event)
        _mail_summary(out, summary, dry=False)
        counts = summary.counts
        incomplete = incomplete or bool(counts["failed"] or counts["held"] or counts["retry"])
    return 1 if incomplete else 0


def _mail_summary(out: Output, summary, *, dry: bool) -> None:
    if dry:
        n = summary.counts["would send"]
        out.line(f"{summary.briefing}: dry run of campaign {summary.campaign}: would send "
                 f"{count(n, 'message')}; written to {summary.outbox}")
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


def _mail_status(found: list[dict], out: Output) -> int:
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
def _mail_progress(out: Output, total: int):
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


def add_parsers(sub, common) -> None:
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
