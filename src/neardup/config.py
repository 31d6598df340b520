"""One validated settings object for every stage.

Each setting belongs to one group, recorded on its field (``GROUPS`` says what each means), along
with its help text and its range: validation, the archive index's fingerprint and the CLI's
options are all derived from the fields, so a new setting is declared once. Defaults were chosen
by measurement on the labelled corpora (``benchmarks/``); the README's "Tuning" section gives the
figures behind them.
"""

from __future__ import annotations

import os
from dataclasses import Field, asdict, dataclass, field, fields, replace
from typing import Any, Literal

from neardup.errors import ConfigError

__all__ = ["GROUPS", "TOKENIZERS", "Config", "Setting", "settings"]

TOKENIZERS = ("jieba", "rjieba", "char")
Tokenizer = Literal["jieba", "rjieba", "char"]

GROUPS = {
    "sketch": "decide shingles, signatures and band keys: an archive index is built with them and "
              "checks them (its fingerprint)",
    "matching": "decide which candidates link, when pairs are verified",
    "limits": "bound what one file or one bucket may cost",
    "run": "how a run goes, not what it finds",
}


@dataclass(frozen=True)
class Setting:
    """What the library knows about one setting: its group, help text and allowed values."""

    name: str
    group: str
    help: str
    default: Any
    kind: type
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()


def _setting(default: Any, group: str, help: str, *, low: float | None = None, high: float | None = None,
             choices: tuple[str, ...] = ()) -> Any:
    assert group in GROUPS
    return field(default=default, metadata={"group": group, "help": help, "low": low, "high": high,
                                            "choices": choices})


@dataclass(frozen=True)
class Config:
    """Settings for a scan, an index or a diff (see :func:`settings` for each one's group, help
    and range)."""

    tokenizer: Tokenizer = _setting(
        "jieba", "sketch", "jieba (reference), rjieba (jieba's Rust port, same dictionary, ~10x faster; "
        "needs neardup[fast]) or char (character n-grams).", choices=TOKENIZERS)
    shingle_size: int = _setting(2, "sketch", "Words per shingle (jieba, rjieba).", low=1, high=8)
    char_ngram: int = _setting(4, "sketch", "Characters per shingle with the char tokenizer.", low=1, high=16)
    num_perm: int = _setting(128, "sketch", "MinHash permutations; num_perm // lsh_rows LSH bands.", low=16, high=1024)
    seed: int = _setting(1, "sketch", "MinHash seed; an index built with another seed cannot be queried.",
                         low=0, high=2**32 - 1)
    lsh_rows: int = _setting(2, "sketch", "MinHash rows per LSH band; fewer rows find weaker candidates.",
                             low=1, high=32)
    threshold: float = _setting(
        0.5, "matching", "Minimum verified containment (share of the shorter passage covered by aligned "
        "text, 0-1) that links two passages.", low=0.0, high=1.0)
    min_similarity: float = _setting(
        0.1, "matching", "Minimum similarity (aligned share of both passages, 0-1) as well; keeps a long "
        "article that quotes a short brief from swallowing it.", low=0.0, high=1.0)
    min_run: int = _setting(4, "matching", "Aligned runs shorter than this many characters do not count "
                            "(chance matches of common characters).", low=1, high=64)
    min_passage_chars: int = _setting(40, "matching", "Passages with fewer matching characters are not "
                                      "matched on their own.", low=1, high=100_000)
    max_file_bytes: int = _setting(64 * 1024 * 1024, "limits", "Skip files larger than this many bytes "
                                   "(reported in skipped).", low=1, high=2**40)
    max_doc_chars: int = _setting(4_000_000, "limits", "Truncate longer documents to this many characters "
                                  "(reported).", low=1, high=2**31)
    bucket_cap: int = _setting(200, "limits", "At most this many passages are paired from one LSH bucket.",
                               low=2, high=1_000_000)
    jobs: int = _setting(0, "run", "Worker processes (0 = all cores).", low=0, high=1024)
    explain: bool = _setting(False, "run", "Attach the full list of differences to every cluster member.")

    def __post_init__(self) -> None:
        for setting in settings():
            _check(setting, getattr(self, setting.name))
        if self.num_perm < 2 * self.lsh_rows:
            raise ConfigError(
                f"num_perm ({self.num_perm}) must give at least two LSH bands of lsh_rows ({self.lsh_rows}) rows",
                setting="num_perm")

    @property
    def bands(self) -> int:
        return self.num_perm // self.lsh_rows

    @property
    def workers(self) -> int:
        """Worker processes to use: ``jobs``, or every core when it is 0."""
        return self.jobs or (os.cpu_count() or 1)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def group(self, name: str) -> dict[str, Any]:
        """The settings of group ``name`` (see ``GROUPS``), in declaration order."""
        if name not in GROUPS:
            raise ConfigError(f"unknown settings group {name!r}; choose one of {', '.join(GROUPS)}")
        return {s.name: getattr(self, s.name) for s in settings() if s.group == name}

    def matching_fingerprint(self) -> dict[str, Any]:
        """The settings that change signatures or band keys (the ``sketch`` group); an index
        stores and checks them."""
        return self.group("sketch")

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


def _describe(f: Field[Any]) -> Setting:
    meta = f.metadata
    kind = {"int": int, "float": float, "bool": bool}.get(str(f.type), str)
    return Setting(f.name, meta["group"], meta["help"], f.default, kind, meta["low"], meta["high"], meta["choices"])


_SETTINGS = tuple(_describe(f) for f in fields(Config))


def settings() -> tuple[Setting, ...]:
    """Every setting of :class:`Config`, in declaration order."""
    return _SETTINGS


def _check(setting: Setting, value: Any) -> None:
    name = setting.name
    if setting.choices:
        if value not in setting.choices:
            raise ConfigError(f"{name} must be one of {', '.join(setting.choices)}, got {value!r}", setting=name)
        return
    if setting.kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{name} must be true or false, got {value!r}", setting=name)
        return
    integer = setting.kind is int
    assert setting.low is not None and setting.high is not None
    low, high = (int(setting.low), int(setting.high)) if integer else (setting.low, setting.high)
    if isinstance(value, bool) or not isinstance(value, int if integer else (int, float)) or not low <= value <= high:
        what = "an integer" if integer else "a number"
        shown = (f"{low:_}", f"{high:_}") if integer else (f"{low:g}", f"{high:g}")
        raise ConfigError(f"{name} must be {what} in [{shown[0]}, {shown[1]}], got {value!r}", setting=name)
