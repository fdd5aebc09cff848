"""``unsubscribe serve``: the one-click unsubscribe page, for a reverse proxy to expose."""

from __future__ import annotations

import argparse
from pathlib import Path

import briefgen

from ..errors import UsageError
from .output import Output


def cmd_unsubscribe(args: argparse.Namespace, out: Output) -> int:
    if args.action != "serve":
        raise UsageError("the only unsubscribe command is: briefgen unsubscribe serve")
    out.line(f"one-click unsubscribe on http://{args.host}:{args.port} for the project in "
             f"{Path(args.root).resolve()}; put it behind your HTTPS reverse proxy at the "
             "address set as unsubscribe.endpoint (Ctrl-C stops it)", err=True)
    briefgen.serve_unsubscribe(Path(args.root), host=args.host, port=args.port)
    return 0


def add_parsers(sub, common) -> None:
    p = sub.add_parser("unsubscribe", parents=[common], help="'unsubscribe serve': run the "
                       "one-click unsubscribe page (behind an HTTPS reverse proxy)")
    p.add_argument("action", choices=["serve"], help="serve: run the web server")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default "
                   "127.0.0.1: only the reverse proxy on this machine reaches it)")
    p.add_argument("--port", type=int, default=8025, help="port (default 8025)")
    p.set_defaults(func=cmd_unsubscribe)
