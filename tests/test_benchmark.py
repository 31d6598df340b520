"""The benchmark's quick mode, as CI runs it: it must run, write its JSON and hold the quality floors.

Speed is never asserted here (shared, noisy machines); the JSON carries it as ratios against the
baseline measured in the same run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_quick_benchmark_runs_and_holds_the_quality_floors(tmp_path: Path) -> None:
    pytest.importorskip("rjieba")
    pytest.importorskip("datasketch")
    output = tmp_path / "quick.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--output", str(output)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(output.read_text(encoding="utf-8"))
    assert results["mode"] == "quick" and results["failures"] == []
    assert results["baseline"]["mb_per_s"] > 0 and results["baseline"]["quality"]["overall"]["true_pairs"] > 0
    for tokenizer in ("rjieba", "char"):
        measured = results["neardup"][tokenizer]
        assert set(measured["stage_seconds"]) >= {"ingest", "normalize", "segment", "tokenize", "sketch", "index",
                                                  "verify", "cluster", "explain"}
        assert measured["speedup_vs_baseline"] > 0 and measured["peak_rss_mb"] > 0
        assert measured["quality"]["overall"]["f1"] >= 0.95
    assert [row["factor"] for row in results["scaling"]] == [1, 4]
    # The real-prose corpus (benchmarks/prose.py): per-layout figures for both fast modes. Where the
    # People's Daily text is absent it is built from synthetic stories, which must then be said.
    prose = results["real_prose"]
    assert prose["source"] in ("peoples-daily-1998-01-a", "synthetic")
    if prose["source"] == "synthetic":
        assert "synthetic" in prose["note"]
    assert prose["articles"] >= 100 and prose["documents"] > prose["articles"]
    for tokenizer in ("char", "rjieba"):
        measured = prose["neardup"][tokenizer]
        assert measured["overall"]["true_pairs"] > 0 and 0.0 <= measured["overall"]["f1"] <= 1.0
        layouts = {"md_page", "plain_page", "byline_page", "wrapped_page", "wrapped_noblank", "column_breaks",
                   "dateline_page", "captions_page", "briefs_page", "noisy_page"}
        assert layouts <= set(measured["per_case"])
        for case in layouts:
            row = measured["per_case"][case]
            assert {"precision", "recall", "f1", "span_iou"} <= set(row) and row["articles"] >= 3
            assert row["span_iou"] is not None
        for case in ("ocr_page", "broadsheet_ocr"):
            assert case in measured["per_case"] or case in prose["skipped_cases"]
