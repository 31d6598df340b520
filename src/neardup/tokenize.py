"""Matching text → shingle hashes.

``jieba`` (the reference) and ``rjieba`` (jieba's Rust port: same dictionary, same algorithm, the
same words on our corpus, about 15× faster) cut words; shingles are ``shingle_size`` consecutive
words. ``char`` mode uses character n-grams instead. HMM guessing of unknown words is off: it
costs a third of jieba's time and, applied to both sides of a pair alike, adds nothing to matching.

Shingles are hashed without a Python call per shingle: each distinct word is hashed once (crc32,
stable across processes and runs, unlike ``hash``) and remembered; shingle hashes combine word
hashes with numpy.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from .config import Config
from .errors import MissingDependencyError

__all__ = ["ShingleHashes", "shingle_hashes", "words", "tokenizer_fingerprint"]

ShingleHashes = npt.NDArray[np.uint32]

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)
_WORD_HASHES: dict[str, int] = {}


@lru_cache(maxsize=None)
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
    """Names what decides the shingles: tokenizer, its dictionary and version."""
    if config.tokenizer == "char":
        return f"char:{config.char_ngram}"
    import jieba

    return f"{config.tokenizer}:jieba-dict-{jieba.__version__}:hmm-off:{config.shingle_size}"


def _word_hash(word: str) -> int:
    h = _WORD_HASHES.get(word)
    if h is None:
        h = zlib.crc32(word.encode("utf-8", "surrogatepass"))
        if len(_WORD_HASHES) < 2_000_000:
            _WORD_HASHES[word] = h
    return h


def _combine(units: npt.NDArray[np.uint64], k: int) -> ShingleHashes:
    """Hash every run of ``k`` consecutive units into 32 bits."""
    n = len(units) - k + 1
    if n <= 0:
        if len(units) == 0:
            return np.empty(0, dtype=np.uint32)
        n, k = 1, len(units)
    with np.errstate(over="ignore"):
        acc = units[:n] * _M1
        acc ^= acc >> np.uint64(29)
        for j in range(1, k):
            acc ^= units[j:j + n]
            acc *= _M1
            acc ^= acc >> np.uint64(29)
        acc *= _M2
        acc ^= acc >> np.uint64(32)
    return acc.astype(np.uint32)


def shingle_hashes(text: str, config: Config) -> ShingleHashes:
    """32-bit hashes of the shingles of matching ``text`` (duplicates kept, order kept)."""
    if not text:
        return np.empty(0, dtype=np.uint32)
    if config.tokenizer == "char":
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
        return _combine(codes, config.char_ngram)
    tokens = _cutter(config.tokenizer)(text)
    try:  # the usual case, every word seen before: no Python-level code runs per word
        hashed = np.fromiter(map(_WORD_HASHES.__getitem__, tokens), dtype=np.uint64, count=len(tokens))
    except KeyError:
        hashed = np.fromiter(map(_word_hash, tokens), dtype=np.uint64, count=len(tokens))
    return _combine(hashed, config.shingle_size)
