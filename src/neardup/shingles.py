"""Matching text → shingle hashes.

``jieba`` (the reference) and ``rjieba`` (jieba's Rust port: same dictionary, same algorithm, the
same words on our corpus, about 15× faster) cut words; shingles are ``shingle_size`` consecutive
words. ``char`` mode uses character n-grams instead. HMM guessing of unknown words is off: it
costs a third of jieba's time and, applied to both sides of a pair alike, adds nothing to matching.

Shingles are hashed without a Python call per word or shingle: a passage's words are joined with
NUL separators, encoded once as UTF-32, and every word's 64-bit hash is a sum over its characters
of a mix of (code point, position in the word), taken from one cumulative sum (stable across
processes and runs, unlike ``hash``). A per-word cache of crc32s did the same job before; on a
cold cache (every worker of every scan) its Python call per new word cost as much as cutting.
Shingle hashes then combine word hashes with numpy. ``WORD_HASH_VERSION`` names the scheme in an
index's fingerprint.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from functools import cache

import numpy as np
import numpy.typing as npt

from neardup.config import Config
from neardup.errors import MissingDependencyError
from neardup.normalize import code_points

__all__ = ["WORD_HASH_VERSION", "ShingleHashes", "shingle_hashes", "shingle_hashes_many", "tokenizer_fingerprint", "words"]

ShingleHashes = npt.NDArray[np.uint32]

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)
_M3 = np.uint64(0x165667B19E3779F9)
WORD_HASH_VERSION = 2


@cache
def _cutter(name: str) -> Callable[[str], list[str]]:
    if name == "rjieba":
        try:
            import rjieba
        except ImportError as exc:
            raise MissingDependencyError("rjieba", "fast") from exc
        return lambda text: rjieba.cut(text, False)
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return lambda text: jieba.lcut(text, HMM=False)


def words(text: str, tokenizer: str = "jieba") -> list[str]:
    """The words of matching text, as the word tokenizers cut them."""
    return _cutter(tokenizer)(text) if text else []


def tokenizer_fingerprint(config: Config) -> str:
    """Names what decides the shingles: tokenizer, its dictionary and version, the hash scheme."""
    if config.tokenizer == "char":
        return f"char:{config.char_ngram}"
    import jieba

    name: str = config.tokenizer
    if name == "rjieba":
        from importlib.metadata import PackageNotFoundError, version

        with contextlib.suppress(PackageNotFoundError):
            name = f"rjieba-{version('rjieba')}"
    return f"{name}:jieba-dict-{jieba.__version__}:hmm-off:{config.shingle_size}:wordhash-{WORD_HASH_VERSION}"


def _word_hashes(tokens: list[str]) -> npt.NDArray[np.uint64]:
    """A 64-bit hash of every word, all at once (see the module's docstring)."""
    if not tokens:
        return np.empty(0, dtype=np.uint64)
    joined = "\0".join(tokens)
    codes = code_points(joined).astype(np.uint64)
    ends = np.flatnonzero(codes == 0)
    ends = np.append(ends, len(codes))
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    first = np.zeros(len(codes), dtype=np.int64)
    first[starts[1:]] = starts[1:]  # position of each character's word start, filled forward
    np.maximum.accumulate(first, out=first)
    position = np.arange(len(codes), dtype=np.uint64) - first.astype(np.uint64)
    with np.errstate(over="ignore"):
        mixed = codes * _M1 + position * _M2 + _M3
        mixed ^= mixed >> np.uint64(31)
        mixed *= _M1
        mixed ^= mixed >> np.uint64(29)
        running = np.concatenate((np.zeros(1, dtype=np.uint64), np.cumsum(mixed, dtype=np.uint64)))
        return running[ends] - running[starts] + (ends - starts).astype(np.uint64) * _M3


# Units combined per block: each of the ~14 passes over a block's 64-bit values then runs in the
# core's L2 cache; over a whole chunk's text at once, every pass went to memory (4x slower, measured).
_COMBINE_BLOCK = 1 << 14


def _combine(units: npt.NDArray[np.uint64], k: int) -> ShingleHashes:
    """Hash every run of ``k`` consecutive units into 32 bits."""
    n = len(units) - k + 1
    if n <= 0:
        if len(units) == 0:
            return np.empty(0, dtype=np.uint32)
        n, k = 1, len(units)
    out = np.empty(n, dtype=np.uint32)
    with np.errstate(over="ignore"):
        for lo in range(0, n, _COMBINE_BLOCK):
            hi = min(n, lo + _COMBINE_BLOCK)
            acc = units[lo:hi] * _M1
            acc ^= acc >> np.uint64(29)
            for j in range(1, k):
                acc ^= units[lo + j:hi + j]
                acc *= _M1
                acc ^= acc >> np.uint64(29)
            acc *= _M2
            acc ^= acc >> np.uint64(32)
            out[lo:hi] = acc
    return out


def shingle_hashes(text: str, config: Config) -> ShingleHashes:
    """32-bit hashes of the shingles of matching ``text`` (duplicates kept, order kept)."""
    return shingle_hashes_many([text], config)[0]


def shingle_hashes_many(texts: Sequence[str], config: Config) -> list[ShingleHashes]:
    """:func:`shingle_hashes` of each text; the hashing runs once over all of them.

    A passage is cut on its own, but its words (or characters) are hashed and combined together
    with every other passage's, and each gets its slice: numpy's cost per call, paid some 30 times
    per passage, took as long as hashing itself on passages of a thousand characters.
    """
    if config.tokenizer == "char":
        units = code_points("".join(texts)).astype(np.uint64)
        counts = [len(text) for text in texts]
        k = config.char_ngram
    else:
        cut = _cutter(config.tokenizer)
        # NUL separates words in _word_hashes; it never matters for matching
        words_of = [cut(text.replace("\0", " ") if "\0" in text else text) if text else [] for text in texts]
        units = _word_hashes([w for words in words_of for w in words])
        counts = [len(words) for words in words_of]
        k = config.shingle_size
    # A shingle starting at unit p is that of its passage when the passage has k units from p on.
    combined = _combine(units, k) if len(units) >= k else units[:0].astype(np.uint32)
    out: list[ShingleHashes] = []
    start = 0
    for count in counts:
        if count >= k:
            out.append(combined[start:start + count - k + 1])
        else:  # none, or fewer units than a shingle: one shorter shingle of them all
            out.append(_combine(units[start:start + count], k))
        start += count
    return out
