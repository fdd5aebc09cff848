"""``briefgen serve`` without a browser: the app through Starlette's TestClient, the live
editor, the candidate workspace against ``check``, safety (CSRF, Host, Origin, paths,
conflicts) and the command line."""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import socket
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

import briefgen
from briefgen.serve.app import create_app
from briefgen.serve.editor import Editor
from briefgen.serve.yamledit import add_entry, append_item, update_mapping
from webcheck import built_web_project

BASE = "http://127.0.0.1:8000"
JAPAN = "briefings/facts/countries/japan.yaml"
FACT = "/facts/countries/japan/military-cooperation/edit"
OLD = "According to Myanmar's Ministry of Defence, Myanmar and Japan are to strengthen"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("serve") / "project"
    shutil.copytree(built_web_project(tmp_path_factory), dest)
    return dest


@pytest.fixture(scope="module")
def editor(project: Path) -> Editor:
    return Editor(project)


@pytest.fixture(scope="module")
def client(editor: Editor):
    with TestClient(create_app(editor), base_url=BASE) as c:
        yield c


def csrf(client: TestClient, url: str) -> dict[str, str]:
    """The hidden fields of the form on ``url`` (token and file hashes)."""
    page = client.get(url)
    assert page.status_code == 200, page.text
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))


def fact_form(client: TestClient, url: str = FACT, **values: str) -> dict[str, str]:
    form = {**csrf(client, url), "statement": OLD + " their military cooperation.",
            "topics": "military-cooperation", "as_of": "2021", "status": "current",
            "sources": "mod-myanmar-japan-cooperation", "verified": ""}
    form.update(values)
    return form


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _FormReader(HTMLParser):
    """What a browser submits for the first ``form.edit`` of a page: text inputs, hidden
    inputs, ticked boxes, textareas (one leading newline dropped, line ends CRLF) and each
    select's selected option, or its first one when none is selected."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.inside = False
        self.textarea: list[str] | None = None
        self.select: dict | None = None
        self.option: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "edit" in (a.get("class") or ""):
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button"):
                self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self.textarea = [a["name"], ""]
        elif tag == "select":
            self.select = {"name": a["name"], "first": None, "chosen": None}
        elif tag == "option" and self.select is not None:
            self.option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data
        if self.option is not None:
            self.option["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            name, value = self.textarea
            self.fields.append((name, value.removeprefix("\n").replace("\n", "\r\n")))
            self.textarea = None
        elif tag == "option" and self.option is not None and self.select is not None:
            value = self.option["value"]
            value = self.option["text"].strip() if value is None else value
            if self.select["first"] is None:
                self.select["first"] = value
            if self.option["selected"]:
                self.select["chosen"] = value
            self.option = None
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"]
            self.fields.append((self.select["name"],
                                self.select["first"] if chosen is None else chosen))
            self.select = None


def browser_form(client: TestClient, url: str, **changes: str) -> list[tuple[str, str]]:
    """The form on ``url`` as a browser would submit it, with ``changes`` typed in."""
    page = client.get(url)
    assert page.status_code == 200, page.text
    reader = _FormReader()
    reader.feed(page.text)
    return [(k, changes.get(k, v)) for k, v in reader.fields]


def submit(client: TestClient, url: str, fields: list[tuple[str, str]]):
    return client.post(url, content=urlencode(fields).encode(), follow_redirects=False,
                       headers={"content-type": "application/x-www-form-urlencoded"})


@pytest.fixture
def fresh(built_full: Path):
    """A project of its own and a client of a new editor over it."""
    with TestClient(create_app(Editor(built_full)), base_url=BASE) as c:
        yield built_full, c


# ---------------------------------------------------------------------- pages
@pytest.mark.parametrize("url", ["/", "/facts", "/facts/countries/japan", "/facts/bodies/asean",
                                 FACT, "/facts/countries/japan/new", "/sources", "/sources/new",
                                 "/sources/icj-case-178/edit", "/briefings/military-cooperation",
                                 "/briefings/military-cooperation/edit"])
def test_every_page_opens(client: TestClient, url: str) -> None:
    page = client.get(url)
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert page.headers["cache-control"] == "no-store"
    assert "<html lang=\"en-GB\">" in page.text and "<h1>" in page.text


def test_briefings_page_lists_every_briefing_with_status_and_links(client: TestClient) -> None:
    page = client.get("/").text
    for bid in ("admm-plus-counter-terrorism", "defector-asylum", "military-cooperation",
                "russia-military-ties"):
        assert f'href="/briefings/{bid}"' in page and f'href="/pdf/{bid}"' in page
        assert f'href="/site/{bid}/index.html"' in page
    assert "Build all" in page and page.count("status-ok") == 4


def test_a_briefing_shows_its_lists_with_reasons_and_its_preview(client: TestClient) -> None:
    page = client.get("/briefings/admm-plus-counter-terrorism").text
    assert "has topic admm-plus-not-pictured" in page  # why Japan is in a list
    assert 'src="/site/admm-plus-counter-terrorism/index.html?v=' in page
    assert 'src="/briefings/admm-plus-counter-terrorism/page-1.png?v=' in page
    png = client.get("/briefings/admm-plus-counter-terrorism/page-1.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert client.get("/briefings/admm-plus-counter-terrorism/page-99.png").status_code == 404
    pdf = client.get("/pdf/admm-plus-counter-terrorism")
    assert pdf.content.startswith(b"%PDF")


def test_preview_answers_204_until_the_briefing_changes(client: TestClient) -> None:
    page = client.get("/briefings/military-cooperation/preview")
    version = re.search(r'data-version="([^"]+)"', page.text).group(1)
    again = client.get(f"/briefings/military-cooperation/preview?v={version}")
    assert again.status_code == 204


def test_fact_base_shows_facts_with_status_sources_and_users(client: TestClient) -> None:
    page = client.get("/facts/countries/japan").text
    assert "military-cooperation" in page and "admm-plus-2023-absent" in page
    assert "unknown" in page and "2023-08-25" in page
    assert 'href="/sources/csos-2023-admm-plus-letter/edit"' in page
    assert 'href="/briefings/military-cooperation"' in page


def test_sources_page_shows_age_url_and_citing_facts(client: TestClient) -> None:
    page = client.get("/sources").text
    assert "icj-case-178" in page and "months old" in page
    assert 'href="/facts/countries/japan">japan.military-cooperation</a>' in page


def test_unknown_ids_and_paths_are_not_found(client: TestClient) -> None:
    for url in ["/briefings/nope", "/facts/countries/nope", "/facts/etc/passwd",
                "/facts/countries/japan/nope/edit", "/sources/nope/edit", "/pdf/nope",
                "/site/../briefings/military-cooperation.yaml",
                "/site/%2e%2e/briefings/military-cooperation.yaml",
                "/static/../editor.py", "/facts/countries/..%2f..%2fstyles%2fdefault/new"]:
        assert client.get(url).status_code == 404, url


# ---------------------------------------------------------------------- safety
def test_requests_for_another_host_are_refused(client: TestClient) -> None:
    assert client.get("/", headers={"host": "attacker.example"}).status_code == 421
    assert client.get("/", headers={"host": "localhost:8000"}).status_code == 200


def test_a_post_without_the_csrf_token_is_refused(client: TestClient, project: Path) -> None:
    before = digest(project / JAPAN)
    form = fact_form(client, statement="Forged.")
    for forged in ({k: v for k, v in form.items() if k != "csrf"}, {**form, "csrf": "0" * 64}):
        reply = client.post(FACT, data=forged)
        assert reply.status_code == 403 and "did not come from the editor" in reply.text
    other = TestClient(client.app, base_url=BASE)  # another browser: another cookie
    assert other.post(FACT, data=form).status_code == 403
    for origin in ("https://evil.example", "null"):
        assert client.post(FACT, data=form, headers={"origin": origin}).status_code == 403
    impact = client.post(FACT + "?impact=1", data=form, headers={"origin": BASE})
    assert impact.status_code == 200  # what a browser sends from the editor's own pages
    assert client.get("/").headers["referrer-policy"] == "same-origin"  # else Origin: null
    assert client.post("/build", data={"csrf": form["csrf"]}, headers={
        "content-type": "text/plain"}).status_code == 415
    assert digest(project / JAPAN) == before


def test_only_files_in_briefings_and_styles_are_written(editor: Editor, project: Path) -> None:
    for path in [project / "dist/x.yaml", project / "briefings/../mail/settings.yaml",
                 Path("/etc/passwd"), project / "briefings/facts/countries/japan.txt"]:
        with pytest.raises(briefgen.UsageError):
            editor.writable(path)
    assert editor.writable(project / JAPAN)


# ---------------------------------------------------------------------- editing
def test_impact_says_which_briefings_a_change_rebuilds(client: TestClient) -> None:
    reply = client.post(FACT + "?impact=1", data=fact_form(client, statement="Changed."))
    assert "This changes 1 briefing:" in reply.text
    assert "13 countries involved in training" in reply.text
    reply = client.post(FACT + "?impact=1", data=fact_form(
        client, topics="military-cooperation, defector-asylum"))
    assert "This changes 2 briefings:" in reply.text
    reply = client.post(FACT + "?impact=1", data=fact_form(client, as_of="2021-02-30"))
    assert "would bring" in reply.text and "is not a valid date" in reply.text


def test_saving_a_fact_writes_one_line_and_rebuilds_its_briefing(client: TestClient,
                                                                  project: Path) -> None:
    japan = project / JAPAN
    japan.write_text("# Japan: checked by the press team\n" + japan.read_text())
    client.app.app.state.ctx.editor.refresh()
    before = japan.read_text()
    pdf, page = project / "dist/military-cooperation.pdf", \
        project / "dist/site/military-cooperation/index.html"
    stamps = pdf.stat().st_mtime_ns, page.stat().st_mtime_ns
    other = project / "dist/defector-asylum.pdf"
    other_stamp = other.stat().st_mtime_ns
    new = OLD + " their armed forces' cooperation."
    reply = client.post(FACT, data=fact_form(client, statement=new), follow_redirects=False)
    assert reply.status_code == 303, reply.text
    saved = client.get(reply.headers["location"]).text
    assert "Saved fact japan.military-cooperation" in saved and "Rebuilt" in saved
    assert 'href="/briefings/military-cooperation"' in saved
    old_lines, new_lines = before.splitlines(), japan.read_text().splitlines()
    changed = [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]
    assert len(changed) == 1 and changed[0][1] == f"    statement: {new}"
    assert new_lines[0] == "# Japan: checked by the press team"
    assert pdf.stat().st_mtime_ns > stamps[0] and page.stat().st_mtime_ns > stamps[1]
    assert other.stat().st_mtime_ns == other_stamp  # not affected, not rebuilt
    assert "armed forces’ cooperation" in page.read_text() or \
        "armed forces' cooperation" in page.read_text()
    code, _ = _check(project)
    assert code == 0


def _check(project: Path) -> tuple[int, str]:
    from briefgen.cli import main

    return main(["check", "--root", str(project)]), ""


def test_an_invalid_date_is_refused_next_to_its_field(client: TestClient,
                                                      project: Path) -> None:
    before = digest(project / JAPAN)
    reply = client.post(FACT, data=fact_form(client, as_of="2021-02-30"))
    assert reply.status_code == 422
    field = re.search(r'<div class="field has-error">(.*?)</div>', reply.text, re.S).group(1)
    assert 'for="field-as_of"' in field and "is not a valid date" in field
    assert 'aria-invalid="true"' in field and 'aria-describedby="field-as_of-help ' \
        'field-as_of-error1"' in field
    assert 'value="2021-02-30"' in field  # what was typed is kept
    assert digest(project / JAPAN) == before


def test_a_file_changed_since_the_form_opened_is_a_conflict(client: TestClient,
                                                           project: Path) -> None:
    form = fact_form(client, statement="My change.")
    japan = project / JAPAN
    outside = japan.read_text().replace("Japan did not attend", "Japan did not go to")
    japan.write_text(outside)
    reply = client.post(FACT, data=form)
    assert reply.status_code == 409 and "the file changed meanwhile" in reply.text
    assert japan.read_text() == outside
    client.app.app.state.ctx.editor.refresh()


def test_a_new_fact_with_a_new_source(client: TestClient, project: Path) -> None:
    url = "/facts/countries/japan/new"
    form = {**csrf(client, url), "id": "training-2025",
            "statement": "Japan trained Myanmar officers in 2025.[^new-2025-report]",
            "topics": "military-cooperation", "as_of": "2025-03", "status": "current",
            "new_source_id": "new-2025-report", "new_source_title": "A report",
            "new_source_publisher": "The Irrawaddy",
            "new_source_url": "https://example.org/report", "new_source_published": "2025-03",
            "new_source_kind": "news", "new_source_file": "news"}
    reply = client.post(url + "?impact=1", data=form)
    # Japan is in military-cooperation's list, which prints its military-cooperation facts
    assert "This changes 1 briefing: </strong>" in reply.text.replace(":</strong>",
                                                                       ": </strong>")
    reply = client.post(url, data=form, follow_redirects=False)
    assert reply.status_code == 303, reply.text
    saved = client.get(reply.headers["location"]).text
    assert "fact japan.training-2025 and source new-2025-report" in saved
    news = (project / "briefings/facts/sources/news.yaml").read_text()
    assert news.endswith("\nnew-2025-report:\n  title: A report\n  publisher: The Irrawaddy\n"
                         "  url: https://example.org/report\n  published: 2025-03\n"
                         "  kind: news\n")
    page = (project / "dist/site/military-cooperation/index.html").read_text()
    assert "Japan trained Myanmar officers in 2025." in page
    japan = (project / JAPAN).read_text()
    assert "  - id: training-2025\n    statement: Japan trained Myanmar officers in 2025." \
           "[^new-2025-report]" in japan
    assert "sources: [new-2025-report]" in japan
    assert _check(project)[0] == 0


def test_a_new_fact_with_an_unknown_source_is_refused(client: TestClient,
                                                      project: Path) -> None:
    url = "/facts/countries/japan/new"
    before = digest(project / JAPAN)
    form = {**csrf(client, url), "id": "bad", "statement": "S.", "as_of": "2025",
            "status": "current", "sources": "no-such-source"}
    reply = client.post(url, data=form)
    assert reply.status_code == 422
    text = html.unescape(reply.text)
    assert "<strong>Error:</strong> unknown source 'no-such-source'" in text
    assert re.search(r"would also stop 3 briefings\s+from being built", text), text
    assert digest(project / JAPAN) == before


def test_editing_a_source_and_a_briefings_title(client: TestClient, project: Path) -> None:
    url = "/sources/icj-case-178/edit"
    form = csrf(client, url)
    page = client.get(url).text
    values = dict(re.findall(r'name="(\w+)" type="text" value="([^"]*)"', page))
    values["kind"] = "court"
    reply = client.post(url, data={**form, **values, "title": "The ICJ case"},
                        follow_redirects=False)
    assert reply.status_code == 303, reply.text
    assert "title: The ICJ case" in (project / "briefings/facts/sources/un-and-courts.yaml"
                                     ).read_text()
    url = "/briefings/defector-asylum/edit"
    form = csrf(client, url)
    reply = client.post(url, data={**form, "date": "2026-13-01"})
    assert reply.status_code == 422 and "is not a valid date" in reply.text
    spec = project / "briefings/defector-asylum.yaml"
    before = spec.read_text()
    reply = client.post(url, data={**form, "subtitle": "A new subtitle"},
                        follow_redirects=False)
    assert reply.status_code == 303, reply.text
    removed = set(before.splitlines()) - set(spec.read_text().splitlines())
    assert len(removed) <= 1 and "subtitle: A new subtitle" in spec.read_text()


def test_an_edit_made_in_a_text_editor_is_picked_up(editor: Editor, project: Path) -> None:
    version = editor.version
    assert editor.refresh() is False
    japan = project / JAPAN
    japan.write_text(japan.read_text().replace("Japan did not go to", "Japan stayed away from"))
    assert editor.refresh() is True and editor.version > version
    page = (project / "dist/site/admm-plus-counter-terrorism/index.html").read_text()
    assert "Japan stayed away from the 2022 ADMM-Plus" in page  # rebuilt
    assert editor.ws.base.facts["japan.admm-plus-2022-absent"].fact.statement.startswith(
        "Japan stayed away from")


# ---------------------------------------------------------------------- the candidate
EDITS = {
    "statement": lambda t: update_mapping(t, ("facts", 0), {"statement": "New words."}),
    "bad date": lambda t: update_mapping(t, ("facts", 0), {"as_of": "2023-02-30"}),
    "unknown source": lambda t: update_mapping(t, ("facts", 0), {"sources": ["nope"]}),
    "topic": lambda t: update_mapping(t, ("facts", 0), {"topics": ["defector-asylum"]}),
    "new fact": lambda t: append_item(t, ("facts",), {"id": "n", "statement": "S.",
                                                      "as_of": 2025, "sources": ["x"]}),
    "broken yaml": lambda t: t.replace("id: japan", "id: [japan"),
}


@pytest.mark.parametrize("edit", EDITS)
def test_a_candidate_has_exactly_the_diagnostics_check_gives(tmp_path: Path, edit: str,
                                                             built_full: Path) -> None:
    live = Editor(built_full)
    path = built_full / JAPAN
    text = EDITS[edit](path.read_text())
    plan = live.plan({path: text}, {path: live.read(path)})
    copy = tmp_path / "copy"
    shutil.copytree(built_full, copy)
    (copy / JAPAN).write_text(text)
    expected = briefgen.open_workspace(copy).diagnostics
    assert [str(d) for d in plan.diagnostics] == [str(d) for d in expected]
    # "topic": Japan's only military-cooperation fact moves to another topic, so the list
    # that names Japan has nothing of it to print (it printed a bare name, and counted it)
    assert bool(plan.new_errors) == (edit in ("bad date", "unknown source", "broken yaml",
                                              "new fact", "topic"))


def test_a_candidate_spec_and_a_new_source(tmp_path: Path, built_full: Path) -> None:
    live = Editor(built_full)
    spec = built_full / "briefings/military-cooperation.yaml"
    news = built_full / "briefings/facts/sources/news.yaml"
    texts = {spec: update_mapping(spec.read_text(), (), {"title": "Title {{ bad"}),
             news: add_entry(news.read_text(), "fresh", {"publisher": "P"})}
    plan = live.plan(texts, {p: live.read(p) for p in texts})
    copy = tmp_path / "copy"
    shutil.copytree(built_full, copy)
    for p, t in texts.items():
        (copy / p.relative_to(built_full)).write_text(t)
    expected = briefgen.open_workspace(copy).diagnostics
    assert [str(d) for d in plan.diagnostics] == [str(d) for d in expected]
    assert plan.new_errors and plan.affected == ["military-cooperation"]


# ---------------------------------------------------------------------- command line
def test_serve_says_where_and_warns_off_loopback(monkeypatch, cli) -> None:
    calls = []

    def fake(root, host, port, on_ready, allowed_hosts=()):
        calls.append((host, port, *allowed_hosts))
        on_ready(f"http://{host}:{port}/", host == "127.0.0.1")

    monkeypatch.setattr(briefgen, "serve_editor", fake, raising=False)
    code, out, err = cli("serve")
    assert code == 0 and "http://127.0.0.1:8000/" in out and "only this computer" in out
    assert calls == [("127.0.0.1", 8000)]
    code, out, err = cli("serve", "--host", "0.0.0.0", "--port", "8123")
    assert "there is no login" in err and calls[-1] == ("0.0.0.0", 8123)
    code, out, err = cli("serve", "--host", "0.0.0.0", "--allowed-host", "Editor.Office.LAN",
                         "--allowed-host", "pc7")
    assert code == 0 and calls[-1] == ("0.0.0.0", 8000, "editor.office.lan", "pc7")
    with pytest.raises(SystemExit) as exit_:
        cli("serve", "--allowed-host", "evil.example/x")
    assert exit_.value.code == 2


def test_a_port_in_use_is_a_usage_error(full: Path, cli) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        code, _, err = cli("serve", "--root", str(full), "--port", str(port))
    assert code == 2 and "Choose another with --port" in err


def test_vendored_htmx_is_the_published_file() -> None:
    folder = Path(briefgen.__file__).parent / "serve/static/vendor/htmx"
    data = (folder / "htmx.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == \
        "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"  # htmx.org@2.0.11
    assert "Zero-Clause BSD" in (folder / "LICENSE").read_text()


def test_refresh_finds_nothing_new_in_a_project_with_editions(tmp_path: Path,
                                                              built_full: Path) -> None:
    """The editor compares the same files the workspace hashed: with a published edition
    it used to see a change on every wake-up and rebuild the whole project."""
    import datetime as dt

    root = tmp_path / "project"
    shutil.copytree(built_full, root)
    briefgen.publish(briefgen.open_workspace(root), "military-cooperation", by="Test",
                     now=dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC))
    live = Editor(root)
    version = live.version
    assert live.refresh() is False and live.version == version
    japan = root / JAPAN
    japan.write_text(japan.read_text().replace("Japan did not attend", "Japan did not go to"))
    assert live.refresh() is True and live.refresh() is False


# ---------------------------------------------------------------------- found by review
def test_a_value_not_in_a_dropdown_is_kept_and_shown_as_an_error(fresh) -> None:
    """A status or kind the dropdown does not list was replaced by the first choice when
    any other field was saved (a wrong fact published)."""
    root, client = fresh
    japan, ngo = root / JAPAN, root / "briefings/facts/sources/ngo.yaml"
    japan.write_text(japan.read_text().replace("    status: ended\n", "    status: Ended\n", 1))
    ngo.write_text(ngo.read_text().replace("  kind: ngo\n", "  kind: NGO\n", 1))
    client.app.app.state.ctx.editor.refresh()
    url = "/facts/countries/japan/admm-plus-2022-absent/edit"
    page = html.unescape(client.get(url).text)
    field = re.search(r'<div class="field has-error">(.*?)</div>', page, re.S).group(1)
    assert 'for="field-status"' in field
    assert "'Ended' is not allowed (did you mean 'ended'?)" in field
    assert '<option value="Ended" selected>Ended (as written in the file; not a valid ' \
        'choice)</option>' in field
    assert "<h2>This entry has errors</h2>" in page
    statement = "Japan did not attend the 2022 ADMM-Plus meetings (edited)."
    reply = submit(client, url, browser_form(client, url, statement=statement))
    assert reply.status_code == 303, reply.text
    text = japan.read_text()
    assert f"    statement: {statement}\n" in text and "    status: Ended\n" in text
    assert "status: current" not in text.split("admm-plus-2022-absent")[1].split("- id:")[0]

    url = "/sources/bcuk-un-general-assembly-resolutions/edit"
    page = html.unescape(client.get(url).text)
    assert "'NGO' is not allowed" in page
    assert '<option value="NGO" selected>' in page
    reply = submit(client, url, browser_form(client, url, title="A new title"))
    assert reply.status_code == 303, reply.text
    text = ngo.read_text()
    assert "  title: A new title\n" in text and "  kind: NGO\n" in text
    assert "kind: news" not in text


@pytest.mark.parametrize("empty", ["", ' ""'])
def test_an_empty_status_or_kind_is_kept_not_replaced_by_the_first_choice(fresh,
                                                                         empty: str) -> None:
    """status: left empty was still replaced by 'current' when another field was saved, and
    check then passed (found by reviewing the dropdown fix)."""
    root, client = fresh
    japan, ngo = root / JAPAN, root / "briefings/facts/sources/ngo.yaml"
    japan.write_text(japan.read_text().replace("    status: ended\n", f"    status:{empty}\n", 1))
    ngo.write_text(ngo.read_text().replace("  kind: ngo\n", f"  kind:{empty}\n", 1))
    client.app.app.state.ctx.editor.refresh()
    url = "/facts/countries/japan/admm-plus-2022-absent/edit"
    page = html.unescape(client.get(url).text)
    assert '<option value="" selected>(left empty in the file: choose one)</option>' in page
    statement = "Japan did not attend the 2022 ADMM-Plus meetings (edited)."
    reply = submit(client, url, browser_form(client, url, statement=statement))
    assert reply.status_code == 303, reply.text
    entry = japan.read_text().split("admm-plus-2022-absent")[1].split("- id:")[0]
    assert f"    status:{empty}\n" in entry and "current" not in entry
    url = "/sources/bcuk-un-general-assembly-resolutions/edit"
    reply = submit(client, url, browser_form(client, url, title="A new title"))
    assert reply.status_code == 303, reply.text
    text = ngo.read_text()
    assert f"  kind:{empty}\n" in text and "kind: news" not in text


@pytest.mark.parametrize("listen", ["127.0.0.1", "0.0.0.0", "192.168.1.5"])
def test_other_names_are_refused_whatever_address_the_editor_listens_on(
        editor: Editor, project: Path, listen: str) -> None:
    """With --host other than a loopback address the Host check was skipped: a site could
    point its own name at the editor's address (DNS rebinding), read the form and post."""
    app = create_app(editor, host=listen, allowed_hosts=("editor.office.lan",))
    before = digest(project / JAPAN)
    rebound = TestClient(app, base_url="http://evil.example:8000")
    page = rebound.get(FACT)
    assert page.status_code == 421
    assert page.text == ("This editor answers only when opened by an IP address, by "
                         "'localhost' or by this computer's own name. To open it by another "
                         "name, start it with --allowed-host NAME.")
    assert rebound.post(FACT, data={"statement": "Planted."}).status_code == 421
    for name in ("127.0.0.1.evil.example", "127.0.0.1:1@evil.example", "localhost.evil.example",
                 "127.1", ""):
        assert rebound.get("/", headers={"host": name}).status_code == 421, name
    assert digest(project / JAPAN) == before
    for base in ("http://127.0.0.1:8000", "http://192.168.1.5:8000", "http://[::1]:8000",
                 "http://localhost:8000", "http://LOCALHOST", "http://editor.office.lan:8000",
                 f"http://{socket.gethostname()}:8000", f"http://{socket.getfqdn()}:8000"):
        assert TestClient(app, base_url=base).get("/").status_code == 200, base


