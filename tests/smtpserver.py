"""A real SMTP server on 127.0.0.1 for the mail tests (aiosmtpd), with faults on demand."""

from __future__ import annotations

import email
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port() -> int:
    """aiosmtpd 1.4 cannot bind port 0, so find a free one first."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Recorder:
    """Stores every message the server accepted; ``faults`` script its answers.

    ``rcpt_faults[address]`` is a list of replies given to RCPT TO for that address, one per
    attempt (then it is accepted). ``mail_faults[n]`` answers the n-th MAIL FROM (1-based)
    with that reply (after a 421 the client must reconnect). ``drop_after_store``
    holds addresses whose message is stored, then the connection is cut before the reply.
    ``drop_on_rcpt`` holds addresses for which the connection is cut at RCPT, once.
    """

    messages: list[EmailMessage] = field(default_factory=list)
    rcpt_faults: dict[str, list[str]] = field(default_factory=dict)
    mail_faults: dict[int, str] = field(default_factory=dict)
    drop_after_store: set[str] = field(default_factory=set)
    drop_on_rcpt: set[str] = field(default_factory=set)
    mail_count: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.mail_count += 1
        fault = self.mail_faults.get(self.mail_count)
        if fault:
            return fault  # a 421 makes the client close the connection itself
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.drop_on_rcpt:
            self.drop_on_rcpt.discard(address)
            server.transport.close()
            return "421 gone"
        queue = self.rcpt_faults.get(address)
        if queue:
            return queue.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                       policy=default)
        with self.lock:
            self.messages.append(msg)
        to = envelope.rcpt_tos[0] if envelope.rcpt_tos else ""
        if to in self.drop_after_store:
            self.drop_after_store.discard(to)
            server.transport.close()
        return "250 Message accepted for delivery"

    def count_by_recipient(self) -> Counter:
        return Counter(str(m["To"].addresses[0].addr_spec).lower() for m in self.messages)


class Authenticator:
    def __init__(self, recorder: Recorder, user: str, password: str):
        self.recorder, self.user, self.password = recorder, user, password

    def __call__(self, server, session, envelope, mechanism, auth_data):
        login = auth_data.login.decode() if isinstance(auth_data.login, bytes) else \
            auth_data.login
        password = auth_data.password.decode() if isinstance(auth_data.password, bytes) \
            else auth_data.password
        self.recorder.logins.append((login, "***"))
        ok = login == self.user and password == self.password
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


class Server:
    """``with Server() as srv:`` a running server; ``srv.env`` the variables for briefgen."""

    def __init__(self, recorder: Recorder | None = None, **controller_kw):
        self.recorder = recorder or Recorder()
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port,
                                     server_hostname="localhost", **controller_kw)

    @property
    def env(self) -> dict[str, str]:
        return {"BRIEFGEN_SMTP_HOST": "127.0.0.1", "BRIEFGEN_SMTP_PORT": str(self.port),
                "BRIEFGEN_SMTP_SECURITY": "none"}

    def __enter__(self) -> Server:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
