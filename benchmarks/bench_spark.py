"""Spark backend vs local backend on the same generated corpus: time, peak memory, shuffle sizes.

    python benchmarks/bench_spark.py --quick    # CI: ~2 MB corpus, local[1]/local[2] vs jobs 1/2
    python benchmarks/bench_spark.py            # full: 100 MB corpus (benchmarks/corpus.py)

Each measured run is a fresh interpreter, so its peak memory is its own: the resident memory of
the whole process tree (driver, JVM, Python workers, or the local pool), sampled every 0.2 s from
/proc. Spark's session start is timed apart from the scan, since a cluster pays it once per job.
Shuffle sizes come from Spark's REST API (stages of each step, labelled "neardup: <step>").
Every Spark report is checked against the local report made just before it with the same core
count (stats aside): ``same_report_as_local`` per run, ``parity`` overall.
Results go to ``benchmarks/results/spark.json`` (``spark-quick.json`` for --quick).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))


class TreeMemory:
    """Peak resident memory of this process and all its descendants, sampled in a thread."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return round(self.peak_kb / 1024, 1)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(os.getpid()))
            self._stop.wait(self.interval)


def _tree_rss_kb(root: int) -> int:
    children: dict[int, list[int]] = defaultdict(list)
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as fh:
                fields = dict(line.split(":", 1) for line in fh if ":" in line)
        except OSError:
            continue
        pid = int(entry)
        children[int(fields.get("PPid", "0").strip())].append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


# --- the measured programs (each in its own interpreter) --------------------------------------

def run_local(folder: str, tokenizer: str, jobs: int, report_path: str) -> dict[str, Any]:
    import neardup

    with TreeMemory() as memory:
        started = time.perf_counter()
        report = neardup.scan([folder], neardup.Config(tokenizer=tokenizer, jobs=jobs))  # type: ignore[arg-type]
        seconds = time.perf_counter() - started
    Path(report_path).write_text(report.to_json(indent=None), encoding="utf-8")
    return {"seconds": seconds, "peak_rss_mb": memory.peak_mb, "stats": report.stats}


def run_spark(folder: str, tokenizer: str, cores: int, report_path: str) -> dict[str, Any]:
    """The same Config as the local run (``jobs`` included, though Spark ignores it) so that the
    reports' config sections agree too."""
    import neardup
    from neardup.spark.backend import scan_spark

    os.environ["PYSPARK_PYTHON"] = sys.executable
    with TreeMemory() as memory:
        started = time.perf_counter()
        from pyspark.sql import SparkSession

        spark = (SparkSession.builder.master(f"local[{cores}]").appName("neardup-bench")
                 .config("spark.ui.showConsoleProgress", "false")
                 .config("spark.driver.memory", "4g").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        session_seconds = time.perf_counter() - started
        started = time.perf_counter()
        report = scan_spark([folder], neardup.Config(tokenizer=tokenizer, jobs=cores))  # type: ignore[arg-type]
        seconds = time.perf_counter() - started
        time.sleep(1.0)  # the status store is fed asynchronously
        shuffles = _shuffle_by_step(spark)
        spark.stop()
    Path(report_path).write_text(report.to_json(indent=None), encoding="utf-8")
    return {"seconds": seconds, "session_seconds": session_seconds, "peak_rss_mb": memory.peak_mb,
            "stats": report.stats, "shuffle": shuffles}


def _shuffle_by_step(spark: Any) -> dict[str, dict[str, int]]:
    """Shuffle bytes written and read, and tasks run, per neardup step (from the Spark UI's API)."""
    sc = spark.sparkContext
    base = f"{sc.uiWebUrl}/api/v1/applications/{sc.applicationId}"
    step_of: dict[int, str] = {}
    for job in json.load(urllib.request.urlopen(f"{base}/jobs")):
        for stage in job["stageIds"]:
            step_of[stage] = str(job.get("description") or "other").removeprefix("neardup: ")
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for stage in json.load(urllib.request.urlopen(f"{base}/stages")):
        if stage["status"] != "COMPLETE":
            continue
        row = out[step_of.get(stage["stageId"], "other")]
        row["shuffle_write_bytes"] += stage["shuffleWriteBytes"]
        row["shuffle_write_records"] += stage["shuffleWriteRecords"]
        row["shuffle_read_bytes"] += stage["shuffleReadBytes"]
        row["tasks"] += stage["numTasks"]
        row["stages"] += 1
    return {step: dict(row) for step, row in out.items()}


def _child(kind: str, *args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--child", kind, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child {kind} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _contract(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    del data["stats"]
    return data


# --- orchestration ----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small corpus for CI")
    parser.add_argument("--size-mb", type=float, default=None, help="corpus size (default 100, quick 2)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tokenizer", default="rjieba", choices=("jieba", "rjieba", "char"))
    parser.add_argument("--cores", default="1,2", help="core counts to measure (local jobs / local[N])")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, folder, tokenizer, cores, report = args.child
        run = run_local if kind == "local" else run_spark
        print(json.dumps(run(folder, tokenizer, int(cores), report)))
        return 0

    from corpus import generate

    mode = "quick" if args.quick else "full"
    size_mb = args.size_mb or (2.0 if args.quick else 100.0)
    cores = [int(c) for c in args.cores.split(",")]
    results: dict[str, Any] = {
        "mode": mode, "seed": args.seed, "tokenizer": args.tokenizer, "python": platform.python_version(),
        "machine": {"cores": os.cpu_count(), "platform": platform.platform(),
                    "load_average_at_start": list(os.getloadavg())},
        "runs": [],
    }
    parity = True
    with tempfile.TemporaryDirectory(prefix="neardup-bench-spark-") as tmp:
        work = Path(tmp)
        folder = work / "corpus"
        labels = generate(folder, size_mb=size_mb, seed=args.seed)
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        results["corpus"] = {"mb": round(size / 1e6, 2), "documents": len(labels["documents"])}
        for n in cores:
            reference: Path | None = None  # each Spark run is checked against the local run just before it
            for backend in ("local", "spark"):
                report = work / f"{backend}-{n}.json"
                measured = _child(backend, str(folder), args.tokenizer, str(n), str(report))
                stats = measured.pop("stats")
                measured.update(backend=backend, cores=n, seconds=round(measured["seconds"], 3),
                                mb_per_s=round(size / 1e6 / measured["seconds"], 3),
                                stage_seconds=stats["stage_seconds"],
                                counts={k: stats.get(k) for k in ("documents", "passages", "candidate_pairs",
                                                                  "distinct_candidate_pairs", "prefiltered_pairs",
                                                                  "verified_pairs", "clusters")})
                if "session_seconds" in measured:
                    measured["session_seconds"] = round(measured["session_seconds"], 3)
                if reference is None:
                    reference = report
                else:
                    measured["same_report_as_local"] = _contract(report) == _contract(reference)
                    parity = parity and measured["same_report_as_local"]
                results["runs"].append(measured)
                print(json.dumps({k: measured[k] for k in ("backend", "cores", "seconds", "peak_rss_mb")}),
                      file=sys.stderr)
    results["parity"] = parity
    spark_runs = [r for r in results["runs"] if r["backend"] == "spark"]
    if spark_runs:  # the largest shuffle holds one row per band per matchable passage, at most this many
        import neardup

        results["band_rows_at_most"] = spark_runs[0]["counts"]["passages"] * neardup.Config().bands
    RESULTS.mkdir(exist_ok=True)
    out = args.output or RESULTS / ("spark-quick.json" if args.quick else "spark.json")
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0 if parity else 1


if __name__ == "__main__":
    sys.exit(main())