def test_forms_on_an_empty_entry_or_file_fill_it_or_say_why_not(fresh) -> None:
    """An empty source entry (whose error links to its form), an empty country file and one
    whose top level is a list gave a 500."""
    root, client = fresh
    news = root / "briefings/facts/sources/news.yaml"
    news.write_text(news.read_text() + "\nbroken-src:\n")
    countries = root / "briefings/facts/countries"
    (countries / "atlantis.yaml").write_text("")
    (countries / "lemuria.yaml").write_text("- a\n- b\n")
    client.app.app.state.ctx.editor.refresh()
    assert 'href="/sources/broken-src/edit">Fix it</a>' in client.get("/sources").text
    url = "/sources/broken-src/edit"
    fields = browser_form(client, url, publisher="The Irrawaddy")
    assert client.post(url + "?impact=1", content=urlencode(fields).encode(), headers={
        "content-type": "application/x-www-form-urlencoded"}).status_code == 200
    reply = submit(client, url, fields)
    assert reply.status_code == 303, reply.text
    assert news.read_text().endswith("\nbroken-src:\n  publisher: The Irrawaddy\n")
    fact = {"id": "f1", "statement": "S.", "as_of": "2021", "status": "current",
            "sources": "mod-myanmar-japan-cooperation"}
    url = "/facts/countries/lemuria/new"
    reply = client.post(url, data={**csrf(client, url), **fact})
    assert reply.status_code == 422
    assert "briefings/facts/countries/lemuria.yaml:1: its top level is a list, where the " \
        "form expects keys with values" in html.unescape(reply.text)
    assert (countries / "lemuria.yaml").read_text() == "- a\n- b\n"
    url = "/facts/countries/atlantis/new"
    reply = client.post(url, data={**csrf(client, url), **fact})
    assert reply.status_code == 422  # filled in, but the country then lacks id and name
    assert "missing required key 'name'" in html.unescape(reply.text)
    assert (countries / "atlantis.yaml").read_text() == ""


