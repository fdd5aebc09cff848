"""Headless Chromium for the web edition's tests: Debian's ``chromium`` driven by selenium
through Debian's ``chromium-driver`` (never a browser or driver downloaded by a tool), and
axe-core, vendored in ``tests/vendor/axe-core/`` with its licence.

``unavailable()`` says, in a sentence, why the browser tests cannot run here (they are then
skipped with that sentence); ``.ci/run`` installs what they need.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
#: what axe checks: WCAG 2.0, 2.1 at levels A and AA
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
        "--disable-dev-shm-usage", "--hide-scrollbars", "--force-device-scale-factor=1",
        "--lang=en-GB"]


def _binary(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").is_file()
                                       else None)
        if found:
            return found
    return None


def unavailable() -> str | None:
    """Why the browser tests cannot run, or None when they can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    if _binary("chromium", "chromium-browser") is None:
        return "no Chromium (apt-get install chromium chromium-driver; .ci/run does)"
    if _binary("chromedriver") is None:
        return "no chromedriver (apt-get install chromium-driver; .ci/run does)"
    if not AXE.is_file():
        return f"axe-core is missing ({AXE})"
    return None


@contextlib.contextmanager
def chromium(width: int = 1280, height: int = 900) -> Iterator:
    """A headless Chromium with an empty profile, the window ``width`` CSS pixels wide."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # selenium manager: never download
    profile = tempfile.mkdtemp(prefix="briefgen-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = _binary("chromium", "chromium-browser") or ""
    for arg in [*ARGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"]:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})  # every request
    driver = webdriver.Chrome(service=Service(executable_path=_binary("chromedriver")),
                              options=options)
    try:
        driver.set_script_timeout(60)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def resize(driver, width: int, height: int = 900) -> None:
    """Make the *viewport* ``width`` CSS pixels wide (the window has borders of its own)."""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return window.innerWidth")
    if inner != width:
        driver.set_window_size(width + (width - inner), height)


def run_axe(driver, tags: list[str] | None = None) -> dict:
    """axe-core's results for the open page: violations (with their nodes) and counts."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    script = """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: arguments[0]},
                           resultTypes: ['violations']})
          .then(r => done(JSON.stringify({
              violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))})),
              passes: r.passes.length, incomplete: r.incomplete.map(v => v.id),
              version: axe.version})))
          .catch(e => done(JSON.stringify({error: String(e)})));
    """
    result = json.loads(driver.execute_async_script(script, tags or WCAG_AA))
    if "error" in result:
        raise RuntimeError(f"axe-core failed: {result['error']}")
    return result
