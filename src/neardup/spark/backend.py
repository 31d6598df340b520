"""The scan on Apache Spark (extra ``neardup[spark]``): the local stage functions, in executors.

pyspark is imported inside functions, so this module imports without it; using it without pyspark
raises ``MissingDependencyError`` with the pip command. How the work splits (passage = article)::

    driver     ingest.discover(paths): the file list, in path order (nothing is opened)
    executors  read_file → segment → normalize_blocks → shingle_hashes → signatures → band_keys
               (sketching.sketch_files per file, inside mapPartitions; files are sliced by bytes)
    shuffle 1  bucket sizes: one (band, key) row per band per passage, combined map-side
    shuffle 2  members of buckets shared by 2 or more passages → candidate pairs: all pairs, or for a
               bucket above ``bucket_cap`` a chain plus a star (as ``index.candidate_pairs``), the chain
               built over a range-partitioned sort so one huge bucket is spread over many tasks
    shuffle 3  candidates ⋈ signatures → ``verify.prefilter`` in executors
    shuffle 4  survivors ⋈ matching texts → ``verify.verify_pair`` in executors
    driver     ``cluster.build_clusters`` over the verified pairs (collected for the report anyway:
               their aligned spans decide which part of a passage each links), and the ``Report``

Passage ids are numbered as the local scan numbers them (files in path order, then file order):
capped buckets and the merging of neighbouring passages depend on it. So the report is the local
report, stats aside.
"""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

import numpy as np

from neardup._version import __version__
from neardup.cluster import build_clusters
from neardup.config import Config
from neardup.diff.clusters import explain_clusters
from neardup.errors import InputError, MissingDependencyError
from neardup.ingest import SUFFIXES, SourceFile, discover, read_file
from neardup.lsh import band_keys
from neardup.models import Cluster, Document, NormalizedText, Pair, Passage, Report, Skipped
from neardup.normalize import normalize_blocks
from neardup.report.json import scan_stats
from neardup.sketching import SketchedFile, sketch_files
from neardup.verify import prefilter, verify_pair

if TYPE_CHECKING:
    from pyspark import RDD
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "BIG_BUCKET_ROWS_PER_TASK",
    "OffsetMaps",
    "clusters_from_components",
    "connected_components",
    "find_candidates",
    "partitions_for",
    "passage_frame",
    "passage_rows",
    "pyspark_sql",
    "range_sorted",
    "scan_spark",
    "shuffle_partitions",
    "spark_session",
    "verify_candidates",
]

# A range-partitioned task builds the chain of at most this many members of oversized buckets.
BIG_BUCKET_ROWS_PER_TASK = 200_000
# Files are sliced into tasks of about this many bytes (and at least 4 tasks per core).
_BYTES_PER_TASK = 8 * 1024 * 1024
# Band-key rows per shuffle task (see shuffle_partitions).
_BAND_ROWS_PER_TASK = 1_000_000
# Candidate rows are handed to prefilter in batches of this many pairs.
_PREFILTER_BATCH = 20_000
_MAX_COMPONENT_ROUNDS = 100
# A row is a passage (owner = pid) or a window of a long passage (``sketch.windows``; no text, a row
# id after all passages', owner = its passage): banded and prefiltered as rows, verified as owners.
_PASSAGE_COLUMNS = "pid long, doc long, text string, shingles long, sig binary, keys array<long>, owner long"


def pyspark_sql() -> ModuleType:
    """``pyspark.sql.functions``, or ``MissingDependencyError`` naming the extra to install."""
    try:
        from pyspark.sql import functions
    except ImportError as exc:
        raise MissingDependencyError("pyspark", "spark") from exc
    return functions


@contextmanager
def spark_session(master: str | None = None) -> Iterator[SparkSession]:
    """The active SparkSession, or a new one on ``master`` that is stopped when the block ends."""
    pyspark_sql()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    master = master or "local[*]"
    if master.startswith("local"):
        # Local workers run `python3` from PATH unless told otherwise; this interpreter has neardup.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (SparkSession.builder.appName("neardup").master(master)
             .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    spark.sparkContext.setLogLevel("WARN")
    try:
        yield spark
    finally:
        spark.stop()


