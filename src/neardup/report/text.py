"""A readable summary of a scan for the terminal (rich)."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from neardup.models import Member, Report

__all__ = ["render_text"]


def _snippet(report: Report, member: Member, width: int = 40) -> str:
    doc = report.document_of(member)
    if doc is None:
        return ""
    text = " ".join(doc.text[member.start:member.end].split())
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
            label = (m.title or _snippet(report, m)) + note
            table.add_row("★" if k == 0 else "", Text(m.path), f"{m.start}-{m.end}", f"{m.similarity:.2f}",
                          f"{m.containment:.2f}", Text(label))
        console.print(table)
    if report.archive_matches:
        count = len(report.archive_matches)
        table = Table(title=f"in the archive — {count} match{'' if count == 1 else 'es'}", title_justify="left",
                      expand=True)
        table.add_column("passage", overflow="fold", ratio=3)
        table.add_column("archived", overflow="fold", ratio=3)
        table.add_column("sim", justify="right", no_wrap=True)
        table.add_column("cont", justify="right", no_wrap=True)
        table.add_column("title", overflow="ellipsis", ratio=3)
        for match in report.archive_matches:
            here, there = match["passage"], match["archive"]
            table.add_row(Text(f"{here['path']} {here['start']}-{here['end']}"),
                          Text(f"{there['id']} {there['start']}-{there['end']}"),
                          f"{match['similarity']:.2f}", f"{match['containment']:.2f}", Text(there.get("title") or ""))
        console.print(table)
    elif report.archive_matches is not None:
        console.print("nothing found in the archive")
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
