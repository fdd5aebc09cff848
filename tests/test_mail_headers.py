"""Internationalised addresses and hostile names: SMTPUTF8 when the server offers it, a
clear failure for that one recipient when it does not, IDNA for domains, and headers that
stay well-formed (no control characters, every line within 998 octets) whatever the list
holds."""

from __future__ import annotations

import csv
import email
from email.policy import default
from pathlib import Path

import pytest

pytest.register_assert_rewrite("smtpserver")
from smtpserver import (  # noqa: E402 - after registering it for assertion rewriting
    Recorder,
    Server,
    ledger_states,
    run_subprocess,
    send_args,
)

pytest_plugins = ["smtpserver"]

IDN_LIST = """\
email,name,segments
ann@example.org,Ann Khan,supporters
josé@example.org,José Ortiz,supporters
user@bücher.example.com,Bücher Leser,supporters
zed@example.org,"Zed, Z.",supporters
"""


def header_lines(raw: bytes) -> list[bytes]:
    return raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


def assert_well_formed(raw: bytes) -> None:
    for line in header_lines(raw):
        assert len(line) <= 998, line[:80]
        assert not any(b < 0x20 and b != 0x09 for b in line), line[:80]
        assert 0x7F not in line


def test_idn_without_smtputf8_fails_one_recipient_and_goes_on(project: Path, run) -> None:
    people = project / "idn.csv"
    people.write_text(IDN_LIST, encoding="utf-8")
    with Server(enable_SMTPUTF8=False) as server:
        code, out, _ = run(server, *send_args(project, people, "--send"))
        raws, envelopes = server.recorder.raw, server.recorder.envelopes
    assert code == 1
    assert ("failed: josé@example.org: not sent: the address is internationalised and the "
            "mail server does not accept such addresses (no SMTPUTF8); ask your provider, "
            "or write to this person from another account") in out
    assert sorted(to[0] for _, to in envelopes) == [
        "ann@example.org", "user@xn--bcher-kva.example.com", "zed@example.org"]
    for raw in raws:
        assert_well_formed(raw)
        raw.decode("ascii")  # no SMTPUTF8: every header is ASCII
    idn = next(r for r in raws if b"xn--bcher" in r)
    assert email.message_from_bytes(idn, policy=default)["To"].addresses[0].addr_spec == \
        "user@xn--bcher-kva.example.com"
    states = ledger_states(project)
    assert states["josé@example.org"] == "failed"
    # the store is for bad addresses, not for a server that lacks a feature
    _, out, _ = run(None, "mail", "suppressed", "--root", str(project))
    assert out == "the suppression store is empty\n"
    # once the server offers SMTPUTF8, a person retries the failed one
    (campaign,) = (p.stem for p in project.glob(".briefgen/mail/*.sqlite"))
    with Server(enable_SMTPUTF8=True) as server:
        code, out, _ = run(server, "mail", "retry", campaign, "--failed", "--root",
                           str(project))
        assert code == 0, out
        (raw,) = server.recorder.raw
        (msg,) = server.recorder.messages
        assert server.recorder.envelopes == [(server.recorder.envelopes[0][0],
                                              ["josé@example.org"])]
    assert "To: José Ortiz <josé@example.org>".encode() in raw
    assert msg["To"].addresses[0].addr_spec == "josé@example.org"
    assert_well_formed(raw)


def test_smtputf8_server_gets_utf8_headers(project: Path, run) -> None:
    people = project / "idn.csv"
    people.write_text(IDN_LIST, encoding="utf-8")
    with Server(enable_SMTPUTF8=True) as server:
        code, out, _ = run(server, *send_args(project, people, "--send"))
        recorder = server.recorder
    assert code == 0, out
    assert sorted(to[0] for _, to in recorder.envelopes) == [
        "ann@example.org", "josé@example.org", "user@xn--bcher-kva.example.com",
        "zed@example.org"]
    by_to = {m["To"].addresses[0].addr_spec: m for m in recorder.messages}
    assert by_to["josé@example.org"]["To"].addresses[0].display_name == "José Ortiz"
    assert by_to["zed@example.org"]["To"].addresses[0].display_name == "Zed, Z."
    for raw in recorder.raw:
        assert_well_formed(raw)


def test_dry_run_writes_well_formed_idn_messages(project: Path, run) -> None:
    people = project / "idn.csv"
    people.write_text(IDN_LIST, encoding="utf-8")
    code, out, _ = run(None, *send_args(project, people))
    assert code == 0 and "would send 4 messages" in out
    outbox = next((project / "dist/outbox").iterdir())
    files = {p.name: p.read_bytes() for p in outbox.glob("*.eml")}
    assert len(files) == 4
    for raw in files.values():
        assert_well_formed(raw)
    bucher = next(r for r in files.values() if b"xn--bcher" in r)
    assert b"To: =?utf-8?q?B=C3=BCcher?= Leser <user@xn--bcher-kva.example.com>" in bucher
    with (outbox / "manifest.csv").open(encoding="utf-8-sig") as fh:
        rows = {r["email"]: r for r in csv.DictReader(fh)}
    assert rows["josé@example.org"]["reason"] == ("needs a server that offers SMTPUTF8 "
                                                  "(internationalised address)")


