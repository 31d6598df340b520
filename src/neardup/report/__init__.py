"""Renderers: a ``Report`` (or a diff) → text for a terminal, JSON, JSON lines or HTML.

``write_output`` writes a rendering atomically (temporary file, then rename), so an interrupted
run leaves the previous file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from neardup.models import Report

__all__ = ["FORMATS", "render_report", "stream_report", "write_output"]

Writer = Callable[[Report, bool, int], Iterator[str]]
"""``writer(report, color, width)``: the report in pieces."""


def _json(report: Report, color: bool, width: int) -> Iterator[str]:
    from neardup.report.json import iter_json

    yield from iter_json(report)
    yield "\n"


def _jsonl(report: Report, color: bool, width: int) -> Iterator[str]:
    from neardup.report.json import iter_jsonl

    yield from iter_jsonl(report)


def _text(report: Report, color: bool, width: int) -> Iterator[str]:
    from neardup.report.text import render_text

    yield render_text(report, color=color, width=width)


def _html(report: Report, color: bool, width: int) -> Iterator[str]:
    from neardup.report.html import render_html

    yield render_html(report)


# The writers by name: a new format is one function and one line here.
_WRITERS: dict[str, Writer] = {"text": _text, "json": _json, "jsonl": _jsonl, "html": _html}
FORMATS = tuple(_WRITERS)


def stream_report(report: Report, fmt: str, *, color: bool = False, width: int = 100) -> Iterator[str]:
    """``report`` in one of ``FORMATS``, in pieces: JSON and JSON lines one entry at a time, so
    writing the report of a large scan does not hold all of it in memory."""
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return writer(report, color, width)


def render_report(report: Report, fmt: str, *, color: bool = False, width: int = 100) -> str:
    """``report`` in one of ``FORMATS``, as one string."""
    return "".join(stream_report(report, fmt, color=color, width=width))


def write_output(path: str | os.PathLike[str], content: str | Iterable[str]) -> None:
    """Write ``content`` (a string, or its pieces) to ``path`` atomically (UTF-8)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        # File names that are not valid UTF-8 reach us as lone surrogates; "\udcff" written as
        # that escape is still valid JSON and names the same file when read back.
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace", newline="") as fh:
            for piece in [content] if isinstance(content, str) else content:
                fh.write(piece)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates 0600; give the file the permissions a plain open() would have.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
