"""Renderers: a ``Report`` (or a diff) → text for a terminal, JSON, JSON lines or HTML.

``write_output`` writes a rendering atomically (temporary file, then rename), so an interrupted
run leaves the previous file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from neardup.models import Report

__all__ = ["FORMATS", "render_report", "stream_report", "write_output"]

FORMATS = ("text", "json", "jsonl", "html")


def render_report(report: Report, fmt: str, *, color: bool = False, width: int = 100) -> str:
    """``report`` in one of ``FORMATS``."""
    if fmt == "json":
        return report.to_json() + "\n"
    if fmt == "jsonl":
        return report.to_jsonl()
    if fmt == "text":
        from neardup.report.text import render_text

        return render_text(report, color=color, width=width)
    if fmt == "html":
        from neardup.report.html import render_html

        html: str = render_html(report)
        return html
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def stream_report(report: Report, fmt: str, *, color: bool = False, width: int = 100) -> Iterator[str]:
    """:func:`render_report` in pieces: JSON and JSON lines one entry at a time, so writing the
    report of a large scan does not hold all of it in memory."""
    if fmt == "json":
        yield from report.iter_json()
        yield "\n"
    elif fmt == "jsonl":
        yield from report.iter_jsonl()
    else:
        yield render_report(report, fmt, color=color, width=width)


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
