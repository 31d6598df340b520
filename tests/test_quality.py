"""End-to-end quality on the labelled corpus: generate ~1.5 MB (four bundles) of every case, scan it with the
default settings, score the report (benchmarks/evaluate.py) and hold the product's thresholds.

Per-case F1 applies to cases that have true pairs. ``near_miss`` and ``unique`` have none, so their
F1 can only be 1.0 or 0.0; they are held instead by ``clean_share``, the share of their articles
that take part in no false pair.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import neardup
from conftest import load_benchmark

ROOT = Path(__file__).resolve().parents[1]

CORE_PAIRED = ("page", "jekyll", "html", "trad", "truncated", "encoded", "jsonl")
CORE_UNPAIRED = ("near_miss", "unique")
MESSY = ("portal", "dense_page", "continued", "brief", "noisy")
CORE_F1 = 0.95
MESSY_F1 = 0.9




corpus = load_benchmark("corpus")
evaluate: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]] = load_benchmark("evaluate").evaluate


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("quality") / "corpus"
    labels = corpus.generate(folder, size_mb=1.2, seed=1, jobs=1)
    report = neardup.scan([folder], config=neardup.Config()).to_dict()
    metrics = evaluate(report, labels)
    # Shown with -s or on failure: the whole picture, not just the number that failed.
    print(json.dumps({k: v for k, v in metrics.items() if k != "per_case"}, ensure_ascii=False))
    for case, m in metrics["per_case"].items():
        print(case, json.dumps({k: v for k, v in m.items() if k != "span_iou"}), m["span_iou"])
    return metrics


def _show(metrics: dict[str, Any], case: str) -> str:
    return json.dumps(metrics["per_case"].get(case), ensure_ascii=False)


def test_overall_pairwise_f1(scored: dict[str, Any]) -> None:
    assert scored["overall"]["f1"] >= 0.95, scored["overall"]


@pytest.mark.parametrize("case", CORE_PAIRED)
def test_core_case_f1(scored: dict[str, Any], case: str) -> None:
    m = scored["per_case"][case]
    assert m["true_pairs"] > 0, f"the corpus has no true pair for {case}"
    assert m["f1"] >= CORE_F1, _show(scored, case)


@pytest.mark.parametrize("case", CORE_UNPAIRED)
def test_unpaired_cases_stay_alone(scored: dict[str, Any], case: str) -> None:
    m = scored["per_case"][case]
    assert m["articles"] > 0 and m["true_pairs"] == 0
    assert m["clean_share"] >= CORE_F1, _show(scored, case)


@pytest.mark.parametrize("case", MESSY)
def test_messy_case_f1(scored: dict[str, Any], case: str) -> None:
    m = scored["per_case"][case]
    assert m["true_pairs"] > 0, f"the corpus has no true pair for {case}"
    assert m["f1"] >= MESSY_F1, _show(scored, case)


def test_page_spans(scored: dict[str, Any]) -> None:
    spans = scored["span_iou"]
    assert spans["count"] > 0
    assert spans["mean"] >= 0.93, spans


def test_every_junk_file_is_skipped(scored: dict[str, Any]) -> None:
    assert scored["junk_files"] > 0
    assert scored["junk_skipped"] == 1.0, scored["junk_not_skipped"]
