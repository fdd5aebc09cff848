"""One SMTP connection, reused, with the DATA phase split so the ledger can mark the single
ambiguous moment (the final "." sent, the reply not yet heard).

smtplib's ``sendmail`` hides that moment, so the transaction is driven by hand: MAIL, RCPT,
DATA, the dot-stuffed body, then the final dot and the reply. TCP_NODELAY keeps the 3-byte
final dot from waiting ~40 ms for Nagle's algorithm. Debug output is never switched on: it
would print the password.

Commands wait ``timeout`` (30 s) for a reply; the reply to the final dot is awaited
``dot_timeout``, 10 minutes, as RFC 5321 4.5.3.2 asks: a server may scan a message at
length before it answers, and a client that gives up early turns every slow answer into an
ambiguous message and, resent, a duplicate.

A refusal that is about the sender or the provider (see :mod:`.classify`) is reported as
``STOP``: the run stops and nobody is marked failed.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from ..errors import MailError
from .classify import about_sender
from .settings import SmtpConfig

#: RFC 5321 4.5.3.2.6: wait up to 10 minutes for the reply to the final "." of DATA
DOT_TIMEOUT = 600.0


class Outcome(Enum):
    SENT = "sent"
    TEMPORARY = "temporary"  # 4xx for this recipient: retry later
    PERMANENT = "permanent"  # 5xx for this recipient: never retry
    NOT_SENT = "not sent"  # connection lost or 421 before the final dot: safe to resend
    AMBIGUOUS = "ambiguous"  # connection lost after the final dot
    STOP = "stop"  # the sender or the provider was refused (quota, rate, policy): stop the run
    UNSUPPORTED = "unsupported"  # the address needs SMTPUTF8, which the server lacks


@dataclass
class Result:
    outcome: Outcome
    reply: str


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {' '.join(text.split())}"


def dot_stuff(data: bytes) -> bytes:
    """CRLF line ends, a leading "." doubled, ending in CRLF (RFC 5321 4.5.2)."""
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")
    if data.startswith(b"."):
        data = b"." + data
    data = data.replace(b"\r\n.", b"\r\n..")
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def _no_step(step: str) -> None:
    """Called at each step of a send: inflight, data, dot, reply. Does nothing; the tests
    replace it (in a process of their own) to kill the sender at a chosen step."""


on_step: Callable[[str], None] = _no_step


def _login(conn: smtplib.SMTP, user: str, password: str) -> None:
    """One login attempt with PLAIN (or LOGIN): smtplib's ``login()`` falls through to the
    next mechanism after a refusal, and some servers then wait forever for the password."""
    offered = conn.esmtp_features.get("auth", "").upper().split()
    for mechanism in ("PLAIN", "LOGIN"):
        if mechanism in offered:
            conn.user, conn.password = user, password
            conn.auth(mechanism, getattr(conn, f"auth_{mechanism.lower()}"))
            return
    conn.login(user, password)


class SmtpSession:
    def __init__(self, config: SmtpConfig, timeout: float = 30.0,
                 dot_timeout: float = DOT_TIMEOUT):
        self.config, self.timeout, self.dot_timeout = config, timeout, dot_timeout
        self.conn: smtplib.SMTP | None = None
        self.sent_on_connection = 0

    def connect(self) -> None:
        cfg = self.config
        try:
            if cfg.security == "ssl":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=self.timeout,
                                                      context=cfg.tls_context())
            else:
                conn = smtplib.SMTP(cfg.host, cfg.port, timeout=self.timeout)
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.ehlo()
            if cfg.security == "starttls":
                if not conn.has_extn("starttls"):
                    raise MailError(f"{cfg}: the server does not offer STARTTLS; refusing to "
                                    "send the password or mail in clear text")
                conn.starttls(context=cfg.tls_context())
                conn.ehlo()
            if cfg.username:
                _login(conn, cfg.username, cfg.password() or "")
        except ssl.SSLCertVerificationError as exc:
            raise MailError(f"{cfg}: the server's certificate is not trusted "
                            f"({exc.verify_message}); set BRIEFGEN_SMTP_CAFILE to trust a "
                            "private certificate") from None
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError(f"{cfg}: login refused: {_reply(exc.smtp_code, exc.smtp_error)}"
                            ) from None
        except smtplib.SMTPException as exc:
            raise MailError(f"{cfg}: {type(exc).__name__}: {exc}") from None
        except OSError as exc:
            raise MailError(f"{cfg}: cannot connect: {exc.strerror or exc}") from None
        self.conn = conn
        self.sent_on_connection = 0

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (smtplib.SMTPException, OSError):
                self.conn.close()
            self.conn = None

    def send(self, sender: str, recipient: str, data: bytes,
             mark_unconfirmed: Callable[[], None], *, smtputf8: bool = False) -> Result:
        """One transaction. ``mark_unconfirmed`` commits the ambiguous state just before the
        final dot. ``smtputf8``: the recipient's address (and so the message's headers) is
        not ASCII. Raises MailError only when no connection can be made."""
        if self.conn is None:
            self.connect()
        conn = self.conn
        assert conn is not None
        if smtputf8 and not conn.has_extn("smtputf8"):
            return Result(Outcome.UNSUPPORTED, "not sent: the address is internationalised "
                          "and the mail server does not accept such addresses (no SMTPUTF8); "
                          "ask your provider, or write to this person from another account")
        try:
            code, msg = conn.mail(sender, ["SMTPUTF8"] if smtputf8 else [])
            if code != 250:
                self._reset()
                if about_sender(code, _reply(code, msg)) or code >= 500:
                    return Result(Outcome.STOP, f"the server refused the sender {sender}: "
                                                f"{_reply(code, msg)}")
                return self._lost(code, msg)
            code, msg = conn.rcpt(recipient)
            if code not in (250, 251):
                return self._refused(code, msg)
            code, msg = conn.docmd("DATA")
            if code != 354:
                return self._refused(code, msg)
            conn.send(dot_stuff(data))
            on_step("data")
            mark_unconfirmed()
            conn.send(b".\r\n")
            on_step("dot")
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            return Result(Outcome.NOT_SENT, f"connection lost before the message was "
                                            f"complete: {exc}")
        try:
            conn.sock.settimeout(self.dot_timeout)
            code, msg = conn.getreply()
            conn.sock.settimeout(self.timeout)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            return Result(Outcome.AMBIGUOUS, f"connection lost after the message was sent, "
                                             f"before the server answered: {exc}")
        on_step("reply")
        self.sent_on_connection += 1
        if code == 250:
            return Result(Outcome.SENT, _reply(code, msg))
        return self._refused(code, msg)

    def _refused(self, code: int, msg) -> Result:
        """A refusal of RCPT, DATA or the message: the recipient's, or the sender's."""
        reply = _reply(code, msg)
        if about_sender(code, reply):
            if code == 421:
                self._drop()
            else:
                self._reset()
            return Result(Outcome.STOP, reply)
        if code == 421:
            return self._lost(code, msg)
        self._reset()
        kind = Outcome.TEMPORARY if 400 <= code < 500 else Outcome.PERMANENT
        return Result(kind, reply)

    def _lost(self, code: int, msg) -> Result:
        self._drop()
        return Result(Outcome.NOT_SENT, _reply(code, msg))

    def _reset(self) -> None:
        try:
            if self.conn is not None:
                self.conn.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            finally:
                self.conn = None
