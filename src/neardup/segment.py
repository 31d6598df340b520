"""Documents → article passages with spans.

A web page or a post with front matter is one article: its passage runs from the first to the last
content block. A plain-text or Markdown file may be a newspaper page holding several articles; it
is cut at article headlines:

* Markdown headings: the *article level* is the highest heading level used at least twice (a page
  has one ``#`` masthead, several ``##`` headlines, ``###`` subheads). Headings at that level or
  above start a passage; deeper ones stay inside it.
* Without headings: a headline is a short line that does not end like a sentence, follows the end
  of a paragraph (or the top of the page), and is followed within three short lines (subtitle,
  byline) by a body paragraph. Lines opening with a bullet (``●``) are subheads, never headlines.
* Continuation markers cut too: ``（上接第一版）`` opens a passage, ``（下转第四版）`` closes one.

Cutting too often is cheap, cutting too rarely is not: the cluster stage merges neighbouring
passages of one file that matched the same story, so a section cut from its article comes back.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .models import Document, Passage

__all__ = ["segment"]

_HEADLINE_MAX = 40
_BODY_MIN = 50
_MD_HEADING = re.compile(r"#{1,6}(?=[ \t])")
_SENTENCE_END = tuple("。，,；;：:、")
_BULLETS = tuple("●■◆▲★□◇○•·-—*")
_CONTINUED_FROM = re.compile(r"^[（(]\s*上接第?[一二三四五六七八九十百\d]+[版页面]")
_CONTINUED_TO = re.compile(r"[（(]\s*下转第?[一二三四五六七八九十百\d]+[版页面]\s*[）)]\s*$")


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int
    text: str
    heading: int  # Markdown heading level, 0 if none


def segment(doc: Document, doc_index: int = 0) -> list[Passage]:
    """Cut ``doc`` into article passages, in document order."""
    if not doc.blocks:
        return []
    if doc.laid_out:
        start, end = doc.blocks[0].start, doc.blocks[-1].end
        title = doc.title or _first_heading(doc)
        return [Passage(doc_index, doc.path, start, end, title)]
    passages: list[Passage] = []
    for block in doc.blocks:
        lines = _lines(doc.text, block.start, block.end)
        for first, last, title in _articles(lines):
            passages.append(Passage(doc_index, doc.path, lines[first].start, lines[last].end, title))
    if len(passages) == 1 and passages[0].title is None and doc.title:
        p = passages[0]
        passages[0] = Passage(p.doc, p.path, p.start, p.end, doc.title)
    return passages


def _first_heading(doc: Document) -> str | None:
    for block in doc.blocks:
        if block.kind in ("heading", "title"):
            text = doc.text[block.start:block.end]
            return re.sub(r"<[^>]*>", "", text).strip() or None
    return None


def _lines(text: str, start: int, end: int) -> list[_Line]:
    lines: list[_Line] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        raw = text[pos:stop]
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            s = pos + lead
            e = s + len(stripped)
            match = _MD_HEADING.match(stripped)
            level = len(match.group(0)) if match else 0
            lines.append(_Line(s, e, stripped, level))
        pos = stop + 1
    return lines


def _articles(lines: list[_Line]) -> list[tuple[int, int, str | None]]:
    """(first line, last line, title) of each passage."""
    if not lines:
        return []
    levels = Counter(line.heading for line in lines if line.heading)
    if levels:
        repeated = [lvl for lvl, n in sorted(levels.items()) if n >= 2]
        article_level = repeated[0] if repeated else min(levels)
        starts = {i for i, line in enumerate(lines) if 0 < line.heading <= article_level}
    else:
        starts = _headline_starts(lines)
    for i, line in enumerate(lines):
        if _CONTINUED_FROM.match(line.text):
            starts.add(i)
        if _CONTINUED_TO.search(line.text) and i + 1 < len(lines):
            starts.add(i + 1)
    starts.add(0)
    ordered = sorted(starts)
    out: list[tuple[int, int, str | None]] = []
    for k, first in enumerate(ordered):
        last = (ordered[k + 1] if k + 1 < len(ordered) else len(lines)) - 1
        title = _title_of(lines[first]) if (lines[first].heading or first in starts and first != 0
                                            or _looks_like_headline(lines, first)) else None
        if title is not None and _CONTINUED_FROM.match(lines[first].text):
            title = None
        out.append((first, last, title))
    return out


def _title_of(line: _Line) -> str:
    return line.text.lstrip("#").strip()


def _is_short(line: _Line) -> bool:
    return len(line.text) <= _HEADLINE_MAX


def _ends_sentence(text: str) -> bool:
    return text.endswith(("。", "！", "？", "!", "?", "”", "」", "）", ")", "…")) or text.endswith("。”")


def _looks_like_headline(lines: list[_Line], i: int) -> bool:
    line = lines[i]
    if not _is_short(line) or line.text.endswith(_SENTENCE_END) or line.text.startswith(_BULLETS):
        return False
    if _CONTINUED_FROM.match(line.text) or _CONTINUED_TO.search(line.text):
        return False
    for j in range(i + 1, min(i + 5, len(lines))):
        if len(lines[j].text) >= _BODY_MIN:
            return True
        if not _is_short(lines[j]):
            return False
    return False


def _headline_starts(lines: list[_Line]) -> set[int]:
    starts: set[int] = set()
    i = 0
    while i < len(lines):
        prev_done = i == 0 or _ends_sentence(lines[i - 1].text) or _is_short(lines[i - 1])
        if prev_done and _looks_like_headline(lines, i) and not (i > 0 and (i - 1) in starts):
            starts.add(i)
            # subtitle and byline lines under the headline belong to it
            while i + 1 < len(lines) and _is_short(lines[i + 1]) and len(lines[i + 1].text) < _BODY_MIN:
                i += 1
        i += 1
    return starts
