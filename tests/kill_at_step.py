"""Run briefgen, killing the process with SIGKILL the n-th time the mail sender reaches a
step: ``python tests/kill_at_step.py STEP[:N] briefgen-args...``. The crash tests use it to
prove that a crash at any step neither loses nor doubles mail; production code has no such
switch, only the ``briefgen.mail.smtp.on_step`` hook this replaces."""

from __future__ import annotations

import os
import signal
import sys

from briefgen.cli import main
from briefgen.mail import smtp


def killer(spec: str):
    step, _, nth = spec.partition(":")
    seen = [0]

    def on_step(name: str) -> None:
        if name == step:
            seen[0] += 1
            if seen[0] == int(nth or 1):
                os.kill(os.getpid(), signal.SIGKILL)

    return on_step


if __name__ == "__main__":
    smtp.on_step = killer(sys.argv[1])
    sys.exit(main(sys.argv[2:]))
