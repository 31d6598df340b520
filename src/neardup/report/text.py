"""A readable summary of a scan for the terminal (rich)."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..models import Report

__all__ = ["render_text"]


def _snippet(report: Report, path: str, start: int, end: int, width: int = 40) -> str:
    doc = next((d for d in report.documents if d.path == path), None)
    if doc is None:
        return ""
    text = " ".join(doc.text[start:end].split())
    return text[:width] + ("…" if len(text) > width else "")


def render_text(report: Report, *, color: bool = False, width: int = 100) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False)
    stats = report.stats
    console.print(
        Text.assemble(
            ("neardup ", "bold"), f"{report.version}: ",
            f"{stats.get('documents', 0)} documents, {stats.get('passages', 0)} passages, ",
            (f"{len(report.clusters)} clusters", "bold green"),
            f", {len(report.skipped)} skipped, {stats.get('seconds', 0)} s",
        )
    )
    for cluster in report.clusters:
        table = Table(title=f"cluster {cluster.id} — {len(cluster.members)} versions", title_justify="left",
                      show_lines=False, expand=True)
        table.add_column("", width=2)
        table.add_column("file", overflow="fold", ratio=3)
        table.add_column("span", justify="right", no_wrap=True)
        table.add_column("sim", justify="right", no_wrap=True)
        table.add_column("cont", justify="right", no_wrap=True)
        table.add_column("text", overflow="ellipsis", ratio=4)
        for k, m in enumerate(cluster.members):
            note = "" if m.diff is None else f"  [{m.diff.verdict}]"
            label = (m.title or _snippet(report, m.path, m.start, m.end)) + note
            table.add_row("★" if k == 0 else "", Text(m.path), f"{m.start}-{m.end}", f"{m.similarity:.2f}",
                          f"{m.containment:.2f}", Text(label))
        console.print(table)
    damaged = [d for d in report.documents if d.decode_errors == "replace"]
    for d in damaged:
        console.print(Text.assemble(("note", "yellow"), f": {d.path} is partly corrupt; undecodable bytes were replaced"))
    if report.skipped:
        console.print(f"[bold]skipped[/bold] ({len(report.skipped)}):")
        for s in report.skipped[:50]:
            console.print(f"  {s.path}: {s.reason}", markup=False)
        if len(report.skipped) > 50:
            console.print(f"  … and {len(report.skipped) - 50} more (see --format json)")
    if not report.clusters:
        console.print("no near-duplicates found")
    return buffer.getvalue()
