"""neardup on Spark DataFrames: clusters and verified pairs in a table of texts.

For corpora that already live in a data lake as Parquet or JSON lines (one row per article, an id
and a text), nothing is collected but the clusters' own members::

    from neardup.spark import find_clusters, read_texts, write_table

    articles = read_texts("hdfs:///news/2023/")               # Parquet or JSONL folder
    members = find_clusters(articles, text_col="text", id_col="id")
    write_table(members, "hdfs:///news/2023-clusters/")      # Parquet (or format="jsonl")

Each row is parsed as the local backend parses a JSONL record (so HTML in a text is extracted the
same way) and goes through the same stages in executors; offsets are Python string offsets into
the row's text. Rows are numbered in ``id`` order, so results do not depend on how the input is
partitioned. For raw file folders use ``neardup scan --backend spark`` (``scan_spark``).

As a job: ``python -m neardup.spark INPUT OUTPUT [--pairs PAIRS] [--master URL]``, or through
``spark-submit`` with a two-line driver file (``from neardup.spark import main; main()``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

from neardup.config import Config
from neardup.errors import ConfigError, InputError
from neardup.ingest import parse_text
from neardup.models import Document, Passage
from neardup.normalize import normalize_blocks
from neardup.sketching import sketch_documents
from neardup.spark.backend import (
    OffsetMaps,
    clusters_from_components,
    connected_components,
    find_candidates,
    partitions_for,
    passage_frame,
    passage_rows,
    pyspark_sql,
    scan_spark,
    shuffle_partitions,
    spark_session,
    verify_candidates,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["find_clusters", "find_pairs", "read_texts", "scan_spark", "write_table"]

TableFormat = Literal["parquet", "jsonl"]


def find_clusters(df: DataFrame, text_col: str = "text", id_col: str = "id",
                  config: Config | None = None) -> DataFrame:
    """One row per cluster member: ``cluster_id``, ``<id_col>``, ``start``, ``end`` (the member's
    span in its text), ``similarity`` and ``containment`` against the canonical member, and
    ``is_canonical``. Members are ordered as in a local report.

    Example: find_clusters(spark.read.parquet("news/"), text_col="body", id_col="url")
    """
    pyspark_sql()
    with _Matching(df, text_col, id_col, config or Config()) as matching:
        return matching.clusters()


def find_pairs(df: DataFrame, text_col: str = "text", id_col: str = "id",
               config: Config | None = None) -> DataFrame:
    """One row per verified pair of passages: ``<id_col>_a``, ``start_a``, ``end_a``,
    ``<id_col>_b``, ``start_b``, ``end_b``, ``similarity``, ``containment`` and the aligned
    stretches ``aligned_start_a`` … ``aligned_end_b``, all offsets into the rows' texts. Cached.

    Example: find_pairs(spark.read.json("news.jsonl"), config=Config(threshold=0.6))
    """
    pyspark_sql()
    with _Matching(df, text_col, id_col, config or Config()) as matching:
        return matching.pairs()


def read_texts(path: str, *, format: TableFormat | None = None, spark: SparkSession | None = None) -> DataFrame:
    """A Parquet or JSON-lines file or folder as a DataFrame. ``format`` defaults to what the
    path's extension (or, for a local folder, its files' extensions) says.

    Example: read_texts("news/2023/", format="jsonl")
    """
    pyspark_sql()
    from pyspark.sql import SparkSession

    spark = spark or SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
    fmt = format or _guess_format(path)
    return spark.read.parquet(path) if fmt == "parquet" else spark.read.json(path)


def write_table(df: DataFrame, path: str, *, format: TableFormat = "parquet", mode: str = "errorifexists") -> None:
    """Write ``df`` as Parquet or JSON lines (one part file per partition). ``mode`` is Spark's:
    ``errorifexists`` (default), ``overwrite``, ``append`` or ``ignore``.

    Example: write_table(find_clusters(df), "out/clusters", format="jsonl", mode="overwrite")
    """
    if format not in ("parquet", "jsonl"):
        raise ConfigError(f"format must be parquet or jsonl, got {format!r}")
    writer = df.write.mode(mode)
    if format == "parquet":
        writer.parquet(path)
    else:
        writer.option("ignoreNullFields", "false").json(path)


def _guess_format(path: str) -> TableFormat:
    names = [path]
    if os.path.isdir(path):
        names = [n for _, _, files in os.walk(path) for n in files if not n.startswith((".", "_"))]
    suffixes = {os.path.splitext(n.removesuffix(".gz"))[1].lower() for n in names}
    if suffixes and suffixes <= {".parquet"}:
        return "parquet"
    if suffixes and suffixes <= {".jsonl", ".json", ".ndjson"}:
        return "jsonl"
    raise ConfigError(f"cannot tell whether {path} holds Parquet or JSON lines; pass format='parquet' or 'jsonl'")


class SparsePassages(Sequence[Passage]):
    """The passages a cluster build touches, by global id (``build_clusters`` indexes by id)."""

    def __init__(self, by_pid: Mapping[int, Passage], total: int) -> None:
        self.by_pid = by_pid
        self.total = total

    @overload
    def __getitem__(self, index: int) -> Passage: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Passage]: ...
    def __getitem__(self, index: int | slice) -> Passage | Sequence[Passage]:
        if isinstance(index, slice):
            raise TypeError("SparsePassages is indexed by passage id only")
        return self.by_pid[index]

    def __len__(self) -> int:
        return self.total


# --- matching a table --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Sketched:
    """One row's document after the per-document stages (in an executor)."""

    key: Any
    text: str
    passages: list[Passage]
    texts: list[str]
    sizes: list[int]
    signatures: Any


