"""Mail benchmark (a script, not a test): python benchmarks/bench_mail.py [--recipients N].

Sends one campaign of military-cooperation (the real PDF attached) to N (default 1,000)
example.org recipients through an aiosmtpd server running as its own process on 127.0.0.1,
over one reused connection, with the ledger committing every state. Prints the wall time
and writes benchmarks/mail-results.json. Target: 1,000 messages in 10 s or less.
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

from briefgen.mail.campaign import SendOptions, prepare, send_campaign
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for part in ("briefings", "styles", "mail"):
            shutil.copytree(REPO / part, root / part)
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
            prep = prepare(open_workspace(root), "military-cooperation", people,
                           ["supporters"], None)
            start = time.perf_counter()
            summary = send_campaign(root, prep, smtp, SendOptions())
            wall = time.perf_counter() - start
        finally:
            server.terminate()
            server.wait(10)
        if summary.counts["sent"] != args.recipients:
            raise SystemExit(f"not all sent: {summary.counts}")
        size = len(prep.pdf)
    print(f"{args.recipients} messages ({size // 1024} KiB PDF each), one connection: "
          f"{wall:.2f} s ({wall / args.recipients * 1000:.1f} ms per message)")
    out = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                      f"Python {platform.python_version()}",
           "results": {f"{args.recipients} messages, wall (s)": wall,
                       "per message (ms)": wall / args.recipients * 1000,
                       "attachment (bytes)": size}}
    (REPO / "benchmarks/mail-results.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
