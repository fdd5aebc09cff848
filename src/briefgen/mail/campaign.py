"""``briefgen mail``: preparing a campaign, and what is known about campaigns.

Read top to bottom: prepare (build the PDF, read the list and the suppression file and store,
pick the segments, set up signed unsubscribe links and DKIM) -> the guard against a changed
briefing re-mailing people -> status. Sending is in :mod:`.send`, the dry run in
:mod:`.outbox`.

A campaign is named ``<briefing>-<list>-<first 8 hex of the PDF's sha256>`` unless
``--campaign`` names it: running the same command again resumes (or finds complete) the
same campaign. A changed PDF is a new campaign, which may not start while an earlier
campaign of the same briefing to the same list is unfinished (see :func:`open_campaigns`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ContentError, Diagnostic, Location, UsageError
from ..incremental.builder import build_project
from ..load.project import Layout
from ..resolve.model import Document
from ..workspace import Workspace
from . import approval
from .dkim import signer_from_env
from .ledger import Ledger, LedgerDamaged, campaigns, ledger_dir
from .message import Composer, header_problems
from .recipients import Recipient, load_list
from .settings import MailSettings
from .suppress import SuppressionStore, read_suppression_file
from .unsubscribe import Signer, secret_from_env

Event = Callable[[str, str], None]  # (event, detail)


@dataclass
class SendOptions:
    rate: float | None = None  # messages per minute
    ambiguous: str = "resend"  # or "hold"
    retry_delay: float = 30.0  # seconds before the first retry; doubles each time
    max_attempts: int = 5
    new_campaign: bool = False  # supersede unfinished campaigns of an earlier PDF


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
    suppressed_keys: set[str] = field(default_factory=set)  # from the --suppress file
    people: list[Recipient] = field(default_factory=list)  # the whole list, for the manifest

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
    #: why the run stopped early (a provider's quota or rate limit...), or None
    stopped: str | None = None
    notes: list[str] = field(default_factory=list)
    written: int = 0  # messages written by a dry run


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "list"


def mail_setup(ws: Workspace):
    """The workspace's validated mail set-up, or the errors that stop mailing."""
    if ws.mail is None:
        mail_errors = ws.mail_errors
        raise ContentError(mail_errors or [Diagnostic(
            Location(ws.layout.mail_settings.relative_to(ws.root).as_posix()), "",
            "missing file: the sender, postal address and unsubscribe addresses for mail")])
    return ws.mail


def composer_for(ws: Workspace, doc: Document, pdf: bytes, campaign: str, list_name: str,
                 env: dict[str, str] | None = None) -> Composer:
    """A composer with the signed unsubscribe links and DKIM the environment configures."""
    setup = mail_setup(ws)
    settings = setup.settings
    signer = Signer(secret_from_env(env)) if settings.unsubscribe.endpoint else None
    dkim = signer_from_env(settings.from_address, env)
    return Composer(doc, pdf, settings, setup.templates, campaign, list_name,
                    dt.datetime.now(dt.UTC).replace(microsecond=0), signer, dkim)


def prepare(ws: Workspace, bid: str, list_path: Path | None, segments: list[str] | None,
            suppression: Path | None, campaign: str | None = None, *,
            env: dict[str, str] | None = None, preview: bool = False) -> Prepared:
    """Check everything a campaign needs, on an open workspace, before anything is sent.
    A campaign mails the briefing's latest published edition (see ``editions.mailing``);
    ``preview`` (a test message) mails the current build instead.
    A suppression file that cannot be trusted raises ContentError (fail closed)."""
    root = ws.root
    ws.require(bid)
    if list_path is not None and not list_path.is_file():
        raise UsageError(f"no such list: {list_path}")
    settings = mail_setup(ws).settings
    result = build_project(root, [bid], workspace=ws)  # never mail a stale PDF
    if result.failed:
        raise ContentError([d for f in result.failed for d in f.errors])
    doc = ws.document(bid)
    bad = header_problems(doc, settings)
    if bad:
        where = ws.record(bid).file.location(("mail", "subject"))
        raise ContentError([Diagnostic(where, bad[0], "a line break in an email header "
                                                      "value: make it one line")])
    from ..editions.box import change_summary

    if preview:  # a test message: the current build, before anyone publishes it
        pdf = ws.layout.pdf(bid).read_bytes()
    else:  # a campaign: the latest published edition, which the build must be
        from ..editions.mailing import edition_to_mail

        pdf = edition_to_mail(ws, bid)[1]
    changes = change_summary(ws, bid)
    people, problems = load_list(list_path, root) if list_path else ([], [])
    errors = [p for p in problems if p.is_error]
    if errors:
        raise ContentError(errors)
    keys, more = read_suppression_file(suppression, root) if suppression else (set(), [])
    problems += more
    wanted = set(segments or doc.audiences)
    selected, skipped = [], []
    with SuppressionStore(ws.layout.suppressions, readonly=True) as store:
        for person in people:
            entry = store.get(person.key)
            if entry is not None:
                skipped.append((person.email, f"suppressed ({entry.why})"))
            elif person.key in keys:
                skipped.append((person.email, f"suppressed (in {suppression.name})"))
            elif wanted and not wanted & set(person.segments):
                skipped.append((person.email, "not in the chosen segments"))
            else:
                selected.append(person)
    for p in problems:
        if p.key == "email":  # the row was skipped; other warnings are only shown
            skipped.append((f"{p.location}", p.message))
    list_name = _slug(list_path.stem) if list_path else "test"
    name = campaign or f"{bid}-{list_name}-{hashlib.sha256(pdf).hexdigest()[:8]}"
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name):
        raise UsageError(f"campaign name '{name}': use lower-case letters, digits, '.', '-'")
    composer = composer_for(ws, doc, pdf, name, list_name, env)
    composer.changes = changes
    return Prepared(doc, pdf, settings, composer, list_name, selected, skipped, problems,
                    suppression, name, keys, people)


