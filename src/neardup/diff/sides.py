"""The text that ``explain`` compares, as it sees it.

``DiffText`` is one side of a comparison: a span of a document folded for diffing (``normalize`` in
``diff`` mode: NFKC, simplified, lower-case, whitespace and markup dropped) as *units*, each an
original character (or character reference) with the token it folds to, plus where headings and
paragraphs start; ``equal_blocks`` aligns two such token sequences. The other functions say what
characters mean: punctuation, numbers and their units, furniture lines, traditional/simplified
variants and the look-alikes OCR confuses (``data/ocr_confusions.txt``). They work on folded
text, except ``number_*``, ``is_script_variant`` and ``window``, which take original text.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache, lru_cache
from importlib import resources
from itertools import pairwise, zip_longest
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import Indel, Levenshtein

from neardup.errors import InputError
from neardup.lexicon import CREDIT_LABELS
from neardup.models import Block, Edit
from neardup.normalize import code_points, fold_text, normalize_blocks

__all__ = [
    "Confusions",
    "DiffText",
    "confusions",
    "equal_blocks",
    "is_furniture",
    "is_mark",
    "is_number_change",
    "is_script_variant",
    "nfkc",
    "number_head",
    "number_tail",
    "same_without_marks",
]

_CN_NUMERALS = frozenset("〇零一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟")
_UNITS = frozenset("%‰‱℃°个家次项名位人户元角万亿年月日天周时分秒岁倍度米吨斤克升亩台辆件套张份期批轮届篇条页所座栋票股只头")
_QUALIFIERS = frozenset("余多约近逾超第")
_NUMERIC = _CN_NUMERALS | _UNITS | _QUALIFIERS
_BULLETS = frozenset("●■◆▲▼★☆□◇○◎•·※")
_SEPARATORS = ".,．，"


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@cache  # called per character of every difference: remembered per character
def is_mark(ch: str) -> bool:
    """Punctuation for classification: Unicode P* (but not %‰, which belong to numbers) and bullets."""
    return ch in _BULLETS or (unicodedata.category(ch)[0] == "P" and ch not in _UNITS)


@cache
def _is_not_mark(ch: str) -> bool:
    return not is_mark(ch)


def _same_kept(a: str, b: str, keep: Callable[[str], bool]) -> bool:
    """Whether ``a`` and ``b`` agree on the characters ``keep`` keeps; stops at the first that differ."""
    return all(x == y for x, y in zip_longest(filter(keep, a), filter(keep, b)))


def same_without_marks(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are equal once their punctuation (``is_mark``) is dropped."""
    return _same_kept(a, b, _is_not_mark)


# Lines a page or a site adds around an article (folded: NFKC, simplified): editor, source and
# credit lines such as "（責任編輯：蔣洲濤）" or "责任编辑:许力 美术编辑:陈涛轩".
_FURNITURE = re.compile(r"^[(\[【]?(" + "|".join(CREDIT_LABELS) + "):")


def is_furniture(folded: str) -> bool:
    """Whether folded text added or dropped on one side is page furniture (or a bare bullet)."""
    return (len(folded) <= 120 and bool(_FURNITURE.match(folded))) or (
        bool(folded) and all(c in _BULLETS for c in folded))


@lru_cache(maxsize=1)
def _phrase_converters() -> tuple[Any, ...]:
    import opencc

    return tuple(opencc.OpenCC(config) for config in ("t2s", "tw2s", "hk2s"))


def is_script_variant(a: str, b: str) -> bool:
    """Whether original ``a`` and ``b`` (a change with a few characters of context) read the same
    once converted to simplified phrase by phrase: s2t writes 了解 as 瞭解, which character by
    character stays 瞭."""
    return any(_phrase_simplified(a, k) == _phrase_simplified(b, k) for k in range(len(_phrase_converters())))


@lru_cache(maxsize=4096)  # the canonical side's windows recur for every member with the same edit
def _phrase_simplified(text: str, converter: int) -> str:
    """``text`` converted by phrase converter number ``converter``, then diff-folded."""
    converted: str = _phrase_converters()[converter].convert(text)
    return _fold_diff(converted)


