"""``mail``: dry runs, sending, test messages, approvals, campaign status, retrying and
resolving recipients, bounces and the suppression store; and ``unsubscribe serve``.

``mail`` takes briefing ids, or a verb as its first word: ``status``, ``approve``,
``retry``, ``resolve``, ``bounces``, ``suppressed``. Each verb's options are refused with
any other (a usage error), so a mistyped command never sends anything.
"""

from __future__ import annotations

import argparse
import contextlib
import math
from pathlib import Path

import briefgen

from ..errors import UsageError
from . import unsubscribe
from .output import Output, count

VERBS = ("status", "approve", "retry", "resolve", "bounces", "suppressed")
#: options that only make sense with one verb (or with a send), by dest
ONLY = {
    "by": ("approve",), "failed": ("retry",), "held": ("retry",),
    "delivered": ("resolve",), "resend": ("resolve",),
    "mbox": ("bounces",), "maildir": ("bounces",), "imap": ("bounces",),
    "add": ("suppressed",), "remove": ("suppressed",),
    "list": ("",), "segment": ("",), "test": ("",), "send": ("",), "changed": ("",),
    "campaign": ("",), "new_campaign": ("",), "sample": ("",), "outbox_all": ("",),
    "suppress": ("", "retry"), "rate": ("", "retry"), "retry_delay": ("", "retry"),
}
_DEFAULTS = {"retry_delay": 30.0, "sample": 20}


def _check_options(args: argparse.Namespace, verb: str) -> None:
    for dest, verbs in ONLY.items():
        value = getattr(args, dest, None)
        if value in (None, False, []) or value == _DEFAULTS.get(dest):
            continue
        if verb not in verbs:
            flag = "--" + dest.replace("_", "-")
            where = ("'mail ID'" if verbs[0] == "" else
                     " or ".join(f"'mail {v}'" if v else "'mail ID'" for v in verbs))
            raise UsageError(f"{flag} goes with {where}, not with "
                             f"{'mail ' + verb if verb else 'mail ID'}")


def cmd_mail(args: argparse.Namespace, out: Output) -> int:
    verb = args.ids[0] if args.ids[0] in VERBS else ""
    _check_options(args, verb)
    rest = args.ids[1:]
    root = Path(args.root)
    if verb == "status":
        if len(rest) > 1:
            raise UsageError("mail status takes at most one campaign name")
        return _mail_status(root, rest[0] if rest else None, out)
    if verb == "approve":
        return _approve(args, rest, out)
    if verb == "retry":
        return _retry(args, rest, out)
    if verb == "resolve":
        return _resolve(args, rest, out)
    if verb == "bounces":
        return _bounces(args, rest, out)
    if verb == "suppressed":
        return _suppressed(args, rest, out)
    return _mail(args, out)


def _mail(args: argparse.Namespace, out: Output) -> int:
    if not args.list and not args.test:
        raise UsageError("mail needs --list FILE (a CSV of recipients)")
    options = _options(args)
    smtp = None
    if args.send or args.test:
        smtp = briefgen.smtp_from_env()
    ws = briefgen.open_workspace(args.root)
    for bid in args.ids:
        ws.require(bid)
    root = ws.root
    incomplete = False
    for bid in args.ids:
        prep = briefgen.prepare(ws, bid, Path(args.list) if args.list else None,
                                args.segment or None,
                                Path(args.suppress) if args.suppress else None, args.campaign,
                                preview=bool(args.test))
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
            summary = briefgen.dry_run(root, prep, sample=args.sample,
                                       everything=args.outbox_all)
            _mail_summary(out, summary, dry=True)
            continue
        if not args.suppress:
            out.line("note: no --suppress file given: only the project's suppression store "
                     "(unsubscribes, bounces, complaints) is consulted", err=True)
        if not prep.settings.unsubscribe.endpoint:
            out.line("note: no unsubscribe.endpoint in mail/settings.yaml: messages carry no "
                     "one-click unsubscribe, which Gmail and Yahoo require of bulk senders",
                     err=True)
        with _mail_progress(out, len(prep.selected)) as on_event:
            summary = briefgen.send_campaign(root, prep, smtp, options, on_event)
        incomplete = _mail_summary(out, summary, dry=False) or incomplete
    return 1 if incomplete else 0


