"""briefgen: branded, footnoted, print-ready PDF briefings from a shared fact base.

The public API, which the command line uses and nothing else::

    ws = briefgen.open_workspace("path/to/project")   # read and validate everything
    ws.errors, ws.failures["military-cooperation"]    # what stops what
    results = briefgen.build_project(ws.root, workspace=ws)

Names load on first use (PEP 562): ``briefgen build`` with nothing to do answers from file
stamps alone and should not pay for importing the parser, the schema or the renderer.
"""

__version__ = "0.1.0"

from importlib import import_module
from typing import TYPE_CHECKING

from .errors import (
    BriefgenError,
    ContentError,
    Diagnostic,
    LockBusy,
    MailError,
    OutputError,
    RenderError,
    Report,
    UsageError,
)

if TYPE_CHECKING:  # pragma: no cover
    from .author.links import check_links
    from .author.new import new_briefing
    from .author.preview import render_pngs
    from .author.schema import write_schemas
    from .author.sources import source_rows
    from .author.watch import watch
    from .incremental.builder import (
        BuildResult,
        build,
        build_profiles,
        build_project,
        explain,
    )
    from .mail.campaign import (
        SendOptions,
        dry_run,
        last_sent_pdf,
        prepare,
        send_campaign,
        send_test,
        status,
    )
    from .mail.settings import smtp_from_env
    from .pdftools.pack import make_pack
    from .pdftools.preflight import preflight
    from .render.pdf.pages import page_size
    from .workspace import Workspace, open_workspace
    from .workspace.translate import translate

_LAZY = {
    "Workspace": "workspace", "open_workspace": "workspace",
    "BuildResult": "incremental.builder", "build": "incremental.builder",
    "build_project": "incremental.builder", "explain": "incremental.builder",
    "build_profiles": "incremental.builder",
    "make_pack": "pdftools.pack", "preflight": "pdftools.preflight",
    "page_size": "render.pdf.pages",
    "check_links": "author.links", "new_briefing": "author.new",
    "render_pngs": "author.preview", "write_schemas": "author.schema",
    "source_rows": "author.sources", "watch": "author.watch",
    "SendOptions": "mail.campaign", "prepare": "mail.campaign", "dry_run": "mail.campaign",
    "send_campaign": "mail.campaign", "send_test": "mail.campaign",
    "status": "mail.campaign", "last_sent_pdf": "mail.campaign",
    "smtp_from_env": "mail.settings",
    "translate": "workspace.translate",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'briefgen' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)


__all__ = [
    "BriefgenError", "BuildResult", "ContentError", "Diagnostic", "LockBusy", "MailError",
    "OutputError", "RenderError", "Report", "SendOptions", "UsageError", "Workspace",
    "__version__", "build", "build_profiles", "build_project", "check_links", "dry_run", "explain",
    "last_sent_pdf", "make_pack", "new_briefing", "open_workspace", "page_size", "preflight",
    "prepare", "render_pngs", "send_campaign", "send_test", "smtp_from_env", "source_rows",
    "status", "translate", "watch", "write_schemas",
]
