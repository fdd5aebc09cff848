"""Evaluating one briefing: reuse its state from the index when nothing it read changed,
otherwise read its spec, validate it, resolve it and check its glyphs."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from ..errors import Diagnostic
from ..incremental.index import BriefingState, ListEntry
from ..incremental.manifest import dependencies, digest
from ..load.yamlfile import load_yaml
from ..resolve.model import Document
from ..resolve.resolver import resolve_briefing, topic_members
from ..validate.factbase import BriefingRecord
from ..validate.models import Briefing
from ..validate.schema import did_you_mean, validate_model
from ..validate.types import check_id

if TYPE_CHECKING:
    from .core import Workspace


KEEP_RECORDS = 32


class Evaluator:
    def __init__(self, ws: Workspace, paths: dict[str, Path], publisher_broken: bool):
        self.ws, self.paths, self.publisher_broken = ws, paths, publisher_broken
        # the last specs read (a spec is read again if asked for after: keeping every parsed
        # spec of a large project, with the position of each of its values, costs memory)
        self._records: OrderedDict[str, tuple[BriefingRecord | None, list[Diagnostic]]] = \
            OrderedDict()
        self._current: dict[str, str] = {}
        self._pdf = None

    # ------------------------------------------------------------------ reuse
    def evaluate(self, bid: str, fresh: bool = False) -> tuple[BriefingState, Document | None]:
        index = self.ws.index
        if not fresh and index is not None:
            old = index.briefings.get(bid)
            if old is not None and old.ok and all(self.current(key, bid) == value
                                                  for key, value in old.inputs.items()):
                return old, None
        return self._fresh(bid)

    def current(self, key: str, bid: str) -> str:
        """The value an input of ``bid`` has now (compared with the one it had)."""
        if key == "spec":
            return self.ws.files.get(self._rel(bid), "missing")
        if key == "publisher":
            return "broken" if self.publisher_broken else "ok"
        found = self._current.get(key)
        if found is None:
            found = self._current[key] = self._value(key)
        return found

    def _value(self, key: str) -> str:
        kind, _, rest = key.partition(":")
        ws = self.ws
        if kind == "file":
            return ws.files.get(rest, "missing")
        if kind == "source":
            rec = ws.base.sources.get(rest)
            if rec is None:
                return "missing"
            line = rec.file.location(rec.path, key=True).line
            return f"{digest(rec.source.model_dump(mode='json'))}@{line}"
        if kind == "members":
            rule = SimpleNamespace(**json.loads(rest))
            ids = ",".join(r.entity.id for r in topic_members(ws.base, rule))
            broken = ",".join(sorted(ws.base.broken_countries().values()))
            return hashlib.sha256(f"{ids}|{broken}".encode()).hexdigest()[:16]
        if kind == "editions":  # the published editions the "What's new" box compares with
            from ..editions.store import stamp

            return stamp(ws.layout, rest)
        if kind == "brand":
            brand = ws.brands.get(rest)
            if brand is None:
                return "broken" if rest in ws.raw.styles else "missing"
            parts = [ws.files.get(p.relative_to(ws.root).as_posix(), "?") for p in brand.files]
            parts += sorted(info.digest for info in brand.fonts.values())
            return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
        return f"unknown input {key}"

    def _rel(self, bid: str) -> str:
        return self.paths[bid].relative_to(self.ws.root).as_posix()

    # ------------------------------------------------------------------ the spec
    def record(self, bid: str) -> BriefingRecord | None:
        return self._read(bid)[0]

    def _read(self, bid: str) -> tuple[BriefingRecord | None, list[Diagnostic]]:
        if bid not in self._records:
            file, errors = load_yaml(self.paths[bid], self.ws.root)
            record = None
            if not file.failed:
                try:
                    check_id(bid)
                except ValueError as exc:
                    errors.append(file.diag((), f"file name: {exc}"))
                spec, diags = validate_model(Briefing, file, file.data)
                errors += diags
                if spec is not None and not errors:
                    record = BriefingRecord(bid, spec, file)
            self._records[bid] = (record, errors)
            while len(self._records) > KEEP_RECORDS:
                self._records.popitem(last=False)
        return self._records[bid]

    # ------------------------------------------------------------------ fresh
    def _fresh(self, bid: str) -> tuple[BriefingState, Document | None]:
        ws = self.ws
        record, errors = self._read(bid)
        state = BriefingState(bid)
        inputs = {"spec": self.current("spec", bid), "publisher": self.current("publisher", bid)}
        fails = list(errors)
        doc = None
        if record is not None:
            spec = record.spec
            state.date, state.language, state.brand = spec.date.isoformat(), spec.language, \
                spec.brand
            if self.publisher_broken:
                where = ws.raw.publisher.display if ws.raw.publisher else \
                    "briefings/facts/publisher.yaml"
                fails.append(Diagnostic(record.file.location(()), "", f"the publisher file "
                                        f"has errors ({where}); every briefing prints it, so "
                                        "none can be built"))
            brand = ws.brands.get(spec.brand)
            inputs[f"brand:{spec.brand}"] = self.current(f"brand:{spec.brand}", bid)
            if brand is None:
                if spec.brand in ws.raw.styles:
                    sheet = ws.raw.styles[spec.brand].display
                    fails.append(record.file.diag(("brand",), f"brand sheet '{spec.brand}' "
                                                  f"has errors ({sheet}); fix them first"))
                else:
                    fails.append(record.file.diag(
                        ("brand",), f"unknown brand sheet '{spec.brand}'"
                                    f"{did_you_mean(spec.brand, ws.raw.styles)}; brand sheets "
                                    "are the files in styles/"))
            resolved = resolve_briefing(ws.base, record)
            fails += resolved.errors
            state.lists = {lid: [ListEntry(e.number, e.id, e.name, list(e.reasons))
                                 for e in entries] for lid, entries in resolved.lists.items()}
            for key in sorted(resolved.reads):
                inputs[key] = self.current(key, bid)
            doc = resolved.document
            if doc is not None:
                # the "What's new" box is printed, so it is made here, before the glyph check,
                # from the last edition that differs (see briefgen.editions.box)
                inputs[f"editions:{bid}"] = self.current(f"editions:{bid}", bid)
                if ws.layout.briefing_editions(bid).is_dir():
                    from ..editions.box import add_whats_new

                    fails += add_whats_new(ws, record, doc)
                state.title, state.subtitle = doc.title, doc.subtitle or ""
                state.lead = doc.lead_text()
                state.chars = "".join(sorted(set(doc.printed_text())))
                state.styles = sorted(doc.styles_used())
                state.used_facts = sorted(doc.used_facts)
                state.used_sources = sorted(doc.used_sources)
                if brand is not None:
                    fails += self.pdf.check(doc, brand)
                    state.deps = dependencies(doc, record, ws.base, brand, ws.digests)
                    if doc.whats_new:
                        state.deps["whats-new"] = digest([doc.whats_new_since,
                                                          *(p.plain for p in doc.whats_new)])
                    state.deps_digest = digest(state.deps)
        state.errors = sorted({str(d): d for d in fails}.values(), key=Diagnostic.sort_key)
        state.inputs = inputs
        return state, doc if state.ok else None

    @property
    def pdf(self):
        if self._pdf is None:
            from ..render import renderer

            self._pdf = renderer("pdf")
        return self._pdf
