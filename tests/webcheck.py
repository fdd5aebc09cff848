"""Reading built web pages in tests: a small element tree from the standard library's
``html.parser`` (enough to find elements by tag, attribute and class, and their text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        out = []
        for el in self.iter():
            if tag is not None and el.tag != tag:
                continue
            if all((k.rstrip("_") == "class" and v in el.classes) or
                   el.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items()):
                out.append(el)
        return out

    def find(self, tag: str | None = None, **attrs: str) -> Element | None:
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        el = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(el)
        if tag not in VOID:
            self.current = el

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is None or node.parent is None:
            self.errors.append(f"stray </{tag}>")
            return
        if node is not self.current:
            self.errors.append(f"</{tag}> closes <{self.current.tag}>")
        self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(source: str | Path) -> Element:
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    builder = _Builder()
    builder.feed(text)
    builder.close()
    assert not builder.errors, builder.errors[:5]
    assert builder.current is builder.root, f"<{builder.current.tag}> never closed"
    return builder.root


def squash(text: str) -> str:
    return " ".join(text.split())


_BUILT: dict[str, Path] = {}


def built_web_project(tmp_path_factory) -> Path:
    """The full fixture project with its PDFs (screen and print) and web edition, built once
    per test session and shared by the modules that only read it."""
    if "full" not in _BUILT:
        from briefgen.incremental.builder import build_profiles
        from conftest import FIXTURES, make_project

        root = make_project(tmp_path_factory.mktemp("web") / "project",
                            FIXTURES / "full" / "briefings")
        results = build_profiles(root, profiles=("screen", "print"), formats=("pdf", "html"))
        assert all(r.ok for r in results.values()), results
        _BUILT["full"] = root
    return _BUILT["full"]
