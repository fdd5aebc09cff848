"""Shared fixtures: throw-away copies of the fixture projects in tests/fixtures.

Tests never build from the shipped ``briefings/``: the team adds and edits briefings there,
and ``make test`` must not depend on what they hold (``test_shipped.py`` smoke-tests them
without assuming how many there are)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefgen.cli import main

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def replace_once(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in ``path`` by ``new``; returns the line it was on."""
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


def make_project(dest: Path, briefings: Path) -> Path:
    shutil.copytree(briefings, dest / "briefings")
    shutil.copytree(REPO / "styles", dest / "styles")
    (dest / "dist").mkdir()
    return dest


@pytest.fixture
def full(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/full: four briefings and the fact base they use (a frozen copy
    of the seed content), with the repository's styles."""
    return make_project(tmp_path / "project", FIXTURES / "full" / "briefings")


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A copy of the small test project in tests/fixtures/mini."""
    return make_project(tmp_path / "mini", FIXTURES / "mini" / "briefings")


@pytest.fixture
def cli(capsys):
    """Run ``briefgen`` in-process; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def default_brand():
    """The repository's default brand sheet, validated (fonts read, nothing cached)."""
    from briefgen.load.project import yaml_files
    from briefgen.load.yamlfile import load_yaml
    from briefgen.validate.brand import validate_brand
    from briefgen.validate.fontfiles import FontCache

    styles = REPO / "styles"
    sheets = {p.stem: load_yaml(p, REPO)[0] for p in yaml_files(styles)}
    brand, errors = validate_brand(sheets, "default", styles, FontCache(None))
    assert brand is not None, errors
    return brand


@pytest.fixture(scope="session")
def _built_full(tmp_path_factory) -> Path:
    from briefgen.incremental.builder import build_project

    root = make_project(tmp_path_factory.mktemp("built") / "project",
                        FIXTURES / "full" / "briefings")
    result = build_project(root)
    assert result.ok, result
    return root


@pytest.fixture
def built_full(_built_full: Path, tmp_path: Path) -> Path:
    """A copy of the full fixture project with its screen PDFs already built (built once per
    test session: copying is much cheaper than rendering)."""
    dest = tmp_path / "built"
    shutil.copytree(_built_full, dest)
    return dest
