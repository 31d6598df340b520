"""Signatures → LSH band keys → candidate pairs, without comparing all pairs.

Banding is vectorised: each band of ``lsh_rows`` signature values is folded into one 64-bit key,
and passages sharing a key in some band become candidates. The same ``band_keys`` feed the
in-memory scan, the on-disk archive index and the Spark backend, so all three find the same
candidates. A bucket holding more than ``bucket_cap`` passages (many identical copies, or shared
boilerplate) is paired as a chain plus a star on its first member instead of all-pairs: every member
still reaches the cluster, and the cost stays linear.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import numpy.typing as npt

__all__ = ["BandKeys", "band_key", "band_keys", "candidate_pairs", "signature_candidate_pairs"]

BandKeys = npt.NDArray[np.uint64]
_M = np.uint64(0x9E3779B97F4A7C15)


def band_key(signatures: npt.NDArray[np.uint32], rows: int, band: int) -> npt.NDArray[np.uint64]:
    """Column ``band`` of :func:`band_keys`, computed alone (a scan bands one column at a time,
    so memory holds one key per passage, not one per passage and band)."""
    cols = signatures[:, band * rows : (band + 1) * rows].astype(np.uint64)
    with np.errstate(over="ignore"):
        key = np.zeros(len(signatures), dtype=np.uint64)
        for r in range(rows):
            key = (key ^ cols[:, r]) * _M
            key ^= key >> np.uint64(31)
        key ^= np.uint64(band) * np.uint64(0xD6E8FEB86659FD93)
    return key


def band_keys(signatures: npt.NDArray[np.uint32], rows: int) -> BandKeys:
    """``(n, bands)`` keys; key ``[i, j]`` identifies rows ``j·rows … j·rows+rows-1`` of signature i."""
    n, num_perm = signatures.shape
    bands = num_perm // rows
    if bands == 0 or n == 0:
        return np.zeros((n, bands), dtype=np.uint64)
    return np.stack([band_key(signatures, rows, band) for band in range(bands)], axis=1)


def candidate_pairs(
    keys: BandKeys,
    bucket_cap: int,
    *,
    active: npt.NDArray[np.bool_] | None = None,
    keep: Callable[[npt.NDArray[np.int64]], npt.NDArray[np.int64]] | None = None,
    collisions: Callable[[int], None] | None = None,
) -> npt.NDArray[np.int64]:
    """Unique ``(i, j)`` pairs, ``i < j``, of rows that share a band key; sorted.

    ``active`` masks rows that take part (too-short passages do not). ``keep`` filters pairs as they
    are found (the prefilter), each distinct pair once, so memory holds survivors, not every collision.
    ``collisions`` is told each band's number of colliding pairs (before deduplication).
    """
    n, bands = keys.shape
    return _pairs_by_band((keys[:, band] for band in range(bands)), n, bucket_cap, active, keep, collisions)


def signature_candidate_pairs(
    signatures: npt.NDArray[np.uint32],
    rows: int,
    bucket_cap: int,
    *,
    active: npt.NDArray[np.bool_] | None = None,
    keep: Callable[[npt.NDArray[np.int64]], npt.NDArray[np.int64]] | None = None,
    collisions: Callable[[int], None] | None = None,
) -> npt.NDArray[np.int64]:
    """:func:`candidate_pairs` of ``band_keys(signatures, rows)``, one band in memory at a time;
    ``collisions`` is told each band's number of colliding pairs (before deduplication)."""
    n, num_perm = signatures.shape
    columns = (band_key(signatures, rows, band) for band in range(num_perm // rows))
    return _pairs_by_band(columns, n, bucket_cap, active, keep, collisions)


_BANDS_PER_MERGE = 8


def _pairs_by_band(
    columns: Iterable[npt.NDArray[np.uint64]],
    n: int,
    bucket_cap: int,
    active: npt.NDArray[np.bool_] | None,
    keep: Callable[[npt.NDArray[np.int64]], npt.NDArray[np.int64]] | None,
    collisions: Callable[[int], None] | None = None,
) -> npt.NDArray[np.int64]:
    # A true duplicate pair collides in most of the 64 bands: every few bands the new pairs are
    # deduplicated, and those already kept are dropped, so ``keep`` (the prefilter) sees a kept pair
    # once and memory holds it once. Rejected pairs are not remembered (there are many more of them):
    # one that collides again in a later group of bands is prefiltered again.
    ids = np.arange(n, dtype=np.int64)
    if active is not None:
        ids = ids[active]
    if len(ids) < 2:
        return np.empty((0, 2), dtype=np.int64)
    kept_codes = np.empty(0, dtype=np.int64)  # codes lo·n + hi of the pairs kept so far, sorted
    pending: list[npt.NDArray[np.int64]] = []

    def merge() -> None:
        nonlocal kept_codes
        codes = np.unique(np.concatenate(pending))
        pending.clear()
        if len(kept_codes):
            at = np.minimum(np.searchsorted(kept_codes, codes), len(kept_codes) - 1)
            codes = codes[kept_codes[at] != codes]
        if not len(codes):
            return
        pairs = np.stack((codes // n, codes % n), axis=1)
        if keep is not None:
            pairs = keep(pairs)
        kept_codes = np.union1d(kept_codes, pairs[:, 0] * np.int64(n) + pairs[:, 1])

    for band, column in enumerate(columns, 1):
        if active is not None:
            column = column[active]
        order = np.argsort(column, kind="stable")
        sorted_keys = column[order]
        same = sorted_keys[1:] == sorted_keys[:-1]
        if same.any():
            members = ids[order]
            # runs of equal keys: [run_start, run_end)
            edges = np.flatnonzero(np.diff(np.concatenate(([False], same, [False])).astype(np.int8)))
            pairs = _pairs_in_runs(members, edges[0::2], edges[1::2] + 1, bucket_cap)
            if collisions is not None:
                collisions(len(pairs))
            pending.append(np.minimum(pairs[:, 0], pairs[:, 1]) * np.int64(n) + np.maximum(pairs[:, 0], pairs[:, 1]))
        if pending and band % _BANDS_PER_MERGE == 0:
            merge()
    if pending:
        merge()
    return np.stack((kept_codes // n, kept_codes % n), axis=1)


def _pairs_in_runs(
    members: npt.NDArray[np.int64], starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64], cap: int
) -> npt.NDArray[np.int64]:
    sizes = ends - starts
    out: list[npt.NDArray[np.int64]] = []
    small = sizes <= cap
    # All pairs for small buckets, vectorised per bucket size.
    for size in np.unique(sizes[small]).tolist():
        runs = starts[small & (sizes == size)]
        iu, ju = np.triu_indices(size, k=1)
        a = members[runs[:, None] + iu[None, :]].ravel()
        b = members[runs[:, None] + ju[None, :]].ravel()
        out.append(np.stack((a, b), axis=1))
    for s, e in zip(starts[~small].tolist(), ends[~small].tolist()):
        bucket = np.sort(members[s:e])
        chain = np.stack((bucket[:-1], bucket[1:]), axis=1)
        star = np.stack((np.full(len(bucket) - 1, bucket[0]), bucket[1:]), axis=1)
        out.append(np.concatenate((chain, star)))
    return np.concatenate(out) if out else np.empty((0, 2), dtype=np.int64)
