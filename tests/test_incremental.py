"""An edit costs what it changes: the index lets a run reuse what did not change, and never
lets a stale or tampered index change what a briefing says."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import briefgen
import briefgen.workspace.evaluate as evaluate

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from synthetic import EDITED, edit_fact, make_project


@pytest.fixture
def counted(monkeypatch) -> list[str]:
    """The ids of the briefings resolved afresh (not taken from the index)."""
    seen: list[str] = []
    real = evaluate.resolve_briefing

    def counting(base, record, **kw):
        seen.append(record.id)
        return real(base, record, **kw)

    monkeypatch.setattr(evaluate, "resolve_briefing", counting)
    return seen


def test_one_fact_edited_in_200_briefings_resolves_only_the_five_that_use_it(
        tmp_path: Path, counted: list[str]) -> None:
    make_project(tmp_path, 200)
    ws = briefgen.open_workspace(tmp_path)
    assert ws.errors == []
    ws.save_index()
    assert len(counted) == 200
    users = sorted(bid for bid, s in ws.states.items() if any(
        f.startswith(f"{EDITED}.") for f in s.used_facts))
    assert len(users) == 5

    counted.clear()
    edit_fact(tmp_path, EDITED, 1)
    ws = briefgen.open_workspace(tmp_path)
    ws.evaluate_all()
    assert sorted(counted) == users  # exactly the five: the other 195 came from the index
    assert sum(not s.reused for s in ws.states.values()) == 5

    counted.clear()
    ws = briefgen.open_workspace(tmp_path, full=True)
    ws.evaluate_all()
    assert len(counted) == 200  # --full reads nothing from the index


def test_what_changed_is_worked_out_again_and_nothing_else(built_full: Path,
                                                           counted: list[str]) -> None:
    def rerun() -> list[str]:
        counted.clear()
        ws = briefgen.open_workspace(built_full)
        ws.evaluate_all()
        ws.save_index()
        return sorted(set(counted))

    briefgen.open_workspace(built_full).save_index()
    assert rerun() == []  # nothing changed: nothing resolved
    facts = built_full / "briefings/facts/countries"
    (facts / "belarus.yaml").write_text((facts / "belarus.yaml").read_text().replace(
        "Belarus's", "Belarus’s"))
    assert rerun() == ["military-cooperation"]  # the one briefing that lists Belarus
    nz = (facts / "new-zealand.yaml").read_text()
    (facts / "fiji.yaml").write_text(nz.replace("new-zealand", "fiji")
                                     .replace("New Zealand", "Fiji"))
    # a new country that matches a topic changes the topic-selected lists
    assert rerun() == ["admm-plus-counter-terrorism"]
    spec = built_full / "briefings/russia-military-ties.yaml"
    spec.write_text(spec.read_text() + "\n# a comment\n")
    assert rerun() == ["russia-military-ties"]
    publisher = built_full / "briefings/facts/publisher.yaml"
    publisher.write_text(publisher.read_text() + "\n")
    assert len(rerun()) == 4  # every briefing prints the publisher


def test_a_broken_file_is_never_hidden_by_the_index(built_full: Path, cli) -> None:
    briefgen.open_workspace(built_full).save_index()
    japan = built_full / "briefings/facts/countries/japan.yaml"
    japan.write_text(japan.read_text().replace("as_of: 2021\n", "as_of: 2021-13\n", 1))
    code, out, _ = cli("check", "--root", str(built_full))
    assert code == 1 and "japan.yaml" in out
    assert "a country could be missing from the list" in out


def test_check_and_where_from_the_index_say_what_the_full_run_says(built_full: Path,
                                                                   cli) -> None:
    full_check = cli("check", "--root", str(built_full), "--full")
    assert (built_full / "dist/.briefgen/index.json").is_file()
    assert cli("check", "--root", str(built_full)) == full_check
    full_where = cli("where", "australia", "--root", str(built_full))
    quick_where = cli("where", "australia", "--root", str(built_full))
    assert quick_where == full_where and "defector-asylum" in quick_where[1]
    assert cli("where", "austrlia", "--root", str(built_full))[0] == 2


def test_an_entry_broken_from_another_file_is_not_vouched_for_by_the_index(
        built_full: Path, cli) -> None:
    """russia-military-ties reads russia.yaml; emptying ngo.yaml breaks Russia's entry (one of
    its facts cites a source there) without touching russia.yaml. The index vouched for the
    briefing as before: check said nothing of it, the build kept it "unchanged", and
    `build --force` exited 3 (found by review). A fact file's input now says whether its
    entry has errors."""
    pdfs = {p: p.read_bytes() for p in (built_full / "dist").rglob("*.pdf")}
    full = cli("check", "--root", str(built_full), "--full")
    assert full[0] == 0
    (built_full / "briefings/facts/sources/ngo.yaml").write_text("", encoding="utf-8")
    code, out, _ = cli("check", "--root", str(built_full))
    assert code == 1
    assert "briefings/russia-military-ties.yaml:7:7: lead: fact " \
           "'russia.min-aung-hlaing-visits': the file of 'russia' has errors" in out
    assert (code, out) == cli("check", "--root", str(built_full), "--full")[:2]
    code, out, err = cli("build", "--root", str(built_full), "--force")
    assert code == 1 and "internal error" not in err
    assert "russia-military-ties: not built; its previous PDF is kept" in err
    assert {p: p.read_bytes() for p in (built_full / "dist").rglob("*.pdf")} == pdfs


def test_an_entry_broken_by_a_duplicate_id_elsewhere_is_not_vouched_for(built_full: Path,
                                                                       cli) -> None:
    """A body file that also says `id: japan` breaks Japan's entry in countries/japan.yaml,
    but only the second file was marked: the index still vouched for military-cooperation
    (found by reviewing the fix above)."""
    assert cli("check", "--root", str(built_full))[0] == 0
    (built_full / "briefings/facts/bodies/japan.yaml").write_text(
        "id: japan\nname: Japan\nkind: regional-body\nfacts:\n  - id: x\n"
        "    statement: A fact.\n    as_of: 2023\n    sources: [sbs-australia-urged-to-act]\n",
        encoding="utf-8")
    quick = cli("check", "--root", str(built_full))
    assert quick[:2] == cli("check", "--root", str(built_full), "--full")[:2]
    assert "military-cooperation.yaml:" in quick[1]
    code, _, err = cli("build", "--root", str(built_full))
    assert code == 1 and "military-cooperation: not built" in err


def test_a_damaged_or_foreign_index_is_ignored(built_full: Path, counted: list[str]) -> None:
    index = built_full / "dist/.briefgen/index.json"
    briefgen.open_workspace(built_full).save_index()
    for damage in (b"{not json", json.dumps({"format": 1, "code": "other code"}).encode()):
        index.write_bytes(damage)
        counted.clear()
        ws = briefgen.open_workspace(built_full)
        ws.evaluate_all()
        assert len(counted) == 4 and ws.errors == []


def test_a_tampered_index_cannot_change_what_a_pdf_says(built_full: Path, cli) -> None:
    from pypdf import PdfReader

    briefgen.open_workspace(built_full).save_index()
    index = built_full / "dist/.briefgen/index.json"
    data = json.loads(index.read_text())
    data["briefings"]["military-cooperation"]["title"] = "INJECTED TITLE"
    data["briefings"]["military-cooperation"]["deps"] = {"x": "y"}  # forces a rebuild
    index.write_text(json.dumps(data))
    code, _, err = cli("build", "--root", str(built_full))
    assert code == 0, err
    text = "".join(p.extract_text() for p in PdfReader(
        built_full / "dist/military-cooperation.pdf").pages)
    assert "INJECTED" not in text and "13 countries involved" in text


def test_states_keep_their_own_strings_when_two_indexes_are_read(built_full: Path,
                                                                 mini: Path) -> None:
    from briefgen.incremental.index import ProjectIndex

    for root in (built_full, mini):
        ws = briefgen.open_workspace(root)
        ws.evaluate_all()
        ws.save_index()
    first = ProjectIndex.load(built_full / "dist/.briefgen/index.json")
    ProjectIndex.load(mini / "dist/.briefgen/index.json")  # read in between: no effect
    expected = briefgen.open_workspace(built_full, full=True)
    expected.evaluate_all()
    for bid, state in expected.states.items():
        assert first.briefings[bid].inputs == state.inputs
    first.save()  # raw states written back keep their meaning
    again = ProjectIndex.load(built_full / "dist/.briefgen/index.json")
    assert {b: again.briefings[b].inputs for b in expected.ids} == \
        {b: s.inputs for b, s in expected.states.items()}


def test_a_template_broken_after_a_clean_check_is_reported(built_full: Path) -> None:
    """The index remembers that the web templates compiled; a changed template is compiled
    again (and its error reported), whatever the index says."""
    ws = briefgen.open_workspace(built_full)
    assert ws.web_errors == []
    ws.report  # noqa: B018
    ws.save_index()
    ws = briefgen.open_workspace(built_full)
    assert ws.index is not None and ws.index.web_ok
    page = built_full / "styles/web/page.html.j2"
    page.write_text(page.read_text() + "\n{% if %}\n")
    ws = briefgen.open_workspace(built_full)
    assert [str(d).split(": ", 1)[0] for d in ws.web_errors] == \
        [f"styles/web/page.html.j2:{page.read_text().count(chr(10))}:1"]


def test_a_forged_stamp_beside_the_index_does_not_make_check_trust_it(tmp_path: Path) -> None:
    from briefgen.incremental.index import files_digest, files_stamp_path
    from briefgen.load.project import Layout
    from briefgen.workspace.quick import unchanged_index

    make_project(tmp_path, 12)
    ws = briefgen.open_workspace(tmp_path)
    ws.report  # noqa: B018
    ws.save_index()
    layout = Layout(tmp_path)
    assert unchanged_index(tmp_path) is not None  # nothing changed: the quick answer
    edit_fact(tmp_path, EDITED, 7)
    assert unchanged_index(tmp_path) is None
    # the stamp is forged to match the edited files: the index's own list still differs
    from briefgen.incremental.index import hash_files

    files = hash_files(layout.root, *layout.inputs())
    files_stamp_path(layout.index).write_text(files_digest(files))
    assert unchanged_index(tmp_path) is None


def test_a_damaged_state_in_the_index_is_worked_out_again(built_full: Path, cli) -> None:
    """A state whose lists cannot be read is as if the index did not know it: `where`
    answers from the files, and the briefing is evaluated afresh."""
    code, good, _ = cli("where", "japan", "--root", str(built_full))
    assert code == 0 and "military-cooperation" in good
    path = built_full / "dist/.briefgen/index.json"
    data = json.loads(path.read_text())
    state = data["briefings"]["military-cooperation"]
    state["lists"] = {lid: [[1, "x"]] for lid in state["lists"]}
    path.write_text(json.dumps(data))
    code, out, _ = cli("where", "japan", "--root", str(built_full))
    assert (code, out) == (0, good)
    ws = briefgen.open_workspace(built_full)  # that run wrote the state again, whole
    state = ws.state("military-cooperation")
    assert state.ok and all(len(e.reasons) >= 1 for v in state.lists.values() for e in v)


def test_a_file_saved_while_a_build_reads_it_is_never_taken_as_built(built_full: Path) -> None:
    """The files are hashed before they are read. A spec saved in between (B), built, then
    saved back as it was (A): the index must say the PDF was made from B, so the next build
    makes it again from A instead of keeping B's PDF as up to date."""
    from pypdf import PdfReader

    from briefgen.incremental.builder import build_profiles
    from briefgen.workspace.quick import input_hashes

    bid = "russia-military-ties"
    spec = built_full / f"briefings/{bid}.yaml"
    pdf = built_full / f"dist/{bid}.pdf"
    a = spec.read_text() + "\n# edited: the index's state of it no longer holds\n"
    spec.write_text(a)
    title = next(line for line in a.splitlines() if line.startswith("title:"))
    hashed = input_hashes(built_full)  # the run hashes the files: the spec is A
    spec.write_text(a.replace(title, "title: Saved while the build ran"))  # then B is saved
    ws = briefgen.open_workspace(built_full, files=hashed)
    assert build_profiles(built_full, [bid], workspace=ws)["screen"].built == [bid]
    assert "Saved while the build ran" in PdfReader(pdf).pages[0].extract_text()
    spec.write_text(a)  # saved back as it was
    result = build_profiles(built_full)["screen"]
    assert result.built == [bid]
    assert "Saved while the build ran" not in PdfReader(pdf).pages[0].extract_text()
    assert "Saved while the build ran" not in (built_full / "dist/.briefgen/index.json") \
        .read_text(encoding="utf-8")


def test_a_brand_goes_to_the_workers_pickled_once_and_each_worker_unpickles_it_once():
    import pickle

    from briefgen.incremental.workers import Shipped

    brand = {"name": "x", "colours": [1, 2]}  # any object the workspace holds
    shipped = Shipped(brand)
    assert shipped.get() is brand  # in the process that made it: the object itself
    first, second = (pickle.loads(pickle.dumps(shipped)) for _ in range(2))  # two jobs
    assert first.get() == brand and first.get() is second.get()
    changed = pickle.loads(pickle.dumps(Shipped({"name": "x", "colours": [1, 3]})))
    assert changed.get() == {"name": "x", "colours": [1, 3]}  # an edit is never stale
