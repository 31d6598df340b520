"""The article inside a saved web page, as blocks with exact offsets into the page's text.

Runs. :mod:`neardup.html.lexer` turns ``html[start:end]`` into an element table and runs of text
(text between block-level tags). Inside a run everything between two pieces of text (tags,
comments, hidden elements) is an ``Edit(s, e, "")``, ``<br>`` is ``Edit(s, e, "\\n")`` and a
character reference is an edit holding its character; whitespace is kept as written. Runs are
cut into lines at ``<br>`` and newlines so that furniture lines ("责任编辑：…", "（来源：…）",
Markdown link lines) can be dropped one at a time.

Scoring, after arc90 readability, measured in Chinese. A run's *size* is its CJK characters plus
its sentence punctuation (，。、；：！？) plus a third of its other characters; runs of size 10 or
more are paragraphs. A paragraph earns ``(1 + punctuation + min(size / 40, 3)) * (1 - its link
density)`` and passes it up five levels: whole to the element holding it, then 1/2, 1/6, 1/9,
1/12. (A ``<p>``, or a div with nothing but text, *is* the paragraph, so its parent holds it.)
Each element that earns anything starts from a tag bonus (div/article +5, section/td/pre +3,
lists and forms -3, headings -5) and a class/id weight: -25 for a furniture word (nav, menu,
comment, related, recommend, hot, rank, share, ad, copyright, breadcrumb, ...), +25 for a
content word (article, content, main, text, post, detail, rich_media, TRS_Editor, artibody,
...). Its final score is that times ``1 - link density`` of everything under it, so lists of
real headlines of other articles score near zero however much Chinese they hold.

The best element wins; it moves up to an ancestor that outscores it (the article split over
several children) and past wrappers with one child. Siblings join it when they score at least a
fifth of it (a bonus when they share its class) or, for plain text, when they are long and
barely linked or end like a sentence. Inside the result, lists, tables and divs that are mostly
links with little punctuation are removed, and so are negatively hinted parts and marked
captions (figcaption, "img_descr", ...); then each line is checked against furniture patterns
(editor and source lines, ICP and copyright lines, share bars, section labels like "相关新闻",
date lines, lines that are only links or URLs, short lines that are one link).

A first pass ignores every element whose class, id or tag (nav, header, footer, aside) says
furniture. When that leaves under 80 of size, further passes keep those elements and then stop
removing linky parts; the longest result wins. A page where nothing scores (a list of links)
yields its non-furniture lines, and only a page with no visible text yields no blocks.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Final

from neardup.html.lexer import BLOCK, CAPTION, HEADINGS, HIDE, PARA, UNLIKELY, PageTree, Piece, parse_tree
from neardup.lexicon import SITE_CREDIT_LABELS, SITE_LABELS, SITE_NOTICES, SITE_NOTICES_LATIN
from neardup.models import Block, BlockKind, Edit

__all__ = ["HtmlArticle", "extract_article", "visible_text"]


@dataclass(frozen=True, slots=True)
class HtmlArticle:
    """What :func:`extract_article` found on one page.

    ``blocks`` are the article's paragraphs and headings in document order; ``boilerplate`` are
    the raw ranges of visible text judged to be site furniture (menus, related headlines,
    comments, editor lines ...). Text that is never visible (scripts, styles) is in neither.
    """

    title: str | None
    date: str | None
    blocks: tuple[Block, ...]
    boilerplate: tuple[tuple[int, int], ...]


def visible_text(html: str, block: Block) -> str:
    """The text a reader sees in ``block``: its raw range of ``html`` with every edit applied.

    Whitespace inside the block is kept as written (HTML would collapse it); matching
    normalises it later.
    """
    out: list[str] = []
    pos = block.start
    for edit in block.edits:
        out.append(html[pos : edit.start])
        out.append(edit.text)
        pos = edit.end
    out.append(html[pos : block.end])
    return "".join(out)


def extract_article(html: str, *, start: int = 0, end: int | None = None) -> HtmlArticle:
    """Find the article in the page ``html[start:end]``; offsets are into the whole ``html``.

    >>> page = '<div class="nav"><a>首页</a></div><p>克拉玛依高新区企业通过科技创新结出了累累硕果。</p>'
    >>> a = extract_article(page)
    >>> [visible_text(page, b) for b in a.blocks]
    ['克拉玛依高新区企业通过科技创新结出了累累硕果。']
    """
    stop = len(html) if end is None else end
    if not 0 <= start <= stop <= len(html):
        raise ValueError(f"region {start}-{end} is outside the text (0-{len(html)})")
    return _Page(html, parse_tree(html, start, stop)).article()


# ---------------------------------------------------------------------------------------------
# Tags

_CLEANABLE: Final = frozenset(["div", "section", "ul", "ol", "dl", "table", "form", "aside", "nav", "header", "footer", "center", "fieldset", "figure"])
_TAG_SCORE: Final = {"div": 5, "article": 5, "section": 3, "main": 3, "pre": 3, "td": 3, "blockquote": 3}
_TAG_SCORE.update({t: -3 for t in ["address", "ol", "ul", "dl", "dd", "dt", "li", "form"]})
_TAG_SCORE.update({t: -5 for t in [*HEADINGS, "th"]})


# ---------------------------------------------------------------------------------------------
# Lines and runs

_CJK_RUN: Final = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+")
_PUNCT: Final = "，。、；：！？,;"
_PUNCT_CHAR: Final = re.compile(f"[{_PUNCT}]")  # one scan instead of a str.count per mark
_WORDY: Final = re.compile(r"[^\W_]")
_MIN_PARA: Final = 10  # size below which a run is a label, not a paragraph
_SHARES: Final = (1, 2, 6, 9, 12)  # what a paragraph's gain is divided by at each level above it
_ENOUGH: Final = 80  # size of a first-pass article that needs no second opinion


@dataclass(slots=True)
class _Line:
    start: int
    end: int
    text: str  # visible, stripped
    size: float
    punct: int
    chars: int  # non-space characters
    links: int  # non-space characters inside <a>
    furniture: bool | None = None  # decided once, on first asking


@dataclass(slots=True)
class _Run:
    owner: int
    pieces: list[Piece]
    ends: list[int]
    lines: list[_Line]
    size: float
    punct: int
    chars: int
    links: int

    @property
    def link_density(self) -> float:
        return self.links / self.chars if self.chars else 0.0


def _nonspace(text: str) -> int:
    return sum(map(len, text.split()))  # no joined copy


def _make_line(src: str, parts: list[Piece]) -> _Line | None:
    if len(parts) == 1:  # most lines: one stretch of text, nothing inside
        s, e, rep, link = parts[0]
        raw = src[s:e] if rep is None else rep
        text = raw.strip()
        if not text:
            return None
        if rep is None:
            s += len(raw) - len(raw.lstrip())
            e = s + len(text)
        chars = _nonspace(text)
        links = chars if link else 0
    else:
        texts = [src[s:e] if rep is None else rep for s, e, rep, _ in parts]
        text = "".join(texts).strip()
        if not text:
            return None
        s = e = 0
        for (ps, _, rep, _), t in zip(parts, texts):
            kept = t.lstrip()
            if kept:
                s = ps + len(t) - len(kept) if rep is None else ps
                break
        for (ps, pe, rep, _), t in zip(reversed(parts), reversed(texts)):
            kept = t.rstrip()
            if kept:
                e = ps + len(kept) if rep is None else pe
                break
        links = sum(_nonspace(t) for (_, _, _, link), t in zip(parts, texts) if link)
        chars = _nonspace(text)
    # runs of CJK are one match each, far cheaper than a match per character
    cjk = sum(map(len, _CJK_RUN.findall(text)))
    punct = len(_PUNCT_CHAR.findall(text))
    return _Line(s, e, text, cjk + punct + (chars - cjk - punct) / 3, punct, chars, links)


def _make_run(src: str, owner: int, pieces: list[Piece]) -> _Run | None:
    if len(pieces) == 1:  # most runs: one piece that is one line (a lone <br> shows nothing)
        s, e, rep, _ = pieces[0]
        if rep is not None or src.find("\n", s, e) < 0:
            line = _make_line(src, pieces)
            if line is None:
                return None
            return _Run(owner, pieces, [e], [line], line.size, line.punct, line.chars, line.links)
    lines: list[_Line] = []
    parts: list[Piece] = []
    for piece in pieces:
        s, e, rep, link = piece
        if rep is None:
            cut = src.find("\n", s, e)
            while cut >= 0:
                if cut > s:
                    parts.append((s, cut, None, link))
                _add_line(src, parts, lines)
                s = cut + 1
                cut = src.find("\n", s, e)
            if s < e:
                parts.append((s, e, None, link))
        elif rep == "\n":
            _add_line(src, parts, lines)
        else:
            parts.append(piece)
    _add_line(src, parts, lines)
    if not lines:
        return None
    if len(lines) == 1:
        line = lines[0]
        return _Run(owner, pieces, [p[1] for p in pieces], lines, line.size, line.punct, line.chars, line.links)
    return _Run(
        owner,
        pieces,
        [p[1] for p in pieces],
        lines,
        sum(line.size for line in lines),
        sum(line.punct for line in lines),
        sum(line.chars for line in lines),
        sum(line.links for line in lines),
    )


def _add_line(src: str, parts: list[Piece], lines: list[_Line]) -> None:
    """The line of ``parts``, if it shows anything, to ``lines``; ``parts`` is emptied."""
    if parts:
        line = _make_line(src, parts)
        if line is not None:
            lines.append(line)
        parts.clear()


def _edits(run: _Run, start: int, end: int) -> tuple[Edit, ...]:
    """Every non-literal range of ``run`` inside [start, end): its references, <br>s and gaps."""
    out: list[Edit] = []
    cursor = start
    k = bisect_right(run.ends, start)
    while k < len(run.pieces):
        s, e, rep, _ = run.pieces[k]
        if s >= end:
            break
        if s > cursor:
            out.append(Edit(cursor, s, ""))
        if rep is not None:
            out.append(Edit(s, e, rep))
        cursor = e
        k += 1
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Furniture lines

_FURNITURE_START: Final = re.compile(r"^[\s（(【\[〔<《]*(?:" + "|".join(SITE_CREDIT_LABELS) + r")\s*[:：]")
_FURNITURE_ANY: Final = re.compile("|".join(SITE_NOTICES))
# The words that need IGNORECASE, which makes a search try every position; each holds a "p" or
# an "r" (no other character folds to either), so a plain search for those rules most lines out.
_FURNITURE_ANY_CASELESS: Final = re.compile("|".join(SITE_NOTICES_LATIN), re.I)
_P_OR_R: Final = re.compile("[PRpr]")
_SOURCE_ANYWHERE: Final = re.compile(r"来源\s*[:：]|作者\s*[:：]")
_LABELS: Final = sorted(SITE_LABELS, key=len, reverse=True)
_LABEL: Final = re.compile("|".join(map(re.escape, _LABELS)), re.I)
_DATE: Final = re.compile(
    r"(?<!\d)((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?"
    r"(?:\s*(\d{1,2})[:：](\d\d)(?:[:：](\d\d))?)?"
)
_SEPARATORS: Final = re.compile(r"[\s|｜/·•,，、:：>》»<《\-—_【】\[\]（）()]+|[（(]\d+[)）]")
# Every character that a label (in any case), a date or a separator can consist of.
_NOT_LABEL_DATE_OR_SEPARATOR: Final = re.compile(
    "[^\\s\\d" + re.escape("".join(sorted({c for label in _LABELS for c in label + label.lower() + label.upper()})))
    + re.escape("-/.年月日:：|｜/·•,，、>》»<《—_【】[]（）()") + "]"
)
_MD_LINK: Final = re.compile(r"!?\[[^\]\n]*\]\([^)\s]*\)|<(?:https?|ftp)://[^>\s]*>|(?:https?:)?//[^\s)]+|www\.[^\s)]+")


def _furniture(line: _Line) -> bool:
    """Whether a line is site furniture, whatever container it sits in."""
    if line.furniture is None:
        line.furniture = _furniture_text(line)
    return line.furniture


def _furniture_text(line: _Line) -> bool:
    text = line.text
    if not _WORDY.search(text):
        return True  # separators, bullets, dashes
    if "//" in text or "](" in text or "www." in text:  # what every _MD_LINK match holds
        rest, links = _MD_LINK.subn("", text)
        if links and not _WORDY.search(rest):
            return True  # Markdown links, autolinks and bare URLs only
    if line.chars <= 60 and line.links * 10 >= line.chars * 9:
        return True  # a lone link: "点击进入专题>>", a headline of another article
    if len(text) > 120:
        return False
    if (
        _FURNITURE_START.match(text)
        or _FURNITURE_ANY.search(text)
        or (_P_OR_R.search(text)
        and _FURNITURE_ANY_CASELESS.search(text))
    ):
        return True
    if len(text) <= 60 and _SOURCE_ANYWHERE.search(text) and text[-1] not in "。！？":
        return True  # "2024年05月13日07:45 | 来源：人民网", but not "经费来源：市财政拨款。"
    if _NOT_LABEL_DATE_OR_SEPARATOR.search(text):
        return False  # a character that no label, date or separator can remove
    rest, labels = _LABEL.subn("", text)
    rest, dates = _DATE.subn("", rest)
    return bool(labels or dates) and not _SEPARATORS.sub("", rest)


def _prose(run: _Run) -> bool:
    """Readability's test for a loose paragraph next to the article: long and barely linked, or
    short, unlinked and ending like a sentence."""
    if run.size > 40:
        return run.link_density < 0.25
    return run.size > 0 and run.links == 0 and run.lines[-1].text[-1] in "。！？.!?”\""


# ---------------------------------------------------------------------------------------------
# Scoring and selection

_DATE_KEYS: Final = (
    "article:published_time", "og:article:published_time", "og:published_time", "article:published",
    "publishdate", "publish_date", "publish-date", "publishtime", "publish_time", "pubdate", "pub_date",
    "pubtime", "datepublished", "dc.date.issued", "dc.date", "dcterms.created", "weibo:article:create_at",
    "sailthru.date", "date", "time",
)  # fmt: skip
_TITLE_SEPARATOR: Final = re.compile(r"^(?P<head>.*\S)\s*(?:_|\||｜|-{1,2}|－|—{1,2}|–|·|::)\s*(?P<tail>[^_|｜\-－—–·]{1,24})$")
_SITE_WORD: Final = re.compile(
    r"网|报|新闻|频道|在线|客户端|资讯|头条|澎湃|新浪|网易|腾讯|凤凰|搜狐|人民|新华|央视|财经|公众号|门户|官网|"
    r"政府|中心|\.com|\.cn|\.net|news|sina|163|qq|ifeng|sohu|xinhua|people",
    re.I,
)


@dataclass(slots=True)
class _Pass:
    inside: list[bool]  # element lies in the chosen content, removed parts included
    kept: dict[int, list[bool]]  # run index → which of its lines are article text
    size: float


class _Page:
    """The parsed page: element table with subtree totals, runs, and the passes over them."""

    def __init__(self, src: str, b: PageTree) -> None:
        self.src, self.meta = src, b.meta
        self.raw_title = b.title if b.title is not None else "".join(b.title_parts or [])
        self.tags, self.parents, self.weights, self.classes = b.tags, b.parents, b.weights, b.classes
        self.own = b.flags
        n = len(self.tags)
        parents, tags = self.parents, self.tags
        flags = self.flags = self.own[:]
        for e in range(1, n):
            flags[e] |= flags[parents[e]]
        self.runs = [run for owner, pieces in b.runs if (run := _make_run(src, owner, pieces)) is not None]
        chars, links, punct = self.chars, self.links, self.punct = [0] * n, [0] * n, [0] * n
        paras, items = self.paras, self.items = [0] * n, [0] * n
        kids, block_kids = self.kids, self.block_kids = [0] * n, [0] * n
        for run in self.runs:
            o = run.owner
            chars[o] += run.chars
            links[o] += run.links
            punct[o] += run.punct
            if tags[o] == "li":
                items[o] += 1
            elif run.size >= _MIN_PARA:
                paras[o] += 1
        # Children always come after their parent, so one backward sweep sums every subtree.
        own = self.own
        for e in range(n - 1, 0, -1):
            p = parents[e]
            if chars[e]:  # links, punctuation, paragraphs and items all need characters
                chars[p] += chars[e]
                links[p] += links[e]
                punct[p] += punct[e]
                paras[p] += paras[e]
                items[p] += items[e]
            if not own[e] & HIDE:
                kids[p] += 1
                block_kids[p] += tags[e] in BLOCK

    def _ld(self, e: int) -> float:
        return self.links[e] / self.chars[e] if self.chars[e] else 0.0

    # the passes ---------------------------------------------------------------------------

    def _scores(self, strip: bool) -> dict[int, float]:
        raw: dict[int, float] = {}
        tags, parents, weights, flags = self.tags, self.parents, self.weights, self.flags
        for run in self.runs:
            if run.size < _MIN_PARA or (strip and flags[run.owner] & UNLIKELY):
                continue
            gain = (1 + run.punct + min(run.size / 40, 3)) * (1 - run.link_density)
            e = run.owner
            if e and (tags[e] in PARA or not self.block_kids[e]):
                e = parents[e]  # the owner is the paragraph; its parent holds it
            for share in _SHARES:
                if e < 0:
                    break
                if e not in raw:
                    raw[e] = _TAG_SCORE.get(tags[e], 0) + weights[e]
                raw[e] += gain / share
                e = parents[e]
        return {e: score * (1 - self._ld(e)) for e, score in raw.items()}

    def _top(self, scores: dict[int, float]) -> int | None:
        top = max(scores, key=lambda e: (scores[e], -e))
        if scores[top] <= 0:
            return None
        # Readability climbs to a parent that beats the last ancestor seen; comparing with the
        # winner itself instead keeps a class bonus high up from pulling in the page header.
        best, floor = scores[top], scores[top] / 3
        p = self.parents[top]
        while p > 0 and self.tags[p] not in ("body", "html"):
            if p in scores:
                if scores[p] < floor:
                    break
                if scores[p] > best:  # the article is split over several children of p
                    top = p
                    break
            p = self.parents[p]
        # a wrapper with one child holds the same article
        while (p := self.parents[top]) > 0 and self.tags[p] not in ("body", "html") and self.kids[p] == 1:
            top = p
        return top

    def _siblings(self, top: int, scores: dict[int, float], strip: bool) -> tuple[set[int], set[int]]:
        """Elements and loose runs beside ``top`` that readability's sibling rule adds to it."""
        chosen, loose = {top}, set[int]()
        parent = self.parents[top]
        if parent < 0:
            return chosen, loose
        best = scores.get(top, max(scores.values()))  # a one-child wrapper may hold no score
        need = max(10.0, best * 0.2)
        by_owner: dict[int, list[_Run]] = {}
        for run in self.runs:
            by_owner.setdefault(run.owner, []).append(run)
        for e in range(parent + 1, len(self.tags)):
            if self.parents[e] != parent or e == top or self.own[e] & HIDE:
                continue
            if strip and self.flags[e] & UNLIKELY:
                continue
            bonus = best * 0.2 if self.classes[top] and self.classes[e] == self.classes[top] else 0.0
            if (e in scores and scores[e] + bonus >= need) or (
                    (self.tags[e] in PARA or not self.block_kids[e])
                    and len(by_owner.get(e, ())) == 1 and _prose(by_owner[e][0])):
                chosen.add(e)
        for i, run in enumerate(self.runs):
            if run.owner == parent and _prose(run):
                loose.add(i)
        return chosen, loose

    def _removed(self, e: int, strip: bool, clean: bool) -> bool:
        own = self.own[e]
        if own & (CAPTION | HIDE) or (strip and own & UNLIKELY):
            return True
        if not clean or self.tags[e] not in _CLEANABLE:
            return False
        if self.weights[e] < 0:
            return True
        if self.punct[e] >= 10:
            return False
        ld = self._ld(e)
        # A block of few sentences that is mostly links: related headlines, tags, a hot list.
        if ld > (0.5 if self.weights[e] >= 25 else 0.3):
            return True
        return self.items[e] > self.paras[e] and self.tags[e] not in ("ul", "ol") and ld > 0.1

    def _pass(self, strip: bool, clean: bool) -> _Pass | None:
        scores = self._scores(strip)
        top = self._top(scores) if scores else None
        if top is None:
            return None
        chosen, loose = self._siblings(top, scores, strip)
        n = len(self.tags)
        inside, ok = [False] * n, [False] * n
        parents, removed = self.parents, self._removed
        # Children come after their parents: nothing before the first chosen element is inside.
        for e in range(min(chosen), n):
            p = parents[e]
            if e in chosen:
                inside[e] = ok[e] = True
            elif p >= 0 and inside[p]:
                inside[e] = True
                ok[e] = ok[p] and not removed(e, strip, clean)
        kept: dict[int, list[bool]] = {}
        for i, run in enumerate(self.runs):
            if ok[run.owner] or i in loose:
                if run.link_density > 0.5 and run.punct < 3:
                    continue  # a link list item, even inside the article
                kept[i] = [not _furniture(line) for line in run.lines]
        return _Pass(inside, kept, self._size(kept))

    def _size(self, kept: dict[int, list[bool]]) -> float:
        return sum(line.size for i, marks in kept.items() for line, keep in zip(self.runs[i].lines, marks) if keep)

    def _best_effort(self) -> _Pass:
        """For a page where nothing reads like an article: its lines that are not furniture."""
        kept: dict[int, list[bool]] = {}
        for rule in ("outside furniture regions", "any region", "anything"):
            kept = {
                i: [
                    rule == "anything"
                    or (not _furniture(line)
                    and (rule == "any region" or not self.flags[run.owner] & (UNLIKELY | CAPTION)))
                    for line in run.lines
                ]
                for i, run in enumerate(self.runs)
            }
            if any(any(marks) for marks in kept.values()):
                break
        return _Pass([False] * len(self.tags), kept, self._size(kept))

    # the answer ---------------------------------------------------------------------------

    def article(self) -> HtmlArticle:
        best: _Pass | None = None
        for strip, clean in ((True, True), (False, True), (False, False)):
            result = self._pass(strip, clean)
            if result is not None and (best is None or result.size > best.size):
                best = result
            if best is not None and best.size >= _ENOUGH:
                break
        if best is None or not best.size:
            best = self._best_effort()
        blocks: list[Block] = []
        boilerplate: list[tuple[int, int]] = []
        dropped: list[_Line] = []
        for i, run in enumerate(self.runs):
            marks = best.kept.get(i) or [False] * len(run.lines)
            level = HEADINGS.get(self.tags[run.owner], 0)
            kind: BlockKind = "heading" if level else "paragraph"
            j = 0
            while j < len(marks):
                k = j
                while k + 1 < len(marks) and marks[k + 1] == marks[j]:
                    k += 1
                s, e = run.lines[j].start, run.lines[k].end
                if marks[j]:
                    blocks.append(Block(s, e, kind, level, _edits(run, s, e)))
                else:
                    boilerplate.append((s, e))
                    dropped.extend(run.lines[j : k + 1])
                j = k + 1
        first = blocks[0].start if blocks else len(self.src)
        body = next((b.start for b in blocks if b.kind == "paragraph"), len(self.src))
        date = self._date([line for line in dropped if line.end <= body])
        return HtmlArticle(self._title(best, first), date, tuple(blocks), tuple(boilerplate))

    def _title(self, best: _Pass, first: int) -> str | None:
        og = " ".join(self.meta.get("og:title", "").split())
        if og:
            return _strip_site(og)
        h1s = [run for run in self.runs if self.tags[run.owner] == "h1" and run.size >= 4 and run.links < run.chars]
        inside = [run for run in h1s if best.inside[run.owner]]
        before = [run for run in h1s if run.lines[0].start < first]
        plain = [run for run in before if not self.flags[run.owner] & UNLIKELY]
        for group, pick in ((inside, 0), (plain, -1), (before, -1)):
            if group:
                return " ".join(" ".join(line.text for line in group[pick].lines).split())
        title = " ".join(self.raw_title.split())
        return _strip_site(title) if title else None

    def _date(self, above: list[_Line]) -> str | None:
        """From meta tags, else from a furniture line ``above`` the article's first paragraph
        ("2022-05-13 07:45 来源：…"), nearest first."""
        for key in _DATE_KEYS:
            value = self.meta.get(key)
            if value:
                return value
        for line in reversed(above[-40:]):
            m = _DATE.search(line.text)
            if m and 1 <= int(m[2]) <= 12 and 1 <= int(m[3]) <= 31:
                date = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
                if m[4]:
                    date += f" {int(m[4]):02d}:{m[5]}" + (f":{m[6]}" if m[6] else "")
                return date
        return None


def _strip_site(title: str) -> str:
    """Drop trailing site names: "标题_新浪新闻", "标题 - 滚动 - 人民网", "标题-新华网"."""
    for _ in range(3):
        m = _TITLE_SEPARATOR.match(title)
        if not m or len(m["head"]) < 4 or not _SITE_WORD.search(m["tail"]):
            break
        title = m["head"]
    return title
