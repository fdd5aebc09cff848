"""Sending a campaign, crash-safe: lock, check the approval and the guard against a changed
briefing, freeze the list, recover after a crash, send each recipient (checking the
suppression store and file just before), retry the temporary failures, stop on a refusal
of the sender. Also: a single test message, ``retry`` and ``resolve`` for a person to move
recipients on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import time
from collections.abc import Iterator
from email.errors import MessageError
from pathlib import Path
from typing import IO

from ..errors import ContentError, MailError, UsageError, relative_path
from ..load.project import Layout
from ..workspace import Workspace
from . import approval
from . import smtp as _smtp
from .campaign import (
    Event,
    Prepared,
    SendOptions,
    Summary,
    composer_for,
    open_campaigns,
    refuse_changed,
    superseded_by,
)
from .classify import hard_bounce
from .ledger import Ledger, campaigns, ledger_dir
from .recipients import Recipient, address_key, legacy_key, normalise, wire_address
from .settings import SmtpConfig
from .smtp import Outcome, SmtpSession
from .suppress import Suppression, SuppressionStore, read_suppression_file

RECONNECT_EVERY = 100
MAX_CONNECTION_LOSSES = 10


def _lock(folder: Path, campaign: str) -> IO:
    handle = open(folder / f"{campaign}.lock", "w")  # noqa: SIM115 - held for the run
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise MailError(f"campaign {campaign} is being sent by another run") from None
    return handle


@contextlib.contextmanager
def _locked(folder: Path, names: list[str]) -> Iterator[None]:
    held: list[IO] = []
    try:
        for name in names:
            held.append(_lock(folder, name))
        yield
    finally:
        for handle in held:
            handle.close()


def _supersede(folder: Path, older: list[str], campaign: str) -> None:
    for name in older:
        ledger = Ledger(folder / f"{name}.sqlite")
        try:
            ledger.supersede(campaign)
        finally:
            ledger.close()


def _start(layout: Layout, prep: Prepared, options: SendOptions) -> Ledger:
    """Freeze a new campaign, once its PDF is approved and no unfinished campaign of an
    earlier PDF would be re-mailed by it (see ``--new-campaign``)."""
    folder = layout.ledgers
    sha = prep.composer_pdf_sha256()
    approval.require(layout.approvals, prep.doc.id, sha)
    older = open_campaigns(layout.root, prep.doc.id, prep.list_name, prep.campaign)
    if older and not options.new_campaign:
        raise MailError(refuse_changed(prep.doc.id, older, prep.campaign))
    selected = prep.selected
    with _locked(folder, older):
        had: dict[str, str] = {}
        for name in older:
            old = Ledger(folder / f"{name}.sqlite")
            try:
                counts = old.counts()
                held = counts["held"] + counts["unconfirmed"]
                if held and options.ambiguous == "hold":
                    raise MailError(
                        f"campaign {name} has {held} held recipient(s) who may have had the "
                        f"earlier PDF: resolve them first (briefgen mail resolve {name} "
                        "ADDRESS --delivered or --resend), or leave out --ambiguous=hold to "
                        "send them the new PDF")
                had.update(dict.fromkeys(old.sent_people(), name))
            finally:
                old.close()
        if had:
            got = {p.key: had.get(p.key) for p in selected}
            selected = [p for p in prep.selected if not got[p.key]]
            prep.skipped += [(p.email, f"had the earlier PDF (campaign {got[p.key]})")
                             for p in prep.selected if got[p.key]]
        same = _had_this_pdf(layout.root, sha, {prep.campaign, *older})
        if same:  # on another list too (or a list exported again under a new name)
            got = {p.key: same.get(p.key) for p in selected}
            prep.skipped += [(p.email, f"already had this edition (campaign {got[p.key][0]})"
                              if got[p.key][1] else f"gets this edition from campaign "
                              f"{got[p.key][0]}, not finished yet")
                             for p in selected if got[p.key]]
            selected = [p for p in selected if not got[p.key]]
        meta = {"briefing": prep.doc.id, "list": prep.list_name, "pdf_sha256": sha,
                "created": prep.composer.date.isoformat(), "subject": prep.doc.mail_subject,
                "changes": prep.composer.changes or "",
                # what the messages say of the briefing: every later run renders from this
                "context": json.dumps(prep.composer.briefing_context(), sort_keys=True)}
        if older:
            meta["supersedes"] = " ".join(older)
        ledger = Ledger(folder / f"{prep.campaign}.sqlite")
        ledger.freeze(meta, selected, prep.pdf)
        _smtp.on_step("frozen")
        _supersede(folder, older, prep.campaign)  # after the freeze: a crash between is
    return ledger  # finished by the next run of either campaign


def _had_this_pdf(root: Path, sha: str, besides: set[str]) -> dict[str, tuple[str, bool]]:
    """Who another campaign of the project sent this very PDF, or may still send it (key ->
    (campaign, whether sent)): one edition reaches a person once, whatever lists they are on,
    and an unfinished campaign will reach its own when resumed. A damaged ledger stops the
    send (LedgerDamaged): who it reached is not known."""
    out: dict[str, tuple[str, bool]] = {}
    for name in campaigns(root):
        if name in besides:
            continue
        ledger = Ledger(ledger_dir(root) / f"{name}.sqlite")
        try:
            if ledger.meta().get("pdf_sha256") == sha:
                for key, sent in ledger.people_in().items():
                    if key not in out or sent:
                        out[key] = (name, sent)
        finally:
            ledger.close()
    return out


def send_campaign(root: Path, prep: Prepared, smtp: SmtpConfig, options: SendOptions,
                  on_event: Event | None = None, *, reopen: tuple[str, ...] = ()) -> Summary:
    """Send (or resume) ``prep.campaign``. ``reopen``: states whose rows are made pending
    first (``failed``, ``held``: what ``briefgen mail retry`` asks for)."""
    emit = on_event or (lambda event, detail: None)
    layout = Layout(Path(root))
    folder = layout.ledgers
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{prep.campaign}.sqlite"
    with _locked(folder, [prep.campaign]):
        ledger = Ledger(path) if path.is_file() else None
        try:
            if ledger is None or not ledger.started:
                if ledger is not None:
                    ledger.close()
                ledger = _start(layout, prep, options)
            else:
                meta = ledger.meta()
                _require_same(prep, meta)
                newer = superseded_by(layout.root, prep.campaign)
                if newer:
                    ledger.supersede(newer)  # in case a crash came between the two steps
                    raise MailError(f"campaign {prep.campaign} was superseded by campaign "
                                    f"{newer} (a newer PDF of the briefing): send or retry "
                                    "that one instead")
                earlier = meta.get("supersedes", "").split()
                with _locked(folder, earlier):
                    _supersede(folder, earlier, prep.campaign)
            ledger.recover(options.ambiguous)  # a crash's inflight and unconfirmed rows first
            for state in reopen:
                ledger.reopen((state,), f"was {state}; to be sent again (retry)")
            return _run(layout, ledger, prep, smtp, options, emit)
        finally:
            if ledger is not None:
                ledger.close()


def _require_same(prep: Prepared, meta: dict[str, str]) -> None:
    """A started campaign is resumed only by the same briefing, list and PDF: a name given
    with --campaign must not send one briefing's message to another's ledger (nor report
    another's finished campaign as this one's)."""
    sha = prep.composer_pdf_sha256()
    pairs = (("briefing", meta.get("briefing", ""), prep.doc.id, True),
             ("list", meta.get("list", ""), prep.list_name, True),
             ("PDF", meta.get("pdf_sha256", "")[:8], sha[:8], meta.get("pdf_sha256") == sha))
    differs = [(what, then, now) for what, then, now, same in pairs
               if not same or then != now]
    if differs:
        raise UsageError(
            f"campaign {prep.campaign} was started with another "
            f"{' and '.join(what for what, _, _ in differs)} ("
            + "; ".join(f"{what} {then or '(none)'}, not {now}" for what, then, now in differs)
            + "): nothing was sent. A campaign name belongs to one briefing, list and PDF: "
            "choose a new --campaign name, or leave it out")


def frozen_pdf(layout: Layout, ledger: Ledger, meta: dict[str, str], campaign: str) -> bytes:
    """The PDF a campaign froze, once it is checked to be the one its ledger recorded and
    that PDF is still approved; otherwise nothing may be sent (a MailError says why)."""
    pdf, sha = ledger.pdf(), meta.get("pdf_sha256", "")
    if not pdf or hashlib.sha256(pdf).hexdigest() != sha:
        where = relative_path(ledger.path, layout.root)
        raise MailError(f"{where}: the PDF campaign {campaign} froze is "
                        f"{'not there' if not pdf else 'not the one it recorded'} (the ledger "
                        "was changed or damaged): nothing was sent. Restore this file from a "
                        "backup; do not delete it, it records who was already mailed")
    approval.require(layout.approvals, meta.get("briefing", ""), sha)
    return pdf


def _run(layout: Layout, ledger: Ledger, prep: Prepared, smtp: SmtpConfig,
         options: SendOptions, emit: Event) -> Summary:
    meta = ledger.meta()
    # a resumed campaign sends the PDF it started with, checked and still approved
    prep.composer.pdf = frozen_pdf(layout, ledger, meta, prep.campaign)
    prep.composer.date = dt.datetime.fromisoformat(meta["created"])
    prep.composer.subject = meta.get("subject") or None
    prep.composer.changes = meta.get("changes") or None  # and the intro's line on changes
    prep.composer.frozen = _frozen_context(ledger, meta)  # and what it says of the briefing
    with SuppressionStore(layout.suppressions) as store:
        suppression = Suppression(store, prep.suppression_file, layout.root,
                                  prep.suppressed_keys)
        stopped = _Runner(ledger, prep, smtp, options, emit, suppression, store).run()
    counts = ledger.counts()
    failures = [(r.recipient.email, r.reply) for r in ledger.rows("failed")]
    summary = Summary(prep.campaign, prep.doc.id, counts, {}, prep.skipped, prep.problems,
                      failures, ledger.ambiguous_count(), stopped=stopped)
    if not counts["pending"] and not counts["retry"] and not counts["inflight"]:
        ledger.set_meta("finished", dt.datetime.now(dt.UTC).isoformat())
    return summary


def _frozen_context(ledger: Ledger, meta: dict[str, str]) -> dict | None:
    """The briefing's part of the message as the campaign froze it; None for a campaign
    started before briefgen recorded it (see :func:`prepare_retry`)."""
    raw = meta.get("context")
    if raw is None:
        return None
    try:
        frozen = json.loads(raw)
    except ValueError:
        frozen = None
    if not isinstance(frozen, dict) or not isinstance(frozen.get("briefing"), dict):
        raise MailError(f"{ledger.path}: the campaign's record of its message is damaged: "
                        "nothing was sent. Restore this file from a backup")
    return frozen


class _Runner:
    def __init__(self, ledger: Ledger, prep: Prepared, smtp: SmtpConfig,
                 options: SendOptions, emit: Event, suppression: Suppression,
                 store: SuppressionStore):
        self.ledger, self.prep, self.options, self.emit = ledger, prep, options, emit
        self.session = SmtpSession(smtp)
        self.suppression, self.store = suppression, store
        self.sender = prep.settings.envelope_sender
        self.losses = 0
        self.last_send = 0.0

    def run(self) -> str | None:
        """Send until done; returns why it stopped early, or None."""
        try:
            while True:
                rows = list(self.ledger.rows("pending"))
                rows += [r for r in self.ledger.rows("retry") if r.next_at <= time.time()]
                if not rows:
                    waiting = [r.next_at for r in self.ledger.rows("retry")]
                    if not waiting:
                        return None
                    time.sleep(max(0.0, min(waiting) - time.time()))
                    continue
                for row in sorted(rows, key=lambda r: r.seq):
                    stop = self.one(row)
                    if stop:
                        return stop
        finally:
            self.session.close()

    def _pace(self) -> None:
        if self.options.rate:
            gap = 60.0 / self.options.rate
            wait = self.last_send + gap - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self.last_send = time.monotonic()

    def one(self, row) -> str | None:
        ledger, key, person = self.ledger, row.key, row.recipient
        # checked again just before each send, by the address (an older ledger's key is
        # case-folded, and an entry added since is not)
        reason = self.suppression.reason(address_key(person.email))
        if reason:
            ledger.set_state(key, "suppressed", reply=reason)
            self.emit("suppressed", person.email)
            return None
        try:
            data, utf8 = self.prep.composer.render(person)
        except (ValueError, MessageError) as exc:  # never a crash on one odd row
            where = f" (list line {person.line})" if person.line else ""
            ledger.set_state(key, "failed", reply=f"the message could not be built{where}: "
                                                  f"{exc}")
            self.emit("failed", person.email)
            return None
        if self.session.sent_on_connection >= RECONNECT_EVERY:
            self.session.close()
        self._pace()
        ledger.set_state(key, "inflight")
        _smtp.on_step("inflight")
        address, _ = wire_address(person.email)
        result = self.session.send(self.sender, address, data,
                                   lambda: ledger.set_state(key, "unconfirmed", durable=True),
                                   smtputf8=utf8)
        outcome = result.outcome
        if outcome is Outcome.SENT:
            ledger.set_state(key, "sent", reply=result.reply)
            self.losses = 0
            self.emit("sent", person.email)
        elif outcome is Outcome.STOP:
            ledger.set_state(key, "pending", reply=result.reply)
            pending = ledger.counts()["pending"]
            return (f"the mail provider refused to send more: {result.reply}. This is about "
                    f"the sender or the provider (a quota, a rate limit, a block), not about "
                    f"{person.email}: nobody was marked failed, and {pending} recipient(s) "
                    "are still pending. Run the same command again once it is fixed (a daily "
                    "quota resets after a day); if only this one address is ever refused, "
                    f"suppress it: briefgen mail suppressed --add {person.email}")
        elif outcome in (Outcome.PERMANENT, Outcome.UNSUPPORTED):
            ledger.set_state(key, "failed", reply=result.reply)
            if outcome is Outcome.PERMANENT and hard_bounce(int(result.reply[:3]),
                                                            result.reply):
                self.store.add(person.email, "refused", list_name=self.prep.list_name,
                               detail=f"campaign {self.prep.campaign}: {result.reply}")
            self.emit("failed", person.email)
        elif outcome is Outcome.TEMPORARY:
            self._temporary(row, result.reply)
        elif outcome is Outcome.NOT_SENT:
            ledger.set_state(key, "pending", reply=result.reply)
            self._lost(result.reply)
        else:  # AMBIGUOUS: the server may have the message
            target = "held" if self.options.ambiguous == "hold" else "pending"
            ledger.set_state(key, target, reply=result.reply, ambiguous=True)
            self.emit("ambiguous", person.email)
            self._lost(result.reply)
        return None

    def _temporary(self, row, reply: str) -> None:
        attempts = row.attempts + 1
        if attempts >= self.options.max_attempts:
            self.ledger.set_state(row.key, "failed", attempts=attempts,
                                  reply=f"gave up after {attempts} temporary failures: {reply}")
            self.emit("failed", row.recipient.email)
        else:
            delay = self.options.retry_delay * 2 ** (attempts - 1)
            self.ledger.set_state(row.key, "retry", attempts=attempts, reply=reply,
                                  next_at=time.time() + delay)
            self.emit("retry", row.recipient.email)

    def _lost(self, reply: str) -> None:
        self.losses += 1
        if self.losses > MAX_CONNECTION_LOSSES:
            raise MailError(f"the server keeps closing the connection ({reply}); stopped. "
                            "Run the same command again to resume.")
        time.sleep(min(5.0, 0.05 * 2 ** self.losses))


# ---------------------------------------------------------------------- test message
def send_test(prep: Prepared, smtp: SmtpConfig, address: str) -> str:
    try:
        email = normalise(address)
    except ValueError as exc:
        raise UsageError(f"--test {address}: not a valid address: {exc}") from None
    data, utf8 = prep.composer.render(Recipient(email), test=True)
    session = SmtpSession(smtp)
    try:
        result = session.send(prep.settings.envelope_sender, wire_address(email)[0], data,
                              lambda: None, smtputf8=utf8)
    finally:
        session.close()
    if result.outcome is not Outcome.SENT:
        raise MailError(f"test message to {email} not sent: {result.reply}")
    return result.reply


# ---------------------------------------------------------------------- a person decides
def _ledger_path(root: Path, campaign: str) -> Path:
    names = campaigns(root)
    if campaign not in names:
        from ..validate.schema import did_you_mean
        raise UsageError(f"no campaign '{campaign}'{did_you_mean(campaign, names)}")
    return Layout(root).ledgers / f"{campaign}.sqlite"


def prepare_retry(ws: Workspace, campaign: str, suppression: Path | None, *,
                  env: dict[str, str] | None = None) -> Prepared:
    """A started campaign, ready to send again: its frozen list and PDF, the current
    templates and settings."""
    ledger = Ledger(_ledger_path(ws.root, campaign))
    try:
        meta = ledger.meta()
        pdf = frozen_pdf(ws.layout, ledger, meta, campaign)
    finally:
        ledger.close()
    bid = meta.get("briefing", "")
    ws.require(bid)
    state = ws.state(bid)
    if not state.ok:
        raise ContentError(list(state.errors))
    doc = ws.document(bid)
    if "context" not in meta:  # started before campaigns recorded what their messages say:
        _require_frozen_edition(ws, bid, campaign, meta)  # the briefing must still be it
    keys, problems = (read_suppression_file(suppression, ws.root) if suppression
                      else (set(), []))
    composer = composer_for(ws, doc, pdf, campaign, meta.get("list", ""), env)
    return Prepared(doc, pdf, composer.settings, composer, meta.get("list", ""), [], [],
                    problems, suppression, campaign, keys)


def _require_frozen_edition(ws: Workspace, bid: str, campaign: str,
                            meta: dict[str, str]) -> None:
    """For a campaign that did not record its message's text: refuse a retry unless the
    briefing is still the published edition whose PDF the campaign froze, so that the
    text sent beside that PDF is the text that was published and approved with it."""
    from ..editions.mailing import edition_to_mail

    try:
        sha = hashlib.sha256(edition_to_mail(ws, bid)[1]).hexdigest()
    except (MailError, ContentError) as exc:
        why = str(exc).splitlines()[0]
    else:
        if sha == meta.get("pdf_sha256"):
            return
        why = f"{bid}'s latest edition is not the PDF campaign {campaign} sends"
    raise MailError(f"campaign {campaign} was started by an earlier briefgen, which did not "
                    f"record the text of its message, and the briefing has changed since "
                    f"({why}): a retry would send text nobody published or approved with its "
                    f"PDF. Nothing was sent. Put briefings back as they were when the "
                    f"campaign started (e.g. from git), retry, then restore them")


def resolve_recipient(root: Path, campaign: str, address: str, *,
                      delivered: bool) -> tuple[str, str]:
    """A person's decision about one recipient: they got the message (``sent``), or it is
    to be sent again (``pending``). Returns (state before, state after)."""
    path = _ledger_path(Path(root), campaign)
    try:
        key = address_key(normalise(address))
    except ValueError:
        key = address_key(address.strip())
    with _locked(path.parent, [campaign]):
        ledger = Ledger(path)
        try:
            row = ledger.row(key)
            if row is None:  # an older ledger's case-folded key: only if it is this address
                row = ledger.row(legacy_key(key))
                if row is not None and address_key(row.recipient.email) != key:
                    row = None
            if row is None:
                raise UsageError(f"{address} is not a recipient of campaign {campaign}")
            key = row.key  # the key the ledger holds it under
            if delivered:
                ledger.set_state(key, "sent", reply="marked delivered by hand "
                                                    f"(was {row.state})")
                return row.state, "sent"
            if row.state == "superseded":
                raise UsageError(f"{address} gets the newer PDF in campaign "
                                 f"{superseded_by(Path(root), campaign)}: nothing to resend here")
            ledger.set_state(key, "pending", attempts=0, next_at=0,
                             reply=f"to be sent again (was {row.state}; resolved by hand)")
            return row.state, "pending"
        finally:
            ledger.close()


def retry_campaign(ws: Workspace, campaign: str, smtp: SmtpConfig, options: SendOptions,
                   *, failed: bool = False, held: bool = False,
                   suppression: Path | None = None, on_event: Event | None = None,
                   env: dict[str, str] | None = None) -> Summary:
    """Send a started campaign again: its pending recipients, and the failed and held ones
    when asked. Its frozen list and PDF are used, so an earlier PDF's campaign can be
    finished after the briefing has changed."""
    prep = prepare_retry(ws, campaign, suppression, env=env)
    reopen = tuple(s for s, wanted in (("failed", failed), ("held", held)) if wanted)
    return send_campaign(ws.root, prep, smtp, options, on_event, reopen=reopen)
