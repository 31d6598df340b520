"""Quality on real prose: a small corpus cut from People's Daily (January 1998, first half) in the
layouts archives receive (benchmarks/prose.py; no OCR pages here, the benchmark reads those),
scanned with the default settings and scored with benchmarks/evaluate.py.

Skips where the source text is absent (it lies outside the project, in ``../shared/corpora``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import neardup
from conftest import load_benchmark

ROOT = Path(__file__).resolve().parents[1]
F1 = 0.97
PAGE_IOU = 0.95




prose = load_benchmark("prose")
evaluate = load_benchmark("evaluate").evaluate


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if prose.source_path() is None:
        pytest.skip("the People's Daily source text is absent")
    folder = tmp_path_factory.mktemp("prose") / "corpus"
    labels = prose.generate(folder, articles=160, seed=7, ocr_pages=0)
    metrics = evaluate(neardup.scan([folder], neardup.Config()).to_dict(), labels)
    for case, m in sorted(metrics["per_case"].items()):  # shown with -s or on failure
        print(case, json.dumps({k: m[k] for k in ("precision", "recall", "f1", "fp", "fn")}), m["span_iou"])
    return metrics


def test_pairwise_f1_on_real_prose(scored: dict[str, Any]) -> None:
    assert scored["overall"]["f1"] >= F1, scored["overall"]
    assert scored["false_clusters"] == 0


def test_every_layout_holds_its_f1_and_page_spans(scored: dict[str, Any]) -> None:
    pages = {case: m for case, m in scored["per_case"].items() if m["span_iou"]["count"]}
    assert {"md_page", "plain_page", "wrapped_page", "wrapped_noblank", "dateline_page"} <= set(pages)
    for case, m in scored["per_case"].items():
        assert m["f1"] >= F1, (case, m)
    for case, m in pages.items():
        assert m["span_iou"]["mean"] >= PAGE_IOU, (case, m["span_iou"])
