"""``briefgen serve``: the web editor."""

from __future__ import annotations

import argparse

import briefgen

from .output import Output


def cmd_serve(args: argparse.Namespace, out: Output) -> int:
    def ready(url: str, loopback: bool) -> None:
        if loopback:
            out.line(f"briefgen editor: {url} (only this computer can open it; Ctrl-C stops)")
        else:
            out.line(f"briefgen editor: {url}")
            out.line(f"warning: listening on {args.host}: there is no login, so anyone who "
                     "can reach this address can change the briefings. Use it only on a "
                     "network you trust.", "red", err=True)

    out.line("briefgen editor: building what is out of date ...")
    briefgen.serve_editor(args.root, args.host, args.port, on_ready=ready)
    return 0


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("serve", parents=[common], help="edit facts, sources and briefings "
                       "in a web browser, with a live preview",
                       description="A web editor for the project on this computer: forms "
                       "for facts, sources and briefings' text, with the same checks as "
                       "'check' and a live preview. Listens on 127.0.0.1 (this computer "
                       "only) unless --host says otherwise; there is no login.")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this computer only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.set_defaults(func=cmd_serve)
