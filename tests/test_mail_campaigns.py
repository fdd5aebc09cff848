"""Campaigns a person can steer: provider refusals stop the run and leave the rest pending,
retry and resolve reach every state, the final dot is awaited 10 minutes, a changed briefing
never silently re-mails, nothing is sent without an approved PDF, and a dry run writes a
sample and a manifest instead of every message. Crashes (SIGKILL) around each of these."""

from __future__ import annotations

import csv
import shutil
import threading
import time
from pathlib import Path

import pytest

from briefgen.mail.classify import about_sender, hard_bounce
from briefgen.mail.settings import smtp_from_env
from briefgen.mail.smtp import DOT_TIMEOUT, Outcome, SmtpSession

pytest.register_assert_rewrite("smtpserver")
from smtpserver import (  # noqa: E402 - after registering it for assertion rewriting
    BID,
    Recorder,
    Server,
    approve,
    ledger_states,
    run_subprocess,
    send_args,
    write_list,
)

pytest_plugins = ["smtpserver"]


def campaign_of(root: Path) -> str:
    (name,) = (p.stem for p in root.glob(".briefgen/mail/*.sqlite"))
    return name


def change_briefing(root: Path) -> None:
    belarus = root / "briefings/facts/countries/belarus.yaml"
    belarus.write_text(belarus.read_text().replace("air defence", "air-defence", 1))


# ---------------------------------------------------------------------- classification
@pytest.mark.parametrize(("reply", "sender", "hard"), [
    ("550 5.4.5 Daily user sending quota exceeded.", True, False),  # Gmail / Microsoft 365
    ("451 4.7.1 Rate limit exceeded, please try again later", True, False),
    ("421 4.7.0 Too many messages from this IP, try again later", True, False),
    ("454 Throttling failure: Maximum sending rate exceeded.", True, False),  # SES
    ("554 Message rejected: Sending paused for this account.", True, False),
    ("554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using "
     "zen.spamhaus.org", True, False),
    ("550 5.7.26 Unauthenticated email from example.org is not accepted due to domain's "
     "DMARC policy", True, False),
    ("452 Too many emails sent today", True, False),
    ("550 5.3.4 Message size exceeds fixed maximum message size", True, False),
    ("535 5.7.8 Authentication credentials invalid", True, False),
    ("550 5.1.1 <a@example.org>: Recipient address rejected: User unknown", False, True),
    ("550 no such user here", False, True),
    ("550 5.2.1 The email account that you tried to reach is disabled.", False, True),
    ("552 5.2.2 The email account that you tried to reach is over quota.", False, False),
    ("452 4.2.2 Mailbox full", False, False),
    ("550 5.7.1 Recipient address rejected: Access denied", False, False),
    ("450 4.2.1 The user you are trying to contact is receiving mail at a rate that "
     "prevents additional messages from being delivered.", False, False),
    ("450 mailbox busy, try later", False, False),
    # the sender's own address refused, with a subject-1 code: about the sender
    ("553 5.1.8 <info@burmacampaign.org.uk>: Sender address rejected: Domain not found",
     True, False),
    ("550 5.1.7 Invalid sender address syntax", True, False),
    ("550 5.1.0 Sender denied", True, False),
    ("550 Sender verify failed", True, False),
    ("450 4.1.8 <info@burmacampaign.org.uk>: Sender address rejected: Domain not found",
     True, False),
])
def test_replies_are_classified(reply: str, sender: bool, hard: bool) -> None:
    code = int(reply[:3])
    assert about_sender(code, reply) is sender
    assert hard_bounce(code, reply) is hard


@pytest.mark.parametrize(("status", "text"), [
    ((5, 1, 8), "553 Sender address rejected: Domain not found"),
    ((5, 1, 7), "550 bad sender"),
    ((5, 1, 0), "550 Sender denied"),
    ((5, 1, 1), "550 5.1.1 Sender verify failed"),
])
def test_a_bounce_about_the_sender_is_never_a_hard_bounce(status, text) -> None:
    """A DSN's Status field and diagnostic (bounces.py passes both): no suppression."""
    assert hard_bounce(int(text[:3]), text, status) is False