class _DiffFolds(dict[int, str]):
    """Code point → what it becomes in the diff fold, learned on first use. The fold maps each
    code point on its own, so ``text.translate`` with this table is ``fold_text(text, "diff")``,
    without numpy's fixed cost per call (a tenth of the time for a short text)."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = fold_text(chr(code), "diff")
        return folded


_DIFF_FOLDS = _DiffFolds()


def _fold_diff(text: str) -> str:
    return text.translate(_DIFF_FOLDS)


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _numberish(ch: str) -> bool:
    return _is_digit(ch) or ch in _CN_NUMERALS


@cache
def _is_plain(ch: str) -> bool:
    """Neither punctuation nor part of a number."""
    return not is_mark(ch) and not _is_digit(ch) and ch not in _NUMERIC


def is_number_change(na: str, nb: str, around: tuple[str, str, str, str]) -> bool:
    """Digits, numerals, units or qualifiers changed, and nothing else: ``4005万元`` vs ``4105万元``,
    ``三年`` vs ``四年``, ``近3倍`` vs ``3倍``. A lone numeral, unit or qualifier counts only next to
    a number (``119家`` vs ``119家次``; ``进一步`` vs ``进步`` is wording). ``around`` is the folded
    text before and after the change in A, then in B."""
    if not _same_kept(na, nb, _is_plain) or all(map(is_mark, na + nb)):
        return False
    if any(_is_digit(c) for c in na + nb):
        return True
    if any(c in _CN_NUMERALS for c in na) and any(c in _CN_NUMERALS for c in nb):
        return True
    before_a, after_a, before_b, after_b = around
    left = [x.rstrip("".join(_UNITS)) for x in (before_a, before_b)]
    right = [x.lstrip("".join(_QUALIFIERS)) for x in (after_a, after_b)]
    return any(x[-1:] and _numberish(x[-1]) for x in left) or any(x[:1] and _is_digit(x[0]) for x in right)


def _separator_between_digits(text: str, k: int) -> bool:
    return (text[k] in _SEPARATORS and 0 < k < len(text) - 1
            and _is_digit(nfkc(text[k - 1])) and _is_digit(nfkc(text[k + 1])))


def number_tail(text: str) -> int:
    """Length of the number and units that original ``text`` ends with (``…增长119家`` → 4)."""
    k = len(text)
    while k and nfkc(text[k - 1]) in _UNITS:
        k -= 1
    while k and (_numberish(nfkc(text[k - 1])) or (k < len(text) and _separator_between_digits(text, k - 1))):
        k -= 1
    return len(text) - k


def number_head(text: str) -> int:
    """Length of the number and units that original ``text`` starts with (``6%，较`` → 2)."""
    k = 0
    while k < len(text) and (_numberish(nfkc(text[k])) or _separator_between_digits(text, k)):
        k += 1
    while k < len(text) and nfkc(text[k]) in _UNITS:
        k += 1
    return k


class Confusions:
    """Groups of look-alike strings; any two members of one group are an OCR confusion."""

    def __init__(self, groups: Iterable[Sequence[str]]) -> None:
        self.partners: dict[str, set[str]] = {}
        for group in groups:
            members = [fold_text(m, "diff") for m in group]
            for m in members:
                self.partners.setdefault(m, set()).update(x for x in members if x != m)

    def confusable(self, a: str, b: str) -> bool:
        """Whether folded ``a`` reads as ``b`` through look-alikes only (whole, or character by character)."""
        if b in self.partners.get(a, ()):
            return True
        if len(a) != len(b) or not a:
            return False
        pairs = [(x, y) for x, y in zip(a, b) if x != y]
        return bool(pairs) and all(y in self.partners.get(x, ()) for x, y in pairs)


# The look-alike tables: written by hand (the override, with comments), learned from real OCR
# output, and found by glyph shape (the last two rebuilt by benchmarks/learn_confusions.py).
_TABLES = ("ocr_confusions.txt", "ocr_learned.txt", "ocr_glyphs.txt")


@lru_cache(maxsize=1)
def _table_groups() -> tuple[tuple[str, ...], ...]:
    groups = []
    for name in _TABLES:
        text = resources.files("neardup").joinpath(f"data/{name}").read_text(encoding="utf-8")
        for line in text.splitlines():
            members = line.split("#", 1)[0].split()
            if len(members) >= 2:
                groups.append(tuple(members))
    return tuple(groups)


@lru_cache(maxsize=1)
def _table() -> Confusions:
    return Confusions(_table_groups())


def confusions(extra: Iterable[tuple[str, str]] | None = None) -> Confusions:
    """The documented table plus ``extra`` pairs (the table alone is built once)."""
    pairs = list(extra or ())
    return Confusions([*_table_groups(), *pairs]) if pairs else _table()


_SENTENCE_END = frozenset("。！？!?…”」』）).:：")
_MD_HEADING_MARK = re.compile(r"^[ \t]*#{1,6}[ \t]+", re.MULTILINE)


# ---------------------------------------------------------------------------------------------
# One side of a comparison


class DiffText:
    """A text being compared: its span, its content units and where its headings and paragraphs are.

    A *unit* is one original character (or character reference) that survives the diff fold; its
    *token* is what it folds to (usually one character).
    """

    def __init__(self, text: str, blocks: Sequence[Block] | None, span: tuple[int, int] | None, name: str) -> None:
        lo, hi = (0, len(text)) if span is None else span
        if not 0 <= lo <= hi <= len(text):
            raise InputError(f"text {name}", f"span {lo}-{hi} is outside the text (0-{len(text)})")
        self.text, self.lo, self.hi = text, lo, hi
        given = (Block(0, len(text)),) if blocks is None else tuple(blocks)
        self.headings: list[tuple[int, int]] = []
        marked = [self._drop_heading_marks(b) for b in given]
        self.headings.sort()
        self.block_starts = sorted(b.start for b in given if lo < b.start < hi)
        norm = normalize_blocks(text, marked, lo, hi, mode="diff")
        if len(norm.text):
            starts, ends = norm.starts, norm.ends
            cut = np.flatnonzero((starts[1:] != starts[:-1]) | (ends[1:] != ends[:-1])) + 1
            firsts = np.concatenate(([0], cut)).astype(np.int64)
            self.starts: npt.NDArray[np.int64] = starts[firsts]
            self.ends: npt.NDArray[np.int64] = ends[firsts]
            self.us: list[int] = self.starts.tolist()
            self.ue: list[int] = self.ends.tolist()
            if len(firsts) == len(norm.text):
                self.tokens: str | list[str] = norm.text
            else:  # an original character folded to several (㎡ → m2): keep it one token
                bounds = [*firsts.tolist(), len(norm.text)]
                self.tokens = [norm.text[x:y] for x, y in pairwise(bounds)]
        else:
            self.starts = self.ends = np.empty(0, dtype=np.int64)
            self.us, self.ue, self.tokens = [], [], ""
        self.content_length = len(norm.text)
        # Whether units are in order and never overlap (always, unless blocks overlap): then the
        # original range of unit k holds unit k alone, which lets explain judge a differing unit
        # by its two characters.
        self.units_apart = bool((self.ends > self.starts).all() and (self.starts[1:] >= self.ends[:-1]).all())
        # Code points of the span, to compare aligned characters all at once.
        self.codes = code_points(text[lo:hi])

    def _drop_heading_marks(self, block: Block) -> Block:
        """Record where headings are; Markdown ``##`` marks become markup so they never count as text."""
        if block.kind in ("heading", "title"):
            self.headings.append((block.start, block.end))
            return block
        if self.text.find("#", block.start, block.end) < 0:  # most text has none: skip the regex pass
            return block
        marks = [m.span() for m in _MD_HEADING_MARK.finditer(self.text, block.start, block.end)]
        if not marks:
            return block
        for start, end in marks:
            line_end = self.text.find("\n", end, block.end)
            self.headings.append((start, block.end if line_end < 0 else line_end))
        clear = [(s, e) for s, e in marks if not any(x.start < e and s < x.end for x in block.edits)]
        edits = sorted([*block.edits, *(Edit(s, e, "") for s, e in clear)], key=lambda x: x.start)
        return Block(block.start, block.end, block.kind, block.level, tuple(edits))

    def units(self, x: int, y: int) -> tuple[int, int]:
        """Index range of the units lying wholly inside ``[x, y)``."""
        return bisect_left(self.us, x), bisect_right(self.ue, y)

    def content(self, x: int, y: int) -> str:
        i, j = self.units(x, y)
        return self._join(i, j)

    def _join(self, i: int, j: int) -> str:
        if j <= i:
            return ""
        part = self.tokens[i:j]
        return part if isinstance(part, str) else "".join(part)

    def visible(self, x: int, y: int) -> str:
        """The original characters of the units inside ``[x, y)``, without what lies between them."""
        return self._originals(*self.units(x, y))

    def window(self, x: int, y: int, n: int = 3) -> str:
        """The original characters of the units in ``[x, y)`` and of ``n`` units either side."""
        i, j = self.units(x, y)
        j = max(i, j)
        return self._originals(max(0, i - n), min(len(self.us), j + n))

    def _originals(self, i: int, j: int) -> str:
        """The original characters of units ``i..j``, without what lies between them."""
        text = self.text
        return "".join([text[x:y] for x, y in zip(self.us[i:j], self.ue[i:j])])

    def inside_unit(self, x: int) -> bool:
        k = bisect_right(self.us, x) - 1
        return k >= 0 and self.us[k] < x < self.ue[k]

    def before(self, x: int, n: int = 4) -> str:
        j = bisect_right(self.ue, x)
        return self._join(max(0, j - n), j)

    def after(self, y: int, n: int = 4) -> str:
        i = bisect_left(self.us, y)
        return self._join(i, min(len(self.us), i + n))

    def heading_at(self, x: int) -> tuple[int, int] | None:
        k = bisect_right(self.headings, (x, len(self.text) + 1)) - 1
        if k >= 0 and self.headings[k][0] <= x < self.headings[k][1]:
            return self.headings[k]
        return None

    def all_heading(self, x: int, y: int) -> bool:
        """Whether the content in ``[x, y)`` is one heading line."""
        i, j = self.units(x, y)
        if j <= i:
            return False
        first = self.heading_at(self.us[i])
        return first is not None and first == self.heading_at(self.ue[j - 1] - 1)

    def _last_visible(self, x: int, y: int) -> str:
        k = y
        while k > x and self.text[k - 1].isspace():
            k -= 1
        return self.text[k - 1] if k > x else ""

    def paragraph_starts(self, x: int, y: int) -> list[int]:
        """Where a new paragraph or heading starts strictly inside ``(x, y)``: block starts, and line
        starts after a finished sentence or next to a heading (not OCR hard breaks inside a word)."""
        points = {p for p in self.block_starts if x < p < y}
        for m in re.finditer(r"\n\s*", self.text[x:y]):
            p, line_break = x + m.end(), x + m.start()
            if p >= y:
                continue
            sentence_done = self._last_visible(x, line_break) in _SENTENCE_END
            if sentence_done or self.heading_at(p) or self.heading_at(line_break - 1):
                points.add(p)
        return sorted(points)


