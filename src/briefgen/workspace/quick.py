"""Answers from the index alone, when no input file changed since it was written: ``where``
and ``check`` then read no YAML and import neither the schemas nor Jinja2 (a fraction of a
second on a project of any size). Any changed file means the full path."""

from __future__ import annotations

from pathlib import Path

from ..errors import Diagnostic, UsageError
from ..hints import did_you_mean
from ..incremental.index import (
    ProjectIndex,
    _States,
    files_digest,
    files_stamp_path,
    hash_files,
)
from ..load.project import Layout, find_root


def input_hashes(root: Path | str) -> dict[str, str]:
    """The content hash of every file a build reads (see ``incremental.index.hash_files``)."""
    layout = Layout(find_root(Path(root)))
    return hash_files(layout.root, *layout.inputs())


def unchanged_index(root: Path | str, stale_months: int | None = None,
                    files: dict[str, str] | None = None) -> ProjectIndex | None:
    """The index, if it describes the project exactly as it is now (``files``: its
    :func:`input_hashes`, if just taken)."""
    layout = Layout(find_root(Path(root)))
    if files is None:
        files = hash_files(layout.root, *layout.inputs())
    try:  # a file changed since the index was written: do not read the whole index
        if files_stamp_path(layout.index).read_text() != files_digest(files):
            return None
    except (OSError, UnicodeDecodeError):
        return None
    index = ProjectIndex.load(layout.index)
    if index is None or not index.files:
        return None
    if stale_months is not None and index.stale_months != stale_months:
        return None
    return index if files == index.files else None


def blind_spots(diagnostics: list[Diagnostic], layout: Layout) -> list[str]:
    """The files whose errors can hide a use from ``where`` and ``sources``: a fact-base
    file that does not validate defines nothing, and a briefing that cannot be built is not
    counted (the mail settings and the web and mail templates hide nothing)."""
    skip = tuple(p.relative_to(layout.root).as_posix() + suffix for p, suffix in (
        (layout.mail_settings, ""), (layout.mail_templates, "/"), (layout.web_templates, "/")))
    facts = layout.facts.relative_to(layout.root).as_posix() + "/"
    return sorted({d.location.path for d in diagnostics
                   if d.is_error and not d.location.path.startswith(skip)},
                  key=lambda path: (not path.startswith(facts), path))  # the fact base first


def incomplete(files: list[str]) -> str:
    """Why an answer may be missing something, in plain words."""
    shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    one = len(files) == 1
    return (f"the answer may be incomplete: {len(files)} file{'' if one else 's'} "
            f"{'has' if one else 'have'} errors (briefgen check lists them); what "
            f"{'it defines' if one else 'they define'}, and the briefings that fail because of "
            f"{'it' if one else 'them'}, are not counted: {shown}")


def where(ident: str, known: list[str], states: _States) -> list[tuple[str, list[str]]]:
    """Briefings that use a country, body, fact or source, each with how it uses it."""
    if ident not in set(known):
        raise UsageError(f"no country, body, fact or source '{ident}'"
                         f"{did_you_mean(ident, known)}")
    hits = []
    for bid in states.ids():
        ok, lists, used_facts, used_sources = states.summary(bid)
        if not ok:
            continue
        how: list[str] = []
        for list_id, entries in lists.items():
            for number, cid, _, reasons in entries:  # a fact: only where it is printed
                if cid == ident or (ident.startswith(f"{cid}.") and ident in used_facts):
                    how.append(f"list '{list_id}', entry {number}: {'; '.join(reasons)}")
        facts = sorted(k for k in used_facts if k == ident or k.split(".", 1)[0] == ident)
        if facts:
            how.append(f"uses fact{'s' if len(facts) > 1 else ''} {', '.join(facts)}")
        if ident in used_sources:
            how.append(f"cites source {ident}")
        if how:
            hits.append((bid, how))
    return hits