def test_a_refused_sender_address_stops_the_run_and_suppresses_nobody(project: Path,
                                                                      run) -> None:
    people = write_list(project, 5)
    refusal = "553 5.1.8 <info@burmacampaign.org.uk>: Sender address rejected: Domain not found"
    recorder = Recorder(rcpt_faults={f"p{i:03d}@example.org": [refusal] for i in range(5)})
    with Server(recorder) as server:
        code, out, err = run(server, *send_args(project, people, "--send"))
        assert server.recorder.messages == []
        assert code == 1
        assert (f"briefgen: stopped: the mail provider refused to send more: {refusal}. This "
                "is about the sender or the provider (a quota, a rate limit, a block), not "
                "about p000@example.org: nobody was marked failed, and 5 recipient(s) are "
                "still pending.") in " ".join(err.split())
        assert "pending 5;" in out
        code, out, _ = run(server, "mail", "suppressed", "--root", str(project))
        assert out == "the suppression store is empty\n"
    assert set(ledger_states(project).values()) == {"pending"}


@pytest.mark.parametrize("where", ["rcpt", "mail"])
def test_provider_refusal_stops_the_run_and_the_rest_stay_pending(project: Path, run,
                                                                  where) -> None:
    people = write_list(project, 10)
    quota = "550 5.4.5 Daily user sending quota exceeded."
    recorder = Recorder(refuse_after=(3, quota)) if where == "rcpt" else \
        Recorder(mail_faults={4: "550 5.7.1 Sender address rejected: not owned by user"})
    args = send_args(project, people, "--send")
    with Server(recorder) as server:
        code, out, err = run(server, *args)
        assert len(server.recorder.messages) == 3
        reply = quota if where == "rcpt" else \
            "the server refused the sender info@burmacampaign.org.uk: 550 5.7.1 Sender " \
            "address rejected: not owned by user"
        assert (f"briefgen: stopped: the mail provider refused to send more: {reply}. This "
                "is about the sender or the provider (a quota, a rate limit, a block), not "
                "about p003@example.org: nobody was marked failed, and 7 recipient(s) are "
                "still pending.") in err
        assert code == 1
        assert "pending 7, sent 3" in out
        assert sorted(ledger_states(project).values()) == ["pending"] * 7 + ["sent"] * 3
        code, out, _ = run(server, "mail", "suppressed", "--root", str(project))
        assert out == "the suppression store is empty\n"
        # the quota resets: the same command carries on
        server.recorder.refuse_after = None
        code, out, _ = run(server, *args)
        assert code == 0, out
        got = server.recorder.count_by_recipient()
    assert len(got) == 10 and set(got.values()) == {1}


def test_the_final_dot_is_awaited_ten_minutes(project: Path) -> None:
    entered, release = threading.Event(), threading.Event()

    class Slow(Recorder):
        async def handle_DATA(self, server, session, envelope):
            entered.set()
            await server.loop.run_in_executor(None, release.wait, 30)
            return await super().handle_DATA(server, session, envelope)

    with Server(Slow()) as server:
        session = SmtpSession(smtp_from_env(server.env), timeout=5.0)
        results = []
        worker = threading.Thread(target=lambda: results.append(session.send(
            "info@example.org", "a@example.org", b"Subject: x\r\n\r\nhello\r\n",
            lambda: None)))
        worker.start()
        assert entered.wait(30)
        deadline = time.monotonic() + 30
        while session.conn.sock.gettimeout() != DOT_TIMEOUT and time.monotonic() < deadline:
            time.sleep(0.01)
        assert session.conn.sock.gettimeout() == DOT_TIMEOUT == 600
        release.set()
        worker.join(30)
        assert results[0].outcome is Outcome.SENT
        assert session.conn.sock.gettimeout() == 5.0  # other commands: the short timeout
        session.close()


