"""Authoring: new, schema, preview, sources, link checking (against 127.0.0.1) and watch."""

from __future__ import annotations

import datetime as dt
import glob
import http.server
import json
import os
import signal
import struct
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path
from typing import ClassVar

import jsonschema
import pytest
import yaml
from pypdf import PdfReader

from briefgen.author.schema import TARGETS, schemas
from conftest import FIXTURES, REPO


# ---------------------------------------------------------------------- new
def test_new_briefing_checks_and_builds(full: Path, cli) -> None:
    code, out, err = cli("new", "test-briefing", "--title", "Test", "--root", str(full))
    assert code == 0, err
    text = (full / "briefings/test-briefing.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schemas/briefing.schema.json")
    for key in ("title", "short_title", "subtitle", "date", "language", "brand", "lead",
                "keywords", "sections", "more_information", "calls_to_action", "mail"):
        assert f"\n{key}:" in text, key
    # every line that sets a key says what it is for
    assert all("#" in line for line in text.splitlines()
               if line and not line.startswith((" ", "#")))
    assert f"date: {dt.date.today().isoformat()}" in text
    code, out, err = cli("check", "--root", str(full))
    assert code == 0, out + err
    assert "0 errors" in out
    code, out, err = cli("build", "test-briefing", "--root", str(full))
    assert code == 0, err
    assert PdfReader(full / "dist/test-briefing.pdf").pages[0].extract_text().count("Test")


def test_new_refuses_overwrite_and_unsafe_ids(full: Path, cli) -> None:
    before = (full / "briefings/defector-asylum.yaml").read_bytes()
    code, _, err = cli("new", "defector-asylum", "--root", str(full))
    assert code == 2 and "already exists; not overwritten" in err
    assert (full / "briefings/defector-asylum.yaml").read_bytes() == before
    for bad in ("../escape", "Bad_Id", "status"):
        code, _, err = cli("new", bad, "--root", str(full))
        assert code == 2, bad
    assert not list(full.glob("*.yaml")) and not (full / "escape.yaml").exists()


def test_new_from_existing_gets_new_date_and_title(full: Path, cli) -> None:
    code, _, err = cli("new", "asylum-2027", "--from", "defector-asylum", "--title",
                       "Asylum for defectors: an update", "--root", str(full))
    assert code == 0, err
    data = yaml.safe_load((full / "briefings/asylum-2027.yaml").read_text())
    assert data["title"] == data["short_title"] == "Asylum for defectors: an update"
    assert data["date"] == dt.date.today()
    assert data["sections"] == yaml.safe_load(
        (full / "briefings/defector-asylum.yaml").read_text())["sections"]
    code, out, _ = cli("check", "--root", str(full))
    assert code == 0 and "0 errors" in out
    code, _, err = cli("new", "x", "--from", "defector-asylm", "--root", str(full))
    assert code == 2 and "did you mean 'defector-asylum'" in err


# ---------------------------------------------------------------------- schema
def test_committed_schemas_match_the_models(tmp_path: Path, cli) -> None:
    code, out, _ = cli("schema", "-o", str(tmp_path))
    assert code == 0 and len(out.splitlines()) == 6
    for path in tmp_path.iterdir():
        committed = REPO / "schemas" / path.name
        assert committed.read_text() == path.read_text(), (
            f"{path.name} drifted from the models: run `briefgen schema`")


def _as_json(data):
    return json.loads(json.dumps(data, default=str))  # YAML dates become strings, as editors see them