def test_a_linked_file_is_shown_with_why_the_form_cannot_save_it(fresh, tmp_path) -> None:
    """A YAML file that is a link gave a 500 on every fact form (each read every sources
    file for its hash, through the check made before writing)."""
    root, client = fresh
    japan = root / JAPAN
    outside = tmp_path / "elsewhere" / "japan.yaml"  # a link out of the project
    outside.parent.mkdir()
    outside.write_text(japan.read_text())
    japan.unlink()
    japan.symlink_to(outside)
    news = root / "briefings/facts/sources/news.yaml"  # a link inside it
    (root / "briefings/news-real.txt").write_text(news.read_text())
    news.unlink()
    news.symlink_to("../../news-real.txt")
    client.app.app.state.ctx.editor.refresh()
    before = outside.read_bytes(), (root / "briefings/news-real.txt").read_bytes()
    japan_says = ("briefings/facts/countries/japan.yaml is a link to another file, and the "
                  "editor does not change linked files (the change would reach wherever the "
                  "link leads). Change it in a text editor.")
    news_says = japan_says.replace("countries/japan", "sources/news")
    for url in ("/facts/countries/japan/new", FACT):
        page = client.get(url)
        assert page.status_code == 200
        assert f"<h2>This form cannot save</h2><p>{html.escape(japan_says)}</p>" in page.text
    for url in ("/facts/countries/china/new", "/sources/new", "/sources/icj-case-178/edit",
                "/facts/countries/china/troop-training/edit"):
        page = client.get(url)
        assert page.status_code == 200 and "This form cannot save" not in page.text, url
    reply = client.post(FACT, data=fact_form(client, statement="Changed."))
    assert reply.status_code == 422 and html.escape(japan_says) in reply.text
    url = "/sources/new"
    reply = client.post(url, data={**csrf(client, url), "id": "x-2025", "publisher": "X",
                                   "kind": "news", "file": "news"})
    assert reply.status_code == 422 and html.escape(news_says) in reply.text
    assert (outside.read_bytes(), (root / "briefings/news-real.txt").read_bytes()) == before
    assert japan.is_symlink() and news.is_symlink()
    url = "/facts/countries/china/troop-training/edit"  # other files are still edited
    reply = submit(client, url, browser_form(client, url, as_of="2025-03-05"))
    assert reply.status_code == 303, reply.text
    assert "as_of: 2025-03-05" in (root / "briefings/facts/countries/china.yaml").read_text()


