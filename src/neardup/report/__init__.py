"""Renderers: a ``Report`` (or a diff) → text for a terminal, JSON, JSON lines or HTML.

``write_output`` writes a rendering atomically (temporary file, then rename), so an interrupted
run leaves the previous file or the new one, never half of one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..models import Report

__all__ = ["FORMATS", "render_report", "write_output"]

FORMATS = ("text", "json", "jsonl", "html")


def render_report(report: Report, fmt: str, *, color: bool = False, width: int = 100) -> str:
    """``report`` in one of ``FORMATS``."""
    if fmt == "json":
        return report.to_json() + "\n"
    if fmt == "jsonl":
        return report.to_jsonl()
    if fmt == "text":
        from .text import render_text

        return render_text(report, color=color, width=width)
    if fmt == "html":
        from .html import render_html

        html: str = render_html(report)
        return html
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def write_output(path: str | os.PathLike[str], content: str) -> None:
    """Write ``content`` to ``path`` atomically (UTF-8)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        # File names that are not valid UTF-8 reach us as lone surrogates; "\udcff" written as
        # that escape is still valid JSON and names the same file when read back.
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace", newline="") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates 0600; give the file the permissions a plain open() would have.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
