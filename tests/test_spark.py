"""The Spark backend gives the local backend's results: same documents, passages, pairs, clusters.

Every test that needs Spark shares one ``local[2]`` session (starting a JVM costs seconds) and skips
with the reason when pyspark or Java is missing; the missing-pyspark error is tested without Spark.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import neardup
from conftest import EXAMPLES, REPOST, ROOT
from neardup.backends import get_backend
from neardup.cli import main
from neardup.cluster import components
from neardup.errors import ConfigError, InputError, MissingDependencyError
from neardup.lsh import candidate_pairs

# rjieba cuts the same words as jieba (a core test checks it) and keeps these tests quick.
try:
    import rjieba  # noqa: F401

    FAST = "rjieba"
except ImportError:
    FAST = "char"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        pytest.skip('pyspark is not installed (pip install "neardup[spark]")')
    if shutil.which("java") is None and "JAVA_HOME" not in os.environ:
        pytest.skip("Spark needs Java 17 (no java on PATH, no JAVA_HOME)")
    os.environ["PYSPARK_PYTHON"] = sys.executable  # workers must run this interpreter, which has neardup
    session = (SparkSession.builder.master("local[2]").appName("neardup-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "4")
               # The JIT's second tier costs more CPU than these small jobs ever win back.
               .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _contract(report: neardup.Report) -> dict[str, Any]:
    data = report.to_dict()
    del data["stats"]
    return data


def _assert_same(local: neardup.Report, remote: neardup.Report) -> None:
    assert remote.documents == local.documents
    assert remote.passages == local.passages
    assert remote.skipped == local.skipped
    assert remote.pairs == local.pairs
    assert remote.clusters == local.clusters
    assert _contract(remote) == _contract(local)


# --- parity ------------------------------------------------------------------------------------

def test_karamay_parity_through_library_and_cli(spark: Any, tmp_path: Path) -> None:
    from neardup.spark.backend import scan_spark

    config = neardup.Config(jobs=1)
    local = neardup.scan([EXAMPLES], config)
    remote = scan_spark([EXAMPLES], config)
    _assert_same(local, remote)
    assert len(remote.clusters) == 1 and remote.stats["backend"] == "spark"

    # hdfs://, s3a:// … folders are read by Spark's binaryFile source; a file:// URI takes that road.
    out = tmp_path / "report.json"
    with pytest.raises(SystemExit) as exit_info:
        main(["scan", EXAMPLES.as_uri(), "--backend", "spark", "--spark-master", "local[2]", "--format", "json",
              "--output", str(out), "--jobs", "1"])
    assert exit_info.value.code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    del data["stats"]
    assert data == _contract(local)


def _generated_corpus(folder: Path) -> None:
    """benchmarks/corpus.py's labelled corpus when it is there, else a small one from the seeds."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from corpus import generate
    except ImportError:
        _seed_corpus(folder)
    else:
        generate(folder, size_mb=0.6, seed=11)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


