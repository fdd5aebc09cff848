"""A synthetic project for benchmarks and layout tests: 200 countries with 3 facts each, 600
sources, and N briefings of 3 to 5 pages (four paragraphs with 12 footnotes, a list of 13 to
30 countries). One country, ``EDITED``, is listed in exactly five briefings whatever N is,
so "edit one fact used by 5 briefings" costs the same work at every size."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
EDITED = "c199"  # listed in exactly five briefings
PARA = ("This paragraph gives context for the list and cites its evidence so that every "
        "claim can be checked. ")


def make_project(root: Path, briefings: int = 100, seed: int = 7,
                 styles: Path | None = None) -> str:
    """Write the project under ``root``; return the id of the country in five briefings.
    ``styles``: the styles folder to copy (default this checkout's; a benchmark against an
    older commit gives that commit's, whose brand sheet its code understands)."""
    rng = random.Random(seed)
    facts = root / "briefings/facts"
    (facts / "countries").mkdir(parents=True)
    (facts / "sources").mkdir()
    shutil.copytree(styles or REPO / "styles", root / "styles")
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
    with_edited = set(rng.sample(range(briefings), 5))
    for b in range(briefings):
        countries = rng.sample(range(199), rng.randint(13, 30))
        if b in with_edited:
            countries[rng.randrange(len(countries))] = 199
        refs = rng.sample(range(600), 12)
        paragraphs = [PARA * 3 + "".join(f"[^s{r:03d}]" for r in refs[i * 3:i * 3 + 3])
                      for i in range(4)]
        (root / f"briefings/b{b:04d}.yaml").write_text(yaml.safe_dump({
            "title": "{{ lists.countries | length }} countries in briefing " + str(b),
            "date": "2025-11-01", "sections": [
                {"heading": "Context", "paragraphs": paragraphs},
                {"heading": "Countries", "country_list": {
                    "countries": [f"c{c:03d}" for c in countries],
                    "show": ["facts", "notes", "sources"], "fact_topics": ["ties"]}}]}))
    return EDITED


def edit_fact(root: Path, country: str = EDITED, n: int = 0) -> None:
    """Change the statement the briefings print for ``country`` (a new text each call)."""
    path = root / f"briefings/facts/countries/{country}.yaml"
    data = yaml.safe_load(path.read_text())
    data["facts"][0]["statement"] = f"{data['facts'][0]['statement'].split(' (edit')[0]} " \
                                    f"(edit {n})"
    path.write_text(yaml.safe_dump(data))