#: (option, lowest, highest, what it is, example): numbers a send accepts
_NUMBERS = (("rate", 0.0, 60_000.0, "the most messages to send a minute, above 0", "100"),
            ("retry_delay", 0.0, 3_600.0, "the seconds to wait before retrying, from 0",
             "30"))


def _options(args: argparse.Namespace):
    for dest, low, high, what, example in _NUMBERS:
        value = getattr(args, dest, None)
        if value is None:
            continue
        too_low = value <= low if dest == "rate" else value < low
        if not math.isfinite(value) or too_low or value > high:
            flag = "--" + dest.replace("_", "-")
            raise UsageError(f"{flag} {value}: give {what} and at most {high:,.0f} (e.g. "
                             f"{flag} {example})")
    return briefgen.SendOptions(rate=args.rate, ambiguous=args.ambiguous,
                                retry_delay=args.retry_delay,
                                new_campaign=args.new_campaign)


def _mail_summary(out: Output, summary, *, dry: bool) -> bool:
    """Print a summary; True when the campaign needs another run or a person."""
    if dry:
        n = summary.counts["would send"]
        out.line(f"{summary.briefing}: dry run of campaign {summary.campaign}: would send "
                 f"{count(n, 'message')}; wrote {count(summary.written, 'sample message')} "
                 f"and manifest.csv (everyone on the list) to {summary.outbox}")
        segments = ", ".join(f"{k} {v}" for k, v in summary.by_segment.items())
        if segments:
            out.line(f"  by segment: {segments}")
    else:
        counts = ", ".join(f"{k} {v}" for k, v in summary.counts.items() if v)
        out.line(f"{summary.briefing}: campaign {summary.campaign}: {counts or 'nobody'}; "
                 f"ambiguous {summary.ambiguous}")
        for email, reply in summary.failures:
            out.line(f"  failed: {email}: {reply}", "red")
    for note in summary.notes:
        out.line(f"  note: {note}", "yellow")
    for problem in summary.problems:
        if problem.key != "email":
            out.line(f"  warning: {problem}", "yellow")
    if summary.skipped:
        out.line(f"  skipped {len(summary.skipped)}:")
        for who, why in summary.skipped:
            out.line(f"    {who}: {why}")
    if dry:
        return False
    if summary.stopped:
        out.line(f"briefgen: stopped: {summary.stopped}", "red", err=True)
    counts = summary.counts
    return bool(summary.stopped or counts["failed"] or counts["held"] or counts["retry"]
                or counts["pending"])


def _mail_status(root: Path, campaign: str | None, out: Output) -> int:
    found = briefgen.status(root, campaign)
    if not found:
        out.line("no campaigns yet")
    damaged = [c for c in found if "damaged" in c]
    for c in found:
        if "damaged" in c:
            out.line(f"{c['campaign']}: damaged: {c['damaged']}", "red")
            continue
        counts = ", ".join(f"{k} {v}" for k, v in c["counts"].items() if v)
        if c.get("superseded_by"):
            state = f"superseded by {c['superseded_by']}"
        else:
            state = "not finished" if c["open"] else "finished"
        out.line(f"{c['campaign']}: {c.get('briefing', '?')} to {c.get('list', '?')}, "
                 f"{state}: {counts or 'no recipients'}; ambiguous {c['ambiguous']}")
        for email, reply in c["failures"]:
            out.line(f"  failed: {email}: {reply}", "red")
        for email in c["held"]:
            out.line(f"  held for review: {email} (briefgen mail resolve {c['campaign']} "
                     f"{email} --delivered or --resend)", "yellow")
    if campaign is None:
        approvals = briefgen.approval_status(root)
        if approvals:
            out.line("approvals:")
        for item, current in approvals:
            now = "the PDF in dist/ now" if current else "not the PDF in dist/ now"
            out.line(f"  {item.briefing}: {item} ({now})")
        entries = briefgen.suppressed(root)
        if entries:
            by: dict[str, int] = {}
            for e in entries:
                by[e.why] = by.get(e.why, 0) + 1
            out.line(f"suppression store: {count(len(entries), 'address', 'addresses')} ("
                     + ", ".join(f"{v} {k}" for k, v in sorted(by.items())) + ")")
    return 1 if damaged else 0


