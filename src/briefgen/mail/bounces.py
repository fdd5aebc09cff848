"""Bounces and complaints, read from the bounce mailbox into the suppression store.

Mail goes out with ``bounce_address`` (settings) as its envelope sender, so bounces and
complaint reports arrive there. ``briefgen mail bounces`` reads that mailbox (an mbox file, a
Maildir, or IMAP) and, for each message:

* a **delivery status notification** (RFC 3464; Postfix, Exim, Exchange, Gmail...): each
  recipient block's Action, Status and Diagnostic-Code. A permanent failure that says the
  address is bad (status 5.1.x or 5.2.1, "user unknown"...) is a **hard bounce** and is
  suppressed; any other failure and every delay is a **soft bounce**, counted per address;
* a **complaint** (RFC 5965 ARF, ``Feedback-Type: abuse``): the complaining address is
  suppressed;
* an older, non-standard bounce (qmail, old Exchange, Yahoo...): flufl.bounce finds the
  addresses, only for messages that come from a mailer daemon;
* anything else (an out-of-office reply...) is left alone.

The address is the one we sent to, found from the Message-ID of the original message when
the report quotes it (a forward makes the Final-Recipient another address, and complaint
reports often redact it), else the report's own recipient fields.

Each report is recorded with its Message-ID in the same transaction as its suppressions, so
reading a mailbox twice, or after a crash half way, changes nothing more.
"""

from __future__ import annotations

import email
import email.utils
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import Message
from email.policy import compat32
from pathlib import Path

from . import smtp as _smtp
from .classify import enhanced, hard_bounce
from .ledger import Ledger, campaigns, ledger_dir
from .recipients import address_key, normalise
from .suppress import SuppressionStore

BOUNCE_SENDER = re.compile(r"mailer-daemon|postmaster|mail delivery (sub)?system", re.I)
BOUNCE_SUBJECT = re.compile(r"undeliver|delivery (status )?notification|failure notice|"
                            r"returned mail|mail delivery failed|delivery has failed|"
                            r"could not be delivered", re.I)
COMPLAINT_TYPES = ("abuse", "fraud")


@dataclass
class Finding:
    email: str
    kind: str  # hard, soft, complaint
    detail: str


@dataclass
class Report:
    id: str
    kind: str  # dsn, arf, bounce (non-standard), other
    findings: list[Finding] = field(default_factory=list)


@dataclass
class BounceSummary:
    read: int = 0
    already: int = 0  # processed before: nothing changed
    not_reports: int = 0
    hard: list[str] = field(default_factory=list)  # newly suppressed
    complaints: list[str] = field(default_factory=list)  # newly suppressed
    soft: dict[str, int] = field(default_factory=dict)  # this run's soft bounces by address
    known: int = 0  # hard bounces and complaints already suppressed


# ---------------------------------------------------------------------- our message ids
class Recipients:
    """Finds the address a message was sent to from its Message-ID
    (``<campaign.digest@domain>``, see :func:`.message.message_id`)."""

    def __init__(self, root: Path):
        self.root = root
        self.names = set(campaigns(root))
        self.cache: dict[str, dict[str, str]] = {}

    def lookup(self, message_id: str) -> str | None:
        local = message_id.strip().strip("<>").rpartition("@")[0]
        campaign, _, digest = local.rpartition(".")
        if campaign not in self.names:
            return None
        if campaign not in self.cache:
            ledger = Ledger(ledger_dir(self.root) / f"{campaign}.sqlite")
            try:
                self.cache[campaign] = {  # the row's key, and the key a message sent
                    hashlib.sha256(f"{campaign}\0{key}".encode()).hexdigest()[:24]:
                    r.recipient.email for r in ledger.rows()  # from an older ledger got
                    for key in {r.key, r.recipient.key}}
            finally:
                ledger.close()
        return self.cache[campaign].get(digest)


# ---------------------------------------------------------------------- parsing
def _address(field_value: str | None) -> str | None:
    """``rfc822; user@example.org`` -> ``user@example.org`` (RFC 3464 address fields; the
    ``utf-8`` type of RFC 6533 has ``\\x{HEX}`` escapes)."""
    if not field_value:
        return None
    kind, _, value = str(field_value).partition(";")
    value = (value if _ else kind).strip().strip("<>").strip()
    if kind.strip().lower() == "utf-8":
        value = re.sub(r"\\x\{([0-9A-Fa-f]{1,6})\}", lambda m: chr(int(m[1], 16)), value)
    return value or None


def _clean(value: str | None) -> str:
    return " ".join(str(value or "").split())


def _original_id(msg: Message) -> str | None:
    """The Message-ID of the original message quoted in a report."""
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype in ("message/rfc822", "message/global") and part.is_multipart():
            inner = part.get_payload()
            if inner and inner[0].get("Message-ID"):
                return str(inner[0]["Message-ID"])
        elif ctype in ("text/rfc822-headers", "text/global-headers"):
            payload = part.get_payload(decode=True) or b""
            headers = email.message_from_bytes(payload, policy=compat32)
            if headers.get("Message-ID"):
                return str(headers["Message-ID"])
    return None


def _original_to(msg: Message) -> str | None:
    for part in msg.walk():
        if part.get_content_type() in ("message/rfc822", "message/global") and \
                part.is_multipart():
            inner = part.get_payload()
            if inner and inner[0].get("To"):
                return email.utils.parseaddr(str(inner[0]["To"]))[1] or None
        elif part.get_content_type() == "text/rfc822-headers":
            headers = email.message_from_bytes(part.get_payload(decode=True) or b"",
                                               policy=compat32)
            if headers.get("To"):
                return email.utils.parseaddr(str(headers["To"]))[1] or None
    return None


