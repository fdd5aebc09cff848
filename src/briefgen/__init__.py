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
    from .editions.box import change_summary, whats_new
    from .editions.compare import compare_editions, list_editions
    from .editions.publish import publish
    from .incremental.builder import (
        BuildResult,
        build,
        build_profiles,
        build_project,
        explain,
    )
    from .incremental.site import build_site
    from .mail.approval import approve
    from .mail.bounces import process_bounces
    from .mail.campaign import (
        SendOptions,
        approval_status,
        last_sent_pdf,
        prepare,
        status,
    )
    from .mail.mailboxes import bounce_messages
    from .mail.outbox import dry_run
    from .mail.send import resolve_recipient, retry_campaign, send_campaign, send_test
    from .mail.settings import smtp_from_env
    from .mail.suppress import change_suppressed, suppressed
    from .mail.unsubscribe_app import serve_unsubscribe
    from .pdftools.pack import make_pack
    from .pdftools.preflight import preflight
    from .render.pdf.pages import page_size
    from .serve.server import serve_editor
    from .workspace import Workspace, open_workspace
    from .workspace.translate import translate

_LAZY = {
    "Workspace": "workspace", "open_workspace": "workspace",
    "BuildResult": "incremental.builder", "build": "incremental.builder",
    "build_project": "incremental.builder", "explain": "incremental.builder",
    "build_profiles": "incremental.builder", "build_site": "incremental.site",
    "make_pack": "pdftools.pack", "preflight": "pdftools.preflight",
    "page_size": "render.pdf.pages",
    "check_links": "author.links", "new_briefing": "author.new",
    "render_pngs": "author.preview", "write_schemas": "author.schema",
    "source_rows": "author.sources", "watch": "author.watch",
    "SendOptions": "mail.campaign", "prepare": "mail.campaign", "dry_run": "mail.outbox",
    "send_campaign": "mail.send", "send_test": "mail.send", "retry_campaign": "mail.send",
    "resolve_recipient": "mail.send", "status": "mail.campaign",
    "last_sent_pdf": "mail.campaign",
    "approval_status": "mail.campaign", "approve": "mail.approval",
    "process_bounces": "mail.bounces", "bounce_messages": "mail.mailboxes",
    "suppressed": "mail.suppress", "change_suppressed": "mail.suppress",
    "serve_unsubscribe": "mail.unsubscribe_app",
    "smtp_from_env": "mail.settings",
    "publish": "editions.publish", "compare_editions": "editions.compare",
    "list_editions": "editions.compare", "change_summary": "editions.box",
    "whats_new": "editions.box",
    "serve_editor": "serve.server",
    "translate": "workspace.translate",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'briefgen' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)


__all__ = [
    "BriefgenError",
    "BuildResult",
    "ContentError",
    "Diagnostic",
    "LockBusy",
    "MailError",
    "OutputError",
    "RenderError",
    "Report",
    "SendOptions",
    "UsageError",
    "Workspace",
    "__version__",
    "approval_status",
    "approve",
    "bounce_messages",
    "build",
    "build_profiles",
    "build_project",
    "build_site",
    "change_summary",
    "change_suppressed",
    "check_links",
    "compare_editions",
    "dry_run",
    "explain",
    "last_sent_pdf",
    "list_editions",
    "make_pack",
    "new_briefing",
    "open_workspace",
    "page_size",
    "preflight",
    "prepare",
    "process_bounces",
    "publish",
    "render_pngs",
    "resolve_recipient",
    "retry_campaign",
    "send_campaign",
    "send_test",
    "serve_editor",
    "serve_unsubscribe",
    "smtp_from_env",
    "source_rows",
    "status",
    "suppressed",
    "translate",
    "watch",
    "whats_new",
    "write_schemas",
]
