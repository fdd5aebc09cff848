"""Defaults shared by the library and the command line (kept free of heavy imports)."""

#: a fact or source older than this many months is reported as stale by ``briefgen check``
DEFAULT_STALE_MONTHS = 12
