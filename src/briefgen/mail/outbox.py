"""The dry run: a sample of the messages as ``.eml`` files and a manifest of every
recipient, in ``dist/outbox/<campaign>/``. Nothing is sent and nothing is recorded. A
link at ``dist/outbox`` or at the campaign's folder is replaced by a real folder, never
followed (what it points to is outside the project).

The sample is the first ``sample`` recipients (20 by default) plus the first recipient of
each segment not already among them, so that every segment's message can be opened and
checked. ``manifest.csv`` lists everyone on the list, whether they would be sent the
briefing or why not (suppressed, not in the chosen segments, an invalid row), and the file
of their sample message if one was written. ``everything=True`` (``--outbox-all``) writes
every message, as before: about 130 KB each.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

from ..errors import OutputError
from ..files import OwnFolders, why, write_output
from ..load.project import Layout
from .campaign import Prepared, Summary, by_segment, open_campaigns
from .recipients import Recipient, wire_address

SAMPLE = 20


def _sample(people: list[Recipient], size: int) -> list[Recipient]:
    chosen = people[:size]
    seen = {s for p in chosen for s in p.segments}
    for person in people[size:]:
        new = [s for s in person.segments if s not in seen]
        if new:
            chosen.append(person)
            seen.update(person.segments)
    return chosen


def dry_run(root: Path, prep: Prepared, *, sample: int = SAMPLE,
            everything: bool = False) -> Summary:
    layout = Layout(Path(root))
    # dist/outbox or its campaign folder made a link (by hand, another tool): the link is
    # removed and a real folder made in its place; what it points to is never entered
    outbox = OwnFolders(layout.dist).folder(layout.outbox / prep.campaign)
    try:
        if outbox.exists():
            shutil.rmtree(outbox)  # a real folder now; links inside it are removed, not followed
        outbox.mkdir(parents=True)
    except OSError as exc:
        raise OutputError(why(exc, outbox)) from None
    chosen = prep.selected if everything else _sample(prep.selected, sample)
    written: dict[str, str] = {}
    for n, person in enumerate(chosen, start=1):
        data, _ = prep.composer.render(person)
        safe = re.sub(r"[^A-Za-z0-9@._-]", "_", person.email)
        name = f"{n:04d}-{safe}.eml"
        write_output(outbox / name, data)
        written[person.key] = name
    write_output(outbox / "manifest.csv", _manifest(prep, written))
    notes = []
    older = open_campaigns(layout.root, prep.doc.id, prep.list_name, prep.campaign)
    if older:
        notes.append(f"campaign {', '.join(older)} (an earlier PDF) is not finished: --send "
                     "will refuse until it is, or until you add --new-campaign")
    return Summary(prep.campaign, prep.doc.id, {"would send": len(prep.selected)},
                   by_segment(prep.selected, set()), prep.skipped, prep.problems,
                   outbox=outbox, notes=notes, written=len(written))


def _manifest(prep: Prepared, written: dict[str, str]) -> bytes:
    """One row per person on the list (and per row that could not be read)."""
    selected = {p.key for p in prep.selected}
    reasons = dict(prep.skipped)
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(["line", "email", "name", "segments", "outcome", "reason", "sample"])
    for person in prep.people:
        if person.key in selected:
            outcome = "would send"
            reason = ("needs a server that offers SMTPUTF8 (internationalised address)"
                      if wire_address(person.email)[1] else "")
        else:
            outcome, reason = "skipped", reasons.get(person.email, "")
        out.writerow([person.line, person.email, person.name, ";".join(person.segments),
                      outcome, reason, written.get(person.key, "")])
    for problem in prep.problems:
        out.writerow([problem.location.line, "", "", "", "skipped" if problem.key == "email"
                      else "note", problem.message, ""])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # a BOM, so that Excel reads UTF-8

