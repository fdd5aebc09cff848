"""Web edition benchmark (a script, not a test):
python benchmarks/bench_web.py [--repeat N] [--briefings N] [--base COMMIT]

What the HTML renderer adds to a full build, measured side by side in one run:

* whole commands, each in a fresh Python process, in turn: ``briefgen build --force
  --jobs 1`` of the base commit (PDFs only; a git worktree of it in a temporary folder, with
  this venv's packages), this tree with ``--format pdf``, and this tree with ``--format all``;
* in process, per briefing: the page (template), the share image, and the index, feed and
  sitemap over all briefings; and the one-off cost per brand of the stylesheet and the WOFF2
  subsets.

The synthetic project is the one ``bench_build.py`` makes (countries with 3 facts each,
briefings with 12 footnotes and a list of 13 to 30 countries), with ``--briefings`` of them.
Prints medians and writes benchmarks/web-results.json.
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

REPO = Path(__file__).resolve().parents[1]


def make_project(root: Path, rng: random.Random, briefings: int) -> None:
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
    for b in range(briefings):
        countries = rng.sample(range(200), rng.randint(13, 30))
        refs = rng.sample(range(600), 12)
        paragraphs = [para * 3 + "".join(f"[^s{r:03d}]" for r in refs[i * 3:i * 3 + 3])
                      for i in range(4)]
        (root / f"briefings/b{b:03d}.yaml").write_text(yaml.safe_dump({
            "title": "{{ lists.countries | length }} countries in briefing " + str(b),
            "date": f"2025-{1 + b % 12:02d}-{1 + b % 28:02d}",
            "lead": para + "[^s001]", "sections": [
                {"heading": "Context", "paragraphs": paragraphs},
                {"heading": "Countries", "country_list": {
                    "countries": [f"c{c:03d}" for c in countries],
                    "show": ["facts", "notes", "sources"], "fact_topics": ["ties"]}}]}))


def command(src: Path, root: Path, *args: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(src)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: compiled modules are kept
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "briefgen.cli", "build", "--root", str(root),
                    "--force", "--jobs", "1", *args], check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def in_process(root: Path, repeat: int) -> dict[str, float]:
    import briefgen
    from briefgen.incremental.site import _facts_as_of
    from briefgen.render import renderer
    from briefgen.render.html import PageContext, SiteContext
    from briefgen.render.html.page import entry_of

    ws = briefgen.open_workspace(root)
    html = renderer("html")
    docs = [ws.documents[b] for b in ws.ids]
    brand = ws.brand_of(docs[0].id)
    site = SiteContext(publisher=ws.base.publisher)
    contexts = [PageContext(site, (), _facts_as_of(ws, d)) for d in docs]
    html.page_html(docs[0], brand, contexts[0])  # warm up: templates, fonts for the image
    html.share_image(docs[0], brand)

    def each(fn) -> float:  # median over passes of the mean per briefing
        passes = []
        for _ in range(repeat):
            start = time.perf_counter()
            for d, c in zip(docs, contexts, strict=True):
                fn(d, c)
            passes.append((time.perf_counter() - start) / len(docs))
        return statistics.median(passes) * 1000

    page = each(lambda d, c: html.page_html(d, brand, c))
    share = each(lambda d, c: html.share_image(d, brand))
    entries = [entry_of(d) for d in docs]
    index = statistics.median(timed(lambda: html.index(entries, brand, site))
                              for _ in range(repeat)) * 1000
    from briefgen.render.html import fonts

    assets = []
    for _ in range(repeat):
        fonts._MEMO.clear()
        assets.append(timed(lambda: html.brand_assets(brand, docs)))
    return {"page per briefing (ms)": page, "share image per briefing (ms)": share,
            "index + feed over all (ms)": index,
            "stylesheet + WOFF2 subsets, once per brand (s)": statistics.median(assets)}


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--briefings", type=int, default=20)
    parser.add_argument("--base", default="HEAD~1",
                        help="the commit to compare with (default: the previous one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        base = tmp_path / "base"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(base),
                        args.base], check=True, capture_output=True)
        try:
            root = tmp_path / "project"
            make_project(root, random.Random(7), args.briefings)
            runs: dict[str, list[float]] = {"base": [], "pdf": [], "all": []}
            command(REPO / "src", root, "--format", "all")  # create dist/ once
            for _ in range(args.repeat):  # in turn, so that a slow minute hits all three
                runs["base"].append(command(base / "src", root))
                runs["pdf"].append(command(REPO / "src", root, "--format", "pdf"))
                runs["all"].append(command(REPO / "src", root, "--format", "all"))
            med = {k: statistics.median(v) for k, v in runs.items()}
            n = args.briefings
            results = {
                f"full build of {n}, base commit, PDFs (s)": med["base"],
                f"full build of {n}, --format pdf (s)": med["pdf"],
                f"full build of {n}, --format all (s)": med["all"],
                "added by the web edition, per briefing (ms)":
                    (med["all"] - med["base"]) / n * 1000,
                **in_process(root, args.repeat),
            }
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force",
                            str(base)], check=False, capture_output=True)
    for name, value in results.items():
        print(f"{name:50} {value:9.3f}")
    out = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                      f"Python {platform.python_version()}", "base": args.base,
           "repeat": args.repeat, "runs": runs, "results": results}
    (REPO / "benchmarks/web-results.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
