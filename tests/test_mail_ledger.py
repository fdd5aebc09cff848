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
    Server,
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
    server.recorder.refuse_after = (after, QUOTA)
    code, _, _ = run(server, *send_args(project, people, "--send", *more))
    assert code == 1 and len(server.recorder.raw) == after
    server.recorder.refuse_after = None
    (db,) = project.glob(".briefgen/mail/*.sqlite")
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
