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
* A dateline paragraph (``本报北京１月５日讯``, ``新华社…电``) opens an article: at the short
  headline lines right above it when there are some, else at the dateline itself (an article
  printed without a headline).

Hard-wrapped text (every line of a paragraph cut at one column width, as OCR and print-era
archives give it) is read as paragraphs first: when most lines share one length, a line of that
length runs on into the next one. Otherwise every line would be "short" and headline shape would
tell nothing.

Cutting too often is cheap, cutting too rarely is not: the cluster stage merges neighbouring
passages of one file that matched the same story, so a section cut from its article comes back.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from typing import Final, NamedTuple

import numpy as np
import numpy.typing as npt

from neardup.lexicon import BYLINE_WORDS, CONTACT_LABELS, NEWS_AGENCIES, PAGE_ROLE_LABELS
from neardup.models import Document, Passage
from neardup.normalize import code_points, normalize

__all__ = ["Page", "segment"]

_HEADLINE_MAX: Final = 40
_COHESION: Final = 0.07
_SAME_STORY: Final = 0.015
_MD_HEADING: Final = re.compile(r"#{1,6}(?=[ \t])")
_SENTENCE_END: Final = tuple("。，,；;：:、")
# Subheads inside an article open with these; brief headlines in a 简讯 column open with ■▲◆★.
_SUBHEAD_BULLETS: Final = tuple("●○•·-*")
_HEADLINE_BULLETS: Final = tuple("■▲◆★□◇")
_BYLINE: Final = re.compile(r"^(?:——|—|－－)|" + "|".join(BYLINE_WORDS) + r"|^文/|^图/|摄$")
# Page furniture between articles: mastheads with date and page anywhere in the line; editor
# credits and phone numbers opening it. Two patterns, searched and matched, because one search for
# all five tried the anchored ones at every position of the line (twice the time).
_FURNITURE_ANYWHERE: Final = re.compile(r"第[一二三四五六七八九十百\d]+版|星期[一二三四五六日天]")
_FURNITURE_OPENING: Final = re.compile("|".join(f"{label}[:：]" for label in PAGE_ROLE_LABELS)
                                      + f"|(?:{'|'.join(CONTACT_LABELS)})[:：]" + r"|[\d\s\-—]{5,}$")
_CONTINUED_FROM: Final = re.compile(r"^[（(]\s*上接第?[一二三四五六七八九十百\d]+[版页面]")
_CONTINUED_TO: Final = re.compile(r"[（(]\s*下转第?[一二三四五六七八九十百\d]+[版页面]\s*[）)]\s*$")
# What ``str.strip`` keeps of one line: regex ``\s`` is exactly ``str.isspace``, and only "\n"
# separates lines, so each match is one non-blank line, stripped, with its offsets.
_LINE_CONTENT: Final = re.compile(r"\S(?:[^\n]*\S)?")
_CONTINUATION: Final = {(True, False): "from", (False, True): "to", (True, True): "both"}
# A dateline opens the first paragraph of an agency or own-correspondent story: 本报讯, 本报北京１月
# ５日讯, 新华社北京十二月三十一日电, 据新华社…电. Sentence punctuation may not come before 讯/电.
_DATELINE: Final = re.compile(f"(?:据)?(?:{'|'.join(NEWS_AGENCIES)})" + r"[^，。；：,;:！？]{0,24}?[讯电]")
# A line wholly in brackets is a credit or a caption (（方明）, （新华社记者戴浩摄）, （传真照片）):
# it closes the article above or sits under a picture, never heads an article.
_CREDIT: Final = re.compile(r"[（(][^）)]{1,40}[）)]")
# A headline may end in a note of the pictures printed with it: （附图片１张）, （图片）.
_PICTURE_NOTE: Final = re.compile(r"[（(](?:附)?图片?[^）)]{0,8}[）)]$")
# A photo caption sits inside its article: 图为…, 上图…, 图片：…, or a line ending in 摄）.
_CAPTION: Final = re.compile(r"^(?:图为|[上下左右]图|图片?[：:]|图\d)|摄[）)]?$")
# Wrapped text: lines near the most common length must be this share of the lines, and lines
# more than one character longer (headlines set wider than the column) at most _WRAP_LONGER.
_WRAP_SHARE: Final = 0.35
_WRAP_LONGER: Final = 0.2
_WRAP_MIN: Final = 8
_WRAP_MAX: Final = 60


