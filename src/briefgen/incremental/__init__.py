"""Incremental builds: the dependency manifest, planning, parallel rendering, atomic output."""
