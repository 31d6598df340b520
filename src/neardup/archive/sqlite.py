"""Storage behind the archive index: what an index file records about itself (format version,
matching fingerprint) and the checks on it; the interface ``archive.Index`` needs from storage
(``ArchiveStore``; ``open_store`` picks one by name); and the SQLite implementation.

SQLite layout (one file, WAL mode)::

    meta       key → value               format version, matching fingerprint, settings
    documents  doc_id, text hash, metadata JSON, its text and content blocks (zlib)
    passages   document, span, title, matching-text length, shingle count, signature bytes
    bands      (key, band, passage)      LSH band keys, the only table a query searches

Band keys are uint64 but SQLite integers are signed: they are stored as their int64 view.
Signatures are raw little-endian uint32 bytes (``ndarray.tobytes()``), never pickled. Every write
is one ``BEGIN IMMEDIATE`` transaction, so a killed process leaves the file as before it; WAL lets
readers read meanwhile; a second writer waits ``timeout`` seconds, then gets ``IndexLockedError``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from neardup.config import Config
from neardup.errors import IndexFormatError, IndexLockedError, InputError
from neardup.models import Block, Edit
from neardup.shingles import tokenizer_fingerprint

__all__ = [
    "FORMAT_VERSION",
    "NORMALIZATION_VERSION",
    "STORES",
    "ArchiveStore",
    "BandHit",
    "BandKeysOf",
    "DocumentRow",
    "PassageRow",
    "SQLiteStore",
    "StoredPassages",
    "check_fingerprint",
    "check_format",
    "clip_layout",
    "decode_layout",
    "encode_layout",
    "index_config",
    "matching_fingerprint",
    "open_store",
    "upgrade_format",
]

STORES = ("sqlite",)
# Bump when ``normalize.py`` folds any character differently: stored signatures then no longer
# match new queries. (It belongs in normalize.py; it lives here until that module exports one.)
NORMALIZATION_VERSION = "nfkc+opencc-t2s+alnum-lower/1"
FORMAT_VERSION = 1
"""The layout of the tables. A change adds an upgrade step to ``_UPGRADES`` (run by
``neardup index migrate``), so an index is never read with the wrong layout."""

# SQLite allows 32766 bound parameters per statement; staying far below keeps statements cheap to
# prepare and works with older builds (999).
_PARAMS_PER_STATEMENT = 900

BandKeysOf = Callable[[npt.NDArray[np.uint32]], npt.NDArray[np.uint64]]
"""The index's own ``signatures → band keys`` function; the store does not know how keys are made."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS documents (
    rowid INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL UNIQUE,
    text_hash BLOB NOT NULL,
    metadata TEXT NOT NULL,
    content_start INTEGER NOT NULL,
    content BLOB NOT NULL,
    layout BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS passages (
    rowid INTEGER PRIMARY KEY,
    document INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    title TEXT,
    chars INTEGER NOT NULL,
    shingles INTEGER NOT NULL,
    signature BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_by_document ON passages(document);
CREATE TABLE IF NOT EXISTS bands (
    key INTEGER NOT NULL,
    band INTEGER NOT NULL,
    passage INTEGER NOT NULL,
    PRIMARY KEY (key, band, passage)
) WITHOUT ROWID;
"""


@dataclass(frozen=True, slots=True)
class PassageRow:
    """One passage to write: its span in the document, matching-text length, shingle count,
    signature and band keys (uint64, one per band)."""

    start: int
    end: int
    title: str | None
    chars: int
    shingles: int
    signature: npt.NDArray[np.uint32]
    keys: npt.NDArray[np.uint64]


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """One document to write or read back. ``content`` is the document's text from
    ``content_start`` on (what lies before its first passage is not kept); ``layout`` holds its
    content blocks with offsets relative to ``content``."""

    doc_id: str
    text_hash: bytes
    metadata: dict[str, Any]
    content_start: int
    content: str
    layout: tuple[Block, ...]
    passages: tuple[PassageRow, ...] = ()


@dataclass(frozen=True, slots=True)
class BandHit:
    band: int
    key: int  # the int64 view of the uint64 band key
    passage: int


@dataclass(frozen=True, slots=True)
class StoredPassages:
    """Columns of the passages a query asked for, in the order asked (missing ones left out)."""

    ids: npt.NDArray[np.int64]
    documents: npt.NDArray[np.int64]
    starts: npt.NDArray[np.int64]
    ends: npt.NDArray[np.int64]
    chars: npt.NDArray[np.int64]
    shingles: npt.NDArray[np.int64]
    signatures: npt.NDArray[np.uint32]
    titles: tuple[str | None, ...]
    doc_ids: tuple[str, ...]


class ArchiveStore(Protocol):
    """What the archive index needs from storage. Writes happen only inside ``write()``."""

    path: str
    readonly: bool

    def is_new(self) -> bool: ...
    def meta(self) -> dict[str, str]: ...
    def set_meta(self, values: dict[str, str]) -> None: ...
    def write(self) -> AbstractContextManager[None]: ...
    def snapshot(self) -> AbstractContextManager[None]: ...
    def known(self, doc_ids: Sequence[str]) -> dict[str, tuple[bytes, dict[str, Any]]]: ...
    def put(self, row: DocumentRow) -> None: ...
    def set_metadata(self, doc_id: str, metadata: dict[str, Any]) -> None: ...
    def delete(self, doc_id: str, band_keys_of: BandKeysOf) -> bool: ...
    def lookup(self, keys: npt.NDArray[np.int64], bands: npt.NDArray[np.int64]) -> list[BandHit]: ...
    def passages(self, ids: Sequence[int]) -> StoredPassages: ...
    def documents(self, rowids: Sequence[int]) -> dict[int, DocumentRow]: ...
    def get(self, doc_id: str) -> DocumentRow | None: ...
    def doc_ids(self) -> Iterator[str]: ...
    def count(self) -> int: ...
    def counts(self) -> dict[str, int]: ...
    def size_bytes(self) -> int: ...
    def integrity(self) -> str: ...
    def checkpoint(self) -> None: ...
    def close(self) -> None: ...


def open_store(path: str, *, kind: str = "sqlite", readonly: bool = False, timeout: float = 30.0) -> ArchiveStore:
    """The store named ``kind`` at ``path``; an unknown kind is an error naming the known ones."""
    if kind == "sqlite":
        return SQLiteStore(path, readonly=readonly, timeout=timeout)
    raise IndexFormatError(f"unknown index store {kind!r}; neardup has: {', '.join(STORES)}")


def check_format(path: str, meta: dict[str, str]) -> None:
    """Raise ``IndexFormatError`` unless ``meta`` is that of an index in this ``FORMAT_VERSION``."""
    from neardup._version import __version__

    if "format_version" not in meta:
        raise IndexFormatError(f"{path} is an SQLite file but not a neardup index (no format version)")
    found = int(meta["format_version"])
    if found > FORMAT_VERSION:
        raise IndexFormatError(
            f"index {path} has format {found}, newer than this neardup ({__version__}) reads "
            f"(format {FORMAT_VERSION}): upgrade neardup"
        )
    if found < FORMAT_VERSION:
        raise IndexFormatError(
            f"index {path} has format {found}, older than this neardup's (format {FORMAT_VERSION}): "
            f"upgrade it in place with `neardup index migrate {path}` (keeps every document)"
        )


def matching_fingerprint(config: Config) -> dict[str, Any]:
    """What an index records and checks: settings that change signatures or band keys, the
    tokenizer with its dictionary version, and the normalisation version."""
    return {
        "settings": config.matching_fingerprint(),
        "tokenizer": tokenizer_fingerprint(config),
        "normalization": NORMALIZATION_VERSION,
    }


def index_config(path: str | os.PathLike[str]) -> Config:
    """The settings the index at ``path`` was built with (to change a non-matching one, e.g.
    ``index_config(p).replace(threshold=0.7)``, and open with that)."""
    store = open_store(os.fspath(path), readonly=True)
    try:
        meta = store.meta()
        check_format(os.fspath(path), meta)
        return Config.from_dict(json.loads(meta["config"]))
    finally:
        store.close()


def _fingerprint_differences(stored: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    differences = [
        f"{key}: index {stored['settings'].get(key)!r}, config {value!r}"
        for key, value in wanted["settings"].items()
        if stored["settings"].get(key) != value
    ]
    for part, label in (("tokenizer", "tokenizer and dictionary"), ("normalization", "normalisation")):
        if stored.get(part) != wanted[part] and not differences:
            differences.append(f"{label}: index built with {stored.get(part)!r}, this installation has {wanted[part]!r}")
    return differences


def check_fingerprint(path: str, meta: dict[str, str], config: Config) -> None:
    """Raise ``IndexFormatError`` naming each difference unless ``config`` matches like the index."""
    stored = json.loads(meta["fingerprint"])
    differences = _fingerprint_differences(stored, matching_fingerprint(config))
    if not differences:
        return
    changed = {k: v for k, v in config.matching_fingerprint().items() if stored["settings"].get(k) != v}
    own = " ".join(f"--{k.replace('_', '-')} {stored['settings'][k]}" for k in changed)
    new = " ".join(f"--{k.replace('_', '-')} {v}" for k, v in changed.items())
    raise IndexFormatError(
        f"index {path} was built with other matching settings ({'; '.join(differences)}). Use the "
        f"index's own (Index.open without a config{'; on the command line ' + own if own else ''}), "
        f"or rebuild it from its stored texts: `neardup index migrate {path}{' ' + new if new else ''}`"
    )


# format N → N+1, each run in the migrating transaction. Format 1 is the first: nothing yet.
_UPGRADES: dict[int, Callable[[sqlite3.Connection], None]] = {}


def upgrade_format(store: SQLiteStore) -> list[int]:
    """Bring an older index to ``FORMAT_VERSION`` in place; returns the formats it passed through."""
    with store.write():
        found = int(store.meta().get("format_version", FORMAT_VERSION))
        steps = list(range(found, FORMAT_VERSION))
        for version in steps:
            if version not in _UPGRADES:
                raise IndexFormatError(f"index {store.path} has format {version}, which no neardup upgrade reads")
            _UPGRADES[version](store.connection)
        if steps:
            store.set_meta({"format_version": str(FORMAT_VERSION)})
    return steps


def clip_layout(blocks: Sequence[Block], lo: int, hi: int) -> tuple[Block, ...]:
    """The blocks inside ``[lo, hi)`` (the stored stretch of a text), offsets counted from ``lo``."""
    out = []
    for b in blocks:
        start, end = max(b.start, lo), min(b.end, hi)
        if start < end:
            edits = tuple(Edit(max(e.start, lo) - lo, min(e.end, hi) - lo, e.text)
                          for e in b.edits if e.end > lo and e.start < hi)
            out.append(Block(start - lo, end - lo, b.kind, b.level, edits))
    return tuple(out)


def encode_layout(blocks: Sequence[Block]) -> bytes:
    """Blocks as compact JSON, compressed: ``[[start, end, kind, level, [[s, e, text], ...]], ...]``."""
    data = [[b.start, b.end, b.kind, b.level, [[e.start, e.end, e.text] for e in b.edits]] for b in blocks]
    return zlib.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def decode_layout(blob: bytes) -> tuple[Block, ...]:
    data = json.loads(zlib.decompress(blob).decode("utf-8"))
    return tuple(
        Block(start, end, kind, level, tuple(Edit(s, e, t) for s, e, t in edits))
        for start, end, kind, level, edits in data
    )


def _compress_text(text: str) -> bytes:
    # surrogatepass: a lone surrogate in a JSONL record must survive the round trip, not crash it.
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 6)


def _decompress_text(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8", "surrogatepass")


def _chunks(values: Sequence[Any], size: int = _PARAMS_PER_STATEMENT) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _is_locked(exc: sqlite3.OperationalError) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message


class SQLiteStore:
    """``ArchiveStore`` in one SQLite file (WAL mode, ``synchronous=NORMAL``).

    ``synchronous=NORMAL`` in WAL mode never corrupts the file: a power cut can lose the last
    committed transactions, a killed process cannot (the OS keeps its writes).
    """

    def __init__(self, path: str, *, readonly: bool = False, timeout: float = 30.0) -> None:
        self.path = path
        self.readonly = readonly
        self.timeout = timeout
        target = Path(path)
        if target.is_dir():
            raise InputError(path, "is a folder; an index is one file (e.g. archive.ndx)")
        if readonly and not target.exists():
            raise InputError(path, "no such index; create one with `neardup index add INDEX PATH...`")
        uri = target.resolve().as_uri() + ("?mode=ro" if readonly else "")
        try:
            self._db = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None,
                                       check_same_thread=False)
            self._db.execute("PRAGMA cache_size = -65536")  # 64 MiB: the bands B-tree stays hot
            self._db.execute("PRAGMA mmap_size = 268435456")
            if not readonly:
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
                self._write_schema()
            self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:
            if _is_locked(exc):
                raise IndexLockedError(f"index {path} is locked by another writer; waited {timeout:g} s") from exc
            raise IndexFormatError(f"{path} cannot be opened as a neardup index: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            raise IndexFormatError(f"{path} is not a neardup index (not an SQLite database): {exc}") from exc

    def _write_schema(self) -> None:
        # Only into an empty file: another program's SQLite database must not get our tables.
        if self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            return
        with self.write():
            if not self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                # executescript() would commit first; statements one by one stay in the transaction.
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    self._db.execute(statement)

    def is_new(self) -> bool:
        """True for an index just created: our tables, no settings recorded yet."""
        try:
            return not self._db.execute("SELECT count(*) FROM meta").fetchone()[0]
        except sqlite3.OperationalError:
            return False


    @contextmanager
    def write(self) -> Iterator[None]:
        """One write transaction: everything inside commits together or not at all."""
        if self.readonly:
            raise IndexFormatError(f"index {self.path} was opened read-only")
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _is_locked(exc):
                raise IndexLockedError(
                    f"index {self.path} is locked by another writer; waited {self.timeout:g} s "
                    "(open it with a longer timeout, or run one writer at a time)"
                ) from exc
            raise
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A read transaction: every read inside sees the same committed state."""
        if self._db.in_transaction:
            yield
            return
        self._db.execute("BEGIN")
        try:
            yield
        finally:
            self._db.execute("COMMIT")


    def meta(self) -> dict[str, str]:
        try:
            return dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return {}
            raise

    def set_meta(self, values: dict[str, str]) -> None:
        self._db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", values.items())


    def known(self, doc_ids: Sequence[str]) -> dict[str, tuple[bytes, dict[str, Any]]]:
        """Text hash and metadata of those of ``doc_ids`` that are stored."""
        found: dict[str, tuple[bytes, dict[str, Any]]] = {}
        for part in _chunks(doc_ids):
            marks = ",".join("?" * len(part))
            for doc_id, digest, metadata in self._db.execute(
                f"SELECT doc_id, text_hash, metadata FROM documents WHERE doc_id IN ({marks})", tuple(part)
            ):
                found[doc_id] = (bytes(digest), json.loads(metadata))
        return found

    def put(self, row: DocumentRow) -> None:
        """Insert a document with its passages and band keys (``delete`` any old one first)."""
        cursor = self._db.execute(
            "INSERT INTO documents (doc_id, text_hash, metadata, content_start, content, layout) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (row.doc_id, row.text_hash, json.dumps(row.metadata, ensure_ascii=False), row.content_start,
             _compress_text(row.content), encode_layout(row.layout)),
        )
        document = cursor.lastrowid
        band_rows: list[tuple[int, int, int]] = []
        for p in row.passages:
            cursor = self._db.execute(
                "INSERT INTO passages (document, start, end, title, chars, shingles, signature) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (document, p.start, p.end, p.title, p.chars, p.shingles,
                 np.ascontiguousarray(p.signature, dtype="<u4").tobytes()),
            )
            passage = cursor.lastrowid
            assert passage is not None
            keys = p.keys.view(np.int64).tolist()
            band_rows.extend((key, band, passage) for band, key in enumerate(keys))
        # Sorted inserts touch each B-tree page once per batch instead of jumping around it.
        band_rows.sort()
        self._db.executemany("INSERT OR IGNORE INTO bands (key, band, passage) VALUES (?, ?, ?)", band_rows)

    def set_metadata(self, doc_id: str, metadata: dict[str, Any]) -> None:
        self._db.execute("UPDATE documents SET metadata = ? WHERE doc_id = ?",
                         (json.dumps(metadata, ensure_ascii=False), doc_id))

    def delete(self, doc_id: str, band_keys_of: BandKeysOf) -> bool:
        """Remove a document, its passages and their band keys; false when it was not there.

        Band rows are found again from the stored signatures (the keys are a function of them),
        so the bands table needs no second index by passage (which would cost a third of its size).
        """
        found = self._db.execute("SELECT rowid FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if found is None:
            return False
        document = int(found[0])
        stored = self._db.execute("SELECT rowid, signature FROM passages WHERE document = ?", (document,)).fetchall()
        if stored:
            sigs = np.stack([np.frombuffer(blob, dtype="<u4") for _, blob in stored]).astype(np.uint32)
            doomed = [
                (key, band, pid)
                for (pid, _), row_keys in zip(stored, band_keys_of(sigs).view(np.int64).tolist())
                for band, key in enumerate(row_keys)
            ]
            self._db.executemany("DELETE FROM bands WHERE key = ? AND band = ? AND passage = ?", doomed)
            self._db.execute("DELETE FROM passages WHERE document = ?", (document,))
        self._db.execute("DELETE FROM documents WHERE rowid = ?", (document,))
        return True


    def lookup(self, keys: npt.NDArray[np.int64], bands: npt.NDArray[np.int64]) -> list[BandHit]:
        """Every stored (band, key) equal to one of the given pairs."""
        wanted = set(zip(bands.tolist(), keys.tolist()))
        distinct = sorted({k for _, k in wanted})
        hits: list[BandHit] = []
        for part in _chunks(distinct):
            marks = ",".join("?" * len(part))
            for key, band, passage in self._db.execute(
                f"SELECT key, band, passage FROM bands WHERE key IN ({marks})", tuple(part)
            ):
                if (band, key) in wanted:
                    hits.append(BandHit(band, key, passage))
        return hits

    def passages(self, ids: Sequence[int]) -> StoredPassages:
        rows: dict[int, tuple[Any, ...]] = {}
        for part in _chunks(list(ids)):
            marks = ",".join("?" * len(part))
            for row in self._db.execute(
                "SELECT p.rowid, p.document, p.start, p.end, p.chars, p.shingles, p.signature, p.title, d.doc_id "
                f"FROM passages AS p JOIN documents AS d ON d.rowid = p.document WHERE p.rowid IN ({marks})",
                tuple(part),
            ):
                rows[int(row[0])] = row
        ordered = [rows[i] for i in ids if i in rows]

        def column(k: int) -> npt.NDArray[np.int64]:
            return np.fromiter((r[k] for r in ordered), dtype=np.int64, count=len(ordered))

        width = len(ordered[0][6]) // 4 if ordered else 0
        sigs = np.frombuffer(b"".join(r[6] for r in ordered), dtype="<u4").reshape(len(ordered), width)
        return StoredPassages(
            ids=column(0), documents=column(1), starts=column(2), ends=column(3), chars=column(4),
            shingles=column(5), signatures=sigs.astype(np.uint32), titles=tuple(r[7] for r in ordered),
            doc_ids=tuple(r[8] for r in ordered),
        )

    def documents(self, rowids: Sequence[int]) -> dict[int, DocumentRow]:
        found: dict[int, DocumentRow] = {}
        for part in _chunks(list(rowids)):
            marks = ",".join("?" * len(part))
            for row in self._db.execute(
                "SELECT rowid, doc_id, text_hash, metadata, content_start, content, layout "
                f"FROM documents WHERE rowid IN ({marks})", tuple(part)
            ):
                found[int(row[0])] = self._document(row[1:])
        return found

    @staticmethod
    def _document(row: Sequence[Any]) -> DocumentRow:
        doc_id, digest, metadata, content_start, content, layout = row
        return DocumentRow(str(doc_id), bytes(digest), json.loads(metadata), int(content_start),
                           _decompress_text(content), decode_layout(layout))

    def get(self, doc_id: str) -> DocumentRow | None:
        """A document with its passages' spans, titles and signatures (``keys`` left empty)."""
        with self.snapshot():
            row = self._db.execute("SELECT rowid, doc_id, text_hash, metadata, content_start, content, layout "
                                   "FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
            passages = [] if row is None else self._db.execute(
                "SELECT start, end, title, chars, shingles, signature FROM passages WHERE document = ? "
                "ORDER BY start", (row[0],)).fetchall()
        if row is None:
            return None
        no_keys = np.empty(0, dtype=np.uint64)
        return dataclasses.replace(self._document(row[1:]), passages=tuple(
            PassageRow(start, end, title, chars, shingles, np.frombuffer(sig, dtype="<u4").astype(np.uint32), no_keys)
            for start, end, title, chars, shingles, sig in passages))

    def doc_ids(self) -> Iterator[str]:
        """Every stored id, in the order they were first added."""
        last = 0
        while True:
            rows = self._db.execute(
                "SELECT rowid, doc_id FROM documents WHERE rowid > ? ORDER BY rowid LIMIT 1000", (last,)
            ).fetchall()
            if not rows:
                return
            for _, doc_id in rows:
                yield str(doc_id)
            last = int(rows[-1][0])

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM documents").fetchone()[0])

    def counts(self) -> dict[str, int]:
        with self.snapshot():
            return {
                table: int(self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                for table in ("documents", "passages", "bands")
            }

    def size_bytes(self) -> int:
        """The file and its write-ahead log, as they are on disk now."""
        return sum(Path(self.path + suffix).stat().st_size
                   for suffix in ("", "-wal") if Path(self.path + suffix).exists())

    def integrity(self) -> str:
        return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the main file (so the file alone is the whole index)."""
        if not self.readonly:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @property
    def connection(self) -> sqlite3.Connection:
        """The SQLite connection, for format upgrades (and tests); other code uses the methods."""
        return self._db

    def close(self) -> None:
        self._db.close()