class _Line(NamedTuple):
    """A non-blank line, stripped. A named tuple, not a dataclass: a page has thousands of lines,
    and the shape tests every rule asks are answered once here instead of at each rule."""

    start: int
    end: int
    text: str
    heading: int  # Markdown heading level, 0 if none
    short: bool  # no longer than a headline can be
    furniture: bool  # page furniture: masthead with date or page, editor credits, phone numbers


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
        lines = _paragraphs(doc.text, _lines(doc.text, block.start, block.end))
        for first, last, title in _articles(lines):
            body = [line.text for line in lines[first:last + 1] if not line.heading]
            marks = (bool(body) and bool(_CONTINUED_FROM.match(body[0])),
                     bool(body) and bool(_CONTINUED_TO.search("".join(body[-2:]))))
            continued = _CONTINUATION.get(marks)
            passages.append(Passage(doc_index, doc.path, lines[first].start, lines[last].end, title, continued))
    if len(passages) == 1 and passages[0].title is None and doc.title:
        p = passages[0]
        passages[0] = Passage(p.doc, p.path, p.start, p.end, doc.title)
    return passages


class Page:
    """A document as the cluster stage asks about it, where segmentation left several stories in
    one passage: which article boundaries its lines show. Each block is cut into lines once."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._lined: dict[int, tuple[list[_Line], list[_Line]]] = {}

    def _block_lines(self, k: int) -> tuple[list[_Line], list[_Line]]:
        """Block ``k``'s physical lines and its paragraph lines."""
        if k not in self._lined:
            block = self.doc.blocks[k]
            physical = _lines(self.doc.text, block.start, block.end)
            self._lined[k] = physical, _paragraphs(self.doc.text, physical)
        return self._lined[k]

    def _blocks_over(self, lo: int, hi: int) -> list[int]:
        return [k for k, block in enumerate(self.doc.blocks) if block.start <= hi and block.end >= lo]

    def article_bounds(self, lo: int, hi: int, start: int, end: int) -> tuple[int, int]:
        """The span ``[start, end)`` (a stretch that aligned with another version) widened to the
        article it lies in, as far as the page shows: whole lines, the headline, subtitle and
        byline lines right above it, and credit lines right below it (``（新华社记者…摄）``),
        within ``[lo, hi)``."""
        lines = [line for k in self._blocks_over(lo, hi) for line in self._block_lines(k)[1]
                 if line.start >= lo and line.end <= hi]
        inside = [k for k, line in enumerate(lines) if line.end > start and line.start < end]
        if not inside:
            return start, end
        first, last = inside[0], inside[-1]
        while first > 0 and inside[0] - first < 3 and _heads(lines[first - 1]):
            first -= 1
        while last + 1 < len(lines) and _is_credit(lines[last + 1].text):
            last += 1
        while first < last and lines[first].furniture:
            first += 1
        return min(lines[first].start, start), max(lines[last].end, end)

    def article_break(self, end: int, start: int) -> bool:
        """Whether the page shows where an article may end and another begin between offsets
        ``end`` and ``start``: a headline-shaped line, a dateline, a heading or furniture from the
        line holding ``end`` to the one holding ``start``, or a line starting there below one that
        ends a sentence (a headline that wrapped text ran on into). A web page or a post is one
        article: never."""
        if self.doc.laid_out:
            return False
        lo, hi = min(end, start), max(end, start)
        for k in self._blocks_over(lo, hi):
            physical, lines = self._block_lines(k)
            if any(lo - 1 <= line.start <= hi + 1 and _ends_sentence(before.text)
                   for before, line in itertools.pairwise(physical)):
                return True
            for i, line in enumerate(lines):
                if line.end >= lo and line.start <= hi and (_opens_article(lines, i) or _heads(line)):
                    return True
        return False

    def same_story(self, first: tuple[int, int], second: tuple[int, int]) -> bool:
        """Whether two stretches may be one story: a web page or a post always is; otherwise they
        share at least 1.5% of the folded character trigrams of the smaller. Measured on real
        People's Daily pages: two halves of one article share a median 6.2% (5% of them under
        1.5%), neighbouring articles a median 0.4% (11% of them 1.5% or more). Weak evidence, so
        it only ever keeps things together."""
        if self.doc.laid_out:
            return True
        grams = [_distinct(_trigrams(normalize(self.doc.text[start:end]).text)) for start, end in (first, second)]
        smaller = min(grams[0].size, grams[1].size)
        if smaller == 0:
            return False
        return int(np.isin(grams[0], grams[1], assume_unique=True).sum()) >= _SAME_STORY * smaller


def _is_credit(text: str) -> bool:
    return text[0] in "（(" and bool(_CREDIT.fullmatch(text))