def _sketch_rows(rows: Iterator[Any], config: Config) -> Iterator[_Sketched]:
    for row in rows:
        text = row["text"] or ""
        sketched = sketch_documents([_document(row["id"], text, config)], config)
        yield _Sketched(row["id"], text, sketched.passages, sketched.texts, sketched.sizes, sketched.signatures)


def _document(key: Any, text: str, config: Config) -> Document:
    """A row's text parsed as the local backend parses a JSONL record's text."""
    return parse_text(str(key), text, config=config, jsonl=True)


def _numbered(part: int, items: Iterator[_Sketched], bases: Any) -> Iterator[tuple[int, int, _Sketched]]:
    doc, pid = (int(x) for x in bases.value[part])
    for item in items:
        yield doc, pid, item
        doc += 1
        pid += len(item.passages)


def _passage_rows(item: tuple[int, int, _Sketched], config: Config) -> Iterator[tuple[Any, ...]]:
    doc, pid, sk = item
    yield from passage_rows(pid, [doc] * len(sk.texts), sk.texts, sk.sizes, sk.signatures, config)


def _span_rows(item: tuple[int, int, _Sketched]) -> Iterator[tuple[Any, ...]]:
    doc, pid, sk = item
    for k, p in enumerate(sk.passages):
        yield pid + k, doc, p.start, p.end, p.title, p.continued


_SPANS = "pid long, doc long, start long, end long, title string, continued string"


