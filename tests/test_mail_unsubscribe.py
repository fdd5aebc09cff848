"""One-click unsubscribe (RFC 8058) that works, and DKIM over the headers that carry it.

Signed tokens; the Starlette app (TestClient) at the endpoint's path: GET shows a button and
changes nothing, POST unsubscribes with no cookie or login, forged tokens are refused; the
whole flow over a real socket with `briefgen unsubscribe serve`; DKIM signatures that verify
and break when a covered header is altered; settings checked with located errors."""

from __future__ import annotations

import email
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.policy import default
from pathlib import Path
from urllib.parse import urlsplit

import dkim
import pytest

from briefgen.mail.settings import MailSettings
from briefgen.mail.suppress import SuppressionStore
from briefgen.mail.unsubscribe import Signer
from briefgen.mail.unsubscribe_app import create_app

pytest.register_assert_rewrite("smtpserver")
from smtpserver import (  # noqa: E402 - after registering it for assertion rewriting
    SECRET,
    SETTINGS,
    Server,
    free_port,
    run_subprocess,
    send_args,
    write_list,
)

pytest_plugins = ["smtpserver"]

FIXTURES = Path(__file__).parent / "fixtures/mail"
SIGNER = Signer(SECRET.encode())


# ---------------------------------------------------------------------- tokens
def test_tokens_name_list_and_address_and_refuse_any_change() -> None:
    token = SIGNER.token("supporters", "josé@example.org")
    assert SIGNER.read(token) == ("supporters", "josé@example.org")
    version, payload, mac = token.split(".")
    forged = Signer(b"another-secret-0123456789").token("supporters", "josé@example.org")
    other = SIGNER.token("supporters", "ann@example.org").split(".")[1]
    for bad in (forged, f"{version}.{other}.{mac}", f"{version}.{payload}.{mac[:-2]}AA",
                f"2.{payload}.{mac}", token[:-1], "", "not-a-token", "1..", "1.%%.%%"):
        assert SIGNER.read(bad) is None, bad


# ---------------------------------------------------------------------- the app
@pytest.fixture
def client(tmp_path: Path):
    import yaml
    from starlette.testclient import TestClient

    settings = MailSettings.model_validate(yaml.safe_load(SETTINGS))
    store = tmp_path / "suppressions.db"
    with TestClient(create_app(settings, SIGNER, store)) as test_client:
        test_client.store = store
        yield test_client


def _suppressed(store: Path) -> dict[str, str]:
    with SuppressionStore(store, readonly=True) as s:
        return {e.email: e.reason for e in s.entries()}


def test_get_shows_a_button_and_changes_nothing(client) -> None:
    path = f"/unsubscribe/{SIGNER.token('people', 'ann@example.org')}"
    page = client.get(path)
    assert page.status_code == 200
    assert "Stop sending briefings to <strong>ann@example.org</strong>?" in page.text
    assert '<form method="post"><input type="hidden" name="List-Unsubscribe" ' \
           'value="One-Click">' in page.text
    assert "set-cookie" not in page.headers and page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert client.head(path).status_code == 200
    assert _suppressed(client.store) == {}  # a link scanner's GET unsubscribes nobody