def _diff(old: str, new: str) -> list[tuple[str, str]]:
    import difflib

    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
            None, old.splitlines(), new.splitlines(), autojunk=False).get_opcodes():
        if tag != "equal":
            out.append(("\n".join(old.splitlines()[i1:i2]), "\n".join(new.splitlines()[j1:j2])))
    return out


def test_untouched_block_texts_are_not_rewritten(fresh) -> None:
    """A '|' or '>' text carries a final line break the form does not send back, so every
    save rewrote it as a one-line quoted string (and it changed the file's hash)."""
    root, client = fresh
    japan = root / JAPAN
    japan.write_text(japan.read_text().replace(
        "    statement: Japan did not attend the 2022 ADMM-Plus meetings co-chaired by the "
        "Myanmar junta and Russia.\n", "    statement: |\n      Japan did not attend the 2022 "
        "ADMM-Plus meetings\n      co-chaired by the Myanmar junta and Russia.\n", 1))
    spec = root / "briefings/russia-military-ties.yaml"
    spec.write_text(spec.read_text().replace("lead: >-\n", "lead: >\n", 1).replace(
        "      - >-\n        As its", "      - |\n        As its", 1))
    client.app.app.state.ctx.editor.refresh()
    before = japan.read_text()
    url = "/facts/countries/japan/admm-plus-2022-absent/edit"
    reply = submit(client, url, browser_form(client, url, as_of="2022-11"))
    assert reply.status_code == 303, reply.text
    assert _diff(before, japan.read_text()) == [("    as_of: 2022", "    as_of: 2022-11")]
    before = spec.read_text()
    url = "/briefings/russia-military-ties/edit"
    subtitle = "What Min Aung Hlaing's visits to Russia buy the junta (2)"
    reply = submit(client, url, browser_form(client, url, subtitle=subtitle))
    assert reply.status_code == 303, reply.text
    assert _diff(before, spec.read_text()) == [
        ("subtitle: What Min Aung Hlaing's visits to Russia buy the junta",
         f"subtitle: {subtitle}")]
    before = japan.read_text()  # sent back as shown: nothing is written at all
    reply = submit(client, url := "/facts/countries/japan/admm-plus-2022-absent/edit",
                   browser_form(client, url))
    assert reply.status_code == 303 and japan.read_text() == before