class _Matching:
    """The shared work of ``find_clusters`` and ``find_pairs``: sketch the table's rows, number
    their passages, find and verify the pairs. Leaving the block drops every cache it made."""

    def __init__(self, df: DataFrame, text_col: str, id_col: str, config: Config) -> None:
        missing = [c for c in (text_col, id_col) if c not in df.columns]
        if missing:
            raise ConfigError(f"column(s) {', '.join(missing)} not in the table, which has "
                              f"{', '.join(df.columns)} (text_col=, id_col=)")
        kind = dict(df.dtypes)[text_col]
        if kind != "string":
            raise ConfigError(f"column {text_col!r} holds {kind}, not text (text_col=)")
        self.df, self.text_col, self.id_col, self.config = df, text_col, id_col, config
        self.spark = df.sparkSession
        self.id_type = df.schema[id_col].dataType.simpleString()
        self._cached: list[Any] = []
        self._partitions = ExitStack()
        self._verified_pairs: DataFrame | None = None

    def __enter__(self) -> _Matching:
        F = pyspark_sql()
        parallelism = self.spark.sparkContext.defaultParallelism
        # Small shuffles until the passages are counted; then sized for them. Put back on exit.
        self._partitions.enter_context(shuffle_partitions(self.spark, 2 * parallelism))
        table = self.df.select(F.col(self.id_col).alias("id"), F.col(self.text_col).alias("text"))
        _check_ids(table, self.id_col)
        parts = max(table.rdd.getNumPartitions(), 2 * parallelism)
        ordered = table.repartitionByRange(parts, "id").sortWithinPartitions("id")
        sketched = self._cache(ordered.rdd.mapPartitions(partial(_sketch_rows, config=self.config)))
        counts = np.zeros((parts + 1, 2), dtype=np.int64)
        for part, docs, passages in sketched.mapPartitionsWithIndex(_count_partition).collect():
            counts[part + 1] = (docs, passages)
        self.total = int(counts[:, 1].sum())
        bases = self.spark.sparkContext.broadcast(np.cumsum(counts, axis=0)[:-1])
        numbered = sketched.mapPartitionsWithIndex(partial(_numbered, bases=bases))
        rows = numbered.flatMap(partial(_passage_rows, config=self.config))
        self.passages = self._cache(passage_frame(self.spark, rows))
        self.spans = self._cache(self.spark.createDataFrame(numbered.flatMap(_span_rows), _SPANS))
        self.docs = self.spark.createDataFrame(numbered.map(lambda x: (x[0], x[2].key, x[2].text)),
                                               f"doc long, id {self.id_type}, text string")
        self.passages.count()
        self.spans.count()
        self.spark.conf.set("spark.sql.shuffle.partitions", str(partitions_for(self.spark, self.total, self.config)))
        return self

    def __exit__(self, *exc: object) -> None:
        self._partitions.close()
        for frame in self._cached:
            frame.unpersist()

    def _cache(self, frame: Any) -> Any:
        from pyspark import StorageLevel

        self._cached.append(frame.persist(StorageLevel.MEMORY_AND_DISK))
        return frame

    def _verified(self) -> DataFrame:
        """The verified pairs (matching-text spans), found once for both ``pairs`` and ``clusters``."""
        if self._verified_pairs is None:
            candidates, _, _ = find_candidates(self.spark, self.passages, self.config)
            self._cached.append(candidates)
            self._verified_pairs, _ = verify_candidates(self.passages, candidates, self.config)
            self._cached.append(self._verified_pairs)
        return self._verified_pairs

    def pairs(self) -> DataFrame:
        """Verified pairs with ids and spans in the rows' texts; cached, since the caches it was
        computed from are dropped."""
        from pyspark import StorageLevel

        F = pyspark_sql()
        located = self._verified()
        spans = self.spans.select("pid", "doc", "start", "end")
        for side in ("a", "b"):
            located = located.join(spans.select(*(F.col(c).alias(side if c == "pid" else f"{c}_{side}")
                                                  for c in spans.columns)), side)
        involved = located.select(F.col("doc_a").alias("doc")).union(located.select(F.col("doc_b").alias("doc")))
        texts = self.docs.join(involved.distinct(), "doc", "left_semi")  # only these texts move
        for side in ("a", "b"):
            located = located.join(texts.select(F.col("doc").alias(f"doc_{side}"), F.col("id").alias(f"id_{side}"),
                                                F.col("text").alias(f"text_{side}")), f"doc_{side}")
        rows = located.rdd.mapPartitions(partial(_original_spans, config=self.config))
        key, kind = self.id_col, self.id_type
        schema = (f"`{key}_a` {kind}, start_a long, end_a long, `{key}_b` {kind}, start_b long, end_b long, "
                  "similarity double, containment double, aligned_start_a long, aligned_end_a long, "
                  "aligned_start_b long, aligned_end_b long")
        result = self.spark.createDataFrame(rows, schema).persist(StorageLevel.MEMORY_AND_DISK)
        result.count()
        return result

    def clusters(self) -> DataFrame:
        """Cluster members, built on the driver from the clustered rows only."""
        F = pyspark_sql()
        components, _ = connected_components(self._verified())
        membership = components.join(self.spans.select("pid", "doc"), "pid").collect()
        wanted = self.spark.createDataFrame([(d,) for d in sorted({r["doc"] for r in membership})], "doc long")
        documents: dict[int, Document] = {}
        keys: dict[int, Any] = {}
        for r in self.docs.join(F.broadcast(wanted), "doc").collect():
            documents[r["doc"]] = _document(r["id"], r["text"], self.config)
            keys[r["doc"]] = r["id"]
        # Every passage of those rows: members take in unmatched passages lying between two of theirs.
        passages = SparsePassages({
            r["pid"]: Passage(r["doc"], documents[r["doc"]].path, r["start"], r["end"], r["title"], r["continued"])
            for r in self.spans.join(F.broadcast(wanted), "doc").collect()}, self.total)
        built = clusters_from_components([(r["pid"], r["root"]) for r in membership], passages,
                                         OffsetMaps(passages, documents), self.config)
        rows = [(c.id, keys[passages[m.passages[0]].doc], m.start, m.end, m.similarity, m.containment, k == 0)
                for c in built for k, m in enumerate(c.members)]
        schema = (f"cluster_id string, `{self.id_col}` {self.id_type}, start long, end long, "
                  "similarity double, containment double, is_canonical boolean")
        return self.spark.createDataFrame(rows, schema)


