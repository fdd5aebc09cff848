"""The workspace: one project, loaded and validated as a whole.

Every command works on a workspace. Opening one reads and checks, top to bottom, what all
briefings share: the fact base (countries, bodies, sources, publisher), every brand sheet
with its fonts, and the mail settings. Each briefing is then *evaluated*: its spec read and
validated, resolved against the fact base, every character checked against the fonts that
will set it. The result is a :class:`BriefingState` that records every error that stops it
(its own, and those of anything it depends on) — a briefing whose state has no error is
guaranteed to build: that is the promise ``briefgen check`` makes.

Evaluation is incremental: the state of a briefing that had no error, and none of whose
inputs changed since the last run, is taken from ``dist/.briefgen/index.json`` instead of
being worked out again (see :mod:`briefgen.incremental.index`). ``full=True`` ignores it.
When no input file changed at all, :mod:`.quick` answers ``where`` and ``check`` from the
index alone. Names load on first use, so that the quick path stays quick.
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..incremental.index import BriefingState, ListEntry
    from .core import Workspace, open_workspace

_LAZY = {"Workspace": ".core", "open_workspace": ".core",
         "BriefingState": "..incremental.index", "ListEntry": "..incremental.index"}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'briefgen.workspace' has no attribute {name!r}")
    return getattr(import_module(_LAZY[name], __name__), name)


__all__ = ["BriefingState", "ListEntry", "Workspace", "open_workspace"]
