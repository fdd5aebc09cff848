"""Show (and with --write, rewrite) the golden outputs in tests/cases.

    python tests/regen_golden.py [--write] [CASE...]

Read every diff before writing: the goldens are the exact messages a user sees.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from briefgen.cli import main
from conftest import FIXTURES, make_project

CASES = Path(__file__).parent / "cases"


def output(case: Path) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        root = make_project(Path(tmp) / "mini", FIXTURES / "mini" / "briefings")
        shutil.copytree(case / "briefings", root / "briefings", dirs_exist_ok=True)
        old = os.getcwd()
        os.chdir(root)
        buf = io.StringIO()
        try:
            with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
                code = main(["check"])
        finally:
            os.chdir(old)
        return f"{buf.getvalue()}exit: {code}\n"


if __name__ == "__main__":
    write = "--write" in sys.argv
    wanted = [a for a in sys.argv[1:] if a != "--write"]
    for case in sorted(p for p in CASES.iterdir() if p.is_dir()):
        if wanted and case.name not in wanted:
            continue
        got, expected = output(case), (case / "expected.txt").read_text(encoding="utf-8")
        if got != expected:
            print(f"===== {case.name}")
            print("".join(difflib.unified_diff(expected.splitlines(True), got.splitlines(True))))
            if write:
                (case / "expected.txt").write_text(got, encoding="utf-8")
