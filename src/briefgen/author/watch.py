"""``briefgen watch``: rebuild on every save of a spec, fact, source, brand sheet, font or
template, using the incremental build, and keep watching whatever goes wrong.

watchfiles (Rust notify underneath) batches the events of one save and debounces them, so
an editor that writes a file in several steps triggers one build. The watcher starts only
after the first build, so the files are fingerprinted before it and compared again once the
watcher is running: a save made in between is built too, never missed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from ..errors import BriefgenError
from ..incremental.builder import BuildResult, build_profiles
from ..incremental.index import hash_files
from ..load.project import Layout, find_root

WATCHED_SUFFIXES = {".yaml", ".yml", ".ttf", ".j2", ".txt"}


def _relevant(path: str) -> bool:
    p = Path(path)
    return p.suffix.lower() in WATCHED_SUFFIXES and not p.name.startswith(".")


def watch(root: Path | str, ids: list[str] | None, *,
          on_build: Callable[[dict[str, BuildResult], list[str]], None],
          on_error: Callable[[BriefgenError], None],
          stop: threading.Event | None = None, debounce_ms: int = 300) -> None:
    """Build once, then after every relevant change until ``stop`` is set or Ctrl-C: the
    PDFs and the web pages, as ``build`` does (``on_build`` gets a result for each, keyed
    ``screen`` and ``html``)."""
    from watchfiles import watch as watch_files

    layout = Layout(find_root(Path(root)))

    def build(changed: list[str]) -> None:
        try:
            on_build(build_profiles(layout.root, ids, formats=("pdf", "html")), changed)
        except BriefgenError as exc:  # e.g. an unknown id: report it and keep watching
            on_error(exc)

    def fingerprint() -> dict[str, str]:
        return hash_files(layout.root, [layout.briefings, layout.styles])

    before = fingerprint()
    build([])
    # the first wake-up (after at most rust_timeout, with the watcher running) compares the
    # files with the fingerprint taken before the first build
    catch_up = True
    for changes in watch_files(layout.briefings, layout.styles, debounce=debounce_ms,
                               stop_event=stop, raise_interrupt=False, rust_timeout=500,
                               yield_on_timeout=True):
        changed = sorted({str(Path(p).relative_to(layout.root)) for _, p in changes
                          if _relevant(p)})
        if catch_up:
            catch_up = False
            now = fingerprint()
            changed = sorted(set(changed) | {rel for rel in before.keys() | now.keys()
                                             if before.get(rel) != now.get(rel) and
                                             _relevant(rel)})
        if changed:
            build(changed)