def test_names_are_cleaned_and_shortened_and_located(project: Path, run) -> None:
    long_name = "Aung " + "San " * 25_000  # 100 KB: read, then cut to 100 characters
    people = project / "names.csv"
    with people.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["email", "first_name", "last_name", "segments"])
        out.writerow(["a@example.org", long_name, "Long", "supporters"])
        out.writerow(["b@example.org", "Nul\x00Vt\x0bFf\x0cEsc\x1b", "Bidi\u202eevil",
                      "supporters"])
        out.writerow(["c@example.org", "Plain", "Name", "supporters"])
    with Server() as server:
        code, out, err = run(server, *send_args(project, people, "--send"))
        raws = server.recorder.raw
        messages = {m["To"].addresses[0].addr_spec: m for m in server.recorder.messages}
    assert code == 0, out + err
    assert ("warning: names.csv:2: first_name: shortened from 100,004 to 100 characters in "
            "the name") in out
    assert "warning: names.csv:3: first_name: control characters removed in the name" in out
    assert "warning: names.csv:3: last_name: control characters removed in the name" in out
    for raw in raws:
        assert_well_formed(raw)
    name = messages["a@example.org"]["To"].addresses[0].display_name
    assert name.startswith("Aung San San") and name.endswith("…") and len(name) <= 100
    assert messages["b@example.org"]["To"].addresses[0].display_name == \
        "NulVt Ff Esc Bidievil"
    text = messages["b@example.org"].get_body(("plain",)).get_content()
    assert "Dear NulVt Ff Esc," in text


def test_a_megabyte_name_is_a_located_error(project: Path, run) -> None:
    people = project / "huge.csv"
    people.write_text("email,name,segments\nok@example.org,Ok,supporters\n"
                      f'x@example.org,"{"N" * 1_000_000}",supporters\n', encoding="utf-8")
    with Server() as server:
        code, _, err = run(server, *send_args(project, people, "--send"))
        assert server.recorder.messages == []
    assert code == 1
    assert ("huge.csv:3: cannot read this row (field larger than field limit (131072)): a "
            "field this long usually means a quotation mark was left open; fix the row") in err


def test_kill_during_an_idn_send_then_rerun(project: Path) -> None:
    people = project / "idn.csv"
    people.write_text(IDN_LIST, encoding="utf-8")
    args = send_args(project, people, "--send")
    with Server(Recorder(), enable_SMTPUTF8=True) as server:
        first = run_subprocess(server, args, crash="dot:2")  # josé's final dot
        assert first.returncode == -9, first.stderr
        second = run_subprocess(server, args)
        assert second.returncode == 0, second.stdout + second.stderr
        got = server.recorder.count_by_recipient()
    assert set(got) == {"ann@example.org", "josé@example.org",
                        "user@xn--bcher-kva.example.com", "zed@example.org"}
    assert got["josé@example.org"] <= 2 and "ambiguous 1" in second.stdout
    assert all(n == 1 for a, n in got.items() if a != "josé@example.org")


# ---------------------------------------------------------------------- encoded words
ENCODED_ATTACKS = """\
email,name,segments
ok@example.org,Ok,supporters
a@example.org,=?utf-8?q?Hi=0D=0ABcc:_victim@example.net=0D=0A?=,supporters
b@example.org,=?utf-8?b?SGkNCkJjYzogdmljdGltQGV4YW1wbGUubmV0DQo=?=,supporters
c@example.org,=?utf-8?q?Hi=0D=0A=0D=0AYour_account_is_locked._Log_in_at_https://phish.example/?=,supporters
d@example.org,=?utf-8?q?Bidi=E2=80=AEevil?=,supporters
e@example.org,=?x-unknown?q?Hi?=,supporters
f@example.org,=?utf-8?q?=3D=3Futf-8=3Fq=3FHi=3F=3D?=,supporters
"""