def test_every_shipped_yaml_file_validates_against_its_schema() -> None:
    found = schemas()
    checked = 0
    for name, patterns in TARGETS.items():
        validator = jsonschema.Draft202012Validator(found[name])
        for pattern in patterns:
            for path in sorted(glob.glob(str(REPO / pattern))):
                data = _as_json(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
                errors = [e.message for e in validator.iter_errors(data)]
                assert errors == [], (path, errors)
                checked += 1
    assert checked >= 4 + 23 + 5 + 4 + 1 + 1 + 1


def test_schema_catches_a_misspelt_key() -> None:
    spec = yaml.safe_load((FIXTURES / "full/briefings/defector-asylum.yaml").read_text())
    spec["subtitel"] = spec.pop("subtitle")
    validator = jsonschema.Draft202012Validator(schemas()["briefing.schema.json"])
    assert any("subtitel" in e.message for e in validator.iter_errors(_as_json(spec)))


# ---------------------------------------------------------------------- preview
def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_preview_writes_pngs(full: Path, cli) -> None:
    code, out, err = cli("preview", "military-cooperation", "--pages", "1-2", "--dpi", "40",
                         "--root", str(full))
    assert code == 0, err
    paths = [Path(line) for line in out.splitlines()]
    assert [p.name for p in paths] == ["military-cooperation-1.png", "military-cooperation-2.png"]
    data = paths[0].read_bytes()
    assert _png_size(data) == (round(595.28 * 40 / 72), round(841.89 * 40 / 72))
    idat = data.index(b"IDAT")
    length = struct.unpack(">I", data[idat - 4:idat])[0]
    pixels = zlib.decompress(data[idat + 4:idat + 4 + length])
    assert pixels.count(b"\xff") < len(pixels) * 0.95  # the page is not blank
    code, _, err = cli("preview", "military-cooperation", "--pages", "9", "--root",
                       str(full))
    assert code == 2 and "has 3 page(s)" in err


# ---------------------------------------------------------------------- sources
def test_sources_report(full: Path, cli) -> None:
    code, out, _ = cli("sources", "--json", "--root", str(full))
    rows = {r["id"]: r for r in json.loads(out)}
    assert len(rows) == 26
    smh = rows["smh-2021-australia-defence-spending"]
    assert smh["publisher"] == "The Sydney Morning Herald"
    assert smh["seen"] == "2021-02-02" and smh["seen_from"] == "published"
    assert smh["briefings"] == ["military-cooperation"] and smh["stale"]
    assert any(r["url"] is None for r in rows.values())
    code, out, _ = cli("sources", "--stale", "--json", "--root", str(full))
    assert all(r["stale"] for r in json.loads(out)) and json.loads(out)
    code, out, _ = cli("sources", "--root", str(full))
    assert code == 0 and "26 sources" in out and "no URL" in out


# ---------------------------------------------------------------------- links
class _Handler(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def _answer(self, body: bool) -> None:
        _Handler.hits.append(f"{self.command} {self.path}")
        if self.path == "/hang":
            time.sleep(4)
        routes = {"/ok": (200, None), "/moved": (301, "/ok"), "/temp": (302, "/ok"),
                  "/gone": (404, None), "/broken": (500, None)}
        if self.path == "/nohead" and self.command == "HEAD":
            code, location = 405, None
        else:
            code, location = routes.get(self.path, (200, None))
        self.send_response(code)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def do_HEAD(self):
        self._answer(False)

    def do_GET(self):
        self._answer(True)

    def log_message(self, *args):
        pass


@pytest.fixture
def web():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Handler.hits = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_link_check_reports_dead_and_moved_with_file_and_line(mini: Path, cli, web) -> None:
    names = ["ok", "moved", "temp", "gone", "broken", "hang", "nohead"]
    (mini / "briefings/facts/sources/web.yaml").write_text("".join(
        f"web-{n}:\n  publisher: Test server\n  url: {web}/{n}\n  kind: other\n"
        for n in names))
    code, out, err = cli("check", "--links", "--link-timeout", "2", "--root", str(mini))
    assert code == 0, out + err  # link problems are warnings; --strict makes them fail
    lines = [line.strip() for line in out.splitlines()]

    def line_for(name: str) -> str:
        row = names.index(name) * 4 + 3  # the url: line of that entry
        found = [ln for ln in lines if ln.startswith(f"briefings/facts/sources/web.yaml:{row}:")]
        return found[0] if found else ""

    assert line_for("moved").endswith(f"web-moved.url: warning: moved link: moved permanently "
                                      f"(301) to {web}/ok")
    assert line_for("gone").endswith("web-gone.url: warning: dead link: 404 Not Found")
    assert line_for("broken").endswith("warning: dead link: 500 Internal Server Error")
    assert line_for("hang").endswith("warning: dead link: no answer within 2 s")
    assert line_for("ok") == line_for("temp") == line_for("nohead") == ""
    assert "GET /nohead" in _Handler.hits  # HEAD refused, GET tried
    agent_seen = len(_Handler.hits)
    code, out2, _ = cli("check", "--links", "--link-timeout", "2", "--root", str(mini))
    assert len(_Handler.hits) == agent_seen  # a day's cache: nobody is asked twice
    assert "dead link: 404 Not Found" in out2
    code, _, _ = cli("check", "--links", "--strict", "--root", str(mini))
    assert code == 1


# ---------------------------------------------------------------------- watch
def _watch_in_thread(root: Path, on_build) -> tuple[threading.Thread, threading.Event]:
    from briefgen.author.watch import watch

    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(root, ["defector-asylum"]),
                              kwargs={"on_build": on_build, "on_error": print, "stop": stop,
                                      "debounce_ms": 100}, daemon=True)
    thread.start()
    return thread, stop


def test_watch_builds_a_save_made_before_the_watcher_started(full: Path) -> None:
    """The watcher starts after the first build: a save made in between is caught up."""
    calls: list[list[str]] = []
    fact = full / "briefings/facts/countries/australia.yaml"

    def on_build(result, changed: list[str]) -> None:
        calls.append(changed)
        if len(calls) == 1:  # after the first build read the files, before the watcher runs
            fact.write_text(fact.read_text().replace("who were seeking asylum",
                                                     "who have asked for asylum", 1))

    thread, stop = _watch_in_thread(full, on_build)
    deadline = time.monotonic() + 30
    while len(calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(10)
    assert calls == [[], ["briefings/facts/countries/australia.yaml"]]


def test_watch_builds_nothing_more_when_nothing_changed(full: Path) -> None:
    calls: list[list[str]] = []
    thread, stop = _watch_in_thread(full, lambda result, changed: calls.append(changed))
    deadline = time.monotonic() + 30
    while not calls and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.5)  # three wake-ups of the watcher
    stop.set()
    thread.join(10)
    assert calls == [[]]


def test_watch_rebuilds_after_an_edit_and_stops_cleanly(full: Path) -> None:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "briefgen.cli", "watch", "--root",
                             str(full), "--debounce", "100", "defector-asylum"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines: list[str] = []
    errors: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")),
                              daemon=True)
    reader.start()
    threading.Thread(target=lambda: errors.extend(iter(proc.stderr.readline, "")),
                     daemon=True).start()
    pdf = full / "dist/defector-asylum.pdf"

    def wait_for(predicate, what: str, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        proc.kill()
        raise AssertionError(f"timed out waiting for {what}: {lines}")

    try:
        wait_for(lambda: any("watching" in ln for ln in lines), "the first build")
        assert pdf.is_file()
        before = pdf.read_bytes()
        # edited at once: a save made before the watcher runs is caught up, not missed
        fact = full / "briefings/facts/countries/australia.yaml"
        fact.write_text(fact.read_text().replace("who were seeking asylum",
                                                 "who have asked for asylum", 1))
        wait_for(lambda: pdf.read_bytes() != before, "the rebuilt PDF")
        wait_for(lambda: any("changed: briefings/facts/countries/australia.yaml" in ln
                             for ln in lines), "the change report")
        assert "have asked for asylum" in " ".join(
            p.extract_text() for p in PdfReader(pdf).pages)
        # and its web page, as `build` makes it (watch built the PDFs only: found by review)
        page = full / "dist/site/defector-asylum/index.html"
        wait_for(lambda: page.is_file() and "have asked for asylum" in page.read_text(
            encoding="utf-8"), "the rebuilt web page")
        # a mistake is reported with its location, the old PDF stays, and watching goes on
        good = pdf.read_bytes()
        spec = full / "briefings/defector-asylum.yaml"
        spec.write_text(spec.read_text().replace("\ndate:", "\ndaet:", 1))
        wait_for(lambda: any("briefings/defector-asylum.yaml:" in ln and "daet" in ln
                             for ln in errors), "the located error")
        assert pdf.read_bytes() == good
        spec.write_text(spec.read_text().replace("\ndaet:", "\ndate:", 1))
        # back to what was last built: nothing to rebuild
        wait_for(lambda: "built 0, unchanged 1, failed 0" in lines[-1], "the check after the fix")
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(20)
    reader.join(5)
    assert code == 0, errors
    assert any("stopped watching" in ln for ln in lines)


def test_schema_writes_only_into_a_project_or_the_folder_named(full: Path, cli, tmp_path: Path,
                                                                monkeypatch) -> None:
    """Outside a project it made ./schemas wherever it ran, and a file in the way of -o was
    an internal error (found by review)."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, _, err = cli("schema")
    assert code == 2 and "is not a briefgen project" in err
    assert list(elsewhere.iterdir()) == []
    code, _, err = cli("schema", "--root", str(full), "-o",
                       str(full / "briefings/facts/publisher.yaml"))
    assert code == 1 and "internal error" not in err
    assert "a file of that name is in the way" in err
    code, _, _ = cli("schema", "--root", str(full))
    assert code == 0 and (full / "schemas/briefing.schema.json").is_file()


def test_new_refuses_a_title_with_template_code(full: Path, cli) -> None:
    """`new X --title '{% raw %}x'` wrote a file that failed check (found by review)."""
    code, _, err = cli("new", "x-briefing", "--title", "{% raw %}x", "--root", str(full))
    assert code == 2 and "--title holds template code" in err
    code, _, err = cli("new", "x-briefing", "--title", "The *Tatmadaw* and its allies",
                       "--root", str(full))
    assert code == 2 and "--title: '*Tatmadaw*' would be printed as written" in err
    assert not (full / "briefings/x-briefing.yaml").exists()
