"""Self-contained HTML: a scan report, or one diff.

Each cluster member is shown side by side with the canonical member, paragraph by paragraph, its
changes coloured by kind; a legend with one checkbox per kind switches the colouring (substantive
kinds on by default). A switched-off layout, width or script change shows each side's text as a
reader sees it; switched on, a layout change shows its raw characters (``↵`` for a line break,
``·`` for a space, markup as written).

Safety: the file loads nothing (CSS and JS are inline), every input text and file name goes
through jinja2's autoescape, and a Content-Security-Policy allows only this page's own script (by
its hash), so even text that slipped past escaping could not run.
"""

from __future__ import annotations

import base64
import hashlib
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jinja2

from neardup.diff.classify import COSMETIC_KINDS, KINDS, SUBSTANTIVE_KINDS, Explanation, explain_member
from neardup.models import Block, Cluster, Report

__all__ = ["Part", "Row", "pair_rows", "render_diff_html", "render_html"]

KIND_LABELS = {
    "wording": "wording",
    "number": "numbers",
    "ocr": "OCR slips",
    "punctuation": "punctuation",
    "script": "trad./simp.",
    "width": "full/half width",
    "layout": "layout",
}
_PARAGRAPH_END = re.compile(r"\n[\n\r\t \u3000]*")


@dataclass(frozen=True, slots=True)
class Part:
    """A stretch of one side of a pair. ``kind`` is empty for text equal on both sides; ``marked``
    is what shows while the kind is switched on, where that differs from ``text``."""

    text: str
    kind: str = ""
    marked: str | None = None
    index: int = 0
    title: str = ""


@dataclass(frozen=True, slots=True)
class Row:
    """One paragraph (or so) of each side, so the two columns stay level."""

    a: tuple[Part, ...]
    b: tuple[Part, ...]


class _Display:
    """What a reader sees of a raw range: markup inside blocks dropped, character references
    decoded, text outside blocks (furniture) left out, a paragraph break between blocks."""

    def __init__(self, text: str, blocks: Sequence[Block] | None) -> None:
        self.text = text
        self.blocks = sorted(blocks or (), key=lambda b: b.start) if blocks is not None else None
        self.starts = [b.start for b in self.blocks or ()]

    def __call__(self, x: int, y: int) -> str:
        if self.blocks is None:
            return self.text[x:y]
        out: list[str] = []
        k = max(0, bisect_right(self.starts, x) - 1)
        pos = x
        while pos < y and k < len(self.blocks):
            block = self.blocks[k]
            if block.end <= pos:
                k += 1
                continue
            if block.start > pos:
                # Between blocks: the break is drawn once, by the range holding its last character.
                if k > 0 and y >= block.start:
                    out.append("\n\n")
                pos = min(block.start, y)
                continue
            hi = min(block.end, y)
            for edit in block.edits:
                if edit.end <= pos or edit.start >= hi:
                    continue
                out.append(self.text[pos:max(pos, edit.start)])
                if edit.start >= pos:
                    out.append(edit.text)
                pos = max(pos, edit.end)
            out.append(self.text[pos:hi])
            pos = hi
        return "".join(out)


def _raw(text: str) -> str:
    """Raw characters made visible on one line: a line break as ↵, a space as ·."""
    return text.replace("\r", "").replace("\n", "↵").replace(" ", "·").replace("\u3000", "□").replace("\t", "→")


def _split_raw(text: str) -> tuple[str, str]:
    """Raw ``text`` cut after its last line break, both halves made visible."""
    last = None
    for match in _PARAGRAPH_END.finditer(text):
        last = match
    if last is None:
        return _raw(text), ""
    return _raw(text[:last.end()]), _raw(text[last.end():])


def _cut_paragraphs(text: str) -> list[str]:
    """``text`` cut after each paragraph break (the break itself dropped: the row ends there)."""
    pieces: list[str] = []
    pos = 0
    for m in _PARAGRAPH_END.finditer(text):
        pieces.append(text[pos:m.start()])
        pos = m.end()
    pieces.append(text[pos:])
    return pieces