def _seed_corpus(folder: Path) -> None:
    """Pages of several articles, edited reposts and truncated copies of the example seeds."""
    rnd = random.Random(5)
    seeds = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt"))]
    folder.mkdir(parents=True)
    for k, text in enumerate(seeds):
        (folder / f"orig_{k}.txt").write_text(text, encoding="utf-8")
        edited = "".join(c if rnd.random() > 0.01 else "某" for c in text).replace("，", ",")
        (folder / f"repost_{k}.md").write_text(edited, encoding="utf-8")
        (folder / f"cut_{k}.txt").write_text(text[: len(text) * 3 // 5], encoding="utf-8")
    page = "\n\n".join(f"## 第{k}篇\n\n{seeds[k][200:3000]}" for k in (1, 3, 4))
    (folder / "page.md").write_text(page, encoding="utf-8")


def test_generated_corpus_parity(spark: Any, tmp_path: Path) -> None:
    from neardup.spark.backend import scan_spark

    folder = tmp_path / "corpus"
    _generated_corpus(folder)
    config = neardup.Config(jobs=1, tokenizer=FAST)  # type: ignore[arg-type]
    local = neardup.scan([folder], config)
    assert len(local.clusters) >= 5
    _assert_same(local, scan_spark([folder], config))


def test_skewed_corpus_parity(spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """30 identical copies fill every band's bucket far past the cap: the capped buckets' chains are
    built over several range partitions, and the result is still the local one."""
    from neardup.spark import backend

    folder = tmp_path / "skewed"
    shutil.copytree(EXAMPLES, folder)
    repost = (EXAMPLES / REPOST).read_text(encoding="utf-8")
    for k in range(30):
        (folder / f"copy_{k:03d}.txt").write_text(repost, encoding="utf-8")
    config = neardup.Config(jobs=1, tokenizer=FAST, bucket_cap=8)  # type: ignore[arg-type]
    monkeypatch.setattr(backend, "BIG_BUCKET_ROWS_PER_TASK", 500)  # 64 bands x 31 copies: 4 tasks
    local = neardup.scan([folder], config)
    remote = backend.scan_spark([folder], config)
    _assert_same(local, remote)
    assert max(len(c.members) for c in remote.clusters) == 32
    assert remote.stats["candidate_pairs"] == local.stats["candidate_pairs"]


def test_banding_matches_index_candidate_pairs_and_splits_a_huge_bucket(
        spark: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from neardup.spark import backend

    rnd = np.random.default_rng(3)
    n, cap = 3000, 20
    keys = np.stack([np.full(n, 7),                       # one bucket holding everyone
                     rnd.integers(0, 400, n),             # buckets of about 7 (all pairs)
                     rnd.integers(0, 100, n),             # buckets of about 30 (over the cap)
                     np.arange(n)], axis=1).astype(np.int64)  # no shared keys
    doc = rnd.integers(0, 1500, n)
    active = rnd.random(n) > 0.1
    rows = [(i, int(doc[i]), "", 1, b"", keys[i].tolist() if active[i] else None) for i in range(n)]
    passages = spark.createDataFrame(rows, "pid long, doc long, text string, shingles long, sig binary, "
                                           "keys array<long>")
    config = neardup.Config(bucket_cap=cap)
    monkeypatch.setattr(backend, "BIG_BUCKET_ROWS_PER_TASK", 500)
    found, count, collisions = backend.find_candidates(spark, passages, config)
    got = sorted((r["a"], r["b"]) for r in found.collect())

    counted = 0

    def tally(n: int) -> None:
        nonlocal counted
        counted += n

    def cross_documents(pairs: Any) -> Any:
        return pairs[doc[pairs[:, 0]] != doc[pairs[:, 1]]]

    expected = candidate_pairs(keys.view(np.uint64), cap, active=active, keep=cross_documents, collisions=tally)
    assert got == [tuple(p) for p in expected.tolist()] and count == len(got)
    assert collisions == counted

    members = passages.filter("keys is not null").selectExpr("pid", "doc", "0 as band", "7L as key")
    sizes = backend.range_sorted(members, int(active.sum())).rdd.glom().map(len).collect()
    assert len([s for s in sizes if s]) >= 4 and max(sizes) < active.sum() / 2


def test_connected_components_match_union_find(spark: Any) -> None:
    from neardup.spark.backend import connected_components

    rnd = random.Random(9)
    edges = [(rnd.randrange(300), rnd.randrange(300)) for _ in range(200)]
    edges += [(1000 + k, 1001 + k) for k in range(60)]           # a long path
    edges += [(2000, 2001 + k) for k in range(60)]               # a star
    frame = spark.createDataFrame([(a, b) for a, b in edges if a != b], "a long, b long")
    membership, rounds = connected_components(frame)
    groups: dict[int, list[int]] = {}
    for row in membership.collect():
        groups.setdefault(row["root"], []).append(row["pid"])
    assert sorted(sorted(g) for g in groups.values()) == components([(a, b) for a, b in edges if a != b])
    assert all(root == min(g) for root, g in groups.items())
    assert rounds < 20


# --- the DataFrame API -------------------------------------------------------------------------

def _records() -> list[dict[str, str]]:
    return [{"id": p.name, "text": p.read_text(encoding="utf-8")} for p in sorted(EXAMPLES.glob("*.txt"))]


def test_dataframe_api_matches_a_local_scan_of_the_same_records(spark: Any, tmp_path: Path) -> None:
    """The job entry point (read_texts → find_clusters and find_pairs → write_table) on a JSONL
    folder whose records come in another order than the local scan's single file."""
    from neardup.spark import main, read_texts

    records = _records()
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    local = neardup.scan([source], neardup.Config(jobs=1))
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    for k, chunk in enumerate((records[3:], records[1:3][::-1], records[:1])):
        (shuffled / f"part-{k}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chunk), encoding="utf-8")

    assert main([str(shuffled), str(tmp_path / "clusters"), "--pairs", str(tmp_path / "pairs"),
                 "--format", "jsonl"]) == 0
    written = read_texts(str(tmp_path / "clusters"), format="jsonl", spark=spark).collect()
    got = sorted((r["cluster_id"], r["id"], r["start"], r["end"], round(r["similarity"], 4), r["is_canonical"])
                 for r in written)
    expected = [(c.id, m.path.split("#", 1)[1], m.start, m.end, round(m.similarity, 4), k == 0)
                for c in local.clusters for k, m in enumerate(c.members)]
    assert got == sorted(expected) and got
    pairs = read_texts(str(tmp_path / "pairs"), format="jsonl", spark=spark).collect()
    got_pairs = sorted((r["id_a"], r["start_a"], r["end_a"], r["id_b"], r["start_b"], r["end_b"],
                        r["aligned_start_a"], r["aligned_end_a"], r["aligned_start_b"], r["aligned_end_b"],
                        round(r["similarity"], 4)) for r in pairs)
    spans = [(local.passages[p.a], local.passages[p.b], p) for p in local.pairs]
    want_pairs = sorted((a.path.split("#", 1)[1], a.start, a.end, b.path.split("#", 1)[1], b.start, b.end,
                         *p.a_aligned, *p.b_aligned, round(p.similarity, 4)) for a, b, p in spans)
    assert got_pairs == want_pairs and got_pairs


def test_dataframe_api_checks_its_input(spark: Any, tmp_path: Path) -> None:
    from neardup.spark import find_clusters, find_pairs, read_texts

    table = spark.createDataFrame([("a", "文本"), ("a", "又一篇")], "id string, text string")
    with pytest.raises(InputError, match="unique"):
        find_pairs(table)
    with pytest.raises(ConfigError, match="body"):
        find_clusters(table, text_col="body")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match="format="):
        read_texts(str(tmp_path), spark=spark)


# --- without pyspark ---------------------------------------------------------------------------

def test_missing_pyspark_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("pyspark", "pyspark.sql", "pyspark.sql.functions"):
        monkeypatch.setitem(sys.modules, name, None)  # makes `import pyspark…` raise ImportError
    import neardup.spark

    scan_spark = get_backend("spark")  # importing the backend must not need pyspark
    with pytest.raises(MissingDependencyError, match='pip install "neardup\\[spark\\]"'):
        scan_spark([EXAMPLES], neardup.Config())
    for api in (neardup.spark.find_clusters, neardup.spark.find_pairs):
        with pytest.raises(MissingDependencyError, match='pip install "neardup\\[spark\\]"'):
            api(object())  # type: ignore[arg-type]