# ---------------------------------------------------------------------- retry, resolve
def test_retry_and_resolve_reach_every_state(project: Path, run) -> None:
    root = str(project)
    people = write_list(project, 5)
    recorder = Recorder(drop_after_store={"p001@example.org", "p002@example.org"},
                        rcpt_faults={"p003@example.org": ["450 busy"] * 2})
    with Server(recorder) as server:
        code, out, _ = run(server, *send_args(project, people, "--send", "--ambiguous",
                                              "hold", "--retry-delay", "0.01"))
        campaign = campaign_of(project)
        assert code == 1
        states = ledger_states(project)
        assert states["p001@example.org"] == states["p002@example.org"] == "held"
        code, out, _ = run(server, "mail", "status", campaign, "--root", root)
        assert (f"held for review: p001@example.org (briefgen mail resolve {campaign} "
                "p001@example.org --delivered or --resend)") in out
        # a person checked the relay's log: p001 got it; p002 did not
        code, out, err = run(server, "mail", "resolve", campaign, "P001@example.org",
                           "--delivered", "--root", root)
        assert out == f"{campaign}: P001@example.org: held -> sent\n", err
        code, out, _ = run(server, "mail", "retry", campaign, "--held", "--root", root)
        assert code == 0 and "sent 5" in out
        got = server.recorder.count_by_recipient()
        assert got["p001@example.org"] == 1 and got["p002@example.org"] == 2
        # someone lost the message: send it again on purpose
        code, out, _ = run(server, "mail", "resolve", campaign, "p004@example.org",
                           "--resend", "--root", root)
        assert out == (f"{campaign}: p004@example.org: sent -> pending; briefgen mail retry "
                       f"{campaign} sends it\n")
        code, out, _ = run(server, "mail", "retry", campaign, "--root", root)
        assert code == 0 and server.recorder.count_by_recipient()["p004@example.org"] == 2
        # usage errors say what to do
        code, _, err = run(server, "mail", "resolve", campaign, "p004@example.org", "--root",
                           root)
        assert code == 2 and "takes --delivered (the person got the message) or --resend" in err
        code, _, err = run(server, "mail", "retry", campaign, "--delivered", "--root", root)
        assert code == 2 and "--delivered goes with 'mail resolve', not with mail retry" in err
        code, _, err = run(server, "mail", "resolve", campaign, "nobody@example.org",
                           "--delivered", "--root", root)
        assert code == 2 and f"nobody@example.org is not a recipient of campaign {campaign}" \
            in err


def test_retry_failed_after_a_crash(project: Path) -> None:
    people = write_list(project, 6)
    recorder = Recorder(rcpt_faults={"p002@example.org": ["554 5.7.1 Message refused by "
                                                          "recipient policy (user)"]})
    with Server(recorder) as server:
        assert run_subprocess(server, send_args(project, people, "--send")).returncode == 1
        campaign = campaign_of(project)
        args = ["mail", "retry", campaign, "--failed", "--root", str(project)]
        killed = run_subprocess(server, args, crash="inflight:1")
        assert killed.returncode == -9
        done = run_subprocess(server, args)
        assert done.returncode == 0, done.stdout + done.stderr
        got = server.recorder.count_by_recipient()
    assert len(got) == 6 and set(got.values()) == {1}


# ---------------------------------------------------------------------- a changed briefing
def _interrupted_campaign(project: Path, server: Server, people: Path) -> str:
    first = run_subprocess(server, send_args(project, people, "--send"), crash="inflight:4")
    assert first.returncode == -9
    return campaign_of(project)


