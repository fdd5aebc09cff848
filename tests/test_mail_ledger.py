"""What a started campaign sends is what it froze: a retry or a resumed run renders the
message from the ledger (never from an edited, unpublished briefing), a campaign name never
resumes another briefing's, list's or PDF's ledger, the frozen PDF is checked against its
hash and approval before anything goes out, and a damaged ledger or suppression store is a
clear error that sends nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

pytest.register_assert_rewrite("smtpserver")
from smtpserver import (  # noqa: E402 - after registering it for assertion rewriting
    BID,
    Recorder,
    Server,
    approve,
    ledger_states,
    send_args,
    write_list,
)

pytest_plugins = ["smtpserver"]

QUOTA = "550 5.4.5 Daily sending quota exceeded"
DRAFT = "UNAPPROVED-DRAFT-SENTENCE"


def interrupted(project: Path, run, server: Server, n: int = 6, after: int = 2,
                *more: str) -> str:
    """A campaign stopped by a quota after ``after`` messages; returns its name."""
    people = write_list(project, n)
    before = len(server.recorder.raw)
    known = set(project.glob(".briefgen/mail/*.sqlite"))
    server.recorder.refuse_after = (before + after, QUOTA)
    code, _, _ = run(server, *send_args(project, people, "--send", *more))
    assert code == 1 and len(server.recorder.raw) == before + after
    server.recorder.refuse_after = None
    (db,) = set(project.glob(".briefgen/mail/*.sqlite")) - known
    return db.stem


def edit_lead(project: Path) -> None:
    """An unpublished, unapproved change to the text the message quotes."""
    spec = project / f"briefings/{BID}.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace(
        "despite its human rights record.", f"despite its human rights record. {DRAFT}", 1),
        encoding="utf-8")


def texts(server: Server) -> list[str]:
    return [m.get_body(("plain",)).get_content() + m.get_body(("html",)).get_content()
            for m in server.recorder.messages]


# ---------------------------------------------------------------------- frozen message
def test_retry_sends_the_message_the_campaign_froze_not_the_edited_briefing(
        project: Path, run) -> None:
    with Server() as server:
        campaign = interrupted(project, run, server)
        edit_lead(project)
        code, out, err = run(server, "mail", "retry", campaign, "--root", str(project))
        assert code == 0, out + err
        assert "sent 6" in out
        got = texts(server)
    assert len(got) == 6
    assert not any(DRAFT in text for text in got)
    assert all("despite its human rights record." in text for text in got)


def test_retry_of_a_campaign_that_froze_no_text_needs_the_briefing_it_froze(
        project: Path, run) -> None:
    """A ledger from before campaigns recorded their message's text: a retry is refused
    while the briefing differs from the edition the campaign froze, and goes ahead once
    it is put back."""
    with Server() as server:
        campaign = interrupted(project, run, server)
        db = project / f".briefgen/mail/{campaign}.sqlite"
        with sqlite3.connect(db) as conn:
            conn.execute("DELETE FROM meta WHERE key = 'context'")
        spec = project / f"briefings/{BID}.yaml"
        published = spec.read_text(encoding="utf-8")
        edit_lead(project)
        code, _, err = run(server, "mail", "retry", campaign, "--root", str(project))
        assert len(server.recorder.raw) == 2
        (edition,) = (p.name for p in (project / f"editions/{BID}").iterdir() if p.is_dir())
        assert code == 1
        assert " ".join(err.split()) == (
            f"briefgen: campaign {campaign} was started by an earlier briefgen, which did not "
            f"record the text of its message, and the briefing has changed since ({BID} has "
            f"changes since its latest edition ({edition}): see them with briefgen diff {BID}, "
            f"then publish them (briefgen publish {BID}) before mailing): a retry would send "
            "text nobody published or approved with its PDF. Nothing was sent. Put briefings "
            "back as they were when the campaign started (e.g. from git), retry, then "
            "restore them")
        spec.write_text(published, encoding="utf-8")
        code, out, err = run(server, "mail", "retry", campaign, "--root", str(project))
        assert code == 0 and "sent 6" in out, out + err
        assert not any(DRAFT in text for text in texts(server))
    assert set(ledger_states(project).values()) == {"sent"}


# ---------------------------------------------------------------------- campaign names
OTHER = "russia-military-ties"


def pdf_sha(project: Path, campaign: str) -> str:
    with sqlite3.connect(project / f".briefgen/mail/{campaign}.sqlite") as conn:
        return conn.execute("SELECT value FROM meta WHERE key = 'pdf_sha256'").fetchone()[0]


def test_a_campaign_name_never_resumes_another_briefing_list_or_pdf(project: Path,
                                                                     run) -> None:
    import hashlib

    root = str(project)
    with Server() as server:
        interrupted(project, run, server, 6, 2, "--campaign", "november")
        approve(project, OTHER)  # published and approved: only the name is wrong
        people = project / "people.csv"
        ours = pdf_sha(project, "november")[:8]
        theirs = hashlib.sha256((project / f"dist/{OTHER}.pdf").read_bytes()).hexdigest()[:8]
        other_briefing = ["mail", OTHER, "--root", root, "--list", str(people), "--segment",
                          "journalists", "--segment", "supporters", "--campaign", "november",
                          "--send"]
        code, _, err = run(server, *other_briefing)
        assert code == 2
        assert err.splitlines()[-1] == (
            f"briefgen: campaign november was started with another briefing and PDF "
            f"(briefing {BID}, not {OTHER}; PDF {ours}, not {theirs}): nothing was sent. A "
            "campaign name belongs to one briefing, list and PDF: choose a new --campaign "
            "name, or leave it out")
        others = write_list(project, 6, name="others.csv")
        code, _, err = run(server, *send_args(project, others, "--campaign", "november",
                                              "--send"))
        assert code == 2
        assert err.splitlines()[-1] == (
            "briefgen: campaign november was started with another list (list people, not "
            "others): nothing was sent. A campaign name belongs to one briefing, list and "
            "PDF: choose a new --campaign name, or leave it out")
        assert len(server.recorder.raw) == 2
        # the same briefing, list and PDF resume it; once finished, another is still refused
        code, out, _ = run(server, *send_args(project, people, "--campaign", "november",
                                              "--send"))
        assert code == 0 and "campaign november: sent 6" in out
        code, out, err = run(server, *other_briefing)
        assert code == 2 and "sent 6" not in out
        assert "campaign november was started with another briefing and PDF" in err
        assert len(server.recorder.raw) == 6
        got = server.recorder.messages
    assert {next(m.iter_attachments()).get_filename() for m in got} == {f"{BID}.pdf"}


# ---------------------------------------------------------------------- the frozen PDF
@pytest.mark.parametrize("damage", ["altered", "deleted", "unapproved"])
def test_a_frozen_pdf_that_is_not_the_approved_one_sends_nothing(project: Path, run,
                                                                 damage: str) -> None:
    root = str(project)
    with Server() as server:
        campaign = interrupted(project, run, server, 4, 1)
        sha = pdf_sha(project, campaign)
        db = project / f".briefgen/mail/{campaign}.sqlite"
        if damage == "unapproved":
            (project / ".briefgen/mail/approvals.db").unlink()
            expected = (f"briefgen: {BID}: its PDF {sha[:8]} is not approved for sending. "
                        f"Send a test first (briefgen mail {BID} --test you@example.org), "
                        f"check it, then approve it: briefgen mail approve {BID} --by "
                        "YOUR-NAME")
        else:
            with sqlite3.connect(db) as conn:
                if damage == "altered":
                    conn.execute("UPDATE attachment SET pdf = ?", (b"%PDF-1.4 TAMPERED",))
                else:
                    conn.execute("DELETE FROM attachment")
            what = "not the one it recorded" if damage == "altered" else "not there"
            expected = (f"briefgen: .briefgen/mail/{campaign}.sqlite: the PDF campaign "
                        f"{campaign} froze is {what} (the ledger was changed or damaged): "
                        "nothing was sent. Restore this file from a backup; do not delete "
                        "it, it records who was already mailed")
        for args in (send_args(project, project / "people.csv", "--send"),
                     ["mail", "retry", campaign, "--root", root]):
            code, _, err = run(server, *args)
            assert code == 1
            assert err.splitlines()[-1] == expected
        assert len(server.recorder.raw) == 1
    assert sorted(ledger_states(project).values()) == ["pending"] * 3 + ["sent"]


# ---------------------------------------------------------------------- damaged files
@pytest.mark.parametrize("damage", [b"garbage" * 1000, b""])
def test_a_damaged_ledger_is_reported_and_sends_nothing(project: Path, run, damage) -> None:
    """An emptied ledger looked like a campaign never started: the same command mailed
    everyone again (found by review). A new ledger is now put in place whole, so an empty
    one can only have been emptied, and is refused like any damaged one."""
    root = str(project)
    with Server() as server:
        others = write_list(project, 2, name="others.csv")
        code, _, _ = run(server, *send_args(project, others, "--send"))
        assert code == 0
        (good,) = (p.stem for p in project.glob(".briefgen/mail/*.sqlite"))
        campaign = interrupted(project, run, server, 4, 1)
        db = project / f".briefgen/mail/{campaign}.sqlite"
        for extra in db.parent.glob(f"{campaign}.sqlite-*"):
            extra.unlink()
        db.write_bytes(damage)
        why = "file is not a database" if damage else "the file is empty"
        expected = (f"briefgen: .briefgen/mail/{campaign}.sqlite: the ledger of campaign "
                    f"{campaign} is damaged ({why}): nothing was sent. It "
                    "records who that campaign already mailed: restore the file from a "
                    "backup, then run the command again")
        sent = len(server.recorder.raw)
        for args in (send_args(project, project / "people.csv", "--send"),
                     ["mail", "retry", campaign, "--root", root]):
            code, _, err = run(server, *args)
            assert (code, err.splitlines()[-1]) == (1, expected)
        assert len(server.recorder.raw) == sent
        assert db.read_bytes() == damage  # never started afresh
        code, out, err = run(None, "mail", "status", "--root", root)
    assert code == 1, err
    assert f"{good}: {BID} to others, finished: sent 2; ambiguous 0" in out
    assert f"{campaign}: damaged: {expected.removeprefix('briefgen: ')}" in " ".join(
        out.split())


@pytest.mark.parametrize(("content", "why"), [
    (b"", "no table of suppressed addresses in it"),
    (b"garbage" * 1000, "file is not a database"),
])
def test_a_damaged_suppression_store_sends_nothing_and_is_kept(project: Path, run, content,
                                                               why) -> None:
    store = project / ".briefgen/mail/suppressions.db"
    store.write_bytes(content)
    people = write_list(project, 3)
    expected = (f"briefgen: .briefgen/mail/suppressions.db: the suppression store is damaged "
                f"({why}): nothing was sent. It holds everyone who unsubscribed, bounced or "
                "complained, and briefgen does not mail without it: restore the file from a "
                "backup")
    with Server() as server:
        for args in (send_args(project, people, "--send"), send_args(project, people)):
            code, _, err = run(server, *args)
            assert (code, err.splitlines()[-1]) == (1, expected)
        assert server.recorder.raw == []
    assert store.read_bytes() == content  # never replaced by an empty store
    assert list(project.glob(".briefgen/mail/*.sqlite")) == []


@pytest.mark.parametrize(("option", "value", "expected"), [
    ("--retry-delay", "inf", "--retry-delay inf: give the seconds to wait before retrying, "
                             "from 0 and at most 3,600 (e.g. --retry-delay 30)"),
    ("--retry-delay", "nan", "--retry-delay nan: give the seconds to wait before retrying, "
                             "from 0 and at most 3,600 (e.g. --retry-delay 30)"),
    ("--retry-delay", "1e308", "--retry-delay 1e+308: give the seconds to wait before "
                               "retrying, from 0 and at most 3,600 (e.g. --retry-delay 30)"),
    ("--retry-delay", "-1", "--retry-delay -1.0: give the seconds to wait before retrying, "
                            "from 0 and at most 3,600 (e.g. --retry-delay 30)"),
    ("--rate", "0", "--rate 0.0: give the most messages to send a minute, above 0 and at "
                    "most 60,000 (e.g. --rate 100)"),
    ("--rate", "nan", "--rate nan: give the most messages to send a minute, above 0 and at "
                      "most 60,000 (e.g. --rate 100)"),
    ("--rate", "inf", "--rate inf: give the most messages to send a minute, above 0 and at "
                      "most 60,000 (e.g. --rate 100)"),
])
def test_send_numbers_out_of_range_are_usage_errors(project: Path, run, option, value,
                                                    expected) -> None:
    people = write_list(project, 1)
    with Server(Recorder(rcpt_faults={"p000@example.org": ["450 4.2.1 busy"]})) as server:
        code, _, err = run(server, *send_args(project, people, "--send", option, value))
        assert (code, err.splitlines()[-1]) == (2, f"briefgen: {expected}")
        code, _, err = run(server, "mail", "retry", "any", option, value, "--root",
                           str(project))
        assert (code, err.splitlines()[-1]) == (2, f"briefgen: {expected}")
        assert server.recorder.raw == []
    assert list(project.glob(".briefgen/mail/*.sqlite")) == []

# ---------------------------------------------------------------------- older ledgers' keys
SHARP_S = ("email,name,segments\nann@example.org,Ann,supporters\n"
        "straße@example.org,Anna Straße,supporters\nzoe@example.org,Zoe,supporters\n")


def old_ledger(project: Path, run) -> str:
    """A campaign stopped by a quota after 1 message, its ledger rewritten to what an
    earlier briefgen wrote (case-folded keys, no 'context' record)."""
    people = project / "people.csv"
    people.write_text(SHARP_S, encoding="utf-8")
    with Server(enable_SMTPUTF8=True) as server:
        server.recorder.refuse_after = (1, QUOTA)
        code, out, err = run(server, *send_args(project, people, "--send"))
        assert code == 1, out + err
    (db,) = project.glob(".briefgen/mail/*.sqlite")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE recipients SET key = lower(key)")
        conn.execute("UPDATE recipients SET key = 'strasse@example.org' "
                     "WHERE email = 'straße@example.org'")
        conn.execute("DELETE FROM meta WHERE key = 'context'")
    return db.stem


def test_an_entry_added_since_suppresses_a_person_of_an_older_ledger(project, run, cli):
    """An older ledger keeps case-folded keys (strasse@ for straße@); the check before each
    send used that key, so an entry added since (straße@) did not match and she was mailed
    (found by review). The check now works the key out from the address."""
    old_ledger(project, run)
    assert cli("mail", "suppressed", "--add", "straße@example.org", "--root",
               str(project))[0] == 0
    with Server(enable_SMTPUTF8=True) as server:
        _code, _out, _err = run(server, *send_args(project, project / "people.csv", "--send"))
        got = server.recorder.count_by_recipient()
    assert "straße@example.org" not in got, f"suppressed person mailed: {got}"


def test_a_suppress_file_applies_to_a_retry_of_an_older_ledger(project, run, cli):
    campaign = old_ledger(project, run)
    sup = project / "sup.csv"
    sup.write_text("email\nstraße@example.org\n", encoding="utf-8")
    with Server(enable_SMTPUTF8=True) as server:
        _code, _out, _err = run(server, "mail", "retry", campaign, "--suppress", str(sup),
                             "--root", str(project))
        got = server.recorder.count_by_recipient()
    assert "straße@example.org" not in got, f"suppressed person mailed: {got}"


def test_resolve_on_an_older_ledger_changes_the_row_it_found(project, run, cli):
    """`mail resolve --delivered` found the row by its old key and wrote to the new one:
    it said held -> sent, changed nothing, and a retry mailed her again."""
    campaign = old_ledger(project, run)
    (db,) = project.glob(".briefgen/mail/*.sqlite")
    with sqlite3.connect(db) as conn:  # as a crash with --ambiguous=hold leaves it
        conn.execute("UPDATE recipients SET state='held', ambiguous=1 "
                     "WHERE email='straße@example.org'")
    code, out, err = cli("mail", "resolve", campaign, "straße@example.org", "--delivered",
                         "--root", str(project))
    assert code == 0 and "held -> sent" in out, err
    states = ledger_states(project)
    with Server(enable_SMTPUTF8=True) as server:
        _code, _out, _err = run(server, "mail", "retry", campaign, "--held", "--root",
                             str(project))
        got = server.recorder.count_by_recipient()
    assert states["straße@example.org"] == "sent", states
    assert "straße@example.org" not in got, f"marked delivered, mailed again: {got}"


def test_an_entry_for_strasse_does_not_stop_strasse_with_sharp_s(project, run, cli):
    """A case-folded match counts only when the stored address is this person's."""
    assert cli("mail", "suppressed", "--add", "strasse@example.org", "--root",
               str(project))[0] == 0
    people = project / "people.csv"
    people.write_text(SHARP_S, encoding="utf-8")
    with Server(enable_SMTPUTF8=True) as server:
        _code, _out, _err = run(server, *send_args(project, people, "--send"))
        got = server.recorder.count_by_recipient()
    assert "straße@example.org" in got, f"straße@ never mailed: {got}"


