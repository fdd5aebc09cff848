"""The mail tests' kit: a real SMTP server on 127.0.0.1 (aiosmtpd) with faults on demand,
and a project set up to mail (``project`` fixture: settings, the unsubscribe secret, an
approved PDF), lists, and briefgen run in-process or as a process that can be killed.
Test modules load its fixtures with ``pytest_plugins = ["smtpserver"]``."""

from __future__ import annotations

import email
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from briefgen.cli import main

BID = "military-cooperation"
SECRET = "test-secret-0123456789abcdef"
SETTINGS = """\
from_name: Burma Campaign UK
from_address: info@burmacampaign.org.uk
reply_to: info@burmacampaign.org.uk
postal_address: [110 The Bon Marche Centre, 241-251 Ferndale Road, London SW9 8BJ]
list_id: briefings.example.org
unsubscribe:
  endpoint: https://lists.example.org/unsubscribe
  mailto: "mailto:unsubscribe@example.org?subject=unsubscribe%20{email}"
"""
TESTS = Path(__file__).resolve().parent


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
    #: replies to the final dot, one per message, by recipient (then 250)
    data_faults: dict[str, list[str]] = field(default_factory=dict)
    #: (n, reply): once n messages are accepted, every RCPT gets this reply (a quota)
    refuse_after: tuple[int, str] | None = None
    raw: list[bytes] = field(default_factory=list)  # every accepted message, as received
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)  # (from, to)
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
        if self.refuse_after and len(self.messages) >= self.refuse_after[0]:
            return self.refuse_after[1]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        to = envelope.rcpt_tos[0] if envelope.rcpt_tos else ""
        queue = self.data_faults.get(to)
        if queue:
            return queue.pop(0)
        raw = envelope.original_content or envelope.content
        # as UTF-8, so that an SMTPUTF8 message's headers read as they were written
        msg = email.message_from_string(raw.decode("utf-8", "surrogateescape"),
                                        policy=default)
        with self.lock:
            self.messages.append(msg)
            self.raw.append(raw)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
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


# ---------------------------------------------------------------------- a project to mail
@pytest.fixture(scope="session")
def _mail_template(tmp_path_factory) -> Path:
    """Built and approved once per session; each test gets a copy (builds are judged by
    content, so the copy's PDF is up to date and its approval holds)."""
    from conftest import FIXTURES, make_project

    root = make_project(tmp_path_factory.mktemp("mail-template"), FIXTURES / "full/briefings")
    (root / "mail").mkdir()
    (root / "mail/settings.yaml").write_text(SETTINGS, encoding="utf-8")
    approve(root)
    return root


@pytest.fixture
def project(_mail_template: Path, tmp_path: Path, monkeypatch) -> Path:
    """The full fixture project with mail settings, the unsubscribe secret in the
    environment, and its military-cooperation PDF built and approved."""
    root = tmp_path / "project"
    shutil.copytree(_mail_template, root)
    monkeypatch.setenv("BRIEFGEN_UNSUBSCRIBE_SECRET", SECRET)
    return root


def approve(root: Path, bid: str = BID) -> None:
    """Publish the briefing as it is now (mail sends editions), and approve its PDF."""
    assert main(["publish", bid, "--root", str(root), "--by", "Test Reviewer"]) == 0
    assert main(["mail", "approve", bid, "--root", str(root), "--by", "Test Reviewer"]) == 0


def write_list(root: Path, n: int, name: str = "people.csv", extra: str = "") -> Path:
    """p000@example.org...: odd ones journalists, even ones supporters; p003 has no name."""
    rows = ["email,first_name,last_name,segments"]
    for i in range(n):
        first = "" if i == 3 else f"Person{i}"  # one without a first name: the fallback
        rows.append(f"p{i:03d}@example.org,{first},Test,"
                    f"{'journalists' if i % 2 else 'supporters'}")
    path = root / name
    path.write_text("\n".join(rows) + "\n" + extra, encoding="utf-8")
    return path


def send_args(root: Path, people: Path, *more: str) -> list[str]:
    return ["mail", BID, "--root", str(root), "--list", str(people), "--segment",
            "journalists", "--segment", "supporters", *more]


@pytest.fixture
def run(cli, monkeypatch):
    """Run briefgen in-process with the SMTP environment of ``server`` and ``env`` (SMTP,
    IMAP and DKIM variables of an earlier call are cleared; the unsubscribe secret stays)."""

    def go(server: Server | None, *args: str, env: dict | None = None):
        for k in [k for k in os.environ if k.startswith(("BRIEFGEN_SMTP", "BRIEFGEN_IMAP",
                                                         "BRIEFGEN_DKIM"))]:
            monkeypatch.delenv(k)
        for k, v in {**(server.env if server else {}), **(env or {})}.items():
            monkeypatch.setenv(k, v)
        return cli(*args)

    return go


def ledger_states(root: Path, campaign: str | None = None) -> dict[str, str]:
    if campaign:
        db = root / f".briefgen/mail/{campaign}.sqlite"
    else:
        (db,) = (root / ".briefgen/mail").glob("*.sqlite")
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT email, state FROM recipients"))


def run_subprocess(server: Server | None, args: list[str], crash: str | None = None,
                   extra_env: dict | None = None) -> subprocess.CompletedProcess:
    """briefgen as a process; ``crash="STEP:N"`` kills it with SIGKILL the N-th time the
    mail code reaches STEP (see kill_at_step.py)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFGEN_")}
    env["BRIEFGEN_UNSUBSCRIBE_SECRET"] = SECRET
    env.update(server.env if server else {})
    env.update(extra_env or {})
    command = [sys.executable, "-m", "briefgen.cli", *args]
    if crash:
        command = [sys.executable, str(TESTS / "kill_at_step.py"), crash, *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
