"""One email per recipient: plain text and HTML bodies from the Jinja2 templates in
``styles/mail/`` (the same sandbox as spec text), the screen PDF attached, and the list
headers (List-Id, List-Unsubscribe, RFC 8058 one-click). No tracking pixels, no rewritten
links: the organisation's readers include people at risk.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Template, TemplateError, TemplateSyntaxError

from ..errors import ContentError, Diagnostic, Location, relative_path
from ..resolve.model import Document
from ..resolve.textenv import BriefingSandbox
from ..validate.types import human_date
from .recipients import Recipient
from .settings import MailSettings

# Header lines are written unfolded up to SMTP's hard limit: Python folds a header whose value
# fits a line on its own right after the colon, and readers then see a leading space.
_WIRE = SMTP.clone(max_line_length=998)

_TEXT_ENV = BriefingSandbox(keep_trailing_newline=True)
_HTML_ENV = BriefingSandbox(autoescape=True, keep_trailing_newline=True)


@dataclass
class Templates:
    text: Template
    html: Template
    text_file: str
    html_file: str


def load_templates(styles: Path, name: str, root: Path) -> Templates:
    found, problems = [], []
    for suffix, env in ((".txt.j2", _TEXT_ENV), (".html.j2", _HTML_ENV)):
        path = styles / "mail" / f"{name}{suffix}"
        display = relative_path(path, root)
        try:
            found.append((env.from_string(path.read_text(encoding="utf-8")), display))
        except OSError:
            problems.append(Diagnostic(Location(display), "", "missing email template"))
        except TemplateSyntaxError as exc:
            problems.append(Diagnostic(Location(display, exc.lineno or 1, 1), "",
                                       f"template syntax error: {exc.message}"))
    if problems:
        raise ContentError(problems)
    (text, text_file), (html, html_file) = found
    return Templates(text, html, text_file, html_file)


def _plain(doc: Document) -> str:
    spans = [s for p in doc.lead for s in p.spans if s.note is None]
    return " ".join("".join(s.text for s in spans).split())


def _domain(address: str) -> str:
    return address.rpartition("@")[2] or "localhost"


def message_id(campaign: str, recipient: Recipient, settings: MailSettings) -> str:
    digest = hashlib.sha256(f"{campaign}\0{recipient.key}".encode()).hexdigest()[:24]
    return f"<{campaign}.{digest}@{_domain(settings.from_address)}>"


def unsubscribe_links(settings: MailSettings, recipient: Recipient, list_name: str
                      ) -> tuple[str, str | None]:
    def fill(template: str) -> str:
        return template.replace("{email}", quote(recipient.email, safe="@")).replace(
            "{list}", quote(list_name, safe=""))
    mailto = settings.unsubscribe.mailto
    if not mailto.startswith("mailto:"):
        mailto = f"mailto:{mailto}"
    https = settings.unsubscribe.https
    return fill(mailto), fill(https) if https else None


@dataclass
class Composer:
    """Builds the messages of one campaign."""

    doc: Document
    pdf: bytes
    settings: MailSettings
    templates: Templates
    campaign: str
    list_name: str
    date: Any  # datetime of the campaign, for the Date header

    def context(self, recipient: Recipient, unsubscribe: tuple[str, str | None]) -> dict:
        s, d = self.settings, self.doc
        page = (s.briefing_page.replace("{id}", d.id) if s.briefing_page
                else d.publisher.more_briefings)
        return {
            "recipient": {"email": recipient.email, "name": recipient.name,
                          "first_name": recipient.first_name,
                          "segments": list(recipient.segments)},
            "briefing": {"id": d.id, "title": d.title, "subtitle": d.subtitle or "",
                         "date": human_date(d.date), "lead": _plain(d), "url": page,
                         "subject": d.mail_subject},
            "publisher": d.publisher.model_dump(mode="json"),
            "sender": {"name": s.from_name, "address": s.from_address,
                       "postal_address": list(s.postal_address)},
            "unsubscribe": {"mailto": unsubscribe[0], "https": unsubscribe[1]},
        }

    def _render(self, template: Template, display: str, ctx: dict) -> str:
        try:
            return template.render(ctx)
        except TemplateError as exc:
            raise ContentError([Diagnostic(Location(display), "", f"template error: {exc}")]
                               ) from None

    def build(self, recipient: Recipient, *, test: bool = False) -> EmailMessage:
        s = self.settings
        unsubscribe = unsubscribe_links(s, recipient, self.list_name)
        ctx = self.context(recipient, unsubscribe)
        msg = EmailMessage(policy=SMTP)
        msg["From"] = Address(s.from_name, addr_spec=s.from_address)
        msg["To"] = Address(recipient.name, addr_spec=recipient.email)
        if s.reply_to:
            msg["Reply-To"] = s.reply_to
        msg["Subject"] = ("[TEST] " if test else "") + self.doc.mail_subject
        msg["Date"] = format_datetime(self.date)
        msg["Message-ID"] = message_id(self.campaign, recipient, s)
        msg["List-Id"] = f"{s.from_name} briefings <{s.list_id}>"
        header = f"<{unsubscribe[0]}>" + (f", <{unsubscribe[1]}>" if unsubscribe[1] else "")
        msg["List-Unsubscribe"] = header
        if unsubscribe[1]:
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        msg.set_content(self._render(self.templates.text, self.templates.text_file, ctx))
        msg.add_alternative(self._render(self.templates.html, self.templates.html_file, ctx),
                            subtype="html")
        msg.make_mixed()
        msg.attach(self._attachment())
        return msg

    def _attachment(self) -> MIMEPart:
        """The PDF part, base64-encoded once per campaign and shared by every message."""
        cached = getattr(self, "_pdf_part", None)
        if cached is None or cached[0] is not self.pdf:
            part = MIMEPart(policy=SMTP)
            part.set_content(self.pdf, maintype="application", subtype="pdf",
                             disposition="attachment", filename=f"{self.doc.id}.pdf")
            plain = io.BytesIO()
            BytesGenerator(plain, policy=_WIRE).flatten(part)
            part.wire_bytes = plain.getvalue()  # read by _WireGenerator
            cached = (self.pdf, part)
            self._pdf_part = cached
        return cached[1]


class _WireGenerator(BytesGenerator):
    """Writes a part that carries its own serialised form (the shared PDF) as it is,
    instead of writing its 1,000-odd base64 lines again for every recipient."""

    def flatten(self, msg, unixfrom=False, linesep=None):
        wire = getattr(msg, "wire_bytes", None)
        if wire is not None:
            self._fp.write(wire)
            return
        super().flatten(msg, unixfrom=unixfrom, linesep=linesep)


def to_bytes(msg: EmailMessage) -> bytes:
    """The message as sent and as written to the outbox (CRLF line ends)."""
    buf = io.BytesIO()
    _WireGenerator(buf, policy=_WIRE).flatten(msg)
    return buf.getvalue()


def check_setup(root: Path, styles: Path) -> list[Diagnostic]:
    """Errors in mail/settings.yaml and its templates (for ``briefgen check``); nothing when
    the project does not mail."""
    from .settings import SETTINGS_FILE, load_settings

    if not (root / SETTINGS_FILE).is_file():
        return []
    try:
        settings = load_settings(root)
        load_templates(styles, settings.templates, root)
    except ContentError as exc:
        return list(exc.diagnostics)
    return []


def header_problems(doc: Document, settings: MailSettings) -> list[str]:
    """Header values from the spec or settings that hold a line break (never sent)."""
    values = {"mail.subject": doc.mail_subject, "from_name": settings.from_name,
              "from_address": settings.from_address, "reply_to": settings.reply_to or "",
              "list_id": settings.list_id}
    return [k for k, v in values.items() if "\r" in v or "\n" in v]
