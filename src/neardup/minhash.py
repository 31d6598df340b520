"""Shingle hashes → MinHash signatures, many passages at a time.

Signatures follow datasketch's ``affine32`` scheme exactly (MurmurHash3 finaliser, then
``a·h + b`` modulo 2³² with datasketch's own permutations for the seed), so a signature equals
``datasketch.MinHash(num_perm, seed, hashfunc=int).update_batch(hashes)`` (a test checks this) and
can be handed to datasketch's ``LeanMinHash`` and LSH classes. The work is one numpy pass over
all shingles of a batch, not a Python call per shingle.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

__all__ = ["WINDOW", "Signatures", "signatures", "signatures_and_sizes", "windows"]

Signatures = npt.NDArray[np.uint32]
_EMPTY = np.uint32(0xFFFFFFFF)
_CHUNK = 1 << 14
# Permutations hashed at a time: 8 rows of a 16k-shingle batch (512 KB) stay in the core's L2
# cache through multiply, add and min; all 128 rows at once spill to L3 (1.6x slower, measured).
_ROWS = 8


# Windows of long passages: WINDOW shingles (about as many characters), end to end.
WINDOW = 512


def windows(shingles: Sequence[npt.NDArray[np.uint32]]) -> tuple[list[int], list[npt.NDArray[np.uint32]]]:
    """Windows of the passages longer than three windows, end to end: (owner index, shingles) of each
    (a last one shorter than a quarter window is left out).

    A passage's signature estimates Jaccard similarity with the whole of it; a short article that
    lies inside a long passage (a page that segmentation did not cut) has a low one and is often
    missed by banding. One window of the long passage holds at least half of a short article (or
    a window-long stretch of a long one), so banding the windows too finds it; the window stands
    for its passage from then on. (The scan passes no shingles for the passages of web pages and
    posts: one article each.)
    """
    owners: list[int] = []
    pieces: list[npt.NDArray[np.uint32]] = []
    for k, hashes in enumerate(shingles):
        if len(hashes) > 3 * WINDOW:
            for start in range(0, len(hashes) - WINDOW // 4, WINDOW):
                owners.append(k)
                pieces.append(hashes[start:start + WINDOW])
    return owners, pieces


@lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """datasketch's affine32 permutations for ``seed``, drawn the way ``MinHash`` draws them.

    Importing datasketch costs seconds (it pulls in scipy) in every worker process, so the two
    draws are repeated here; a test checks they equal ``MinHash(num_perm, seed).permutations``.
    """
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(h: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint32(16))
        h = h * np.uint32(0x85EBCA6B)
        h = h ^ (h >> np.uint32(13))
        h = h * np.uint32(0xC2B2AE35)
        return h ^ (h >> np.uint32(16))


def signatures(shingles: Sequence[npt.NDArray[np.uint32]], num_perm: int, seed: int) -> Signatures:
    """One signature row per shingle array; an empty array gets the all-max signature."""
    return signatures_and_sizes(shingles, num_perm, seed)[0]


def signatures_and_sizes(
    shingles: Sequence[npt.NDArray[np.uint32]], num_perm: int, seed: int
) -> tuple[Signatures, npt.NDArray[np.int64]]:
    """:func:`signatures`, plus each array's number of distinct shingles (the sketch has to find
    them anyway; containment estimates need them)."""
    a, b = _permutations(num_perm, seed)
    out = np.full((len(shingles), num_perm), _EMPTY, dtype=np.uint32)
    sizes = np.zeros(len(shingles), dtype=np.int64)
    # Batches of whole passages, about _CHUNK shingles each.
    batch: list[int] = []
    size = 0
    for i, hashes in enumerate(shingles):
        if len(hashes) == 0:
            continue
        batch.append(i)
        size += len(hashes)
        if size >= _CHUNK:
            _fill(out, sizes, batch, shingles, a, b)
            batch, size = [], 0
    if batch:
        _fill(out, sizes, batch, shingles, a, b)
    return out, sizes


def _fill(
    out: Signatures,
    sizes: npt.NDArray[np.int64],
    batch: list[int],
    shingles: Sequence[npt.NDArray[np.uint32]],
    a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32],
) -> None:
    """Signatures of the (non-empty) passages ``batch`` into their rows of ``out``."""
    parts = [shingles[i] for i in batch]
    counts = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    # One sort for the whole batch: key = passage number above, shingle hash below; duplicates of a
    # shingle within a passage are then neighbours and dropped (the minimum does not need them).
    keys = np.repeat(np.arange(len(parts), dtype=np.uint64) << np.uint64(32), counts)
    keys |= np.concatenate(parts)
    keys.sort()
    keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    owner = keys >> np.uint64(32)
    hv = _fmix32(keys.astype(np.uint32))  # the low 32 bits: the shingle hash
    firsts = np.flatnonzero(np.concatenate(([True], owner[1:] != owner[:-1])))
    # Permutations along rows, shingles along columns: the min-reduction then runs over
    # contiguous memory, several times faster than the transposed layout.
    minima = np.empty((len(a), len(firsts)), dtype=np.uint32)
    block = np.empty((min(_ROWS, len(a)), len(hv)), dtype=np.uint32)
    with np.errstate(over="ignore"):
        for row in range(0, len(a), _ROWS):
            rows = block[: min(_ROWS, len(a) - row)]
            np.multiply(a[row:row + _ROWS, None], hv, out=rows)
            np.add(rows, b[row:row + _ROWS, None], out=rows)
            np.minimum.reduceat(rows, firsts, axis=1, out=minima[row:row + _ROWS])
    out[batch] = minima.T
    sizes[batch] = np.diff(np.append(firsts, len(owner)))
