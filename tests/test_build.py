"""Incremental builds: exactly the briefings whose inputs changed are rebuilt."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import time
from pathlib import Path

import pytest

from briefgen.files import build_lock
from briefgen.incremental.builder import build_project

ALL = ["admm-plus-counter-terrorism", "defector-asylum", "military-cooperation",
       "russia-military-ties"]


@pytest.fixture
def built(full: Path) -> Path:
    result = build_project(full)
    assert sorted(result.built) == ALL
    return full


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def digests(root: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / "dist").glob("*.pdf"))}


def test_second_build_rewrites_nothing(built: Path) -> None:
    mtimes = {p: p.stat().st_mtime_ns for p in (built / "dist").glob("*.pdf")}
    result = build_project(built)
    assert result.built == [] and sorted(result.unchanged) == ALL
    assert {p: p.stat().st_mtime_ns for p in (built / "dist").glob("*.pdf")} == mtimes


def test_unchanged_tree_is_recognised_without_parsing(built: Path, monkeypatch) -> None:
    import briefgen.incremental.builder as builder

    def no_parsing(*args, **kwargs):
        raise AssertionError("an unchanged tree must not be parsed")

    monkeypatch.setattr("briefgen.workspace.open_workspace", no_parsing)
    monkeypatch.setattr(builder, "build", no_parsing)
    assert sorted(build_project(built).unchanged) == ALL


def test_missing_pdf_is_rebuilt_even_when_no_input_changed(built: Path) -> None:
    (built / "dist/russia-military-ties.pdf").unlink()
    result = build_project(built)
    assert result.built == ["russia-military-ties"]
    assert (built / "dist/russia-military-ties.pdf").is_file()


def test_failed_build_keeps_no_stamp(built: Path) -> None:
    edit(built / "briefings/russia-military-ties.yaml", "title:", "titel:")
    assert [f.id for f in build_project(built).failed] == ["russia-military-ties"]
    manifest = json.loads((built / "dist/.briefgen/manifest.json").read_text())
    assert "screen" not in manifest["stamps"]
    # and the unchanged, still broken tree is reported again, not skipped as clean
    assert [f.id for f in build_project(built).failed] == ["russia-military-ties"]


def test_fact_edit_rebuilds_exactly_its_users(built: Path) -> None:
    edit(built / "briefings/facts/countries/australia.yaml",
         "accepted defectors from the Myanmar military who were seeking asylum",
         "accepted defectors from the Myanmar military who have asked for asylum")
    result = build_project(built)
    assert result.built == ["defector-asylum"]
    assert sorted(result.unchanged) == [b for b in ALL if b != "defector-asylum"]


def test_source_url_edit_rebuilds_citing_briefings(built: Path) -> None:
    edit(built / "briefings/facts/sources/official.yaml",
         "https://www.pac.org.pk/news-archive", "https://www.pac.org.pk/news")
    assert build_project(built).built == ["military-cooperation"]


def test_new_country_joins_topic_list(built: Path) -> None:
    nz = built / "briefings/facts/countries/new-zealand.yaml"
    (built / "briefings/facts/countries/fiji.yaml").write_text(
        nz.read_text().replace("new-zealand", "fiji").replace("New Zealand", "Fiji"))
    result = build_project(built)
    assert result.built == ["admm-plus-counter-terrorism"]


def test_reformatting_yaml_rebuilds_nothing(built: Path) -> None:
    path = built / "briefings/facts/countries/russia.yaml"
    path.write_text("# reformatted\n" + path.read_text().replace("topics: [arms-supply]",
                                                                 "topics:\n      - arms-supply"))
    assert build_project(built).built == []


def test_deleted_spec_removes_its_pdf(built: Path) -> None:
    (built / "briefings/defector-asylum.yaml").unlink()
    result = build_project(built)
    assert result.removed == ["defector-asylum"]
    assert not (built / "dist/defector-asylum.pdf").exists()
    assert result.summary() == "built 0, unchanged 3, failed 0, removed 1"


@pytest.mark.parametrize("damage", ["{not json", json.dumps({"format": 0, "briefings": {}}), ""])
def test_bad_manifest_means_full_rebuild(built: Path, damage: str) -> None:
    (built / "dist/.briefgen/manifest.json").write_text(damage)
    assert sorted(build_project(built).built) == ALL


@pytest.mark.parametrize("damage", ["gone", "{not json", "other stamps"])
def test_the_no_op_summary_never_overrules_the_manifest(built: Path, damage: str) -> None:
    """The small summary beside the manifest only speeds up the no-op build: missing or
    damaged, the manifest is read; it cannot stand for a manifest it was not written with."""
    summary = built / "dist/.briefgen/manifest-summary.json"
    assert summary.is_file()
    if damage == "gone":
        summary.unlink()
    elif damage == "other stamps":
        data = json.loads(summary.read_text())
        (built / "dist/.briefgen/manifest.json").write_text("{}")  # a manifest it did not write
        summary.write_text(json.dumps(data))
    else:
        summary.write_text(damage)
    built_now = build_project(built).built
    assert sorted(built_now) == ([] if damage != "other stamps" else ALL)


def test_force_and_explain(built: Path, cli) -> None:
    assert sorted(build_project(built, force=True).built) == ALL
    edit(built / "briefings/facts/countries/russia.yaml", "paid for with Russian loans",
         "financed by Russian loans")
    code, out, _ = cli("build", "--root", str(built), "--explain", "russia-military-ties")
    assert code == 0
    assert "fact:russia.fighter-jets changed" in out
    code, out, _ = cli("build", "--root", str(built), "--explain", "defector-asylum")
    assert "up to date" in out


def test_json_report(built: Path, cli) -> None:
    code, out, _ = cli("build", "--root", str(built), "--json", "--format", "pdf")
    assert code == 0
    assert json.loads(out) == {"built": [], "unchanged": ALL, "failed": [], "removed": [],
                               "errors": [], "rebuilt": {}}


def test_jobs_give_identical_bytes(full: Path, monkeypatch) -> None:
    monkeypatch.setattr("briefgen.incremental.builder.PARALLEL_THRESHOLD", 1)
    build_project(full, jobs=1)
    one = digests(full)
    build_project(full, jobs=2, force=True)
    assert digests(full) == one and len(one) == 4


def test_named_briefings_forced_render_in_a_worker_with_the_same_bytes(full: Path,
                                                                       monkeypatch) -> None:
    """``build ID --force`` starts a worker that imports the renderer while this process
    reads the project; the PDF is the one rendered here."""
    from briefgen.incremental import builder

    build_project(full, ["military-cooperation"], jobs=1)
    one = digests(full)
    started = []
    real = builder.start_pool
    monkeypatch.setattr(builder, "start_pool",
                        lambda jobs, **kw: started.append(jobs) or real(jobs, **kw))
    result = build_project(full, ["military-cooperation"], jobs=2, force=True)
    assert result.built == ["military-cooperation"] and started == [1]
    assert digests(full) == one and len(one) == 1
    build_project(full, ["military-cooperation"], jobs=2)  # not forced: up to date, no worker
    assert started == [1]


def test_a_named_briefing_that_fails_in_its_worker_keeps_its_pdf(full: Path,
                                                                 monkeypatch) -> None:
    from briefgen.errors import RenderError
    from briefgen.incremental import builder

    build_project(full, ["military-cooperation"], jobs=1)
    before = digests(full)

    def broken(doc, brand, profile):  # the worker is forked after this, and inherits it
        raise RenderError("the renderer broke")

    monkeypatch.setattr(builder, "render_one", broken)
    result = build_project(full, ["military-cooperation"], jobs=2, force=True)
    assert result.built == [] and [f.id for f in result.failed] == ["military-cooperation"]
    assert "the renderer broke" in str(result.failed[0].errors[0])
    assert digests(full) == before


def _hold_lock(folder: str, ready, release) -> None:
    with build_lock(Path(folder)):
        ready.set()
        release.wait(10)


def test_concurrent_build_waits_then_reports(full: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(full / "dist/.briefgen"), ready,
                                                  release))
    holder.start()
    try:
        assert ready.wait(10)
        from briefgen.files import LockBusy
        start = time.monotonic()
        with pytest.raises(LockBusy, match="another briefgen build is running"), \
                build_lock(full / "dist/.briefgen", wait=0.3):
            pass
        assert time.monotonic() - start >= 0.3
    finally:
        release.set()
        holder.join(10)
    assert sorted(build_project(full).built) == ALL


def test_a_pdf_that_cannot_be_written_fails_that_briefing_only(built: Path, cli) -> None:
    target = built / "dist/defector-asylum.pdf"
    target.unlink()
    target.mkdir()  # a folder where the PDF should go: the rename onto it fails
    edit(built / "briefings/facts/publisher.yaml", "Burma Campaign UK", "Burma Campaign U.K.")
    code, out, err = cli("build", "--root", str(built), "--jobs", "1")
    assert code == 1
    assert "dist/defector-asylum.pdf: cannot write: a folder is in the way; move it aside" in err
    assert "Traceback" not in err
    assert "failed defector-asylum" in out and "built military-cooperation" in out
    assert not list((built / "dist").glob(".*.tmp"))
    target.rmdir()
    result = build_project(built)  # not recorded as built: the next build makes it
    assert result.built == ["defector-asylum"]


def test_an_edited_brand_sheet_is_seen_by_the_same_process(built: Path) -> None:
    # `briefgen watch` builds in one long process: a cached brand must not outlive its edit
    before = digests(built)
    sheet = built / "styles/default.yaml"
    edit(sheet, 'brand:     {cmyk: [0.00, 0.81, 0.68, 0.44], rgb: "#8E1B2E"}',
         'brand:     {cmyk: [0.00, 0.81, 0.68, 0.44], rgb: "#1B2E8E"}')
    result = build_project(built, jobs=1)
    assert sorted(result.built) == ALL
    after = digests(built)
    assert all(after[name] != before[name] for name in before)


@pytest.mark.parametrize("orderly", ["", "1"])
def test_the_program_exits_with_its_code_and_all_its_output(full: Path, orderly: str) -> None:
    """``briefgen`` ends its process without tearing the interpreter down (see
    ``cli.exit_now``): what it printed must all arrive, through a pipe, with the right code,
    as with the orderly exit."""
    import os
    import re
    import subprocess
    import sys

    env = {**os.environ, "BRIEFGEN_ORDERLY_EXIT": orderly}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "briefgen.cli", *args], env=env,
                              capture_output=True, text=True, timeout=120)

    done = run("build", "--root", str(full), "--jobs", "2", "--force")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("built ") >= 4 and "failed 0" in done.stdout
    assert len(list((full / "dist").glob("*.pdf"))) == 4
    assert not list(full.rglob("*.tmp")) and not list(full.rglob(".*.tmp*"))
    spec = full / "briefings" / "military-cooperation.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("title:", "titel:", 1),
                    encoding="utf-8")
    broken = run("check", "--root", str(full))
    assert broken.returncode == 1
    report = broken.stdout + broken.stderr
    assert "military-cooperation.yaml:" in report and "titel" in report
    # the summary is the last thing printed: the output arrived whole
    assert re.fullmatch(r"4 briefings, \d+ countries, \d+ sources: \d+ errors?, \d+ warnings?",
                        broken.stdout.rstrip().splitlines()[-1])
    usage = run("build", "--root", str(full), "--no-such-option")
    assert usage.returncode == 2 and "unrecognized arguments" in usage.stderr


@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_a_reader_that_goes_away_stops_nothing(full: Path, unbuffered: str) -> None:
    """`briefgen build --force | head -1`: the reader closes the pipe after one line. The
    build goes on to the end, says nothing of it (it used to end with 'internal error:
    BrokenPipeError', exit status 3, half-way through) and exits with its own code."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONUNBUFFERED": unbuffered}
    proc = subprocess.Popen([sys.executable, "-m", "briefgen.cli", "build", "--root",
                             str(full), "--force", "--jobs", "1", "--format", "pdf"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0 and err == b""
    assert first.startswith(b"built ")
    assert len(list((full / "dist").glob("*.pdf"))) == 4
    assert build_project(full).built == []  # every one of them recorded as built


@pytest.mark.parametrize(("args", "message"), [
    (["build", "--jobs", "0"], "argument --jobs/-j: 0: give 1 or more"),
    (["build", "-j", "-1"], "argument --jobs/-j: -1: give 1 or more"),
    (["check", "--stale-months", "-5"], "argument --stale-months: -5: give 0 or more"),
    (["sources", "--stale-months", "x"], "argument --stale-months: 'x' is not a whole number"),
])
def test_numbers_out_of_range_are_usage_errors(full: Path, capsys, args, message) -> None:
    """`--jobs 0` and `--stale-months -5` used to be taken as given."""
    from briefgen.cli import main

    with pytest.raises(SystemExit) as exit_:
        main([*args, "--root", str(full)])
    assert exit_.value.code == 2 and f"error: {message}\n" in capsys.readouterr().err


# ------------------------------------------------------- what a worker receives (plain copies)
_WORKER = """
import pickle, sys
job = pickle.load(sys.stdin.buffer)
from briefgen.incremental.builder import _render_job
bid, data, errors = _render_job(job)
assert errors is None, errors
sys.stdout.buffer.write(data)
sys.stderr.write(" ".join(m for m in ("pydantic", "jinja2", "markdown_it") if m in sys.modules))
"""


@pytest.mark.parametrize("bid", ["military-cooperation", "military-cooperation.my"])
def test_a_worker_renders_plain_copies_without_pydantic_to_the_same_bytes(full: Path,
                                                                          bid: str) -> None:
    """A worker unpickles a document and a brand whose models are plain copies
    (briefgen.render.plain): it imports neither pydantic nor the schemas (which is what
    lets a one-briefing build fork it before importing them), and its PDF is the one
    rendered in this process from the models themselves, for English and Burmese."""
    import pickle
    import subprocess
    import sys

    from briefgen.incremental.builder import _Renderers
    from briefgen.render import renderer
    from briefgen.workspace import open_workspace

    if bid.endswith(".my"):
        from test_burmese import enable_burmese

        enable_burmese(full)
    ws = open_workspace(full)
    doc, brand = ws.document(bid), ws.brand_of(bid)
    assert type(doc.strings).__module__ == "briefgen.validate.strings"  # models here
    here = renderer("pdf").render(doc, brand, "screen")
    job = _Renderers(1, None, lambda *a: None)._shipped((doc, brand, "screen"))
    assert type(job[0].strings).__name__ == "PlainStrings"
    src = str(Path(__file__).resolve().parents[1] / "src")
    out = subprocess.run([sys.executable, "-c", _WORKER], input=pickle.dumps(job),
                         capture_output=True, env={"PYTHONPATH": src, "PATH": "/usr/bin"},
                         check=True)
    assert out.stderr.decode() == ""  # none of the three was imported
    assert out.stdout == here


def test_plain_strings_format_as_the_model_does() -> None:
    import datetime as dt

    from briefgen.render.plain import PlainStrings, Record, plain_strings
    from briefgen.validate.dates import PartialDate
    from briefgen.validate.strings import Strings

    model = Strings(digits="myanmar", page="စာမျက်နှာ {number} / {total}")
    copy = plain_strings(model)
    assert isinstance(copy, PlainStrings) and plain_strings(model) is copy  # made once
    assert copy.page_text(3, 12) == model.page_text(3, 12) == "စာမျက်နှာ ၃ / ၁၂"
    assert copy.fixed_texts() == model.fixed_texts()
    day = dt.date(2026, 11, 29)
    assert copy.date_text(day) == model.date_text(day)
    assert copy.partial(PartialDate(2021, 2)) == model.partial(PartialDate(2021, 2))
    assert copy.text_names() == tuple(Strings.model_fields)
    with pytest.raises(AttributeError, match="read-only"):
        copy.page = "changed"
    assert Record({"a": 1}) == Record({"a": 1}) and hash(Record({"a": (1,)}))


def test_fonts_parsed_early_come_from_styles_only_and_a_damaged_manifest_costs_nothing(
        full: Path, monkeypatch) -> None:
    """The worker of ``build ID --force`` parses the fonts the manifest says the briefing
    used last time, found by name under styles/; a manifest that is garbage, or names a
    file outside styles/, parses nothing early, and the build is the same."""
    from briefgen.incremental import workers
    from briefgen.render.pdf import fonts

    build_project(full, ["military-cooperation"], jobs=1)
    one = digests(full)
    warmed: list[list[Path]] = []
    monkeypatch.setattr(fonts, "warm", lambda paths: warmed.append(paths))
    workers._warm_fonts(full, "screen", ["military-cooperation"])
    names = sorted(p.name for p in warmed[0])
    assert "Lato-Regular.ttf" in names and "Lato-Black.ttf" in names
    assert all(p.is_relative_to((full / "styles").resolve()) for p in warmed[0])

    manifest = full / "dist/.briefgen/manifest.json"
    data = json.loads(manifest.read_text())
    outside = full.parent / "outside.ttf"
    outside.write_bytes(b"not a font")
    data["briefings"]["screen:military-cooperation"]["deps"] = {
        "font:outside.ttf": "x", "font:../outside.ttf": "x"}
    manifest.write_text(json.dumps(data))
    warmed.clear()
    workers._warm_fonts(full, "screen", ["military-cooperation"])
    assert warmed == [[]]
    manifest.write_text("[" * 100_000)
    warmed.clear()
    workers._warm_fonts(full, "screen", ["military-cooperation"])
    assert warmed == []
    monkeypatch.undo()
    result = build_project(full, ["military-cooperation"], jobs=2, force=True)
    assert result.built == ["military-cooperation"] and digests(full) == one
