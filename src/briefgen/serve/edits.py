"""The editor's forms: a fact (with, if wanted, a new source), a source, a briefing's text.

Every form works the same way:

* GET shows the values as written, and the file's hash as it was then (``base``);
* POST with ``?impact=1`` (sent by htmx as the form changes) answers with which briefings
  the change would rebuild, and any error it would bring, without writing anything;
* POST saves: the YAML text is edited in place (:mod:`.yamledit`), the candidate project
  judged (:mod:`.candidate`); a change that brings an error is refused and the form shown
  again with each message next to its field; a file changed on disk since the form was
  opened is a conflict; otherwise the files are written and the affected briefings rebuilt.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse

from ..validate.types import check_id
from . import forms
from .app import Context, read_form, render
from .editor import FileText, Outcome, Plan
from .pages import entity_file, facts_of, require_briefing
from .yamledit import REMOVE, EditError, add_entry, append_item, set_item, update_mapping

SOURCE_FILE_FOR = {"news": "news", "ngo": "ngo", "official": "official", "un": "un-and-courts",
                   "court": "un-and-courts"}


def _source_files(ctx: Context) -> dict[str, Path]:
    """Sources file name (stem) -> path: the files of the registry as the workspace has
    them (new sources go into one of these)."""
    return {f.path.stem: f.path for f in ctx.editor.ws.raw.sources}


def _default_source_file(ctx: Context, kind: str) -> str:
    files = _source_files(ctx)
    wanted = SOURCE_FILE_FOR.get(kind, "")
    return wanted if wanted in files else next(iter(sorted(files)), "")


class _Change:
    """The texts a form would write, and how to judge and save them."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.texts: dict[Path, str] = {}
        self.originals: dict[Path, FileText] = {}
        self.problem: str | None = None

    def read(self, path: Path) -> FileText:
        if path not in self.originals:
            self.originals[path] = self.ctx.editor.read(path)
        if self.originals[path].link:
            raise EditError(self.ctx.editor.link_message(path))
        return self.originals[path]

    def text(self, path: Path) -> str:
        return self.texts.get(path, self.read(path).text)

    def plan(self) -> Plan | None:
        if self.problem or not self.texts:
            return None
        return self.ctx.editor.plan(self.texts, self.originals)

    def save(self, bases: dict[Path, str]) -> Outcome:
        return self.ctx.editor.save(self.texts, bases)


def _impact(ctx: Context, request, change: _Change, display: str, prefix, fields):
    plan = change.plan()
    by_field, others = ({}, [])
    if plan is not None:
        by_field, others = forms.place(plan.new_errors, display, prefix, fields)
    return render(ctx, request, "_impact.html.j2", plan=plan, problem=change.problem,
                  titles=_titles(ctx), field_errors=by_field, other_errors=others)


def _titles(ctx: Context) -> dict[str, str]:
    ws = ctx.editor.ws
    return {bid: (ws.states[bid].title if bid in ws.states else "") or bid for bid in ws.ids}


def _finish(ctx: Context, request, outcome: Outcome, back: str, what: str):
    """After a save: a redirect to the result page, or None when the form is shown again."""
    results = outcome.results
    built = sorted({b for r in results.values() for b in r.built})
    failed = sorted({f.id for r in results.values() for f in r.failed})
    data = {"what": what, "files": outcome.files, "affected": outcome.plan.affected,
            "built": built, "failed": failed, "titles": _titles(ctx), "back": back,
            "build_error": ctx.editor.build_error,
            "message": f"Saved {what}." + (f" Rebuilt {len(built)} briefing"
                                           f"{'s' if len(built) != 1 else ''}."
                                           if built else "")}
    return RedirectResponse(f"/saved/{ctx.keep(data)}", 303)


def _bases(form: dict[str, list[str]], change: _Change, names: dict[Path, str]
           ) -> dict[Path, str]:
    return {path: forms.one(form, name) for path, name in names.items()}


