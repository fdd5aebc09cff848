"""The project's mail set-up, validated with the rest of the workspace: ``mail/settings.yaml``
and the email templates it names (``styles/mail/<name>.txt.j2`` and ``.html.j2``)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ContentError, Diagnostic, Severity
from ..load.project import Layout
from ..load.yamlfile import YamlFile
from ..validate.schema import validate_model
from .message import Templates, load_templates
from .settings import MailSettings


@dataclass
class MailSetup:
    settings: MailSettings
    templates: Templates


def validate_setup(file: YamlFile, layout: Layout) -> tuple[MailSetup | None, list[Diagnostic]]:
    if file.failed:
        return None, []  # its reading error is already reported
    settings, errors = validate_model(MailSettings, file, file.data)
    if errors or settings is None:
        return None, errors
    try:
        templates = load_templates(layout.styles, settings.templates, layout.root)
    except ContentError as exc:
        return None, list(exc.diagnostics)
    warnings = []
    if settings.unsubscribe.endpoint is None:
        warnings.append(Diagnostic(
            file.location(("unsubscribe",), key=True), "unsubscribe.endpoint",
            "no one-click unsubscribe: Gmail and Yahoo require it of bulk senders; set up "
            "`briefgen unsubscribe serve` and its endpoint (README, 'Mail')", Severity.WARNING,
            "no-one-click"))
    return MailSetup(settings, templates), warnings