def partitions_for(spark: SparkSession, passages: int, config: Config) -> int:
    """Shuffle partitions for a scan of ``passages`` passages.

    Spark's default (200) makes a scan of a few thousand passages spend most of its time starting
    empty tasks; the largest shuffle holds one row per band per passage, so about a million of
    those rows per task (and at least two tasks per core) keeps tasks neither tiny nor huge.
    """
    return max(2 * spark.sparkContext.defaultParallelism, passages * config.bands // _BAND_ROWS_PER_TASK)


@contextmanager
def shuffle_partitions(spark: SparkSession, count: int) -> Iterator[int]:
    """Sets ``spark.sql.shuffle.partitions`` to ``count`` for a block, then puts it back."""
    previous = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", str(count))
    try:
        yield count
    finally:
        if previous is None:
            spark.conf.unset("spark.sql.shuffle.partitions")
        else:
            spark.conf.set("spark.sql.shuffle.partitions", previous)


@contextmanager
def _step(spark: SparkSession, seconds: dict[str, float], stage: str) -> Iterator[None]:
    """Times one stage and labels its Spark jobs (Spark UI; the benchmark's shuffle sizes)."""
    spark.sparkContext.setJobDescription(f"neardup: {stage}")
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds[stage] += time.perf_counter() - started
        spark.sparkContext.setJobDescription(None)  # type: ignore[arg-type]


# --- reading and sketching, in executors ---------------------------------------------------------

def _slices(files: Sequence[tuple[int, SourceFile]], parallelism: int) -> list[list[tuple[int, SourceFile]]]:
    """Consecutive runs of files of about equal bytes: one task each."""
    total = sum(f.size for _, f in files)
    count = max(1, min(len(files), max(4 * parallelism, total // _BYTES_PER_TASK + 1)))
    target = total / count
    out: list[list[tuple[int, SourceFile]]] = [[]]
    filled = 0
    for item in files:
        if out[-1] and filled >= target * len(out) and len(out) < count:
            out.append([])
        out[-1].append(item)
        filled += item[1].size
    return out


def _sketch_slice(task: list[tuple[int, SourceFile]], config: Config) -> Iterator[tuple[int, SketchedFile]]:
    for index, source in task:
        yield index, sketch_files([source], config)


def _sketch_fetched(rows: Iterable[Any], config: Config, index_of: Mapping[str, int],
                    names: Sequence[str]) -> Iterator[tuple[int, SketchedFile]]:
    """binaryFile rows → the same ``read_file`` the local scan uses. ``read_file`` reads a path, so
    the bytes go through a private temporary file; nothing about decoding differs."""
    with tempfile.TemporaryDirectory(prefix="neardup-") as scratch:
        local = os.path.join(scratch, "file")
        for row in rows:
            index = index_of[row["path"]]
            with open(local, "wb") as fh:
                fh.write(row["content"])
            yield index, sketch_files([SourceFile(local, names[index], len(row["content"]))], config)


def passage_rows(pid: int, docs: Sequence[int], texts: Sequence[str], sizes: Sequence[int], signatures: Any,
                 config: Config) -> Iterator[tuple[Any, ...]]:
    """Rows of the passage table for consecutive passages from ``pid`` on: document id, matching
    text, distinct shingles, signature and band keys (none for a passage too short to match)."""
    if not len(texts):
        return
    keys = band_keys(signatures, config.lsh_rows).view(np.int64)
    for k, text in enumerate(texts):
        active = len(text) >= config.min_passage_chars
        yield (pid + k, docs[k], text, int(sizes[k]), signatures[k].tobytes(), keys[k].tolist() if active else None,
               pid + k)


def window_rows(rid: int, owners: Sequence[int], docs: Sequence[int], sizes: Sequence[int], signatures: Any,
                config: Config) -> Iterator[tuple[Any, ...]]:
    """Rows of the passage table for consecutive windows from row id ``rid`` on, each standing for
    passage ``owners[k]`` of document ``docs[k]`` (long passages only, so always active)."""
    if not len(owners):
        return
    keys = band_keys(signatures, config.lsh_rows).view(np.int64)
    for k, owner in enumerate(owners):
        yield (rid + k, docs[k], None, int(sizes[k]), signatures[k].tobytes(), keys[k].tolist(), owner)


def _file_passage_rows(item: tuple[int, SketchedFile], bases: Any, config: Config) -> Iterator[tuple[Any, ...]]:
    index, sketched = item
    table, total = bases.value
    doc_base, pid_base, window_base = (int(x) for x in table[index])
    docs = [doc_base + p.doc for p in sketched.passages]
    yield from passage_rows(pid_base, docs, sketched.texts, sketched.sizes, sketched.signatures, config)
    owners = [pid_base + k for k in sketched.window_owners]
    yield from window_rows(total + window_base, owners, [docs[k] for k in sketched.window_owners],
                           sketched.window_sizes, sketched.window_signatures, config)


def passage_frame(spark: SparkSession, rows: RDD[tuple[Any, ...]]) -> DataFrame:
    """Rows from ``passage_rows`` as the cached passage table every later step joins against."""
    from pyspark import StorageLevel

    frame = spark.createDataFrame(rows, _PASSAGE_COLUMNS)
    return frame.persist(StorageLevel.MEMORY_AND_DISK)


# --- candidates: LSH banding as a shuffle ------------------------------------------------------

def find_candidates(spark: SparkSession, passages: DataFrame, config: Config) -> tuple[DataFrame, int, int]:
    """Candidate pairs ``(a, b)``, ``a < b``, of passages of different documents sharing a band key:
    the pairs ``index.candidate_pairs`` finds, with its cap on bucket size. Cached. Also returns how
    many there are, and the number of collisions (pairs per band, repeats and pairs inside one
    document included), which is what the local scan reports as ``candidate_pairs``."""
    F = pyspark_sql()
    cap = config.bucket_cap
    members = passages.filter(F.col("keys").isNotNull()).select(
        "pid", "doc", F.posexplode("keys").alias("band", "key"))
    # Partial aggregation combines a bucket's rows on the map side: this shuffle has no skew.
    sizes = members.groupBy("band", "key").agg(
        F.count(F.lit(1)).alias("n"), F.min(F.struct("pid", "doc")).alias("first"))
    shared = sizes.filter(F.col("n") >= 2).persist()
    n = F.col("n")
    totals = shared.agg(F.sum(F.when(n > cap, n)), F.sum(F.when(n <= cap, n * (n - 1) / 2).otherwise(2 * (n - 1))))
    big_rows, collisions = (int(x or 0) for x in totals.first() or (0, 0))
    tagged = members.join(shared, ["band", "key"])
    edges = _all_pairs(tagged.filter(n <= cap))
    linked: RDD[Any] | None = None
    if big_rows:
        big = tagged.filter(n > cap)
        star = big.filter(F.col("pid") != F.col("first.pid")).select(
            F.col("first.pid").alias("a"), F.col("first.doc").alias("a_doc"),
            F.col("pid").alias("b"), F.col("doc").alias("b_doc"))
        chains, linked = _chains(spark, big, big_rows)
        edges = edges.unionByName(star).unionByName(chains)
    found = edges.filter(F.col("a_doc") != F.col("b_doc")).select("a", "b").distinct().persist()
    count = found.count()
    if linked is not None:
        linked.unpersist()
    shared.unpersist()
    return found, count, collisions


def _all_pairs(small: DataFrame) -> DataFrame:
    """Every pair inside each bucket of at most ``bucket_cap`` members, generated in the JVM."""
    F = pyspark_sql()
    grouped = small.groupBy("band", "key").agg(F.array_sort(F.collect_list(F.struct("pid", "doc"))).alias("m"))
    pairs = grouped.select(F.explode(F.expr(
        "flatten(transform(sequence(0, size(m) - 2), i -> "
        "transform(sequence(i + 1, size(m) - 1), j -> named_struct('a', m[i], 'b', m[j]))))")).alias("p"))
    return pairs.select(F.col("p.a.pid").alias("a"), F.col("p.a.doc").alias("a_doc"),
                        F.col("p.b.pid").alias("b"), F.col("p.b.doc").alias("b_doc"))


def _chains(spark: SparkSession, big: DataFrame, rows: int) -> tuple[DataFrame, RDD[Any]]:
    """Chain edges between consecutive members (in passage order) of each oversized bucket.

    A window over the bucket would put a bucket of a million identical copies into one task.
    Instead all members are range-partitioned on (band, key, pid): each task links neighbours inside
    its own range, and the driver links the last member of one range to the first of the next
    (two rows per task). The edges are the same whatever the range boundaries are. Also returns
    the cached RDD behind them, to release once they are used.
    """
    linked = range_sorted(big, rows).rdd.mapPartitionsWithIndex(_link_neighbours).persist()
    ends = sorted(linked.filter(lambda r: r[0] == "end").map(lambda r: r[1:]).collect())
    across = [(p[2], p[3], n[2], n[3]) for (_, _, p), (_, n, _) in itertools.pairwise(ends) if p[:2] == n[:2]]
    inside = linked.filter(lambda r: r[0] == "edge").map(lambda r: r[1:])
    schema = "a long, a_doc long, b long, b_doc long"
    return spark.createDataFrame(inside, schema).unionByName(spark.createDataFrame(across, schema)), linked


def range_sorted(members: DataFrame, rows: int) -> DataFrame:
    """``members`` (band, key, pid, doc) sorted on (band, key, pid) across about
    ``rows / BIG_BUCKET_ROWS_PER_TASK`` partitions: a bucket larger than that is split."""
    tasks = max(1, -(-rows // BIG_BUCKET_ROWS_PER_TASK))
    return (members.select("band", "key", "pid", "doc")
            .repartitionByRange(tasks, "band", "key", "pid").sortWithinPartitions("band", "key", "pid"))


def _link_neighbours(part: int, rows: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    first = last = None
    for row in rows:
        current = (row["band"], row["key"], row["pid"], row["doc"])
        if last is not None and last[:2] == current[:2]:
            yield ("edge", last[2], last[3], current[2], current[3])
        first = first or current
        last = current
    if first is not None:
        yield ("end", part, first, last)


# --- verification, in executors ----------------------------------------------------------------

def verify_candidates(passages: DataFrame, candidates: DataFrame, config: Config) -> tuple[DataFrame, int]:
    """Prefilter, then align, the candidate pairs. Returns the verified pairs, cached (aligned spans
    in matching text: ``a_match_start`` … ``b_match_end``), and how many survived the prefilter."""
    sigs = passages.select("pid", "sig", "shingles")
    with_sigs = (candidates.join(_side(sigs, "a"), "a").join(_side(sigs, "b"), "b"))
    rows = with_sigs.rdd.mapPartitions(partial(_prefilter_rows, config=config)).toDF("a long, b long")
    owners = passages.select("pid", "owner")
    F = pyspark_sql()
    survivors = (rows.join(_side(owners, "a"), "a").join(_side(owners, "b"), "b")
                 .select(F.least("owner_a", "owner_b").alias("a"), F.greatest("owner_a", "owner_b").alias("b"))
                 .distinct().persist())
    survived = survivors.count()
    texts = passages.select("pid", "text")
    with_texts = survivors.join(_side(texts, "a"), "a").join(_side(texts, "b"), "b")
    verified = with_texts.rdd.mapPartitions(partial(_verify_rows, config=config)).toDF(
        "a long, b long, similarity double, containment double, "
        "a_match_start long, a_match_end long, b_match_start long, b_match_end long, "
        "a_cover string, b_cover string").persist()
    verified.count()
    survivors.unpersist()
    return verified, survived


def _side(frame: DataFrame, side: str) -> DataFrame:
    """``frame`` keyed by ``side`` with every other column suffixed ``_side``."""
    return frame.select(*(frame[c].alias(side if c == "pid" else f"{c}_{side}") for c in frame.columns))


def _prefilter_rows(rows: Iterator[Any], config: Config) -> Iterator[tuple[int, int]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _PREFILTER_BATCH:
            yield from _prefilter_batch(batch, config)
            batch = []
    if batch:
        yield from _prefilter_batch(batch, config)


def _prefilter_batch(batch: list[Any], config: Config) -> Iterator[tuple[int, int]]:
    """``verify.prefilter`` on a batch: rows 0…k-1 hold the a sides, k…2k-1 the b sides."""
    k = len(batch)
    raw = b"".join(r["sig_a"] for r in batch) + b"".join(r["sig_b"] for r in batch)
    sigs = np.frombuffer(raw, dtype=np.uint32).reshape(2 * k, config.num_perm)
    sizes = np.asarray([r["shingles_a"] for r in batch] + [r["shingles_b"] for r in batch], dtype=np.int64)
    local = np.stack((np.arange(k), np.arange(k, 2 * k)), axis=1).astype(np.int64)
    for i in prefilter(local, sigs, sizes, config)[:, 0].tolist():
        yield batch[i]["a"], batch[i]["b"]


def _verify_rows(rows: Iterator[Any], config: Config) -> Iterator[tuple[Any, ...]]:
    """``verify.verify_pair`` on matching texts, as the local scan's workers call it."""
    for row in rows:
        alignment, linked = verify_pair(row["text_a"], row["text_b"], config)
        span_a, span_b = alignment.span_a(), alignment.span_b()
        if linked and span_a is not None and span_b is not None:
            # covers are bit sets of any length: carried as hexadecimal text
            yield (row["a"], row["b"], alignment.similarity, alignment.containment, *span_a, *span_b,
                   format(alignment.cover_a(), "x"), format(alignment.cover_b(), "x"))


# --- connected components, in Spark --------------------------------------------------------------

def connected_components(edges: DataFrame) -> tuple[DataFrame, int]:
    """``(pid, root)`` for every passage in ``edges`` (columns ``a``, ``b``): ``root`` is the
    smallest pid of its component. Returns the table and the number of rounds it took.

    Alternating large-star and small-star steps (Kiveris et al., "Connected Components in MapReduce
    and Beyond", 2014) turn every component into a star around its smallest id in O(log² n)
    rounds, with only min-aggregations and joins: no node's neighbour list is ever gathered in
    one place, and nothing is collected. Convergence is tested on the result's shape itself.
    """
    F = pyspark_sql()
    # u > v throughout: an edge points from the larger id to the smaller one.
    current = edges.select(F.greatest("a", "b").alias("u"), F.least("a", "b").alias("v")) \
        .filter(F.col("u") != F.col("v")).distinct().localCheckpoint()
    rounds = 0
    while not _is_star_forest(current):
        rounds += 1
        if rounds > _MAX_COMPONENT_ROUNDS:
            raise RuntimeError(f"connected components did not converge in {_MAX_COMPONENT_ROUNDS} rounds")
        current = _small_star(_large_star(current)).localCheckpoint()
    members = current.select(F.col("u").alias("pid"), F.col("v").alias("root")).unionByName(
        current.select(F.col("v").alias("pid"), F.col("v").alias("root"))).distinct()
    return members, rounds


def _large_star(edges: DataFrame) -> DataFrame:
    """Each node links its larger neighbours to the smallest id among itself and its neighbours."""
    F = pyspark_sql()
    both = edges.select(F.col("u").alias("x"), F.col("v").alias("y")).unionByName(
        edges.select(F.col("v").alias("x"), F.col("u").alias("y")))
    smallest = both.groupBy("x").agg(F.least(F.min("y"), F.col("x")).alias("m"))
    return (both.filter(F.col("y") > F.col("x")).join(smallest, "x")
            .select(F.col("y").alias("u"), F.col("m").alias("v")).distinct())


def _small_star(edges: DataFrame) -> DataFrame:
    """Each node links itself and its smaller neighbours to the smallest of them."""
    F = pyspark_sql()
    smallest = edges.groupBy("u").agg(F.min("v").alias("m"))
    neighbours = edges.join(smallest, "u").select(F.col("v").alias("x"), "m")
    selves = smallest.select(F.col("u").alias("x"), "m")
    linked = neighbours.unionByName(selves).filter(F.col("x") != F.col("m"))
    return linked.select(F.greatest("x", "m").alias("u"), F.least("x", "m").alias("v")).distinct()


def _is_star_forest(edges: DataFrame) -> bool:
    """True when every node points to one centre at most and no centre points anywhere: then each
    centre is smaller than all of its leaves, so it is its component's smallest id."""
    F = pyspark_sql()
    roles = edges.select(F.col("u").alias("node"), F.lit(1).alias("leaf"), F.lit(0).alias("centre")).unionByName(
        edges.select(F.col("v").alias("node"), F.lit(0).alias("leaf"), F.lit(1).alias("centre")))
    per_node = roles.groupBy("node").agg(F.sum("leaf").alias("leaf"), F.max("centre").alias("centre"))
    return per_node.filter((F.col("leaf") > 1) | ((F.col("leaf") == 1) & (F.col("centre") == 1))).isEmpty()


# --- clusters, on the driver, from the clustered passages only -----------------------------------

class OffsetMaps:
    """A passage's matching text with its offset map, built on first use from its document."""

    def __init__(self, passages: Sequence[Passage], documents: Mapping[int, Document] | Sequence[Document]) -> None:
        self.passages = passages
        self.documents = documents
        self.cache: dict[int, NormalizedText] = {}

    def __getitem__(self, pid: int) -> NormalizedText:
        if pid not in self.cache:
            p = self.passages[pid]
            doc = self.documents[p.doc]
            self.cache[pid] = normalize_blocks(doc.text, doc.blocks, p.start, p.end)
        return self.cache[pid]


def clusters_from_components(membership: Iterable[tuple[int, int]], passages: Sequence[Passage],
                             maps: OffsetMaps, config: Config) -> list[Cluster]:
    """``build_clusters`` on components found in Spark (``neardup.spark``'s table pipeline,
    which never collects the pairs).

    Each component is handed over as a star of links from its root, with no aligned spans: every
    passage is then one node (no parts), and merging, canonical choice and scoring are its own.
    """
    links = [Pair(root, pid, 1.0, 1.0, (0, 0), (0, 0)) for pid, root in membership if pid != root]
    return build_clusters(passages, _MatchingTexts(maps), links, config)


class _MatchingTexts:
    """The matching text of a passage, from its offset map."""

    def __init__(self, maps: OffsetMaps) -> None:
        self.maps = maps

    def __getitem__(self, pid: int) -> str:
        return self.maps[pid].text


# --- the scan ----------------------------------------------------------------------------------

@dataclass
class _Read:
    """What the driver keeps of the read: documents, passages and what was skipped, in local order."""

    names: list[str]
    documents: list[Document]
    passages: list[Passage]
    skipped: list[Skipped]
    bytes_read: int
    seconds: dict[str, float]
    bases: Any  # [file index] → (its first document id, its first passage id, its first window)


def scan_spark(paths: Sequence[str | os.PathLike[str]], config: Config | None = None, *,
               master: str = "local[*]") -> Report:
    """``pipeline.scan`` on Spark: the same report (stats aside) for the same files.

    Local paths (or a shared file system mounted on every worker) are listed by ``ingest.discover``
    on the driver and read by the executors; ``hdfs://``, ``s3a://``, ``file://`` … folders are
    listed and read as bytes by Spark's ``binaryFile`` source. Uses the active SparkSession if
    there is one, else starts one on ``master`` and stops it at the end.

    Example: scan_spark(["archive/"], Config(), master="local[4]")
    """
    config = config or Config()
    pyspark_sql()
    with spark_session(master) as spark:
        return _scan(spark, [os.fspath(p) for p in paths], config)


def _scan(spark: SparkSession, paths: list[str], config: Config) -> Report:
    started = time.perf_counter()
    seconds: dict[str, float] = defaultdict(float)
    with _step(spark, seconds, "read and sketch"):
        sketched, listed = _sketch(spark, paths, config)
        read = _collect_read(sketched, listed)
        bases = spark.sparkContext.broadcast((read.bases, len(read.passages)))
        passages = passage_frame(spark, sketched.flatMap(partial(_file_passage_rows, bases=bases, config=config)))
        passages.count()
        sketched.unpersist()
    partitions = partitions_for(spark, len(read.passages), config)
    with shuffle_partitions(spark, partitions):
        with _step(spark, seconds, "index"):
            candidates, distinct_candidates, collisions = find_candidates(spark, passages, config)
        with _step(spark, seconds, "verify"):
            verified, survived = verify_candidates(passages, candidates, config)
            rows = sorted(tuple(r) for r in verified.collect())
            maps = OffsetMaps(read.passages, read.documents)
            pairs = [Pair(r[0], r[1], r[2], r[3], maps[r[0]].to_original(r[4], r[5]),
                          maps[r[1]].to_original(r[6], r[7]), int(r[8], 16), int(r[9], 16)) for r in rows]
    with _step(spark, seconds, "cluster"):
        # The verified pairs are on the driver already (the report lists them), aligned spans and
        # all: clusters come from them as in the local scan, parts of passages included.
        clusters = build_clusters(read.passages, _MatchingTexts(maps), pairs, config, read.documents)
    with _step(spark, seconds, "explain"):
        clusters = explain_clusters(clusters, read.documents, read.passages, config)
    for frame in (passages, candidates, verified):
        frame.unpersist()
    for stage, s in read.seconds.items():  # summed over executors: CPU time more than wall time
        seconds[stage] += s
    stats = scan_stats(
        files_read=read.names, skipped=read.skipped, documents=len(read.documents), passages=len(read.passages),
        bytes_read=read.bytes_read, candidate_pairs=collisions, distinct_candidate_pairs=distinct_candidates,
        prefiltered_pairs=survived, verified_pairs=len(pairs), clusters=len(clusters),
        seconds=time.perf_counter() - started, stage_seconds=seconds,
        extra={"backend": "spark", "spark_master": spark.sparkContext.master,
               "spark_parallelism": spark.sparkContext.defaultParallelism, "shuffle_partitions": partitions})
    return Report(version=__version__, config=config.to_dict(), documents=tuple(read.documents),
                  passages=tuple(read.passages), clusters=tuple(clusters), pairs=tuple(pairs),
                  skipped=tuple(read.skipped), stats=stats)


def _sketch(spark: SparkSession, paths: list[str],
            config: Config) -> tuple[RDD[tuple[int, SketchedFile]], tuple[list[str], list[Skipped]]]:
    """``(file index, SketchedFile)`` for every file, cached; plus the file names and the skips
    found while listing."""
    from pyspark import StorageLevel

    sc = spark.sparkContext
    uris = [p for p in paths if len(urlparse(p).scheme) > 1]  # "C:\\…" has a one-letter scheme
    if uris:
        if len(uris) < len(paths):
            raise InputError(", ".join(paths), "give local paths or URIs (hdfs://, s3a://, file://), not both")
        names, index_of, skipped, frame = _list_uris(spark, paths, config)
        rdd = frame.rdd.mapPartitions(partial(_sketch_fetched, config=config, index_of=index_of, names=names))
    else:
        files, skipped, _root = discover(paths)
        names = [f.path for f in files]
        slices = _slices(list(enumerate(files)), sc.defaultParallelism)
        rdd = sc.parallelize(slices, len(slices)).flatMap(partial(_sketch_slice, config=config))
    return rdd.persist(StorageLevel.MEMORY_AND_DISK), (names, skipped)


def _list_uris(spark: SparkSession, uris: list[str],
               config: Config) -> tuple[list[str], dict[str, int], list[Skipped], DataFrame]:
    """binaryFile listing of ``uris``; names are relative to the folder given (or the common parent
    of several), files sorted by name, as ``ingest.discover`` does for local paths."""
    F = pyspark_sql()
    frame = spark.read.format("binaryFile").option("recursiveFileLookup", "true").load(uris)
    listing = frame.select("path", "length").collect()  # content is not read for this
    roots = [unquote(urlparse(u).path).rstrip("/") for u in uris]
    root = os.path.commonpath(roots) if len(roots) > 1 else roots[0]

    def name(uri: str) -> str:
        path = unquote(urlparse(uri).path)
        return os.path.relpath(path, root) if path != root else os.path.basename(root)

    named = sorted((name(r["path"]), r["path"], r["length"]) for r in listing)
    names: list[str] = []
    index_of: dict[str, int] = {}
    skipped: list[Skipped] = []
    for rel, uri, length in named:
        suffix = os.path.splitext(rel)[1]
        if suffix.lower() not in SUFFIXES:
            skipped.append(Skipped(rel, f"unsupported file type {suffix or '(no extension)'!r}; "
                                        f"neardup reads {' '.join(SUFFIXES)}"))
        elif length > config.max_file_bytes:  # read_file reports the size without opening anything
            skipped.extend(x for x in read_file(SourceFile("", rel, length), config) if isinstance(x, Skipped))
        else:
            index_of[uri] = len(names)
            names.append(rel)
    wanted = frame.filter(F.col("path").isin(list(index_of))).select("path", "content")
    return names, index_of, skipped, wanted


def _collect_read(sketched: RDD[tuple[int, SketchedFile]], listed: tuple[list[str], list[Skipped]]) -> _Read:
    """Documents, passages and skips of every file, in file order, with global document ids."""
    names, skipped = listed
    metas = sorted(sketched.map(lambda item: (item[0], item[1].documents, item[1].passages, item[1].skipped,
                                              item[1].bytes_read, item[1].seconds,
                                              len(item[1].window_owners))).collect(),
                   key=lambda m: m[0])
    read = _Read(names, [], [], list(skipped), 0, defaultdict(float), np.zeros((len(names), 3), np.int64))
    windows = 0
    for index, documents, passages, skips, bytes_read, seconds, window_count in metas:
        doc_base = len(read.documents)
        read.bases[index] = (doc_base, len(read.passages), windows)
        windows += window_count
        read.documents.extend(documents)
        # a Python int, not the table's numpy one: Passage.doc is an int
        read.passages.extend(replace(p, doc=p.doc + doc_base) for p in passages)
        read.skipped.extend(skips)
        read.bytes_read += bytes_read
        for stage, s in seconds.items():
            read.seconds[stage] += s
    read.skipped.sort(key=lambda s: s.path)
    return read