def by_segment(people: list[Recipient], wanted: set[str]) -> dict[str, int]:
    counts: Counter = Counter()
    for person in people:
        for seg in person.segments:
            if not wanted or seg in wanted:
                counts[seg] += 1
        if not person.segments:
            counts["(no segment)"] += 1
    return dict(sorted(counts.items()))


def _metas(root: Path) -> dict[str, tuple[dict[str, str], bool]]:
    """Campaign -> (its meta, whether it is open)."""
    out = {}
    for name in campaigns(root):
        path = ledger_dir(root) / f"{name}.sqlite"
        ledger = Ledger(path)  # a damaged one stops a send: it may be this list's campaign
        try:
            out[name] = (ledger.meta(), ledger.is_open())
        except sqlite3.DatabaseError as exc:
            raise LedgerDamaged(path, exc) from None
        finally:
            ledger.close()
    return out


def last_sent_pdf(root: Path, bid: str, list_name: str) -> tuple[str, str] | None:
    """(campaign, pdf sha256) of the newest campaign of ``bid`` to ``list_name``."""
    newest = None
    for name, (meta, _) in _metas(Path(root)).items():
        same = meta.get("briefing") == bid and meta.get("list") == list_name
        if same and (newest is None or meta.get("created", "") > newest[2]):
            newest = (name, meta.get("pdf_sha256", ""), meta.get("created", ""))
    return (newest[0], newest[1]) if newest else None


def open_campaigns(root: Path, bid: str, list_name: str, but: str) -> list[str]:
    """Unfinished campaigns of ``bid`` to ``list_name`` other than ``but``: a campaign with
    recipients pending, to retry, held, or caught mid-send by a crash."""
    return [name for name, (meta, is_open) in _metas(Path(root)).items()
            if name != but and is_open and meta.get("briefing") == bid
            and meta.get("list") == list_name and not meta.get("superseded_by")]


def superseded_by(root: Path, name: str) -> str | None:
    """The campaign that took over ``name``'s unsent recipients (``--new-campaign``)."""
    for other, (meta, _) in _metas(Path(root)).items():
        if name in meta.get("supersedes", "").split():
            return other
    return None


def refuse_changed(bid: str, older: list[str], campaign: str) -> str:
    """What to do when an earlier PDF's campaign is unfinished."""
    names = ", ".join(older)
    return (f"{bid}: campaign {names} (an earlier PDF of this briefing, to the same list) is "
            f"not finished, and this PDF would start a new campaign ({campaign}) that mails "
            f"everyone again. Either finish the earlier one (briefgen mail retry {older[0]} "
            "sends its PDF to those not yet mailed; add --held or --failed for those), or "
            "run this command again with --new-campaign to send the new PDF to everyone "
            "on the list who has not had the earlier one")


def status(root: Path, campaign: str | None = None) -> list[dict]:
    names = campaigns(Path(root))
    if campaign:
        if campaign not in names:
            from ..validate.schema import did_you_mean
            raise UsageError(f"no campaign '{campaign}'{did_you_mean(campaign, names)}")
        names = [campaign]
    out = []
    for name in names:
        path = ledger_dir(Path(root)) / f"{name}.sqlite"
        try:
            ledger = Ledger(path)
        except LedgerDamaged as exc:  # listed as damaged; the others are still shown
            out.append({"campaign": name, "damaged": str(exc)})
            continue
        try:
            out.append({"campaign": name, **ledger.meta(), "counts": ledger.counts(),
                        "open": ledger.is_open(),
                        "ambiguous": ledger.ambiguous_count(),
                        "failures": [(r.recipient.email, r.reply)
                                     for r in ledger.rows("failed")],
                        "held": [r.recipient.email for r in ledger.rows("held")]})
        except sqlite3.DatabaseError as exc:
            out.append({"campaign": name, "damaged": str(LedgerDamaged(path, exc))})
        finally:
            ledger.close()
    return out


def approval_status(root: Path) -> list[tuple[approval.Approval, bool]]:
    """Every approval, with whether it is of the briefing's PDF in dist/ now."""
    layout = Layout(Path(root))
    current: dict[str, str] = {}
    out = []
    for item in approval.approvals(layout.approvals):
        if item.briefing not in current:
            pdf = layout.pdf(item.briefing)
            current[item.briefing] = (hashlib.sha256(pdf.read_bytes()).hexdigest()
                                      if pdf.is_file() else "")
        out.append((item, current[item.briefing] == item.pdf_sha256))
    return out
