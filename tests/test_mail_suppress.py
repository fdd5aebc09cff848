"""Suppression fails closed: files as CRMs and list tools export them, files that cannot be
trusted stop the run before anything is sent, and the project's suppression store (fed by
unsubscribes, bounces, complaints and refusals while sending) is consulted by every send."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from briefgen.errors import ContentError
from briefgen.mail import smtp as smtp_module
from briefgen.mail import suppress
from briefgen.mail.suppress import read_suppression_file

pytest.register_assert_rewrite("smtpserver")
from smtpserver import (  # noqa: E402 - after registering it for assertion rewriting
    Recorder,
    Server,
    ledger_states,
    run_subprocess,
    send_args,
    write_list,
)

pytest_plugins = ["smtpserver"]


# ---------------------------------------------------------------------- formats
@pytest.mark.parametrize("content", [
    '"email","name"\n"Tom@Example.org","Tom"\n"ann@example.org","Ann"\n',  # quoted header
    "Email Address,First Name,Last Name,MEMBER_RATING\ntom@example.org,Tom,,2\n"
    "ann@example.org,Ann,Khan,1\n",  # Mailchimp
    "E-mail;Name;Tags\ntom@example.org;Tom;x\nann@example.org;Ann;y\n",  # ';' (Excel, EU)
    "email\tname\ntom@example.org\tTom\nANN@example.org\tAnn\n",  # tab
    "Name,EMAIL_ADDRESS\n\"Reid, Tom\",tom@example.org\nAnn,ann@example.org\n",
    "# unsubscribed by phone\nTom Reid <tom@example.org>\n"
    "ann@example.org   # asked at the AGM\n\n",  # Name <addr>, addr # comment
    "mailto:tom@example.org\n\"Khan, Ann\" <ann@example.org>\n",
])
def test_common_exports_are_read(tmp_path: Path, content: str) -> None:
    path = tmp_path / "suppressed.csv"
    path.write_text(content, encoding="utf-8")
    keys, problems = read_suppression_file(path, tmp_path)
    assert keys == {"tom@example.org", "ann@example.org"}
    assert problems == []


def test_utf16_and_bom_exports_are_read(tmp_path: Path) -> None:
    path = tmp_path / "excel.txt"  # Excel's "Unicode text": UTF-16 with a BOM, tabs
    path.write_bytes(codecs.BOM_UTF16_LE + "Email\tName\njosé@example.org\tJosé\n"
                     .encode("utf-16-le"))
    assert read_suppression_file(path, tmp_path)[0] == {"josé@example.org"}
    path.write_bytes(codecs.BOM_UTF8 + b"email\nuser@xn--bcher-kva.example.com\n")
    assert read_suppression_file(path, tmp_path)[0] == {"user@bücher.example.com"}


def test_rows_that_are_not_addresses_are_reported_at_their_line(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("email,note\ntom@example.org,x\nN/A,no address on file\n",
                    encoding="utf-8")
    keys, problems = read_suppression_file(path, tmp_path)
    assert keys == {"tom@example.org"}
    assert [str(p) for p in problems] == ["s.csv:3: 'N/A' is not an address: row ignored"]


def test_every_address_of_a_row_without_a_header_is_read(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("carol@example.org\nbob@example.org,alice@example.org\n"
                    "Dan Smith,dan@example.org\n", encoding="utf-8")
    assert read_suppression_file(path, tmp_path) == (
        {"carol@example.org", "bob@example.org", "alice@example.org", "dan@example.org"}, [])


def test_invisible_characters_do_not_hide_an_address(tmp_path: Path) -> None:
    """A zero-width space, a stray byte-order mark mid-file, a zero-width joiner or a
    bidirectional mark (Unicode format characters) would keep the key from ever matching
    the list's address: they are removed before the address is read."""
    path = tmp_path / "s.csv"
    path.write_text("email\ndave@example.org\u200b\n\ufeffeve@example.org\n"
                    "fr\u200dank@example.org\n\u200egina@example.org\n", encoding="utf-8")
    assert read_suppression_file(path, tmp_path) == (
        {"dave@example.org", "eve@example.org", "frank@example.org", "gina@example.org"}, [])


