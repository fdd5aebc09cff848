"""Mail against a real SMTP server on 127.0.0.1: delivery, personalisation, suppression,
temporary and permanent failures, lost connections, TLS and login, crashes at every step,
header injection, and the password never shown."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefgen.cli import main
from briefgen.mail.smtp import dot_stuff
from briefgen.mail.unsubscribe import Signer
from conftest import REPO

pytest.register_assert_rewrite("smtpserver")
from smtpserver import (  # noqa: E402 - after registering it for assertion rewriting
    BID,
    SECRET,
    SETTINGS,
    Authenticator,
    Recorder,
    Server,
    approve,
    free_port,
    ledger_states,
    run_subprocess,
    send_args,
    write_list,
)

pytest_plugins = ["smtpserver"]

PASSWORD = "s3cr3t-Passw0rd-never-shown"


# ---------------------------------------------------------------------- dry run
def test_dry_run_writes_outbox_and_summary(project: Path, cli) -> None:
    shutil.copy(REPO / "mail/example-list.csv", project / "list.csv")
    shutil.copy(REPO / "mail/example-suppressed.txt", project / "suppressed.txt")
    code, out, err = cli("mail", BID, "--root", str(project), "--list",
                         str(project / "list.csv"), "--suppress", str(project / "suppressed.txt"))
    assert code == 0, err
    assert "would send 4 messages" in out
    assert "by segment: journalists 3, parliamentarians 1, supporters 3" in out
    assert "tom.reid@example.org: suppressed" in out
    assert "list.csv:7: 'not-an-address' is not a valid address" in out
    (outbox,) = (project / "dist/outbox").iterdir()
    assert len(list(outbox.glob("*.eml"))) == 4
    # a dry run records nothing: no ledger, no suppression store (only the approval is there)
    assert [p.name for p in (project / ".briefgen/mail").iterdir()] == ["approvals.db"]


# ---------------------------------------------------------------------- delivery
def test_fifty_recipients_each_get_one_personalised_message(project: Path, run) -> None:
    people = write_list(project, 50)
    with Server() as server:
        code, out, err = run(server, "mail", BID, "--root", str(project), "--list", str(people),
                             "--segment", "journalists", "--segment", "supporters", "--send")
        assert code == 0, out + err
        assert f"campaign {BID}-people-" in out and "sent 50" in out
        pdf = (project / f"dist/{BID}.pdf").read_bytes()
        received = server.recorder.messages
        assert len(received) == 50
        ids = set()
        for msg in received:
            to = msg["To"].addresses[0]
            n = int(to.username[1:])
            text = msg.get_body(("plain",)).get_content()
            html = msg.get_body(("html",)).get_content()
            greeting = "Dear friend," if n == 3 else f"Dear Person{n},"
            assert greeting in text and greeting in html
            assert "13 countries involved in training and cooperation" in text
            assert "<img" not in html.lower()
            (attachment,) = list(msg.iter_attachments())
            assert attachment.get_filename() == f"{BID}.pdf"
            assert attachment.get_content() == pdf
            assert msg["Subject"] == ("Briefing: 13 countries still train and cooperate with "
                                      "the Burmese military")
            assert msg["List-Id"] == "Burma Campaign UK briefings <briefings.example.org>"
            token = Signer(SECRET.encode()).token("people", to.addr_spec)
            assert msg["List-Unsubscribe"] == (
                f"<https://lists.example.org/unsubscribe/{token}>, "
                f"<mailto:unsubscribe@example.org?subject=unsubscribe%20{to.addr_spec}>")
            assert f"https://lists.example.org/unsubscribe/{token}" in text
            assert "mailto:" not in text and "%20" not in text
            assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            assert msg["Message-ID"].endswith("@burmacampaign.org.uk>")
            ids.add(msg["Message-ID"])
        assert len(ids) == 50
        # the same command again: the campaign is complete, nobody is mailed twice
        code, out, _ = run(server, "mail", BID, "--root", str(project), "--list", str(people),
                           "--segment", "journalists", "--segment", "supporters", "--send")
        assert code == 0 and "sent 50" in out
        assert len(server.recorder.messages) == 50


def test_aiosmtpd_as_a_separate_process(project: Path, run, tmp_path: Path) -> None:
    people = write_list(project, 5)
    port = free_port()
    maildir = tmp_path / "maildir"
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l",
                               f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox",
                               str(maildir)])
    try:
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                import socket
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        env = {"BRIEFGEN_SMTP_HOST": "127.0.0.1", "BRIEFGEN_SMTP_PORT": str(port),
               "BRIEFGEN_SMTP_SECURITY": "none"}
        code, out, err = run(None, "mail", BID, "--root", str(project), "--list", str(people),
                             "--segment", "journalists", "--segment", "supporters", "--send",
                             env=env)
        assert code == 0, out + err
    finally:
        server.terminate()
        server.wait(10)
    import mailbox
    box = mailbox.Maildir(maildir)
    assert sorted(m["To"].split("<")[-1].rstrip(">") for m in box) == [
        f"p{i:03d}@example.org" for i in range(5)]


def test_suppressed_addresses_are_never_mailed(project: Path, run) -> None:
    people = write_list(project, 6)
    (project / "suppressed.csv").write_text("email,reason\nP002@Example.org,unsubscribed\n")
    with Server() as server:
        code, out, _ = run(server, "mail", BID, "--root", str(project), "--list", str(people),
                           "--segment", "journalists", "--segment", "supporters",
                           "--suppress", str(project / "suppressed.csv"), "--send")
        assert code == 0
        got = server.recorder.count_by_recipient()
    assert "p002@example.org" not in got and len(got) == 5
    assert "p002@example.org: suppressed" in out


def test_suppression_is_checked_again_before_each_send(project: Path, run) -> None:
    """A crash after two sends; the list gains an address; the resumed run skips it."""
    people = write_list(project, 6)
    suppress = project / "suppressed.txt"
    suppress.write_text("# nobody yet\n")
    args = ["mail", BID, "--root", str(project), "--list", str(people), "--segment",
            "journalists", "--segment", "supporters", "--suppress", str(suppress), "--send"]
    with Server() as server:
        done = run_subprocess(server, args, crash="inflight:3")
        assert done.returncode == -9
        suppress.write_text("p004@example.org\n")
        code, _, _ = run(server, *args)
        got = server.recorder.count_by_recipient()
    assert code == 0
    assert "p004@example.org" not in got
    assert ledger_states(project)["p004@example.org"] == "suppressed"
    assert all(v == 1 for v in got.values()) and len(got) == 5


# ---------------------------------------------------------------------- failures
def test_temporary_failure_is_retried_then_sent(project: Path, run) -> None:
    people = write_list(project, 4)
    recorder = Recorder(rcpt_faults={"p001@example.org": ["450 mailbox busy, try later"]})
    with Server(recorder) as server:
        code, out, _ = run(server, "mail", BID, "--root", str(project), "--list", str(people),
                           "--segment", "journalists", "--segment", "supporters", "--send",
                           "--retry-delay", "0.05")
        assert code == 0, out
        assert server.recorder.count_by_recipient()["p001@example.org"] == 1
    assert ledger_states(project)["p001@example.org"] == "sent"


def test_permanent_failure_is_recorded_and_others_are_sent(project: Path, run) -> None:
    people = write_list(project, 4)
    recorder = Recorder(rcpt_faults={"p002@example.org": ["550 no such user here"] * 9})
    with Server(recorder) as server:
        code, out, _ = run(server, "mail", BID, "--root", str(project), "--list", str(people),
                           "--segment", "journalists", "--segment", "supporters", "--send")
        got = server.recorder.count_by_recipient()
    assert code == 1
    assert "failed: p002@example.org: 550 no such user here" in out
    assert sorted(got) == ["p000@example.org", "p001@example.org", "p003@example.org"]
    assert len(recorder.rcpt_faults["p002@example.org"]) == 8  # asked once, never retried
    code, out, _ = run(None, "mail", "status", "--root", str(project))
    assert "failed 1" in out and "sent 3" in out
    assert "failed: p002@example.org: 550 no such user here" in out


def test_421_and_dropped_connections_lose_and_double_nothing(project: Path, run) -> None:
    people = write_list(project, 12)
    recorder = Recorder(mail_faults={4: "421 too busy, closing"},
                        drop_on_rcpt={"p008@example.org"})
    with Server(recorder) as server:
        code, out, _ = run(server, "mail", BID, "--root", str(project), "--list", str(people),
                           "--segment", "journalists", "--segment", "supporters", "--send")
        got = server.recorder.count_by_recipient()
    assert code == 0, out
    assert len(got) == 12 and set(got.values()) == {1}
    assert "ambiguous 0" in out


@pytest.mark.parametrize("policy", ["resend", "hold"])
def test_connection_lost_after_the_message_is_ambiguous(project: Path, run, policy) -> None:
    people = write_list(project, 5)
    recorder = Recorder(drop_after_store={"p002@example.org"})
    with Server(recorder) as server:
        code, out, _ = run(server, "mail", BID, "--root", str(project), "--list", str(people),
                           "--segment", "journalists", "--segment", "supporters", "--send",
                           "--ambiguous", policy)
        got = server.recorder.count_by_recipient()
    assert "ambiguous 1" in out
    assert got["p002@example.org"] == (2 if policy == "resend" else 1)
    assert all(got[f"p{i:03d}@example.org"] == 1 for i in (0, 1, 3, 4))
    assert ledger_states(project)["p002@example.org"] == ("sent" if policy == "resend"
                                                          else "held")
    assert code == (0 if policy == "resend" else 1)


# ---------------------------------------------------------------------- crashes
@pytest.mark.parametrize("step", ["inflight", "data", "dot", "reply"])
def test_sigkill_at_each_step_then_rerun_mails_everyone_once(project: Path, step) -> None:
    people = write_list(project, 8)
    args = ["mail", BID, "--root", str(project), "--list", str(people), "--segment",
            "journalists", "--segment", "supporters", "--send"]
    with Server() as server:
        first = run_subprocess(server, args, crash=f"{step}:4")
        assert first.returncode == -9, first.stderr  # killed with SIGKILL
        second = run_subprocess(server, args)
        assert second.returncode == 0, second.stdout + second.stderr
        got = server.recorder.count_by_recipient()
    ambiguous = int(second.stdout.rsplit("ambiguous ", 1)[1].split()[0])
    assert len(got) == 8
    doubled = [a for a, n in got.items() if n > 1]
    assert len(doubled) <= ambiguous
    assert all(n <= 2 for n in got.values())
    if step in ("inflight", "data"):  # the server never had the message: no doubt at all
        assert ambiguous == 0 and not doubled
    else:  # the 4th message may have been accepted: counted, resent
        assert ambiguous == 1
    assert set(ledger_states(project).values()) == {"sent"}


# ---------------------------------------------------------------------- TLS and login
def _certificate(tmp: Path) -> tuple[Path, Path]:
    if not shutil.which("openssl"):
        pytest.skip("openssl not installed")
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def _tls_server(tmp: Path) -> tuple[Server, Path]:
    cert, key = _certificate(tmp)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    recorder = Recorder()
    server = Server(recorder, tls_context=context, require_starttls=True,
                    authenticator=Authenticator(recorder, "briefings", PASSWORD),
                    auth_required=True)
    return server, cert


def test_starttls_with_login_against_a_trusted_self_signed_certificate(
        project: Path, run, tmp_path: Path) -> None:
    people = write_list(project, 3)
    server, cert = _tls_server(tmp_path)
    env = {"BRIEFGEN_SMTP_SECURITY": "starttls", "BRIEFGEN_SMTP_USERNAME": "briefings",
           "BRIEFGEN_SMTP_PASSWORD": PASSWORD, "BRIEFGEN_SMTP_CAFILE": str(cert)}
    with server:
        env["BRIEFGEN_SMTP_PORT"] = str(server.port)
        code, out, err = run(server, "mail", BID, "--root", str(project), "--list", str(people),
                             "--segment", "journalists", "--segment", "supporters", "--send",
                             env=env)
        assert code == 0, out + err
        assert len(server.recorder.messages) == 3
        assert server.recorder.logins and server.recorder.logins[0][0] == "briefings"
        # a wrong password is refused without showing either password (to people who have
        # not had this edition: those who have are skipped before any connection)
        others = project / "others.csv"
        others.write_text("email,first_name,segments\nq000@example.org,Q,supporters\n",
                          encoding="utf-8")
        code, out2, err2 = run(server, "mail", BID, "--root", str(project), "--list",
                               str(others), "--send", "--campaign", "second",
                               env={**env, "BRIEFGEN_SMTP_PASSWORD": "wrong-" + PASSWORD})
        assert code == 1 and "login refused" in err2
    _assert_secret_nowhere(project, out + err + out2 + err2)


def test_untrusted_certificate_is_refused_by_default(project: Path, run, tmp_path) -> None:
    people = write_list(project, 3)
    server, _ = _tls_server(tmp_path)
    with server:
        env = {"BRIEFGEN_SMTP_SECURITY": "starttls", "BRIEFGEN_SMTP_USERNAME": "briefings",
               "BRIEFGEN_SMTP_PASSWORD": PASSWORD, "BRIEFGEN_SMTP_PORT": str(server.port)}
        code, out, err = run(server, "mail", BID, "--root", str(project), "--list",
                             str(people), "--send", env=env)
        assert server.recorder.messages == []
    assert code == 1
    assert "certificate is not trusted" in err
    _assert_secret_nowhere(project, out + err)


def test_password_command_is_used(project: Path, run, tmp_path: Path) -> None:
    people = write_list(project, 2)
    server, cert = _tls_server(tmp_path)
    with server:
        env = {"BRIEFGEN_SMTP_SECURITY": "starttls", "BRIEFGEN_SMTP_USERNAME": "briefings",
               "BRIEFGEN_SMTP_PASSWORD_COMMAND": f"printf %s {PASSWORD}",
               "BRIEFGEN_SMTP_CAFILE": str(cert), "BRIEFGEN_SMTP_PORT": str(server.port)}
        code, out, err = run(server, "mail", BID, "--root", str(project), "--list",
                             str(people), "--segment", "journalists", "--segment",
                             "supporters", "--send", env=env)
        assert code == 0, out + err
        assert len(server.recorder.messages) == 2
    _assert_secret_nowhere(project, out + err)


def _assert_secret_nowhere(root: Path, output: str) -> None:
    assert PASSWORD not in output
    for path in root.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path


# ---------------------------------------------------------------------- refusals
@pytest.mark.parametrize(("subject", "error"), [
    ('  subject: "Briefing:\\nBcc: everyone@example.org {{',
     "an email subject must be one line: remove the line break"),
    ('  subject: "=?utf-8?q?Briefing=0D=0ABcc:_everyone@example.org?= {{',
     "a line break in an email header value: make it one line"),
])
def test_line_break_in_subject_is_a_located_error(project: Path, run, subject: str,
                                                  error: str) -> None:
    """Written out, or hidden in an encoded word that the email package would decode."""
    spec = project / f"briefings/{BID}.yaml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace('  subject: "Briefing: {{', subject, 1), encoding="utf-8")
    people = write_list(project, 2)
    with Server() as server:
        code, _, err = run(server, "mail", BID, "--root", str(project), "--list",
                           str(people), "--send")
        assert server.recorder.messages == []
    assert code == 1
    assert f"briefings/{BID}.yaml:65:12: mail.subject: {error}" in err


def test_line_break_in_a_name_is_a_located_error(project: Path, run) -> None:
    people = write_list(project, 2, extra='evil@example.org,"Eve\nBcc: all@example.org",X,'
                                          "supporters\n")
    with Server() as server:
        code, _, err = run(server, "mail", BID, "--root", str(project), "--list",
                           str(people), "--send")
        assert server.recorder.messages == []
    assert code == 1
    assert "people.csv:4: first_name: a line break in a name would break the email's " \
           "headers: fix the row" in err


def test_test_message_and_changed(project: Path, run) -> None:
    people = write_list(project, 3)
    args = ["mail", BID, "--root", str(project), "--list", str(people), "--segment",
            "journalists", "--segment", "supporters"]
    with Server() as server:
        code, out, _ = run(server, *args, "--test", "Editor@Example.org")
        assert code == 0 and "test message sent to Editor@Example.org" in out
        (msg,) = server.recorder.messages
        assert msg["Subject"].startswith("[TEST] Briefing:")
        code, _, err = run(server, "mail", BID, "--root", str(project), "--test",
                           "desk@example.org")  # no list needed for a test message
        assert code == 0, err
        server.recorder.messages.pop()
        assert not list(project.glob(".briefgen/mail/*.sqlite"))  # not a campaign delivery
        assert run(server, *args, "--send")[0] == 0
        code, out, _ = run(server, *args, "--send", "--changed")
        assert "unchanged since campaign" in out and len(server.recorder.messages) == 4
        belarus = project / "briefings/facts/countries/belarus.yaml"
        belarus.write_text(belarus.read_text().replace("air defence", "air-defence", 1))
        code, _, err = run(server, *args, "--send", "--changed")
        assert code == 1 and f"{BID} has changes since its latest edition" in err
        assert main(["publish", BID, "--root", str(project), "--by", "Ed"]) == 0
        code, _, err = run(server, *args, "--send", "--changed")
        assert code == 1 and "is not approved for sending (the approved PDF" in err
        approve(project)  # a new edition needs a new approval
        code, out, _ = run(server, *args, "--send", "--changed")
        assert code == 0 and "sent 3" in out
        assert len(server.recorder.messages) == 7
        first, last = server.recorder.messages[1], server.recorder.messages[-1]
        text = last.get_body(("plain",)).get_content()
        assert "We have updated our briefing" in text and ": Belarus’ entry." in text
        assert "We have published a new briefing" in first.get_body(("plain",)).get_content()
        html = last.get_body(("html",)).get_content()
        assert "Belarus’ entry.</p>" in html


def test_a_campaign_mails_the_published_pdf_only(project: Path, run) -> None:
    """The edition's PDF is what is sent; a PDF changed after it was published is refused."""
    people = write_list(project, 2)
    with Server() as server:
        assert run(server, *send_args(project, people, "--send"))[0] == 0
        (pdf,) = project.glob("editions/*/*/" + BID + ".pdf")
        sent = server.recorder.messages[0].get_payload()[-1].get_payload(decode=True)
        assert sent == pdf.read_bytes()
        pdf.write_bytes(pdf.read_bytes().replace(b"Belarus", b"Belorus", 1))
        code, _, err = run(server, *send_args(project, people, "--send", "--campaign", "again"))
        assert code == 1 and len(server.recorder.messages) == 2
        rel = pdf.relative_to(project).as_posix()
        assert err == (f"{rel}\n  {rel}: this PDF is not the one that was published (its "
                       "hash differs from edition.json); restore it from git\n")