def _count_partition(part: int, items: Iterator[_Sketched]) -> list[tuple[int, int, int]]:
    docs = passages = 0
    for item in items:
        docs += 1
        passages += len(item.passages)
    return [(part, docs, passages)]


def _check_ids(table: DataFrame, id_col: str) -> None:
    F = pyspark_sql()
    bad = table.groupBy("id").count().filter(F.col("id").isNull() | (F.col("count") > 1)).limit(1).collect()
    if bad:
        what = "is empty (null)" if bad[0]["id"] is None else f"{bad[0]['id']!r} appears {bad[0]['count']} times"
        raise InputError(id_col, f"ids must be unique and not null; {what}")


def _original_spans(rows: Iterator[Any], config: Config) -> Iterator[tuple[Any, ...]]:
    """Verified pairs with spans mapped from matching text back to the rows' own texts."""
    documents: dict[int, Document] = {}
    for row in rows:
        out: list[Any] = []
        for side in ("a", "b"):
            doc = documents.get(row[f"doc_{side}"])
            if doc is None:
                doc = documents[row[f"doc_{side}"]] = _document(row[f"id_{side}"], row[f"text_{side}"], config)
            norm = normalize_blocks(doc.text, doc.blocks, row[f"start_{side}"], row[f"end_{side}"])
            out.append(norm.to_original(row[f"{side}_match_start"], row[f"{side}_match_end"]))
        (a0, a1), (b0, b1) = out
        yield (row["id_a"], row["start_a"], row["end_a"], row["id_b"], row["start_b"], row["end_b"],
               row["similarity"], row["containment"], a0, a1, b0, b1)


# --- spark-submit entry point ------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    """python -m neardup.spark INPUT OUTPUT [options]: clusters of a Parquet/JSONL table."""
    import argparse

    ap = argparse.ArgumentParser(prog="neardup.spark", description=main.__doc__)
    ap.add_argument("input", help="Parquet or JSON-lines file or folder (local path, hdfs://, s3a://)")
    ap.add_argument("output", help="where to write the cluster members")
    ap.add_argument("--pairs", default=None, help="also write the verified pairs here")
    ap.add_argument("--input-format", choices=("parquet", "jsonl"), default=None)
    ap.add_argument("--format", choices=("parquet", "jsonl"), default="parquet", help="output format")
    ap.add_argument("--text-col", default="text")
    ap.add_argument("--id-col", default="id")
    ap.add_argument("--master", default=None, help="Spark master when not run by spark-submit")
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--tokenizer", choices=("jieba", "rjieba", "char"), default=None)
    ap.add_argument("--mode", default="errorifexists", help="Spark save mode for the outputs")
    args = ap.parse_args(argv)
    settings = {k: v for k, v in (("threshold", args.threshold), ("tokenizer", args.tokenizer)) if v is not None}
    config = Config(**settings)
    with spark_session(args.master) as spark:
        table = read_texts(args.input, format=args.input_format, spark=spark)
        with _Matching(table, args.text_col, args.id_col, config) as matching:  # one sketch for both
            write_table(matching.clusters(), args.output, format=args.format, mode=args.mode)
            if args.pairs:
                write_table(matching.pairs(), args.pairs, format=args.format, mode=args.mode)
    return 0