def _split_last_break(text: str) -> tuple[str, str]:
    """``text`` cut at its last paragraph break (dropped; the row ends there)."""
    last = None
    for match in _PARAGRAPH_END.finditer(text):
        last = match
    if last is None:
        return text, ""
    return text[:last.start()], text[last.end():]


def pair_rows(
    explanation: Explanation,
    a_text: str,
    b_text: str,
    a_blocks: Sequence[Block] | None = None,
    b_blocks: Sequence[Block] | None = None,
) -> list[Row]:
    """Both compared spans as rows of parts, every difference a coloured part on each side."""
    show_a, show_b = _Display(a_text, a_blocks), _Display(b_text, b_blocks)
    rows: list[Row] = []
    cur_a: list[Part] = []
    cur_b: list[Part] = []

    def close_row() -> None:
        for side in (cur_a, cur_b):  # the row's end stands for the break; blank lines would only pad it
            if side and side[-1].text.endswith("\n"):
                last = side[-1]
                side[-1] = Part(last.text.rstrip("\n\r\t \u3000"), last.kind, last.marked, last.index, last.title)
        if any(p.text or p.marked for p in cur_a + cur_b):
            rows.append(Row(tuple(cur_a), tuple(cur_b)))
        cur_a.clear()
        cur_b.clear()

    def equal(a0: int, a1: int, b0: int, b1: int) -> None:
        paragraphs_a, paragraphs_b = _cut_paragraphs(show_a(a0, a1)), _cut_paragraphs(show_b(b0, b1))
        if len(paragraphs_a) != len(paragraphs_b):  # furniture on one side: keep it in one row
            paragraphs_a, paragraphs_b = ["\n\n".join(paragraphs_a)], ["\n\n".join(paragraphs_b)]
        for k, (pa, pb) in enumerate(zip(paragraphs_a, paragraphs_b)):
            if k:
                close_row()
            cur_a.append(Part(pa))
            cur_b.append(Part(pb))

    pos_a, pos_b = explanation.a_span[0], explanation.b_span[0]
    for n, d in enumerate(explanation.differences, 1):
        equal(pos_a, d.a_start, pos_b, d.b_start)
        title = f"#{n} {d.kind} ({d.op})"
        seen_a, seen_b = show_a(d.a_start, d.a_end), show_b(d.b_start, d.b_end)
        marked_a = _raw(d.a_text) if d.kind == "layout" else ("‸" if not seen_a else None)
        marked_b = _raw(d.b_text) if d.kind == "layout" else ("‸" if not seen_b else None)
        if _PARAGRAPH_END.search(seen_a) and _PARAGRAPH_END.search(seen_b):
            # A paragraph break on both sides: the row ends inside this change.
            (head_a, tail_a), (head_b, tail_b) = _split_last_break(seen_a), _split_last_break(seen_b)
            raw_a, rest_a = _split_raw(d.a_text) if d.kind == "layout" else (marked_a, None)
            raw_b, rest_b = _split_raw(d.b_text) if d.kind == "layout" else (marked_b, None)
            cur_a.append(Part(head_a, d.kind, raw_a, n, title))
            cur_b.append(Part(head_b, d.kind, raw_b, n, title))
            close_row()
            cur_a.append(Part(tail_a, d.kind, rest_a, n, title))
            cur_b.append(Part(tail_b, d.kind, rest_b, n, title))
        else:
            cur_a.append(Part(seen_a, d.kind, marked_a, n, title))
            cur_b.append(Part(seen_b, d.kind, marked_b, n, title))
            # A paragraph present on one side only gets a row of its own.
            if (not seen_a.strip() and seen_b.strip() and seen_b.endswith("\n")) or (
                    not seen_b.strip() and seen_a.strip() and seen_a.endswith("\n")):
                close_row()
        pos_a, pos_b = d.a_end, d.b_end
    equal(pos_a, explanation.a_span[1], pos_b, explanation.b_span[1])
    close_row()
    return rows


