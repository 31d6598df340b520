"""An ``Explanation`` for the terminal (rich: inline or side by side, the kind named per change)
and as JSON.

Inline, each change is one line: its number, kind, offsets, and the change in A's text around it
(within the compared span), ``[-deleted-]{+inserted+}`` (coloured, without the brackets, on a
terminal). Side by side, a table shows A's context with the deletion next to B's with the
insertion. Line breaks show as ``↵``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from neardup.diff.classify import KINDS, SUBSTANTIVE_KINDS, Difference, Explanation

__all__ = ["KIND_STYLES", "render_diff_json", "render_diff_text"]

KIND_STYLES = {
    "wording": "bold magenta",
    "number": "bold cyan",
    "ocr": "bold yellow",
    "punctuation": "bold blue",
    "script": "green",
    "width": "bright_black",
    "layout": "bright_black",
}
_CONTEXT = 14
_LONGEST = 60


def _flat(text: str) -> str:
    """One display line: line breaks become ↵, tabs a space."""
    return text.replace("\r\n", "↵").replace("\n", "↵").replace("\r", "↵").replace("\t", " ")


def _clip(text: str, limit: int = _LONGEST) -> str:
    if len(text) <= limit:
        return text
    half = (limit - 12) // 2
    return f"{text[:half]}…(+{len(text) - 2 * half}) …{text[-half:]}"


def _changed(text: str, style: str, marks: tuple[str, str], color: bool) -> Text:
    shown = _flat(_clip(text))
    return Text(shown, style=style) if color else Text(f"{marks[0]}{shown}{marks[1]}")


def _inline(d: Difference, a_text: str, span: tuple[int, int], color: bool) -> Text:
    before = _flat(a_text[max(span[0], d.a_start - _CONTEXT):d.a_start])
    after = _flat(a_text[d.a_end:min(span[1], d.a_end + _CONTEXT)])
    line = Text("…" + before, style="dim" if color else "")
    if d.a_text:
        line.append_text(_changed(d.a_text, "red strike", ("[-", "-]"), color))
    if d.b_text:
        line.append_text(_changed(d.b_text, "green underline", ("{+", "+}"), color))
    line.append(after + "…", style="dim" if color else "")
    return line


def _side(text: str, span: tuple[int, int], start: int, end: int, style: str, marks: tuple[str, str],
          color: bool) -> Text:
    line = Text("…" + _flat(text[max(span[0], start - _CONTEXT):start]), style="dim" if color else "")
    if end > start:
        line.append_text(_changed(text[start:end], style, marks, color))
    line.append(_flat(text[end:min(span[1], end + _CONTEXT)]) + "…", style="dim" if color else "")
    return line


def _counts_line(explanation: Explanation) -> str:
    substantive = [f"{k} {explanation.counts[k]}" for k in KINDS if k in SUBSTANTIVE_KINDS]
    cosmetic = [f"{k} {explanation.counts[k]}" for k in KINDS if k not in SUBSTANTIVE_KINDS]
    return " · ".join(substantive) + "  |  " + " · ".join(cosmetic)


def render_diff_text(
    explanation: Explanation,
    a_text: str,
    b_text: str,
    *,
    a_label: str = "A",
    b_label: str = "B",
    kinds: Iterable[str] | None = None,
    side_by_side: bool = False,
    color: bool = False,
    width: int = 100,
) -> str:
    """The changes of ``kinds`` (default: the substantive ones) with a summary header."""
    shown_kinds = [k for k in KINDS if k in (set(kinds) if kinds is not None else SUBSTANTIVE_KINDS)]
    hidden = [k for k in KINDS if k not in shown_kinds]
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False,
                      emoji=False)
    (a0, a1), (b0, b1) = explanation.a_span, explanation.b_span
    console.print(Text.assemble(("A  ", "bold"), f"{a_label}  [{a0}-{a1}]"))
    console.print(Text.assemble(("B  ", "bold"), f"{b_label}  [{b0}-{b1}]"))
    console.print(Text.assemble(("verdict  ", "bold"), explanation.verdict))
    console.print(Text.assemble(("counts   ", "bold"), _counts_line(explanation)))
    console.print(Text.assemble(("changed  ", "bold"), f"{explanation.changed_share:.1%} of characters"))
    note = f" (hidden: {', '.join(hidden)}; --all-kinds shows them)" if hidden else ""
    console.print(Text.assemble(("showing  ", "bold"), ", ".join(shown_kinds) + note))
    listed = [(n, d) for n, d in enumerate(explanation.differences, 1) if d.kind in shown_kinds]
    if not listed:
        console.print("no differences of these kinds")
        return buffer.getvalue()
    if side_by_side:
        table = Table(show_header=True, header_style="bold", expand=True, show_lines=False)
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("kind", no_wrap=True)
        table.add_column(Text(f"A {a_label}"), overflow="fold", ratio=1)  # Text: a file name is not markup
        table.add_column(Text(f"B {b_label}"), overflow="fold", ratio=1)
        for n, d in listed:
            table.add_row(str(n), Text(d.kind, style=KIND_STYLES[d.kind] if color else ""),
                          _side(a_text, explanation.a_span, d.a_start, d.a_end, "red strike", ("[-", "-]"), color),
                          _side(b_text, explanation.b_span, d.b_start, d.b_end, "green underline", ("{+", "+}"),
                                color))
        console.print(table)
        return buffer.getvalue()
    for n, d in listed:
        head = Text(f"{n:>4}  ")
        head.append(f"{d.kind:<11}", style=KIND_STYLES[d.kind] if color else "")
        head.append(f" A {d.a_start}-{d.a_end}  B {d.b_start}-{d.b_end}  ", style="dim" if color else "")
        head.append_text(_inline(d, a_text, explanation.a_span, color))
        console.print(head, soft_wrap=True)  # one line per change, however long; the terminal wraps it
    return buffer.getvalue()


def render_diff_json(explanation: Explanation, *, a_label: str = "A", b_label: str = "B") -> str:
    """Every difference (all kinds) with the summary; offsets into each original text."""
    data = explanation.to_dict()
    (a0, a1), (b0, b1) = explanation.a_span, explanation.b_span
    out = {
        "a": {"label": a_label, "start": a0, "end": a1},
        "b": {"label": b_label, "start": b0, "end": b1},
        **{k: v for k, v in data.items() if k not in ("a_span", "b_span")},
    }
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"
