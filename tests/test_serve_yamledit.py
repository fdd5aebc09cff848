"""The web editor's YAML edits: only what a form changes changes, byte for byte; every edit
gives exactly the meant data, or is refused."""

from __future__ import annotations

import datetime as dt
import difflib
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.load.yamlfile import parse_yaml
from briefgen.serve.yamledit import (
    REMOVE,
    EditError,
    add_entry,
    append_item,
    scalar,
    set_item,
    update_mapping,
)

FULL = Path(__file__).resolve().parent / "fixtures" / "full" / "briefings"
JAPAN = (FULL / "facts/countries/japan.yaml").read_text()
SPEC = (FULL / "military-cooperation.yaml").read_text()
NEWS = (FULL / "facts/sources/news.yaml").read_text()
ORDER = ["id", "statement", "topics", "as_of", "status", "sources", "verified"]


def changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), n=0, lineterm=""):
        if line.startswith("-") and not line.startswith("---"):
            removed.append(line[1:])
        elif line.startswith("+") and not line.startswith("+++"):
            added.append(line[1:])
    return removed, added


def data(text: str):
    file, errors = parse_yaml(text, Path("x.yaml"), "x.yaml")
    assert not file.failed, errors
    return file.data


def test_a_new_statement_changes_that_line_only() -> None:
    commented = JAPAN.replace("facts:\n", "facts:  # Japan's facts\n# a comment line\n")
    new = update_mapping(commented, ("facts", 0), {"statement": "Japan: a new text."},
                         order=ORDER)
    removed, added = changed_lines(commented, new)
    assert len(removed) == 1 and removed[0].startswith("    statement: According to")
    assert added == ["    statement: 'Japan: a new text.'"]
    assert "# Japan's facts\n# a comment line\n" in new


def test_unchanged_values_and_defaults_are_left_alone() -> None:
    values = {"statement": data(JAPAN)["facts"][0]["statement"], "as_of": 2021,
              "topics": ["military-cooperation"], "status": "current", "verified": REMOVE}
    assert update_mapping(JAPAN, ("facts", 0), values, order=ORDER) == JAPAN
    text = "id: x\nfacts:\n  - id: a\n    statement: s\n    as_of: 2021\n    sources: [b]\n"
    assert update_mapping(text, ("facts", 0), {"status": "current", "topics": []},
                          defaults={"status": "current", "topics": []}) == text


def test_keys_are_added_in_the_models_order_and_removed_with_their_line() -> None:
    added = update_mapping(JAPAN, ("facts", 0), {"verified": dt.date(2026, 1, 2)}, order=ORDER)
    assert changed_lines(JAPAN, added) == ([], ["    verified: 2026-01-02"])
    assert data(added)["facts"][0]["verified"] == dt.date(2026, 1, 2)
    assert update_mapping(added, ("facts", 0), {"verified": REMOVE}, order=ORDER) == JAPAN


def test_dates_and_years_are_written_as_yaml_reads_them() -> None:
    for value, shown in [(2024, "2024"), ("2024-05", "2024-05"), (dt.date(2024, 5, 1),
                                                                  "2024-05-01"),
                         ("2023-02-30", "'2023-02-30'"), ("next week", "next week")]:
        new = update_mapping(JAPAN, ("facts", 0), {"as_of": value}, order=ORDER)
        assert changed_lines(JAPAN, new)[1] == [f"    as_of: {shown}"]
        assert data(new)["facts"][0]["as_of"] == value


def test_a_new_fact_follows_the_layout_of_the_others() -> None:
    item = {"id": "new-fact", "statement": "A new fact.", "topics": ["t"], "as_of": 2025,
            "sources": ["s"]}
    new = append_item(JAPAN, ("facts",), item)
    assert new.startswith(JAPAN)
    assert new[len(JAPAN):] == ("\n  - id: new-fact\n    statement: A new fact.\n"
                                "    topics: [t]\n    as_of: 2025\n    sources: [s]\n")
    assert data(new)["facts"][-1] == item


def test_a_new_source_goes_at_the_end_of_its_file() -> None:
    entry = {"title": "Report: the army", "publisher": "P", "url": "https://example.org/a",
             "kind": "news"}
    new = add_entry(NEWS, "new-source", entry)
    assert new.startswith(NEWS)
    assert data(new)["new-source"] == entry
    with pytest.raises(EditError, match="already"):
        add_entry(new, "new-source", entry)


def test_folded_text_stays_folded_and_flow_lists_stay_on_their_lines() -> None:
    lead = ("Short lead with {{ lists.countries | length }} countries and enough words to "
            "need a second line when it is folded at the usual width of the file.")
    new = update_mapping(SPEC, (), {"lead": lead})
    removed, added = changed_lines(SPEC, new)
    assert added[0] == "lead: >-" or removed[0].startswith("  {{")
    assert all(line.startswith("  ") for line in added if line != "lead: >-")
    assert data(new)["lead"] == lead
    assert "      countries: [australia, japan, india, thailand, russia, china, vietnam, " \
           "cambodia,\n                  ukraine," in new  # untouched, on its two lines
    para = set_item(SPEC, ("sections", 0, "paragraphs", 4), "On 1 February 2021: a coup.")
    assert data(para)["sections"][0]["paragraphs"][4] == "On 1 February 2021: a coup."
    assert len(changed_lines(SPEC, para)[0]) == 3