# ---------------------------------------------------------------------------------------------
# Alignment

# Indel (longest common subsequence) gives the most natural alignment but keeps a bit matrix of
# len(a)·len(b)/8 bytes. Longer pairs are first cut at k-grams found once in each text (patience
# diff's anchors); a stretch between anchors still too big is aligned by Levenshtein, whose
# Hirschberg alignment needs only linear memory.
_INDEL_CELLS = 400_000_000  # ~50 MB
_ANCHOR = 16

Tokens = str | list[str]


def _opcode_blocks(a: Tokens, b: Tokens, i0: int, j0: int) -> Iterator[tuple[int, int, int]]:
    aligner = Indel if len(a) * len(b) <= _INDEL_CELLS else Levenshtein
    for op in aligner.opcodes(a, b):
        if op.tag == "equal":
            yield op.src_start + i0, op.dest_start + j0, op.src_end - op.src_start


def _unique_grams(tokens: Tokens) -> dict[str | tuple[str, ...], int]:
    seen: dict[str | tuple[str, ...], int] = {}
    for p in range(len(tokens) - _ANCHOR + 1):
        part = tokens[p:p + _ANCHOR]
        gram = part if isinstance(part, str) else tuple(part)
        seen[gram] = -1 if gram in seen else p
    return {g: p for g, p in seen.items() if p >= 0}


