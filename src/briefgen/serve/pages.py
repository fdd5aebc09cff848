"""The editor's reading pages: briefings and their live preview, the fact base, the sources.

Each handler takes the shared :class:`~.app.Context` and the request; ids in the URL are
looked up in the workspace (an unknown one is a 404), never joined to a path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, RedirectResponse, Response

from ..author.sources import source_rows
from ..errors import Diagnostic
from ..incremental.manifest import Manifest
from ..load.yamlfile import YamlFile
from .app import Context, read_form, render
from .forms import key_path
from .preview import page_image, pdf_pages, version

GROUPS = {"countries": "Countries", "bodies": "UN bodies, courts and regional bodies"}


# ---------------------------------------------------------------------- lookups
def entity_files(ctx: Context, group: str) -> dict[str, YamlFile]:
    """Entity id (the file name) -> its file, for "countries" or "bodies"."""
    raw = ctx.editor.ws.raw
    if group not in GROUPS:
        raise HTTPException(404)
    return {f.path.stem: f for f in (raw.countries if group == "countries" else raw.bodies)}


def entity_file(ctx: Context, group: str, entity: str) -> YamlFile:
    found = entity_files(ctx, group).get(entity)
    if found is None:
        raise HTTPException(404)
    return found


def require_briefing(ctx: Context, bid: str) -> None:
    if bid not in ctx.editor.ws.ids:
        raise HTTPException(404)


def facts_of(file: YamlFile) -> list[tuple[int, dict[str, Any]]]:
    data = file.data if isinstance(file.data, dict) else {}
    facts = data.get("facts") if isinstance(data.get("facts"), list) else []
    return [(i, f) for i, f in enumerate(facts) if isinstance(f, dict)]


@dataclass
class Usage:
    """Who uses what, from the briefings' states (what ``briefgen where`` reads)."""

    facts: dict[str, list[str]]  # fact key -> briefings that print it
    listed: dict[str, list[tuple[str, str, list[str]]]]  # entity -> (briefing, list, reasons)
    titles: dict[str, str]


def usage(ctx: Context) -> Usage:
    ws = ctx.editor.ws
    ws.evaluate_all()
    facts: dict[str, list[str]] = {}
    listed: dict[str, list[tuple[str, str, list[str]]]] = {}
    titles = {}
    for bid in ws.ids:
        state = ws.states[bid]
        titles[bid] = state.title or bid
        for key in state.used_facts:
            facts.setdefault(key, []).append(bid)
        for list_id, entries in state.lists.items():
            for e in entries:
                listed.setdefault(e.id, []).append((bid, list_id, e.reasons))
    return Usage(facts, listed, titles)


def fix_link(ctx: Context, d: Diagnostic) -> str | None:
    """The form where a diagnostic can be fixed, with the field's anchor."""
    ws = ctx.editor.ws
    path = key_path(d.key)
    rel = d.location.path
    for bid in ws.ids:
        if ws.spec_file(bid) == rel:
            anchor = "-".join(str(p) for p in path[:4]) if path else ""
            return f"/briefings/{bid}/edit" + (f"#field-{anchor}" if anchor else "")
    for group in GROUPS:
        for entity, file in entity_files(ctx, group).items():
            if file.display != rel:
                continue
            if len(path) >= 2 and path[0] == "facts" and isinstance(path[1], int):
                facts = dict(facts_of(file))
                fid = facts.get(path[1], {}).get("id")
                if isinstance(fid, str):
                    field = f"#field-{path[2]}" if len(path) > 2 else ""
                    return f"/facts/{group}/{entity}/{fid}/edit{field}"
            return f"/facts/{group}/{entity}"
    for file in ws.raw.sources:
        if file.display == rel and path and isinstance(path[0], str) and \
                isinstance(file.data, dict) and path[0] in file.data:
            field = f"#field-{path[1]}" if len(path) > 1 else ""
            return f"/sources/{path[0]}/edit{field}"
    return None


def status_of(ctx: Context, bid: str, manifest: Manifest) -> tuple[str, str]:
    """(kind, words): ok, errors, stale (the PDF is older than its inputs, or missing, or a
    translated edition's translation is older than the English or not reviewed yet)."""
    ws = ctx.editor.ws
    state = ws.state(bid)
    if state.errors:
        n = len(state.errors)
        return "errors", f"{n} error{'s' if n > 1 else ''}: not built"
    notes = []
    if not ws.layout.pdf(bid).is_file():
        notes.append("no PDF yet: build it")
    elif manifest.deps_digest(f"screen:{bid}") != state.deps_digest:
        notes.append("PDF out of date: build it")
    if ws.edition_of(bid) is not None:  # a translated edition: is its translation done?
        older = sum(1 for d in state.warnings if "is older than the English" in d.message)
        doc = ws.document(bid)
        if older:
            notes.append(f"translation older than the English in {older} "
                         f"text{'s' if older > 1 else ''}: update it")
        elif doc is not None and doc.draft:
            n = doc.unreviewed
            notes.append(f"unreviewed translation: {n} text{'s' if n > 1 else ''} to review "
                         "(the PDF says \"Draft translation\")")
    return ("stale", "; ".join(notes)) if notes else ("ok", "ok")