# ---------------------------------------------------------------------- a fact
async def fact_form(ctx: Context, request):
    group = request.path_params["group"]
    entity = request.path_params["entity"]
    fid = request.path_params.get("fact")
    file = entity_file(ctx, group, entity)
    path = file.path
    action = request.url.path
    if request.method == "GET":
        return await run_in_threadpool(_fact_get, ctx, request, group, entity, fid, path)
    form = await read_form(ctx, request)
    return await run_in_threadpool(_fact_post, ctx, request, form, group, entity, fid, path,
                                   action)


def _fact_page(ctx: Context, request, *, group, entity, fid, path, values, bases, status=200,
               field_errors=None, other_errors=None, problem=None, conflict=None, plan=None,
               new_source=None, current_errors=None, blocked=None):
    ws = ctx.editor.ws
    file_text = ctx.editor.read(path)
    display = path.relative_to(ctx.editor.root).as_posix()
    registry = sorted(ws.base.sources.items())
    chosen = [s for s in forms.id_list(values.get("sources", ""))]
    options = [(sid, rec.source.title or "", rec.source.publisher) for sid, rec in registry]
    used = []
    if fid:
        ws.evaluate_all()
        used = [bid for bid in ws.ids if f"{entity}.{fid}" in ws.states[bid].used_facts]
    source_files = sorted(_source_files(ctx))
    data = ctx.editor.ws.base.entities.get(entity)
    name = data.entity.name if data is not None else entity
    return render(ctx, request, "fact_form.html.j2", status, title=(
        f"Edit fact {entity}.{fid}" if fid else f"Add a fact to {name}"), name=name,
        group=group, entity=entity, fid=fid, display=display, values=values,
        base=bases.get("base", file_text.hash), fields=forms.FACT_FIELDS, options=options,
        chosen=chosen, used=used, titles=_titles(ctx), field_errors=field_errors or {},
        current_errors=current_errors or {}, blocked=blocked,
        other_errors=other_errors or [], problem=problem, conflict=conflict, plan=plan,
        new_source=new_source or {"kind": "news", "file": _default_source_file(ctx, "news")},
        source_fields=forms.SOURCE_FIELDS, source_files=source_files,
        source_bases={stem: ctx.editor.read(p).hash for stem, p in _source_files(ctx).items()},
        new_id=bases.get("new_id", ""))


def _fact_get(ctx, request, group, entity, fid, path):
    with ctx.editor.lock:
        file_text = ctx.editor.read(path)
        values: dict[str, str] = {"status": "current"}
        current: dict[str, list] = {}
        if file_text.link:  # shown as the workspace read it, and not saved
            found = next(((i, f) for i, f in facts_of(entity_file(ctx, group, entity))
                          if f.get("id") == fid), None) if fid else None
            return _fact_page(ctx, request, group=group, entity=entity, fid=fid, path=path,
                              values=forms.fact_form_values(found[1]) if found else values,
                              bases={"base": file_text.hash},
                              blocked=ctx.editor.link_message(path))
        if fid:
            found = _find_fact(file_text, fid)
            if found is None:
                raise HTTPException(404)
            values = forms.fact_form_values(found[1])
            current = _current_errors(ctx, path, ("facts", found[0]), FACT_NAMES)
        return _fact_page(ctx, request, group=group, entity=entity, fid=fid, path=path,
                          values=values, bases={"base": file_text.hash},
                          current_errors=current)


FACT_NAMES = [f.name for f in forms.FACT_FIELDS] + ["sources", "id"]
TEXT_FIELDS = [f.name for f in forms.FACT_FIELDS]  # sources are ticked boxes: none is none


