"""``briefgen serve``: the web editor's ASGI app (Starlette), its safety rules and its pages.

Safety, for a server with no login:

* it answers only requests addressed (``Host``) to an IP address, ``localhost``, this
  computer's own names or a name given with ``--allowed-host``, whatever address it listens
  on, so a web page elsewhere cannot reach it by pointing its own domain at the editor's
  address (DNS rebinding);
* every state-changing request is a POST carrying a CSRF token: an HMAC, under a key made
  at start, of a random value in a ``SameSite=Strict`` cookie; a POST from another origin
  (``Origin``) is refused too;
* the client never names a file: briefings, countries, bodies, facts and sources are
  named by id and mapped to files through the workspace (:mod:`.editor` checks every path
  it writes is a YAML file inside ``briefings/`` or ``styles/``);
* pages load nothing from elsewhere (Content-Security-Policy ``'self'``) and are not cached.

The pages are in :mod:`.pages` (reading) and :mod:`.edits` (the forms).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..errors import Diagnostic, UsageError
from .editor import Editor

HERE = Path(__file__).resolve().parent
COOKIE = "briefgen_csrf"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "font-src 'self'; frame-src 'self'; connect-src 'self'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'self'")
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "same-origin", "X-Frame-Options": "SAMEORIGIN",
           "Content-Security-Policy": CSP}
MAX_BODY = 2_000_000


def own_names() -> set[str]:
    """This computer's own host names (``socket.gethostname()``, ``getfqdn()``)."""
    names = {"localhost"}
    for find in (socket.gethostname, socket.getfqdn):
        try:
            name = find()
        except OSError:  # pragma: no cover - a resolver that fails
            continue
        if name:
            names.add(name.lower().rstrip("."))
    return names


def host_name(header: str) -> str | None:
    """The name in a ``Host`` header (lower case, without port or a final dot), or None when
    it is not a plain name or address, with or without a port."""
    match = re.fullmatch(r"(\[[0-9A-Fa-f:.]+\]|[^\[\]:@/\s]+)(?::\d{1,5})?", header)
    return match.group(1).lower().rstrip(".") if match else None


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name[1:-1] if name.startswith("[") else name)
    except ValueError:
        return False
    return True


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class Context:
    """What every page handler shares."""

    editor: Editor
    env: Environment
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    #: results of saves, shown once after the redirect (token -> page data)
    saved: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def token(self, cookie: str) -> str:
        return hmac.new(self.key, cookie.encode(), hashlib.sha256).hexdigest()

    def keep(self, data: dict[str, Any]) -> str:
        token = secrets.token_urlsafe(12)
        with self.lock:
            self.saved[token] = data
            while len(self.saved) > 50:
                self.saved.pop(next(iter(self.saved)))
        return token


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def make_env() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.do"])
    env.globals["describe"] = describe
    return env


def describe(d: Diagnostic) -> str:
    """A diagnostic for a person: where (file and line), then what."""
    return d.message


def render(ctx: Context, request, template: str, http_status: int = 200, **data: Any):
    from starlette.responses import HTMLResponse

    cookie = request.state.csrf_cookie
    data.setdefault("title", "")
    html = ctx.env.get_template(template).render(
        csrf=ctx.token(cookie), request=request, path=request.url.path,
        version=ctx.editor.version, building=ctx.editor.build_error, **data)
    return HTMLResponse(html, http_status)


