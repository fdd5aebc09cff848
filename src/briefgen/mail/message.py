"""One email per recipient: plain text and HTML bodies from the Jinja2 templates in
``styles/mail/`` (the same sandbox as spec text), the screen PDF attached, and the list
headers (List-Id, List-Unsubscribe with a signed one-click link, RFC 8058's
List-Unsubscribe-Post). No tracking pixels, no rewritten links: the organisation's readers
include people at risk.

Addresses: an internationalised domain goes out in its ASCII (IDNA) form; an address whose
local part is not ASCII makes an SMTPUTF8 message, with UTF-8 headers, for a server that
offers it. Every header line stays within SMTP's 998 octets (names are cut to 100
characters when the list is read; longer values are folded).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.parser import Parser
from email.policy import SMTP, default
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from jinja2 import Template, TemplateError, TemplateSyntaxError

from ..errors import ContentError, Diagnostic, Location, relative_path
from ..resolve.model import Document
from ..resolve.textenv import BriefingSandbox
from ..validate.types import human_date
from .dkim import DkimSigner
from .recipients import Recipient, decode_words, wire_address
from .settings import MailSettings
from .unsubscribe import Signer, url

# Header lines are written unfolded up to SMTP's hard limit: Python folds a header whose value
# fits a line on its own right after the colon, and readers then see a leading space.
_WIRE = SMTP.clone(max_line_length=998)
# For an SMTPUTF8 message: headers in raw UTF-8 instead of encoded words
_SMTPUTF8 = SMTP.clone(utf8=True)
_WIRE_UTF8 = _SMTPUTF8.clone(max_line_length=998)

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
        real, home = os.path.realpath(path), os.path.realpath(root)
        if path.exists() and not real.startswith(home + os.sep):  # what it says is mailed
            display = f"{styles.name}/mail/{path.name}"  # as the team sees it, not resolved
            problems.append(Diagnostic(Location(display), "", f"this is a link to {real}, "
                                       "outside the project: briefgen reads only the "
                                       "project's own files (put the file itself here "
                                       "instead of a link)"))
            continue
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


def _line_of(exc: BaseException) -> int:
    """The template line a runtime error happened on (Jinja maps it into the traceback of
    a template made from a string, whose code is named '<template>'), else 1."""
    line, tb = 1, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def rehearse(templates: Templates, settings: MailSettings, doc: Document) -> list[Diagnostic]:
    """Render both templates once, for ``doc`` and a made-up recipient with both kinds of
    unsubscribe link: a template that compiles may still fail on what it is given (a
    misspelt name), and ``check`` should say so before ``mail`` does."""
    import datetime as dt

    composer = Composer(doc, b"", settings, templates, "check", "check",
                        dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
                        changes="one change since the last edition")
    recipient = Recipient("reader@briefgen.invalid", "A Reader", "A", ["check"])
    ctx = composer.context(recipient, Unsubscribe("https://briefgen.invalid/unsubscribe",
                                                  "mailto:leave@briefgen.invalid"))
    try:
        for template, display in ((templates.text, templates.text_file),
                                  (templates.html, templates.html_file)):
            composer._render(template, display, ctx)
    except ContentError as exc:
        return list(exc.diagnostics)
    return []


def _plain(doc: Document) -> str:
    spans = [s for p in doc.lead for s in p.spans if s.note is None]
    return " ".join("".join(s.text for s in spans).split())


def _domain(address: str) -> str:
    return address.rpartition("@")[2] or "localhost"


def message_id(campaign: str, recipient: Recipient, settings: MailSettings) -> str:
    digest = hashlib.sha256(f"{campaign}\0{recipient.key}".encode()).hexdigest()[:24]
    return f"<{campaign}.{digest}@{_domain(settings.from_address)}>"


@dataclass(frozen=True)
class Unsubscribe:
    """How one recipient unsubscribes: the one-click page (``url``) and/or a mailto."""

    url: str | None
    mailto: str | None

    @property
    def header(self) -> str:
        return ", ".join(f"<{u}>" for u in (self.url, self.mailto) if u)

    def context(self) -> dict:
        address = subject = ""
        if self.mailto:
            parts = urlsplit(self.mailto)
            address = unquote(parts.path)
            query = dict(p.partition("=")[::2] for p in parts.query.split("&") if p)
            subject = unquote(query.get("subject", "unsubscribe"))
        return {"url": self.url, "https": self.url, "mailto": self.mailto,
                "address": address, "subject": subject}


def unsubscribe_for(settings: MailSettings, signer: Signer | None, recipient: Recipient,
                    list_name: str) -> Unsubscribe:
    mailto = settings.unsubscribe.mailto
    if mailto:
        if not mailto.startswith("mailto:"):
            mailto = f"mailto:{mailto}"
        mailto = mailto.replace("{email}", quote(recipient.email, safe="@")).replace(
            "{list}", quote(list_name, safe=""))
    endpoint = settings.unsubscribe.endpoint
    link = url(endpoint, signer, list_name, recipient.email) if endpoint and signer else None
    return Unsubscribe(link, mailto)


def _display(name: str, address: str) -> str:
    """``name <address>`` for a raw UTF-8 header (the name quoted when it needs it)."""
    if not name:
        return address
    if any(c in name for c in '()<>[]:;@\\,."'):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{address}>"


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
    signer: Signer | None = None  # signs the unsubscribe links
    dkim: DkimSigner | None = None
    subject: str | None = None  # a resumed campaign keeps the subject it started with
    #: what changed since the edition before, in one line (``editions.change_summary``)
    changes: str | None = None
    #: what the message says of the briefing and its publisher, as frozen in the ledger
    #: when the campaign started (:meth:`briefing_context`); None: from ``doc``
    frozen: dict | None = None

    def briefing_context(self) -> dict:
        """The briefing's and the publisher's part of the template context. A campaign
        records it when it starts and renders every later message (a resumed run, a
        retry) from that record, never from the briefing as it is now: that could be
        text nobody published or approved."""
        if self.frozen is not None:
            return json.loads(json.dumps(self.frozen))  # a copy a template cannot change
        s, d = self.settings, self.doc
        page = (s.briefing_page.replace("{id}", d.id) if s.briefing_page
                else d.publisher.more_briefings)
        return {"briefing": {"id": d.id, "title": d.title, "subtitle": d.subtitle or "",
                             "date": human_date(d.date), "lead": _plain(d), "url": page,
                             "subject": self.subject or d.mail_subject,
                             "changes": self.changes or ""},
                "publisher": d.publisher.model_dump(mode="json")}

    def context(self, recipient: Recipient, unsubscribe: Unsubscribe) -> dict:
        s = self.settings
        return {
            "recipient": {"email": recipient.email, "name": recipient.name,
                          "first_name": recipient.first_name,
                          "segments": list(recipient.segments)},
            **self.briefing_context(),
            "sender": {"name": s.from_name, "address": s.from_address,
                       "postal_address": list(s.postal_address)},
            "unsubscribe": unsubscribe.context(),
        }

    def _render(self, template: Template, display: str, ctx: dict) -> str:
        try:
            return template.render(ctx)
        except TemplateError as exc:
            raise ContentError([Diagnostic(Location(display, _line_of(exc), 1), "",
                                           f"template error: {exc}")]) from None
        except (ArithmeticError, TypeError, ValueError, LookupError, AttributeError,
                AssertionError) as exc:  # {{ 1 // 0 }}, {{ title + 1 }}: the template's
            raise ContentError([Diagnostic(  # doing, not briefgen's
                Location(display, _line_of(exc), 1), "",
                f"template error: {type(exc).__name__}: {exc}")]) from None
        except RecursionError:
            raise ContentError([Diagnostic(Location(display, 1, 1), "",
                                           "template error: too deeply nested")]) from None

    def build(self, recipient: Recipient, *, test: bool = False) -> EmailMessage:
        s = self.settings
        unsubscribe = unsubscribe_for(s, self.signer, recipient, self.list_name)
        ctx = self.context(recipient, unsubscribe)
        address, utf8 = wire_address(recipient.email)
        msg = EmailMessage(policy=_SMTPUTF8 if utf8 else SMTP)
        msg["From"] = Address(s.from_name, addr_spec=s.from_address)
        if utf8:  # the email package refuses a non-ASCII local part in an Address object
            msg["To"] = _display(recipient.name, address)
        else:
            msg["To"] = Address(recipient.name, addr_spec=address)
        if s.reply_to:
            msg["Reply-To"] = s.reply_to
        subject = self.briefing_context()["briefing"]["subject"]
        msg["Subject"] = ("[TEST] " if test else "") + subject
        msg["Date"] = format_datetime(self.date)
        msg["Message-ID"] = message_id(self.campaign, recipient, s)
        msg["List-Id"] = f"{s.from_name} briefings <{s.list_id}>"
        if unsubscribe.header:
            msg["List-Unsubscribe"] = unsubscribe.header
        if unsubscribe.url:
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        msg.set_content(self._render(self.templates.text, self.templates.text_file, ctx))
        msg.add_alternative(self._render(self.templates.html, self.templates.html_file, ctx),
                            subtype="html")
        msg.make_mixed()
        msg.attach(self._attachment())
        return msg

    def render(self, recipient: Recipient, *, test: bool = False) -> tuple[bytes, bool]:
        """(the message as sent, whether it needs SMTPUTF8), DKIM-signed when configured.
        Raises :class:`HeaderCheckError` when the bytes do not read back as the headers
        that were set (see :func:`check_headers`)."""
        msg = self.build(recipient, test=test)
        data = to_bytes(msg)
        check_headers(data, msg, wire_address(recipient.email)[0], self.settings.from_address)
        if self.dkim is not None:
            data = self.dkim.sign(data)
        return data, bool(msg.policy.utf8)

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
    _WireGenerator(buf, policy=_WIRE_UTF8 if msg.policy.utf8 else _WIRE).flatten(msg)
    return buf.getvalue()


class HeaderCheckError(RuntimeError):
    """A serialised message does not read back as the headers it was built with (a header
    injection got past the checks on names and subjects): a bug in briefgen, never sent."""


def check_headers(data: bytes, msg: EmailMessage, to_address: str, from_address: str) -> None:
    """Defence in depth against header injection: parse the serialised headers back, as a
    receiving server would, and require exactly the header names that were set (so no
    injected Bcc, and no blank line that ends the headers early), one From with the
    sender's address and one To with the recipient's address alone."""
    head = data.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    problem = None
    try:
        back = Parser(policy=default).parsestr(head.decode("utf-8", "surrogateescape"),
                                               headersonly=True)
        names = [k.lower() for k in back]
        froms, tos = back.get_all("From") or [], back.get_all("To") or []
        if names != [k.lower() for k in msg]:
            problem = f"headers {', '.join(back.keys())}"
        elif back.defects:
            problem = ", ".join(type(d).__name__ for d in back.defects)
        elif len(froms) != 1 or [a.addr_spec.lower() for a in froms[0].addresses] != [
                from_address.lower()]:
            problem = "From is not the sender alone"
        elif len(tos) != 1 or [a.addr_spec.lower() for a in tos[0].addresses] != [
                to_address.lower()]:
            problem = f"To is not {to_address} alone"
    except Exception as exc:  # any failure to read them back is a refusal
        problem = f"{type(exc).__name__}: {exc}"
    if problem:
        raise HeaderCheckError(
            f"the message to {to_address} does not read back with the headers it was built "
            f"with ({problem}): it was not sent, and the run stopped. This is a bug in "
            "briefgen (a header injection got past its checks): please report it")


def header_problems(doc: Document, settings: MailSettings) -> list[str]:
    """Header values from the spec or settings that hold a line break, also one written as
    an encoded word (``=?utf-8?q?...=0D=0A...?=``, which the email package decodes): never
    sent."""
    values = {"mail.subject": doc.mail_subject, "from_name": settings.from_name,
              "from_address": settings.from_address, "reply_to": settings.reply_to or "",
              "list_id": settings.list_id}
    return [k for k, v in values.items() if _line_break(v)]


def _line_break(value: str) -> bool:
    with contextlib.suppress(ValueError):  # if not decoded here, check_headers refuses
        value += decode_words(value)  # what it would break
    return "\r" in value or "\n" in value
