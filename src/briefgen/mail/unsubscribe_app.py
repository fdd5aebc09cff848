"""``briefgen unsubscribe serve``: the one-click unsubscribe page (Starlette, run by uvicorn).

It answers on the path of ``unsubscribe.endpoint`` (``https://lists.example.org/unsubscribe``
-> ``/unsubscribe/<token>``), behind the organisation's HTTPS reverse proxy:

* ``POST`` to a valid link unsubscribes at once, with no cookie, login or form to fill:
  what a mail provider sends for RFC 8058's ``List-Unsubscribe=One-Click``, and what the
  confirmation page's button sends. The address goes into the project's suppression store,
  which every later send consults. Doing it twice is harmless.
* ``GET`` only shows a page with a button: link scanners and previewers open links in
  mail, and must not unsubscribe anyone by doing so.
* A token that was not signed with ``BRIEFGEN_UNSUBSCRIBE_SECRET`` (forged, altered, cut
  short) is refused with a page that says how else to unsubscribe.

Pages set no cookies, load nothing from elsewhere and are not cached. uvicorn's access log
is off: the link holds the address.
"""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import UsageError
from ..load.project import Layout, find_root
from .recipients import address_key
from .settings import MailSettings, load_settings
from .suppress import SuppressionStore
from .unsubscribe import Signer, secret_from_env

HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "form-action 'self'; frame-ancestors 'none'",
}
_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{title}</title></head>
<body style="font-family:Arial,sans-serif;max-width:34em;margin:3em auto;padding:0 1em;
color:#1F1F1F;line-height:1.5"><h1 style="font-size:1.4em">{title}</h1>{body}</body></html>
"""


def _page(title: str, body: str, status: int = 200):
    from starlette.responses import HTMLResponse

    return HTMLResponse(_PAGE.format(title=html.escape(title), body=body), status,
                        headers=HEADERS)


def create_app(settings: MailSettings, signer: Signer, store_path: Path):
    """The ASGI app. ``store_path``: the project's suppression store."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.routing import Route

    endpoint = settings.unsubscribe.endpoint
    if not endpoint:
        raise UsageError("set unsubscribe.endpoint in mail/settings.yaml to the public HTTPS "
                         "address this server will answer on (see README 'Mail')")
    prefix = urlsplit(endpoint).path.rstrip("/")
    org = html.escape(settings.from_name)
    mailto = (settings.unsubscribe.mailto or "").removeprefix("mailto:").split("?")[0]
    other = (f"<p>You can also write to <strong>{html.escape(mailto)}</strong> and ask to "
             "be unsubscribed.</p>" if mailto else "")

    def invalid():
        return _page("This unsubscribe link does not work",
                     "<p>The link may have been cut short or changed on the way. Please open "
                     "the unsubscribe link in the email again, or copy all of it.</p>" + other,
                     400)

    async def confirm(request: Request):
        found = signer.read(request.path_params["token"])
        if found is None:
            return invalid()
        _, address = found
        with SuppressionStore(store_path, readonly=True) as store:
            entry = store.get(address_key(address))
        shown = html.escape(address)
        if entry is not None:
            return _page("You are unsubscribed", f"<p><strong>{shown}</strong> gets no more "
                         f"briefings from {org}.</p>")
        return _page(f"Unsubscribe from {settings.from_name}'s briefings?",
                     f"<p>Stop sending briefings to <strong>{shown}</strong>?</p>"
                     '<form method="post"><input type="hidden" name="List-Unsubscribe" '
                     'value="One-Click"><button type="submit" style="font-size:1.1em;'
                     'padding:.5em 1.2em">Unsubscribe</button></form>')

    async def unsubscribe(request: Request):
        found = signer.read(request.path_params["token"])
        if found is None:
            return invalid()
        list_name, address = found
        with SuppressionStore(store_path) as store:
            store.add(address, "unsubscribed", list_name=list_name,
                      detail="one-click unsubscribe")
        return _page("You are unsubscribed", f"<p><strong>{html.escape(address)}</strong> "
                     f"gets no more briefings from {org}. Sorry to see you go.</p>")

    async def not_found(request: Request, exc: Exception):
        return _page("Not found", "<p>There is nothing here.</p>", 404)

    routes = [Route(f"{prefix}/{{token}}", confirm, methods=["GET"]),
              Route(f"{prefix}/{{token}}", unsubscribe, methods=["POST"])]
    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})


def app_for(root: Path, env: dict[str, str] | None = None):
    """The app for the project at ``root``, with the secret from the environment."""
    root = find_root(Path(root))
    settings = load_settings(root)
    return create_app(settings, Signer(secret_from_env(env)), Layout(root).suppressions)


def serve_unsubscribe(root: Path, host: str = "127.0.0.1", port: int = 8025,
                      env: dict[str, str] | None = None) -> None:
    """Run the server until interrupted (uvicorn, no access log)."""
    import uvicorn

    app = app_for(root, env)
    uvicorn.run(app, host=host, port=port, access_log=False, server_header=False,
                log_level="warning", proxy_headers=False)