def test_a_changed_briefing_is_refused_while_the_old_campaign_is_unfinished(
        project: Path, run) -> None:
    people = write_list(project, 8)
    with Server() as server:
        old = _interrupted_campaign(project, server, people)
        old_pdf = server.recorder.messages[0].get_payload()[1].get_content()
        change_briefing(project)
        approve(project)
        code, _, err = run(server, *send_args(project, people, "--send"))
        assert code == 1 and len(server.recorder.messages) == 3
        new = f"{BID}-people-"
        assert (f"briefgen: {BID}: campaign {old} (an earlier PDF of this briefing, to the "
                f"same list) is not finished, and this PDF would start a new campaign "
                f"({new}") in err
        assert (f"Either finish the earlier one (briefgen mail retry {old} sends its PDF to "
                "those not yet mailed; add --held or --failed for those), or run this "
                "command again with --new-campaign to send the new PDF to everyone on the "
                "list who has not had the earlier one") in err
        # a dry run says so too
        code, out, _ = run(None, *send_args(project, people))
        assert f"note: campaign {old} (an earlier PDF) is not finished" in out
        # finish the old one: it keeps its own PDF
        code, out, _ = run(server, "mail", "retry", old, "--root", str(project))
        assert code == 0 and "sent 8" in out
        got = server.recorder.count_by_recipient()
        assert len(got) == 8 and set(got.values()) == {1}
        assert all(m.get_payload()[1].get_content() == old_pdf
                   for m in server.recorder.messages)


@pytest.mark.parametrize("crash", [None, "frozen:1", "inflight:2"])
def test_new_campaign_sends_the_new_pdf_to_those_who_had_not_had_the_old(
        project: Path, crash: str | None) -> None:
    people = write_list(project, 8)
    with Server() as server:
        old = _interrupted_campaign(project, server, people)
        change_briefing(project)
        approve(project)
        args = send_args(project, people, "--send", "--new-campaign")
        if crash:
            killed = run_subprocess(server, args, crash=crash)
            assert killed.returncode == -9, killed.stderr
            args = args[:-1]  # the rerun resumes the new campaign without the flag
        done = run_subprocess(server, args)
        assert done.returncode == 0, done.stdout + done.stderr
        got = server.recorder.count_by_recipient()
        status = run_subprocess(None, ["mail", "status", "--root", str(project)]).stdout
    # everyone once: the first three the old PDF (and no more), the rest the new one
    assert len(got) == 8 and all(n == 1 for a, n in got.items() if a != "p003@example.org")
    assert got["p003@example.org"] <= 2  # the one a crash interrupted may get both
    new = next(n for n in (p.stem for p in project.glob(".briefgen/mail/*.sqlite"))
               if n != old)
    assert sorted(ledger_states(project, old).values()) == ["sent"] * 3 + ["superseded"] * 5
    assert set(ledger_states(project, new).values()) == {"sent"}
    assert len(ledger_states(project, new)) == 5
    assert f"{old}: {BID} to people, superseded by {new}: sent 3, superseded 5" in status
    assert f"{new}: {BID} to people, finished: sent 5" in status


