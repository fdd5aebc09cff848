"""The promise of ``briefgen check``: if it finds no error, ``build`` cannot fail on content.

A property test: take the small fixture project, change one thing anywhere in it (a value
replaced by something odd, a key removed or added, in a spec, the fact base, the sources,
the publisher or the brand sheet), then open the workspace and build. Whatever happens:
nothing but a located error; every briefing the workspace calls buildable is built; and
when the workspace has no error at all, the build reports none either.
"""

from __future__ import annotations

import datetime as dt
import shutil

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import briefgen
from conftest import FIXTURES, make_project

FILES = ["briefings/demo.yaml", "briefings/facts/countries/russia.yaml",
         "briefings/facts/countries/australia.yaml", "briefings/facts/sources/news.yaml",
         "briefings/facts/publisher.yaml", "styles/default.yaml"]

ODD_TEXT = st.sampled_from([
    "", " ", "☃", "→", "ß", "Ελλάδα", "မြန်မာ", "中文", "😀", "\u00ad", "\u200b", "\x07", "\t",
    "&amp; <b>x</b>", "{{ 1 }}", "{{ nope }}", "{% for i in range(3) %}x{% endfor %}",
    "[^tass-2021]", "[^nowhere]", "**bold** *it* `code`", "[a](javascript:alert(1))",
    "https://example.org/" + "a-" * 60, "javascript:alert(1)", "none", "x" * 5000,
    "word " * 800, "2021-13-45", "2025-02", "australia", "russia.jets", "default",
    "{short_title}", "{title!r}", "#12345", "#GGGGGG", "../../x.ttf", "fonts/Missing.ttf",
])
VALUE = st.one_of(
    ODD_TEXT,
    st.text(max_size=30),
    st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(dt.date(1000, 1, 1), dt.date(2100, 1, 1)),
    st.lists(ODD_TEXT, max_size=3),
    st.dictionaries(st.sampled_from(["x", "id", "url"]), ODD_TEXT, max_size=2),
)


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, (*prefix, i))


def _mutate(data, path, kind: str, value):
    if not path:
        return value if kind == "replace" else data
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if kind == "replace":
        parent[last] = value
    elif kind == "delete":
        del parent[last]
    elif kind == "add" and isinstance(parent[last], dict):
        parent[last]["unexpected_key"] = value
    return data


@settings(max_examples=45, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(file=st.sampled_from(FILES), pick=st.integers(0, 10**6),
       kind=st.sampled_from(["replace", "replace", "delete", "add"]), value=VALUE)
def test_a_clean_check_means_a_clean_build(tmp_path_factory, file: str, pick: int, kind: str,
                                           value) -> None:
    root = make_project(tmp_path_factory.mktemp("p"), FIXTURES / "mini" / "briefings")
    path = root / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    paths = list(_paths(data))
    data = _mutate(data, paths[pick % len(paths)], kind, value)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        ws = briefgen.open_workspace(root)  # never raises for content
        for d in ws.errors:
            assert d.location.path and d.location.path.endswith((".yaml", ".ttf", ".j2")), d
        try:
            result = briefgen.build_project(root, workspace=ws, jobs=1)
        except briefgen.BriefgenError as exc:  # allowed, but only as a located content error
            assert ws.errors, f"build raised {exc!r} after a clean check"
            return
        failed = {f.id: [str(e) for e in f.errors] for f in result.failed}
        for bid in ws.ids:
            if ws.ok(bid):
                assert bid not in failed, (bid, failed[bid])
                assert (root / f"dist/{bid}.pdf").is_file()
        if not ws.errors:
            assert result.ok, failed
    finally:
        shutil.rmtree(root)