def _current_errors(ctx: Context, path: Path, prefix, names) -> dict[str, list]:
    """The errors ``check`` reports now for the entry at ``prefix`` of ``path``, by field:
    shown when the form opens, so that a value the form cannot show (a status not in
    the list) is seen, not silently replaced."""
    display = path.relative_to(ctx.editor.root).as_posix()
    errors = [d for d in ctx.editor.diagnostics() if d.is_error]
    return forms.place(errors, display, prefix, names)[0]


def _find_fact(file_text: FileText, fid: str) -> tuple[int, dict[str, Any]] | None:
    from ..load.yamlfile import parse_yaml

    parsed, _ = parse_yaml(file_text.text, file_text.path, file_text.path.name)
    for i, fact in facts_of(parsed):
        if fact.get("id") == fid:
            return i, fact
    return None


def _fact_post(ctx, request, form, group, entity, fid, path, action):
    with ctx.editor.lock:
        change = _Change(ctx)
        values = forms.fact_values(form)
        new_id = fid or forms.one(form, "id").strip()
        new_source = None
        source_path = None
        display = path.relative_to(ctx.editor.root).as_posix()
        index = None
        try:
            sid = forms.one(form, "new_source_id").strip()
            if sid:
                new_source = {**forms.source_values(form, "new_source_"), "id": sid,
                              "file": forms.one(form, "new_source_file")}
                source_path = _source_files(ctx).get(new_source["file"])
                if source_path is None:
                    raise EditError("choose the file of sources the new source goes in")
                entry = forms.new_dict(forms.source_values(form, "new_source_"),
                                       forms.SOURCE_ORDER)
                _checked_id(sid, "the new source's id")
                change.texts[source_path] = add_entry(change.text(source_path), sid, entry,
                                                      display=source_path.name)
            current = change.read(path)
            if fid:
                found = _find_fact(current, fid)
                if found is None:
                    raise EditError(f"the fact '{fid}' is no longer in {display}: it was "
                                    "removed or renamed in another editor")
                index = found[0]
                changed = forms.changed_only(values, form, forms.fact_form_values(found[1]),
                                             TEXT_FIELDS)
                change.texts[path] = update_mapping(
                    current.text, ("facts", index), changed, order=forms.FACT_ORDER,
                    defaults={"status": "current", "topics": []}, display=display)
            else:
                item = forms.new_dict({"id": new_id, **values}, forms.FACT_ORDER)
                count = len(facts_of(_parsed(current)))
                index = count
                change.texts[path] = append_item(current.text, ("facts",), item,
                                                 display=display)
        except EditError as exc:
            change.problem = str(exc)
        prefix = ("facts", index if index is not None else 0)
        names = FACT_NAMES
        shown = {**{k: forms.one(form, k) for k in ("statement", "topics", "as_of", "status",
                                                    "verified")},
                 "sources": ", ".join(values["sources"])}
        if request.query_params.get("impact"):
            return _impact(ctx, request, change, display, prefix, names)
        bases = {"base": forms.one(form, "base"), "new_id": new_id}
        page = dict(group=group, entity=entity, fid=fid, path=path, values=shown, bases=bases,
                    new_source=new_source)
        if change.problem:
            return _fact_page(ctx, request, status=422, problem=change.problem, **page)
        base_names = {path: "base"}
        if source_path is not None:
            base_names[source_path] = f"srcbase-{source_path.stem}"
        outcome = change.save(_bases(form, change, base_names))
        if outcome.conflicts:
            return _fact_page(ctx, request, status=409, conflict=outcome.conflicts, **page)
        if not outcome.saved:
            by_field, others = forms.place(outcome.plan.new_errors if outcome.plan else [],
                                           display, prefix, names)
            return _fact_page(ctx, request, status=422, field_errors=by_field,
                              other_errors=others, problem=outcome.problem, **page)
        what = f"fact {entity}.{new_id}" + (f" and source {new_source['id']}"
                                             if new_source else "")
        return _finish(ctx, request, outcome, f"/facts/{group}/{entity}", what)