def test_block_lists_keep_their_style() -> None:
    text = "id: x\nfacts:\n- id: a\n  topics:\n  - t1\n  - t2\n  statement: hi # note\n"
    new = update_mapping(text, ("facts", 0), {"topics": ["t3"], "statement": "yo"})
    assert new == "id: x\nfacts:\n- id: a\n  topics:\n  - t3\n  statement: yo # note\n"


def test_unusual_layouts_are_written_out_whole_or_refused() -> None:
    flow = "id: x\nfacts:\n  - {id: a, statement: s}\n"
    new = update_mapping(flow, ("facts", 0), {"statement": "new"})
    assert data(new)["facts"][0] == {"id": "a", "statement": "new"}
    with pytest.raises(EditError, match="brackets"):
        append_item("id: x\nfacts: [{id: a}]\n", ("facts",), {"id": "b"})
    with pytest.raises(EditError, match="cannot be read"):
        update_mapping("a: [\n", (), {"a": 1})


def test_missing_or_empty_lists_become_block_lists() -> None:
    for text in ("id: x\nname: X\n", "id: x\nname: X\nfacts: []\n"):
        new = append_item(text, ("facts",), {"id": "a", "statement": "S", "sources": ["b"]})
        assert new.endswith("facts:\n  - id: a\n    statement: S\n    sources: [b]\n")


TEXT = st.text(alphabet=string.ascii_letters + string.digits + " .,:;'\"#[]{}!?&*%@`|>-–’é",
               min_size=1, max_size=200).map(str.strip).filter(bool)


@settings(max_examples=150, deadline=None)
@given(TEXT)
def test_any_statement_is_written_back_exactly(statement: str) -> None:
    new = update_mapping(JAPAN, ("facts", 1), {"statement": statement}, order=ORDER)
    assert data(new)["facts"][1]["statement"] == statement
    removed, added = changed_lines(JAPAN, new)
    assert len(removed) == 1 and len(added) == 1 and removed[0].startswith("    statement:")


@settings(max_examples=100, deadline=None)
@given(TEXT)
def test_any_lead_is_written_back_exactly(lead: str) -> None:
    new = update_mapping(SPEC, (), {"lead": lead})
    assert data(new)["lead"] == lead
    assert data(new)["sections"] == data(SPEC)["sections"]


def test_scalar_is_one_line() -> None:
    assert scalar("a\nb") == '"a\\nb"'
    assert scalar("yes") == "'yes'"
    assert scalar("plain text") == "plain text"


def test_an_empty_entry_or_file_is_filled_and_other_shapes_are_refused_with_their_line(
        ) -> None:
    """A form on an entry that is not a mapping gave a TypeError (a 500 in the editor)."""
    sources = "a:\n  publisher: A\n\nbroken-src:\n\nc:\n  publisher: C\n"
    new = update_mapping(sources, ("broken-src",), {"publisher": "X", "kind": "news",
                                                    "url": REMOVE}, defaults={"kind": "news"})
    assert new == "a:\n  publisher: A\n\nbroken-src:\n  publisher: X\n\nc:\n  publisher: C\n"
    assert update_mapping("a: 1\nb: ~\n", ("b",), {"x": 1}) == "a: 1\nb:\n  x: 1\n"
    item = {"id": "f1", "statement": "S."}
    assert append_item("", ("facts",), item) == "facts:\n  - id: f1\n    statement: S.\n"
    assert append_item("# none yet\n", ("facts",), item) == \
        "# none yet\nfacts:\n  - id: f1\n    statement: S.\n"
    refusals = [
        (lambda: append_item("- a\n- b\n", ("facts",), item, display="lemuria.yaml"),
         "lemuria.yaml:1: its top level is a list, where the form expects keys with values "
         "(lines like 'key: value'); fix it in a text editor"),
        (lambda: append_item("id: x\nfacts: 3\n", ("facts",), item, display="x.yaml"),
         "x.yaml:2: 'facts' is a single value (3), where the form expects a list; fix it in "
         "a text editor"),
        (lambda: update_mapping("a: 1\nb: [1]\n", ("b",), {"x": 1}, display="s.yaml"),
         "s.yaml:2: 'b' is a list, where the form expects keys with values (lines like "
         "'key: value'); fix it in a text editor"),
        (lambda: update_mapping("a: text\n", ("a",), {"x": 1}, display="s.yaml"),
         "s.yaml:1: 'a' is a text, where the form expects keys with values (lines like "
         "'key: value'); fix it in a text editor"),
        (lambda: update_mapping("id: x\n", ("facts", 0), {"x": 1}, display="s.yaml"),
         "s.yaml no longer has 'facts[0]'; it was changed in another editor. Open the form "
         "again"),
    ]
    for edit, message in refusals:
        with pytest.raises(EditError) as refused:
            edit()
        assert str(refused.value) == message
