"""``briefgen mail``: a dry run into ``dist/outbox/``, a crash-safe send, a test message,
and the status of campaigns. Read top to bottom: prepare (build the PDF, read the list and
the suppression list, pick the segments) -> dry run, or send (lock, freeze, recover, send
each, retry the temporary failures) -> summary.

A campaign is named ``<briefing>-<list>-<first 8 hex of the PDF's sha256>`` unless
``--campaign`` names it: running the same command again resumes (or finds complete) the
same campaign, and a changed PDF is a new campaign.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ContentError, Diagnostic, Location, MailError, UsageError
from ..files import write_atomic
from ..incremental.builder import build_project
from ..resolve.model import Document
from ..workspace import Workspace
from . import smtp as _smtp
from .ledger import Ledger, campaigns, ledger_dir
from .message import Composer, header_problems, to_bytes
from .recipients import Recipient, load_list, load_suppression
from .settings import MailSettings, SmtpConfig
from .smtp import Outcome, SmtpSession

RECONNECT_EVERY = 100
MAX_ATTEMPTS = 5
MAX_CONNECTION_LOSSES = 10

Event = Callable[[str, str], None]  # (event, detail)


@dataclass
class SendOptions:
    rate: float | None = None  # messages per minute
    ambiguous: str = "resend"  # or "hold"
    retry_delay: float = 30.0  # seconds before the first retry; doubles each time
    max_attempts: int = MAX_ATTEMPTS


@dataclass
class Prepared:
    """Everything a campaign needs, checked before anything is sent."""

    doc: Document
    pdf: bytes
    settings: MailSettings
    composer: Composer
    list_name: str
    selected: list[Recipient]
    skipped: list[tuple[str, str]]  # (address, reason)
    problems: list[Diagnostic]
    suppression_file: Path | None
    campaign: str

    def composer_pdf_sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


@dataclass
class Summary:
    campaign: str
    briefing: str
    counts: dict[str, int] = field(default_factory=dict)
    by_segment: dict[str, int] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    ambiguous: int = 0
    outbox: Path | None = None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "list"


def prepare(ws: Workspace, bid: str, list_path: Path | None, segments: list[str] | None,
            suppression: Path | None, campaign: str | None = None) -> Prepared:
    """Check everything a campaign needs, on an open workspace, before anything is sent."""
    root = ws.root
    ws.require(bid)
    if list_path is not None and not list_path.is_file():
        raise UsageError(f"no such list: {list_path}")
    setup = ws.mail
    if setup is None:
        mail_errors = ws.mail_errors
        raise ContentError(mail_errors or [Diagnostic(
            Location(ws.layout.mail_settings.relative_to(root).as_posix()), "",
            "missing file: the sender, postal address and unsubscribe addresses for mail")])
    settings = setup.settings
    result = build_project(root, [bid], workspace=ws)  # never mail a stale PDF
    if result.failed:
        raise ContentError([d for f in result.failed for d in f.errors])
    doc = ws.document(bid)
    bad = header_problems(doc, settings)
    if bad:
        where = ws.record(bid).file.location(("mail", "subject"))
        raise ContentError([Diagnostic(where, bad[0], "a line break in an email header "
                                                      "value: make it one line")])
    pdf = ws.layout.pdf(bid).read_bytes()
    people, problems = load_list(list_path, root) if list_path else ([], [])
    errors = [p for p in problems if p.is_error]
    if errors:
        raise ContentError(errors)
    suppressed, more = load_suppression(suppression, root)
    problems += more
    wanted = set(segments or doc.audiences)
    selected, skipped = [], []
    for person in people:
        if person.key in suppressed:
            skipped.append((person.email, "suppressed"))
        elif wanted and not wanted & set(person.segments):
            skipped.append((person.email, "not in the chosen segments"))
        else:
            selected.append(person)
    for p in problems:
        skipped.append((f"{p.location}", p.message))
    list_name = _slug(list_path.stem) if list_path else "test"
    name = campaign or f"{bid}-{list_name}-{hashlib.sha256(pdf).hexdigest()[:8]}"
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name):
        raise UsageError(f"campaign name '{name}': use lower-case letters, digits, '.', '-'")
    composer = Composer(doc, pdf, settings, setup.templates, name, list_name,
                        dt.datetime.now(dt.UTC).replace(microsecond=0))
    return Prepared(doc, pdf, settings, composer, list_name, selected, skipped, problems,
                    suppression, name)


def _by_segment(people: list[Recipient], wanted: set[str]) -> dict[str, int]:
    counts: Counter = Counter()
    for person in people:
        for seg in person.segments:
            if not wanted or seg in wanted:
                counts[seg] += 1
        if not person.segments:
            counts["(no segment)"] += 1
    return dict(sorted(counts.items()))


def last_sent_pdf(root: Path, bid: str, list_name: str) -> tuple[str, str] | None:
    """(campaign, pdf sha256) of the newest campaign of ``bid`` to ``list_name``."""
    newest = None
    for name in campaigns(root):
        ledger = Ledger(ledger_dir(root) / f"{name}.sqlite")
        meta = ledger.meta()
        ledger.close()
        same = meta.get("briefing") == bid and meta.get("list") == list_name
        if same and (newest is None or meta.get("created", "") > newest[2]):
            newest = (name, meta.get("pdf_sha256", ""), meta.get("created", ""))
    return (newest[0], newest[1]) if newest else None


def dry_run(root: Path, prep: Prepared) -> Summary:
    outbox = Path(root) / "dist" / "outbox" / prep.campaign
    if outbox.exists():
        shutil.rmtree(outbox)
    outbox.mkdir(parents=True)
    for n, person in enumerate(prep.selected, start=1):
        msg = prep.composer.build(person)
        safe = re.sub(r"[^A-Za-z0-9@._-]", "_", person.email)
        write_atomic(outbox / f"{n:04d}-{safe}.eml", to_bytes(msg))
    return Summary(prep.campaign, prep.doc.id, {"would send": len(prep.selected)},
                   _by_segment(prep.selected, set()), prep.skipped, prep.problems,
                   outbox=outbox)


def send_test(prep: Prepared, smtp: SmtpConfig, address: str) -> str:
    from .recipients import normalise
    try:
        email = normalise(address)
    except ValueError as exc:
        raise UsageError(f"--test {address}: not a valid address: {exc}") from None
    msg = prep.composer.build(Recipient(email), test=True)
    session = SmtpSession(smtp)
    try:
        result = session.send(prep.settings.from_address, email, to_bytes(msg),
                              lambda: None)
    finally:
        session.close()
    if result.outcome is not Outcome.SENT:
        raise MailError(f"test message to {email} not sent: {result.reply}")
    return result.reply


class _Suppression:
    """The suppression list, read again whenever its file changes during a run."""

    def __init__(self, path: Path | None, root: Path):
        self.path, self.root, self.stamp = path, root, None
        self.keys: set[str] = set()
        self.refresh()

    def refresh(self) -> None:
        if self.path is None:
            return
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            return  # keep the last list we read: never mail someone because a file vanished
        if stamp != self.stamp:
            keys, _ = load_suppression(self.path, self.root)
            self.keys |= keys
            self.stamp = stamp

    def __contains__(self, key: str) -> bool:
        self.refresh()
        return key in self.keys


def send_campaign(root: Path, prep: Prepared, smtp: SmtpConfig, options: SendOptions,
                  on_event: Event | None = None) -> Summary:
    emit = on_event or (lambda event, detail: None)
    root = Path(root)
    folder = ledger_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    lock_file = open(folder / f"{prep.campaign}.lock", "w")  # noqa: SIM115 - held for the run
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock_file.close()
        raise MailError(f"campaign {prep.campaign} is being sent by another run") from None
    ledger = Ledger(folder / f"{prep.campaign}.sqlite")
    try:
        ledger.freeze({"briefing": prep.doc.id, "list": prep.list_name,
                       "pdf_sha256": hashlib.sha256(prep.pdf).hexdigest(),
                       "created": prep.composer.date.isoformat(),
                       "subject": prep.doc.mail_subject}, prep.selected, prep.pdf)
        meta = ledger.meta()
        prep.composer.pdf = ledger.pdf()  # a resumed campaign sends the PDF it started with
        prep.composer.date = dt.datetime.fromisoformat(meta["created"])
        ledger.recover(options.ambiguous)
        _Runner(ledger, prep, smtp, options, emit, root).run()
        counts = ledger.counts()
        failures = [(r.recipient.email, r.reply) for r in ledger.rows("failed")]
        summary = Summary(prep.campaign, prep.doc.id, counts, {}, prep.skipped,
                          prep.problems, failures, ledger.ambiguous_count())
        if not counts["pending"] and not counts["retry"] and not counts["inflight"]:
            ledger.set_meta("finished", dt.datetime.now(dt.UTC).isoformat())
        return summary
    finally:
        ledger.close()
        lock_file.close()


class _Runner:
    def __init__(self, ledger: Ledger, prep: Prepared, smtp: SmtpConfig,
                 options: SendOptions, emit: Event, root: Path):
        self.ledger, self.prep, self.options, self.emit = ledger, prep, options, emit
        self.session = SmtpSession(smtp)
        self.suppressed = _Suppression(prep.suppression_file, root)
        self.losses = 0
        self.last_send = 0.0

    def run(self) -> None:
        try:
            while True:
                rows = list(self.ledger.rows("pending"))
                rows += [r for r in self.ledger.rows("retry") if r.next_at <= time.time()]
                if not rows:
                    waiting = [r.next_at for r in self.ledger.rows("retry")]
                    if not waiting:
                        return
                    time.sleep(max(0.0, min(waiting) - time.time()))
                    continue
                for row in sorted(rows, key=lambda r: r.seq):
                    self.one(row)
        finally:
            self.session.close()

    def _pace(self) -> None:
        if self.options.rate:
            gap = 60.0 / self.options.rate
            wait = self.last_send + gap - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self.last_send = time.monotonic()

    def one(self, row) -> None:
        ledger, key = self.ledger, row.key
        if key in self.suppressed:  # checked again just before each send
            ledger.set_state(key, "suppressed", reply="on the suppression list")
            self.emit("suppressed", row.recipient.email)
            return
        if self.session.sent_on_connection >= RECONNECT_EVERY:
            self.session.close()
        self._pace()
        data = to_bytes(self.prep.composer.build(row.recipient))
        ledger.set_state(key, "inflight")
        _smtp.on_step("inflight")
        result = self.session.send(self.prep.settings.from_address, row.recipient.email, data,
                                   lambda: ledger.set_state(key, "unconfirmed", durable=True))
        if result.outcome is Outcome.SENT:
            ledger.set_state(key, "sent", reply=result.reply)
            self.losses = 0
            self.emit("sent", row.recipient.email)
        elif result.outcome is Outcome.PERMANENT:
            ledger.set_state(key, "failed", reply=result.reply)
            self.emit("failed", row.recipient.email)
        elif result.outcome is Outcome.TEMPORARY:
            attempts = row.attempts + 1
            if attempts >= self.options.max_attempts:
                ledger.set_state(key, "failed", attempts=attempts,
                                 reply=f"gave up after {attempts} temporary failures: "
                                       f"{result.reply}")
                self.emit("failed", row.recipient.email)
            else:
                delay = self.options.retry_delay * 2 ** (attempts - 1)
                ledger.set_state(key, "retry", attempts=attempts, reply=result.reply,
                                 next_at=time.time() + delay)
                self.emit("retry", row.recipient.email)
        elif result.outcome is Outcome.NOT_SENT:
            ledger.set_state(key, "pending", reply=result.reply)
            self._lost(result.reply)
        else:  # AMBIGUOUS: the server may have the message
            target = "held" if self.options.ambiguous == "hold" else "pending"
            ledger.set_state(key, target, reply=result.reply, ambiguous=True)
            self.emit("ambiguous", row.recipient.email)
            self._lost(result.reply)

    def _lost(self, reply: str) -> None:
        self.losses += 1
        if self.losses > MAX_CONNECTION_LOSSES:
            raise MailError(f"the server keeps closing the connection ({reply}); stopped. "
                            "Run the same command again to resume.")
        time.sleep(min(5.0, 0.05 * 2 ** self.losses))


def status(root: Path, campaign: str | None = None) -> list[dict]:
    names = campaigns(Path(root))
    if campaign:
        if campaign not in names:
            from ..validate.schema import did_you_mean
            raise UsageError(f"no campaign '{campaign}'{did_you_mean(campaign, names)}")
        names = [campaign]
    out = []
    for name in names:
        ledger = Ledger(ledger_dir(Path(root)) / f"{name}.sqlite")
        try:
            out.append({"campaign": name, **ledger.meta(), "counts": ledger.counts(),
                        "ambiguous": ledger.ambiguous_count(),
                        "failures": [(r.recipient.email, r.reply)
                                     for r in ledger.rows("failed")],
                        "held": [r.recipient.email for r in ledger.rows("held")]})
        finally:
            ledger.close()
    return out

