"""Text → matching text, with an offset map back to the original.

Matching text keeps only letters and digits: full-width forms folded by NFKC, traditional characters
mapped to simplified (OpenCC ``t2s``, character by character so offsets stay exact), Latin lowered;
punctuation, whitespace and line breaks dropped. Dropping every line break is what joins OCR hard
breaks and words split across a page break (``服\\n\\n务`` → ``服务``), and dropping punctuation makes
``,`` and ``，`` and ``、`` equal for matching (``explain`` still tells them apart).

The fold of each distinct character is computed once and kept in a code-point lookup table, so a
document is normalised with a few numpy operations, not a Python loop per character. A passage of
HTML blocks is folded in one call too: its pieces between markup edits are joined, folded at once,
and each folded character is mapped back through the piece it came from.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import accumulate
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from neardup.models import Block, Edit, NormalizedText

__all__ = ["FoldMode", "code_points", "fold_text", "normalize", "normalize_blocks", "normalized_text", "to_original_spans",
           "to_original_spans_many"]

FoldMode = Literal["match", "diff"]

_UNKNOWN: Final = -2
_DROP: Final = -1
_EXPANDS: Final = -3
_PAGE_BITS: Final = 8  # the table is learned 256 code points at a time

Index = npt.NDArray[np.intp]
_NO_INDEX: Final[Index] = np.empty(0, dtype=np.intp)
_NO_OFFSETS: Final[npt.NDArray[np.int64]] = np.empty(0, dtype=np.int64)


@lru_cache(maxsize=1)
def _t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def _is_han(c: str) -> bool:
    return "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" or "\U00020000" <= c <= "\U0003134f"


def _simplify_each(chars: Sequence[str]) -> list[str]:
    """OpenCC ``t2s`` of each character on its own, in one call for all of them.

    A line break between characters stops OpenCC's phrase matching at every character, so the
    result equals converting them one by one (a test checks this), at a tenth of the cost.
    """
    converter = _t2s()
    converted = converter.convert("\n".join(chars)).split("\n")  # type: ignore[attr-defined]
    if len(converted) != len(chars):
        converted = [converter.convert(c) for c in chars]  # type: ignore[attr-defined]
    return [s or c for s, c in zip(converted, chars)]


def _fold_chars(chars: Sequence[str], mode: FoldMode) -> list[str]:
    """What each original character becomes in matching (``match``) or diff (``diff``) text."""
    compatible = [unicodedata.normalize("NFKC", ch) for ch in chars]
    han = sorted({c for folded in compatible for c in folded if _is_han(c)})
    simplified = dict(zip(han, _simplify_each(han)))
    return ["".join(_fold_one(simplified.get(c, c), mode) for c in folded) for folded in compatible]


def _fold_one(c: str, mode: FoldMode) -> str:
    """One character of the NFKC form, simplified: lowered, then filtered by ``mode``."""
    lowered = c.lower()  # may be longer than one character (U+0130 İ → i + U+0307)
    if mode == "match":
        return lowered if lowered.isalnum() else "".join(x for x in lowered if x.isalnum())
    return "".join(x for x in lowered if not x.isspace() and unicodedata.category(x)[0] != "C")


class _Folder:
    """A lazily filled code-point table: fold value, or drop, or 'expands to several characters'."""

    def __init__(self, mode: FoldMode) -> None:
        self.mode: FoldMode = mode
        self.table = np.full(0x110000, _UNKNOWN, dtype=np.int32)
        self.expansions: dict[int, str] = {}

    def learn(self, codes: npt.NDArray[np.uint32]) -> None:
        """Fill the table for the code points ``codes`` and their neighbours, a page at a time.

        Text in one script draws on a few pages of code points, so learning whole pages at once
        makes a few calls per process instead of one for nearly every new document.
        """
        pages = np.unique(codes >> _PAGE_BITS).astype(np.int64)
        points = ((pages[:, None] << _PAGE_BITS) | np.arange(1 << _PAGE_BITS)).ravel()
        cps = points[self.table[points] == _UNKNOWN].tolist()
        chars = [chr(cp) if not 0xD800 <= cp <= 0xDFFF else "" for cp in cps]  # lone surrogates drop
        folds = _fold_chars(chars, self.mode)
        self.table[cps] = [ord(f) if len(f) == 1 else _EXPANDS if f else _DROP for f in folds]
        self.expansions.update((cp, f) for cp, f in zip(cps, folds) if len(f) > 1)

    def _lookup(self, codes: npt.NDArray[np.uint32]) -> tuple[npt.NDArray[np.int32], bool]:
        """The table's value for each of ``codes`` (learning those not seen before), and whether any expands."""
        mapped = self.table.take(codes)
        if mapped.min() >= _DROP:
            return mapped, False
        unknown = mapped == _UNKNOWN
        if unknown.any():
            self.learn(codes[unknown])
            mapped = self.table.take(codes)
        return mapped, bool((mapped == _EXPANDS).any())

    def fold(self, text: str) -> tuple[str, Index]:
        """``text`` folded, and for each folded character the index of the character of ``text`` it came from."""
        if not text:
            return "", _NO_INDEX
        codes = code_points(text)
        mapped, expands = self._lookup(codes)
        if expands:
            return self._fold_with_expansions(codes, mapped)
        keep = np.flatnonzero(mapped >= 0)
        return mapped[keep].astype(np.uint32).tobytes().decode("utf-32-le"), keep

    def origins(self, text: str) -> Index:
        """``fold(text)[1]`` without the folded string: where each folded character came from."""
        if not text:
            return _NO_INDEX
        codes = code_points(text)
        mapped, expands = self._lookup(codes)
        if expands:
            return self._fold_with_expansions(codes, mapped)[1]
        return np.flatnonzero(mapped >= 0)

    def _fold_with_expansions(self, codes: npt.NDArray[np.uint32], mapped: npt.NDArray[np.int32]) -> tuple[str, Index]:
        expanding = np.flatnonzero(mapped == _EXPANDS)
        expansions = [self.expansions[cp] for cp in codes[expanding].tolist()]
        counts = (mapped >= 0).astype(np.intp)
        counts[expanding] = [len(e) for e in expansions]
        origin = np.repeat(np.arange(len(codes)), counts)
        out = np.repeat(mapped.astype(np.uint32), counts)
        firsts = np.cumsum(counts) - counts
        for at, expansion in zip(firsts[expanding].tolist(), expansions):
            out[at:at + len(expansion)] = code_points(expansion)
        return out.tobytes().decode("utf-32-le"), origin


