"""Mail settings: what the organisation sends as (``mail/settings.yaml``, in the project)
and how to reach the SMTP server (environment variables only, never a file or argv).

SMTP variables:

* ``BRIEFGEN_SMTP_HOST`` (required to send), ``BRIEFGEN_SMTP_PORT`` (default 587 for
  starttls, 465 for ssl, 25 for none), ``BRIEFGEN_SMTP_SECURITY`` = starttls | ssl | none
  (default starttls), ``BRIEFGEN_SMTP_USERNAME`` (no login when unset);
* the password from ``BRIEFGEN_SMTP_PASSWORD`` or, better, the output of
  ``BRIEFGEN_SMTP_PASSWORD_COMMAND`` (e.g. ``pass show smtp/briefings``);
* ``BRIEFGEN_SMTP_CAFILE``: a CA bundle to trust instead of the system's, for a relay with a
  private certificate. Certificates are always verified.
"""

from __future__ import annotations

import os
import shlex
import ssl
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, Field, model_validator

from ..errors import ContentError, Diagnostic, Location, UsageError
from ..load.yamlfile import load_yaml
from ..validate.models import Strict
from ..validate.schema import validate_model
from ..validate.types import Id, Text, WebUrl

SETTINGS_FILE = "mail/settings.yaml"


def _https_endpoint(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme.lower() != "https":
        raise ValueError(f"'{value}' must start with https:// (mail providers only honour "
                         "one-click unsubscribe over HTTPS)")
    if parts.query or parts.fragment:
        raise ValueError(f"'{value}' must not have a '?' or '#' part: each message adds a "
                         "signed token to the end of this path")
    return value.rstrip("/")


def _address(value: str) -> str:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"'{value}' is not a valid address: {exc}") from None
    return value


Endpoint = Annotated[WebUrl, AfterValidator(_https_endpoint)]
EmailAddress = Annotated[Text, AfterValidator(_address)]


class Unsubscribe(Strict):
    endpoint: Endpoint | None = Field(
        None, description="Public HTTPS address of `briefgen unsubscribe serve` behind your "
                          "reverse proxy, e.g. https://lists.example.org/unsubscribe. Each "
                          "message links to <endpoint>/<signed token> and gets RFC 8058 "
                          "one-click headers. Needs BRIEFGEN_UNSUBSCRIBE_SECRET in the "
                          "environment.")
    mailto: Text | None = Field(
        None, description="An address that unsubscribes whoever writes to it; may use "
                          "{email} and {list}. Sent as a second List-Unsubscribe entry.")

    @model_validator(mode="after")
    def _one_way(self) -> Unsubscribe:
        if self.endpoint is None and self.mailto is None:
            raise ValueError("give an endpoint (one-click unsubscribe, see README 'Mail') "
                             "or a mailto address, or both: every message must say how to "
                             "unsubscribe")
        return self


class MailSettings(Strict):
    """``mail/settings.yaml``."""

    from_name: Text
    from_address: EmailAddress
    reply_to: Text | None = None
    bounce_address: EmailAddress | None = Field(
        None, description="Envelope sender (Return-Path): where bounces go, e.g. "
                          "bounces@example.org; read them with `briefgen mail bounces`. "
                          "Default: from_address.")
    postal_address: list[Text] = Field(description="Printed in every email's footer.")
    list_id: Text = Field(description="A domain-like name for the List-Id header, "
                                      "e.g. briefings.example.org.")
    unsubscribe: Unsubscribe
    briefing_page: WebUrl | None = Field(
        None, description="Web page for a briefing; may use {id}. Default: the publisher's "
                          "more_briefings page.")
    templates: Id = Field("briefing", description="styles/mail/<name>.txt.j2 and .html.j2")

    @property
    def envelope_sender(self) -> str:
        return self.bounce_address or self.from_address


def load_settings(root: Path) -> MailSettings:
    path = root / SETTINGS_FILE
    if not path.is_file():
        raise ContentError([Diagnostic(Location(SETTINGS_FILE), "",
                                       "missing file: the sender, postal address and "
                                       "unsubscribe addresses for mail")])
    file, errors = load_yaml(path, root)
    if errors:
        raise ContentError(errors)
    settings, errors = validate_model(MailSettings, file, file.data)
    if errors or settings is None:
        raise ContentError(errors)
    return settings


@dataclass
class SmtpConfig:
    host: str
    port: int
    security: Literal["starttls", "ssl", "none"]
    username: str | None
    cafile: str | None
    _password_source: tuple[str, str] | None = field(default=None, repr=False)

    def password(self) -> str | None:
        """Fetched when needed, never stored on disk and never printed."""
        if self._password_source is None:
            return None
        kind, value = self._password_source
        if kind == "env":
            return value
        try:
            done = subprocess.run(shlex.split(value), capture_output=True, text=True,
                                  timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise UsageError(f"BRIEFGEN_SMTP_PASSWORD_COMMAND could not run: "
                             f"{type(exc).__name__}") from None
        if done.returncode != 0:
            raise UsageError(f"BRIEFGEN_SMTP_PASSWORD_COMMAND failed with exit code "
                             f"{done.returncode}")
        return done.stdout.rstrip("\r\n")

    def tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.cafile)
        return context

    def __str__(self) -> str:  # safe to print: no password
        who = f"{self.username}@" if self.username else ""
        return f"{self.security}://{who}{self.host}:{self.port}"


def smtp_from_env(env: dict[str, str] | None = None) -> SmtpConfig:
    env = dict(os.environ if env is None else env)
    host = env.get("BRIEFGEN_SMTP_HOST", "").strip()
    if not host:
        raise UsageError("set BRIEFGEN_SMTP_HOST (and BRIEFGEN_SMTP_PORT, "
                         "BRIEFGEN_SMTP_SECURITY, BRIEFGEN_SMTP_USERNAME) to send")
    security = env.get("BRIEFGEN_SMTP_SECURITY", "starttls").strip().lower()
    if security not in ("starttls", "ssl", "none"):
        raise UsageError(f"BRIEFGEN_SMTP_SECURITY is '{security}': use starttls, ssl or none")
    default_port = {"starttls": 587, "ssl": 465, "none": 25}[security]
    try:
        port = int(env.get("BRIEFGEN_SMTP_PORT", default_port))
    except ValueError:
        raise UsageError("BRIEFGEN_SMTP_PORT must be a number") from None
    source = None
    if env.get("BRIEFGEN_SMTP_PASSWORD_COMMAND"):
        source = ("command", env["BRIEFGEN_SMTP_PASSWORD_COMMAND"])
    elif env.get("BRIEFGEN_SMTP_PASSWORD"):
        source = ("env", env["BRIEFGEN_SMTP_PASSWORD"])
    username = env.get("BRIEFGEN_SMTP_USERNAME") or None
    if username and source is None:
        raise UsageError("BRIEFGEN_SMTP_USERNAME is set but there is no password: set "
                         "BRIEFGEN_SMTP_PASSWORD or BRIEFGEN_SMTP_PASSWORD_COMMAND")
    return SmtpConfig(host, port, security, username,  # type: ignore[arg-type]
                      env.get("BRIEFGEN_SMTP_CAFILE") or None, source)
