"""Smoke tests of the shipped project (``briefings/`` and ``styles/``), whatever it holds.

Nothing here counts briefings or countries: the team adds and edits content, and that must
never break ``make test``. Every other test builds from the fixture projects in tests/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

import briefgen
from conftest import REPO


def test_shipped_project_checks_without_errors() -> None:
    ws = briefgen.open_workspace(REPO)
    assert ws.ids, "briefings/ holds no briefing"
    assert [str(d) for d in ws.errors] == []


def test_every_shipped_briefing_builds_with_embedded_fonts(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(REPO / "briefings", root / "briefings")
    shutil.copytree(REPO / "styles", root / "styles")
    result = briefgen.build_project(root)
    assert result.ok, [str(d) for f in result.failed for d in f.errors]
    ws = briefgen.open_workspace(root)
    assert sorted(result.built) == ws.ids
    for bid in ws.ids:
        reader = PdfReader(root / f"dist/{bid}.pdf")
        for page in reader.pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                descendant = font["/DescendantFonts"][0].get_object() \
                    if "/DescendantFonts" in font else font
                assert "/FontFile2" in descendant["/FontDescriptor"].get_object(), bid


@pytest.mark.skipif(not (REPO / "briefings/military-cooperation.yaml").is_file(),
                    reason="the reference briefing is not in briefings/")
def test_reference_briefing_keeps_the_seed_countries_and_urls() -> None:
    from test_content import APPENDIX_URLS, SEED_ORDER, SEED_URLS

    doc = briefgen.open_workspace(REPO).documents["military-cooperation"]
    entries = next(b for b in doc.blocks if hasattr(b, "entries")).entries
    assert [e.name for e in entries] == SEED_ORDER
    assert [s.url for e in entries for s in e.sources] == SEED_URLS
    assert [i.url for i in doc.more_information] == APPENDIX_URLS
