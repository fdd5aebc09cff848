"""The web edition's Jinja2 templates (``styles/web/*.j2``), which a designer may change.

They run in the same sandbox as spec text and email templates, with autoescape on: every
value a template prints is escaped unless the renderer made it markup itself (inline text
with its links and note markers, the logo, the JSON-LD). A template with an error stops the
build with its file and line, like any other input.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from jinja2 import (
    FileSystemLoader,
    Template,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)

from ...errors import Diagnostic, Location, RenderError
from ...resolve.textenv import BriefingSandbox

#: every template the renderer uses (``_layout.html.j2`` is extended by the two pages)
NAMES = ("_layout.html.j2", "page.html.j2", "index.html.j2", "feed.xml.j2", "sitemap.xml.j2",
         "site.css.j2")

_ENVS: dict[Path, BriefingSandbox] = {}
_LOCK = threading.Lock()


def folder_of(brand) -> Path:
    """``styles/web/``: beside the brand sheets (every sheet lives in ``styles/``)."""
    return brand.files[0].parent / "web"


def _escaped(name: str | None) -> bool:
    """HTML and XML templates escape what they print. The stylesheet prints only values
    briefgen checked or made (#RRGGBB colours, numbers, its own font names), and HTML
    escaping would break CSS quotes."""
    return not (name or "").endswith(".css.j2")


class _OutsideProject(TemplateError):
    """A template that is a link to a file outside the project."""

    def __init__(self, message: str, name: str):
        super().__init__(message)
        self.name = name


class _ProjectLoader(FileSystemLoader):
    """Templates from ``styles/web/``, never through a link out of the project: what a
    template includes is published on the pages."""

    def __init__(self, folder: Path):
        super().__init__(str(folder), encoding="utf-8")
        self.home = os.path.realpath(folder.parent.parent)  # the project root

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        real = os.path.realpath(filename)
        if not real.startswith(self.home + os.sep):
            raise _OutsideProject(f"this is a link to {real}, outside the project: briefgen "
                                  "reads only the project's own files (put the file itself "
                                  "here instead of a link)", template)
        return source, filename, uptodate


def _env(folder: Path) -> BriefingSandbox:
    with _LOCK:
        env = _ENVS.get(folder)
        if env is None:
            env = BriefingSandbox(autoescape=_escaped)
            env.loader = _ProjectLoader(folder)
            env.trim_blocks = env.lstrip_blocks = True
            _ENVS[folder] = env
        return env  # auto_reload: an edited template is read again (``briefgen watch``)


def _shown(folder: Path, name: str | None) -> str:
    # styles/web/<name>, as the team sees it from the project root
    return f"{folder.parent.name}/{folder.name}/{name}" if name else \
        f"{folder.parent.name}/{folder.name}"


def template(folder: Path, name: str) -> Template:
    try:
        return _env(folder).get_template(name)
    except TemplateSyntaxError as exc:
        where = Location(_shown(folder, exc.name or name), exc.lineno or 1, 1)
        raise RenderError(f"{where}: {exc.message}", [Diagnostic(
            where, "", f"template syntax error: {exc.message}")]) from None
    except _OutsideProject as exc:
        raise _outside(folder, exc) from None
    except TemplateError as exc:  # TemplateNotFound
        where = Location(_shown(folder, name))
        raise RenderError(f"{where}: missing template", [Diagnostic(
            where, "", f"missing web template ({exc}); the web edition needs "
                       f"{', '.join(NAMES)} in {_shown(folder, None)}/")]) from None


def render(folder: Path, name: str, context: dict) -> str:
    tpl = template(folder, name)
    try:
        return tpl.render(context)
    except _OutsideProject as exc:  # an {% include %} of a link out of the project
        raise _outside(folder, exc) from None
    except TemplateError as exc:
        line = _line_in(exc, folder) or 1
        where = Location(_shown(folder, name), line, 1)
        message = (f"'{exc.name}' is not a template in {_shown(folder, None)}/ (a template "
                   "can include or extend only the templates beside it)"
                   if isinstance(exc, TemplateNotFound) else str(exc))
        raise RenderError(f"{where}: {message}", [Diagnostic(
            where, "", f"web template error: {message}")]) from None


def _outside(folder: Path, exc: _OutsideProject) -> RenderError:
    where = Location(_shown(folder, exc.name))
    return RenderError(f"{where}: {exc.message}", [Diagnostic(where, "", exc.message)])


def _line_in(exc: BaseException, folder: Path) -> int | None:
    """The template line a runtime error happened on (Jinja maps it into the traceback)."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if str(folder) in tb.tb_frame.f_code.co_filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def problems(folder: Path) -> list[Diagnostic]:
    """Syntax errors and missing files among the templates, without rendering anything."""
    out = []
    for name in NAMES:
        try:
            template(folder, name)
        except RenderError as exc:
            out += exc.diagnostics
    return out