def _heads(line: _Line) -> bool:
    """A short line that ends no sentence: a headline, subtitle or byline over what follows."""
    text = _PICTURE_NOTE.sub("", line.text)
    return line.short and not line.furniture and bool(text) and not _ends_sentence(text) \
        and not text.endswith(_SENTENCE_END)


def _opens_article(lines: list[_Line], i: int) -> bool:
    """Whether an article may start at line ``i``: a heading, furniture (which stands alone), a
    headline below the end of a sentence, or a dateline (with the headline lines right above it)."""
    line = lines[i]
    if line.heading or line.furniture:
        return True
    prev = lines[i - 1] if i else None
    if prev is not None and _heads(prev):
        return False  # under a headline-shaped line: the article starts there, if anywhere
    if not line.short and _DATELINE.match(line.text):
        return True
    return (prev is None or _ends_sentence(prev.text) or prev.short) and _looks_like_headline(lines, i)


def _first_heading(doc: Document) -> str | None:
    for block in doc.blocks:
        if block.kind in ("heading", "title"):
            text = doc.text[block.start:block.end]
            return re.sub(r"<[^>]*>", "", text).strip() or None
    return None


def _lines(text: str, start: int, end: int) -> list[_Line]:
    lines: list[_Line] = []
    for match in _LINE_CONTENT.finditer(text, start, end):
        stripped = match.group()
        heading = _MD_HEADING.match(stripped) if stripped[0] == "#" else None
        short = len(stripped) <= _HEADLINE_MAX
        # a page number in （下转第四版） marks the article's end, not furniture
        furniture = short and bool(_FURNITURE_ANYWHERE.search(stripped) or _FURNITURE_OPENING.match(stripped)) \
            and not ("转" in stripped and (_CONTINUED_TO.search(stripped) or _CONTINUED_FROM.match(stripped)))
        lines.append(_Line(match.start(), match.end(), stripped, len(heading.group()) if heading else 0,
                           short, furniture))
    return lines


def _visible(text: str) -> int:
    """Characters of a line that take a place in the column: OCR puts spaces between characters."""
    return len(text) - text.count(" ") - text.count("\u3000")


def _wrap_width(lines: list[_Line]) -> tuple[int, int] | None:
    """(width, tolerance) of hard-wrapped text, or None when lines are paragraphs already.

    The width is the most common line length (the longest of equally common ones); wrapped
    lines fall a little short of it where OCR dropped a character, and run one over where
    punctuation hangs in the margin."""
    if len(lines) < 6:
        return None
    lengths = [_visible(line.text) for line in lines if not line.heading]
    counts = Counter(n for n in lengths if _WRAP_MIN <= n <= _WRAP_MAX)
    if not counts:
        return None
    width = max(counts, key=lambda n: (counts[n], n))
    tol = 1 if width < 20 else 2
    near = sum(counts.get(n, 0) for n in range(width - tol, width + 2))
    longer = sum(1 for n in lengths if n > width + 1)
    if near < 3 or near < _WRAP_SHARE * len(lengths) or longer > _WRAP_LONGER * len(lengths):
        return None
    return width, tol


def _paragraphs(text: str, lines: list[_Line]) -> list[_Line]:
    """``lines`` with each run of hard-wrapped lines joined into one line (its paragraph): a line
    as long as the column runs on into the next, blank lines between them or not (a paragraph
    split by a column break), as :func:`_runs_on` says."""
    wrap = _wrap_width(lines)
    if wrap is None:
        return lines
    width, tol = wrap
    # a line longer than the column was not wrapped at it: a headline set wider, a caption...
    # (one character over is punctuation hung in the margin)
    full = [width - tol <= _visible(line.text) <= width + 1 and not line.heading and not line.furniture
            for line in lines]
    out: list[_Line] = []
    i = 0
    while i < len(lines):
        j = i
        while j + 1 < len(lines) and full[j] and _runs_on(lines, full, j):
            j += 1
        if j == i:
            out.append(lines[i])
        else:
            joined = "".join(line.text for line in lines[i:j + 1])
            out.append(_Line(lines[i].start, lines[j].end, joined, 0, len(joined) <= _HEADLINE_MAX, False))
        i = j + 1
    return out


def _runs_on(lines: list[_Line], full: list[bool], j: int) -> bool:
    """Whether full line ``j`` continues on line ``j + 1``: into a full line or a paragraph's last
    line (it ends a sentence or a clause). A short line that ends nothing is a headline, a subtitle
    or a byline (or the rest of a wrapped headline, which the headline rules take in anyway), and a
    dateline opens a new article."""
    nxt = lines[j + 1]
    if nxt.heading or nxt.furniture or nxt.text.startswith(_HEADLINE_BULLETS) or _DATELINE.match(nxt.text):
        return False
    if _PICTURE_NOTE.search(lines[j].text):
        return False  # a headline as wide as the column: body text never ends in （附图片１张）
    return full[j + 1] or _ends_sentence(nxt.text) or nxt.text.endswith(_SENTENCE_END)


