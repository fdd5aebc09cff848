"""What the mail step sends: a published edition, never whatever happens to be in dist/.

A campaign mails the briefing's latest edition, so that the organisation can always show
what its supporters received (``editions/<id>/<name>/`` is kept in git). The current build
must *be* that edition: unpublished changes stop the run with what to do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ContentError, MailError
from . import store
from .archive import archive, verified
from .snapshot import normalised, same_content, snapshot

if TYPE_CHECKING:
    from ..workspace import Workspace


def edition_to_mail(ws: Workspace, bid: str) -> tuple[store.Edition, bytes]:
    """The latest edition of ``bid`` and its screen PDF, checked against the current build
    and against the hashes recorded when it was published."""
    found = store.editions(ws.layout, bid)
    if not found:
        raise MailError(f"{bid} has no published edition: mail sends editions, so that what "
                         f"readers received is kept. Publish it first: briefgen publish {bid} "
                         f"(a test message works without: --test you@example.org)")
    latest = found[-1]
    doc = ws.document(bid)
    if doc is None:
        raise ContentError(list(ws.state(bid).errors))
    old = latest.snapshot()
    try:
        same = same_content(old, normalised(snapshot(ws, doc)))
    except (KeyError, TypeError, AttributeError) as exc:
        raise latest.damaged(exc) from None
    if not same:
        raise MailError(f"{bid} has changes since its latest edition ({latest.name}): see "
                         f"them with briefgen diff {bid}, then publish them (briefgen publish "
                         f"{bid}) before mailing")
    entry = next(e for e in archive(ws.layout, bid) if e.name == latest.name)
    return latest, verified(entry)
