"""Web editor benchmark (a script, not a test):
python benchmarks/bench_serve.py [--repeat N] [--briefings N]

What a person waits for between pressing Save on a fact and seeing its preview change,
measured over HTTP against the editor's app (Starlette's TestClient, in process, so the
figures hold no browser and no network):

* save: the POST of the fact form: the YAML edited in place, the candidate project judged
  (every diagnostic ``check`` would give), the file written atomically, the affected
  briefings' screen PDFs and web pages rebuilt; then the redirect to the result page;
* preview: the briefing page, then its web page (``dist/site/<id>/index.html``) and the
  image of the PDF's first page (rendered after the build, as the browser asks for it);
* impact: the POST that says "This changes N briefings" while the form is being edited.

Two projects: the fixture copy of the shipped content (4 briefings) editing Japan's fact
that one briefing prints, and the synthetic project of ``benchmarks/synthetic.py`` with
``--briefings`` briefings (default 100) editing the fact of the country listed in five.
Each edit writes a new statement. Prints medians and writes benchmarks/serve-results.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from synthetic import EDITED, make_project  # noqa: E402

TARGETS = {"shipped": 0.300, "synthetic": 1.0}


def fact_form(page: str) -> dict[str, str]:
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    for name in ("topics", "as_of", "verified"):
        found = re.search(rf'name="{name}" type="text" value="([^"]*)"', page)
        fields[name] = found.group(1) if found else ""
    fields["status"] = re.search(r'<option selected>([^<]+)</option>', page).group(1)
    fields["sources"] = re.findall(r'name="sources" value="([^"]+)" checked', page)
    return fields


def measure(root: Path, country: str, fact: str, briefing: str, repeat: int) -> dict:
    from starlette.testclient import TestClient

    import briefgen
    from briefgen.serve.app import create_app
    from briefgen.serve.editor import Editor

    briefgen.build_profiles(root, None, profiles=("screen",), formats=("pdf", "html"))
    editor = Editor(root)
    client = TestClient(create_app(editor), base_url="http://127.0.0.1:8000")
    url = f"/facts/countries/{country}/{fact}/edit"
    saves, previews, totals, impacts, affected = [], [], [], [], set()
    for n in range(repeat + 1):  # the first edit warms the renderer up and is not counted
        form = fact_form(client.get(url).text)
        form["statement"] = f"A statement written by the benchmark, edit number {n}."
        t0 = time.perf_counter()
        impact = client.post(url + "?impact=1", data=form)
        t1 = time.perf_counter()
        saved = client.post(url, data=form, follow_redirects=False)
        result = client.get(saved.headers["location"])
        t2 = time.perf_counter()
        page = client.get(f"/briefings/{briefing}")
        site = client.get(f"/site/{briefing}/index.html")
        png = client.get(f"/briefings/{briefing}/page-1.png")
        t3 = time.perf_counter()
        assert saved.status_code == 303, saved.text
        assert "Rebuilt" in result.text and f"edit number {n}." in site.text, result.text
        assert page.status_code == 200 and png.content.startswith(b"\x89PNG")
        affected.add(len(re.findall(r"<li><a href=\"/briefings/", result.text)))
        assert "This changes" in impact.text
        if n:
            impacts.append(t1 - t0)
            saves.append(t2 - t1)
            previews.append(t3 - t2)
            totals.append(t3 - t1)
    med = statistics.median
    return {"briefings": len(editor.ws.ids), "rebuilt per edit": sorted(affected),
            "impact_s": round(med(impacts), 3), "save_s": round(med(saves), 3),
            "preview_s": round(med(previews), 3), "save_to_preview_s": round(med(totals), 3),
            "save_to_preview_range_s": [round(min(totals), 3), round(max(totals), 3)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--briefings", type=int, default=100)
    args = parser.parse_args()
    out: dict = {"python": platform.python_version(), "machine": platform.machine(),
                 "repeat": args.repeat, "targets_s": TARGETS}
    with tempfile.TemporaryDirectory() as tmp:
        shipped = Path(tmp) / "shipped"
        shipped.mkdir()
        shutil.copytree(REPO / "tests/fixtures/full/briefings", shipped / "briefings")
        shutil.copytree(REPO / "styles", shipped / "styles")
        out["shipped"] = measure(shipped, "japan", "military-cooperation",
                                 "military-cooperation", args.repeat)
        print("shipped:", out["shipped"], flush=True)
        synthetic = Path(tmp) / "synthetic"
        make_project(synthetic, args.briefings)
        first = _briefing_listing(synthetic, EDITED)
        out["synthetic"] = measure(synthetic, EDITED, "f0", first, args.repeat)
        print("synthetic:", out["synthetic"], flush=True)
    for name, target in TARGETS.items():
        got = out[name]["save_to_preview_s"]
        print(f"{name}: save to preview {got:.3f} s (median; target <= {target} s): "
              f"{'met' if got <= target else 'NOT met'}")
    (REPO / "benchmarks/serve-results.json").write_text(json.dumps(out, indent=1) + "\n")


def _briefing_listing(root: Path, country: str) -> str:
    for spec in sorted((root / "briefings").glob("*.yaml")):
        if f"- {country}\n" in spec.read_text():
            return spec.stem
    raise SystemExit(f"no briefing lists {country}")


if __name__ == "__main__":
    main()