def test_an_encoded_word_hiding_a_line_break_in_a_name_is_refused(project: Path, run) -> None:
    """RFC 2047 encoded words pass a check for raw line breaks, but the email package
    decodes them into the To header: a Bcc, or a blank line and a body of the list's
    choosing under the organisation's From and DKIM signature. Nothing is sent."""
    people = project / "encoded.csv"
    people.write_text(ENCODED_ATTACKS, encoding="utf-8")
    with Server() as server:
        code, _, err = run(server, *send_args(project, people, "--send"))
        assert server.recorder.raw == []
    assert code == 1
    hidden = ("name: the name holds an encoded word (=?...?=) that hides a line break or a "
              "control character, which would break the email's headers: fix the row")
    for line in (3, 4, 5, 6):
        assert f"encoded.csv:{line}: {hidden}" in err
    assert ("encoded.csv:7: name: the name holds an encoded word (=?...?=) that cannot be "
            "read (unknown encoding: x-unknown): write the name as plain text") in err
    assert ("encoded.csv:8: name: the name holds an encoded word (=?...?=) inside an encoded "
            "word, which a mail program could decode again: write the name as plain text") in err
    assert list((project / ".briefgen/mail").glob("*.sqlite")) == []


def test_a_name_with_a_lone_equals_question_mark_is_plain_text(project: Path, run) -> None:
    """Any '=?' stopped the whole campaign, even with no encoded word (found by review)."""
    people = project / "plain.csv"
    people.write_text("email,name,segments\nann@example.org,Ann a=?b,supporters\n",
                      encoding="utf-8")
    with Server() as server:
        code, _, err = run(server, *send_args(project, people, "--send"))
        assert code == 0, err
        (msg,) = server.recorder.messages
    assert str(msg["To"]) == '"Ann a=?b" <ann@example.org>' or \
        msg["To"].addresses[0].display_name == "Ann a=?b"


def test_an_encoded_word_that_is_plain_text_is_decoded_and_one_person_gets_it(
        project: Path, run) -> None:
    people = project / "decoded.csv"
    people.write_text("email,name,segments\n"
                      "c@example.org,=?utf-8?q?=22Hi=22_=3Cvictim@example.net=3E=2C?=,"
                      "supporters\n"
                      "zoë@example.org,=?utf-8?q?Hi=22=2C_victim@example.net=2C_=22x?=,"
                      "supporters\n"
                      "d@example.org,Amina =?utf-8?q?Jos=C3=A9?= Khan,supporters\n",
                      encoding="utf-8")
    with Server(enable_SMTPUTF8=True) as server:
        code, out, err = run(server, *send_args(project, people, "--send"))
        raws, envelopes = server.recorder.raw, server.recorder.envelopes
    assert code == 0, out + err
    for line in (2, 3, 4):
        assert (f"warning: decoded.csv:{line}: name: encoded word (=?...?=) decoded in the "
                "name") in out
    assert sorted(to for _, to in envelopes) == [["c@example.org"], ["d@example.org"],
                                                 ["zoë@example.org"]]
    names = {}
    for raw in raws:
        assert_well_formed(raw)
        msg = email.message_from_string(raw.decode("utf-8"), policy=default)
        assert msg["Bcc"] is None and msg["Cc"] is None
        (to,) = msg["To"].addresses
        names[to.addr_spec] = to.display_name
    assert names == {"c@example.org": '"Hi" <victim@example.net>,',
                     "zoë@example.org": 'Hi", victim@example.net, "x',
                     "d@example.org": "Amina José Khan"}


def test_an_injected_header_is_never_sent_whatever_got_past_the_list(project: Path,
                                                                        run) -> None:
    """Defence in depth: a name that reaches the composer some other way (here, written
    into a started campaign's ledger, as a ledger from before the list check could hold)
    makes a message whose headers do not read back as built: the run stops as a bug
    (exit 3) before anything goes to that person."""
    import sqlite3

    people = project / "people.csv"
    people.write_text("email,name,segments\na@example.org,A,supporters\n"
                      "b@example.org,B,supporters\nc@example.org,C,supporters\n",
                      encoding="utf-8")
    with Server(Recorder(refuse_after=(1, "550 5.4.5 Daily sending quota exceeded"))) as server:
        code, _, _ = run(server, *send_args(project, people, "--send"))
        assert code == 1 and len(server.recorder.raw) == 1
        (db,) = (project / ".briefgen/mail").glob("*.sqlite")
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE recipients SET name = ? WHERE email = 'b@example.org'",
                         ("=?utf-8?q?Hi=0D=0ABcc:_victim@example.net=0D=0A?=",))
        server.recorder.refuse_after = None
        code, _, err = run(server, *send_args(project, people, "--send"))
        assert len(server.recorder.raw) == 1  # b not mailed, and the run stopped
    assert code == 3
    assert ("briefgen: internal error: HeaderCheckError: the message to b@example.org does "
            "not read back with the headers it was built with (headers From, To, Bcc): it "
            "was not sent, and the run "
            "stopped. This is a bug in briefgen (a header injection got past its checks): "
            "please report it") in " ".join(err.split())
    assert ledger_states(project) == {"a@example.org": "sent", "b@example.org": "pending",
                                      "c@example.org": "pending"}
