"""``check``, ``where``, ``build``, ``preflight`` and ``pack``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..defaults import DEFAULT_STALE_MONTHS
from ..errors import Report, UsageError
from .output import Output, build_progress, count, print_report


def _summary(project, report: Report) -> str:
    return (f"{count(len(project.briefing_errors), 'briefing')}, "
            f"{count(len(project.base.countries), 'country', 'countries')}, "
            f"{count(len(project.base.sources), 'source')}: "
            f"{count(len(report.errors), 'error')}, {count(len(report.warnings), 'warning')}")


def cmd_check(args: argparse.Namespace, out: Output) -> int:
    from ..mail.message import check_setup
    from ..project import open_project

    project = open_project(args.root)
    report = project.report(args.stale_months)
    report.extend(check_setup(project.root, project.layout.styles))
    if args.links:
        from ..author.links import check_links

        report.extend(check_links(project, timeout=args.link_timeout))
    diagnostics = report.sorted()
    print_report(out, diagnostics)
    if diagnostics:
        out.line()
    out.line(_summary(project, report))
    if report.errors:
        return 1
    return 1 if args.strict and report.warnings else 0


def cmd_where(args: argparse.Namespace, out: Output) -> int:
    from ..project import open_project

    project = open_project(args.root)
    base = project.base
    if not (args.id in base.entities or args.id in base.facts or args.id in base.sources):
        from ..validate.schema import did_you_mean
        known = [*base.entities, *base.facts, *base.sources]
        raise UsageError(f"no country, body, fact or source '{args.id}'"
                         f"{did_you_mean(args.id, known)}")
    hits = project.where(args.id)
    for bid in hits:
        out.line(f"{bid}  {project.briefings[bid].file.display}")
    if not hits:
        out.line(f"no briefing uses '{args.id}'")
    return 0


def cmd_build(args: argparse.Namespace, out: Output) -> int:
    from ..incremental.builder import build_project, explain

    profiles = ["screen", "print"] if args.profile == "all" else [args.profile]
    if args.explain:
        for profile in profiles:
            for line in explain(args.root, args.explain, profile):
                out.line(line)
        return 0
    results = {}
    for profile in profiles:
        prefix = f"{profile}: " if len(profiles) > 1 else ""
        with build_progress(out, enabled=not args.json, prefix=prefix) as on_event:
            results[profile] = build_project(Path(args.root), ids=args.ids or None,
                                             force=args.force, jobs=args.jobs,
                                             profile=profile, on_event=on_event)
    if args.json:
        report = {p: r.as_json() for p, r in results.items()}
        print(json.dumps(report if len(profiles) > 1 else report[profiles[0]], indent=2))
    failed = False
    for profile, result in results.items():
        if profile == profiles[0]:  # the same content errors would repeat for each profile
            print_report(out, result.shared_errors, err=True)
            for fail in result.failed:
                print_report(out, fail.errors, err=True)
        failed = failed or bool(result.failed or result.shared_errors)
        if not args.json:
            if result.note and result.built:
                out.line(f"full rebuild: {result.note}")
            prefix = f"{profile}: " if len(profiles) > 1 else ""
            out.line(prefix + result.summary())
    return 1 if failed else 0


def cmd_preflight(args: argparse.Namespace, out: Output) -> int:
    from ..pdf.preflight import preflight

    missing = [f for f in args.pdfs if not Path(f).is_file()]
    if missing:
        raise UsageError(f"no such file: {missing[0]}")
    trim_size = None
    if args.brand:
        from ..load.project import Layout
        from ..render.brand import load_brand
        from ..render.pages import page_size

        root = Path(args.root)
        trim_size = page_size(load_brand(Layout(root).styles, args.brand, root))
    failed = 0
    for name in args.pdfs:
        problems = preflight(Path(name), print_mode=args.mode, trim_size=trim_size)
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
    from ..pdf.pack import make_pack

    root = Path(args.root)  # an unknown id is a usage error from the build make_pack runs
    result = make_pack(root, args.ids or None, Path(args.output) if args.output else None,
                       jobs=args.jobs)
    out.line(f"wrote {result.path} ({count(len(result.ids), 'briefing')}, "
             f"{count(result.pages, 'page')})")
    return 0


def add_parsers(sub, common) -> None:
    p = sub.add_parser("check", parents=[common], help="validate everything, render nothing")
    p.add_argument("--strict", action="store_true", help="warnings count as errors")
    p.add_argument("--stale-months", type=int, default=DEFAULT_STALE_MONTHS, metavar="N",
                   help="warn about facts and sources older than N months (default 12)")
    p.add_argument("--links", action="store_true", help="also check every source URL over "
                   "HTTP (results kept for a day in dist/.briefgen/links.json)")
    p.add_argument("--link-timeout", type=float, default=10.0, metavar="S",
                   help="seconds to wait for each URL (default 10)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("where", parents=[common], help="briefings that use an id")
    p.add_argument("id", help="a country, body, fact (country.fact) or source id")
    p.set_defaults(func=cmd_where)

    p = sub.add_parser("build", parents=[common], help="render briefings to dist/")
    p.add_argument("ids", nargs="*", metavar="ID", help="briefings to build (default: all)")
    p.add_argument("--json", action="store_true", help="print a JSON report")
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="worker processes (default: CPU count)")
    p.add_argument("--explain", metavar="ID", help="say why ID would be rebuilt, build nothing")
    p.add_argument("--profile", choices=["screen", "print", "all"], default="screen",
                   help="screen: dist/ID.pdf, RGB; print: dist/print/ID.pdf, CMYK with bleed "
                        "and crop marks; all: both (default: screen)")
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
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="worker processes for building stale briefings")
    p.set_defaults(func=cmd_pack)
