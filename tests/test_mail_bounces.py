"""Bounces and complaints: the envelope sender is the bounce address; an mbox, a Maildir or
an IMAP folder of real-format reports (Postfix, Exchange Online, Gmail and Exim DSNs, a
qmail bounce, Yahoo and Microsoft complaint reports) suppresses the right addresses,
counts soft bounces, ignores the rest, and changes nothing when read twice or after a
crash half way."""

from __future__ import annotations

import mailbox
import re
import shlex
import socketserver
import threading
from pathlib import Path

import pytest

pytest.register_assert_rewrite("smtpserver")
from smtpserver import (  # noqa: E402 - after registering it for assertion rewriting
    SETTINGS,
    Server,
    run_subprocess,
    send_args,
    write_list,
)

pytest_plugins = ["smtpserver"]

FIXTURE = Path(__file__).parent / "fixtures/mail/bounces.mbox"
HARD = ["p001@example.org", "p005@example.org", "p006@example.org", "p007@example.org",
        "p008@example.org"]
COMPLAINTS = ["p009@example.org", "p010@example.org"]
SUMMARY = ("read 10 messages: 5 new hard bounces and 2 complaints suppressed, 2 soft bounces, "
           "0 already suppressed, 0 processed before, 1 not bounces or complaints\n"
           "  hard bounce, suppressed: p001@example.org\n"
           "  hard bounce, suppressed: p005@example.org\n"
           "  hard bounce, suppressed: p006@example.org\n"
           "  hard bounce, suppressed: p007@example.org\n"
           "  hard bounce, suppressed: p008@example.org\n"
           "  complaint, suppressed: p009@example.org\n"
           "  complaint, suppressed: p010@example.org\n"
           "  soft bounce: p002@example.org\n"
           "  soft bounce: p003@example.org\n")


@pytest.fixture
def mailed(project: Path, run) -> tuple[Path, list[bytes]]:
    """A campaign sent to p000...p011 with bounce_address set; the fixture reports filled
    in with the Message-IDs those messages really had."""
    settings = project / "mail/settings.yaml"
    settings.write_text(SETTINGS + "bounce_address: bounces@burmacampaign.org.uk\n")
    people = write_list(project, 12)
    with Server() as server:
        code, out, err = run(server, *send_args(project, people, "--send"))
        assert code == 0, out + err
        ids = {m["To"].addresses[0].addr_spec: m["Message-ID"] for m in
               server.recorder.messages}
        envelopes = server.recorder.envelopes
    # the envelope sender (Return-Path) is the bounce address; From is unchanged
    assert {sender for sender, _ in envelopes} == {"bounces@burmacampaign.org.uk"}
    assert {str(m) for m in [server.recorder.messages[0]["From"]]} == {
        "Burma Campaign UK <info@burmacampaign.org.uk>"}
    text = FIXTURE.read_text(encoding="utf-8")
    text = re.sub(r"@@MID (\S+)@@", lambda m: ids[m[1]], text)
    box = project / "bounces.mbox"
    box.write_text(text, encoding="utf-8")
    return box, [mailbox.mbox(box).get_bytes(k) for k in mailbox.mbox(box).iterkeys()]


def _store(run, project: Path) -> str:
    return run(None, "mail", "suppressed", "--root", str(project))[1]


def test_mbox_of_real_reports_suppresses_the_right_addresses(project: Path, run, mailed):
    box, _ = mailed
    code, out, err = run(None, "mail", "bounces", "--mbox", str(box), "--root", str(project))
    assert code == 0, err
    assert out == SUMMARY
    store = _store(run, project)
    for address in HARD:
        assert re.search(rf"^{address}: hard bounce on \S+: 5\.1\.", store, re.M) or \
            re.search(rf"^{address}: hard bounce on \S+: non-standard bounce", store, re.M), \
            address
    for address in COMPLAINTS:
        assert re.search(rf"^{address}: complained \(marked as spam\) on \S+: abuse report",
                         store, re.M), address
    assert store.count("\n") == 7
    # read again: nothing changes
    code, out, _ = run(None, "mail", "bounces", "--mbox", str(box), "--root", str(project))
    assert out == ("read 10 messages: 0 new hard bounces and 0 complaints suppressed, 0 soft "
                   "bounces, 0 already suppressed, 9 processed before, 1 not bounces or "
                   "complaints\n")
    assert _store(run, project) == store
    # the next campaign (any list) skips them; those not suppressed had this edition
    people = write_list(project, 12, name="next.csv")
    with Server() as server:
        code, out, _ = run(server, *send_args(project, people, "--send"))
        got = sorted(server.recorder.count_by_recipient())
    assert got == []  # everyone on it was in the first campaign
    assert "p007@example.org: suppressed (hard bounce)" in out
    for i in (0, 2, 3, 4, 11):
        assert f"p{i:03d}@example.org: already had this edition (campaign " in out
    assert "p010@example.org: suppressed (complained (marked as spam))" in out