def _dsn(msg: Message, ours: str | None) -> list[Finding] | None:
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        if not isinstance(blocks, list):
            return []
        recipients = [b for b in blocks[1:] if b.get("Final-Recipient") or
                      b.get("Original-Recipient")]
        found = []
        for block in recipients:
            action = _clean(block.get("Action")).lower()
            status_text = _clean(block.get("Status"))
            diagnostic = _clean(block.get("Diagnostic-Code"))
            if action not in ("failed", "delayed"):
                continue
            address = (ours if ours and len(recipients) == 1 else None) or \
                _address(block.get("Original-Recipient")) or \
                _address(block.get("Final-Recipient"))
            if not address:
                continue
            status = enhanced(status_text) if status_text else None
            text = diagnostic.partition(";")[2].strip() if ";" in diagnostic else diagnostic
            code = int(text[:3]) if text[:3].isdigit() else 0
            detail = f"{status_text} {text}".strip()
            hard = action == "failed" and hard_bounce(code, text, status)
            found.append(Finding(address, "hard" if hard else "soft", detail))
        return found
    return None


def _arf(msg: Message, ours: str | None) -> list[Finding] | None:
    if msg.get_content_type() != "multipart/report" or \
            str(msg.get_param("report-type", "")).lower() != "feedback-report":
        return None
    for part in msg.walk():
        if part.get_content_type() != "message/feedback-report":
            continue
        payload = part.get_payload()
        fields = payload[0] if isinstance(payload, list) and payload else \
            email.message_from_string(str(payload or ""), policy=compat32)
        kind = _clean(fields.get("Feedback-Type")).lower()
        if kind not in COMPLAINT_TYPES:
            return []
        addresses = [a for a in (_address(v) for v in fields.get_all("Original-Rcpt-To") or [])
                     if a]
        if ours:
            addresses = [ours]
        elif not addresses:
            addresses = [a for a in [_original_to(msg)] if a]
        detail = f"{kind} report from {_clean(fields.get('User-Agent')) or 'a mailbox provider'}"
        return [Finding(a, "complaint", detail) for a in addresses]
    return []


def _non_standard(msg: Message) -> list[Finding] | None:
    sender = f"{msg.get('From', '')} {msg.get('Return-Path', '')}"
    if not (BOUNCE_SENDER.search(sender) or msg.get("Return-Path", "").strip() == "<>"):
        return None
    if not BOUNCE_SUBJECT.search(str(msg.get("Subject", ""))) and \
            not BOUNCE_SENDER.search(sender):
        return None
    from flufl.bounce import all_failures

    temporary, permanent = all_failures(msg)
    found = [Finding(a.decode("ascii", "replace"), "hard", "non-standard bounce")
             for a in sorted(permanent)]
    found += [Finding(a.decode("ascii", "replace"), "soft", "non-standard bounce (temporary)")
              for a in sorted(temporary - permanent)]
    return found or None


def parse(raw: bytes, ours: Recipients | None = None) -> Report:
    """What one message from the bounce mailbox reports."""
    msg = email.message_from_bytes(raw, policy=compat32)
    report_id = _clean(msg.get("Message-ID"))
    report_id = f"mid:{report_id}" if report_id else \
        f"sha256:{hashlib.sha256(raw).hexdigest()}"
    original = _original_id(msg)
    sent_to = ours.lookup(original) if ours and original else None
    for kind, reader in (("arf", _arf), ("dsn", _dsn)):
        findings = reader(msg, sent_to)
        if findings is not None:
            return Report(report_id, kind, findings)
    findings = _non_standard(msg)
    if findings is not None:
        return Report(report_id, "bounce", findings)
    return Report(report_id, "other")


def _normal(address: str) -> str:
    try:
        return normalise(address)
    except ValueError:
        return address.strip()


def record(messages: Iterable[bytes], root: Path, store: SuppressionStore) -> BounceSummary:
    """Read each message, suppress hard bounces and complaints, count soft bounces."""
    ours = Recipients(root)
    summary = BounceSummary()
    for raw in messages:
        summary.read += 1
        report = parse(raw, ours)
        if report.kind == "other" or not report.findings:
            summary.not_reports += 1
            continue
        if store.seen(report.id):
            summary.already += 1
            continue
        suppress = [(_normal(f.email), "complaint" if f.kind == "complaint" else
                     "hard-bounce", f.detail) for f in report.findings if f.kind != "soft"]
        soft = [(_normal(f.email), f.detail) for f in report.findings if f.kind == "soft"]
        before = {address_key(a) for a, _, _ in suppress if address_key(a) in store}
        _, new = store.record_report(report.id, report.kind, suppress, soft)
        _smtp.on_step("report")
        if not new:
            summary.already += 1
            continue
        for address, reason, _ in suppress:
            if address_key(address) in before:
                summary.known += 1
            elif reason == "complaint":
                summary.complaints.append(address)
            else:
                summary.hard.append(address)
        for address, _ in soft:
            summary.soft[address] = summary.soft.get(address, 0) + 1
    return summary


def process_bounces(root: Path, messages: Iterable[bytes]) -> BounceSummary:
    """Read the bounce mailbox's messages into the project's suppression store."""
    from ..load.project import Layout

    with SuppressionStore(Layout(Path(root)).suppressions) as store:
        return record(messages, Path(root), store)