def test_dot_stuffing() -> None:
    assert dot_stuff(b"a\n.b\r\n..c\rd") == b"a\r\n..b\r\n...c\r\nd\r\n"


def test_check_reports_mail_settings_and_template_errors(project: Path, cli) -> None:
    settings = project / "mail/settings.yaml"
    settings.write_text(SETTINGS.replace("list_id:", "list_di:"), encoding="utf-8")
    code, out, _ = cli("check", "--root", str(project))
    assert code == 1
    assert "mail/settings.yaml:5:1: list_di: unknown key 'list_di' (did you mean 'list_id'?)" \
        in out
    settings.write_text(SETTINGS, encoding="utf-8")
    template = project / "styles/mail/briefing.html.j2"
    template.write_text(template.read_text() + "{% if %}\n", encoding="utf-8")
    code, out, _ = cli("check", "--root", str(project))
    assert code == 1 and "styles/mail/briefing.html.j2:" in out and "syntax error" in out


def test_a_mail_template_linked_out_of_the_project_is_not_read(project: Path, cli,
                                                              tmp_path: Path) -> None:
    """What a mail template says is mailed: one that is a link out of the project was read
    (found by review)."""
    template = project / "styles/mail/briefing.txt.j2"
    outside = tmp_path / "elsewhere.txt.j2"
    outside.write_bytes(template.read_bytes() + b"SECRET")
    template.unlink()
    template.symlink_to(outside)
    code, out, _ = cli("check", "--root", str(project))
    assert code == 1
    assert f"  styles/mail/briefing.txt.j2: this is a link to {outside}, outside the project: " \
           "briefgen reads only the project's own files (put the file itself here instead " \
           "of a link)\n" in out


