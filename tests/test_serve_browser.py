"""The web editor in a real browser: headless Chromium (Debian's, through chromium-driver)
against ``briefgen serve`` running in this process on a free port of 127.0.0.1.

A person edits Japan's fact through the form, sees which briefings the change will
rebuild, saves, and sees the preview change; the YAML file changes on one line and keeps
its comments. An invalid date is shown next to its field and nothing is written; a forged
POST is refused; an edit made in a text editor reaches the open preview; axe-core finds no
violation on any of the editor's pages. Skipped, with the reason, where there is no browser.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from browser import WCAG_AA, chromium, run_axe, unavailable
from webcheck import built_web_project

REASON = unavailable()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"browser tests skipped: {REASON}")

JAPAN = "briefings/facts/countries/japan.yaml"
COMMENT = "# Japan: statements checked by the press team, 2026\n"


class Server:
    def __init__(self, root: Path):
        import uvicorn

        from briefgen.serve.app import create_app
        from briefgen.serve.editor import Editor
        from briefgen.serve.server import bind

        self.root = root
        self.editor = Editor(root)
        self.sock = bind("127.0.0.1", 0)
        port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(create_app(self.editor, port=port), log_level="warning",
                                access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)
        self.stop = threading.Event()
        self.watcher = threading.Thread(target=self.editor.watch, args=(self.stop,),
                                        daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        self.watcher.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the editor did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.stop.set()
        self.thread.join(timeout=10)
        self.watcher.join(timeout=5)
        self.sock.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve-browser") / "project"
    shutil.copytree(built_web_project(tmp_path_factory), root)
    japan = root / JAPAN
    japan.write_text(COMMENT + japan.read_text().replace(
        "  - id: admm-plus-2023-absent", "  # seen in the photographs? no\n"
        "  - id: admm-plus-2023-absent"))
    with Server(root) as s:
        yield s


@pytest.fixture(scope="module")
def driver():
    with chromium(1280, 900) as d:
        yield d


def wait(driver, condition, timeout: float = 20.0):
    from selenium.common.exceptions import (
        NoSuchElementException,
        NoSuchFrameException,
        StaleElementReferenceException,
    )
    from selenium.webdriver.support.ui import WebDriverWait

    # the preview is swapped in by htmx: an element read while it is replaced is stale
    ignored = (NoSuchElementException, NoSuchFrameException, StaleElementReferenceException)
    return WebDriverWait(driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=ignored).until(condition)


def by(kind: str, value: str):
    from selenium.webdriver.common.by import By

    return getattr(By, kind), value


def click_link(driver, text: str) -> None:
    driver.find_element(*by("PARTIAL_LINK_TEXT", text)).click()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def frame_text(driver) -> str:
    frame = driver.find_element(*by("CSS_SELECTOR", "#preview iframe"))
    driver.switch_to.frame(frame)
    try:
        return driver.find_element(*by("TAG_NAME", "body")).text
    finally:
        driver.switch_to.default_content()


def test_edit_japans_fact_see_the_warning_save_and_see_the_preview_change(driver, server,
                                                                          tmp_path) -> None:
    japan = server.root / JAPAN
    before = japan.read_text()
    driver.get(server.url + "/")
    assert driver.find_element(*by("TAG_NAME", "h1")).text == "Briefings"
    click_link(driver, "Fact base")
    click_link(driver, "Japan")
    driver.find_element(*by("CSS_SELECTOR", 'a[href$="/military-cooperation/edit"]')).click()
    statement = driver.find_element(*by("ID", "field-statement"))
    assert statement.get_attribute("value").startswith("According to Myanmar's Ministry")
    new = ("According to Myanmar's Ministry of Defence, Myanmar and Japan agreed in 2025 to "
           "widen their military cooperation.")
    statement.clear()
    statement.send_keys(new)
    impact = driver.find_element(*by("ID", "impact"))
    wait(driver, lambda d: "This changes 1 briefing" in impact.text)
    assert "13 countries involved in training and cooperation" in impact.text
    driver.save_screenshot(str(tmp_path / "impact.png"))
    driver.find_element(*by("CSS_SELECTOR", "form.edit button[type=submit]")).click()
    wait(driver, lambda d: d.find_element(*by("TAG_NAME", "h1")).text == "Saved")
    assert "Saved fact japan.military-cooperation" in driver.page_source
    click_link(driver, "13 countries involved")
    wait(driver, lambda d: "agreed in 2025 to widen" in frame_text(d))
    images = driver.find_elements(*by("CSS_SELECTOR", "#preview ul.pages img"))
    assert len(images) >= 2
    driver.execute_script("arguments[0].scrollIntoView()", images[0])
    wait(driver, lambda d: d.execute_script("return arguments[0].complete && "
                                            "arguments[0].naturalWidth > 0", images[0]))
    after = japan.read_text()
    removed = [line for line in before.splitlines() if line not in after.splitlines()]
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert removed == [line for line in before.splitlines() if "strengthen their" in line]
    assert added == [f"    statement: {new}"]
    assert after.startswith(COMMENT) and "  # seen in the photographs? no\n" in after
    assert len(after.splitlines()) == len(before.splitlines())


def test_an_invalid_date_is_shown_next_to_the_field_and_nothing_is_written(driver,
                                                                           server) -> None:
    japan = server.root / JAPAN
    before = digest(japan)
    driver.get(server.url + "/facts/countries/japan/admm-plus-2023-absent/edit")
    as_of = driver.find_element(*by("ID", "field-as_of"))
    as_of.clear()
    as_of.send_keys("2023-02-30")
    impact = driver.find_element(*by("ID", "impact"))
    wait(driver, lambda d: "would bring" in impact.text)
    driver.find_element(*by("CSS_SELECTOR", "form.edit button[type=submit]")).click()
    wait(driver, lambda d: d.find_elements(*by("CSS_SELECTOR", ".field.has-error")))
    field = driver.find_element(*by("CSS_SELECTOR", ".field.has-error"))
    assert field.find_element(*by("TAG_NAME", "label")).text.startswith("As of")
    error = field.find_element(*by("CSS_SELECTOR", "p.error"))
    assert "'2023-02-30' is not a valid date" in error.text
    box = driver.find_element(*by("ID", "field-as_of"))
    assert box.get_attribute("aria-invalid") == "true"
    assert error.get_attribute("id") in box.get_attribute("aria-describedby").split()
    assert box.get_attribute("value") == "2023-02-30"
    assert "Nothing was written" in driver.page_source
    assert digest(japan) == before


def test_a_forged_post_without_the_csrf_token_is_refused(driver, server) -> None:
    japan = server.root / JAPAN
    before = digest(japan)
    url = server.url + "/facts/countries/japan/admm-plus-2022-absent/edit"
    driver.get(url)
    status = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const form = new URLSearchParams(new FormData(document.querySelector('form.edit')));
        form.delete('csrf');
        form.set('statement', 'Forged.');
        fetch(arguments[0], {method: 'POST', body: form}).then(r => done(r.status));
    """, url)
    assert status == 403
    request = urllib.request.Request(url, data=b"statement=Forged.&as_of=2022", method="POST",
                                     headers={"Content-Type":
                                              "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    assert digest(japan) == before


def test_an_edit_made_in_a_text_editor_reaches_the_open_preview(driver, server) -> None:
    driver.get(server.url + "/briefings/admm-plus-counter-terrorism")
    assert "did not attend the 2022" in frame_text(driver)
    japan = server.root / JAPAN
    japan.write_text(japan.read_text().replace("Japan did not attend the 2022",
                                               "Japan was absent from the 2022"))
    wait(driver, lambda d: "Japan was absent from the 2022" in frame_text(d), timeout=30)


PAGES = ["/", "/briefings/military-cooperation", "/briefings/military-cooperation/edit",
         "/facts", "/facts/countries/japan", "/facts/countries/japan/military-cooperation/edit",
         "/facts/countries/japan/new", "/sources", "/sources/new",
         "/sources/icj-case-178/edit"]


@pytest.mark.parametrize("page", PAGES)
def test_axe_finds_no_violation_in_the_editor(driver, server, page: str) -> None:
    driver.get(server.url + page)
    result = run_axe(driver, [*WCAG_AA, "best-practice"])
    assert result["violations"] == [], json.dumps(result["violations"], indent=1)
    assert result["passes"] > 10


def test_axe_finds_no_violation_on_a_refused_form(driver, server) -> None:
    driver.get(server.url + "/facts/countries/japan/new")
    driver.find_element(*by("ID", "field-as_of")).send_keys("soon")
    driver.find_element(*by("CSS_SELECTOR", "form.edit button[type=submit]")).click()
    wait(driver, lambda d: d.find_elements(*by("CSS_SELECTOR", ".field.has-error")))
    result = run_axe(driver, [*WCAG_AA, "best-practice"])
    assert result["violations"] == [], json.dumps(result["violations"], indent=1)


def test_no_request_goes_anywhere_but_the_editor(driver, server) -> None:
    driver.get_log("performance")
    for page in ("/", "/briefings/military-cooperation", "/facts/countries/japan/new"):
        driver.get(server.url + page)
        time.sleep(0.5)
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    assert urls and all(u.startswith(server.url + "/") for u in urls), urls
    assert any(u.endswith("/static/vendor/htmx/htmx.min.js") for u in urls)