# ---------------------------------------------------------------------------------------------
# Pages


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("neardup", "report/templates"),
        autoescape=True,  # every .j2 here is HTML (or CSS/JS without input text)
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@lru_cache(maxsize=1)
def _assets() -> tuple[str, str, str]:
    """(CSS, JS, the JS's CSP hash source)."""
    env = _environment()
    css = env.get_template("style.css.j2").render()
    script = env.get_template("filter.js.j2").render()
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return css, script, f"'sha256-{digest}'"


def _page(template: str, *, default_kinds: Sequence[str], totals: dict[str, int], **context: Any) -> str:
    css, script, script_hash = _assets()
    kinds = [
        {"name": k, "label": KIND_LABELS[k], "checked": k in default_kinds, "count": totals.get(k, 0),
         "cosmetic": k in COSMETIC_KINDS}
        for k in KINDS
    ]
    html: str = _environment().get_template(template).render(
        css=css, script=script, script_hash=script_hash, kinds=kinds,
        body_classes=" ".join(f"on-{k}" for k in default_kinds), **context,
    )
    return html


def _pair_view(explanation: Explanation, a: tuple[str, Sequence[Block] | None, str],
               b: tuple[str, Sequence[Block] | None, str], **extra: Any) -> dict[str, Any]:
    """What the pair template shows; ``a``/``b`` are (text, blocks, label)."""
    (a_text, a_blocks, a_label), (b_text, b_blocks, b_label) = a, b
    return {
        "a_label": a_label,
        "b_label": b_label,
        "verdict": explanation.verdict,
        "counts": [(k, explanation.counts[k]) for k in KINDS if explanation.counts[k]],
        "changed_share": explanation.changed_share,
        "rows": pair_rows(explanation, a_text, b_text, a_blocks, b_blocks),
        **extra,
    }


def _cluster_view(report: Report, cluster: Cluster, totals: dict[str, int]) -> dict[str, Any]:
    head = cluster.members[0]
    head_doc = report.document_of(head)
    pairs = []
    for member in cluster.members[1:]:
        explanation = explain_member(report, cluster, member)
        doc = report.document_of(member)
        if explanation is None or head_doc is None or doc is None:
            continue
        for kind, count in explanation.counts.items():
            totals[kind] = totals.get(kind, 0) + count
        pairs.append(_pair_view(
            explanation,
            (head_doc.text, head_doc.blocks, f"{head.path}:{head.start}-{head.end}"),
            (doc.text, doc.blocks, f"{member.path}:{member.start}-{member.end}"),
            similarity=member.similarity, containment=member.containment,
        ))
    return {
        "id": cluster.id,
        "title": next((m.title for m in cluster.members if m.title), None) or head.path,
        "members": cluster.members,
        "pairs": pairs,
    }


def render_html(report: Report, *, all_kinds: bool = False) -> str:
    """The scan report as one HTML file: clusters, each member beside the canonical one."""
    totals: dict[str, int] = {}
    clusters = [_cluster_view(report, c, totals) for c in report.clusters]
    return _page(
        "report.html.j2",
        default_kinds=KINDS if all_kinds else [k for k in KINDS if k in SUBSTANTIVE_KINDS],
        totals=totals,
        version=report.version,
        stats=report.stats,
        clusters=clusters,
        skipped=report.skipped,
    )


def render_diff_html(
    explanation: Explanation,
    a_label: str,
    b_label: str,
    a_text: str,
    b_text: str,
    *,
    a_blocks: Sequence[Block] | None = None,
    b_blocks: Sequence[Block] | None = None,
    all_kinds: bool = False,
) -> str:
    """One comparison (``neardup diff --format html``) as an HTML file. Without blocks a text is
    shown as it is written; with a document's blocks, as a reader sees it."""
    view = _pair_view(explanation, (a_text, a_blocks, a_label), (b_text, b_blocks, b_label))
    return _page(
        "diff.html.j2",
        default_kinds=KINDS if all_kinds else [k for k in KINDS if k in SUBSTANTIVE_KINDS],
        totals=dict(explanation.counts),
        pair=view,
    )