def test_check_renders_the_mail_templates_once(project: Path, cli) -> None:
    """A template that compiles but fails on what it is given (a misspelt name) passed
    check, and `mail` then failed, without a line number."""
    from conftest import replace_once

    line = replace_once(project / "styles/mail/briefing.txt.j2", "{{ briefing.url }}",
                        "{{ briefing.url.foo.bar }}")
    code, out, _ = cli("check", "--root", str(project))
    assert code == 1
    assert (f"  styles/mail/briefing.txt.j2:{line}:1: template error: 'str object' has no "
            "attribute 'foo'\n") in out


@pytest.mark.parametrize(("code", "error"), [
    ("{{ 1 // 0 }}", "ZeroDivisionError: integer division or modulo by zero"),
    ("{{ briefing.title + 1 }}", "TypeError: can only concatenate str (not \"int\") to str"),
])
def test_a_mail_template_that_fails_is_a_located_error_not_a_crash(project: Path, cli, code,
                                                                   error) -> None:
    """The rehearsal caught only Jinja's own errors: '{{ 1 // 0 }}' made check and every
    build end with exit 3 (found by review)."""
    template = project / "styles/mail/briefing.txt.j2"
    text = template.read_text(encoding="utf-8")
    template.write_text(text + code + "\n", encoding="utf-8")
    line = text.count("\n") + 1
    status, out, _ = cli("check", "--root", str(project))
    assert status == 1
    assert f"  styles/mail/briefing.txt.j2:{line}:1: template error: {error}\n" in out
    assert cli("build", "--root", str(project), "--format", "pdf")[0] == 0


def test_a_mail_settings_error_does_not_fail_a_build(project: Path, cli) -> None:
    """The mail settings are mail's (and check's) to report: a build of the PDFs and the
    web edition says nothing about them and succeeds (it used to end with exit status 1
    and no word of why)."""
    settings = project / "mail/settings.yaml"
    settings.write_text(SETTINGS.replace("list_id:", "list_di:"), encoding="utf-8")
    code, out, err = cli("build", "--root", str(project), "--force")
    assert (code, err) == (0, "") and "web: built 4," in out
    code, out, _ = cli("check", "--root", str(project))
    assert code == 1 and "list_di: unknown key 'list_di'" in out
