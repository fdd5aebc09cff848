"""The YAML loader keeps positions, refuses duplicates and turns any input (encoding mishaps,
control characters, syntax errors, huge, deep or self-expanding files) into located errors
without a traceback; syntax errors get a hint a non-programmer can act on."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.errors import Severity
from briefgen.load.yamlfile import format_key_path, load_yaml, parse_yaml

TEXT = """\
id: russia
name: Russia
facts:
  - id: training
    sources:
      - tass-2021
      - rt-2022
"""


def test_positions_survive_loading() -> None:
    file, errors = parse_yaml(TEXT, Path("russia.yaml"), "russia.yaml")
    assert errors == []
    assert file.data["facts"][0]["sources"][1] == "rt-2022"
    assert file.values[("facts", 0, "sources", 1)] == (7, 9)
    assert file.keys[("facts", 0, "sources")] == (5, 5)
    loc = file.location(("facts", 0, "sources", 1))
    assert str(loc) == "russia.yaml:7:9"
    # a missing path falls back to its nearest ancestor
    assert str(file.location(("facts", 0, "nope"))) == "russia.yaml:4:5"


def test_key_path_format() -> None:
    assert format_key_path(("facts", 1, "sources", 0)) == "facts[1].sources[0]"
    assert format_key_path(("tass-2021", "url")) == "tass-2021.url"


def test_duplicate_key_is_an_error() -> None:
    _, errors = parse_yaml("a: 1\nb: 2\na: 3\n", Path("x.yaml"), "x.yaml")
    assert [str(e) for e in errors] == ["x.yaml:3:1: a: duplicate key 'a' (first given on line 1)"]


def test_bom_and_crlf_load(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: Russia\r\nid: russia\r\n")
    file, errors = load_yaml(path, tmp_path)
    assert errors == []
    assert file.data == {"name": "Russia", "id": "russia"}
    assert file.values[("id",)] == (2, 5)


def test_utf16_and_latin1_fail_clearly(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes("name: x\n".encode("utf-16"))
    (tmp_path / "b.yaml").write_bytes(b"name: Espa\xf1a\n")
    _, errors_a = load_yaml(tmp_path / "a.yaml", tmp_path)
    _, errors_b = load_yaml(tmp_path / "b.yaml", tmp_path)
    assert [str(e) for e in errors_a] == ["a.yaml:1:1: file is UTF-16 encoded; save it as UTF-8"]
    assert [str(e) for e in errors_b] == [
        "b.yaml:1:11: file is not valid UTF-8 (byte 0xf1); save it as UTF-8"]


def test_multiple_documents_refused() -> None:
    _, errors = parse_yaml("a: 1\n---\nb: 2\n", Path("x.yaml"), "x.yaml")
    assert "one YAML document" in str(errors[0])


# --- no traceback for any input ---------------------------------------------------------

def parse(text: str) -> tuple[object, list[str]]:
    file, errors = parse_yaml(text, Path("x.yaml"), "x.yaml")
    return file, [str(e) for e in errors]


def test_keys_are_the_text_as_written() -> None:
    text = "!!int abc: 1\n2026-13-40: a\n2026-01-01: b\nyes: c\n!!binary x: d\n1.50: e\nnull: f\n"
    file, errors = parse(text)
    assert errors == []
    assert file.data == {"abc": 1, "2026-13-40": "a", "2026-01-01": "b", "yes": "c", "x": "d",
                         "1.50": "e", "null": "f"}
    assert parse("yes: 1\nYes: 2\n")[0].data == {"yes": 1, "Yes": 2}  # no longer both 'True'


def test_a_key_that_is_not_text_is_an_error() -> None:
    assert parse("? [a, b]\n: c\n")[1] == ["x.yaml:1:3: a key must be plain text"]


@pytest.mark.parametrize(("text", "message"), [
    ("a: !!int abc\n", "'abc' is marked '!!int' but is not a whole number; remove '!!int' or "
                       "correct the value"),
    ("a: !!float x\n", "'x' is marked '!!float' but is not a number; remove '!!float' or "
                       "correct the value"),
    ("a: !!bool maybe\n", "'maybe' is marked '!!bool' but is not true or false; remove "
                          "'!!bool' or correct the value"),
    ("a: !!int\n", "'' is marked '!!int' but is not a whole number; remove '!!int' or correct "
                   "the value"),
    ("a: 0b_\n", "'0b_' looks like a whole number but is not; put it in quotes if it is text"),
    ("a: !foo x\n", "'!foo' is read as a YAML tag; if it is part of the text, put the whole "
                    "text in quotes, e.g. a: \"!foo x\""),
    ("a: !!python/object:os.system x\n", "the YAML tag '!!python/object:os.system' is not "
                                         "supported; remove it"),
    ("a: !!binary aGVsbG8=\n", "the YAML tag '!!binary' is not supported; remove it"),
    ("a: !!set {x, y}\n", "the YAML tag '!!set' is not supported; remove it"),
])
def test_values_that_cannot_be_read_are_located_errors(text: str, message: str) -> None:
    assert parse(text)[1] == [f"x.yaml:1:4: a: {message}"]


def test_tags_run_no_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = (f"a: !!python/object/apply:os.system ['touch {marker}']\n"
            f"b: !!python/object/new:os.system ['touch {marker}']\n"
            f"c: !!python/name:os.system\n")
    _, errors = parse(text)
    assert len(errors) == 3
    assert all("is not supported; remove it" in e for e in errors)
    assert not marker.exists()


def test_plain_values_that_yaml_would_misread_stay_text() -> None:
    file, errors = parse("a: =\nb: <<\nc: 2021-13-45\nd: !!timestamp x\n")
    assert errors == []
    assert file.data == {"a": "=", "b": "<<", "c": "2021-13-45", "d": "x"}


def test_surrogate_escapes_are_errors_at_the_escape() -> None:
    assert parse('a: "\\ud800"\n')[1] == [
        "x.yaml:1:5: a: contains an invalid character (a lone UTF-16 surrogate U+D800); "
        "remove the \\u escape"]
    assert parse('a: "ok \\uDFFF"\n"k\\ud800": 1\n')[1] == [
        "x.yaml:1:8: a: contains an invalid character (a lone UTF-16 surrogate U+DFFF); "
        "remove the \\u escape",
        "x.yaml:2:3: contains an invalid character (a lone UTF-16 surrogate U+D800); "
        "remove the \\u escape"]
    assert parse('a: "smile \\ud83d\\ude00"\n')[1] == [
        "x.yaml:1:11: a: contains a UTF-16 surrogate pair (\\ud83d\\ude00); write the "
        "character itself (\U0001f600) or the one escape \\U0001F600"]


def test_control_characters_in_the_file_are_located_and_named() -> None:
    assert parse("a: 1\nb: x\x07y\n")[1] == [
        "x.yaml:2:5: control character U+0007 (BELL) at this position; delete it"]
    assert parse("é: ü\x00\n")[1] == [
        "x.yaml:1:5: control character U+0000 (NULL) at this position; delete it"]
    assert parse("a: x\x85y\nb: \x9b\x7f\u2028\n")[1] == [
        "x.yaml:1:5: control character U+0085 (NEXT LINE) at this position; delete it",
        "x.yaml:2:4: control character U+009B (CONTROL SEQUENCE INTRODUCER) at this position; "
        "delete it",
        "x.yaml:2:5: control character U+007F (DELETE) at this position; delete it",
        "x.yaml:2:6: invisible character U+2028 (LINE SEPARATOR) at this position; delete it"]
    _, errors = parse("a: " + "\x01" * 25 + "\n")
    assert len(errors) == 11
    assert errors[-1] == "x.yaml:1:14: 15 more characters like these from here on; delete them too"


def test_escaped_control_characters_are_errors_tab_and_newline_are_fine() -> None:
    assert parse('a: "a\\x07b"\n')[1] == [
        "x.yaml:1:6: a: contains control character U+0007 (BELL), written as \\x07; delete it"]
    assert parse('a: "x\\ry \\e"\n')[1] == [
        "x.yaml:1:6: a: contains control character U+000D (CARRIAGE RETURN), written as \\r; "
        "delete it",
        "x.yaml:1:10: a: contains control character U+001B (ESCAPE), written as \\e; delete it"]
    file, errors = parse('a: "x\\ty\\nz"\nb: "raw\ttab"\nc: |\n  x\ty\n')
    assert errors == []
    assert file.data == {"a": "x\ty\nz", "b": "raw\ttab", "c": "x\ty\n"}


def test_utf8_error_column_counts_characters(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_bytes("name: Ä€ \xff\n".encode().replace(b"\xc3\xbf", b"\xff"))
    _, errors = load_yaml(tmp_path / "x.yaml", tmp_path)
    assert [str(e) for e in errors] == [
        "x.yaml:1:10: file is not valid UTF-8 (byte 0xff); save it as UTF-8"]


def test_a_file_over_5_mb_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: [" + b"x," * (int(7.3 * 2**20) // 2 - 3) + b"x]\n")
    start = time.perf_counter()
    file, errors = load_yaml(path, tmp_path)
    assert time.perf_counter() - start < 0.5
    assert [str(e) for e in errors] == [
        "big.yaml:1:1: file is 7.3 MB; briefgen reads YAML files up to 5 MB"]
    assert file.failed


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True))


def test_an_alias_bomb_stops_fast_at_the_alias() -> None:
    start = time.perf_counter()
    file, errors = parse(BOMB)
    assert time.perf_counter() - start < 5  # a guard against a hang (43 s), not a benchmark
    assert errors == ["x.yaml:6:8: f[0]: this file expands to more than 100,000 values "
                      "(through YAML aliases '*'); write the values out instead"]
    assert file.failed and file.data is None


def test_many_values_without_aliases_are_fine() -> None:
    file, errors = parse("a: [" + "x, " * 120_000 + "x]\n")
    assert errors == []
    assert len(file.data["a"]) == 120_001


def test_an_alias_inside_its_own_anchor_is_an_error() -> None:
    assert parse("a: &a [b, *a]\n")[1] == [
        "x.yaml:1:11: a[1]: the alias '*a' is inside the '&a' it refers to, so it never ends; "
        "write the values out instead"]


def test_100_levels_are_read_101_are_refused() -> None:
    assert parse("[" * 100 + "]" * 100)[1] == []
    assert parse("[" * 101 + "]" * 101)[1] == [
        "x.yaml:1:101: [0][0][0]...: nested more than 100 levels deep; briefgen reads lists "
        "and mappings up to 100 levels"]
    assert parse("".join(" " * i + "a:\n" for i in range(101)) + " " * 101 + "x\n")[1] == [
        "x.yaml:101:101: a.a.a...: nested more than 100 levels deep; briefgen reads lists and "
        "mappings up to 100 levels"]


DEEP = '''
import sys, time
from pathlib import Path
from briefgen.load.yamlfile import parse_yaml
n = int(sys.argv[1])
forms = {
    "flow list": "[" * n + "]" * n,
    "flow mapping": "{a: " * n + "x" + "}" * n,
    "block list": "- " * n + "x\\n",
    "list of mappings": "".join("  " * i + "- a:\\n" for i in range(min(n, 5000))),
    "indented mapping": "".join(" " * i + "a:\\n" for i in range(min(n, 5000))),
}
for name, text in forms.items():
    start = time.perf_counter()
    file, errors = parse_yaml(text, Path("deep.yaml"), "deep.yaml")
    print(f"{name}|{time.perf_counter() - start:.2f}|{errors[0] if errors else ''}")
'''


@pytest.mark.parametrize("levels", [5_000, 100_000])
def test_deep_nesting_neither_crashes_nor_hangs(levels: int) -> None:
    # in a subprocess, so that a C stack overflow fails this test instead of killing pytest
    done = subprocess.run([sys.executable, "-c", DEEP, str(levels)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 5
    for line in lines:
        _, seconds, error = line.split("|")
        assert "nested more than 100 levels deep" in error, line
        assert float(seconds) < 5, line


def test_deep_nesting_in_a_file(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("".join(" " * i + "a:\n" for i in range(2000)), encoding="utf-8")
    file, errors = load_yaml(path, tmp_path)
    assert [str(e) for e in errors] == [
        "deep.yaml:101:101: a.a.a...: nested more than 100 levels deep; briefgen reads lists "
        "and mappings up to 100 levels"]
    assert file.failed


SEEDS = sorted((Path(__file__).parent / "fixtures").glob("**/*.yaml"))


@settings(max_examples=300, deadline=None)
@given(seed=st.sampled_from(SEEDS), edits=st.lists(
    st.tuples(st.floats(0, 1), st.integers(0, 6), st.sampled_from(
        [":", ": ", "- ", "\n", "\n  ", " ", "\t", "'", '"', "[", "]", "{", "}", "{{", "[^", "#",
         "&a ", "*a", "!", "|", ">", "%", "@", "`", ",", "?", "\\", "\\x07", "\\ud800", "\x07",
         "\x85", "\u2028", "---\n", "...\n", "é"])), max_size=4))
def test_any_edit_gives_data_or_located_one_line_errors(seed: Path, edits: list) -> None:
    text = seed.read_text(encoding="utf-8")
    for where, cut, insert in edits:
        i = int(where * len(text))
        text = text[:i] + insert + text[i + cut:]
    _, errors = parse_yaml(text, Path("x.yaml"), "x.yaml")  # must not raise
    for e in errors:
        assert e.location.line >= 1 and e.location.column >= 1
        assert "\n" not in str(e)
        assert "<block" not in e.message and "<scalar>" not in e.message


# --- plain-language hints for syntax errors ---------------------------------------------

HINTS = [
    ("id: x\nstatement: Note: this is it\n",
     'x.yaml:2:12: statement: this text contains \': \' — put the whole text in quotes, e.g. '
     'statement: "Note: this is it"'),
    ("paragraphs:\n  - Note: this is it, and: more\n",
     'x.yaml:2:5: paragraphs[0]: this text contains \': \' — put the whole text in quotes, e.g. '
     '- "Note: this is it, and: more"'),
    ("statement: This is a long text that\n  continues here. Note: this\n",
     'x.yaml:1:12: statement: this text contains \': \' — put the whole text in quotes, e.g. '
     'statement: "This is a long text that continues ..."'),
    ("a:\n  b: 1\n   c: 2\n",
     "x.yaml:3:4: this line is indented 3 spaces; the entries above use 2"),
    ("a:\n    b: 1\n  c: 2\n",
     "x.yaml:3:3: this line is indented 2 spaces; the entries above use 4 (or 0 at the level "
     "further out)"),
    ("facts:\n  - id: x\n   - id: y\n",
     "x.yaml:3:4: this line is indented 3 spaces; the entries above use 2"),
    ("a: 1\n- b\n",
     "x.yaml:2:1: this line is a list item ('- '), but the entries above are 'key: value' "
     "entries; put the list under its own key, indented below it"),
    ("- a\nb: 1\n",
     "x.yaml:2:1: this line is a 'key: value' entry, but the entries above are list items "
     "('- '); start it with '- ', or indent it under an item"),
    ('a: 1\nb: "hello\nc: 2\n',
     'x.yaml:2:4: b: this quote is never closed; add the closing " at the end of the text'),
    ("b: 'hello\n",
     "x.yaml:1:4: b: this quote is never closed; add the closing ' at the end of the text"),
    ('a: "hello\nb: x\nc: "y"\n',
     'x.yaml:1:4: a: this quote is not closed on its line, so the text runs on to the " on '
     'line 3; add the closing " at the end of the text'),
    ("topics: [a, b\nc: 2\n",
     "x.yaml:1:9: topics: this [ is never closed; add the closing ] after the last item"),
    ("b: {x: 1\n",
     "x.yaml:1:4: b: this { is never closed; add the closing } after the last item"),
    ('a: "hello" world\n',
     "x.yaml:1:4: a: there is text after the closing quote; put all of the text inside the "
     "quotes"),
    ("a: 'it's here'\n",
     "x.yaml:1:7: a: this ' ends the quoted text early; inside 'single quotes' write an "
     "apostrophe as '' (two single quotes), or put the text in \"double quotes\""),
    ("a: *bold* text\n",
     'x.yaml:1:4: a: text that starts with \'*\' must be in quotes, e.g. a: "*bold* text"'),
    ("a: @handle\n",
     'x.yaml:1:4: a: text that starts with \'@\' must be in quotes, e.g. a: "@handle"'),
    ("a: > 50% more\n",
     'x.yaml:1:4: a: text that starts with \'>\' must be in quotes, e.g. a: "> 50% more"'),
    ("lead: [^src] text after\n",
     'x.yaml:1:7: lead: text that starts with \'[\' must be in quotes, e.g. lead: "[^src] text '
     'after"'),
    ("lead: {{ fact('x') }} and more\n",
     "x.yaml:1:7: lead: text that starts with '{' must be in quotes, e.g. lead: \"{{ fact('x') "
     "}} and more\""),
    ("id: x\nname:Russia\nfacts: []\n",
     "x.yaml:2:6: put a space after the ':' in 'name:Russia' (write 'name: ...')"),
    ("Russia\nname: Russia\n",
     "x.yaml:1:1: this line has no ': ' after its key; write it as 'key: value', or indent it "
     "like the text above if it continues that text"),
    ('a: "C:\\path"\n',
     'x.yaml:1:7: a: a backslash (\\) in "double-quoted" text starts an escape such as \\n; '
     "write \\\\ for a backslash, or put the text in 'single quotes' instead"),
    ("a:\n\tb: 1\n", "x.yaml:2:1: tab character in indentation; YAML needs spaces"),
    ("sections: - heading: x\n",
     "x.yaml:1:11: a list cannot start on the same line as its key; put each '- ' item on its "
     "own line below the key, or put the text in quotes if the '-' is part of it"),
    (": x\n", "x.yaml:1:1: this ':' has no key before it; write the key first, e.g. name: ..."),
    ("a: 1\n...\nb: 2\n",
     "x.yaml:2:1: '...' on a line of its own ends the YAML document; delete it, or indent it if "
     "it belongs to the text above"),
    # no hint for this one: the fallback still says where, in plain words, what to look for
    ("facts:\n  - \n  id: x\n",
     "x.yaml:3:3: YAML syntax error: expected the node content, but found a 'key: value' entry "
     "(while parsing a block node); check this line for a missing ': ', an unclosed quote or "
     "bracket, or uneven indentation"),
]


@pytest.mark.parametrize(("text", "expected"), HINTS)
def test_syntax_errors_get_plain_hints(text: str, expected: str) -> None:
    file, errors = parse(text)
    assert errors == [expected]
    assert file.failed


def test_a_footnote_or_template_read_as_a_list_or_mapping_is_an_error() -> None:
    file, errors = parse("lead: [^src]\nshort_title: {{ fact('x') }}\nid: x\n")
    assert errors == [
        'x.yaml:1:7: lead: text that starts with \'[\' must be in quotes, e.g. lead: "[^src]"',
        "x.yaml:2:14: short_title: text that starts with '{' must be in quotes, e.g. "
        "short_title: \"{{ fact('x') }}\""]
    assert file.data == {"lead": "[^src]", "short_title": "{{ fact('x') }}", "id": "x"}


# --- exact positions inside values ------------------------------------------------------

SPANS = """\
plain: see [^a] here
single: 'see [^b] here'
double: "see [^c] \\u00e9 here"
literal: |
  first line
  see [^d] here