def _approve(args: argparse.Namespace, rest: list[str], out: Output) -> int:
    if len(rest) != 1:
        raise UsageError("mail approve takes one briefing id: briefgen mail approve ID "
                         "--by NAME")
    ws = briefgen.open_workspace(args.root)
    item = briefgen.approve(ws, rest[0], args.by)
    out.line(f"{item.briefing}: {item}; `briefgen mail {item.briefing} --list ... --send` "
             "may now send this PDF (a changed PDF needs a new approval)")
    return 0


def _retry(args: argparse.Namespace, rest: list[str], out: Output) -> int:
    if len(rest) != 1:
        raise UsageError("mail retry takes one campaign name (see briefgen mail status)")
    options = _options(args)
    smtp = briefgen.smtp_from_env()
    ws = briefgen.open_workspace(args.root)
    with _mail_progress(out, 0) as on_event:
        summary = briefgen.retry_campaign(
            ws, rest[0], smtp, options, failed=args.failed, held=args.held,
            suppression=Path(args.suppress) if args.suppress else None, on_event=on_event)
    return 1 if _mail_summary(out, summary, dry=False) else 0


def _resolve(args: argparse.Namespace, rest: list[str], out: Output) -> int:
    if len(rest) != 2 or args.delivered == args.resend:
        raise UsageError("mail resolve CAMPAIGN ADDRESS takes --delivered (the person got "
                         "the message) or --resend (send it again)")
    before, after = briefgen.resolve_recipient(Path(args.root), rest[0], rest[1],
                                     delivered=args.delivered)
    out.line(f"{rest[0]}: {rest[1]}: {before} -> {after}"
             + (f"; briefgen mail retry {rest[0]} sends it" if after == "pending" else ""))
    return 0


def _bounces(args: argparse.Namespace, rest: list[str], out: Output) -> int:
    chosen = [x for x in (args.mbox, args.maildir, args.imap) if x]
    if rest or len(chosen) != 1:
        raise UsageError("mail bounces reads one mailbox: --mbox FILE, --maildir DIR or "
                         "--imap (BRIEFGEN_IMAP_* settings)")
    root = Path(args.root).resolve()
    messages = briefgen.bounce_messages(mbox=Path(args.mbox) if args.mbox else None,
                                        maildir=Path(args.maildir) if args.maildir else None,
                                        imap=args.imap)
    s = briefgen.process_bounces(root, messages)
    soft = sum(s.soft.values())
    out.line(f"read {count(s.read, 'message')}: {len(s.hard)} new hard "
             f"{'bounce' if len(s.hard) == 1 else 'bounces'} and "
             f"{count(len(s.complaints), 'complaint')} suppressed, "
             f"{count(soft, 'soft bounce')}, {s.known} already suppressed, "
             f"{s.already} processed before, {s.not_reports} not bounces or complaints")
    # listed by address: a Maildir or IMAP folder gives its messages in no fixed order
    for address in sorted(s.hard):
        out.line(f"  hard bounce, suppressed: {address}")
    for address in sorted(s.complaints):
        out.line(f"  complaint, suppressed: {address}")
    for address, n in sorted(s.soft.items()):
        out.line(f"  soft bounce: {address}" + (f" ({n})" if n > 1 else ""))
    return 0


def _suppressed(args: argparse.Namespace, rest: list[str], out: Output) -> int:
    if rest:
        raise UsageError("mail suppressed lists the suppression store; change it with "
                         "--add ADDRESS or --remove ADDRESS")
    root = Path(args.root)
    if args.add or args.remove:
        done = briefgen.change_suppressed(root, args.add or [], args.remove or [])
        for a in done["added"]:
            out.line(f"suppressed: {a}")
        for a in done["already"]:
            out.line(f"already suppressed: {a}")
        for a in done["removed"]:
            out.line(f"removed from the suppression store: {a} (mail them only if they "
                     "asked to be mailed again)")
        for a in done["absent"]:
            out.line(f"not in the suppression store: {a}")
        return 0
    entries = briefgen.suppressed(root)
    if not entries:
        out.line("the suppression store is empty")
    for e in entries:
        detail = f": {e.detail}" if e.detail else ""
        out.line(f"{e.email}: {e.why} on {e.at}{detail}")
    return 0