async def read_form(ctx: Context, request) -> dict[str, list[str]]:
    """The form of a POST, once its CSRF token, origin and size are checked."""
    from .forms import parse_form

    origin = request.headers.get("origin")
    if origin and origin != f"{request.url.scheme}://{request.headers.get('host', '')}":
        raise Refused(403, "This request came from another web site, so it was refused.")
    if request.headers.get("content-type", "").split(";")[0].strip() != \
            "application/x-www-form-urlencoded":
        raise Refused(415, "Send the form as the editor's pages do.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise Refused(413, "The form is too large.")
    try:
        form = parse_form(body)
    except ValueError:  # more fields than parse_form takes
        raise Refused(413, "The form has too many fields. Open the page again and send "
                           "it from there.") from None
    cookie = request.cookies.get(COOKIE, "")
    sent = form.get("csrf", [""])[0]
    if not cookie or not sent or not hmac.compare_digest(sent, ctx.token(cookie)):
        raise Refused(403, "This form has expired or did not come from the editor. Open the "
                           "page again and repeat the change.")
    return form


class Guard:
    """ASGI middleware: the Host check, the CSRF cookie and the security headers.

    ``hosts`` are the DNS names answered besides IP addresses: an address cannot be
    pointed elsewhere, a name can (DNS rebinding)."""

    def __init__(self, app, hosts: set[str]):
        self.app, self.hosts = app, {h.lower().rstrip(".") for h in hosts}

    def allowed(self, header: str) -> bool:
        name = host_name(header)
        return name is not None and (is_ip(name) or name in self.hosts)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        from starlette.datastructures import Headers
        from starlette.responses import PlainTextResponse

        headers = Headers(scope=scope)
        if not self.allowed(headers.get("host", "")):
            response = PlainTextResponse(
                "This editor answers only when opened by an IP address, by 'localhost' or "
                "by this computer's own name. To open it by another name, start it with "
                "--allowed-host NAME.", 421)
            return await response(scope, receive, send)
        cookie = _cookie(headers.get("cookie", ""))
        fresh = cookie is None
        cookie = cookie or secrets.token_urlsafe(24)
        scope.setdefault("state", {})["csrf_cookie"] = cookie

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                names = {k.lower() for k, _ in raw}
                for key, value in HEADERS.items():
                    if key.lower().encode() not in names:
                        raw.append((key.lower().encode(), value.encode()))
                if fresh:
                    raw.append((b"set-cookie", f"{COOKIE}={cookie}; Path=/; HttpOnly; "
                                               "SameSite=Strict".encode()))
                message["headers"] = raw
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _cookie(header: str) -> str | None:
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE and value and len(value) < 100:
            return value
    return None


def create_app(editor: Editor, *, host: str = "127.0.0.1", port: int = 8000,
               allowed_hosts: tuple[str, ...] | list[str] = ()):
    """The ASGI app over ``editor``'s project. It answers requests addressed to an IP
    address, ``localhost``, this computer's names, ``host`` and ``allowed_hosts``."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from . import edits, pages

    ctx = Context(editor, make_env())

    def wrap(handler):
        async def endpoint(request):
            try:
                return await handler(ctx, request)
            except Refused as exc:
                return render(ctx, request, "refused.html.j2", exc.status, message=str(exc),
                              title="Refused")
            except UsageError as exc:  # e.g. a file the editor does not write
                return render(ctx, request, "refused.html.j2", 422,
                              message=f"This cannot be done here: {exc}.", title="Refused")
        return endpoint

    routes = [
        Route("/", wrap(pages.briefings)),
        Route("/build", wrap(pages.build), methods=["POST"]),
        Route("/briefings/{bid}", wrap(pages.briefing)),
        Route("/pdf/{bid}", wrap(pages.pdf)),
        Route("/briefings/{bid}/preview", wrap(pages.preview)),
        Route("/briefings/{bid}/page-{number:int}.png", wrap(pages.page_png)),
        Route("/briefings/{bid}/edit", wrap(edits.briefing_form), methods=["GET", "POST"]),
        Route("/facts", wrap(pages.fact_base)),
        Route("/facts/{group}/{entity}", wrap(pages.entity)),
        Route("/facts/{group}/{entity}/new", wrap(edits.fact_form), methods=["GET", "POST"]),
        Route("/facts/{group}/{entity}/{fact}/edit", wrap(edits.fact_form),
              methods=["GET", "POST"]),
        Route("/sources", wrap(pages.sources)),
        Route("/sources/new", wrap(edits.source_form), methods=["GET", "POST"]),
        Route("/sources/{sid}/edit", wrap(edits.source_form), methods=["GET", "POST"]),
        Route("/saved/{token}", wrap(pages.saved)),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        Mount("/site", StaticFiles(directory=editor.layout.site, check_dir=False), name="site"),
    ]

    async def not_found(request, exc):
        status = getattr(exc, "status_code", 404)
        text = "There is nothing here." if status == 404 else "That cannot be done here."
        return HTMLResponse(ctx.env.get_template("refused.html.j2").render(
            title="Not found" if status == 404 else "Not allowed", message=text,
            csrf="", path=request.url.path, version=editor.version), status)

    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})
    app.state.ctx = ctx
    return Guard(app, {*own_names(), host, *allowed_hosts})
