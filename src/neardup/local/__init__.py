"""``scan`` on this machine: the orchestrator (``pipeline.py``), its worker processes
(``workers.py``) and the spill files that keep texts out of memory (``spill.py``)."""

from __future__ import annotations

from neardup.local.pipeline import scan

__all__ = ["scan"]
