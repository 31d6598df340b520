"""Candidate pairs → verified, aligned matches.

A cheap prefilter first drops candidates whose signatures make a link impossible; survivors are
aligned with rapidfuzz (longest common subsequence on matching text). Only aligned runs of at least
``min_run`` characters count: two unrelated Chinese articles share many single characters (的, 是,
发展) in order, but not runs of four.

Scores (both in [0, 1]):
    containment  aligned characters / length of the shorter passage — the linking score
                 (``threshold``, CLI ``--threshold``); a truncated copy or one article of a page
                 scores near 1 against the full version.
    similarity   2 · aligned / (length a + length b), the share of both texts that aligned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import LCSseq

from neardup.config import Config
from neardup.models import COVER_BLOCK
from neardup.normalize import code_points

__all__ = ["Alignment", "Recoder", "RecoderPerProcess", "align", "prefilter", "verify_pair"]

# Pairs whose LCS table would exceed this many cells are cropped to the region their shared
# 8-grams point at first (the table costs cells/64 machine words of memory).
_MAX_CELLS = 60_000_000
_ANCHOR = 8


@dataclass(frozen=True, slots=True)
class Alignment:
    """Equal runs between two matching texts: ``runs`` rows are (a_pos, b_pos, length)."""

    len_a: int
    len_b: int
    runs: tuple[tuple[int, int, int], ...]

    @property
    def matched(self) -> int:
        return sum(r[2] for r in self.runs)

    @property
    def containment(self) -> float:
        shorter = min(self.len_a, self.len_b)
        return self.matched / shorter if shorter else 0.0

    @property
    def similarity(self) -> float:
        total = self.len_a + self.len_b
        return 2 * self.matched / total if total else 0.0

    def cover_a(self) -> int:
        """The blocks of text a that aligned runs touch, as bits (see ``Pair.a_cover``)."""
        return _cover((r[0], r[2]) for r in self.runs)

    def cover_b(self) -> int:
        """:meth:`cover_a` for text b."""
        return _cover((r[1], r[2]) for r in self.runs)

    def span_a(self) -> tuple[int, int] | None:
        return (self.runs[0][0], self.runs[-1][0] + self.runs[-1][2]) if self.runs else None

    def span_b(self) -> tuple[int, int] | None:
        return (self.runs[0][1], self.runs[-1][1] + self.runs[-1][2]) if self.runs else None


# Covers of texts longer than this are not kept (0: not known): a bit per 4 characters of a
# document of millions would make every comparison of two covers a copy of megabytes.
_MAX_COVERED = 1 << 18


def _cover(runs: Iterable[tuple[int, int]]) -> int:
    bits = 0
    for start, length in runs:
        if start + length > _MAX_COVERED:
            return 0
        first, last = start // COVER_BLOCK, (start + length - 1) // COVER_BLOCK
        bits |= ((1 << (last - first + 1)) - 1) << first
    return bits


def _grams(text: str) -> npt.NDArray[np.uint64]:
    codes = code_points(text).astype(np.uint64)
    n = len(codes) - _ANCHOR + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    acc = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(_ANCHOR):
            acc = (acc ^ codes[j:j + n]) * np.uint64(0x9E3779B97F4A7C15)
            acc ^= acc >> np.uint64(29)
    return acc


def _crop(longer: str, shorter: str) -> tuple[int, int]:
    """The stretch of ``longer`` that holds its 8-grams shared with ``shorter``, with a margin."""
    hits = np.flatnonzero(np.isin(_grams(longer), _grams(shorter)))
    if len(hits) == 0:
        return 0, 0
    margin = len(shorter) // 4 + _ANCHOR
    return max(0, int(hits[0]) - margin), min(len(longer), int(hits[-1]) + _ANCHOR + margin)


class Recoder:
    """A permutation of code points that gives the most frequent characters of a sample the codes
    below 256 (and theirs to the characters it moved).

    rapidfuzz looks a character up in a flat table when its code is below 256 and in a hash map
    otherwise, once per character and 64-character block of the other text: on Chinese text the
    hash maps take nearly half the time of an alignment. An alignment depends only on which
    characters of one text equal which of the other, and a permutation keeps exactly that, so
    recoded texts align to the same runs as the originals (a test checks this); 256 common
    Chinese characters make more than half of a Chinese text.
    """

    SAMPLE = 256  # texts to learn from: enough to rank a few hundred common characters

    def __init__(self, sample: Iterable[str]) -> None:
        codes = code_points("".join(sample))
        counts = np.bincount(codes) if len(codes) else np.zeros(1, dtype=np.intp)
        present = np.flatnonzero(counts)
        top = present[np.argsort(-counts[present], kind="stable")][:_DIRECT].astype(np.int64)
        self.table = np.arange(0x110000, dtype=np.uint32)
        self.table[top] = np.arange(len(top))
        # The codes below len(top) that no top character took go to the codes the top ones left.
        self.table[np.setdiff1d(np.arange(len(top)), top)] = top[top >= len(top)]

    def __call__(self, text: str) -> str:
        return self.table.take(code_points(text)).tobytes().decode("utf-32-le", "surrogatepass")


_DIRECT = 256


def align(a: str, b: str, min_run: int = 4, *, recode: Callable[[str], str] | None = None) -> Alignment:
    """Align two matching texts; runs shorter than ``min_run`` are left out.

    ``recode``, a :class:`Recoder` (or a cache of one), makes the same alignment faster; texts too
    long to align whole are cropped by hashes of their own characters, never recoded.

    The result does not depend on the order of the texts: ``align(b, a)`` is ``align(a, b)`` with
    every run mirrored (where several longest common subsequences exist, which one the table's
    backtracking follows depends on which text is which, so the texts are always put in one order
    first). Clustering relies on this to reuse a verified pair's scores whichever way round it was
    found.
    """
    if (len(b), b) < (len(a), a):
        flipped = align(b, a, min_run, recode=recode)
        return Alignment(flipped.len_b, flipped.len_a, tuple((i, j, n) for j, i, n in flipped.runs))
    offset_a = offset_b = 0
    len_a, len_b = len(a), len(b)
    if len_a * len_b > _MAX_CELLS:
        if len(a) >= len(b):
            lo, hi = _crop(a, b)
            a, offset_a = a[lo:hi], lo
        else:
            lo, hi = _crop(b, a)
            b, offset_b = b[lo:hi], lo
        if len(a) * len(b) > _MAX_CELLS:
            return _anchor_alignment(a, b, offset_a, offset_b, min_run, len_a, len_b)
    elif recode is not None:
        a, b = recode(a), recode(b)
    runs = tuple(
        (op.src_start + offset_a, op.dest_start + offset_b, op.src_end - op.src_start)
        for op in LCSseq.opcodes(a, b)
        if op.tag == "equal" and op.src_end - op.src_start >= min_run
    )
    return Alignment(len_a, len_b, runs)


def _anchor_alignment(
    a: str, b: str, offset_a: int, offset_b: int, min_run: int, len_a: int, len_b: int
) -> Alignment:
    """For texts too long to align exactly: runs of consecutive shared 8-grams, in order of ``a``."""
    ga, gb = _grams(a), _grams(b)
    first_in_b: dict[int, int] = {}
    for pos, g in enumerate(gb.tolist()):
        first_in_b.setdefault(g, pos)
    runs: list[tuple[int, int, int]] = []
    last_b = -1
    i = 0
    while i < len(ga):
        j = first_in_b.get(int(ga[i]))
        if j is None or j <= last_b:
            i += 1
            continue
        length = _ANCHOR
        while i + length < len(a) and j + length < len(b) and a[i + length] == b[j + length]:
            length += 1
        if length >= min_run:
            runs.append((i + offset_a, j + offset_b, length))
        last_b = j + length - 1
        i += length
    return Alignment(len_a, len_b, tuple(runs))


def prefilter(
    pairs: npt.NDArray[np.int64], signatures: npt.NDArray[np.uint32], sizes: npt.NDArray[np.int64], config: Config
) -> npt.NDArray[np.int64]:
    """Drop candidates whose estimated containment is far below the threshold.

    The estimate comes from the signatures: Jaccard J from the share of equal values, then the
    containment of the smaller set, J·(|A|+|B|) / ((1+J)·min(|A|,|B|)). Half the threshold leaves
    room for the estimate's noise on short passages.
    """
    if len(pairs) == 0:
        return pairs
    keep: list[npt.NDArray[np.int64]] = []
    # Chunks of ~8k pairs: two gathered signature blocks of 4 MB each, whatever the corpus size.
    for chunk in np.array_split(pairs, max(1, len(pairs) // 8192)):
        jac = (signatures[chunk[:, 0]] == signatures[chunk[:, 1]]).mean(axis=1)
        sa, sb = sizes[chunk[:, 0]].astype(np.float64), sizes[chunk[:, 1]].astype(np.float64)
        smaller = np.maximum(np.minimum(sa, sb), 1.0)
        est = jac * (sa + sb) / ((1.0 + jac) * smaller)
        keep.append(chunk[est >= config.threshold * 0.5])
    return np.concatenate(keep)


def verify_pair(a: str, b: str, config: Config, *, recode: Callable[[str], str] | None = None) -> tuple[Alignment, bool]:
    """Align the matching texts of two passages and say whether they link under ``config``'s thresholds."""
    alignment = align(a, b, config.min_run, recode=recode)
    linked = (
        alignment.containment >= config.threshold
        and alignment.similarity >= config.min_similarity
        and bool(alignment.runs)
    )
    return alignment, linked


class RecoderPerProcess:
    """A :class:`Recoder` learned from the first texts a process samples, then kept: made before
    a pool forks, each worker learns its own once, not once per chunk of work."""

    def __init__(self) -> None:
        self._recoder: Recoder | None = None

    def __call__(self, sample: Iterable[str]) -> Recoder:
        if self._recoder is None:
            self._recoder = Recoder(sample)
        return self._recoder