# ---------------------------------------------------------------------- approval
def test_nothing_is_sent_without_an_approved_pdf(full: Path, cli, monkeypatch) -> None:
    from smtpserver import SECRET, SETTINGS

    (full / "mail").mkdir()
    (full / "mail/settings.yaml").write_text(SETTINGS, encoding="utf-8")
    monkeypatch.setenv("BRIEFGEN_UNSUBSCRIBE_SECRET", SECRET)
    people = write_list(full, 3)
    with Server() as server:
        for k, v in server.env.items():
            monkeypatch.setenv(k, v)
        code, _, err = cli(*send_args(full, people, "--send"))
        assert code == 1 and server.recorder.messages == []
        assert err == (f"briefgen: {BID} has no published edition: mail sends editions, so "
                       "that what readers received is kept. Publish it first: briefgen "
                       f"publish {BID} (a test message works without: --test "
                       "you@example.org)\n")
        assert cli("publish", BID, "--root", str(full), "--by", "Amina Khan")[0] == 0
        code, _, err = cli(*send_args(full, people, "--send"))
        assert code == 1 and server.recorder.messages == []
        assert (f"briefgen: {BID}: its PDF ") in err and (
            " is not approved for sending. Send a test first (briefgen mail "
            f"{BID} --test you@example.org), check it, then approve it: briefgen mail "
            f"approve {BID} --by YOUR-NAME") in err
        code, out, _ = cli(*send_args(full, people, "--test", "reviewer@example.org"))
        assert code == 0 and len(server.recorder.messages) == 1  # a test needs no approval
        code, out, _ = cli("mail", "approve", BID, "--by", "Amina Khan", "--root", str(full))
        assert code == 0 and out.startswith(f"{BID}: PDF ") and "approved by Amina Khan on" in out
        code, out, _ = cli("mail", "status", "--root", str(full))
        assert "approvals:" in out and "approved by Amina Khan" in out
        assert "(the PDF in dist/ now)" in out
        code, out, _ = cli(*send_args(full, people, "--send"))
        assert code == 0 and len(server.recorder.messages) == 4
        change_briefing(full)
        code, _, err = cli(*send_args(full, people, "--send"))
        assert code == 1 and f"{BID} has changes since its latest edition" in err
        assert f"see them with briefgen diff {BID}, then publish them" in err
        assert cli("publish", BID, "--root", str(full), "--by", "Amina Khan")[0] == 0
        code, _, err = cli(*send_args(full, people, "--send"))
        assert code == 1 and "(the approved PDF " in err and ", approved by Amina Khan on " \
            in err and "has changed since)" in err
        code, out, _ = cli("mail", "status", "--root", str(full))
        assert "(not the PDF in dist/ now)" in out


# ---------------------------------------------------------------------- dry run
def test_dry_run_writes_a_sample_and_a_manifest(project: Path, run) -> None:
    rows = ["email,name,segments"]
    rows += [f"s{i:03d}@example.org,S {i},supporters" for i in range(50)]
    rows += ["late@example.org,Late Journalist,journalists", "bad-row,Bad,supporters",
             "gone@example.org,Gone,supporters"]
    people = project / "big.csv"
    people.write_text("\n".join(rows) + "\n", encoding="utf-8")
    (project / "suppressed.txt").write_text("gone@example.org\n")
    base = send_args(project, people, "--suppress", str(project / "suppressed.txt"))
    code, out, _ = run(None, *base)
    assert code == 0
    outbox = next((project / "dist/outbox").iterdir())
    assert (f"would send 51 messages; wrote 21 sample messages and manifest.csv (everyone on "
            f"the list) to {outbox}") in out
    emls = sorted(p.name for p in outbox.glob("*.eml"))
    assert len(emls) == 21 and emls[-1] == "0021-late@example.org.eml"  # one per segment
    with (outbox / "manifest.csv").open(encoding="utf-8-sig") as fh:
        manifest = list(csv.DictReader(fh))
    assert len(manifest) == 53
    by = {r["email"] or r["line"]: r for r in manifest}
    assert by["s030@example.org"]["outcome"] == "would send"
    assert by["s030@example.org"]["sample"] == ""
    assert by["s000@example.org"]["sample"] == "0001-s000@example.org.eml"
    assert (by["gone@example.org"]["outcome"], by["gone@example.org"]["reason"]) == \
        ("skipped", "suppressed (in suppressed.txt)")
    assert by["53"]["outcome"] == "skipped" and "is not a valid address" in by["53"]["reason"]
    code, out, _ = run(None, *base, "--sample", "2")
    assert len(list(outbox.glob("*.eml"))) == 3
    code, out, _ = run(None, *base, "--outbox-all")
    assert len(list(outbox.glob("*.eml"))) == 51
    code, _, err = run(None, "mail", "status", "--root", str(project), "--outbox-all")
    assert code == 2 and "--outbox-all goes with 'mail ID', not with mail status" in err
    shutil.rmtree(outbox)


