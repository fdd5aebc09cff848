"""Mail benchmark (a script, not a test): python benchmarks/bench_mail.py [--recipients N]
[--one-click] [--dkim KEY_FILE].

Sends one campaign of military-cooperation (the real PDF attached, approved first) to N
(default 1,000) example.org recipients through an aiosmtpd server running as its own process
on 127.0.0.1, over one reused connection, with the ledger committing every state and the
suppression store consulted before each message. Prints the wall time and writes
benchmarks/mail-results.json. Target: 1,000 messages in 10 s or less on the development
machine.

``--one-click`` sets ``unsubscribe.endpoint`` (signed unsubscribe links in every message);
``--dkim KEY_FILE`` signs every message (selector "bench").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from briefgen.editions.publish import publish
from briefgen.mail.approval import approve
from briefgen.mail.campaign import SendOptions, prepare
from briefgen.mail.send import send_campaign
from briefgen.mail.settings import smtp_from_env
from briefgen.workspace import open_workspace

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int) -> None:
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the SMTP server did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--one-click", action="store_true")
    parser.add_argument("--dkim", metavar="KEY_FILE")
    args = parser.parse_args()
    env = {}
    if args.one_click:
        env["BRIEFGEN_UNSUBSCRIBE_SECRET"] = "bench-secret-0123456789abcdef"
    if args.dkim:
        env.update({"BRIEFGEN_DKIM_KEY_FILE": args.dkim, "BRIEFGEN_DKIM_SELECTOR": "bench"})
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for part in ("briefings", "styles", "mail"):
            shutil.copytree(REPO / part, root / part)
        if args.one_click:
            settings = root / "mail/settings.yaml"
            settings.write_text(settings.read_text().replace(
                "  endpoint: null", "  endpoint: https://lists.example.org/unsubscribe"))
        people = root / "people.csv"
        people.write_text("email,first_name,segments\n" + "".join(
            f"reader{i:05d}@example.org,Reader{i},supporters\n" for i in range(args.recipients)))
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l",
                                   f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"])
        try:
            wait_for(port)
            smtp = smtp_from_env({"BRIEFGEN_SMTP_HOST": "127.0.0.1",
                                  "BRIEFGEN_SMTP_PORT": str(port),
                                  "BRIEFGEN_SMTP_SECURITY": "none"})
            ws = open_workspace(root)
            publish(ws, "military-cooperation", by="bench")  # a campaign sends an edition
            approve(ws, "military-cooperation", "bench")
            prep = prepare(ws, "military-cooperation", people, ["supporters"], None, env=env)
            start, cpu = time.perf_counter(), time.process_time()
            summary = send_campaign(root, prep, smtp, SendOptions())
            wall = time.perf_counter() - start
            cpu = time.process_time() - cpu  # briefgen's own work: the server is a process
        finally:
            server.terminate()
            server.wait(10)
        if summary.counts["sent"] != args.recipients:
            raise SystemExit(f"not all sent: {summary.counts}")
        size = len(prep.pdf)
    variant = " + ".join(["one-click links"] * args.one_click + ["DKIM"] * bool(args.dkim))
    print(f"{args.recipients} messages ({size // 1024} KiB PDF each), one connection"
          f"{', ' + variant if variant else ''}: {wall:.2f} s "
          f"({wall / args.recipients * 1000:.1f} ms per message; briefgen's CPU {cpu:.2f} s)")
    out = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                      f"Python {platform.python_version()}",
           "variant": variant or "plain",
           "results": {f"{args.recipients} messages, wall (s)": wall,
                       "per message (ms)": wall / args.recipients * 1000,
                       "briefgen CPU (s)": cpu,
                       "attachment (bytes)": size}}
    (REPO / "benchmarks/mail-results.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
