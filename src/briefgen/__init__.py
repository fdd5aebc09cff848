"""briefgen: branded, footnoted, print-ready PDF briefings from a shared fact base.

The public API is small: open a project, check it, build it.
"""

__version__ = "0.1.0"

from .errors import BriefgenError, ContentError, Diagnostic, RenderError, UsageError
from .project import Project, open_project

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
