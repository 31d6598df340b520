"""One validated settings object for every stage.

Defaults were chosen by measurement on the labelled variant corpus (``benchmarks/corpus.py``);
the README's "Tuning" section gives the figures behind them.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

from neardup.errors import ConfigError

__all__ = ["TOKENIZERS", "Config"]

TOKENIZERS = ("jieba", "rjieba", "char")
Tokenizer = Literal["jieba", "rjieba", "char"]


@dataclass(frozen=True)
class Config:
    """Settings for a scan, an index or a diff.

    Matching
        tokenizer       ``jieba`` (reference), ``rjieba`` (jieba's Rust port, same dictionary, ~10×
                        faster; ``pip install "neardup[fast]"``) or ``char`` (character n-grams).
        shingle_size    words per shingle (jieba/rjieba).
        char_ngram      characters per shingle in ``char`` mode.
        num_perm        MinHash permutations; ``num_perm // lsh_rows`` LSH bands (a remainder is unused).
        seed            MinHash seed; indexes built with another seed cannot be queried.
        lsh_rows        MinHash rows per LSH band. Fewer rows find weaker candidates.
        threshold       minimum containment (share of the shorter passage covered by aligned text)
                        that links two passages. CLI: ``--threshold``.
        min_similarity  minimum similarity (aligned share of both passages) as well; keeps a long
                        article that quotes a short brief from swallowing it.
        min_run         aligned runs shorter than this many characters do not count (chance matches
                        of common characters).
        min_passage_chars  passages with fewer matching characters are not matched on their own.
    Limits
        max_file_bytes  larger files are skipped (reported in ``skipped``).
        max_doc_chars   longer documents are truncated to this many characters (reported).
        bucket_cap      at most this many passages are paired from one LSH bucket.
    Running
        jobs            worker processes for ingest → sketch (0 = all cores).
        explain         attach the full difference list to each cluster member.
    """

    tokenizer: Tokenizer = "jieba"
    shingle_size: int = 2
    char_ngram: int = 4
    num_perm: int = 128
    seed: int = 1
    lsh_rows: int = 2
    threshold: float = 0.5
    min_similarity: float = 0.1
    min_run: int = 4
    min_passage_chars: int = 40
    max_file_bytes: int = 64 * 1024 * 1024
    max_doc_chars: int = 4_000_000
    bucket_cap: int = 200
    jobs: int = 0
    explain: bool = False

    def __post_init__(self) -> None:
        if self.tokenizer not in TOKENIZERS:
            raise ConfigError(
                f"tokenizer must be one of {', '.join(TOKENIZERS)} (--tokenizer), got {self.tokenizer!r}"
            )
        _check_range("shingle_size", self.shingle_size, 1, 8, "--shingle-size")
        _check_range("char_ngram", self.char_ngram, 1, 16, "--char-ngram")
        _check_range("num_perm", self.num_perm, 16, 1024, "--num-perm")
        _check_range("lsh_rows", self.lsh_rows, 1, 32, "--lsh-rows")
        if self.num_perm < 2 * self.lsh_rows:
            raise ConfigError(
                f"num_perm ({self.num_perm}) must give at least two LSH bands of lsh_rows ({self.lsh_rows}) rows"
            )
        if not 0 <= self.seed < 2**32:
            raise ConfigError(f"seed must be in [0, 2**32), got {self.seed}")
        _check_unit("threshold", self.threshold, "--threshold")
        _check_unit("min_similarity", self.min_similarity, "--min-similarity")
        _check_range("min_run", self.min_run, 1, 64, "--min-run")
        _check_range("min_passage_chars", self.min_passage_chars, 1, 100_000, "--min-passage-chars")
        _check_range("max_file_bytes", self.max_file_bytes, 1, 2**40, "--max-file-bytes")
        _check_range("max_doc_chars", self.max_doc_chars, 1, 2**31, "--max-doc-chars")
        _check_range("bucket_cap", self.bucket_cap, 2, 1_000_000, "--bucket-cap")
        _check_range("jobs", self.jobs, 0, 1024, "--jobs")

    @property
    def bands(self) -> int:
        return self.num_perm // self.lsh_rows

    @property
    def workers(self) -> int:
        """Worker processes to use: ``jobs``, or every core when it is 0."""
        return self.jobs or (os.cpu_count() or 1)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def matching_fingerprint(self) -> dict[str, Any]:
        """The settings that change signatures or band keys; an index stores and checks them."""
        keys = ("tokenizer", "shingle_size", "char_ngram", "num_perm", "seed", "lsh_rows")
        return {k: getattr(self, k) for k in keys}

    def replace(self, **changes: Any) -> Config:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
        return replace(self, **changes)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Config:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def _check_range(name: str, value: int, low: int, high: int, flag: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{name} ({flag}) must be an integer in [{low}, {high}], got {value!r}")


def _check_unit(name: str, value: float, flag: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ConfigError(f"{name} ({flag}) must be a number in [0, 1], got {value!r}")