@pytest.mark.parametrize(("content", "message"), [
    (None, "s.csv: the suppression list file does not exist: check the path "
           "(nothing was sent)"),
    (b"email\ntom@example.org\nren\xe9@example.org\n",
     "s.csv:3: the suppression list is not UTF-8 text: save it as 'CSV UTF-8' (or UTF-16 "
     "'Unicode text') (nothing was sent)"),
    (b"name,phone\nTom,0123\n",
     "s.csv:1: no column of addresses (found: name, phone): name it 'email' "
     "(nothing was sent)"),
    (b"email\ntom@example.org\nann@example .org\n",
     "s.csv:3: 'ann@example .org' cannot be read as an address (The part after the @-sign "
     "contains invalid characters: SPACE.): fix the row (nothing was sent)"),
    (b"email\ntom@example.org\nweird@localhost\n",  # a key that could never match: no
     "s.csv:3: 'weird@localhost' cannot be read as an address (The part after the @-sign "
     "is not valid. It should have a period.): fix the row (nothing was sent)"),  # keeping it
    (b"tom@example.org\nbob@example.org,alice@example.org.\n",  # the second cell too
     "s.csv:2: 'alice@example.org.' cannot be read as an address (An email address cannot "
     "end with a period.): fix the row (nothing was sent)"),
    (b"tom at example.org\nann at example.org\n",
     "s.csv:1: no addresses found in the suppression list: is it the right file? "
     "(nothing was sent)"),
    (b'email\n"tom@example.org' + b"x" * 140_000 + b"\n",
     "s.csv:2: cannot read this row (field larger than field limit (131072)): a field this "
     "long usually means a quotation mark was left open; fix the row (nothing was sent)"),
])
def test_a_file_that_cannot_be_trusted_is_an_error(tmp_path: Path, content, message) -> None:
    path = tmp_path / "s.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ContentError) as caught:
        read_suppression_file(path, tmp_path)
    assert [str(d) for d in caught.value.diagnostics] == [message]


def test_nobody_in_a_header_less_file_is_mailed(project: Path, run) -> None:
    people = project / "people.csv"
    people.write_text("email,segments\nbob@example.org,supporters\n"
                      "alice@example.org,supporters\ncarol@example.org,supporters\n"
                      "dave@example.org,supporters\nzoe@example.org,supporters\n",
                      encoding="utf-8")
    path = project / "crm-unsub.csv"
    path.write_text("carol@example.org\nbob@example.org,alice@example.org\n"
                    "dave@example.org\u200b\n", encoding="utf-8")
    with Server() as server:
        code, out, err = run(server, *send_args(project, people, "--suppress", str(path),
                                                "--send"))
        mailed = sorted(server.recorder.count_by_recipient())
    assert code == 0, out + err
    assert mailed == ["zoe@example.org"]
    for who in ("bob", "alice", "carol", "dave"):
        assert f"{who}@example.org: suppressed (in crm-unsub.csv)" in out


@pytest.mark.parametrize("problem", ["missing", "latin-1", "folder"])
def test_send_stops_before_anything_is_sent(project: Path, run, problem) -> None:
    people = write_list(project, 4)
    path = project / "suppressed.csv"
    if problem == "latin-1":
        path.write_bytes("email\nrené@example.org\n".encode("latin-1"))
    elif problem == "folder":
        path.mkdir()
    with Server() as server:
        code, _, err = run(server, *send_args(project, people, "--suppress", str(path),
                                              "--send"))
        assert server.recorder.messages == []
    assert code == 1
    assert "(nothing was sent)" in err and "suppressed.csv" in err
    assert not list(project.glob(".briefgen/mail/*.sqlite"))  # no campaign started


def test_file_unreadable_during_a_run_stops_it(project: Path, run, monkeypatch) -> None:
    people = write_list(project, 6)
    path = project / "suppressed.txt"
    path.write_text("nobody@example.org\n", encoding="utf-8")
    monkeypatch.setattr(suppress, "REREAD_WAITS", (0.0,))
    seen = []

    def on_step(step: str) -> None:  # after the second message, the file is ruined
        seen.append(step)
        if seen.count("reply") == 2:
            path.write_bytes(b"\xfa\xfb not text")

    monkeypatch.setattr(smtp_module, "on_step", on_step)
    with Server() as server:
        code, _, err = run(server, *send_args(project, people, "--suppress", str(path),
                                              "--send"))
        assert len(server.recorder.messages) == 2
    assert code == 1
    assert ("the suppression list can no longer be read (suppressed.txt:1: the suppression "
            "list is not UTF-8 text") in err
    assert sorted(ledger_states(project).values()) == ["pending"] * 4 + ["sent"] * 2


# ---------------------------------------------------------------------- the store
def test_store_is_consulted_and_managed(project: Path, run, cli) -> None:
    root = str(project)
    people = write_list(project, 4)
    code, out, _ = cli("mail", "suppressed", "--root", root, "--add", "P001@Example.org")
    assert code == 0 and out == "suppressed: P001@example.org\n"
    code, out, _ = cli("mail", "suppressed", "--root", root)
    assert out.startswith("P001@example.org: added by hand on ")
    with Server() as server:
        code, out, _ = run(server, *send_args(project, people, "--send"))
        got = server.recorder.count_by_recipient()
    assert code == 0 and sorted(got) == ["p000@example.org", "p002@example.org",
                                         "p003@example.org"]
    assert "p001@example.org: suppressed (added by hand)" in out
    code, out, _ = cli("mail", "status", "--root", root)
    assert "suppression store: 1 address (1 added by hand)" in out
    code, out, _ = cli("mail", "suppressed", "--root", root, "--remove", "p001@example.org")
    assert out.startswith("removed from the suppression store: p001@example.org")
    code, _, err = cli("mail", "suppressed", "--root", root, "--add", "not an address")
    assert code == 2 and "not an address: not a valid address" in err