# ---------------------------------------------------------------------- briefings
async def briefings(ctx: Context, request):
    def work():
        ws = ctx.editor.ws
        with ctx.editor.lock:
            manifest = Manifest.load(ws.layout.manifest)
            rows = []
            for bid in ws.ids:
                state = ws.state(bid)
                kind, words = status_of(ctx, bid, manifest)
                rows.append({"id": bid, "title": state.title or bid, "date": state.date,
                             "status": kind, "words": words,
                             "pdf": ws.layout.pdf(bid).is_file(),
                             "page": (ws.layout.site_folder(bid) / "index.html").is_file()})
            rows.sort(key=lambda r: (r["date"], r["id"]), reverse=True)
            return rows, [d for d in ctx.editor.diagnostics() if d.is_error]

    rows, errors = await run_in_threadpool(work)
    message = ctx.saved.get(request.query_params.get("done", ""), {}).get("message")
    return render(ctx, request, "briefings.html.j2", rows=rows, errors=errors,
                  title="Briefings", message=message)


async def build(ctx: Context, request):
    form = await read_form(ctx, request)
    bid = form.get("id", [""])[0]
    if bid:
        require_briefing(ctx, bid)
    results = await run_in_threadpool(ctx.editor.build, [bid] if bid else None)
    built = sorted({b for r in results.values() for b in r.built})
    failed = sorted({f.id for r in results.values() for f in r.failed})
    words = f"Built {', '.join(built)}." if built else "Everything was up to date."
    if failed:
        words += f" Not built, because of errors: {', '.join(failed)}."
    if ctx.editor.build_error:
        words = f"Could not build: {ctx.editor.build_error}"
    token = ctx.keep({"message": words})
    target = f"/briefings/{bid}" if bid else "/"
    return RedirectResponse(f"{target}?done={token}", 303)


def preview_data(ctx: Context, bid: str) -> dict[str, Any]:
    ws = ctx.editor.ws
    layout = ws.layout
    return {"id": bid, "version": version(layout, bid),
            "pages": pdf_pages(layout.pdf(bid)),
            "page": (layout.site_folder(bid) / "index.html").is_file()}


async def briefing(ctx: Context, request):
    bid = request.path_params["bid"]
    require_briefing(ctx, bid)

    def work():
        with ctx.editor.lock:
            ws = ctx.editor.ws
            state = ws.state(bid)
            manifest = Manifest.load(ws.layout.manifest)
            kind, words = status_of(ctx, bid, manifest)
            spec = ws.spec_file(bid)
            facts = set(state.used_facts)
            sources = set(state.used_sources)
            mine = []
            for d in ctx.editor.diagnostics():
                if d in state.errors:
                    continue
                if d.location.path == spec or d in state.warnings or \
                        _about(ws, d, facts, sources):
                    mine.append(d)
            problems = [(d, fix_link(ctx, d)) for d in [*state.errors, *mine]]
            edition = None
            found = ws.edition_of(bid)
            if found is not None:  # a translated edition: its text is in the translations
                base, lang = found
                folder = ws.layout.translation_folder(lang).relative_to(ws.root).as_posix()
                edition = {"base": base, "language": lang, "folder": folder}
            return {"state": state, "status": kind, "words": words, "spec": spec,
                    "problems": problems, "preview": preview_data(ctx, bid),
                    "edition": edition}

    data = await run_in_threadpool(work)
    message = ctx.saved.get(request.query_params.get("done", ""), {}).get("message")
    return render(ctx, request, "briefing.html.j2", title=data["state"].title or bid,
                  message=message, bid=bid, **data)


def _about(ws, d: Diagnostic, facts: set[str], sources: set[str]) -> bool:
    """A warning about a fact or source the briefing uses."""
    path = key_path(d.key)
    for key in facts:
        rec = ws.base.facts.get(key)
        if rec is not None and rec.file.display == d.location.path and \
                path[:len(rec.path)] == tuple(rec.path):
            return True
    for sid in sources:
        rec = ws.base.sources.get(sid)
        if rec is not None and rec.file.display == d.location.path and path[:1] == (sid,):
            return True
    return False


