"""The persistent archive index (:class:`Index`, :class:`Match`; ``index.py``) and the storage
behind it (``sqlite.py``: format version, matching fingerprint, the SQLite implementation)."""

from __future__ import annotations

from neardup.archive.index import Index, Match, index_config, migrate

__all__ = ["Index", "Match", "index_config", "migrate"]
