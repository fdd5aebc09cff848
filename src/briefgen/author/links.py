"""``briefgen check --links``: is every source URL still there?

HEAD first, GET when a server refuses HEAD; redirects followed and reported; a timeout per
request; a few requests at a time; a user agent that says who is asking. Results are cached
for a day in ``dist/.briefgen/links.json``, so a second check does not knock again. Never
run by default, and the tests only talk to a server on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import __version__
from ..errors import Diagnostic, Severity
from ..files import write_atomic
from ..workspace import Workspace

CACHE_SECONDS = 24 * 3600
PERMANENT = (301, 308)


@dataclass
class LinkResult:
    url: str
    state: str  # "ok", "moved" or "dead"
    detail: str  # e.g. "404 Not Found", "moved permanently (301) to https://..."
    final_url: str | None = None
    checked: float = 0.0


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects keeping the method (HEAD stays HEAD) and records each hop."""

    def __init__(self) -> None:
        self.hops: list[tuple[int, str]] = []

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        self.hops.append((code, newurl))
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            new.method = req.get_method()
        return new


def _request(url: str, method: str, timeout: float, agent: str):
    redirects = _Redirects()
    opener = urllib.request.build_opener(redirects)
    req = urllib.request.Request(url, method=method, headers={"User-Agent": agent,
                                                              "Accept": "*/*"})
    try:
        with opener.open(req, timeout=timeout) as resp:
            if method == "GET":
                resp.read(1024)
            return resp.status, resp.reason, resp.geturl(), redirects.hops
    except urllib.error.HTTPError as exc:
        return exc.code, exc.reason, exc.geturl() if hasattr(exc, "geturl") else url, \
            redirects.hops


def check_url(url: str, timeout: float, agent: str) -> LinkResult:
    now = time.time()
    try:
        code, reason, final, hops = _request(url, "HEAD", timeout, agent)
        if code in (403, 404, 405, 501) or code >= 500:  # some servers refuse HEAD only
            code, reason, final, hops = _request(url, "GET", timeout, agent)
    except urllib.error.URLError as exc:
        why = exc.reason
        if isinstance(why, TimeoutError | socket.timeout):
            return LinkResult(url, "dead", f"no answer within {timeout:g} s", checked=now)
        if isinstance(why, socket.gaierror):
            return LinkResult(url, "dead", "the host name does not resolve (DNS)",
                              checked=now)
        return LinkResult(url, "dead", f"cannot connect: {why}", checked=now)
    except TimeoutError:
        return LinkResult(url, "dead", f"no answer within {timeout:g} s", checked=now)
    except (OSError, ValueError) as exc:
        return LinkResult(url, "dead", f"cannot fetch: {exc}", checked=now)
    if code >= 400:
        return LinkResult(url, "dead", f"{code} {reason}", final, now)
    permanent = [h for h in hops if h[0] in PERMANENT]
    if permanent:
        return LinkResult(url, "moved", f"moved permanently ({permanent[0][0]}) to {final}",
                          final, now)
    if hops:
        return LinkResult(url, "ok", f"{code} {reason} after a temporary redirect "
                                     f"({hops[0][0]}) to {final}", final, now)
    return LinkResult(url, "ok", f"{code} {reason}", final, now)


def _load_cache(path: Path) -> dict[str, dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def check_links(ws: Workspace, *, timeout: float = 10.0, workers: int = 8,
                use_cache: bool = True) -> list[Diagnostic]:
    """A warning, at the source's file:line, for every dead or moved URL."""
    cache_path = ws.layout.links_cache
    cache = _load_cache(cache_path) if use_cache else {}
    now = time.time()
    agent = f"briefgen/{__version__} (checking the sources of {ws.base.publisher.name}" \
            f"'s briefings)" if ws.base.publisher else f"briefgen/{__version__}"
    urls = sorted({rec.source.url for rec in ws.base.sources.values() if rec.source.url})
    fresh = {u: LinkResult(**cache[u]) for u in urls
             if u in cache and now - cache[u].get("checked", 0) < CACHE_SECONDS}
    todo = [u for u in urls if u not in fresh]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for result in pool.map(lambda u: check_url(u, timeout, agent), todo):
            fresh[result.url] = result
    cache.update({u: asdict(r) for u, r in fresh.items()})
    with contextlib.suppress(OSError):  # only a cache: a read-only dist/ is no reason to fail
        write_atomic(cache_path, json.dumps(cache, indent=1, sort_keys=True).encode())
    out = []
    for _, rec in sorted(ws.base.sources.items()):
        result = fresh.get(rec.source.url or "")
        if result is None or result.state == "ok":
            continue
        what = "dead link" if result.state == "dead" else "moved link"
        out.append(rec.file.diag((*rec.path, "url"), f"{what}: {result.detail}",
                                 severity=Severity.WARNING))
    return out