@pytest.mark.parametrize("how", ["urlencoded", "multipart", "button"])
def test_post_unsubscribes_without_cookie_or_login(client, how: str) -> None:
    path = f"/unsubscribe/{SIGNER.token('people', 'ann@example.org')}"
    if how == "urlencoded":  # what RFC 8058 mail providers send
        reply = client.post(path, content=b"List-Unsubscribe=One-Click",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    elif how == "multipart":
        reply = client.post(path, files={"List-Unsubscribe": (None, "One-Click")})
    else:  # the confirmation page's button
        reply = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert reply.status_code == 200
    assert "<strong>ann@example.org</strong> gets no more briefings" in reply.text
    assert "set-cookie" not in reply.headers
    assert _suppressed(client.store) == {"ann@example.org": "unsubscribed"}
    assert client.post(path).status_code == 200  # twice: harmless
    assert "You are unsubscribed" in client.get(path).text


def test_forged_and_altered_tokens_are_refused(client) -> None:
    token = SIGNER.token("people", "ann@example.org")
    version, _, mac = token.split(".")
    other = SIGNER.token("people", "bob@example.org").split(".")[1]
    forged = Signer(b"guessed-secret-0123456789").token("people", "ann@example.org")
    for bad in (f"{version}.{other}.{mac}", forged, token[:20]):
        for method in (client.get, client.post):
            reply = method(f"/unsubscribe/{bad}")
            assert reply.status_code == 400
            assert "This unsubscribe link does not work" in reply.text
            assert "You can also write to <strong>unsubscribe@example.org</strong>" in reply.text
    assert _suppressed(client.store) == {}
    assert client.get("/").status_code == 404
    assert client.get(f"/elsewhere/{token}").status_code == 404


# ---------------------------------------------------------------------- end to end
def _serve(project: Path, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFGEN_")}
    env["BRIEFGEN_UNSUBSCRIBE_SECRET"] = SECRET
    server = subprocess.Popen([sys.executable, "-m", "briefgen.cli", "unsubscribe", "serve",
                               "--root", str(project), "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            if server.poll() is not None:
                raise AssertionError(server.communicate()[1]) from None
            time.sleep(0.1)
    server.kill()
    raise AssertionError("the unsubscribe server did not start")


def test_one_click_end_to_end(project: Path, run) -> None:
    """Dry-run message -> its List-Unsubscribe URL -> POST to the running server -> the
    address is suppressed -> the next send skips it."""
    people = write_list(project, 4)
    code, out, _ = run(None, *send_args(project, people))
    assert code == 0
    outbox = next((project / "dist/outbox").iterdir())
    eml = next(outbox.glob("*p002@example.org.eml"))
    msg = email.message_from_bytes(eml.read_bytes(), policy=default)
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = (u.strip(" <>") for u in msg["List-Unsubscribe"].split(","))
    assert https.startswith("https://lists.example.org/unsubscribe/1.")
    assert mailto.startswith("mailto:unsubscribe@example.org?subject=")
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = msg.get_body(("html",)).get_content()
    assert f"unsubscribe here (no login needed):\n{https}\n" in text and "mailto:" not in text
    assert f'<a href="{https}"' in html
    port = free_port()
    server = _serve(project, port)
    try:
        # the reverse proxy passes the path through; here the test is the proxy
        local = f"http://127.0.0.1:{port}{urlsplit(https).path}"
        page = urllib.request.urlopen(local, timeout=10).read().decode()
        assert "Stop sending briefings to <strong>p002@example.org</strong>?" in page
        request = urllib.request.Request(local, data=b"List-Unsubscribe=One-Click",
                                         method="POST", headers={
                                             "Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=10) as reply:
            assert reply.status == 200
            assert "gets no more briefings" in reply.read().decode()
        altered = local[:-3] + ("AAA" if not local.endswith("AAA") else "BBB")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(altered, data=b"", method="POST"),
                                   timeout=10)
        assert refused.value.code == 400
    finally:
        server.terminate()
        server.wait(10)
    with Server() as smtp:
        code, out, _ = run(smtp, *send_args(project, people, "--send"))
        got = smtp.recorder.count_by_recipient()
    assert code == 0
    assert sorted(got) == ["p000@example.org", "p001@example.org", "p003@example.org"]
    assert "p002@example.org: suppressed (unsubscribed)" in out


def test_settings_and_environment_are_checked(project: Path, cli, monkeypatch) -> None:
    settings = project / "mail/settings.yaml"
    settings.write_text(SETTINGS.replace("https://lists.example.org/unsubscribe",
                                         "http://lists.example.org/unsubscribe?x=1")
                        + "bounce_address: bounces at example.org\n", encoding="utf-8")
    code, out, _ = cli("check", "--root", str(project))
    assert code == 1
    assert ("mail/settings.yaml:7:13: unsubscribe.endpoint: 'http://lists.example.org/"
            "unsubscribe?x=1' must start with https:// (mail providers only honour one-click "
            "unsubscribe over HTTPS)") in out
    assert ("mail/settings.yaml:9:17: bounce_address: 'bounces at example.org' is not a valid "
            "address: ") in out
    settings.write_text(SETTINGS.replace(
        '  endpoint: https://lists.example.org/unsubscribe\n  mailto: "mailto:unsubscribe@'
        'example.org?subject=unsubscribe%20{email}"\n', "  {}\n"), encoding="utf-8")
    code, out, _ = cli("check", "--root", str(project))
    assert code == 1 and ("mail/settings.yaml:7:3: unsubscribe: give an endpoint (one-click "
                          "unsubscribe, see README 'Mail') or a mailto address, or both") in out
    settings.write_text(SETTINGS, encoding="utf-8")
    monkeypatch.delenv("BRIEFGEN_UNSUBSCRIBE_SECRET")
    people = write_list(project, 2)
    code, _, err = cli(*send_args(project, people))
    assert code == 2 and "set BRIEFGEN_UNSUBSCRIBE_SECRET to a long random string" in err
    code, _, err = cli("unsubscribe", "serve", "--root", str(project))
    assert code == 2 and "set BRIEFGEN_UNSUBSCRIBE_SECRET" in err
    monkeypatch.setenv("BRIEFGEN_UNSUBSCRIBE_SECRET", "short")
    code, _, err = cli(*send_args(project, people))
    assert code == 2 and "BRIEFGEN_UNSUBSCRIBE_SECRET is too short" in err


# ---------------------------------------------------------------------- DKIM
def _dns(name: bytes, timeout: int = 5) -> bytes | None:
    if name == b"briefings._domainkey.burmacampaign.org.uk.":
        return (FIXTURES / "dkim-test.txt").read_bytes().strip()
    return None


DKIM_ENV = {"BRIEFGEN_DKIM_KEY_FILE": str(FIXTURES / "dkim-test.key"),
            "BRIEFGEN_DKIM_SELECTOR": "briefings"}


def test_dkim_signature_verifies_and_covers_the_unsubscribe_headers(project: Path,
                                                                    run) -> None:
    people = write_list(project, 2)
    with Server() as server:
        code, out, err = run(server, *send_args(project, people, "--send"), env=DKIM_ENV)
        assert code == 0, out + err
        raws = server.recorder.raw
    assert len(raws) == 2
    for raw in raws:
        assert raw.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;")
        assert b" d=burmacampaign.org.uk; i=@burmacampaign.org.uk; q=dns/txt;" \
            in raw and b" s=briefings;" in raw
        assert dkim.verify(raw, dnsfunc=_dns)
        signature = email.message_from_bytes(raw, policy=default)["DKIM-Signature"]
        signed = [h.strip() for h in signature.split(" h=")[1].split(";")[0].split(":")]
        for header in ("from", "subject", "list-unsubscribe", "list-unsubscribe-post", "date",
                       "to", "message-id"):
            assert header in signed
        assert signed.count("list-unsubscribe") == 2  # an added copy would break it
        for old, new in ((b"Subject: Briefing", b"Subject: Urgent"),
                         (b"List-Unsubscribe: <https://", b"List-Unsubscribe: <http://"),
                         (b"List-Unsubscribe-Post: List-Unsubscribe=One-Click",
                          b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
                          b"List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
                         (b"From: Burma Campaign UK", b"From: Burma Campaign")):
            assert old in raw
            assert not dkim.verify(raw.replace(old, new, 1), dnsfunc=_dns), old
        assert dkim.verify(raw.replace(b"\r\n\r\n", b"\r\nX-Seen-By: a relay\r\n\r\n", 1),
                           dnsfunc=_dns)  # a header it does not cover may be added


def test_dkim_survives_a_crash_and_bad_settings_are_usage_errors(project: Path, run,
                                                                 tmp_path: Path) -> None:
    people = write_list(project, 4)
    args = send_args(project, people, "--send")
    with Server() as server:
        assert run_subprocess(server, args, crash="dot:2", extra_env=DKIM_ENV).returncode == -9
        done = run_subprocess(server, args, extra_env=DKIM_ENV)
        assert done.returncode == 0, done.stderr
        assert len(server.recorder.count_by_recipient()) == 4
        assert all(dkim.verify(raw, dnsfunc=_dns) for raw in server.recorder.raw)
    bad = tmp_path / "bad.key"
    bad.write_text("not a key")
    for env, message in [
        ({"BRIEFGEN_DKIM_KEY_FILE": str(FIXTURES / "dkim-test.key")},
         "DKIM is half set up: set BRIEFGEN_DKIM_SELECTOR too"),
        ({**DKIM_ENV, "BRIEFGEN_DKIM_KEY_FILE": str(tmp_path / "missing.key")},
         f"BRIEFGEN_DKIM_KEY_FILE {tmp_path / 'missing.key'}: cannot read the key: "
         "no such file or directory"),
        ({**DKIM_ENV, "BRIEFGEN_DKIM_KEY_FILE": str(bad)},
         f"BRIEFGEN_DKIM_KEY_FILE {bad}: not a usable RSA private key in PEM form"),
        ({**DKIM_ENV, "BRIEFGEN_DKIM_DOMAIN": "example.net"},
         "BRIEFGEN_DKIM_DOMAIN is example.net but mail is from burmacampaign.org.uk: DMARC "
         "only counts a signature of the From domain"),
    ]:
        code, _, err = run(None, *send_args(project, people), env=env)
        assert code == 2 and message in err, err
