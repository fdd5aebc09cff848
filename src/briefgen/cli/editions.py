"""``publish``, ``diff`` and ``editions``."""

from __future__ import annotations

import argparse
import json

import briefgen

from .output import Output, at_least, build_progress, count


def cmd_publish(args: argparse.Namespace, out: Output) -> int:
    ws = briefgen.open_workspace(args.root)
    with build_progress(out, enabled=True) as on_event:
        result = briefgen.publish(ws, args.id, note=args.note, by=args.by, jobs=args.jobs,
                                  on_event=on_event)
    out.line(f"published {result.edition.display} ({count(len(result.files) + 1, 'file')})",
             "green")
    previous = result.previous
    if previous is None:
        out.line(f"the first edition of {args.id}")
    elif result.changes is None:  # its snapshot could not be read (a warning says why)
        out.line(f"not compared with edition {previous.name}: its snapshot.json cannot be "
                 "used (see the warning)")
    elif not result.changes:
        english = " in the English" if result.translations else ""
        out.line(f"nothing changed{english} since edition {previous.name}")
    else:
        out.line(f"since edition {previous.name}: {count(len(result.changes), 'change')} "
                 f"(`briefgen diff {args.id} {previous.name} {result.edition.name}` lists "
                 "them)")
        if result.summary:
            out.line(f"for readers: {result.summary}")
    for line in result.translations:  # each translated edition in this one
        out.line(line)
    for warning in result.warnings:
        out.line(f"warning: {warning}", "yellow", err=True)
    return 0


def cmd_diff(args: argparse.Namespace, out: Output) -> int:
    ws = briefgen.open_workspace(args.root)
    result = briefgen.compare_editions(ws, args.id, args.first, args.second)
    if args.json:
        print(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
        return 0
    for line in result.lines():
        out.line(line)
    return 0


def cmd_editions(args: argparse.Namespace, out: Output) -> int:
    ws = briefgen.open_workspace(args.root)
    found = briefgen.list_editions(ws, args.id)
    if args.json:
        print(json.dumps([e.as_json() for e in found], indent=2, ensure_ascii=False))
        return 0
    current = None
    for edition in found:
        if edition.briefing != current:
            current = edition.briefing
            out.line(current, "bold")
        out.line(f"  {edition.line()}")
    if not found:
        out.line(f"no published edition{f' of {args.id}' if args.id else ''} yet")
    return 0


def add_parsers(sub, common) -> None:
    p = sub.add_parser("publish", parents=[common], help="freeze the current build of a "
                       "briefing as an edition in editions/ID/")
    p.add_argument("id", metavar="ID", help="the briefing")
    p.add_argument("--note", help="why this edition (one line, kept with it)")
    p.add_argument("--by", metavar="NAME", help="who publishes it (default: your git "
                   "user name, else your login name)")
    p.add_argument("--jobs", "-j", type=at_least(1), default=None, metavar="N",
                   help="worker processes for building (default: CPU count)")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("diff", parents=[common], help="what changed between two editions "
                       "(default: the last edition and the current build)")
    p.add_argument("id", metavar="ID", help="the briefing")
    p.add_argument("first", nargs="?", metavar="EDITION",
                   help="an edition (e.g. 2026-11-28-1; default: the last one)")
    p.add_argument("second", nargs="?", metavar="EDITION",
                   help="another edition, or 'current' (the default): the briefing as its "
                        "files make it now")
    p.add_argument("--json", action="store_true", help="print the changes as JSON")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("editions", parents=[common], help="list published editions")
    p.add_argument("id", nargs="?", metavar="ID", help="the briefing (default: all)")
    p.add_argument("--json", action="store_true", help="print them as JSON")
    p.set_defaults(func=cmd_editions)
