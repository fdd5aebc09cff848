"""Golden cases: each folder in tests/cases overlays files on the mini project; `briefgen
check` must print exactly expected.txt (one located line per error, no traceback)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CASES = Path(__file__).resolve().parent / "cases"


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_case(case: str, mini: Path, cli, monkeypatch) -> None:
    shutil.copytree(CASES / case / "briefings", mini / "briefings", dirs_exist_ok=True)
    monkeypatch.chdir(mini)
    code, out, err = cli("check")
    expected = (CASES / case / "expected.txt").read_text(encoding="utf-8")
    assert f"{out}exit: {code}\n" == expected
    assert "Traceback" not in out + err
    assert code == 1


def test_sandbox_escape_runs_no_code(mini: Path, cli, monkeypatch, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    spec = mini / "briefings" / "demo.yaml"
    text = spec.read_text().replace(
        "short_title: Training the Myanmar military",
        "short_title: \"{{ cycler.__init__.__globals__.os.system('touch " + str(marker) + "') }}\"")
    spec.write_text(text)
    monkeypatch.chdir(mini)
    code, out, _ = cli("check")
    assert code == 1
    assert "short_title: not allowed in briefing text" in out
    assert not marker.exists()