def _dateline_starts(lines: list[_Line], starts: set[int]) -> set[int]:
    """Article starts at dateline paragraphs that no headline found so far opens.

    The start goes up over the short lines right above the dateline (headline, subtitle, byline,
    and photo captions under them: at most four, below the end of a sentence or the top of the
    page), else it is the dateline.
    """
    added: set[int] = set()
    for i, line in enumerate(lines):
        if line.short or not _DATELINE.match(line.text):
            continue
        j = i
        while j > 0 and i - j < 4 and (_heads(lines[j - 1]) or _CAPTION.search(lines[j - 1].text)) \
                and j not in starts:
            j -= 1
        if any(k in starts for k in range(j, i + 1)):
            continue
        if j < i and not (j == 0 or lines[j - 1].furniture or not lines[j - 1].short
                          or _ends_sentence(_PICTURE_NOTE.sub("", lines[j - 1].text))):
            j = i
        added.add(j)
    return added


def _strong_start(lines: list[_Line], i: int) -> bool:
    """A headline with evidence beyond its shape: a byline under it, a brief's bullet, or
    furniture above it."""
    if lines[i].text.startswith(_HEADLINE_BULLETS) or (i > 0 and lines[i - 1].furniture):
        return True
    for j in range(i, min(i + 4, len(lines))):
        if _BYLINE.search(lines[j].text) and lines[j].short:
            return True
        if not lines[j].short:
            break
    return False


def _cohesive_cuts(lines: list[_Line], starts: set[int]) -> set[int]:
    """Cuts at shape-only headlines whose two sides share many character trigrams.

    Such a line is a subhead: sections of one article repeat its names (the same bureau, the same
    company), while neighbouring articles share under 6% of trigrams (measured on the seed pages
    and the labelled corpus; subheads measured 7–35%).
    """
    ordered = sorted(starts | {0, len(lines)})
    shape_only = [k for k in range(1, len(ordered) - 1) if not _strong_start(lines, ordered[k])]
    if not shape_only:
        return set()
    grams = _section_trigrams(lines, ordered, {s for k in shape_only for s in (k - 1, k)})
    drop: set[int] = set()
    for k in shape_only:
        before, after = grams[k - 1], grams[k]
        if before.size and after.size:
            # each side is free of repeats, so a value equal to its neighbour is one on both sides
            both = np.sort(np.concatenate((before, after)))
            shared = int(np.count_nonzero(both[1:] == both[:-1]))
            if shared / min(before.size, after.size) >= _COHESION:
                drop.add(ordered[k])
    return drop


def _section_trigrams(lines: list[_Line], ordered: list[int], sections: set[int]) -> dict[int, npt.NDArray[np.int64]]:
    """The distinct folded character trigrams of each of ``sections``, as sorted integer codes;
    section ``k`` is ``lines[ordered[k]:ordered[k + 1]]`` joined by spaces.

    The sections are folded in one call, joined by a space: folding works character by character
    and a space folds to nothing, so the characters folded from a section's span of the joined text
    are the fold of that section alone. A trigram of code points (below 2**21) packs into one int64.
    """
    wanted = sorted(sections)
    texts = [" ".join([line.text for line in lines[ordered[k]:ordered[k + 1]]]) for k in wanted]
    folded = normalize(" ".join(texts))
    ends = np.cumsum([len(text) + 1 for text in texts]) - 1  # where each section ends in the joined text
    begins = ends - [len(text) for text in texts]
    # where each section begins and ends in the folded text
    folded_begins = np.searchsorted(folded.starts, begins).tolist()
    folded_ends = np.searchsorted(folded.starts, ends).tolist()
    trigrams = _trigrams(folded.text)
    return {k: _distinct(trigrams[lo:max(lo, hi - 2)])  # the trigrams wholly inside the section
            for k, lo, hi in zip(wanted, folded_begins, folded_ends)}


def _trigrams(text: str) -> npt.NDArray[np.int64]:
    """Every character trigram of ``text`` as one integer (code points are below 2**21):
    ``trigrams[i]`` starts at character ``i``."""
    codes = code_points(text).astype(np.int64)
    return (codes[:-2] << 42) | (codes[1:-1] << 21) | codes[2:]


