"""Arbitrary text in a fact statement either validates or gives a located error."""

from __future__ import annotations

import shutil

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen import open_workspace
from conftest import FIXTURES, make_project

SPICE = st.sampled_from(["&", "<", ">", "{{", "}}", "{%", "]]>", "<script>", "[^", "\x00",
                         "\x07", "\u202e", "*", "_", "`", "\\", "'", '"', "\n", ": ", "#"])
TEXT = st.lists(st.one_of(st.text(max_size=8), SPICE), max_size=12).map("".join)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(statement=TEXT)
def test_any_statement_validates_or_is_located(tmp_path_factory, statement: str) -> None:
    root = make_project(tmp_path_factory.mktemp("p"), FIXTURES / "mini" / "briefings")
    path = root / "briefings/facts/countries/russia.yaml"
    data = yaml.safe_load(path.read_text())
    data["facts"][0]["statement"] = statement
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    project = open_workspace(root)  # must not raise
    report = project.report
    for d in report.errors:
        assert d.location.path.endswith(".yaml")
        assert d.location.line >= 1
    shutil.rmtree(root)
