"""Editions: every published version of a briefing, what changed between them, and telling
readers.

- :mod:`.store`: the archive ``editions/<id>/<date>-<n>/`` and reading it;
- :mod:`.snapshot`: the resolved document as deterministic JSON;
- :mod:`.diff`: what changed between two snapshots, as data;
- :mod:`.words`: changes in words (the diff, the box, a one-line summary);
- :mod:`.box`: the "What's new in this edition" box, :func:`change_summary` for mail and web;
- :mod:`.compare`: ``briefgen diff`` and ``briefgen editions``;
- :mod:`.publish`: ``briefgen publish``.

The package imports nothing itself: the workspace imports the box while it evaluates a
briefing, and the public API (``briefgen.publish``, ``briefgen.compare_editions``,
``briefgen.list_editions``, ``briefgen.change_summary``, ``briefgen.whats_new``) loads each
module when first used.
"""