async def preview(ctx: Context, request):
    """The preview alone (polled by the briefing page): 204 while it has not changed."""
    bid = request.path_params["bid"]
    require_briefing(ctx, bid)
    data = await run_in_threadpool(preview_data, ctx, bid)
    if request.query_params.get("v") == data["version"]:
        return Response(status_code=204)
    return render(ctx, request, "_preview.html.j2", preview=data, bid=bid)


async def page_png(ctx: Context, request):
    bid = request.path_params["bid"]
    require_briefing(ctx, bid)
    number = request.path_params["number"]
    path = await run_in_threadpool(page_image, ctx.editor.layout, bid, number)
    if path is None:
        raise HTTPException(404)
    return FileResponse(path, media_type="image/png")


async def pdf(ctx: Context, request):
    bid = request.path_params["bid"]
    require_briefing(ctx, bid)
    path = ctx.editor.layout.pdf(bid)
    if not path.is_file():
        raise HTTPException(404)
    return FileResponse(path, media_type="application/pdf")


# ---------------------------------------------------------------------- the fact base
async def fact_base(ctx: Context, request):
    def work():
        with ctx.editor.lock:
            errors = [d for d in ctx.editor.diagnostics() if d.is_error]
            groups = []
            for group, label in GROUPS.items():
                items = []
                for entity, file in sorted(entity_files(ctx, group).items()):
                    data = file.data if isinstance(file.data, dict) else {}
                    count = sum(1 for d in errors if d.location.path == file.display)
                    items.append({"id": entity, "name": data.get("name") or entity,
                                  "facts": len(facts_of(file)), "errors": count})
                groups.append({"id": group, "label": label, "entities": items})
            return groups

    groups = await run_in_threadpool(work)
    return render(ctx, request, "facts.html.j2", title="Fact base", groups=groups)


async def entity(ctx: Context, request):
    group, entity_id = request.path_params["group"], request.path_params["entity"]
    file = entity_file(ctx, group, entity_id)

    def work():
        with ctx.editor.lock:
            use = usage(ctx)
            diags = [d for d in ctx.editor.diagnostics() if d.location.path == file.display]
            registry = ctx.editor.ws.base.sources
            facts = []
            for i, fact in facts_of(file):
                fid = fact.get("id")
                key = f"{entity_id}.{fid}"
                mine = [d for d in diags if key_path(d.key)[:2] == ("facts", i)]
                facts.append({"id": fid if isinstance(fid, str) else None, "data": fact,
                              "as_of": _text(fact.get("as_of")),
                              "status": fact.get("status", "current"),
                              "sources": [(s, registry[s].source.title if s in registry
                                           else None) for s in fact.get("sources") or []
                                          if isinstance(s, str)],
                              "used": [(b, use.titles[b]) for b in use.facts.get(key, [])],
                              "problems": [(d, fix_link(ctx, d)) for d in mine]})
            other = [(d, None) for d in diags if key_path(d.key)[:1] != ("facts",)]
            listed = [(b, use.titles[b], lid, reasons)
                      for b, lid, reasons in use.listed.get(entity_id, [])]
            return facts, other, listed

    facts, other, listed = await run_in_threadpool(work)
    data = file.data if isinstance(file.data, dict) else {}
    return render(ctx, request, "entity.html.j2", title=str(data.get("name") or entity_id),
                  group=group, entity=entity_id, file=file, facts=facts, problems=other,
                  listed=listed, failed=file.failed)


def _text(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


# ---------------------------------------------------------------------- sources
async def sources(ctx: Context, request):
    def work():
        with ctx.editor.lock:
            ws = ctx.editor.ws
            cited: dict[str, list[tuple[str, str]]] = {}
            for key, rec in ws.base.facts.items():
                group = "countries" if rec.entity.kind == "country" else "bodies"
                for sid in rec.fact.sources:
                    cited.setdefault(sid, []).append((key, f"/facts/{group}/{rec.entity.id}"))
            rows = source_rows(ws, ws.stale_months)
            errors = [(d, fix_link(ctx, d)) for d in ctx.editor.diagnostics()
                      if d.is_error and d.location.path.startswith("briefings/facts/sources/")]
            return rows, cited, errors

    rows, cited, errors = await run_in_threadpool(work)
    return render(ctx, request, "sources.html.j2", title="Sources", rows=rows, cited=cited,
                  problems=errors)


async def saved(ctx: Context, request):
    data = ctx.saved.get(request.path_params["token"])
    if data is None:
        raise HTTPException(404)
    return render(ctx, request, "saved.html.j2", title="Saved", **data)
