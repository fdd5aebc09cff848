"""Where ``briefgen mail bounces`` reads the bounce mailbox from: an mbox file, a Maildir
folder, or an IMAP server. Messages are only read, never deleted or marked as read.

IMAP settings come only from the environment, like SMTP's:

* ``BRIEFGEN_IMAP_HOST`` (required), ``BRIEFGEN_IMAP_PORT`` (default 993 for ssl, 143
  otherwise), ``BRIEFGEN_IMAP_SECURITY`` = ssl | starttls | none (default ssl),
  ``BRIEFGEN_IMAP_USERNAME``, the password from ``BRIEFGEN_IMAP_PASSWORD_COMMAND`` or
  ``BRIEFGEN_IMAP_PASSWORD``, ``BRIEFGEN_IMAP_FOLDER`` (default INBOX) and
  ``BRIEFGEN_IMAP_CAFILE``. Certificates are always verified.
"""

from __future__ import annotations

import contextlib
import imaplib
import mailbox
import os
import re
import ssl
from collections.abc import Iterator
from pathlib import Path

from ..errors import MailError, UsageError
from .settings import SmtpConfig


def from_mbox(path: Path) -> Iterator[bytes]:
    if not path.is_file():
        raise UsageError(f"--mbox {path}: no such file")
    box = mailbox.mbox(path, create=False)
    try:
        for key in box.iterkeys():
            yield box.get_bytes(key)
    finally:
        box.close()


def _delivery_order(key: str) -> tuple[int, int, str]:
    found = re.match(r"(\d+)\.(?:M(\d+))?", key)
    if not found:
        return (0, 0, key)
    return (int(found.group(1)), int(found.group(2) or 0), key)


def from_maildir(path: Path) -> Iterator[bytes]:
    if not all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
        raise UsageError(f"--maildir {path}: not a Maildir (it needs cur/, new/ and tmp/)")
    box = mailbox.Maildir(path, factory=None, create=False)
    # in delivery order as far as the names tell it ("<seconds>.M<microseconds>P<pid>...")
    for key in sorted(box.iterkeys(), key=_delivery_order):
        yield box.get_bytes(key)


def imap_config(env: dict[str, str] | None = None) -> tuple[SmtpConfig, str]:
    """The IMAP server (in the same shape as the SMTP settings) and the folder to read."""
    env = dict(os.environ if env is None else env)
    host = env.get("BRIEFGEN_IMAP_HOST", "").strip()
    if not host:
        raise UsageError("set BRIEFGEN_IMAP_HOST (and BRIEFGEN_IMAP_USERNAME, "
                         "BRIEFGEN_IMAP_PASSWORD_COMMAND or BRIEFGEN_IMAP_PASSWORD) to read "
                         "bounces over IMAP")
    security = env.get("BRIEFGEN_IMAP_SECURITY", "ssl").strip().lower()
    if security not in ("ssl", "starttls", "none"):
        raise UsageError(f"BRIEFGEN_IMAP_SECURITY is '{security}': use ssl, starttls or none")
    try:
        port = int(env.get("BRIEFGEN_IMAP_PORT", 993 if security == "ssl" else 143))
    except ValueError:
        raise UsageError("BRIEFGEN_IMAP_PORT must be a number") from None
    source = None
    if env.get("BRIEFGEN_IMAP_PASSWORD_COMMAND"):
        source = ("command", env["BRIEFGEN_IMAP_PASSWORD_COMMAND"])
    elif env.get("BRIEFGEN_IMAP_PASSWORD"):
        source = ("env", env["BRIEFGEN_IMAP_PASSWORD"])
    username = env.get("BRIEFGEN_IMAP_USERNAME") or None
    if not username or source is None:
        raise UsageError("set BRIEFGEN_IMAP_USERNAME and BRIEFGEN_IMAP_PASSWORD_COMMAND (or "
                         "BRIEFGEN_IMAP_PASSWORD) to read bounces over IMAP")
    config = SmtpConfig(host, port, security, username,  # type: ignore[arg-type]
                        env.get("BRIEFGEN_IMAP_CAFILE") or None, source)
    return config, env.get("BRIEFGEN_IMAP_FOLDER", "INBOX") or "INBOX"


def from_imap(config: SmtpConfig, folder: str, timeout: float = 60.0) -> Iterator[bytes]:
    try:
        if config.security == "ssl":
            conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(config.host, config.port,
                                                    ssl_context=config.tls_context(),
                                                    timeout=timeout)
        else:
            conn = imaplib.IMAP4(config.host, config.port, timeout=timeout)
            if config.security == "starttls":
                conn.starttls(ssl_context=config.tls_context())
        conn.login(config.username or "", config.password() or "")
    except ssl.SSLCertVerificationError as exc:
        raise MailError(f"imap {config.host}:{config.port}: the server's certificate is not "
                        f"trusted ({exc.verify_message}); set BRIEFGEN_IMAP_CAFILE to trust a "
                        "private certificate") from None
    except imaplib.IMAP4.error as exc:
        raise MailError(f"imap {config.host}:{config.port}: {_text(exc)}") from None
    except OSError as exc:
        raise MailError(f"imap {config.host}:{config.port}: cannot connect: "
                        f"{exc.strerror or exc}") from None
    try:
        status, _ = conn.select(_quote(folder), readonly=True)
        if status != "OK":
            raise MailError(f"imap {config.host}: no folder '{folder}' "
                            "(set BRIEFGEN_IMAP_FOLDER)")
        status, data = conn.uid("SEARCH", "ALL")
        uids = data[0].split() if status == "OK" and data and data[0] else []
        for uid in uids:
            status, parts = conn.uid("FETCH", uid, "(BODY.PEEK[])")
            for part in parts or []:
                if isinstance(part, tuple) and len(part) == 2:
                    yield part[1]
    except (imaplib.IMAP4.error, OSError) as exc:
        raise MailError(f"imap {config.host}: reading '{folder}' failed: {_text(exc)}"
                        ) from None
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            conn.logout()


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(exc: Exception) -> str:
    text = str(exc)
    return text[2:-1] if text.startswith("b'") else text


def bounce_messages(*, mbox: Path | None = None, maildir: Path | None = None,
                    imap: bool = False, env: dict[str, str] | None = None) -> Iterator[bytes]:
    """The messages of the one mailbox named."""
    if mbox is not None:
        return from_mbox(mbox)
    if maildir is not None:
        return from_maildir(maildir)
    if imap:
        config, folder = imap_config(env)
        return from_imap(config, folder)
    raise UsageError("name a mailbox: --mbox FILE, --maildir DIR or --imap")
