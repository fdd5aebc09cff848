"""Authoring commands: ``new``, ``schema``, ``watch``, ``preview`` and ``sources``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import briefgen

from ..defaults import DEFAULT_STALE_MONTHS
from ..errors import BriefgenError
from .output import Output, at_least, count, print_report


def cmd_new(args: argparse.Namespace, out: Output) -> int:
    path = briefgen.new_briefing(args.root, args.id, title=args.title, copy_from=args.copy_from)
    out.line(f"wrote {path}")
    out.line(f"next: briefgen check, then briefgen build {args.id}")
    return 0


def cmd_schema(args: argparse.Namespace, out: Output) -> int:
    from ..load.project import find_root

    # the project's schemas/, or the folder named (only a project gets one by default)
    folder = Path(args.output) if args.output else find_root(Path(args.root)) / "schemas"
    for path in briefgen.write_schemas(folder):
        out.line(str(path))
    return 0


def cmd_watch(args: argparse.Namespace, out: Output) -> int:
    def on_build(results, changed: list[str]) -> None:
        if changed:
            out.line(f"changed: {', '.join(changed)}")
        shared = {str(d): d for r in results.values() for d in r.shared_errors}
        print_report(out, list(shared.values()), err=True)
        told: set[str] = set()
        for profile, result in results.items():
            kept = "page" if profile == "html" else "PDF"
            for fail in result.failed:
                out.line(f"{fail.id}: not built; its previous {kept} is kept", "red", err=True)
                if fail.id not in told:
                    told.add(fail.id)
                    print_report(out, [d for d in fail.errors if str(d) not in shared],
                                 err=True, indent="  ")
            for bid in result.built:
                out.line(f"built {bid}" + (" (web)" if profile == "html" else ""))
        out.line("; ".join(f"{'web' if p == 'html' else p}: {r.summary()}"
                           for p, r in results.items()) + "; watching (Ctrl-C stops)")

    def on_error(exc: BriefgenError) -> None:
        out.line(f"briefgen: {exc}", "red", err=True)

    briefgen.watch(args.root, args.ids or None, on_build=on_build, on_error=on_error,
          debounce_ms=args.debounce)
    out.line("stopped watching")
    return 0


def cmd_preview(args: argparse.Namespace, out: Output) -> int:
    ws = briefgen.open_workspace(args.root)
    ws.require(args.id)
    result = briefgen.build_project(ws.root, [args.id], workspace=ws)
    if result.failed:
        print_report(out, result.failed[0].errors, err=True)
        return 1
    for path in briefgen.render_pngs(ws.layout.pdf(args.id), ws.layout.previews, args.id,
                                     args.pages, args.dpi):
        out.line(str(path))
    return 0


def cmd_sources(args: argparse.Namespace, out: Output) -> int:
    ws = briefgen.open_workspace(args.root, stale_months=args.stale_months)
    rows = briefgen.source_rows(ws, args.stale_months)
    if args.stale:
        rows = [r for r in rows if r.stale]
    if args.unused:
        rows = [r for r in rows if not r.briefings]
    from ..workspace.quick import blind_spots, incomplete

    spots = blind_spots(ws.briefing_errors(), ws.layout)  # "unused" may be wrong then
    if args.json:
        print(json.dumps([r.as_json() for r in rows], indent=2))
    else:
        _source_table(out, rows)
    if spots:
        out.line(f"briefgen: {incomplete(spots)}", "yellow", err=True)
        return 1
    return 0


def _source_table(out: Output, rows: list) -> None:
    from rich.table import Table

    table = Table(show_lines=False, box=None, pad_edge=False)
    for column in ("source", "publisher", "last seen", "age", "used by", "URL"):
        table.add_column(column, overflow="fold")
    for r in rows:
        seen = f"{r.seen.isoformat()} ({r.seen_from})" if r.seen else "unknown"
        age = f"{r.age_months} months" if r.age_months is not None else "-"
        if r.stale:
            age += " (stale)"
        table.add_row(r.id, r.publisher, seen, age, ", ".join(r.briefings) or "unused",
                      r.url or "no URL", style="yellow" if r.stale else None)
    out.out.print(table)
    out.line(f"{count(len(rows), 'source')}")


def cmd_translate(args: argparse.Namespace, out: Output) -> int:
    ws = briefgen.open_workspace(args.root)
    result = briefgen.translate(ws, args.id, args.lang)
    for f in result.files:
        parts = []
        if f.added:
            parts.append(f"{count(f.added, 'text')} to translate")
        if f.refreshed:
            parts.append(f"{count(f.refreshed, 'text')} whose English changed (new English "
                         "beside the kept translation, marked unreviewed)")
        if f.unused:
            parts.append(f"{count(f.unused, 'translation')} of English no longer used, "
                         "under `unused`")
        state = "wrote" if f.written else "unchanged"
        out.line(f"{state} {f.path}" + (f": {'; '.join(parts)}" if parts else ""))
    if result.missing:
        out.line(f"next: translate the {count(result.missing, 'empty text')} (`text: \"\"`), "
                 f"then briefgen check")
    return 0


def add_parsers(sub, common) -> None:
    p = sub.add_parser("translate", parents=[common],
                       help="write the translation files of an edition in another language")
    p.add_argument("id", help="the briefing to translate")
    p.add_argument("--lang", required=True, metavar="LANG",
                   help="the language of the edition, e.g. my (Burmese)")
    p.set_defaults(func=cmd_translate)

    p = sub.add_parser("new", parents=[common], help="start a briefing spec")
    p.add_argument("id", help="the new briefing's id (its file name)")
    p.add_argument("--title", help="its title")
    p.add_argument("--from", dest="copy_from", metavar="ID",
                   help="copy this briefing, with a new id, date and title")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("schema", parents=[common], help="write JSON Schemas for editors")
    p.add_argument("-o", "--output", metavar="DIR", help="folder (default: schemas/)")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("watch", parents=[common], help="rebuild on every save")
    p.add_argument("ids", nargs="*", metavar="ID", help="briefings to build (default: all)")
    p.add_argument("--debounce", type=int, default=300, metavar="MS",
                   help="wait this long after a change for more changes (default 300)")
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("preview", parents=[common], help="PNG images of a briefing's pages")
    p.add_argument("id")
    p.add_argument("--pages", metavar="1-2", help="pages to render (default: all)")
    p.add_argument("--dpi", type=float, default=80, help="resolution (default 80)")
    p.set_defaults(func=cmd_preview)

    p = sub.add_parser("sources", parents=[common], help="every source: age, users, URL")
    p.add_argument("--stale", action="store_true", help="only sources past the threshold")
    p.add_argument("--unused", action="store_true", help="only sources no briefing uses")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--stale-months", type=at_least(0), default=DEFAULT_STALE_MONTHS, metavar="N",
                   help="staleness threshold in months (default 12)")
    p.set_defaults(func=cmd_sources)