def _parsed(file_text: FileText):
    from ..load.yamlfile import parse_yaml

    return parse_yaml(file_text.text, file_text.path, file_text.path.name)[0]


def _checked_id(value: str, what: str) -> None:
    try:
        check_id(value)
    except ValueError as exc:
        raise EditError(f"{what}: {exc}") from None


# ---------------------------------------------------------------------- a source
async def source_form(ctx: Context, request):
    sid = request.path_params.get("sid")
    if sid is not None:
        located = _source_file_of(ctx, sid)
        if located is None:
            raise HTTPException(404)
    if request.method == "GET":
        return await run_in_threadpool(_source_get, ctx, request, sid)
    form = await read_form(ctx, request)
    return await run_in_threadpool(_source_post, ctx, request, form, sid)


def _source_file_of(ctx: Context, sid: str) -> Path | None:
    for file in ctx.editor.ws.raw.sources:
        if isinstance(file.data, dict) and sid in file.data:
            return file.path
    return None


def _source_page(ctx, request, *, sid, values, base, status=200, field_errors=None,
                 other_errors=None, problem=None, conflict=None, file_stem=None,
                 current_errors=None, blocked=None):
    rows = []
    if sid:
        ws = ctx.editor.ws
        rows = sorted(k for k, rec in ws.base.facts.items() if sid in rec.fact.sources)
    return render(ctx, request, "source_form.html.j2", status,
                  title=f"Edit source {sid}" if sid else "Add a source", sid=sid,
                  values=values, base=base, fields=forms.SOURCE_FIELDS, cited=rows,
                  field_errors=field_errors or {}, other_errors=other_errors or [],
                  current_errors=current_errors or {}, blocked=blocked,
                  problem=problem, conflict=conflict, source_files=sorted(_source_files(ctx)),
                  file_stem=file_stem or _default_source_file(ctx, values.get("kind", "")),
                  source_bases={s: ctx.editor.read(p).hash
                                for s, p in _source_files(ctx).items()})


def _source_get(ctx, request, sid):
    with ctx.editor.lock:
        if sid is None:
            return _source_page(ctx, request, sid=None, values={"kind": "news"}, base="")
        path = _source_file_of(ctx, sid)
        current = ctx.editor.read(path)
        if current.link:  # shown as the workspace read it, and not saved
            data = next(f.data for f in ctx.editor.ws.raw.sources if f.path == path)
            entry = data.get(sid) if isinstance(data, dict) else None
            return _source_page(ctx, request, sid=sid, base=current.hash,
                                values=forms.source_form_values(
                                    entry if isinstance(entry, dict) else {}),
                                blocked=ctx.editor.link_message(path))
        data = _parsed(current).data
        entry = data.get(sid) if isinstance(data, dict) else None
        values = forms.source_form_values(entry if isinstance(entry, dict) else {})
        return _source_page(ctx, request, sid=sid, values=values, base=current.hash,
                            current_errors=_current_errors(ctx, path, (sid,),
                                                           forms.SOURCE_ORDER))