folded: >-
  Russia and China are the junta's main
  suppliers of arms.[^e] And each
  offers it something the other does
  not, and each keeps [^e] quiet
  about it.
"""


def test_spans_cover_each_value_source() -> None:
    file, errors = parse(SPANS)
    assert errors == []
    start, end = file.spans[("single",)]
    assert SPANS[start:end] == "'see [^b] here'"
    start, end = file.spans[("plain",)]
    assert SPANS[start:end] == "see [^a] here"


@pytest.mark.parametrize(("path", "needle", "occurrence", "where"), [
    ("plain", "[^a]", 0, "1:12"),
    ("single", "[^b]", 0, "2:14"),
    ("double", "[^c]", 0, "3:14"),
    ("literal", "[^d]", 0, "6:7"),
    ("folded", "[^e]", 0, "9:21"),
    ("folded", "[^e]", 1, "11:23"),
    ("folded", "main suppliers of arms", 0, "8:36"),  # folded across two lines
    ("double", "[^c] é here", 0, "3:14"),  # written as an escape: its first word
    ("folded", "[^nowhere]", 0, "7:9"),  # not there: the value itself
    ("folded", "[^e]", 5, "7:9"),
])
def test_locate_finds_text_inside_a_value(path: str, needle: str, occurrence: int,
                                          where: str) -> None:
    file, _ = parse(SPANS)
    assert str(file.locate((path,), needle, occurrence=occurrence)) == f"x.yaml:{where}"


def test_diag_at_reports_at_the_needle() -> None:
    file, _ = parse(SPANS)
    diag = file.diag_at(("folded",), "[^e]", "unknown source 'e'", severity=Severity.WARNING)
    assert str(diag) == "x.yaml:9:21: folded: unknown source 'e'"
    assert diag.severity is Severity.WARNING
    assert str(file.diag_at(("missing",), "x", "m")) == "x.yaml:1:1: missing: m"
