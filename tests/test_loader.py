"""The YAML loader keeps positions, refuses duplicates and reads any encoding mishap
without a traceback."""

from __future__ import annotations

from pathlib import Path

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
