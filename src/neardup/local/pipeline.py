"""Wires the stages: ingest → normalise → segment → tokenise → sketch → index → verify → cluster.

This is the only module that knows every stage. Reading and sketching run in worker processes,
a chunk of files at a time; what comes back per passage is small (its matching text, already
encoded for the spill file, and a signature). Banding and union-find run in the parent; aligning
candidate pairs, scoring cluster members and explaining clusters run on forked workers again
(``workers.forked_map``). Aligned spans are mapped back to the documents only for verified pairs, and
only at their two ends (``normalize.to_original_spans_many``), never as whole offset maps.
"""

from __future__ import annotations

import ctypes
import os
import time
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt

from neardup._version import __version__
from neardup.cluster import ClusterDraft, PassageDocuments, draft_clusters, recoder_for, score_cluster
from neardup.config import Config
from neardup.diff.clusters import explain_clusters
from neardup.ingest import SourceFile, discover
from neardup.local.spill import SpilledDocuments, SpilledRows, SpilledTexts
from neardup.local.workers import WorkerPool, forked_map, work_ranges
from neardup.lsh import signature_candidate_pairs
from neardup.models import Cluster, Document, Pair, Passage, Report
from neardup.normalize import Wanted, to_original_spans_many
from neardup.report.json import scan_stats
from neardup.shingles import shingle_hashes
from neardup.sketching import SketchedFile, sketch_files
from neardup.verify import Recoder, RecoderPerProcess, prefilter, verify_pair

if TYPE_CHECKING:  # the archive imports sketching and workers from here: no import at run time
    from neardup.archive.index import Index, Sketch

__all__ = ["STAGES", "Progress", "scan"]

Progress = Callable[[str, int, int], None]
STAGES = ("ingest", "normalize", "segment", "tokenize", "sketch", "index", "verify", "cluster", "explain")


def _sketch_for_spill(args: tuple[Sequence[SourceFile], Config]) -> SketchedFile:
    """:func:`~neardup.sketching.sketch_files`, its documents and texts encoded for the spill files."""
    result = sketch_files(*args)
    result.encoded_documents = [SpilledDocuments.encode(doc) for doc in result.documents]
    result.encoded_texts = [SpilledTexts.encode(text) for text in result.texts]
    result.text_lengths = [len(text) for text in result.texts]
    result.documents, result.texts = [], []
    return result


_CHUNK_BYTES = 1 << 20
_CHUNK_FILES = 64


