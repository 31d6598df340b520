"""Text → matching text, with an offset map back to the original.

Matching text keeps only letters and digits: full-width forms folded by NFKC, traditional characters
mapped to simplified (OpenCC ``t2s``, character by character so offsets stay exact), Latin lowered;
punctuation, whitespace and line breaks dropped. Dropping every line break is what joins OCR hard
breaks and words split across a page break (``服\\n\\n务`` → ``服务``), and dropping punctuation makes
``,`` and ``，`` and ``、`` equal for matching (``explain`` still tells them apart).

The fold of each distinct character is computed once and kept in a code-point lookup table, so a
document is normalised with a few numpy operations, not a Python loop per character.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Literal

import numpy as np
import numpy.typing as npt

from .models import Block, Edit, NormalizedText

__all__ = ["FoldMode", "fold_text", "normalize", "normalize_blocks"]

FoldMode = Literal["match", "diff"]

_UNKNOWN = -2
_DROP = -1
_EXPANDS = -3


@lru_cache(maxsize=1)
def _t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def _fold_char(ch: str, mode: FoldMode) -> str:
    """What one original character becomes in matching (``match``) or diff (``diff``) text."""
    folded = unicodedata.normalize("NFKC", ch)
    if not folded:
        return ""
    converter = _t2s()
    out = []
    for c in folded:
        if "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" or "\U00020000" <= c <= "\U0003134f":
            c = converter.convert(c) or c  # type: ignore[attr-defined]
        c = c.lower()
        if mode == "match":
            out.append("".join(x for x in c if x.isalnum()))
        elif not c.isspace() and unicodedata.category(c)[0] != "C":
            out.append(c)
    return "".join(out)


class _Folder:
    """A lazily filled code-point table: fold value, or drop, or 'expands to several characters'."""

    def __init__(self, mode: FoldMode) -> None:
        self.mode: FoldMode = mode
        self.table = np.full(0x110000, _UNKNOWN, dtype=np.int32)
        self.expansions: dict[int, str] = {}

    def learn(self, chars: Iterable[str]) -> None:
        for ch in chars:
            cp = ord(ch)
            if self.table[cp] != _UNKNOWN:
                continue
            folded = _fold_char(ch, self.mode) if not 0xD800 <= cp <= 0xDFFF else ""
            if not folded:
                self.table[cp] = _DROP
            elif len(folded) == 1:
                self.table[cp] = ord(folded)
            else:
                self.table[cp] = _EXPANDS
                self.expansions[cp] = folded

    def fold(self, text: str, offset: int) -> tuple[str, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        if not text:
            empty = np.empty(0, dtype=np.int64)
            return "", empty, empty
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        mapped = self.table[codes]
        if (mapped == _UNKNOWN).any():
            self.learn(set(text))
            mapped = self.table[codes]
        if (mapped == _EXPANDS).any():
            return self._fold_with_expansions(text, mapped, offset)
        keep = np.flatnonzero(mapped >= 0)
        folded = mapped[keep].astype(np.uint32).tobytes().decode("utf-32-le")
        starts = keep.astype(np.int64) + offset
        return folded, starts, starts + 1

    def _fold_with_expansions(
        self, text: str, mapped: npt.NDArray[np.int32], offset: int
    ) -> tuple[str, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        parts: list[str] = []
        origin: list[int] = []
        for i, value in enumerate(mapped.tolist()):
            if value >= 0:
                parts.append(chr(value))
                origin.append(i)
            elif value == _EXPANDS:
                expansion = self.expansions[ord(text[i])]
                parts.append(expansion)
                origin.extend([i] * len(expansion))
        starts = np.asarray(origin, dtype=np.int64) + offset
        return "".join(parts), starts, starts + 1


_FOLDERS: dict[str, _Folder] = {}


def _folder(mode: FoldMode) -> _Folder:
    if mode not in _FOLDERS:
        _FOLDERS[mode] = _Folder(mode)
    return _FOLDERS[mode]


def fold_text(text: str, mode: FoldMode = "match") -> str:
    """The folded form of ``text`` alone, without offsets."""
    return _folder(mode).fold(text, 0)[0]


def normalize(
    text: str, start: int = 0, end: int | None = None, *, mode: FoldMode = "match"
) -> NormalizedText:
    """Normalise ``text[start:end]``; offsets in the result point into ``text``."""
    end = len(text) if end is None else end
    folded, starts, ends = _folder(mode).fold(text[start:end], start)
    return NormalizedText(folded, starts, ends)


def normalize_blocks(
    text: str, blocks: Sequence[Block], start: int = 0, end: int | None = None, *, mode: FoldMode = "match"
) -> NormalizedText:
    """Normalise the content blocks of a document that fall inside ``[start, end)``.

    Edits inside a block are honoured: markup contributes nothing, and a character reference
    contributes its decoded text, every character of which maps back to the whole reference.
    """
    end = len(text) if end is None else end
    folder = _folder(mode)
    texts: list[str] = []
    starts: list[npt.NDArray[np.int64]] = []
    ends: list[npt.NDArray[np.int64]] = []

    def add(piece_start: int, piece_end: int, replacement: str | None = None) -> None:
        if replacement is None:
            t, s, e = folder.fold(text[piece_start:piece_end], piece_start)
        else:
            t, _, _ = folder.fold(replacement, 0)
            s = np.full(len(t), piece_start, dtype=np.int64)
            e = np.full(len(t), piece_end, dtype=np.int64)
        if t:
            texts.append(t)
            starts.append(s)
            ends.append(e)

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
    if not texts:
        empty = np.empty(0, dtype=np.int64)
        return NormalizedText("", empty, empty)
    return NormalizedText("".join(texts), np.concatenate(starts), np.concatenate(ends))


def _edits_within(edits: Sequence[Edit], lo: int, hi: int) -> Iterable[Edit]:
    return (e for e in edits if e.end > lo and e.start < hi)