def _distinct(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The distinct values, sorted: ``np.unique``, but numpy 2's hash-based ``unique`` measured 15x
    slower than a sort on arrays of this size (a few thousand trigrams)."""
    ordered = np.sort(values)
    first = np.ones(ordered.size, dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


def _articles(lines: list[_Line]) -> list[tuple[int, int, str | None]]:
    """(first line, last line, title) of each passage."""
    if not lines:
        return []
    levels = Counter([line.heading for line in lines if line.heading])
    if levels:
        repeated = [lvl for lvl, n in sorted(levels.items()) if n >= 2]
        article_level = repeated[0] if repeated else min(levels)
        starts = {i for i, line in enumerate(lines) if 0 < line.heading <= article_level}
    else:
        starts = _headline_starts(lines)
        starts -= _cohesive_cuts(lines, starts)
        starts |= _dateline_starts(lines, starts)
    for i, line in enumerate(lines):
        if line.furniture:
            # furniture (masthead, editor credits) stands alone: it ends the article above and
            # belongs to none
            starts.update((i, i + 1))
    for i, line in enumerate(lines):
        # the literal tests are cheap necessary conditions of the patterns: most lines skip both
        if "上接" in line.text and _CONTINUED_FROM.match(line.text) and not _only_headline_before(lines, starts, i):
            starts.add(i)
        if "下转" in line.text and _CONTINUED_TO.search(line.text) and i + 1 < len(lines):
            starts.add(i + 1)
    starts.add(0)
    ordered = sorted(s for s in starts if s < len(lines))
    out: list[tuple[int, int, str | None]] = []
    for k, first in enumerate(ordered):
        last = (ordered[k + 1] if k + 1 < len(ordered) else len(lines)) - 1
        if last < first or all(line.furniture for line in lines[first:last + 1]):
            continue
        title = _title_of(lines[first]) if (lines[first].heading or (first in starts and first != 0)
                                            or _looks_like_headline(lines, first)) else None
        if title is not None and _CONTINUED_FROM.match(lines[first].text):
            title = None
        out.append((first, last, title))
    return out


def _only_headline_before(lines: list[_Line], starts: set[int], i: int) -> bool:
    """True when the passage open at line ``i`` holds only its headline block so far (a continued
    article repeats its headline above ``（上接第一版）``)."""
    j = i - 1
    while j >= 0 and j not in starts:
        if not (lines[j].heading or lines[j].short):
            return False
        j -= 1
    return j >= 0 and (bool(lines[j].heading) or lines[j].short)


def _title_of(line: _Line) -> str:
    return line.text.lstrip("#").strip().lstrip("".join(_HEADLINE_BULLETS)).strip()


def _ends_sentence(text: str) -> bool:
    return text.endswith(("。", "！", "？", "!", "?", "”", "」", "）", ")", "…")) or text.endswith("。”")


def _looks_like_headline(lines: list[_Line], i: int) -> bool:
    line = lines[i]
    if not line.short or line.text.endswith(_SENTENCE_END) or line.text.startswith(_SUBHEAD_BULLETS):
        return False
    if _CONTINUED_FROM.match(line.text) or _CONTINUED_TO.search(line.text) or line.furniture:
        return False
    if _is_credit(line.text) or _CAPTION.search(line.text):
        return False
    for j in range(i + 1, min(i + 5, len(lines))):
        if not lines[j].short:
            return True
        if lines[j].furniture or lines[j].text.startswith(_HEADLINE_BULLETS):
            return False
    return False


def _headline_starts(lines: list[_Line]) -> set[int]:
    starts: set[int] = set()
    i = 0
    while i < len(lines):
        if lines[i].furniture:
            # furniture stands alone: it ends the article above and belongs to none
            starts.update((i, i + 1))
            i += 1
            continue
        prev = lines[i - 1] if i else None
        prev_done = prev is None or _ends_sentence(prev.text) or prev.short
        if (prev_done and _looks_like_headline(lines, i) and (i - 1) not in starts) or (
            lines[i].text.startswith(_HEADLINE_BULLETS) and _looks_like_headline(lines, i)
        ):
            if _BYLINE.search(lines[i].text) and prev is not None and prev.short and (i - 1) not in starts:
                starts.add(i - 1)  # a byline never opens an article: its headline is the line above
            else:
                starts.add(i)
            # subtitle and byline lines under the headline belong to it
            while (i + 1 < len(lines) and lines[i + 1].short and not lines[i + 1].furniture
                   and not lines[i + 1].text.startswith(_HEADLINE_BULLETS)):
                i += 1
        i += 1
    return {s for s in starts if s < len(lines)}