@contextlib.contextmanager
def _mail_progress(out: Output, total: int):
    if not out.out.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("sending"), BarColumn(), MofNCompleteColumn(),
                  console=out.out, transient=True) as progress:
        task = progress.add_task("sending", total=total or None)

        def on_event(event: str, detail: str) -> None:
            if event in ("sent", "failed", "suppressed"):
                progress.advance(task)

        yield on_event


def add_parsers(sub, common) -> None:
    p = sub.add_parser(
        "mail", parents=[common], formatter_class=argparse.RawDescriptionHelpFormatter,
        help="mail briefings to a list (a dry run unless --send); 'mail status', 'approve', "
             "'retry', 'resolve', 'bounces', 'suppressed'",
        description="briefgen mail ID... --list CSV [--send | --test ADDRESS]\n"
                    "briefgen mail status [CAMPAIGN]\n"
                    "briefgen mail approve ID [--by NAME]\n"
                    "briefgen mail retry CAMPAIGN [--failed] [--held]\n"
                    "briefgen mail resolve CAMPAIGN ADDRESS --delivered|--resend\n"
                    "briefgen mail bounces --mbox FILE | --maildir DIR | --imap\n"
                    "briefgen mail suppressed [--add ADDRESS] [--remove ADDRESS]")
    p.add_argument("ids", nargs="+", metavar="ID", help="briefings to mail, or a verb")
    p.add_argument("--list", metavar="CSV", help="recipients: email, name or first_name/"
                   "last_name, segments, language")
    p.add_argument("--segment", action="append", metavar="S",
                   help="only these segments (repeatable; default: the spec's audiences)")
    p.add_argument("--suppress", metavar="FILE", help="addresses never to mail, as a CRM "
                   "exports them (CSV with an email column, or one per line); consulted "
                   "with the project's suppression store. Unreadable: nothing is sent")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--send", action="store_true", help="send through SMTP (settings from "
                     "BRIEFGEN_SMTP_* environment variables); needs an approved PDF")
    how.add_argument("--test", metavar="ADDRESS", help="send one message to ADDRESS only "
                     "(no approval needed)")
    p.add_argument("--changed", action="store_true", help="skip briefings whose PDF is the "
                   "one last mailed to this list")
    p.add_argument("--rate", type=float, metavar="N", help="at most N messages per minute")
    p.add_argument("--ambiguous", choices=["resend", "hold"], default="resend",
                   help="after a crash, messages the server may have accepted: send again "
                        "(default) or hold for review")
    p.add_argument("--campaign", metavar="NAME", help="campaign name (default: briefing, "
                   "list and PDF hash)")
    p.add_argument("--new-campaign", action="store_true", help="start the new PDF's "
                   "campaign although an earlier PDF's campaign to this list is unfinished: "
                   "it goes to everyone on the list who has not had the earlier one")
    p.add_argument("--retry-delay", type=float, default=30.0, metavar="S",
                   help="seconds before retrying a temporary failure (doubles each time)")
    p.add_argument("--sample", type=int, default=20, metavar="N", help="dry run: write the "
                   "first N messages and one per segment (default 20)")
    p.add_argument("--outbox-all", action="store_true", help="dry run: write every message")
    p.add_argument("--by", metavar="NAME", help="approve: who approves (default: your user "
                   "name)")
    p.add_argument("--failed", action="store_true", help="retry: also the failed recipients")
    p.add_argument("--held", action="store_true", help="retry: also the held recipients "
                   "(at most one duplicate each)")
    p.add_argument("--delivered", action="store_true", help="resolve: the person got it")
    p.add_argument("--resend", action="store_true", help="resolve: send it to them again")
    p.add_argument("--mbox", metavar="FILE", help="bounces: read an mbox file")
    p.add_argument("--maildir", metavar="DIR", help="bounces: read a Maildir folder")
    p.add_argument("--imap", action="store_true", help="bounces: read the IMAP folder set by "
                   "BRIEFGEN_IMAP_* variables")
    p.add_argument("--add", action="append", metavar="ADDRESS", help="suppressed: suppress "
                   "this address (repeatable)")
    p.add_argument("--remove", action="append", metavar="ADDRESS", help="suppressed: remove "
                   "this address, who asked to be mailed again (repeatable)")
    p.set_defaults(func=cmd_mail)
    unsubscribe.add_parsers(sub, common)  # `briefgen unsubscribe serve` lives beside mail
