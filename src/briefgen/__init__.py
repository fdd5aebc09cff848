"""briefgen: branded, footnoted, print-ready PDF briefings from a shared fact base.

The public API is small: open a project, check it, build it.
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING

from .errors import BriefgenError, ContentError, Diagnostic, RenderError, UsageError

if TYPE_CHECKING:
    from .project import Project, open_project


def __getattr__(name: str):
    # the parser, schema and resolver load on first use: `briefgen build` with nothing to do
    # answers from file stamps alone and should not pay for importing them
    if name in ("Project", "open_project"):
        from . import project

        return getattr(project, name)
    raise AttributeError(f"module 'briefgen' has no attribute {name!r}")

__all__ = [
    "BriefgenError",
    "ContentError",
    "Diagnostic",
    "Project",
    "RenderError",
    "UsageError",
    "__version__",
    "open_project",
]