def test_permanent_refusals_of_the_address_go_to_the_store(project: Path, run, cli) -> None:
    people = write_list(project, 4)
    recorder = Recorder(rcpt_faults={
        "p001@example.org": ["550 5.1.1 <p001@example.org>: Recipient address rejected: "
                             "User unknown in virtual mailbox table"],
        "p002@example.org": ["550 5.7.1 Recipient address rejected: Access denied"],
    })
    with Server(recorder) as server:
        code, out, _ = run(server, *send_args(project, people, "--send"))
    assert code == 1
    assert ledger_states(project)["p001@example.org"] == "failed"
    assert ledger_states(project)["p002@example.org"] == "failed"
    code, out, _ = cli("mail", "suppressed", "--root", str(project))
    # a bad address is suppressed; a policy refusal of one message is not
    assert out.count("\n") == 1 and out.startswith(
        "p001@example.org: refused by the recipient's server on ")
    assert "550 5.1.1" in out
    people2 = write_list(project, 3, name="other.csv")  # another list: still suppressed
    with Server() as server:
        code, out, _ = run(server, *send_args(project, people2, "--send"))
        assert "p001@example.org" not in server.recorder.count_by_recipient()
    assert "p001@example.org: suppressed (refused by the recipient's server)" in out


def test_store_entry_added_between_a_crash_and_the_rerun(project: Path, run) -> None:
    """An unsubscribe (or bounce) that lands while a campaign is interrupted is honoured by
    the resumed run, like a changed suppression file."""
    people = write_list(project, 6)
    args = send_args(project, people, "--send")
    with Server() as server:
        assert run_subprocess(server, args, crash="inflight:3").returncode == -9
        code, _, _ = run(None, "mail", "suppressed", "--root", str(project), "--add",
                         "p004@example.org")
        assert code == 0
        assert run_subprocess(server, args).returncode == 0
        got = server.recorder.count_by_recipient()
    assert "p004@example.org" not in got and len(got) == 5 and set(got.values()) == {1}
    assert ledger_states(project)["p004@example.org"] == "suppressed"


# ---------------------------------------------------------------------- address keys
SHARP_S = ("email,name,segments\nstraße@example.org,Anna Straße,supporters\n"
           "strasse@example.org,Ben Strasse,supporters\nzoe@example.org,Zoe,supporters\n")


def test_addresses_that_only_case_folding_makes_equal_are_two_people(project: Path,
                                                                     run) -> None:
    """str.casefold() made straße@ and strasse@ one key: the second row was merged away and
    that person never mailed. Keys are lower case now."""
    people = project / "people.csv"
    people.write_text(SHARP_S, encoding="utf-8")
    with Server(enable_SMTPUTF8=True) as server:
        code, out, err = run(server, *send_args(project, people, "--send"))
        got = server.recorder.count_by_recipient()
    assert code == 0, out + err
    assert "sent 3" in out
    assert got == {"straße@example.org": 1, "strasse@example.org": 1, "zoe@example.org": 1}


def test_a_store_entry_of_the_old_key_form_still_suppresses(project: Path, run, cli) -> None:
    """A store written when keys were case-folded holds straße@ under 'strasse@...': it
    still suppresses straße@ (and, as it cannot tell them apart, strasse@: fail closed),
    and removing straße@ removes it."""
    import sqlite3

    assert cli("mail", "suppressed", "--add", "straße@example.org", "--root",
               str(project))[0] == 0
    with sqlite3.connect(project / ".briefgen/mail/suppressions.db") as conn:
        conn.execute("UPDATE suppressed SET key = 'strasse@example.org'")
    people = project / "people.csv"
    people.write_text(SHARP_S, encoding="utf-8")
    with Server(enable_SMTPUTF8=True) as server:
        code, out, err = run(server, *send_args(project, people, "--send"))
        got = server.recorder.count_by_recipient()
    assert code == 0, out + err
    assert got == {"zoe@example.org": 1}
    assert "straße@example.org: suppressed (added by hand)" in out
    assert "strasse@example.org: suppressed (added by hand)" in out
    code, out, _ = cli("mail", "suppressed", "--remove", "straße@example.org", "--root",
                       str(project))
    assert out.startswith("removed from the suppression store: straße@example.org")
    assert cli("mail", "suppressed", "--root", str(project))[1] == \
        "the suppression store is empty\n"