def test_maildir_gives_the_same_result(project: Path, run, mailed) -> None:
    _, messages = mailed
    folder = project / "Maildir"
    box = mailbox.Maildir(folder, create=True)
    for raw in messages:
        box.add(raw)
    code, out, _ = run(None, "mail", "bounces", "--maildir", str(folder), "--root",
                       str(project))
    assert code == 0 and out == SUMMARY
    code, _, err = run(None, "mail", "bounces", "--maildir", str(project), "--root",
                       str(project))
    assert code == 2 and "not a Maildir (it needs cur/, new/ and tmp/)" in err
    code, _, err = run(None, "mail", "bounces", "--mbox", str(folder / "nope"), "--maildir",
                       str(folder), "--root", str(project))
    assert code == 2 and "mail bounces reads one mailbox" in err


def test_a_crash_half_way_loses_and_doubles_nothing(project: Path, run, mailed) -> None:
    box, _ = mailed
    args = ["mail", "bounces", "--mbox", str(box), "--root", str(project)]
    killed = run_subprocess(None, args, crash="report:4")
    assert killed.returncode == -9
    done = run_subprocess(None, args)
    assert done.returncode == 0, done.stderr
    assert "4 processed before" in done.stdout
    store = _store(run, project)
    assert sorted(line.split(":")[0] for line in store.splitlines()) == sorted(HARD +
                                                                               COMPLAINTS)


# ---------------------------------------------------------------------- IMAP
class _Imap(socketserver.StreamRequestHandler):
    """Just enough IMAP4rev1 for imaplib: LOGIN, EXAMINE, UID SEARCH, UID FETCH, LOGOUT."""

    def send(self, text: str | bytes) -> None:
        self.wfile.write(text.encode() if isinstance(text, str) else text)

    def handle(self) -> None:
        server = self.server
        self.send("* OK fake IMAP ready\r\n")
        while line := self.rfile.readline():
            tag, command, *args = shlex.split(line.decode().strip())
            command = command.upper()
            if command == "CAPABILITY":
                self.send(f"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK done\r\n")
            elif command == "LOGIN":
                ok = args == [server.user, server.password]
                self.send(f"{tag} OK logged in\r\n" if ok else
                          f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials\r\n")
            elif command in ("EXAMINE", "SELECT"):
                self.send(f"* {len(server.messages)} EXISTS\r\n{tag} OK [READ-ONLY] done\r\n")
            elif command == "UID" and args[0].upper() == "SEARCH":
                uids = " ".join(str(i + 1) for i in range(len(server.messages)))
                self.send(f"* SEARCH {uids}\r\n{tag} OK done\r\n")
            elif command == "UID" and args[0].upper() == "FETCH":
                uid = int(args[1])
                raw = server.messages[uid - 1]
                server.peeked.append("PEEK" in args[2].upper())
                self.send(f"* {uid} FETCH (UID {uid} BODY[] {{{len(raw)}}}\r\n".encode() + raw
                          + f")\r\n{tag} OK done\r\n".encode())
            elif command == "LOGOUT":
                self.send(f"* BYE\r\n{tag} OK bye\r\n")
                return
            else:
                self.send(f"{tag} BAD unknown\r\n")


def test_imap_folder_is_read_without_changing_it(project: Path, run, mailed) -> None:
    _, messages = mailed
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Imap)
    server.messages, server.peeked = messages, []
    server.user, server.password = "bounces", "imap-s3cret"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    env = {"BRIEFGEN_IMAP_HOST": "127.0.0.1", "BRIEFGEN_IMAP_PORT": str(server.server_address[1]),
           "BRIEFGEN_IMAP_SECURITY": "none", "BRIEFGEN_IMAP_USERNAME": "bounces",
           "BRIEFGEN_IMAP_PASSWORD": "imap-s3cret"}
    try:
        code, out, err = run(None, "mail", "bounces", "--imap", "--root", str(project), env=env)
        assert code == 0, err
        assert out == SUMMARY
        assert server.peeked == [True] * 10  # BODY.PEEK: nothing marked as read
        code, out, err = run(None, "mail", "bounces", "--imap", "--root", str(project),
                             env={**env, "BRIEFGEN_IMAP_PASSWORD": "wrong"})
        assert code == 1 and "[AUTHENTICATIONFAILED] Invalid credentials" in err
        assert "imap-s3cret" not in out + err and "wrong" not in out + err
    finally:
        server.shutdown()
        server.server_close()
    code, _, err = run(None, "mail", "bounces", "--imap", "--root", str(project))
    assert code == 2 and "set BRIEFGEN_IMAP_HOST" in err