def test_a_save_is_judged_with_files_changed_meanwhile_by_others(fresh) -> None:
    """A save was checked against the workspace as last loaded: a source removed in a text
    editor just before (not yet picked up by the watcher) was missed, and the fact citing
    it was saved and reported as saved while 'check' failed."""
    root, client = fresh
    form = browser_form(client, FACT)
    news = root / "briefings/facts/sources/news.yaml"
    entry = ("reuters-thailand-myanmar:\n  publisher: Reuters\n  url: https://www.reuters.com/"
             "article/us-thailand-myanmar-idUSKCN1G01D1\n  kind: news\n\n")
    assert entry in news.read_text()
    news.write_text(news.read_text().replace(entry, ""))  # the editor is not told
    before = digest(root / JAPAN)
    form = [f for f in form if f[0] != "sources"] + [
        ("sources", "mod-myanmar-japan-cooperation"), ("sources", "reuters-thailand-myanmar")]
    reply = submit(client, FACT, form)
    assert reply.status_code == 422
    assert "<strong>Error:</strong> unknown source 'reuters-thailand-myanmar'" in \
        html.unescape(reply.text)
    assert digest(root / JAPAN) == before


def test_line_ends_are_kept_as_they_were(fresh) -> None:
    """One CRLF line made the editor write the whole file with CRLF."""
    root, client = fresh
    japan = root / JAPAN
    mixed = japan.read_bytes().replace(b"name: Japan\n", b"name: Japan\r\n", 1)
    japan.write_bytes(mixed)
    client.app.app.state.ctx.editor.refresh()
    url = "/facts/countries/japan/admm-plus-2022-absent/edit"
    reply = submit(client, url, browser_form(client, url, topics="admm-plus, admm-plus-2022"))
    assert reply.status_code == 303, reply.text
    assert japan.read_bytes() == mixed.replace(b"    topics: [admm-plus]\n    as_of: 2022\n",
                                               b"    topics: [admm-plus, admm-plus-2022]\n"
                                               b"    as_of: 2022\n", 1)
    crlf = mixed.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")  # all CRLF: stays so
    japan.write_bytes(crlf)
    client.app.app.state.ctx.editor.refresh()
    reply = submit(client, url, browser_form(client, url, as_of="2022-11"))
    assert reply.status_code == 303, reply.text
    assert japan.read_bytes() == crlf.replace(b"    as_of: 2022\r\n", b"    as_of: 2022-11\r\n",
                                              1)


def test_a_form_with_too_many_fields_is_refused_plainly(client: TestClient) -> None:
    token = csrf(client, FACT)["csrf"]
    body = f"csrf={token}&" + "&".join(f"a{i}=1" for i in range(6000))
    for url in (FACT, "/build"):
        reply = client.post(url, content=body.encode(), headers={
            "content-type": "application/x-www-form-urlencoded"})
        assert reply.status_code == 413
        assert "The form has too many fields. Open the page again and send it from there." \
            in reply.text


@pytest.mark.parametrize("port", ["99999", "-1", "65536", "eighty"])
def test_a_port_out_of_range_is_a_usage_error(cli, capsys, port: str) -> None:
    """--port 99999 exited 3, 'internal error: OverflowError'."""
    with pytest.raises(SystemExit) as exit_:
        cli("serve", "--port", port)
    assert exit_.value.code == 2
    assert f"argument --port: '{port}' is not a port: give a whole number from 0 to 65535, " \
        "e.g. 8000" in capsys.readouterr().err
