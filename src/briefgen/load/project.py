"""Where a project's files live, and loading all of them (without judging their content).

:class:`Layout` is the one place that knows the project's folders and the paths briefgen
writes (``dist/``, ``dist/.briefgen/``, ``.briefgen/mail/``, ``editions/``): nothing else joins
them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Diagnostic, Location, UsageError

if TYPE_CHECKING:  # the YAML parser loads only when a file is read
    from .yamlfile import YamlFile


@dataclass(frozen=True)
class Layout:
    """The folders of a briefgen project, all relative to its root."""

    root: Path

    # ------------------------------------------------------------------ inputs
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
    def strings(self) -> Path:
        """Fixed texts per language: ``styles/strings/<language>.yaml``."""
        return self.styles / "strings"

    def strings_file(self, name: str) -> Path:
        return self.strings / f"{name}.yaml"

    @property
    def translations(self) -> Path:
        """Translations, one folder per language: ``briefings/translations/<language>/``."""
        return self.briefings / "translations"

    def translation_folder(self, language: str) -> Path:
        if not language or not language.replace("-", "").isalnum() or not language.isascii():
            raise UsageError(f"'{language}' is not a language code")  # never ../ or /
        return self.translations / language

    def spec_translation(self, language: str, briefing_id: str) -> Path:
        """The translation of a spec's own text (it mirrors ``briefings/<id>.yaml``)."""
        return self.translation_folder(language) / f"{briefing_id}.yaml"

    def facts_translation(self, language: str, kind: str, name: str) -> Path:
        """The translation of a fact file: ``kind`` is countries, bodies or sources (it
        mirrors ``briefings/facts/<kind>/<name>.yaml``), or '' for the publisher file."""
        folder = self.translation_folder(language) / "facts"
        return folder / f"{name}.yaml" if not kind else folder / kind / f"{name}.yaml"

    @property
    def mail_settings(self) -> Path:
        return self.root / "mail" / "settings.yaml"

    def inputs(self) -> tuple[list[Path], list[Path]]:
        """What a build reads: whole folders, and single files (the mail settings, and of
        each published edition what the "What's new" box compares with)."""
        extra = [self.mail_settings]
        if self.editions.is_dir():
            extra += sorted(self.editions.glob("*/*/snapshot.json"))
            extra += sorted(self.editions.glob("*/*/edition.json"))
        return [self.briefings, self.styles], extra

    @property
    def mail_templates(self) -> Path:
        return self.styles / "mail"

    # ------------------------------------------------------------------ outputs
    @property
    def dist(self) -> Path:
        return self.root / "dist"

    @property
    def state(self) -> Path:
        """Build state: the manifest, the lock, caches. Safe to delete."""
        return self.dist / ".briefgen"

    @property
    def manifest(self) -> Path:
        return self.state / "manifest.json"

    @property
    def index(self) -> Path:
        """What the last run learnt about each briefing (see incremental/index.py)."""
        return self.state / "index.json"

    @property
    def links_cache(self) -> Path:
        return self.state / "links.json"

    @property
    def fonts_cache(self) -> Path:
        return self.state / "fonts.json"

    def pdf(self, briefing_id: str, profile: str = "screen") -> Path:
        return self.pdf_folder(profile) / f"{briefing_id}.pdf"

    def pdf_folder(self, profile: str = "screen") -> Path:
        """Where the PDFs of ``profile`` go: each is ``<id>.pdf`` in it (see :meth:`pdf`)."""
        return self.dist if profile == "screen" else self.dist / "print"

    @property
    def output_folders(self) -> list[Path]:
        """Folders the build writes PDFs to (and may find stray temporary files in)."""
        return [self.dist, self.dist / "print"]

    # the web edition (see briefgen.incremental.site): everything under dist/site/ is made by
    # the build and can be copied as it is to any static web host
    @property
    def site(self) -> Path:
        return self.dist / "site"

    def site_folder(self, briefing_id: str) -> Path:
        """One briefing's page and what it links to: ``dist/site/<id>/``."""
        return self.site / briefing_id

    def site_assets(self, brand: str) -> Path:
        """Stylesheet and web fonts shared by every page of a brand. Ids never contain "_",
        so no briefing's folder can be called ``_assets``."""
        return self.site / "_assets" / brand

    @property
    def site_manifest(self) -> Path:
        return self.state / "site.json"

    @property
    def web_templates(self) -> Path:
        return self.styles / "web"

    @property
    def pack(self) -> Path:
        return self.dist / "pack.pdf"

    @property
    def outbox(self) -> Path:
        return self.dist / "outbox"

    @property
    def previews(self) -> Path:
        return self.dist / "preview"

    @property
    def editor_previews(self) -> Path:
        """Page images for ``briefgen serve``'s live preview."""
        return self.previews / "editor"

    @property
    def ledgers(self) -> Path:
        """Mail ledgers: outside dist/, so that cleaning never forgets who was mailed."""
        return self.root / ".briefgen" / "mail"

    @property
    def suppressions(self) -> Path:
        """The project's suppression store (unsubscribes, bounces, complaints)."""
        return self.ledgers / "suppressions.db"

    @property
    def approvals(self) -> Path:
        """Who approved which PDF of a briefing for sending."""
        return self.ledgers / "approvals.db"

    # ------------------------------------------------------------------ editions
    @property
    def editions(self) -> Path:
        """Published editions: kept in git, outside dist/, never touched by a clean."""
        return self.root / "editions"

    def briefing_editions(self, briefing_id: str) -> Path:
        return self.editions / briefing_id

    def edition_folder(self, briefing_id: str, name: str) -> Path:
        """One edition, ``editions/<id>/<date>-<n>/``."""
        return self.briefing_editions(briefing_id) / name

    @property
    def publish_lock(self) -> Path:
        """The folder of the lock that keeps two publishes from picking the same name."""
        return self.state / "publish"


def yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


#: an editor's backup or swap file beside a YAML file is not a stray
_BACKUPS = ("~", ".bak", ".orig", ".swp", ".swo", ".tmp")
#: names meant as YAML files: any case of .yaml or .yml, or with the .txt Notepad adds
_MEANT = (".yaml", ".yml", ".yaml.txt", ".yml.txt")


def stray_yaml(folder: Path) -> list[tuple[Path, str]]:
    """What in ``folder`` looks like a YAML file but is not read, each with why and what
    to do: a file ending in .YAML or .yaml.txt (Notepad adds .txt), a folder or a link that
    leads nowhere named like a YAML file. Hidden files and editors' backups are left alone."""
    out: list[tuple[Path, str]] = []
    if not folder.is_dir():
        return out
    for path in sorted(folder.iterdir()):
        name, low = path.name, path.name.lower()
        if name.startswith((".", "#")) or name.endswith(_BACKUPS):
            continue  # hidden, an editor's backup or autosave (#japan.yaml#)
        if not low.endswith(_MEANT):  # x.yaml.disabled, README.yaml.md: set aside on purpose
            continue
        if path.suffix in (".yaml", ".yml") and path.is_file():
            continue
        stem = name[:min(i for i in (low.find(".yaml"), low.find(".yml")) if i >= 0)]
        if path.is_dir():
            why = "this is a folder, not a YAML file: nothing in it is read; move its files " \
                  "up, or rename it"
        elif path.is_symlink() and not path.exists():
            why = "this link leads to no file, so it is not read: remove it, or link it to " \
                  "the file"
        else:
            why = f"this file is not read: only names ending in .yaml or .yml are; rename it " \
                  f"to {stem}.yaml"
        out.append((path, why))
    return out


def twin_specs(layout: Layout) -> dict[str, list[Path]]:
    """Briefing ids written as both ``<id>.yaml`` and ``<id>.yml`` (each file)."""
    by_id: dict[str, list[Path]] = {}
    for path in yaml_files(layout.briefings):
        by_id.setdefault(path.stem, []).append(path)
    return {bid: paths for bid, paths in by_id.items() if len(paths) > 1}


@dataclass
class RawProject:
    layout: Layout
    specs: dict[str, YamlFile] = field(default_factory=dict)
    countries: list[YamlFile] = field(default_factory=list)
    bodies: list[YamlFile] = field(default_factory=list)
    sources: list[YamlFile] = field(default_factory=list)
    publisher: YamlFile | None = None
    #: brand sheets by name (``styles/<name>.yaml``)
    styles: dict[str, YamlFile] = field(default_factory=dict)
    #: fixed texts by language (``styles/strings/<language>.yaml``)
    strings: dict[str, YamlFile] = field(default_factory=dict)
    mail_settings: YamlFile | None = None
    errors: list[Diagnostic] = field(default_factory=list)
    #: what looks like a YAML file of the fact base or a spec but is not read (stray_yaml)
    strays: list[Path] = field(default_factory=list)

    def files(self) -> list[YamlFile]:
        out = [*self.specs.values(), *self.countries, *self.bodies, *self.sources]
        out += [f for f in (self.publisher, self.mail_settings) if f is not None]
        return out + list(self.styles.values()) + list(self.strings.values())


def find_root(start: Path) -> Path:
    """The project root: ``start`` itself if it has a ``briefings/`` folder."""
    start = start.resolve()
    if (start / "briefings").is_dir():
        return start
    raise UsageError(f"{start} is not a briefgen project (no briefings/ folder); "
                     "use --root DIR")


def spec_paths(layout: Layout) -> dict[str, Path]:
    """Briefing id -> its spec file (every YAML file directly in briefings/)."""
    return {path.stem: path for path in yaml_files(layout.briefings)}


def load_raw(root: Path, *, specs: bool = True) -> RawProject:
    """Read and parse the project's YAML: the fact base, brand sheets and mail settings,
    and (unless ``specs`` is false, for a workspace that reads specs as needed) every spec."""
    layout = Layout(root)
    raw = RawProject(layout)

    from .yamlfile import load_yaml

    def load(path: Path) -> YamlFile:
        file, errors = load_yaml(path, root)
        raw.errors.extend(errors)
        return file

    for folder in (layout.briefings, layout.countries, layout.bodies, layout.sources):
        for path, why in stray_yaml(folder):
            raw.strays.append(path)
            raw.errors.append(Diagnostic(Location(path.relative_to(root).as_posix()), "",
                                         why))
    if specs:
        for bid, path in spec_paths(layout).items():
            raw.specs[bid] = load(path)
    raw.countries = [load(p) for p in yaml_files(layout.countries)]
    raw.bodies = [load(p) for p in yaml_files(layout.bodies)]
    raw.sources = [load(p) for p in yaml_files(layout.sources)]
    if layout.publisher.is_file():
        raw.publisher = load(layout.publisher)
    for path in yaml_files(layout.styles):
        raw.styles[path.stem] = load(path)
    for path in yaml_files(layout.strings):
        raw.strings[path.stem] = load(path)
    if layout.mail_settings.is_file():
        raw.mail_settings = load(layout.mail_settings)
    return raw