@pytest.mark.parametrize("linked", ["outbox", "campaign"])
def test_a_linked_outbox_is_replaced_never_followed(project: Path, run, tmp_path: Path,
                                                    linked: str) -> None:
    """dist/outbox (or its campaign folder) made a link to a folder outside the project:
    the dry run removes the link and writes a real folder; nothing outside is deleted
    (it deleted the campaign's folder there, or crashed with exit 3)."""
    import os

    people = write_list(project, 2)
    outbox = project / "dist/outbox"
    code, out, err = run(None, *send_args(project, people))
    assert code == 0, out + err
    (name,) = (p.name for p in outbox.iterdir())  # the campaign is named after the PDF
    shutil.rmtree(outbox)
    outside = tmp_path / "outside"
    (outside / name).mkdir(parents=True)
    (outside / name / "IMPORTANT.txt").write_text("keep me")
    if linked == "outbox":
        os.symlink(outside, outbox)
    else:
        outbox.mkdir()
        os.symlink(outside / name, outbox / name)
    code, out, err = run(None, *send_args(project, people))
    assert code == 0, out + err
    assert not outbox.is_symlink() and not (outbox / name).is_symlink()
    assert sorted(p.name for p in (outbox / name).iterdir()) == [
        "0001-p000@example.org.eml", "0002-p001@example.org.eml", "manifest.csv"]
    assert sorted(str(p.relative_to(outside)) for p in outside.rglob("*")) == [
        name, f"{name}/IMPORTANT.txt"]
    assert (outside / name / "IMPORTANT.txt").read_text() == "keep me"


def test_one_edition_reaches_a_person_once_whatever_lists_they_are_on(project: Path,
                                                                      run) -> None:
    """The same edition went again to everyone on a list exported again under a new name,
    and to a person on two lists (found by review): campaigns are kept per list, so each
    list was a new campaign. A person sent this very PDF by any campaign is skipped."""
    with Server() as server:
        supporters = write_list(project, 4, name="supporters.csv")
        code, _, err = run(server, *send_args(project, supporters, "--send"))
        assert code == 0, err
        assert len(server.recorder.raw) == 4
        again = project / "supporters-export-2026-11-30.csv"  # the same people, renamed
        again.write_bytes(supporters.read_bytes())
        code, out, err = run(server, *send_args(project, again, "--send"))
        assert code == 0, err
        assert len(server.recorder.raw) == 4
        assert "p001@example.org: already had this edition (campaign " in out
        journalists = write_list(project, 6, name="journalists.csv")  # p000-p003 and two new
        code, out, err = run(server, *send_args(project, journalists, "--send"))
        assert code == 0, err
        assert server.recorder.count_by_recipient() == {f"p{i:03d}@example.org": 1
                                                        for i in range(6)}


def test_a_person_an_unfinished_campaign_will_reach_is_not_mailed_by_another(project: Path,
                                                                           run) -> None:
    """Only those another campaign had *sent* were skipped: a list exported again while the
    first campaign was stopped by a quota mailed its pending people, and resuming the first
    mailed them again (found by reviewing the one-edition rule)."""
    quota = "550 5.4.5 Daily user sending quota exceeded."
    with Server(Recorder(refuse_after=(2, quota))) as server:
        first = write_list(project, 6, name="supporters.csv")
        assert run(server, *send_args(project, first, "--send"))[0] == 1
        server.recorder.refuse_after = None
        again = project / "supporters-export.csv"  # the same people, another name
        again.write_bytes(first.read_bytes())
        code, out, err = run(server, *send_args(project, again, "--send"))
        assert code == 0, err
        assert "p002@example.org: gets this edition from campaign " in out
        code, _, err = run(server, *send_args(project, first, "--send"))  # resumed
        assert code == 0, err
        got = server.recorder.count_by_recipient()
    assert got == {f"p{i:03d}@example.org": 1 for i in range(6)}