def _chunks(files: Sequence[SourceFile], workers: int) -> list[list[SourceFile]]:
    """Consecutive runs of files, each up to ~1 MB and 64 files, and at least 8 per worker where
    the corpus allows, so that the last chunks finish together."""
    total = sum(f.size for f in files)
    budget = max(1, min(_CHUNK_BYTES, total // (workers * 8)))
    most = max(1, min(_CHUNK_FILES, len(files) // (workers * 8)))
    chunks: list[list[SourceFile]] = []
    current: list[SourceFile] = []
    size = 0
    for f in files:
        if current and (size + f.size > budget or len(current) >= most):
            chunks.append(current)
            current, size = [], 0
        current.append(f)
        size += f.size
    if current:
        chunks.append(current)
    return chunks


def _sketch_files(files: Sequence[SourceFile], config: Config, progress: Progress | None) -> Iterator[SketchedFile]:
    workers = min(config.workers, max(1, len(files)))
    chunks = _chunks(files, workers)
    done = 0

    def advance(chunk: list[SourceFile]) -> None:
        nonlocal done
        done += len(chunk)
        if progress:
            progress("sketch", done, len(files))

    if workers <= 1:
        for chunk in chunks:
            yield _sketch_for_spill((chunk, config))
            advance(chunk)
        return
    # jieba's dictionary is loaded once here and shared with forked workers copy-on-write.
    if config.tokenizer != "char":
        shingle_hashes("预热", config)
    with WorkerPool(workers, "fork" if os.name == "posix" else "spawn") as pool:
        replies = pool.imap(_sketch_for_spill, [(chunk, config) for chunk in chunks])
        for chunk, result in zip(chunks, replies):
            yield result
            advance(chunk)


def _load_malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim  # glibc only
        return trim
    except (AttributeError, OSError, TypeError):  # another C library, or no process handle (Windows)
        return None


_MALLOC_TRIM = _load_malloc_trim()


def _return_free_memory() -> None:
    """Give the C heap's free pages back to the system between stages.

    Each stage unpickles its workers' replies, keeps a little of them and frees the rest; glibc
    keeps the freed memory in the process, scattered between live objects, so the scan's resident
    size grew with every stage although its live objects hardly did. Trimming between stages took
    the peak at 101k articles from 319 to ~270 MB (and the workers forked later start smaller).
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def scan(
    paths: Sequence[str | os.PathLike[str]],
    config: Config | None = None,
    *,
    progress: Progress | None = None,
    archive: Index | None = None,
    archive_top_k: int = 10,
) -> Report:
    """Find every version of every story in ``paths`` (files or folders, read recursively).

    With ``archive`` (an open :class:`~neardup.Index` with the same matching settings), the report
    also lists each passage's matches in it (``archive_matches``, up to ``archive_top_k`` per
    passage), from the scan's own signatures."""
    config = config or Config()
    started = time.perf_counter()
    files, skipped, _root = discover(paths)
    documents = SpilledDocuments()
    passages: list[Passage] = []
    texts = SpilledTexts()
    sizes = array("q")
    lengths = array("q")
    sig_rows = SpilledRows(config.num_perm, np.uint32)
    window_rows = SpilledRows(config.num_perm, np.uint32)
    window_sizes = array("q")
    window_owners = array("q")
    seconds: dict[str, float] = {stage: 0.0 for stage in STAGES}
    total_bytes = 0
    for result in _sketch_files(files, config, progress):
        base = len(documents)
        documents.extend_encoded(result.encoded_documents)
        passages.extend(Passage(p.doc + base, p.path, p.start, p.end, p.title, p.continued) for p in result.passages)
        texts.extend_encoded(result.encoded_texts)
        lengths.extend(result.text_lengths)
        sizes.extend(result.sizes)
        if result.signatures is not None and len(result.signatures):
            sig_rows.append(result.signatures)
        if result.window_signatures is not None and len(result.window_signatures):
            window_rows.append(result.window_signatures)
            window_sizes.extend(result.window_sizes)
            window_owners.extend(len(passages) - len(result.passages) + k for k in result.window_owners)
        skipped.extend(result.skipped)
        total_bytes += result.bytes_read
        for stage, s in result.seconds.items():
            seconds[stage] += s
    wall_sketch = time.perf_counter() - started
    _return_free_memory()

    archive_matches = None
    if archive is not None:
        sigs = sig_rows.load()
        archive_matches = archive.report_matches(_sketches(archive, documents, passages, texts, sizes, sigs),
                                                 top_k=archive_top_k)
        sig_rows = SpilledRows(config.num_perm, np.uint32)  # load() let the first one go
        sig_rows.append(sigs)
        del sigs

    t = time.perf_counter()
    length_arr = _int64(lengths)
    survivors, collisions, distinct = _candidates(sig_rows, sizes, length_arr >= config.min_passage_chars,
                                                  window_rows, window_sizes, window_owners, passages, config)
    # Signatures are 512 bytes a passage (the largest thing the scan holds) and nothing after
    # banding reads them: dropped here, they are not in the workers forked for the later stages.
    del sig_rows, window_rows
    _return_free_memory()
    seconds["index"] = time.perf_counter() - t

    t = time.perf_counter()
    verified = _verify(survivors, texts, documents, passages, config)
    _return_free_memory()
    seconds["verify"] = time.perf_counter() - t

    t = time.perf_counter()
    clusters = _cluster(passages, texts, lengths, verified, documents, config)
    _return_free_memory()
    seconds["cluster"] = time.perf_counter() - t

    t = time.perf_counter()
    clusters = explain_clusters(clusters, documents, passages, config)
    _return_free_memory()
    seconds["explain"] = time.perf_counter() - t

    skipped.sort(key=lambda s: s.path)
    stats = scan_stats(
        files_read=[f.path for f in files], skipped=skipped, documents=len(documents), passages=len(passages),
        bytes_read=total_bytes, candidate_pairs=collisions, distinct_candidate_pairs=distinct,
        prefiltered_pairs=len(survivors), verified_pairs=len(verified), clusters=len(clusters),
        seconds=time.perf_counter() - started, stage_seconds=seconds,
        before_stages={"wall_seconds_to_sketch": round(wall_sketch, 3)}, extra={"workers": config.workers})
    return Report(
        version=__version__,
        config=config.to_dict(),
        documents=documents,
        passages=tuple(passages),
        clusters=tuple(clusters),
        pairs=tuple(verified),
        skipped=tuple(skipped),
        stats=stats,
        archive_matches=archive_matches,
    )


def _sketches(archive: Index, documents: Sequence[Document], passages: Sequence[Passage], texts: Sequence[str],
              sizes: array[int], sigs: npt.NDArray[np.uint32]) -> Iterator[Sketch]:
    """The scan's passages, document by document, as the archive's query sketches."""
    size_arr = _int64(sizes)
    first = 0
    for doc, document in enumerate(documents):
        last = first
        while last < len(passages) and passages[last].doc == doc:
            last += 1
        yield archive.sketched(document, passages[first:last], [texts[k] for k in range(first, last)],
                               size_arr[first:last], sigs[first:last])
        first = last


def _int64(values: array[int]) -> npt.NDArray[np.int64]:
    return np.frombuffer(values, dtype=np.int64) if values else np.empty(0, dtype=np.int64)


def _candidates(sig_rows: SpilledRows, sizes: array[int], active: npt.NDArray[np.bool_], window_rows: SpilledRows,
                window_sizes: array[int], window_owners: array[int], passages: Sequence[Passage], config: Config
                ) -> tuple[npt.NDArray[np.int64], int, int]:
    """Candidate passage pairs that pass the prefilter, band collisions and distinct row pairs.

    Banding runs over the passages' signatures and their windows' together (a window row stands
    for the passage it belongs to): a short article inside a long passage that segmentation did
    not cut shares few shingles with the whole passage, but most with one of its windows.
    """
    sigs = sig_rows.load()
    wsigs = window_rows.load()
    if len(wsigs):
        sigs = np.concatenate((sigs, wsigs))
    size_arr = np.concatenate((_int64(sizes), _int64(window_sizes)))
    owner = np.concatenate((np.arange(len(passages), dtype=np.int64), _int64(window_owners)))
    rows_active = np.concatenate((active, active[_int64(window_owners)]))
    doc_of = np.fromiter((p.doc for p in passages), dtype=np.int64, count=len(passages))
    collisions = 0
    distinct = 0

    def count(n: int) -> None:
        nonlocal collisions
        collisions += n

    def keep(pairs: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        nonlocal distinct
        distinct += len(pairs)
        pairs = pairs[doc_of[owner[pairs[:, 0]]] != doc_of[owner[pairs[:, 1]]]]
        return prefilter(pairs, sigs, size_arr, config)

    rows = signature_candidate_pairs(sigs, config.lsh_rows, config.bucket_cap, active=rows_active, keep=keep,
                                     collisions=count)
    if not len(wsigs):
        return rows, collisions, distinct
    mapped = owner[rows]
    mapped = np.stack((mapped.min(axis=1), mapped.max(axis=1)), axis=1)
    return np.unique(mapped, axis=0), collisions, distinct


class _PassageMaps:
    """What aligning pairs needs besides their texts: the passages and their documents, to map
    aligned spans back to the documents, and a :class:`Recoder` for the texts (one per process,
    learned from the first chunk of pairs it aligns)."""

    def __init__(self, documents: Sequence[Document], passages: Sequence[Passage]) -> None:
        self.documents = documents
        self.passages = passages
        self.recoder = RecoderPerProcess()

    def to_original(
        self, spans: dict[int, list[tuple[int, int]]]
    ) -> dict[tuple[int, tuple[int, int]], tuple[int, int]]:
        """Spans of passages' matching texts (by passage) mapped back to their documents. Only the
        ends of the spans are mapped, and passages are taken in document order: a document read
        from the spill file serves all its passages."""
        pids = sorted(spans, key=lambda pid: (self.passages[pid].doc, pid))
        wanted: list[Wanted] = []
        for pid in pids:
            p = self.passages[pid]
            doc = self.documents[p.doc]
            wanted.append((doc.text, doc.blocks, p.start, p.end, list(dict.fromkeys(spans[pid]))))
        out: dict[tuple[int, tuple[int, int]], tuple[int, int]] = {}
        for pid, (*_, asked), mapped in zip(pids, wanted, to_original_spans_many(wanted)):
            out.update(((pid, span), original) for span, original in zip(asked, mapped))
        return out


class _VerifyInputs(NamedTuple):
    texts: Sequence[str]
    maps: _PassageMaps  # one per process, kept across its chunks
    config: Config


def _align_chunk(inputs: _VerifyInputs, chunk: npt.NDArray[np.int64]) -> list[Pair]:
    """Verified pairs among ``chunk``, with their aligned spans as offsets into the documents."""
    texts, maps, config = inputs
    rows = chunk.tolist()
    text_of = {pid: texts[pid] for pid in sorted({pid for row in rows for pid in row})}
    recode = lru_cache(maxsize=None)(maps.recoder(islice(text_of.values(), Recoder.SAMPLE)))
    linked = []
    for i, j in rows:
        alignment, link = verify_pair(text_of[i], text_of[j], config, recode=recode)
        span_a, span_b = alignment.span_a(), alignment.span_b()
        if link and span_a is not None and span_b is not None:
            linked.append((i, j, alignment, span_a, span_b))
    spans: dict[int, list[tuple[int, int]]] = {}
    for i, j, _, span_a, span_b in linked:
        spans.setdefault(i, []).append(span_a)
        spans.setdefault(j, []).append(span_b)
    original = maps.to_original(spans)
    return [Pair(i, j, alignment.similarity, alignment.containment, original[i, span_a], original[j, span_b],
                 alignment.cover_a(), alignment.cover_b())
            for i, j, alignment, span_a, span_b in linked]


def _verify(pairs: npt.NDArray[np.int64], texts: Sequence[str], documents: Sequence[Document],
            passages: Sequence[Passage], config: Config) -> list[Pair]:
    chunks = np.array_split(pairs, max(1, len(pairs) // 500)) if len(pairs) else []
    workers = config.workers if len(pairs) >= _PARALLEL_PAIRS_MIN else 1
    results = forked_map(_align_chunk, _VerifyInputs(texts, _PassageMaps(documents, passages), config), chunks, workers)
    return [pair for part in results for pair in part]


# Below these, starting a pool of forked workers costs more than it saves.
_PARALLEL_PAIRS_MIN = 2000
_PARALLEL_SCORE_MIN = 256




class _ScoreInputs(NamedTuple):
    drafts: Sequence[ClusterDraft]
    passages: Sequence[Passage]
    texts: Sequence[str]
    config: Config
    aligned: Mapping[tuple[int, int], Pair]
    documents: Sequence[Document]


def _score_range(inputs: _ScoreInputs, bounds: tuple[int, int]) -> list[Cluster]:
    drafts, passages, texts, config, aligned, documents = inputs
    mine = drafts[bounds[0]:bounds[1]]
    recode = recoder_for(mine, texts)
    span_text = PassageDocuments(documents, passages).span_text
    return [score_cluster(k, draft, passages, texts, config, aligned, recode, span_text)
            for k, draft in enumerate(mine, bounds[0] + 1)]


def _cluster(passages: Sequence[Passage], texts: Sequence[str], lengths: Sequence[int], verified: Sequence[Pair],
             documents: Sequence[Document], config: Config) -> list[Cluster]:
    """:func:`cluster.build_clusters`, members scored on all workers (each score is an alignment)."""
    drafts = draft_clusters(passages, lengths.__getitem__, verified, PassageDocuments(documents, passages))
    workers = config.workers if len(drafts) >= _PARALLEL_SCORE_MIN else 1
    aligned = {(pair.a, pair.b): pair for pair in verified}
    parts = forked_map(_score_range, _ScoreInputs(drafts, passages, texts, config, aligned, documents),
                       work_ranges(len(drafts), workers), workers)
    return [cluster for part in parts for cluster in part]
