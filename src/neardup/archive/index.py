"""A persistent, incremental archive index: check each new article against millions already seen,
without rescanning them.

    >>> with Index.open("archive.ndx") as archive:
    ...     archive.add("2024-05-01/a.txt", text, metadata={"source": "株洲日报"})
    ...     for match in archive.query(new_text):
    ...         print(match.doc_id, match.doc_span, match.query_span, match.containment)

An index runs the stages ``scan`` runs (``parse_text``, ``segment``, ``normalize_blocks``,
``shingle_hashes``, ``signatures``, ``band_keys``, ``prefilter``, ``verify_pair``), so a query links
what a scan of the same files links, with the same scores and spans: an article of a stored page,
a stored article inside a query page.

Stored per document (tables in ``sqlite.py``): id, text hash (re-adding the same text is a no-op),
metadata, and the text from its first passage to its last with its content blocks, compressed;
per passage its span, signature and band keys. Verifying a candidate rebuilds the passage's
matching text and offset map from the stored text with ``normalize_blocks``. Settings and
concurrency: see ``Index``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import itertools
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from neardup._version import __version__
from neardup.archive.sqlite import (
    FORMAT_VERSION,
    NORMALIZATION_VERSION,
    ArchiveStore,
    DocumentRow,
    PassageRow,
    StoredPassages,
    check_fingerprint,
    check_format,
    clip_layout,
    index_config,
    matching_fingerprint,
    open_store,
)
from neardup.config import Config
from neardup.errors import ConfigError, IndexFormatError, IndexLockedError, InputError
from neardup.ingest import parse_text
from neardup.local.workers import WorkerPool
from neardup.lsh import band_keys
from neardup.models import Document, NormalizedText, Passage, Report
from neardup.normalize import normalize_blocks, normalized_text
from neardup.sketching import SketchedFile, sketch_documents
from neardup.verify import prefilter, verify_pair

__all__ = [
    "NORMALIZATION_VERSION",
    "AddItem",
    "AddOutcome",
    "AddSummary",
    "ArchivedDocument",
    "Index",
    "Match",
    "Sketch",
    "attach_archive_matches",
    "index_config",
    "matching_fingerprint",
    "migrate",
]

AddOutcome = Literal["added", "replaced", "updated", "unchanged"]
AddItem = tuple[str, "str | Document"] | tuple[str, "str | Document", "dict[str, Any] | None"]
_PARALLEL_MIN_DOCS = 32


@dataclass(frozen=True)
class Match:
    """A stored passage that a query passage links to (verified like ``scan``'s pairs).

    Spans are ``(start, end)`` string offsets: ``doc_span`` the stored passage in the stored
    document's text, ``query_span`` the query passage in the query's text; ``*_aligned`` the
    aligned region within each. ``containment`` is the aligned share of the shorter passage,
    ``similarity`` the aligned share of both.
    """

    doc_id: str
    doc_span: tuple[int, int]
    query_span: tuple[int, int]
    similarity: float
    containment: float
    doc_aligned: tuple[int, int]
    query_aligned: tuple[int, int]
    title: str | None = None
    metadata: dict[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types; scores rounded like the scan report's."""
        data = dataclasses.asdict(self)
        return data | {k: list(data[k]) for k in ("doc_span", "doc_aligned", "query_span", "query_aligned")} | {
            "similarity": round(self.similarity, 4), "containment": round(self.containment, 4)}


@dataclass(frozen=True)
class ArchivedDocument:
    """What an index keeps of a document (``Index.get``). ``content`` is the document's text from
    ``content_start`` to the end of its last passage; passage spans are offsets into the whole
    text, as added."""

    doc_id: str
    metadata: dict[str, Any]
    passages: tuple[tuple[int, int, str | None], ...]
    text_hash: str
    content_start: int
    content: str


@dataclass(frozen=True)
class AddSummary:
    """What ``add_many`` did: documents new, replaced (text changed), updated (metadata only),
    unchanged (same text and metadata: nothing written), and passages written."""

    added: int = 0
    replaced: int = 0
    updated: int = 0
    unchanged: int = 0
    passages: int = 0


@dataclass(frozen=True)
class Sketch:
    """A query text cut into passages and sketched (``Index.sketch``): the tokenising half of a
    query, kept apart so it can run elsewhere (a worker) or be timed on its own."""

    document: Document
    passages: tuple[Passage, ...]
    texts: tuple[str, ...]
    sizes: npt.NDArray[np.int64]
    signatures: npt.NDArray[np.uint32]
    keys: npt.NDArray[np.uint64]


def _metadata(document: Document, given: dict[str, Any] | None) -> dict[str, Any]:
    """What the text says of itself (title, date, URL), then what the caller gave, which wins."""
    found = {"title": document.title, "date": document.date, "url": document.url}
    return {k: v for k, v in found.items() if v is not None} | (given or {})


Source = str | Document
Sketcher = Callable[[list[tuple[str, Source]]], Callable[[], SketchedFile]]


def _parse(doc_id: str, source: Source, config: Config) -> Document:
    return source if isinstance(source, Document) else parse_text(doc_id, source, config=config)


def _parse_and_sketch(args: tuple[list[tuple[str, Source]], Config]) -> SketchedFile:
    items, config = args
    return sketch_documents([_parse(doc_id, source, config) for doc_id, source in items], config)


def _merge(parts: list[SketchedFile], num_perm: int) -> SketchedFile:
    sigs = [np.empty((0, num_perm), np.uint32)] + [p.signatures for p in parts if p.signatures is not None]
    merged = SketchedFile(signatures=np.concatenate(sigs))
    for part in parts:
        first = len(merged.documents)
        merged.documents.extend(part.documents)
        merged.passages.extend(dataclasses.replace(p, doc=p.doc + first) for p in part.passages)
        merged.texts.extend(part.texts)
        merged.sizes.extend(part.sizes)
    return merged


@contextlib.contextmanager
def _sketcher(config: Config) -> Iterator[Sketcher]:
    """Parses and sketches batches of documents (HTML extraction and tokenising are the costly
    part of adding, as of scanning): in forked workers when the config allows several, in the
    background, so that the caller writes one batch while the next is being sketched."""
    pool: WorkerPool | None = None

    def submit(items: list[tuple[str, Source]]) -> Callable[[], SketchedFile]:
        nonlocal pool
        if config.workers <= 1 or len(items) < _PARALLEL_MIN_DOCS or os.name != "posix":
            done = _parse_and_sketch((items, config))
            return lambda: done
        if pool is None:
            sketch_documents([parse_text("warm-up", "预热", config=config)], config)  # dictionary shared copy-on-write
            pool = WorkerPool(config.workers)
        bounds = np.linspace(0, len(items), config.workers * 2 + 1).astype(int).tolist()
        replies = pool.map_async(_parse_and_sketch, [(items[lo:hi], config) for lo, hi in itertools.pairwise(bounds) if hi > lo])
        return lambda: _merge(replies(), config.num_perm)

    try:
        yield submit
    finally:
        if pool is not None:
            pool.close()


@dataclass
class _Plan:
    """A batch checked against the index: outcomes known so far, documents to write (being
    sketched meanwhile), ids whose metadata alone changed."""

    outcomes: dict[str, tuple[AddOutcome, int]]
    changed: list[tuple[str, Source, dict[str, Any] | None, bytes]]
    relabelled: list[tuple[str, dict[str, Any]]]
    sketched: Callable[[], SketchedFile] | None


class Index:
    """An embedded on-disk index of documents, for incremental near-duplicate checks.

    Open with ``Index.open``; use as a context manager (or call ``close``). ``add`` with an id
    already stored and the same text is a no-op (new metadata, if given, replaces the old); with a
    different text it replaces the document.

    Settings: an index records its format version and *matching fingerprint* (tokenizer and its
    dictionary, normalisation, shingle size, num_perm, seed, LSH rows). ``config=None`` uses the
    index's own; another fingerprint is refused (``IndexFormatError`` naming what differs), and
    ``migrate`` rebuilds for it from the stored texts. Thresholds may differ freely. Upgrading
    neardup alone does not invalidate an index; upgrading jieba (its dictionary) does, and says so.

    Concurrency: readers (``readonly=True``) work while one writer adds. Each ``add_many`` batch
    is one transaction: a killed process leaves the index as before the batch or after it. A second
    writer waits ``timeout`` seconds for the first one's batch, then gets ``IndexLockedError``.
    """

    def __init__(self, store: ArchiveStore, config: Config) -> None:
        self._store = store
        self.config = config
        self.path = store.path

    @classmethod
    def open(cls, path: str | os.PathLike[str], config: Config | None = None, *, readonly: bool = False,
             timeout: float = 30.0, store: str = "sqlite") -> Index:
        """Open (or, unless ``readonly``, create) the index at ``path``.

        ``config=None`` uses the settings the index was built with (``Config()`` for a new one).
        ``timeout`` is how long a writer waits for another writer's lock, in seconds.
        """
        if not timeout >= 0:
            raise ConfigError(f"timeout must be a number of seconds >= 0, got {timeout!r}")
        target = os.fspath(path)
        backend = open_store(target, kind=store, readonly=readonly, timeout=timeout)
        try:
            meta = backend.meta()
            if not readonly and backend.is_new():
                with backend.write():
                    meta = backend.meta() or cls._initial_meta(config or Config())
                    backend.set_meta(meta)
            check_format(target, meta)
            if config is None:
                config = Config.from_dict(json.loads(meta["config"]))
            else:
                check_fingerprint(target, meta, config)
        except BaseException:
            backend.close()
            raise
        return cls(backend, config)

    @staticmethod
    def _initial_meta(config: Config) -> dict[str, str]:
        return {"format_version": str(FORMAT_VERSION), "fingerprint": json.dumps(matching_fingerprint(config)),
                "config": json.dumps(config.to_dict()), "created_by": f"neardup {__version__}",
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._store.close()

    def add(self, doc_id: str, text: str | Document, *, metadata: dict[str, Any] | None = None) -> AddOutcome:
        """Store one document (raw text, HTML or front matter detected as ``scan`` does, or a
        ``Document`` from ``neardup.ingest``). Returns what happened."""
        with _sketcher(self.config.replace(jobs=1)) as submit:
            return self._write(self._plan([(doc_id, text, metadata)], submit))[doc_id][0]

    def add_many(self, items: Iterable[AddItem], *, batch_size: int = 500,
                 progress: Callable[[AddSummary], None] | None = None) -> AddSummary:
        """Store ``(doc_id, text)`` or ``(doc_id, text, metadata)`` items, ``batch_size`` per
        transaction; ``progress`` is called with the running totals after each batch."""
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ConfigError(f"batch_size must be an integer >= 1, got {batch_size!r}")
        counts: Counter[str] = Counter()
        pending, planned = iter(items), None
        with _sketcher(self.config) as submit:
            # Batch k+1 is parsed and tokenised (in the workers) while batch k is written.
            while (batch := list(itertools.islice(pending, batch_size))) or planned is not None:
                written: dict[str, tuple[AddOutcome, int]] = {}
                try:
                    following = self._plan(batch, submit) if batch else None
                finally:  # a bad item in the next batch does not cost the checked one before it
                    if planned is not None:
                        written = self._write(planned)
                for outcome, passages in written.values():
                    counts.update({outcome: 1, "passages": passages})
                if written and progress:
                    progress(AddSummary(**counts))
                planned = following
        return AddSummary(**counts)

    @staticmethod
    def _checked(item: AddItem) -> tuple[str, Source, dict[str, Any] | None]:
        if not isinstance(item, tuple) or len(item) not in (2, 3):
            raise InputError(repr(item)[:60], "each item is (doc_id, text) or (doc_id, text, metadata)")
        doc_id, source = item[0], item[1]
        metadata = item[2] if len(item) == 3 else None
        if not isinstance(doc_id, str) or not doc_id:
            raise InputError(repr(doc_id), "a document id must be a non-empty string")
        if not isinstance(source, (str, Document)):
            raise InputError(doc_id, f"text must be a str or a neardup Document, got {type(source).__name__}")
        if metadata is not None and not isinstance(metadata, dict):
            raise InputError(doc_id, f"metadata must be a dict, got {type(metadata).__name__}")
        try:
            json.dumps(metadata)
        except (TypeError, ValueError) as exc:
            raise InputError(doc_id, f"metadata must be JSON-serialisable (str, numbers, lists, dicts): {exc}") from exc
        return doc_id, source, metadata

    def _plan(self, items: list[AddItem], submit: Sketcher) -> _Plan:
        """Check a batch against the index; start sketching what is new or changed."""
        latest = {doc_id: (source, given) for doc_id, source, given in map(self._checked, items)}
        known = self._store.known(list(latest))
        plan = _Plan({}, [], [], None)
        for doc_id, (source, given) in latest.items():
            text = source.text if isinstance(source, Document) else source
            digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
            old = known.get(doc_id)
            if old is None or old[0] != digest:
                plan.changed.append((doc_id, source, given, digest))
                continue
            # Same text: nothing to sketch. Only new metadata, if given, is written.
            metadata = _metadata(_parse(doc_id, source, self.config), given) if given is not None else old[1]
            plan.outcomes[doc_id] = ("updated", 0) if metadata != old[1] else ("unchanged", 0)
            if metadata != old[1]:
                plan.relabelled.append((doc_id, metadata))
        if plan.changed:
            plan.sketched = submit([(doc_id, source) for doc_id, source, _, _ in plan.changed])
        return plan

    def _write(self, plan: _Plan) -> dict[str, tuple[AddOutcome, int]]:
        """Write a planned batch in one transaction; what happened to each id, and its passages."""
        # Sketching finishes before the transaction begins: the write lock is held only to write.
        rows = self._rows(plan.changed, plan.sketched()) if plan.sketched is not None else []
        if rows or plan.relabelled:
            with self._store.write():
                # Known again inside the transaction: an earlier batch (or another writer) may have
                # stored the same text meanwhile.
                current = self._store.known([row.doc_id for row in rows])
                for row in rows:
                    if row.doc_id in current and current[row.doc_id][0] == row.text_hash:
                        plan.outcomes[row.doc_id] = ("unchanged", 0)
                        continue
                    existed = self._store.delete(row.doc_id, self._band_keys)
                    self._store.put(row)
                    plan.outcomes[row.doc_id] = ("replaced" if existed else "added", len(row.passages))
                for doc_id, metadata in plan.relabelled:
                    self._store.set_metadata(doc_id, metadata)
        return plan.outcomes

    def _band_keys(self, sigs: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
        return band_keys(sigs, self.config.lsh_rows)

    def _rows(self, changed: list[tuple[str, Source, dict[str, Any] | None, bytes]],
              sketched: SketchedFile) -> list[DocumentRow]:
        sigs = sketched.signatures if sketched.signatures is not None else np.empty((0, self.config.num_perm), np.uint32)
        keys = self._band_keys(sigs)
        by_doc: dict[int, list[PassageRow]] = {}
        for k, p in enumerate(sketched.passages):
            by_doc.setdefault(p.doc, []).append(PassageRow(
                p.start, p.end, p.title, len(sketched.texts[k]), sketched.sizes[k], sigs[k], keys[k]))
        rows = []
        for i, (doc_id, _, given, digest) in enumerate(changed):
            document, passages = sketched.documents[i], by_doc.get(i, [])
            lo, hi = min((p.start for p in passages), default=0), max((p.end for p in passages), default=0)
            rows.append(DocumentRow(doc_id, digest, _metadata(document, given), lo, document.text[lo:hi],
                                    clip_layout(document.blocks, lo, hi), tuple(passages)))
        return rows

    def _resketch(self, row: DocumentRow | None) -> DocumentRow:
        """A stored document with its passages sketched again under this index's settings."""
        from neardup.minhash import signatures
        from neardup.shingles import shingle_hashes_many

        assert row is not None, "documents are read inside the migrating transaction"
        base = row.content_start
        texts = [normalized_text(row.content, row.layout, p.start - base, p.end - base) for p in row.passages]
        shingles = shingle_hashes_many(texts, self.config)
        sigs = signatures(shingles, self.config.num_perm, self.config.seed)
        keys = self._band_keys(sigs)
        passages = tuple(PassageRow(p.start, p.end, p.title, len(t), len(np.unique(h)), sigs[k], keys[k])
                         for k, (p, t, h) in enumerate(zip(row.passages, texts, shingles)))
        return dataclasses.replace(row, passages=passages)

    def remove(self, doc_id: str) -> bool:
        """Remove a document; false when it was not stored."""
        return bool(self.remove_many([doc_id]))

    def remove_many(self, doc_ids: Iterable[str]) -> list[str]:
        """Remove documents in one transaction; returns the ids that were stored."""
        with self._store.write():
            return [doc_id for doc_id in list(doc_ids) if self._store.delete(doc_id, self._band_keys)]

    def __len__(self) -> int:
        return self._store.count()

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and bool(self._store.known([doc_id]))

    def ids(self) -> Iterator[str]:
        """Every stored document id, oldest first."""
        return self._store.doc_ids()

    def get(self, doc_id: str) -> ArchivedDocument | None:
        row = self._store.get(doc_id)
        if row is None:
            return None
        return ArchivedDocument(row.doc_id, row.metadata, tuple((p.start, p.end, p.title) for p in row.passages),
                                row.text_hash.hex(), row.content_start, row.content)

    def stats(self) -> dict[str, Any]:
        """Counts, size on disk, format and settings."""
        counts, meta, size = self._store.counts(), self._store.meta(), self._store.size_bytes()
        return {
            "path": self.path, "documents": counts["documents"], "passages": counts["passages"],
            "band_keys": counts["bands"], "bytes_on_disk": size,
            "bytes_per_document": round(size / counts["documents"]) if counts["documents"] else None,
            "format_version": int(meta["format_version"]), "fingerprint": json.loads(meta["fingerprint"]),
            "created_by": meta.get("created_by"), "created_at": meta.get("created_at"),
            "config": self.config.to_dict(),
        }

    def sketch(self, text: str | Document, *, name: str = "<query>") -> Sketch:
        """Cut a query into passages and sketch them (what ``query`` does before looking up)."""
        if not isinstance(text, (str, Document)):
            raise InputError(name, f"a query is a str or a neardup Document, got {type(text).__name__}")
        document = _parse(name, text, self.config)
        sketched = sketch_documents([document], self.config)
        sigs = sketched.signatures if sketched.signatures is not None else np.empty((0, self.config.num_perm), np.uint32)
        return Sketch(document, tuple(sketched.passages), tuple(sketched.texts),
                      np.asarray(sketched.sizes, dtype=np.int64), sigs, self._band_keys(sigs))

    def sketched(self, document: Document, passages: Sequence[Passage], texts: Sequence[str],
                 sizes: npt.NDArray[np.int64], signatures: npt.NDArray[np.uint32]) -> Sketch:
        """A :class:`Sketch` of ``document`` from passages a scan already cut and sketched with
        this index's matching settings (what :meth:`sketch` would give, without doing it again)."""
        return Sketch(document, tuple(passages), tuple(texts), sizes, signatures, self._band_keys(signatures))

    def report_matches(self, sketches: Iterable[Sketch], *, top_k: int = 10) -> tuple[dict[str, Any], ...]:
        """A report's ``archive_matches``: for each passage of the sketched documents, up to
        ``top_k`` stored passages it links to, as ``{"passage": {path, start, end, aligned},
        "archive": {id, start, end, aligned, title, metadata}, "similarity", "containment"}``."""
        found: list[dict[str, Any]] = []
        for sketch in sketches:
            document = sketch.document
            per_passage: Counter[tuple[int, int]] = Counter()
            for m in self.matches(sketch):
                per_passage[m.query_span] += 1
                if per_passage[m.query_span] > top_k:
                    continue
                found.append({
                    "passage": {"path": document.path, "start": m.query_span[0], "end": m.query_span[1],
                                "aligned": list(m.query_aligned)},
                    "archive": {"id": m.doc_id, "start": m.doc_span[0], "end": m.doc_span[1],
                                "aligned": list(m.doc_aligned), "title": m.title, "metadata": m.metadata},
                    "similarity": round(m.similarity, 4), "containment": round(m.containment, 4)})
        found.sort(key=lambda f: (f["passage"]["path"], f["passage"]["start"], -f["containment"], -f["similarity"]))
        return tuple(found)

    def query(self, text: str | Document | Sketch, *, top_k: int = 10, exclude: Collection[str] = ()) -> list[Match]:
        """Stored passages that passages of ``text`` link to, best first (containment, then
        similarity), at most ``top_k``. Documents whose id is in ``exclude`` are left out."""
        if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
            raise ConfigError(f"top_k must be an integer >= 1, got {top_k!r}")
        sketch = text if isinstance(text, Sketch) else self.sketch(text)
        return self.matches(sketch, exclude=exclude)[:top_k]

    def matches(self, sketch: Sketch, *, exclude: Collection[str] = ()) -> list[Match]:
        """Every verified match of a sketched query, best first."""
        config = self.config
        active = [i for i, t in enumerate(sketch.texts) if len(t) >= config.min_passage_chars]
        if not active:
            return []
        with self._store.snapshot():
            candidates = self._candidates(sketch, active)
            if not candidates:
                return []
            stored = self._store.passages(sorted({pid for _, pid in candidates}))
            row_of = {pid: k for k, pid in enumerate(stored.ids.tolist())}
            pairs = np.asarray(
                [(qi, len(sketch.texts) + row_of[pid]) for qi, pid in candidates
                 if pid in row_of and stored.chars[row_of[pid]] >= config.min_passage_chars
                 and stored.doc_ids[row_of[pid]] not in exclude],
                dtype=np.int64,
            ).reshape(-1, 2)
            # Signature prefilter exactly as in scan: query rows first, stored rows after them.
            survivors = prefilter(pairs, np.concatenate((sketch.signatures, stored.signatures)),
                                  np.concatenate((sketch.sizes, stored.shingles)), config)
            rows = survivors[:, 1] - len(sketch.texts)
            documents = self._store.documents(sorted(set(stored.documents[rows].tolist())))
        return sorted(self._verify(sketch, survivors[:, 0].tolist(), rows.tolist(), stored, documents),
                      key=lambda m: (-m.containment, -m.similarity, m.doc_id, m.doc_span, m.query_span))

    def _candidates(self, sketch: Sketch, active: list[int]) -> list[tuple[int, int]]:
        """(query passage, stored passage) pairs sharing a band key, at most ``bucket_cap`` per
        query passage (those sharing the most bands), so boilerplate cannot flood a query."""
        keys = sketch.keys[active].view(np.int64)
        owners: dict[tuple[int, int], list[int]] = {}
        for qi, row in zip(active, keys.tolist()):
            for band, key in enumerate(row):
                owners.setdefault((band, key), []).append(qi)
        hits = self._store.lookup(keys.ravel(), np.tile(np.arange(self.config.bands, dtype=np.int64), len(active)))
        votes = Counter((qi, hit.passage) for hit in hits for qi in owners[(hit.band, hit.key)])
        per_query: dict[int, list[tuple[int, int]]] = {}
        for (qi, pid), n in votes.items():
            per_query.setdefault(qi, []).append((-n, pid))
        cap = self.config.bucket_cap
        return [(qi, pid) for qi, ranked in sorted(per_query.items()) for _, pid in sorted(ranked)[:cap]]

    def _verify(self, sketch: Sketch, queries: list[int], rows: list[int], stored: StoredPassages,
                documents: dict[int, DocumentRow]) -> Iterator[Match]:
        query_maps: dict[int, NormalizedText] = {}
        stored_texts: dict[int, NormalizedText] = {}
        for qi, k in zip(queries, rows):
            doc = documents.get(int(stored.documents[k]))
            if doc is None:
                continue
            if k not in stored_texts:
                stored_texts[k] = self._stored_text(doc, int(stored.starts[k]), int(stored.ends[k]), int(stored.chars[k]))
            alignment, linked = verify_pair(stored_texts[k].text, sketch.texts[qi], self.config)
            span_a, span_b = alignment.span_a(), alignment.span_b()
            if not linked or span_a is None or span_b is None:
                continue
            if qi not in query_maps:
                p = sketch.passages[qi]
                query_maps[qi] = normalize_blocks(sketch.document.text, sketch.document.blocks, p.start, p.end)
            lo, hi = stored_texts[k].to_original(*span_a)
            yield Match(doc.doc_id, (int(stored.starts[k]), int(stored.ends[k])),
                        (sketch.passages[qi].start, sketch.passages[qi].end), alignment.similarity,
                        alignment.containment, (lo + doc.content_start, hi + doc.content_start),
                        query_maps[qi].to_original(*span_b), stored.titles[k], doc.metadata)

    def _stored_text(self, doc: DocumentRow, start: int, end: int, chars: int) -> NormalizedText:
        """A stored passage's matching text and offset map (into ``doc.content``), rebuilt."""
        base = doc.content_start
        text = normalize_blocks(doc.content, doc.layout, start - base, end - base)
        if len(text) != chars:
            raise IndexFormatError(
                f"index {self.path}: passage {doc.doc_id}[{start}:{end}] normalises to {len(text)} characters now, "
                f"{chars} when added (normalisation changed, NORMALIZATION_VERSION did not): "
                f"`neardup index migrate {self.path}`")
        return text


def attach_archive_matches(report: Report, archive: Index, *, top_k: int = 10) -> Report:
    """A copy of ``report`` with ``archive_matches`` (see :meth:`Index.report_matches`), its
    documents sketched again. ``scan(..., archive=...)`` finds the same without sketching twice."""
    matches = archive.report_matches((archive.sketch(document) for document in report.documents), top_k=top_k)
    return dataclasses.replace(report, archive_matches=matches)


def migrate(path: str | os.PathLike[str], config: Config | None = None, *,
            progress: Callable[[int], None] | None = None) -> list[str]:
    """Bring the index at ``path`` up to date, keeping every document; returns what was done.

    An older format is upgraded in place. When ``config``'s matching settings, or this
    installation's tokenizer dictionary or normalisation, differ from the index's, every stored
    passage is sketched again from the stored texts into a new file that then replaces the old
    one (the original files are not needed). Run it while no other process uses the index.
    """
    from neardup.archive.sqlite import SQLiteStore, upgrade_format

    target = os.fspath(path)
    old = open_store(target, readonly=not os.path.exists(target))  # a missing index: InputError
    try:
        if not isinstance(old, SQLiteStore):
            raise IndexFormatError(f"{target}: migrate works on SQLite indexes")
        done = [f"format {v} → {v + 1}" for v in upgrade_format(old)]
        meta = old.meta()
        check_format(target, meta)
        wanted = config or Config.from_dict(json.loads(meta["config"]))
        if json.loads(meta["fingerprint"]) == matching_fingerprint(wanted):
            return done or ["already up to date"]
        rebuilt = target + ".rebuild"
        for leftover in (rebuilt, rebuilt + "-wal", rebuilt + "-shm"):  # of an interrupted migrate
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)
        with old.write(), Index.open(rebuilt, wanted) as fresh:  # the write lock keeps writers out
            ids = list(old.doc_ids())
            for first in range(0, len(ids), 500):
                rows = [fresh._resketch(old.get(doc_id)) for doc_id in ids[first:first + 500]]
                with fresh._store.write():
                    for row in rows:
                        fresh._store.put(row)
                if progress:
                    progress(first + len(rows))
            fresh._store.checkpoint()
        done.append(f"rebuilt {len(ids)} documents with {matching_fingerprint(wanted)}")
    finally:
        old.close()
    if os.path.exists(target + "-wal"):
        raise IndexLockedError(f"index {target} is open in another process; close it and run migrate again")
    os.replace(rebuilt, target)
    return done
