"""``check``, ``where``, ``build``, ``preflight`` and ``pack``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import briefgen

from ..defaults import DEFAULT_STALE_MONTHS
from ..errors import ContentError, Diagnostic, Location, Report, UsageError
from .output import Output, at_least, build_progress, count, print_check, print_report


def _summary(counts: list[int], report: Report) -> str:
    briefings, countries, sources, *more = counts
    editions = more[0] if more else 0
    both = f"{count(briefings - editions, 'briefing')}"
    if editions:
        both += f" and {count(editions, 'translated edition')}"
    return (f"{both}, "
            f"{count(countries, 'country', 'countries')}, "
            f"{count(sources, 'source')}: "
            f"{count(len(report.errors), 'error')}, {count(len(report.warnings), 'warning')}")


def cmd_check(args: argparse.Namespace, out: Output) -> int:
    from ..workspace.quick import input_hashes, unchanged_index

    files = input_hashes(args.root)
    index = None if args.full or args.links else \
        unchanged_index(args.root, args.stale_months, files=files)
    if index is not None:  # no input file changed since the last complete run
        report, counts = Report(list(index.diagnostics)), index.counts
    else:
        ws = briefgen.open_workspace(args.root, stale_months=args.stale_months, full=args.full,
                                     files=files)
        report = ws.report
        counts = [len(ws.ids), len(ws.base.countries), len(ws.base.sources),
                  sum(1 for bid in ws.ids if ws.edition_of(bid) is not None)]
        ws.save_index()
        if args.links:
            report.extend(briefgen.check_links(ws, timeout=args.link_timeout))
    print_check(out, report, verbose=args.verbose)
    out.line(_summary(counts, report))
    if report.errors:
        return 1
    return 1 if args.strict and report.warnings else 0


def _where(answer, spots: list[str], ident: str):
    """``answer()``; an unknown id may be defined in a file that has errors: say so."""
    from ..workspace.quick import incomplete

    try:
        return answer()
    except UsageError as exc:
        if not spots:
            raise
        # a file with errors that could define it (the country or body file of that name,
        # or a sources file for an id of no entity): exit 1 at that file, not 2
        entity = ident.split(".", 1)[0]
        could = [s for s in spots if _stem(s) == entity or
                 ("." not in ident and Path(s).parent.name == "sources")]
        if not could:
            raise UsageError(f"{exc}; {incomplete(spots)}") from None
        raise ContentError([Diagnostic(Location(could[0]), "",
                                       f"{exc}; {incomplete(spots)}")]) from None


def _stem(path: str) -> str:
    """The id a fact file is named for: japan.yaml, japan.YAML and japan.yaml.txt alike."""
    name = Path(path).name
    cut = [i for i in (name.lower().find(".yaml"), name.lower().find(".yml")) if i >= 0]
    return name[:min(cut)] if cut else Path(path).stem


def cmd_where(args: argparse.Namespace, out: Output) -> int:
    from ..load.project import Layout, find_root, spec_paths
    from ..workspace.quick import blind_spots, incomplete, input_hashes, unchanged_index, where

    files = input_hashes(args.root)
    index = unchanged_index(args.root, files=files)
    layout = Layout(find_root(Path(args.root)))
    hits = None
    if index is not None:  # no input file changed: answer from the index alone
        spots = blind_spots(index.diagnostics, layout)
        try:
            hits = _where(lambda: where(args.id, index.known, index.briefings), spots,
                              args.id)
        except (TypeError, ValueError, KeyError, IndexError):
            hits = None  # a damaged index: work it out from the files
    if hits is not None:
        paths = spec_paths(layout)
        # a translated edition (<id>.<lang>) is written in its briefing's spec
        files = {bid: paths[bid if bid in paths else bid.rsplit(".", 1)[0]].relative_to(
            layout.root).as_posix() for bid, _ in hits}
    else:
        ws = briefgen.open_workspace(args.root, files=files)
        spots = blind_spots(ws.briefing_errors(), layout)
        hits = _where(lambda: ws.where(args.id), spots, args.id)
        files = {bid: ws.spec_file(bid) for bid, _ in hits}
        ws.save_index()
    for bid, how in hits:
        out.line(f"{bid}  {files[bid]}")
        for line in how:
            out.line(f"  {line}")
    if not hits:
        out.line(f"no briefing uses '{args.id}'")
    if spots:
        out.line(f"briefgen: {incomplete(spots)}", "yellow", err=True)
        return 1
    return 0


def cmd_build(args: argparse.Namespace, out: Output) -> int:
    profiles = ("screen", "print") if args.profile == "all" else (args.profile,)
    if args.explain:
        ws = briefgen.open_workspace(args.root)
        for profile in profiles:
            for line in briefgen.explain(ws, args.explain, profile):
                out.line(line)
        return 0
    formats = ("pdf", "html") if args.format == "all" else (args.format,)
    with build_progress(out, enabled=not args.json) as on_event:
        results = briefgen.build_profiles(args.root, ids=args.ids or None, force=args.force,
                                          jobs=args.jobs, profiles=profiles,
                                          on_event=on_event, formats=formats)
    prefix = len(results) > 1
    if args.json:  # one report, or one per profile ("screen", "print") and "html"
        report = {p: r.as_json() for p, r in results.items()}
        print(json.dumps(report if prefix else next(iter(report.values())), indent=2))
    # the same content errors repeat for each output: each is printed once
    shared = {str(d): d for r in results.values() for d in r.shared_errors}
    print_report(out, list(shared.values()), err=True)
    told: set[str] = set()
    for profile, result in results.items():  # a briefing that fails in every output once
        # what every page shares first: a page that failed for it says "see above"
        for fail in sorted(result.failed, key=lambda f: not f.id.startswith("web ")):
            if fail.id in told:
                continue
            told.add(fail.id)
            if fail.id.startswith("web "):  # what every page shares
                out.line(f"{_shared_web(fail.id[4:])}: not made; the previous files are "
                         "kept", "red", err=True)
            else:
                kept = "page" if profile == "html" else "PDF"
                out.line(f"{fail.id}: not built; its previous {kept} is kept", "red",
                         err=True)
            print_report(out, [d for d in fail.errors if str(d) not in shared], err=True,
                         indent="  ")
    failed = any(not r.ok for r in results.values())
    if not args.json:
        for profile, result in results.items():
            if result.note and profile == "html":  # the index kept, and why
                out.line(result.note, "yellow")
            elif result.note and result.built:
                out.line(f"full rebuild: {result.note}")
            for what, reason in result.repaired.items():  # e.g. a PDF edited or damaged
                out.line(f"rebuilt {what}: {reason}", "yellow")
            if result.ignored_entries:
                out.line(f"ignored {count(result.ignored_entries, 'entry', 'entries')} of "
                         "dist/.briefgen/manifest.json that were not understood (the file was "
                         "damaged or edited); nothing was read from them", "yellow")
            out.line((f"{'web' if profile == 'html' else profile}: " if prefix else "")
                     + result.summary())
    return 1 if failed else 0


def cmd_preflight(args: argparse.Namespace, out: Output) -> int:
    missing = [f for f in args.pdfs if not Path(f).is_file()]
    if missing:
        raise UsageError(f"no such file: {missing[0]}")
    trim_size = None
    if args.brand:
        ws = briefgen.open_workspace(args.root)
        if args.brand not in ws.brands:
            problems = [d for d in ws.errors if d.location.path.startswith("styles/")]
            if problems:
                raise briefgen.ContentError(problems)
            raise UsageError(f"no brand sheet '{args.brand}' in styles/")
        trim_size = briefgen.page_size(ws.brands[args.brand])
    failed = 0
    for name in args.pdfs:
        problems = briefgen.preflight(Path(name), print_mode=args.mode, trim_size=trim_size)
        if problems:
            failed += 1
            out.line(name, "bold")
            for problem in problems:
                out.line(f"  {problem}", "red")
        else:
            out.line(f"{name}: ok", "green")
    out.line(f"{count(len(args.pdfs), 'file')} checked, {failed} with problems")
    return 1 if failed else 0


def cmd_pack(args: argparse.Namespace, out: Output) -> int:
    result = briefgen.make_pack(args.root, args.ids or None,
                                Path(args.output) if args.output else None, jobs=args.jobs)
    out.line(f"wrote {result.path} ({count(len(result.ids), 'briefing')}, "
             f"{count(result.pages, 'page')})")
    return 0


def add_parsers(sub, common) -> None:
    p = sub.add_parser("check", parents=[common], help="validate everything, render nothing")
    p.add_argument("--strict", action="store_true", help="warnings count as errors")
    p.add_argument("--stale-months", type=at_least(0), default=DEFAULT_STALE_MONTHS, metavar="N",
                   help="warn about facts and sources older than N months (default 12)")
    p.add_argument("--links", action="store_true", help="also check every source URL over "
                   "HTTP (results kept for a day in dist/.briefgen/links.json)")
    p.add_argument("--link-timeout", type=float, default=10.0, metavar="S",
                   help="seconds to wait for each URL (default 10)")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="list every warning (default: one line per cause)")
    p.add_argument("--full", action="store_true", help="work everything out again, not "
                   "only what changed since the last run (dist/.briefgen/index.json)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("where", parents=[common], help="briefings that use an id")
    p.add_argument("id", help="a country, body, fact (country.fact) or source id")
    p.set_defaults(func=cmd_where)

    p = sub.add_parser("build", parents=[common], help="render briefings to dist/")
    p.add_argument("ids", nargs="*", metavar="ID", help="briefings to build (default: all)")
    p.add_argument("--json", action="store_true", help="print a JSON report")
    p.add_argument("--force", action="store_true",
                   help="rebuild even if nothing changed (with IDs: those briefings; the "
                        "web edition's shared stylesheets, fonts and index only if out of "
                        "date or missing)")
    p.add_argument("--jobs", "-j", type=at_least(1), default=None, metavar="N",
                   help="worker processes (default: CPU count)")
    p.add_argument("--explain", metavar="ID", help="say why each country is in each of ID's "
                   "lists and why ID would be rebuilt; build nothing")
    p.add_argument("--profile", choices=["screen", "print", "all"], default="screen",
                   help="screen: dist/ID.pdf, RGB; print: dist/print/ID.pdf, CMYK with bleed "
                        "and crop marks; all: both (default: screen)")
    p.add_argument("--format", choices=["pdf", "html", "all"], default="all",
                   help="pdf: the PDFs; html: the web edition in dist/site/ (a page per "
                        "briefing, the index, the feed); all: both (default)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("preflight", parents=[common],
                       help="check PDFs for what a print shop would reject")
    p.add_argument("pdfs", nargs="+", metavar="PDF")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--print", dest="mode", action="store_const", const=True,
                      help="check CMYK colour, boxes, bleed and image resolution "
                           "(default when the PDF has a TrimBox)")
    mode.add_argument("--screen", dest="mode", action="store_const", const=False,
                      help="check fonts only")
    p.add_argument("--brand", metavar="NAME", help="also check the trim size against "
                                                   "this brand sheet's page size")
    p.set_defaults(func=cmd_preflight, mode=None)

    p = sub.add_parser("pack", parents=[common],
                       help="all (or the named) briefings in one PDF with a contents page")
    p.add_argument("ids", nargs="*", metavar="ID", help="briefings, in this order (default: all)")
    p.add_argument("-o", "--output", metavar="PDF", help="where to write (default: dist/pack.pdf)")
    p.add_argument("--jobs", "-j", type=at_least(1), default=None, metavar="N",
                   help="worker processes for building stale briefings")
    p.set_defaults(func=cmd_pack)


def _shared_web(key: str) -> str:
    """A web build's shared output (``brand:NAME``, ``index``) as a person names it."""
    if key.startswith("brand:"):
        return f"the stylesheet and web fonts of brand {key[6:]}"
    return "the index and feed" if key == "index" else key
