"""The archive index: add throughput, query latency and size on disk as the archive grows.

    python benchmarks/bench_index.py --quick     # CI: 2,000 stored articles, well under a minute
    python benchmarks/bench_index.py             # full: 10,000 then 100,000 stored articles

Articles are synthetic and distinct: 300–1,500 characters of words drawn from jieba's own
dictionary (so the tokenizer cuts real words), with headlines and paragraphs. Queries mix three
kinds in equal numbers: an edited repost of a stored article (sentences dropped and changed, a new
lead line), a page of four articles holding one stored article, and a new article that matches
nothing. Query latency is the time of ``Index.query`` on an already sketched query (lookup,
prefilter, verification); the query's own tokenising (``Index.sketch``) is reported apart. Each
query runs three times and keeps its fastest time (the machines are shared and noisy). Add
throughput is compared with ``scan``'s on the same articles and cores, measured in the same run.

Results go to ``benchmarks/results/index.json`` (``index-quick.json`` for ``--quick``) and stdout.
Targets (issue 7): query p50 <= 5 ms and p99 <= 50 ms at 100,000 articles; add throughput within
80% of scan's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
TOKENIZER: Literal["rjieba"] = "rjieba"  # jieba's Rust port: the same words, so the same index, built ~10x faster
QUERIES_PER_KIND = 100
REPEATS = 3


class Articles:
    """Deterministic synthetic articles: ``article(i)`` is the same text in every run."""

    def __init__(self, seed: int = 7) -> None:
        import jieba

        words, weights = [], []
        with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as fh:
            for line in fh:
                word, freq, *_ = line.split()
                if all("\u4e00" <= c <= "\u9fff" for c in word) and int(freq) >= 20:
                    words.append(word)
                    weights.append(float(freq) ** 0.5)  # flatter than real use: fewer chance matches
        self.words = np.asarray(words, dtype=object)
        p = np.asarray(weights)
        self.cumulative = np.cumsum(p / p.sum())
        self.seed = seed

    def _rng(self, i: int, salt: int = 0) -> np.random.Generator:
        return np.random.default_rng([self.seed, salt, i])

    def _sentence(self, rng: np.random.Generator) -> str:
        picks = np.searchsorted(self.cumulative, rng.random(int(rng.integers(6, 18))))
        picks = np.minimum(picks, len(self.words) - 1)
        return "".join(self.words[picks]) + ("，" if rng.random() < 0.3 else "。")

    def sentences(self, i: int, salt: int = 0) -> list[str]:
        """300-1,500 characters of sentences; all words drawn at once (100k articles take seconds)."""
        rng = self._rng(i, salt)
        target = int(rng.integers(300, 1500))
        count = target // 2 + 40
        picks = np.minimum(np.searchsorted(self.cumulative, rng.random(count)), len(self.words) - 1)
        words = self.words[picks].tolist()
        lengths = rng.integers(6, 18, size=count // 6 + 1).tolist()
        commas = (rng.random(len(lengths)) < 0.3).tolist()
        out: list[str] = []
        pos = total = 0
        for length, comma in zip(lengths, commas):
            out.append("".join(words[pos:pos + length]) + ("，" if comma else "。"))
            pos += length
            total += len(out[-1])
            if total >= target or pos >= count:
                break
        return out

    def headline(self, i: int, salt: int = 0) -> str:
        return self._sentence(self._rng(i, salt + 1000))[:-1][:20]

    @staticmethod
    def layout(headline: str, sentences: list[str]) -> str:
        paragraphs = ["".join(sentences[k:k + 4]) for k in range(0, len(sentences), 4)]
        return f"## {headline}\n\n" + "\n\n".join(paragraphs) + "\n"

    def article(self, i: int) -> str:
        return self.layout(self.headline(i), self.sentences(i))

    def repost(self, i: int) -> str:
        """Article ``i`` as another site runs it: a new lead, some sentences dropped or reworded."""
        rng = self._rng(i, 2)
        kept = [s for s in self.sentences(i) if rng.random() > 0.08]
        for k in rng.choice(len(kept), size=max(1, len(kept) // 12), replace=False):
            kept[int(k)] = self._sentence(rng)
        return self.layout(self.headline(i), ["（记者 报道）" + self._sentence(rng)] + kept)

    def page(self, i: int, fresh: int) -> str:
        """A newspaper page: three new articles around stored article ``i``."""
        parts = [self.layout(self.headline(fresh + k, 3), self.sentences(fresh + k, 3)) for k in range(3)]
        parts.insert(1, self.article(i))
        return "# 第五版 综合新闻\n\n" + "\n".join(parts)

    def novel(self, i: int) -> str:
        return self.layout(self.headline(i, 4), self.sentences(i, 4))


def _percentiles(values: list[float]) -> dict[str, float]:
    ms = np.asarray(values) * 1000
    return {f"p{q}": round(float(np.percentile(ms, q)), 3) for q in (50, 95, 99)} | {
        "mean": round(float(ms.mean()), 3), "max": round(float(ms.max()), 3)}


def _queries(corpus: Articles, stored: int) -> Iterator[tuple[str, int | None, str]]:
    """(kind, id of the stored article it should find or None, text)."""
    rng = np.random.default_rng([corpus.seed, stored])
    targets = rng.choice(stored, size=2 * QUERIES_PER_KIND, replace=False).tolist()
    for k in range(QUERIES_PER_KIND):
        yield "repost", targets[k], corpus.repost(targets[k])
        yield "page", targets[QUERIES_PER_KIND + k], corpus.page(targets[QUERIES_PER_KIND + k], 10_000_000 + 3 * k)
        yield "novel", None, corpus.novel(20_000_000 + k)


def measure_queries(index: Any, corpus: Articles, stored: int) -> dict[str, Any]:
    sketch_s: list[float] = []
    query_s: list[float] = []
    by_kind: dict[str, list[float]] = {}
    found = {"repost": 0, "page": 0, "novel": 0}
    for kind, target, text in _queries(corpus, stored):
        # Each query runs REPEATS times and keeps its fastest time: the machines these run on are
        # shared, and a descheduled process would otherwise be timed as a slow query.
        tokenize, lookup = [], []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            sketch = index.sketch(text)
            t1 = time.perf_counter()
            matches = index.query(sketch)
            tokenize.append(t1 - t0)
            lookup.append(time.perf_counter() - t1)
        sketch_s.append(min(tokenize))
        query_s.append(min(lookup))
        by_kind.setdefault(kind, []).append(min(lookup))
        ids = {m.doc_id for m in matches}
        found[kind] += (f"a{target}" in ids) if target is not None else not ids
    return {
        "queries": len(query_s),
        "query_ms": _percentiles(query_s),
        "query_ms_by_kind": {k: _percentiles(v) for k, v in by_kind.items()},
        "tokenize_ms": _percentiles(sketch_s),
        "found_share": {k: round(v / QUERIES_PER_KIND, 3) for k, v in found.items()},
    }


def _add(index: Any, corpus: Articles, first: int, last: int) -> dict[str, Any]:
    """Add articles ``first``..``last``; only ``add_many`` is timed, not generating the texts."""
    seconds = 0.0
    for lo in range(first, last, 10_000):
        items = [(f"a{i}", corpus.article(i)) for i in range(lo, min(last, lo + 10_000))]
        started = time.perf_counter()
        summary = index.add_many(items, batch_size=1000)
        seconds += time.perf_counter() - started
        assert summary.added == len(items), summary
    return {"documents": last - first, "seconds": round(seconds, 2), "docs_per_s": round((last - first) / seconds, 1)}


def _size(path: Path, index_cls: Any, config: Any) -> dict[str, Any]:
    with index_cls.open(path, config) as index:
        index._store.checkpoint()  # fold the WAL in: the file alone is the index
        stats = index.stats()
    return {"bytes_on_disk": stats["bytes_on_disk"], "bytes_per_article": stats["bytes_per_document"],
            "passages": stats["passages"]}


def compare_with_scan(corpus: Articles, config: Any, work: Path, count: int) -> dict[str, Any]:
    """Add and scan the same ``count`` articles (files on disk for scan) on the same cores.

    Each side runs twice and keeps its faster run: the machine is shared, and the first run pays
    for loading the dictionary and filling the page cache."""
    import neardup
    from neardup.archive.index import Index

    folder = work / "scan-sample"
    folder.mkdir()
    for i in range(count):
        (folder / f"a{i:06d}.md").write_text(corpus.article(i), encoding="utf-8")
    scan_s, add_s = [], []
    for attempt in range(2):
        started = time.perf_counter()
        neardup.scan([folder], config)
        scan_s.append(time.perf_counter() - started)
        path = work / f"sample-{attempt}.ndx"
        with Index.open(path, config) as index:
            add_s.append(_add(index, corpus, 0, count)["seconds"])
    scan_rate, add_rate = count / min(scan_s), count / min(add_s)
    return {"documents": count, "scan_docs_per_s": round(scan_rate, 1), "add_docs_per_s": round(add_rate, 1),
            "add_vs_scan": round(add_rate / scan_rate, 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2,000 stored articles only (CI).")
    parser.add_argument("--jobs", type=int, default=0, help="Worker processes for adding (0 = all cores).")
    parser.add_argument("--workdir", type=Path, default=None, help="Where to build the indexes (default: a temp folder).")
    parser.add_argument("--output", type=Path, default=None, help="Results file (default benchmarks/results/index*.json).")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(HERE.parent / "src"))
    from neardup.archive.index import Index
    from neardup.config import Config

    config = Config(tokenizer=TOKENIZER, jobs=args.jobs)
    scales = [2_000] if args.quick else [10_000, 100_000]
    corpus = Articles()
    work = Path(tempfile.mkdtemp(prefix="bench-index-", dir=args.workdir))
    results: dict[str, Any] = {
        "mode": "quick" if args.quick else "full",
        "tokenizer": TOKENIZER,
        "config": config.to_dict(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "corpus": "synthetic: 300-1,500 characters of jieba dictionary words per article",
        "timing": f"latencies: fastest of {REPEATS} runs of each query; add and scan: faster of 2 runs",
        "scales": [],
    }
    try:
        results["add_vs_scan"] = compare_with_scan(corpus, config, work, 1_000 if args.quick else 4_000)
        path = work / "archive.ndx"
        stored = 0
        with Index.open(path, config) as index:
            index.sketch("预热")  # load the dictionary outside the timings
            for scale in scales:
                added = _add(index, corpus, stored, scale)
                stored = scale
                entry: dict[str, Any] = {"stored_articles": scale, "add": added}
                entry |= _size(path, Index, config)
                entry |= measure_queries(index, corpus, stored)
                results["scales"].append(entry)
                print(json.dumps(entry, ensure_ascii=False), file=sys.stderr)
        largest = results["scales"][-1]
        results["extrapolated_1m"] = {
            "bytes_on_disk": largest["bytes_per_article"] * 1_000_000,
            "note": f"extrapolated, not measured: size grows linearly; each query passage makes {config.bands} "
                    "band-key lookups, B-tree searches (log n: one more level from 100k to 1M), so latency "
                    "stays in the measured range while the bands table and its index fit in the page cache, "
                    f"and adds up to {config.bands} random reads per query passage when they do not.",
        }
        last = largest["query_ms"]
        results["targets"] = {"query_p50_ms<=5": last["p50"] <= 5, "query_p99_ms<=50": last["p99"] <= 50,
                              "add_within_80%_of_scan": results["add_vs_scan"]["add_vs_scan"] >= 0.8}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    out = args.output or RESULTS / ("index-quick.json" if args.quick else "index.json")
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