def _source_post(ctx, request, form, sid):
    with ctx.editor.lock:
        change = _Change(ctx)
        values = forms.source_values(form)
        new_id = sid or forms.one(form, "id").strip()
        stem = forms.one(form, "file") if not sid else None
        path = _source_file_of(ctx, sid) if sid else _source_files(ctx).get(stem or "")
        shown = {k: forms.one(form, k) for k in forms.SOURCE_ORDER}
        shown["id"] = new_id
        try:
            if path is None:
                raise EditError("choose the file of sources the new source goes in")
            current = change.read(path)
            if sid:
                data = _parsed(current).data
                if not isinstance(data, dict) or sid not in data:
                    raise EditError(f"the source '{sid}' is no longer in its file")
                entry = data[sid] if isinstance(data[sid], dict) else {}
                changed = forms.changed_only(values, form, forms.source_form_values(entry),
                                             forms.SOURCE_ORDER)
                change.texts[path] = update_mapping(
                    current.text, (sid,), changed, order=forms.SOURCE_ORDER,
                    defaults={"kind": "news"}, display=path.name)
            else:
                _checked_id(new_id, "the source's id")
                change.texts[path] = add_entry(current.text, new_id, forms.new_dict(
                    values, forms.SOURCE_ORDER), display=path.name)
        except EditError as exc:
            change.problem = str(exc)
        display = path.relative_to(ctx.editor.root).as_posix() if path else ""
        names = [*forms.SOURCE_ORDER]
        if request.query_params.get("impact"):
            return _impact(ctx, request, change, display, (new_id,), names)
        base_name = "base" if sid else f"srcbase-{path.stem if path else ''}"
        page = dict(sid=sid, values=shown, base=forms.one(form, "base"), file_stem=stem)
        if change.problem:
            return _source_page(ctx, request, status=422, problem=change.problem, **page)
        outcome = change.save({path: forms.one(form, base_name)})
        if outcome.conflicts:
            return _source_page(ctx, request, status=409, conflict=outcome.conflicts, **page)
        if not outcome.saved:
            by_field, others = forms.place(outcome.plan.new_errors if outcome.plan else [],
                                           display, (new_id,), names)
            return _source_page(ctx, request, status=422, field_errors=by_field,
                                other_errors=others, problem=outcome.problem, **page)
        return _finish(ctx, request, outcome, "/sources", f"source {new_id}")


# ---------------------------------------------------------------------- a briefing's text
def _briefing_fields(data: dict[str, Any]) -> list[forms.Field]:
    """The top-level text fields, then each section's heading and its text paragraphs."""
    out = list(forms.BRIEFING_FIELDS)
    sections = data.get("sections") if isinstance(data.get("sections"), list) else []
    for i, section in enumerate(sections):
        if not isinstance(section, dict):
            continue
        out.append(forms.Field(f"sections.{i}.heading", f"Section {i + 1}: heading",
                               required=True))
        paragraphs = section.get("paragraphs")
        for j, para in enumerate(paragraphs if isinstance(paragraphs, list) else []):
            if isinstance(para, str):
                out.append(forms.Field(f"sections.{i}.paragraphs.{j}",
                                       f"Section {i + 1}: paragraph {j + 1}",
                                       "Inline Markdown; [^source-id] for a footnote.",
                                       "textarea", required=True))
    return out


def _briefing_values(data: dict[str, Any], fields: list[forms.Field]) -> dict[str, str]:
    out = {}
    for f in fields:
        value: Any = data
        for part in forms.key_path(f.name):
            value = value.get(part) if isinstance(value, dict) else (
                value[part] if isinstance(value, list) and isinstance(part, int)
                and part < len(value) else None)
        out[f.name] = "" if value is None or isinstance(value, (dict, list)) else (
            value.isoformat() if hasattr(value, "isoformat") else str(value))
    return out


async def briefing_form(ctx: Context, request):
    bid = request.path_params["bid"]
    require_briefing(ctx, bid)
    edition = ctx.editor.ws.edition_of(bid)
    if edition is not None:  # a translated edition's text is the English spec's: edit that
        return RedirectResponse(f"/briefings/{edition[0]}/edit", 303)
    path = ctx.editor.root / ctx.editor.ws.spec_file(bid)
    if request.method == "GET":
        return await run_in_threadpool(_briefing_get, ctx, request, bid, path)
    form = await read_form(ctx, request)
    return await run_in_threadpool(_briefing_post, ctx, request, form, bid, path)


def _briefing_page(ctx, request, *, bid, fields, values, base, status=200, field_errors=None,
                   other_errors=None, problem=None, conflict=None, current_errors=None,
                   blocked=None):
    return render(ctx, request, "briefing_form.html.j2", status, title=f"Edit {bid}", bid=bid,
                  fields=fields, values=values, base=base, field_errors=field_errors or {},
                  other_errors=other_errors or [], problem=problem, conflict=conflict,
                  current_errors=current_errors or {}, blocked=blocked,
                  display=ctx.editor.ws.spec_file(bid))