def test_a_new_campaign_skips_only_those_who_had_the_earlier_pdf(project, run):
    """strasse@ had the earlier PDF; straße@ was skipped as if she had (and superseded in
    the old campaign, she got neither PDF)."""
    from test_mail_campaigns import change_briefing

    people = project / "people.csv"
    people.write_text("email,name,segments\nstrasse@example.org,Ben,supporters\n"
                      "straße@example.org,Anna,supporters\nzoe@example.org,Zoe,supporters\n",
                      encoding="utf-8")
    with Server(enable_SMTPUTF8=True) as server:
        server.recorder.refuse_after = (1, QUOTA)
        code, _, _ = run(server, *send_args(project, people, "--send"))
        assert code == 1
        server.recorder.refuse_after = None
        change_briefing(project)
        approve(project)
        code, _out, _err = run(server, *send_args(project, people, "--send", "--new-campaign"))
        got = server.recorder.count_by_recipient()
    assert got.get("straße@example.org") == 1, f"straße@ got no PDF at all: {got}"


def test_a_new_ledger_is_made_where_hard_links_are_not_supported(project: Path, run,
                                                                 monkeypatch) -> None:
    """The ledger is put in place with a hard link; where the file system has none (exFAT,
    some shared folders) the first send was an internal error (found by review)."""
    import errno
    import os

    def no_links(*_args, **_kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    with Server() as server:
        people = write_list(project, 2, name="supporters.csv")
        code, _, err = run(server, *send_args(project, people, "--send"))
        assert code == 0, err
        assert len(server.recorder.raw) == 2
