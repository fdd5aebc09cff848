"""The workspace as it would be if some files held other text: how a form's change is judged
before anything is written.

It is built from the live workspace through the same loaders ``open_workspace`` uses
(``parse_yaml``, ``load_fact_base``, the evaluator of briefings, the index of states), with
the changed files parsed from the candidate text instead of read from disk. Briefings
that read nothing that changed reuse their state, so judging an edit to one fact costs the
briefings that use it. ``tests/test_serve.py`` checks that its diagnostics are exactly
those ``briefgen check`` gives once the text is on disk.

When the change is saved, the candidate *is* the new live workspace: the files on disk then
hold exactly the text it was built from.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import Diagnostic, relative_path
from ..incremental.index import BriefingState
from ..load.project import RawProject
from ..load.yamlfile import YamlFile, parse_yaml
from ..validate.factbase import load_fact_base
from ..workspace import Workspace
from ..workspace.evaluate import Evaluator


def content_hash(data: bytes) -> str:
    """The hash the workspace keeps of every input file (``incremental.index.hash_files``)."""
    return hashlib.sha256(data).hexdigest()[:16]


class _Evaluator(Evaluator):
    """Reads the specs given as text from that text, the others from disk."""

    def __init__(self, ws: Workspace, paths: dict[str, Path], publisher_broken: bool,
                 texts: dict[Path, str]):
        super().__init__(ws, paths, publisher_broken)
        self.texts = texts

    def _load(self, bid: str):
        path = self.paths[bid]
        if path not in self.texts:
            return super()._load(bid)
        return parse_yaml(self.texts[path], path, relative_path(path, self.ws.root))


def candidate(ws: Workspace, texts: dict[Path, str], encoded: dict[Path, bytes]
              ) -> Workspace:
    """``ws`` with each file of ``texts`` holding that text (``encoded``: the bytes that
    would be written, for the file hashes). The paths are existing inputs of ``ws`` or new
    files in its folders of countries, bodies and sources."""
    layout, root, old = ws.layout, ws.root, ws.raw
    parsed: dict[Path, YamlFile] = {}
    errors: list[Diagnostic] = []
    specs = {p for p in texts if p.parent == layout.briefings}
    for path, text in texts.items():
        if path in specs:
            continue
        file, errs = parse_yaml(text, path, relative_path(path, root))
        parsed[path] = file
        errors += errs
    displays = {relative_path(p, root) for p in texts}

    def swap(files: list[YamlFile], folder: Path) -> list[YamlFile]:
        out = [parsed.get(f.path, f) for f in files]
        known = {f.path for f in files}
        out += [f for p, f in parsed.items() if p.parent == folder and p not in known]
        return sorted(out, key=lambda f: f.path)

    publisher = old.publisher
    if layout.publisher in parsed:
        publisher = parsed[layout.publisher]
    raw = RawProject(layout=old.layout, specs={}, countries=swap(old.countries, layout.countries),
                     bodies=swap(old.bodies, layout.bodies),
                     sources=swap(old.sources, layout.sources), publisher=publisher,
                     styles=old.styles, strings=old.strings, mail_settings=old.mail_settings,
                     errors=[d for d in old.errors if d.location.path not in displays] + errors)
    base, base_errors = load_fact_base(raw)
    # brand sheets are never edited here: their errors are the live workspace's
    old_raw_errors = set(old.errors)
    brand_errors = [d for d in ws.shared if not d.location.path.startswith("briefings/")
                    and d not in old_raw_errors]
    shared = [*raw.errors, *base_errors, *brand_errors]
    files = dict(ws.files)
    for path, data in encoded.items():
        files[relative_path(path, root)] = content_hash(data)
    # the specs only: translated editions are found again from them (a language the edit
    # adds or removes is then known), as when a workspace is opened
    paths = {bid: path for bid, path in ws._evaluator.paths.items()
             if ws.edition_of(bid) is None}
    for path in specs:
        paths.setdefault(path.stem, path)
    cand = Workspace(layout, raw, base, ws.brands, sorted(paths), shared, files, ws.index,
                     ws.stale_months, ws.today, strings=ws.strings)
    ws.mail  # noqa: B018 - mail settings are not edited here: validated once, shared
    cand._mail = ws._mail
    where = raw.publisher.display if raw.publisher else "briefings/facts/publisher.yaml"
    broken = any(d.location.path == where for d in shared if d.is_error)
    cand._evaluator = _Evaluator(cand, paths, broken, {p: texts[p] for p in specs})
    cand.ids = sorted([*paths, *cand._evaluator.find_editions()])
    return cand


def changed_briefings(live: Workspace, cand: Workspace) -> list[str]:
    """Briefings whose outputs the change alters: what they print, or whether they can be
    built at all."""
    out = []
    for bid in cand.ids:
        new: BriefingState = cand.state(bid)
        if bid not in live.ids:
            out.append(bid)
            continue
        old = live.state(bid)
        if new.ok != old.ok or (new.ok and new.deps_digest != old.deps_digest):
            out.append(bid)
    return out

