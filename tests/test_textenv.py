"""Spec text is untrusted: whatever it says, render_text must end quickly in the text or a
TextError with a plain message, never a hang, a MemoryError, a traceback or a crash.

Each hostile text runs in a child process with a time and memory limit, so a regression
fails its test instead of hanging the suite or eating the machine."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.resolve.textenv import BriefingSandbox, TextError, has_template, render_text

SLOW = "template error: this text takes too "  # "…too long" or "…too many steps", by speed
LONG = "template error: this text would produce more than 100,000 characters"
NUMBER = "template error: this text works out a number that is too big"
LIST = "template error: this text builds a list that is too big"
MADE = "template error: this text builds too much along the way"
DEEP = "template error: too deeply nested"

HOSTILE = {
    # loops
    "nested ranges": ("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}"
                      "{% endfor %}", SLOW),
    "nested string loops": ("{% for a in 'x'*100000 %}{% for b in 'x'*100000 %}{% endfor %}"
                            "{% endfor %}", SLOW),
    "nested list loops": ("{% for a in [1]*100000 %}{% for b in [1]*100000 %}{% endfor %}"
                          "{% endfor %}", SLOW),
    "doubling recursion": ("{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}"
                           "{% endmacro %}{{ f(60) }}", SLOW),
    "self recursion": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", DEEP),
    "recursive block": ("{% block a %}{{ self.a() }}{% endblock %}", DEEP),
    "nested loops beyond Python's limit": ("{% for a in [1] %}" * 30 + "{% endfor %}" * 30,
                                           DEEP),
    # output
    "output growing in a loop": ("{% for i in range(100000) %}{{ 'x' * 100000 }}{% endfor %}",
                                 LONG),
    "output growing in a macro": ("{% macro f() %}{% for i in range(100000) %}{{ 'x' * 100000 }}"
                                  "{% endfor %}{% endmacro %}{{ f()|length }}", MADE),
    "output growing in a set block": ("{% set s %}{% for i in range(100000) %}" + "y" * 1000 +
                                      "{% endfor %}{% endset %}{{ s|length }}", LONG),
    "doubling with ~": ("{% set s = 'x' * 100000 %}" + "{% set s = s ~ s %}" * 40, LONG),
    # numbers
    "huge power": ("{{ ((10**100)**100)**100 }}", NUMBER),
    "huge product": ("{% set n = 10**1000 %}{{ n * n * n * n * n }}", NUMBER),
    "huge number from a string": ("{{ ('9' * 4000)|int }}", NUMBER),
    # string methods
    "ljust": ("{{ 'a'.ljust(10**10) }}", LONG),
    "rjust": ("{{ 'a'.rjust(10**10) }}", LONG),
    "center": ("{{ 'a'.center(10**10) }}", LONG),
    "zfill": ("{{ 'a'.zfill(10**10) }}", LONG),
    "expandtabs": ("{{ ('\t' * 1000).expandtabs(10**7) }}", LONG),
    "format width": ("{{ '{:0999999999}'.format(1) }}", LONG),
    "format nested width": ("{{ '{:{}}'.format(1, 10**9) }}", LONG),
    "format repeated field": ("{{ ('{0}' * 30000).format('x' * 100000) }}", LONG),
    "format_map": ("{{ '{a:0999999999}'.format_map({'a': 1}) }}", LONG),
    "replace": ("{{ ('a' * 100000).replace('a', 'a' * 100000) }}", LONG),
    "join method": ("{{ ('y' * 100000).join('x' * 100000) }}", LONG),
    "translate": ("{{ ('x' * 100000).translate({120: 'y' * 100000}) }}", LONG),
    "to_bytes": ("{{ (10).to_bytes(10**9, 'big') }}", LONG),
    "percent width": ("{{ '%0999999999d' % 1 }}", LONG),
    "percent star": ("{{ '%*d' % (10**9, 1) }}", LONG),
    "percent by name": ("{{ '%(a)s' * 16000 % {'a': 'x' * 100000} }}", LONG),
    # filters
    "center filter": ("{{ 'a'|center(999999999) }}", "template syntax error: No filter named "
                                                      "'center' (line 1 of the text); the filters"),
    "indent filter": ("{{ 'a'|indent(999999999) }}", "template syntax error: No filter named "
                                                     "'indent'"),
    "wordwrap filter": ("{{ 'a b'|wordwrap(1) }}", "template syntax error: No filter named "
                                                   "'wordwrap'"),
    "format filter": ("{{ '%0999999999d'|format(1) }}", "template syntax error: No filter "
                                                        "named 'format'"),
    "batch filter": ("{{ [1]|batch(999999999, 'x')|list }}", "template syntax error: No filter "
                                                             "named 'batch'"),
    "removed filter inside map": ("{{ ['a']|map('center', 10**9)|list }}",
                                  "template error: No filter named 'center'"),
    "replace filter": ("{{ ('a' * 100000)|replace('a', 'a' * 100000) }}", LONG),
    "join filter": ("{{ ('x' * 100000)|join('y' * 100000) }}", LONG),
    "join filter on nested lists": ("{% set a = range(99999)|list %}"
                                    "{{ [a, a, a, a, a, a, a, a, a]|join }}", LIST),
    "select with a slow test": ("{{ ('ab ' * 33333).split()|select('in', 'a' * 99999)|list }}",
                                SLOW),
    "map amplifying": ("{{ ('x' * 100000)|map('replace', 'x', 'y' * 1000)|list|length }}", MADE),
    "round": ("{{ 5|round(-10**9) }}", "template error: round() can keep at most 100"),
    "sum of lists": ("{{ ([[1]] * 1000)|sum(start=[]) }}",
                     "not allowed in briefing text: the sum filter adds up numbers only"),
    # lists
    "list repeated": ("{{ ([1] * 100000) * 100000 }}", "not allowed in briefing text: this would make a text or list too big"),
    "tuple repeated": ("{{ (1,) * 10**9 }}", "not allowed in briefing text: this would make a text or list too big"),
    "shared nesting": ("{% set a = range(100000)|list %}"
                       "{% set b = [a, a, a, a, a, a, a, a, a, a] %}{{ b == b|list }}", LIST),
    "dict.fromkeys": ("{{ {}.fromkeys(range(100000), 'x' * 100000)|length }}", LIST),
    "many arguments": ("{% macro f() %}{{ varargs|length }}{% endmacro %}{% set a = range(99999)"
                       "|list %}{{ f(" + ", ".join(["a"] * 20) + ") }}", LIST),
    "list doubling in place": ("{% set a = [1] %}{% for i in range(40) %}{% set _ = a.extend(a) %}"
                               "{% endfor %}", "not allowed in briefing text: lists, dicts and "
                                               "sets cannot be changed (extend)"),
    # existing protections
    "string repeated": ("{{ 'x' * 10**9 }}", "not allowed in briefing text: this would make a text or list too big"),
    "private attribute": ("{{ ''.__class__.__mro__ }}", "not allowed in briefing text: access "
                                                        "to attribute '__class__' of 'str'"),
    "cycler escape": ("{{ cycler.__init__.__globals__.os.system('true') }}",
                      "not allowed in briefing text: access to attribute '__init__' of "
                      "'StrictUndefined' object is unsafe"),
    "long source": ("{{ 1 }}" + "x" * 20000, "template error: text with {{ }} or {% %} in it "
                                             "may be at most 10,000 characters long"),
}

CHILD = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
from briefgen.resolve.textenv import TextError, render_text
start = time.monotonic()
try:
    result = {"kind": "text", "message": render_text(sys.argv[1], {})[:200]}
except TextError as exc:
    result = {"kind": "TextError", "message": str(exc)}
except BaseException as exc:
    result = {"kind": type(exc).__name__, "message": str(exc)[:200]}
result["elapsed"] = time.monotonic() - start
print(json.dumps(result))
"""


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_text_ends_quickly_in_a_plain_error(name: str) -> None:
    text, expected = HOSTILE[name]
    try:
        child = subprocess.run([sys.executable, "-c", CHILD, text], capture_output=True,
                               text=True, timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: still rendering after 20 s")
    assert child.returncode == 0, child.stderr[-2000:]
    result = json.loads(child.stdout)
    assert result["kind"] == "TextError", result
    assert result["message"].startswith(expected), result["message"]
    assert result["elapsed"] < 2, result


CTX = {"lists": {"countries": [{"name": "Chad"}, {"name": "Fiji"}, {"name": "Peru"}]},
       "publisher": {"name": "Example Org"}, "fact": lambda key: f"a fact about {key}"}


@pytest.mark.parametrize(("text", "expected"), [
    ("{{ lists.countries | length }} countries", "3 countries"),
    ("Published by {{ publisher.name }}", "Published by Example Org"),
    ("{{ fact('x') }}.", "a fact about x."),
    ("{% for c in lists.countries if c.name != 'Fiji' %}{{ loop.index }}. {{ c.name }}"
     "{% if not loop.last %}; {% endif %}{% endfor %}", "1. Chad; 2. Peru"),
    ("{{ lists.countries|map(attribute='name')|join(', ') }}", "Chad, Fiji, Peru"),
    ("{{ 'a' ~ 1 }} {{ [1, 2]|join(',') }} {{ (1,)|first }} {{ {'k': 2}['k'] }}",
     "a1 1,2 1 2"),
    ("{{ '{:,}'.format(1234567) }} {{ '%.1f' % 2.25 }} {{ 2 ** 10 }} {{ 'ab' * 2 }}",
     "1,234,567 2.2 1024 abab"),
    ("{{ 'Hello'|replace('l', 'L')|upper }} {{ [3, 1, 2]|sort|first }} {{ [1, 2]|sum }}",
     "HELLO 1 3"),
    ("{{ 'abc'|truncate(10**10) }} {{ 3.14159|round(2) }} {{ 'x'.ljust(3) }}|", "abc 3.14 x  |"),
    ("{% macro m(x) %}<{{ x }}>{% endmacro %}{% set s %}{{ m(1) }}{% endset %}{{ s }}", "<1>"),
    ("{% for i in [[1, [2]], [3]] recursive %}{% if i is iterable %}({{ loop(i) }})"
     "{% else %}{{ i }}{% endif %}{% endfor %}", "(1(2))(3)"),
    ("no template here {", "no template here {"),
])
def test_ordinary_text_renders(text: str, expected: str) -> None:
    assert render_text(text, CTX) == expected


@pytest.mark.parametrize(("text", "kind"), [
    ("{{ lists.countries }}", "list"), ("{{ [1, 2] }}", "list"), ("{{ (1,) }}", "list"),
    ("{{ self }}", "record"), ("{{ publisher }}", "record"), ("{{ none }}", "record"),
    ("{{ lists }}", "record"),
])
def test_a_whole_list_or_record_is_not_printed(text: str, kind: str) -> None:
    """'{{ self }}' printed '<TemplateReference None>' into the PDF, and a list Python's
    brackets and quotes: spec text prints names, numbers and words, never a repr."""
    expected = ("template error: this would print a whole list, in Python's notation; "
                "print its parts, such as {{ x | join(', ') }} or {{ x | length }}"
                if kind == "list" else
                "template error: this would print a whole record (or nothing), in Python's "
                "notation; print one of its fields, such as {{ country.name }}")
    with pytest.raises(TextError) as exc:
        render_text(text, {**CTX, "none": None})
    assert str(exc.value) == expected


def test_plain_text_is_returned_as_it_is() -> None:
    text = "x" * 200_000
    assert not has_template(text)
    assert render_text(text, {}) is text


def test_errors_from_the_context_pass_through() -> None:
    def fact(key: str) -> str:
        raise TextError(f"unknown fact '{key}'")

    with pytest.raises(TextError, match=r"^unknown fact 'nope'$"):
        render_text("{{ fact('nope') }}", {"fact": fact})


def test_undefined_names_are_reported() -> None:
    with pytest.raises(TextError, match=r"^undefined name in template: 'nope' is undefined"):
        render_text("{% for c in nope %}{{ c }}{% endfor %}", {})


def test_a_trace_function_already_set_is_left_alone() -> None:
    """Rendering never replaces a debugger's or coverage tool's trace function."""
    seen: set[str] = set()

    def tracer(frame, event, arg):
        seen.add(frame.f_code.co_filename)

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        assert render_text("{% for i in range(3) %}{{ i }}{% endfor %}", {}) == "012"
        with pytest.raises(TextError, match=r"^template error: this text takes too "):
            render_text("{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}"
                        "{% endfor %}", {})
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(previous)
    assert "<template>" in seen


def test_limits_work_in_any_thread() -> None:
    results: dict[str, object] = {}

    def work() -> None:
        results["ordinary"] = render_text("{{ lists.countries | length }} countries", CTX)
        start = time.monotonic()
        try:
            render_text("{% for a in 'x'*100000 %}{% for b in 'x'*100000 %}{% endfor %}"
                        "{% endfor %}", {})
        except TextError as exc:
            results["hostile"] = str(exc)
        results["elapsed"] = time.monotonic() - start

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(20)
    assert not thread.is_alive()
    assert results["ordinary"] == "3 countries"
    assert str(results["hostile"]).startswith(SLOW)
    assert results["elapsed"] < 2


def test_email_sandbox_escapes_and_has_no_time_limit() -> None:
    env = BriefingSandbox(autoescape=True, keep_trailing_newline=True)
    html = env.from_string("<p>{{ a }} {{ b|join(', ') }} {{ a ~ '&' }} "
                           "{{ c|replace('mailto:', '') }}</p>\n")
    assert html.render(a="<x>", b=["1", "<2>"], c="mailto:x@example.org") == (
        "<p>&lt;x&gt; 1, &lt;2&gt; &lt;x&gt;&amp; x@example.org</p>\n")
    text = BriefingSandbox(keep_trailing_newline=True).from_string(
        "{% for i in range(3000) %}{% for j in range(400) %}{% endfor %}{% endfor %}done")
    assert text.render() == "done"  # 1,200,000 turns: more than spec text may take


# ---------------------------------------------------------------------- compiled shapes
_PIECES = st.lists(st.one_of(
    st.text(alphabet=st.characters(blacklist_characters="{}%#"), max_size=12),
    st.sampled_from(["{{ n }}", "{{ name | upper }}", "{{- n -}}", "{{ 'a}}b' }}",
                     "{{ items | length }}", "  \n", "\n"])), max_size=8).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=_PIECES)
def test_texts_compiled_by_shape_render_as_jinja_renders_them(text: str) -> None:
    from jinja2 import Environment, StrictUndefined

    if not has_template(text):
        assert render_text(text, {}) == text  # plain text is never put through Jinja
        return
    context = {"n": 3, "name": "Ann", "items": [1, 2]}
    expected = Environment(undefined=StrictUndefined).from_string(text).render(context)
    assert render_text(text, context) == expected
