"""Build benchmark (a script, not a test).

    python benchmarks/bench_build.py [--sizes 100,400,1000] [--repeat N] [--compare REV]

For each size, a synthetic project (``synthetic.py``: 200 countries, 600 sources, N briefings
of 3 to 5 pages; one country is listed in exactly five briefings) is built once, then each
measure is taken ``--repeat`` times as a whole command in a fresh process, and the median is
printed. Every size is measured in the same rounds, so the edit at the largest size over the
edit at the smallest is also given paired, round by round (a busy minute then weighs on both
sides of the ratio alike):

* one fact used by 5 briefings edited, then ``briefgen build`` (rebuilds those five);
* ``briefgen where FACT``; ``briefgen check`` after a one-file edit; a no-op ``build``;
* the peak memory of the main process in a full ``build --force --jobs 2``.

On the shipped project, ``--cold`` rounds (11): one briefing built with ``--force`` in a cold
process (its PDF; and, for versions with the web edition, the command as typed, PDF and web
page), beside ``python -c "import reportlab.pdfgen.canvas"`` (the target's yardstick), the
import of ReportLab's layout engine alone, and the import of what validates and resolves a
briefing alone (``FLOORS``); and the CPU time per briefing in process.

``--compare REV`` runs the same commands against the code of commit REV (checked out into a
temporary worktree, run with this interpreter and ``PYTHONPATH``) in the same run, in
alternating order, and prints the ratio new/old of each median. Results go to
``benchmarks/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import EDITED, make_project

REPO = Path(__file__).resolve().parents[1]
SHIPPED_ONE = "military-cooperation"


class Code:
    """A version of briefgen to run: this checkout, or a commit in a temporary worktree."""

    def __init__(self, name: str, src: Path):
        self.name, self.src = name, src
        done = subprocess.run([sys.executable, "-m", "briefgen.cli", "build", "--help"],
                              env=self.env(), capture_output=True, text=True)
        # the PDFs only: versions with the web edition build it too unless told not to
        self.pdf_only = ["--format", "pdf"] if "--format" in done.stdout else []

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFGEN_")}
        env["PYTHONPATH"] = str(self.src)
        # as installed: Python keeps compiled modules, so a cold process does not compile
        # briefgen's sources again each time (the first run, --help above, writes them)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env

    def run(self, *args: str, check: bool = True, web: bool = False) -> float:
        if args and args[0] == "build" and not web:
            args = (*args, *self.pdf_only)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "briefgen.cli", *args], env=self.env(),
                              capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if check and done.returncode not in (0,):
            raise SystemExit(f"{self.name}: briefgen {' '.join(args)} exited "
                             f"{done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        return elapsed

    def peak_rss(self, root: Path) -> float:
        """Peak RSS (MiB) of the main process of a full build with two workers."""
        probe = ("import resource, sys\nfrom briefgen.cli import main\n"
                 "code = main(['build', '--root', sys.argv[1], '--force', '--jobs', '2', "
                 f"*{self.pdf_only!r}])\n"
                 "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
                 "sys.exit(code)")
        done = subprocess.run([sys.executable, "-c", probe, str(root)], env=self.env(),
                              capture_output=True, text=True, check=True)
        return float(done.stdout.strip().splitlines()[-1])


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def measure_sizes(codes: list[Code], sizes: list[int], repeat: int
                  ) -> tuple[dict[int, dict[str, dict[str, float]]], dict[str, float]]:
    """Every size's measures, taken in the same rounds: each round goes through every version
    and every size in turn (alternating the order), so that the machine's slow minutes fall
    on all of them alike. Returns the medians by size, and for each version the median over
    the rounds of its largest size's edit over its smallest size's edit, measured minutes
    apart at most."""
    out: dict[int, dict[str, dict[str, list[float]]]] = {
        size: {c.name: {} for c in codes} for size in sizes}
    ratios: dict[str, list[float]] = {c.name: [] for c in codes}
    edit = "one fact edited, build (s)"
    from synthetic import edit_fact

    with tempfile.TemporaryDirectory() as tmp:
        roots: dict[tuple[int, str], Path] = {}
        for size in sizes:
            for code in codes:  # one project per version: their build state must not mix
                root = Path(tmp) / f"{code.name}-{size}"
                make_project(root, size, repo=code.src.parent)
                code.run("build", "--root", str(root), "--jobs", "2")
                roots[size, code.name] = root
        for n in range(repeat):
            order = [(size, code) for size in sizes for code in codes]
            for size, code in (order if n % 2 == 0 else order[::-1]):
                root, rec = roots[size, code.name], out[size][code.name]
                edit_fact(root, EDITED, n)
                rec.setdefault(edit, []).append(
                    code.run("build", "--root", str(root), "--jobs", "2"))
                rec.setdefault("where FACT (s)", []).append(
                    code.run("where", f"{EDITED}.f0", "--root", str(root)))
                edit_fact(root, EDITED, n + 1000)
                rec.setdefault("check after a one-file edit (s)", []).append(
                    code.run("check", "--root", str(root), check=False))
                code.run("build", "--root", str(root), "--jobs", "2")
                rec.setdefault("no-op build (s)", []).append(
                    code.run("build", "--root", str(root)))
            if len(sizes) > 1:
                for code in codes:
                    ratios[code.name].append(out[sizes[-1]][code.name][edit][-1]
                                             / out[sizes[0]][code.name][edit][-1])
        for size in sizes:
            for code in codes:
                out[size][code.name]["main process peak, full build (MiB)"] = [
                    code.peak_rss(roots[size, code.name])]
    medians = {size: {name: {k: median(v) for k, v in rec.items()}
                      for name, rec in by_code.items()} for size, by_code in out.items()}
    return medians, {name: median(v) for name, v in ratios.items()}


#: beside the cold build: the target's yardstick, and what any cold build must import before
#: it can write a page (ReportLab's layout engine, which the renderer is built on) or know
#: what the page says (the schemas, the YAML parser, Jinja2 and markdown-it; issue 12 lets
#: no cache of them stand in for ``--force``)
FLOORS = (("python -c 'import reportlab.pdfgen.canvas' (s)", "import reportlab.pdfgen.canvas"),
          ("python -c 'import reportlab.platypus' (s)", "import reportlab.platypus"),
          ("python -c 'import' what validates and resolves (s)",
           "import briefgen.workspace.core, briefgen.workspace.evaluate"))


def measure_shipped(codes: list[Code], repeat: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, list[float]]] = {c.name: {} for c in codes}
    with tempfile.TemporaryDirectory() as tmp:
        for code in codes:
            root = Path(tmp) / code.name
            shutil.copytree(code.src.parent / "briefings", root / "briefings")
            shutil.copytree(code.src.parent / "styles", root / "styles")
            code.run("build", "--root", str(root), web=True)  # PDFs, and web edition if any
        for n in range(repeat):
            for code in (codes if n % 2 == 0 else list(reversed(codes))):
                rec = out[code.name]
                root = str(Path(tmp) / code.name)
                rec.setdefault("one briefing --force, cold process (s)", []).append(
                    code.run("build", SHIPPED_ONE, "--force", "--root", root))
                if code.pdf_only:  # the command as typed: its web page too
                    rec.setdefault("the same, PDF and web page (s)", []).append(
                        code.run("build", SHIPPED_ONE, "--force", "--root", root, web=True))
                for label, statement in FLOORS:
                    start = time.perf_counter()
                    done = subprocess.run([sys.executable, "-c", statement], env=code.env(),
                                          capture_output=True)
                    took = time.perf_counter() - start  # nan: no such module in that version
                    rec.setdefault(label, []).append(took if not done.returncode else
                                                     float("nan"))
    return {name: {k: median(v) for k, v in rec.items()} for name, rec in out.items()}


def render_per_briefing(code: Code, repeat: int) -> float:
    """Milliseconds of CPU to render one briefing of the synthetic project, in process (the
    median over 20 briefings, the median of ``repeat`` passes; the layout caches are warm
    after the first pass, as in a worker)."""
    script = f"""
