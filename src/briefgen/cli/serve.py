"""``briefgen serve``: the web editor."""

from __future__ import annotations

import argparse
import re

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
    briefgen.serve_editor(args.root, args.host, args.port, on_ready=ready,
                          allowed_hosts=tuple(args.allowed_host))
    return 0


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"'{value}' is not a port: give a whole number "
                                         "from 0 to 65535, e.g. 8000")
    return port


def _host_name(value: str) -> str:
    name = value.strip().lower().rstrip(".")
    if not re.fullmatch(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*",
                        name):
        raise argparse.ArgumentTypeError(f"'{value}' is not a host name (letters, digits, "
                                         "hyphens and dots, e.g. editor.office.lan)")
    return name


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("serve", parents=[common], help="edit facts, sources and briefings "
                       "in a web browser, with a live preview",
                       description="A web editor for the project on this computer: forms "
                       "for facts, sources and briefings' text, with the same checks as "
                       "'check' and a live preview. Listens on 127.0.0.1 (this computer "
                       "only) unless --host says otherwise; there is no login.")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this computer only)")
    p.add_argument("--port", type=_port, default=8000,
                   help="port, 0 to 65535 (default 8000; 0: any free port)")
    p.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                   type=_host_name,
                   help="a name (besides IP addresses, localhost and this computer's own "
                   "names) by which the editor may be opened, e.g. editor.office.lan; may "
                   "be given more than once. Requests by any other name are refused, so "
                   "that a web site cannot reach the editor by pointing its own name at it")
    p.set_defaults(func=cmd_serve)
