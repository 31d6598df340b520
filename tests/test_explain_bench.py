"""The explain benchmark's quick mode (benchmarks/explain_bench.py): labelled pairs built from real
prose, scored per kind; it fails on a drop below its floors. Skipped without ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SHARED, load_benchmark


@pytest.mark.skipif(not (SHARED / "corpora").is_dir(), reason="needs ../shared/corpora (real prose)")
def test_explain_quality_on_real_prose_pairs_stays_above_its_floors(tmp_path: Path) -> None:
    bench = load_benchmark("explain_bench")
    assert bench.main(["--quick", "--output", str(tmp_path / "explain.json")]) == 0


def test_a_labelled_pair_spans_its_edits_exactly() -> None:
    import random

    bench = load_benchmark("explain_bench")
    paras = ["新疆克拉玛依高新区深入实施创新驱动发展战略，在全疆率先提出科技陪伴式服务理念。今年共有１１９家企业获得认定。",
             "政企科技合作纽带进一步紧密，共同营造优质的创新创业环境，共谋发展。推动多个科技成果转化项目落地生根。",
             "在此期间，政企真诚互信，就科技创新工作良好协作，同心同向。经过三年耕耘，取得了亮眼成绩。"]
    others = [["株洲市启动行业协会商会收费专项检查。严查违规收费行为，切实减轻企业负担。"]]
    for seed in range(30):
        a, b, edits = bench.make_pair(paras, others, random.Random(seed), bench._table_pairs())
        assert a == "\n\n".join(paras)
        # undoing every edit gives A back: the spans are exact in both texts
        rebuilt, at = [], 0
        for e in sorted(edits, key=lambda e: e.b_start):
            rebuilt.append(b[at:e.b_start])
            rebuilt.append(a[e.a_start:e.a_end])
            at = e.b_end
        rebuilt.append(b[at:])
        assert "".join(rebuilt) == a, seed