def code_points(text: str) -> npt.NDArray[np.uint32]:
    """The code points of ``text`` as an array, lone surrogates included (one encode, no Python loop)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


_FOLDERS: Final[dict[str, _Folder]] = {}


def _folder(mode: FoldMode) -> _Folder:
    if mode not in _FOLDERS:
        _FOLDERS[mode] = _Folder(mode)
    return _FOLDERS[mode]


def fold_text(text: str, mode: FoldMode = "match") -> str:
    """The folded form of ``text`` alone, without offsets."""
    return _folder(mode).fold(text)[0]


def normalize(
    text: str, start: int = 0, end: int | None = None, *, mode: FoldMode = "match"
) -> NormalizedText:
    """Normalise ``text[start:end]``; offsets in the result point into ``text``."""
    end = len(text) if end is None else end
    folded, origin = _folder(mode).fold(text[start:end])
    starts = origin.astype(np.int64) + start
    return NormalizedText(folded, starts, starts + 1)


def normalize_blocks(
    text: str, blocks: Sequence[Block], start: int = 0, end: int | None = None, *, mode: FoldMode = "match"
) -> NormalizedText:
    """Normalise the content blocks of a document that fall inside ``[start, end)``.

    Edits inside a block are honoured: markup contributes nothing, and a character reference
    contributes its decoded text, every character of which maps back to the whole reference.
    """
    pieces, spans = _pieces(text, blocks, start, len(text) if end is None else end)
    folded, origin = _folder(mode).fold("".join(pieces))
    if not folded:
        return NormalizedText("", _NO_OFFSETS, _NO_OFFSETS)
    starts, ends = _map_to_spans(origin, [len(p) for p in pieces], spans)
    return NormalizedText(folded, starts, ends)


def normalized_text(text: str, blocks: Sequence[Block], start: int = 0, end: int | None = None) -> str:
    """``normalize_blocks(...).text`` without building the offset map (sketching needs only the text)."""
    pieces, _ = _pieces(text, blocks, start, len(text) if end is None else end)
    return _folder("match").fold("".join(pieces))[0]


def to_original_spans(
    text: str,
    blocks: Sequence[Block],
    spans: Sequence[tuple[int, int]],
    start: int = 0,
    end: int | None = None,
    *,
    mode: FoldMode = "match",
) -> list[tuple[int, int]]:
    """``[normalize_blocks(text, blocks, start, end, mode=mode).to_original(*span) for span in spans]``,
    without folding the passage into a string or building its offset map: only the two ends of
    each span are mapped back (verification maps two positions of a passage, not all of them).
    """
    return to_original_spans_many([(text, blocks, start, end, spans)], mode=mode)[0]


Wanted = tuple[str, Sequence[Block], int, int | None, Sequence[tuple[int, int]]]


def to_original_spans_many(passages: Sequence[Wanted], *, mode: FoldMode = "match") -> list[list[tuple[int, int]]]:
    """:func:`to_original_spans` of several ``(text, blocks, start, end, spans)`` at once.

    Folding is per character, so the fold of the passages' pieces all joined is their folds
    joined: one fold (a few numpy calls) serves them all, and each passage's folded characters
    are found by where its pieces begin in the joined text.
    """
    cut = [_pieces(text, blocks, start, len(text) if end is None else end) for text, blocks, start, end, _ in passages]
    joined = ["".join(pieces) for pieces, _ in cut]
    bases = [0, *accumulate(len(j) for j in joined)]
    origins = _folder(mode).origins("".join(joined))
    firsts = np.searchsorted(origins, bases).tolist()  # folded characters before each passage
    wanted: list[int] = []
    for k, (*_, spans) in enumerate(passages):
        length = firsts[k + 1] - firsts[k]
        for lo, hi in spans:
            if not 0 <= lo < hi <= length:
                raise IndexError(f"span {lo}-{hi} is outside 0-{length}")
            wanted += (firsts[k] + lo, firsts[k] + hi - 1)
    at = iter(origins[wanted].tolist())
    out: list[list[tuple[int, int]]] = []
    for k, ((pieces, places), (*_, spans)) in enumerate(zip(cut, passages)):
        piece_ends = list(accumulate(len(piece) for piece in pieces))
        mapped: list[tuple[int, int]] = []  # as _map_to_spans: (start, end) in ``text`` of each wanted position
        for _ in range(2 * len(spans)):
            origin = next(at) - bases[k]
            i = bisect_right(piece_ends, origin)
            piece_start, piece_end, replaced = places[i]
            if replaced:
                mapped.append((piece_start, piece_end))
            else:
                position = piece_start + origin - (piece_ends[i] - len(pieces[i]))
                mapped.append((position, position + 1))
        out.append([(mapped[2 * i][0], mapped[2 * i + 1][1]) for i in range(len(spans))])
    return out


def _pieces(text: str, blocks: Sequence[Block], start: int, end: int) -> tuple[list[str], list[tuple[int, int, bool]]]:
    """The text of the blocks inside ``[start, end)`` as pieces, and where each stands in ``text``
    (True: a replacement, the decoded text of an edit)."""
    pieces: list[str] = []
    spans: list[tuple[int, int, bool]] = []

    def add(piece_start: int, piece_end: int, replacement: str | None = None) -> None:
        pieces.append(text[piece_start:piece_end] if replacement is None else replacement)
        spans.append((piece_start, piece_end, replacement is not None))

    for block in blocks:
        lo, hi = max(block.start, start), min(block.end, end)
        if lo >= hi:
            continue
        cursor = lo
        for edit in _edits_within(block.edits, lo, hi):
            if edit.start > cursor:
                add(cursor, edit.start)
            if edit.text and edit.start >= lo and edit.end <= hi:
                add(edit.start, edit.end, edit.text)
            cursor = max(cursor, edit.end)
        if cursor < hi:
            add(cursor, hi)
    return pieces, spans


def _map_to_spans(
    origin: Index, lengths: list[int], spans: list[tuple[int, int, bool]]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Offsets in the document for folded characters whose origins index the joined pieces.

    A character of a raw piece maps to its own position; one of a replacement, to the whole edit.
    """
    if len(spans) == 1 and not spans[0][2]:
        starts = origin.astype(np.int64) + spans[0][0]
        return starts, starts + 1
    bounds = np.array(spans, dtype=np.int64)
    piece_firsts = np.cumsum(lengths) - np.asarray(lengths)
    piece = np.repeat(np.arange(len(lengths)), lengths)[origin]
    replaced = bounds[piece, 2].astype(bool)
    starts = bounds[piece, 0] + np.where(replaced, 0, origin - piece_firsts[piece])
    ends = np.where(replaced, bounds[piece, 1], starts + 1)
    return starts, ends


def _edits_within(edits: Sequence[Edit], lo: int, hi: int) -> Iterable[Edit]:
    return (e for e in edits if e.end > lo and e.start < hi)