import statistics, sys, time
sys.path.insert(0, {str(Path(__file__).parent)!r})
from pathlib import Path
import tempfile
from synthetic import make_project
import briefgen
from briefgen.incremental.builder import render_one
tmp = Path(tempfile.mkdtemp())
make_project(tmp, 20, repo=Path({str(code.src.parent)!r}))
ws = briefgen.open_workspace(tmp)
docs = [ws.documents[b] for b in ws.ids]
brand = ws.brands["default"]
render_one(docs[0], brand, "screen")
per = []
for _ in range({repeat}):
    times = []
    for d in docs:  # CPU time: a busy machine's waits are not the renderer's cost
        t = time.process_time(); render_one(d, brand, "screen")
        times.append(time.process_time() - t)
    per.append(statistics.median(times))
print(statistics.median(per) * 1000)
"""
    done = subprocess.run([sys.executable, "-c", script], env=code.env(), capture_output=True,
                          text=True)
    if done.returncode:
        return float("nan")
    return float(done.stdout.strip().splitlines()[-1])


def worktree(rev: str, tmp: Path) -> Path:
    path = tmp / f"rev-{rev}"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(path), rev],
                   check=True, capture_output=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,400,1000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare", metavar="REV")
    parser.add_argument("--cold", type=int, default=11,
                        help="rounds of the cold one-briefing build (cheap, and noisy)")
    parser.add_argument("--out", default="benchmarks/results.json",
                        help="where the results go (--sizes '' measures the shipped project "
                             "only: give it a file of its own)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory() as tmp:
        codes = [Code("new", REPO / "src")]
        if args.compare:
            codes.append(Code(f"old ({args.compare})", worktree(args.compare, Path(tmp)) / "src"))
        try:
            table: dict[str, dict[str, dict[str, float]]] = {}
            by_size, ratios = measure_sizes(codes, sizes, args.repeat)
            for size in sizes:
                table[f"{size} briefings"] = by_size[size]
                print_block(f"{size} briefings", table[f"{size} briefings"], codes)
            if len(sizes) > 1:
                name = f"edit at {sizes[-1]} over edit at {sizes[0]}, paired by round"
                table[name] = {code: {"median": value} for code, value in ratios.items()}
                print(f"\n{name}: " + ", ".join(f"{code} {value:.2f}"
                                                for code, value in ratios.items()), flush=True)
            table["shipped project"] = measure_shipped(codes, max(args.repeat, args.cold))
            renders: dict[str, list[float]] = {code.name: [] for code in codes}
            for n in range(args.repeat):  # alternating, each in a fresh process
                for code in (codes if n % 2 == 0 else codes[::-1]):
                    renders[code.name].append(render_per_briefing(code, 3))
            for code in codes:
                table["shipped project"][code.name]["render per briefing, in process (ms)"] = \
                    median(renders[code.name])
            print_block("shipped project", table["shipped project"], codes)
        finally:
            if args.compare:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force",
                                str(codes[1].src.parent)], capture_output=True)
    result = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                         f"{platform.python_version()}",
              "date": time.strftime("%Y-%m-%d %H:%M"), "repeat": args.repeat,
              "compare": args.compare, "results": table,
              "this process peak (MiB)": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
              / 1024}
    (REPO / args.out).write_text(json.dumps(result, indent=2) + "\n")


def print_block(title: str, block: dict[str, dict[str, float]], codes: list[Code]) -> None:
    print(f"\n{title}")
    names = [c.name for c in codes]
    keys = list(block[names[0]])
    head = f"{'measure':44}" + "".join(f"{n:>18}" for n in names)
    if len(names) > 1:
        head += f"{'new/old':>10}"
    print(head)
    for key in keys:
        row = f"{key:44}" + "".join(f"{block[n].get(key, float('nan')):18.3f}" for n in names)
        if len(names) > 1:
            old = block[names[1]].get(key)
            row += f"{block[names[0]][key] / old:10.2f}" if old else f"{'-':>10}"
        print(row, flush=True)


if __name__ == "__main__":
    main()