def _briefing_get(ctx, request, bid, path):
    with ctx.editor.lock:
        current = ctx.editor.read(path)
        if current.link:
            return _briefing_page(ctx, request, bid=bid, fields=[], values={},
                                  base=current.hash, blocked=ctx.editor.link_message(path))
        parsed = _parsed(current)
        if parsed.failed or not isinstance(parsed.data, dict):
            return _briefing_page(ctx, request, bid=bid, fields=[], values={},
                                  base=current.hash, problem=(
                                      f"{ctx.editor.ws.spec_file(bid)} cannot be read as "
                                      "YAML; fix it in a text editor first"))
        fields = _briefing_fields(parsed.data)
        return _briefing_page(ctx, request, bid=bid, fields=fields,
                              values=_briefing_values(parsed.data, fields), base=current.hash,
                              current_errors=_current_errors(ctx, path, (),
                                                             [f.name for f in fields]))


def _briefing_post(ctx, request, form, bid, path):
    with ctx.editor.lock:
        change = _Change(ctx)
        display = ctx.editor.ws.spec_file(bid)
        if ctx.editor.read(path).link:
            return _briefing_page(ctx, request, status=422, bid=bid, fields=[], values={},
                                  base=forms.one(form, "base"),
                                  problem=ctx.editor.link_message(path))
        current = change.read(path)
        parsed = _parsed(current)
        data = parsed.data if isinstance(parsed.data, dict) else {}
        fields = _briefing_fields(data)
        shown = {f.name: forms.one(form, f.name) for f in fields}
        try:
            if parsed.failed or not data:
                raise EditError(f"{display} cannot be read as YAML; fix it in a text editor")
            top: dict[str, Any] = {}
            text = current.text
            before = _briefing_values(data, fields)
            for f in fields:
                if f.name not in form or forms.clean_text(forms.one(form, f.name)) == \
                        forms.clean_text(before[f.name]):
                    continue  # not changed: left as written (a '|' text keeps its layout)
                raw = forms.clean_text(forms.one(form, f.name))
                value: Any = forms.date_value(raw) if f.name == "date" else raw
                path_ = forms.key_path(f.name)
                if len(path_) == 1:
                    top[f.name] = value if value != "" or f.required else REMOVE
                elif path_[-1] == "heading":
                    text = update_mapping(text, path_[:-1], {"heading": value},
                                          display=display)
                else:
                    text = set_item(text, path_, value, display=display)
            text = update_mapping(text, (), top, order=forms.BRIEFING_ORDER,
                                  display=display)
            if text != current.text:
                change.texts[path] = text
        except EditError as exc:
            change.problem = str(exc)
        names = [f.name for f in fields]
        if request.query_params.get("impact"):
            return _impact(ctx, request, change, display, (), names)
        page = dict(bid=bid, fields=fields, values=shown, base=forms.one(form, "base"))
        if change.problem:
            return _briefing_page(ctx, request, status=422, problem=change.problem, **page)
        if not change.texts:
            return RedirectResponse(f"/briefings/{bid}", 303)
        outcome = change.save({path: forms.one(form, "base")})
        if outcome.conflicts:
            return _briefing_page(ctx, request, status=409, conflict=outcome.conflicts,
                                  **page)
        if not outcome.saved:
            by_field, others = forms.place(outcome.plan.new_errors if outcome.plan else [],
                                           display, (), names)
            return _briefing_page(ctx, request, status=422, field_errors=by_field,
                                  other_errors=others, problem=outcome.problem, **page)
        return _finish(ctx, request, outcome, f"/briefings/{bid}", f"briefing {bid}")
