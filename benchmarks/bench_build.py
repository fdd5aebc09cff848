"""Build benchmark (a script, not a test): python benchmarks/bench_build.py [--repeat N].

Generates a synthetic project in a temporary folder (200 countries with 3 facts each, 600
sources, 100 briefings with 10+ footnotes and 13-30-country lists, the shipped brand sheet)
and reports medians of: full build with --jobs 1 and the default, a no-op rebuild, a rebuild
after editing one fact used by 5 briefings, one briefing built cold as a process, and the
in-process render time per briefing, and peak RSS per worker. The full build and the no-op
rebuild are also timed as whole commands (a fresh Python process each time). Prints a table
and writes benchmarks/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from pypdf import PdfReader

from briefgen.incremental.builder import build_project, render_one
from briefgen.workspace import open_workspace

REPO = Path(__file__).resolve().parents[1]


def make_project(root: Path, rng: random.Random) -> str:
    """Write the project; return the id of a country listed in exactly 5 briefings."""
    facts = root / "briefings/facts"
    (facts / "countries").mkdir(parents=True)
    (facts / "sources").mkdir()
    shutil.copytree(REPO / "styles", root / "styles")
    shutil.copy(REPO / "briefings/facts/publisher.yaml", facts / "publisher.yaml")
    sources = {f"s{n:03d}": {"publisher": f"Publisher {n}", "title": f"Report {n}",
                             "url": f"https://example.org/reports/{n}/a-report-with-a-long-name",
                             "published": "2025-06-01", "kind": "news"} for n in range(600)}
    (facts / "sources/all.yaml").write_text(yaml.safe_dump(sources))
    for c in range(200):
        (facts / f"countries/c{c:03d}.yaml").write_text(yaml.safe_dump({
            "id": f"c{c:03d}", "name": f"Country {c}", "facts": [{
                "id": f"f{k}", "statement": f"Country {c} has a documented tie number {k} "
                "with the military, described in the sources listed for it.",
                "topics": ["ties", f"t{(c + k) % 10}"] if k == 0 else [f"t{(c + k) % 10}"],
                "as_of": "2025", "status": "current",
                "sources": [f"s{(c * 3 + k) % 600:03d}"]} for k in range(3)]}))
    para = ("This paragraph gives context for the list and cites its evidence"
            " so that every claim can be checked. ")
    uses = [0] * 200
    for b in range(100):
        countries = rng.sample(range(200), rng.randint(13, 30))
        for c in countries:
            uses[c] += 1
        refs = rng.sample(range(600), 12)
        paragraphs = [para * 3 + "".join(f"[^s{r:03d}]" for r in refs[i * 3:i * 3 + 3])
                      for i in range(4)]
        (root / f"briefings/b{b:03d}.yaml").write_text(yaml.safe_dump({
            "title": "{{ lists.countries | length }} countries in briefing " + str(b),
            "date": "2025-11-01", "sections": [
                {"heading": "Context", "paragraphs": paragraphs},
                {"heading": "Countries", "country_list": {
                    "countries": [f"c{c:03d}" for c in countries],
                    "show": ["facts", "notes", "sources"], "fact_topics": ["ties"]}}]}))
    five = min(range(200), key=lambda c: (abs(uses[c] - 5), c))
    assert uses[five] == 5, "no country is listed in exactly 5 briefings: change the seed"
    return f"c{five:03d}"


# Run in a fresh process: a full build with 2 workers, then the largest peak RSS among the
# (forked, then reaped) worker processes and the parent's own peak, in MiB.
_RSS_PROBE = """
import json, resource, sys
from briefgen.incremental.builder import build_project
build_project(sys.argv[1], force=True, jobs=2)
kib = lambda who: resource.getrusage(who).ru_maxrss / 1024
print(json.dumps({"worker": kib(resource.RUSAGE_CHILDREN), "parent": kib(resource.RUSAGE_SELF)}))
"""


def check(result, built: int) -> None:
    if len(result.built) != built or result.failed:
        raise SystemExit(f"expected {built} rebuilt, got: {result.summary()}")


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def render_times(root: Path, repeat: int, count: int = 20) -> list[float]:
    """Per pass over ``count`` briefings: the median render time of one (seconds)."""
    ws = open_workspace(root)
    docs = [ws.documents[bid] for bid in sorted(ws.documents)][:count]
    render_one(docs[0], ws.brand_of(docs[0].id), "screen")  # warm up fonts
    return [statistics.median(  # per pass: the median briefing; then the median pass
        [timed(lambda d=d: render_one(d, ws.brand_of(d.id), "screen")) for d in docs])
        for _ in range(repeat)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(7)
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        edited = make_project(root, rng)
        full1, fulln, noop, edit = [], [], [], []
        for _ in range(args.repeat):
            full1.append(timed(lambda: build_project(root, force=True, jobs=1)))
            fulln.append(timed(lambda: build_project(root, force=True)))
            noop.append(timed(lambda: check(build_project(root), built=0)))
            path = root / f"briefings/facts/countries/{edited}.yaml"
            data = yaml.safe_load(path.read_text())
            data["facts"][0]["statement"] += " (edited)"  # the fact the briefings show
            path.write_text(yaml.safe_dump(data))
            edit.append(timed(lambda: check(build_project(root), built=5)))
        pages = [len(PdfReader(pdf).pages) for pdf in (root / "dist").glob("*.pdf")]
        print(f"{len(pages)} briefings of {min(pages)} to {max(pages)} pages")
        per = render_times(root, args.repeat)
        cold = [timed(lambda: subprocess.run(
            [sys.executable, "-m", "briefgen.cli", "build", "--root", str(root), "--force",
             "b000"], check=True, capture_output=True)) for _ in range(args.repeat)]
        full_cli = [timed(lambda: subprocess.run(
            [sys.executable, "-m", "briefgen.cli", "build", "--root", str(root), "--force",
             "--jobs", "2"], check=True, capture_output=True)) for _ in range(args.repeat)]
        noop_cli = [timed(lambda: subprocess.run(
            [sys.executable, "-m", "briefgen.cli", "build", "--root", str(root)], check=True,
            capture_output=True)) for _ in range(args.repeat)]
        rss = json.loads(subprocess.run(
            [sys.executable, "-c", _RSS_PROBE, str(root)], check=True, capture_output=True,
            text=True).stdout)
        results = {
            "full build, --jobs 1 (s)": statistics.median(full1),
            f"full build, --jobs {os.cpu_count()} (s)": statistics.median(fulln),
            "full build, --jobs 2, whole command (s)": statistics.median(full_cli),
            "no-op rebuild (s)": statistics.median(noop),
            "no-op rebuild, whole command (s)": statistics.median(noop_cli),
            "one fact edited (s)": statistics.median(edit),
            "one briefing, cold process (s)": statistics.median(cold),
            "render per briefing, in process (ms)": statistics.median(per) * 1000,
            "peak RSS per worker, --jobs 2 (MiB)": rss["worker"],
            "peak RSS of the parent (MiB)": rss["parent"],
        }
    for name, value in results.items():
        print(f"{name:40} {value:8.3f}")
    out = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                      f"Python {platform.python_version()}", "results": results}
    (REPO / "benchmarks/results.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