def _anchors(a: Tokens, b: Tokens) -> list[tuple[int, int]]:
    """Positions of k-grams found exactly once in each text, in order in both (longest chain)."""
    in_b = _unique_grams(b)
    pairs = sorted((p, in_b[g]) for g, p in _unique_grams(a).items() if g in in_b)
    tails: list[int] = []  # longest increasing subsequence of the B positions (patience sorting)
    tail_at: list[int] = []
    parent = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        slot = bisect_left(tails, j)
        if slot == len(tails):
            tails.append(j)
            tail_at.append(k)
        else:
            tails[slot], tail_at[slot] = j, k
        parent[k] = tail_at[slot - 1] if slot else -1
    chain: list[tuple[int, int]] = []
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        chain.append(pairs[k])
        k = parent[k]
    chain.reverse()
    out: list[tuple[int, int]] = []
    for i, j in chain:
        if not out or (i >= out[-1][0] + _ANCHOR and j >= out[-1][1] + _ANCHOR):
            out.append((i, j))
    return out


def equal_blocks(
    a: Tokens, b: Tokens, recode: Callable[[str], str] | None = None
) -> Iterator[tuple[int, int, int]]:
    """Runs ``(i, j, n)`` of tokens equal in both sequences, in order.

    ``recode``, a :class:`~neardup.verify.Recoder`, makes the same alignment of two strings faster
    (a permutation of code points changes no equality); sequences cut at anchors are not recoded.
    """
    if isinstance(a, str) != isinstance(b, str):
        a, b = list(a), list(b)
    if len(a) * len(b) <= _INDEL_CELLS:
        if recode is not None and isinstance(a, str) and isinstance(b, str):
            a, b = recode(a), recode(b)
        yield from _opcode_blocks(a, b, 0, 0)
        return
    pi = pj = 0
    for i, j in [*_anchors(a, b), (len(a), len(b))]:
        if i > pi and j > pj:
            yield from _opcode_blocks(a[pi:i], b[pj:j], pi, pj)
        if i < len(a):
            yield i, j, _ANCHOR
            pi, pj = i + _ANCHOR, j + _ANCHOR
