"""Where a project's files live, and loading all of them (without judging their content)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Diagnostic, UsageError
from .yamlfile import YamlFile, load_yaml


@dataclass(frozen=True)
class Layout:
    """The folders of a briefgen project, all relative to its root."""

    root: Path

    @property
    def briefings(self) -> Path:
        return self.root / "briefings"

    @property
    def facts(self) -> Path:
        return self.briefings / "facts"

    @property
    def countries(self) -> Path:
        return self.facts / "countries"

    @property
    def bodies(self) -> Path:
        return self.facts / "bodies"

    @property
    def sources(self) -> Path:
        return self.facts / "sources"

    @property
    def publisher(self) -> Path:
        return self.facts / "publisher.yaml"

    @property
    def styles(self) -> Path:
        return self.root / "styles"

    @property
    def dist(self) -> Path:
        return self.root / "dist"

    def spec_path(self, briefing_id: str) -> Path:
        return self.briefings / f"{briefing_id}.yaml"


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


@dataclass
class RawProject:
    layout: Layout
    specs: dict[str, YamlFile] = field(default_factory=dict)
    countries: list[YamlFile] = field(default_factory=list)
    bodies: list[YamlFile] = field(default_factory=list)
    sources: list[YamlFile] = field(default_factory=list)
    publisher: YamlFile | None = None
    errors: list[Diagnostic] = field(default_factory=list)


def find_root(start: Path) -> Path:
    """The project root: ``start`` itself if it has a ``briefings/`` folder."""
    start = start.resolve()
    if (start / "briefings").is_dir():
        return start
    raise UsageError(f"{start} is not a briefgen project (no briefings/ folder); "
                     "use --root DIR")


def load_raw(root: Path) -> RawProject:
    layout = Layout(root)
    raw = RawProject(layout)

    def load(path: Path) -> YamlFile:
        file, errors = load_yaml(path, root)
        raw.errors.extend(errors)
        return file

    for path in _yaml_files(layout.briefings):
        raw.specs[path.stem] = load(path)
    raw.countries = [load(p) for p in _yaml_files(layout.countries)]
    raw.bodies = [load(p) for p in _yaml_files(layout.bodies)]
    raw.sources = [load(p) for p in _yaml_files(layout.sources)]
    if layout.publisher.is_file():
        raw.publisher = load(layout.publisher)
    return raw
