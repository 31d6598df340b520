"""The labelled corpus generator (benchmarks/corpus.py) and the evaluator (benchmarks/evaluate.py)."""

from __future__ import annotations

import collections
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import load_benchmark

ROOT = Path(__file__).resolve().parents[1]




corpus = load_benchmark("corpus")
evaluate_mod = load_benchmark("evaluate")
evaluate = evaluate_mod.evaluate


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _decode(data: bytes, encoding: str) -> str:
    text = data.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text


def _document_text(folder: Path, path: str, encoding: str) -> str:
    if "#" in path:
        file, key = path.split("#", 1)
        records = [json.loads(line) for line in (folder / file).read_text(encoding="utf-8").splitlines()]
        if key.startswith("line-"):
            return str(records[int(key[5:]) - 1]["text"])
        (record,) = [r for r in records if r.get("id") == key]
        return str(record["text"])
    return _decode((folder / path).read_bytes(), encoding)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], list[Any]]:
    """A 1 MB corpus on disk, its labels, and the rendered files with the strings placed."""
    folder = tmp_path_factory.mktemp("corpus") / "c"
    labels = corpus.generate(folder, size_mb=1.0, seed=3)
    files = list(corpus.iter_files(size_mb=1.0, seed=3))
    return folder, labels, files


# ---------------------------------------------------------------------------------- generator


def test_same_seed_gives_same_bytes_and_labels(tmp_path: Path) -> None:
    a = corpus.generate(tmp_path / "a", size_mb=0.3, seed=11)
    b = corpus.generate(tmp_path / "b", size_mb=0.3, seed=11)
    c = corpus.generate(tmp_path / "c", size_mb=0.3, seed=12)
    assert a == b
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert _tree(tmp_path / "a") != _tree(tmp_path / "c")
    assert a["documents"] != c["documents"]


def test_worker_processes_do_not_change_the_output(tmp_path: Path) -> None:
    one = corpus.generate(tmp_path / "one", size_mb=0.8, seed=4, jobs=1)
    two = corpus.generate(tmp_path / "two", size_mb=0.8, seed=4, jobs=2)
    assert one == two
    assert _tree(tmp_path / "one") == _tree(tmp_path / "two")


def test_every_span_slices_exactly_the_article_placed_there(small: Any) -> None:
    folder, labels, files = small
    docs = labels["documents"]
    checked = 0
    for f in files:
        for doc in f.docs:
            label = docs[doc.path]
            assert label == doc.label()
            if label["junk"]:
                continue
            text = _document_text(folder, doc.path, label["encoding"])
            assert text == doc.text
            for placed, art in zip(doc.articles, label["articles"]):
                span = text[art["start"]: art["end"]]
                assert span == span.strip(), (doc.path, art)
                assert span.startswith(placed.pieces[0]) and span.endswith(placed.pieces[-1])
                pos = 0
                for piece in placed.pieces:  # every emitted string, in order, inside the span
                    pos = span.index(piece, pos) + len(piece)
                checked += 1
    assert checked > 100


def test_headlines_open_the_spans_of_printed_articles(small: Any) -> None:
    folder, labels, _ = small
    for path, doc in labels["documents"].items():
        if doc["case"] not in ("page", "dense_page", "brief") or len(doc["articles"]) < 2:
            continue
        text = _document_text(folder, path, doc["encoding"])
        for art in doc["articles"]:
            line = text[art["start"]:].split("\n", 1)[0]
            assert 0 < len(line) <= 60, (path, line)  # a headline line, not a paragraph
            before = text[: art["start"]]
            assert before == "" or before.endswith(("\n", "## ", "■")), (path, before[-5:])


def test_every_case_is_present_with_its_shape(small: Any) -> None:
    _, labels, _ = small
    docs = labels["documents"]
    by_case = collections.defaultdict(list)
    for path, doc in docs.items():
        by_case[doc["case"]].append((path, doc))
    assert set(by_case) == set(corpus.ALL_CASES)

    story_count = collections.Counter(a["story"] for d in docs.values() for a in d["articles"])
    for case in ("near_miss", "unique"):
        for _, doc in by_case[case]:
            assert [story_count[a["story"]] for a in doc["articles"]] == [1]
    for _path, doc in by_case["junk"]:
        assert doc["junk"] and doc["articles"] == [] and doc["encoding"] is None
    for case in ("jekyll", "html", "trad", "truncated", "encoded", "noisy", "portal", "jsonl"):
        shared = [a for _, d in by_case[case] for a in d["articles"] if story_count[a["story"]] > 1]
        assert shared, f"{case} has no article with a sibling"

    parts = collections.defaultdict(set)
    for _, doc in by_case["continued"]:
        for a in doc["articles"]:
            if a["part"]:
                parts[a["story"]].add(a["part"])
    assert parts and all(p == {1, 2} for p in parts.values())
    assert all(story_count[s] == 3 for s in parts)  # two halves and one full repost

    jsonl = [p for p, _ in by_case["jsonl"]]
    assert all("#" in p for p in jsonl) and any("#line-" in p for p in jsonl)
    encodings = {d["encoding"] for _, d in by_case["encoded"]}
    assert encodings <= {"gb18030", "utf-16", "utf-8-sig"} and len(encodings) >= 2


def test_brief_quote_shares_one_sentence_and_no_story(small: Any) -> None:
    folder, labels, _ = small
    docs = labels["documents"]
    story_count = collections.Counter(a["story"] for d in docs.values() for a in d["articles"])
    briefs = {}
    for path, doc in docs.items():
        if doc["case"] == "brief" and len(doc["articles"]) > 1:
            text = _document_text(folder, path, doc["encoding"])
            for a in doc["articles"]:
                briefs[a["story"]] = text[a["start"]: a["end"]]
    quoting = [(p, d) for p, d in docs.items() if d["case"] == "brief" and len(d["articles"]) == 1
               and story_count[d["articles"][0]["story"]] == 1]
    assert quoting
    for path, doc in quoting:
        text = _document_text(folder, path, doc["encoding"])
        assert "报道，" in text and len(text) > 1000


def test_traditional_copies_are_traditional(small: Any) -> None:
    folder, labels, _ = small
    to_simplified = __import__("opencc").OpenCC("t2s").convert
    trad = [(p, d) for p, d in labels["documents"].items() if d["case"] == "trad"]
    assert trad
    for path, doc in trad:
        text = _document_text(folder, path, doc["encoding"])
        assert to_simplified(text) != text
        assert "责任编辑" not in text and "来源" not in text  # furniture converted too


def test_seed_page_is_labelled_by_hand_rules(small: Any) -> None:
    folder, labels, _ = small
    docs = labels["documents"]
    page = docs["b0000/seed_000_d34669d20b084ef3.txt"]
    repost = docs["b0000/seed_001_807e1903ea0d3845.txt"]
    assert page["case"] == "page" and len(page["articles"]) == 7
    text = _document_text(folder, "b0000/seed_000_d34669d20b084ef3.txt", "utf-8")
    first = page["articles"][0]
    assert text[first["start"]:].startswith("克拉玛依高新区 “科技陪伴式服务”跑出加速度")
    assert text[: first["end"]].endswith("推动克拉玛依高新区经济高质量发展。")
    assert "同城·新媒" not in "".join(text[a["start"]: a["end"]] for a in page["articles"])
    assert repost["articles"][0]["story"] == first["story"]


def test_bundles_keep_the_same_case_mix(small: Any) -> None:
    _, labels, _ = small
    per_bundle: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for path, doc in labels["documents"].items():
        if not path.startswith("b0000/"):
            per_bundle[path.split("/")[0]][doc["case"]] += 1
    mixes = list(per_bundle.values())
    assert len(mixes) >= 2 and all(m == mixes[0] for m in mixes)
    assert labels["bytes"] >= 1_000_000


def test_case_filter_and_labels_location(tmp_path: Path) -> None:
    labels = corpus.generate(tmp_path / "f", size_mb=0.1, seed=2, cases={"jsonl", "junk"},
                             labels_path=tmp_path / "f.labels.json")
    assert {d["case"] for d in labels["documents"].values()} == {"jsonl", "junk"}
    assert json.loads((tmp_path / "f.labels.json").read_text(encoding="utf-8")) == labels
    with pytest.raises(ValueError):
        corpus.generate(tmp_path / "g", size_mb=0.1, seed=2, labels_path=tmp_path / "g" / "x.json")
    with pytest.raises(ValueError):
        corpus.generate(tmp_path / "h", size_mb=0.1, seed=2, cases={"nope"})
    with pytest.raises(FileExistsError):
        corpus.generate(tmp_path / "f", size_mb=0.1, seed=2)


def test_cli_writes_labels_beside_the_folder(tmp_path: Path) -> None:
    assert corpus.main([str(tmp_path / "out"), "--size-mb", "0.1", "--seed", "7", "--cases", "unique"]) == 0
    labels = json.loads((tmp_path / "out.labels.json").read_text(encoding="utf-8"))
    assert labels["seed"] == 7 and labels["documents"]
    assert not list((tmp_path / "out").rglob("*.json"))


# ---------------------------------------------------------------------------------- evaluator


def _labels() -> dict[str, Any]:
    """Two pages and three reposts: stories A (page1 + web1 + web2), B (page1 + web3), C (page2)
    and D (page2, alone), plus a junk file."""

    def art(story: str, start: int, end: int) -> dict[str, Any]:
        return {"story": story, "start": start, "end": end, "part": None}

    def doc(case: str, *arts: dict[str, Any], junk: bool = False) -> dict[str, Any]:
        return {"case": case, "encoding": None if junk else "utf-8", "junk": junk, "articles": list(arts)}

    return {"seed": 0, "size_mb": 0, "documents": {
        "p1.md": doc("page", art("A", 10, 110), art("B", 120, 220)),
        "p2.md": doc("page", art("C", 0, 100), art("D", 100, 200)),
        "w1.html": doc("html", art("A", 50, 150)),
        "w2.txt": doc("jekyll", art("A", 0, 90)),
        "w3.txt": doc("jekyll", art("B", 0, 80)),
        "junk.bin": doc("junk", junk=True),
    }}


def _member(path: str, start: int, end: int) -> dict[str, Any]:
    return {"path": path, "start": start, "end": end, "title": None, "similarity": 1.0}


def _report(*clusters: list[dict[str, Any]], skipped: tuple[str, ...] = ("junk.bin",)) -> dict[str, Any]:
    return {
        "documents": [],
        "clusters": [{"id": f"c{i}", "canonical": {k: m[k] for k in ("path", "start", "end")}, "members": ms}
                     for i, ms in enumerate(clusters) for m in ms[:1]],
        "skipped": [{"path": p, "reason": "binary"} for p in skipped],
        "stats": {},
    }


def _perfect() -> dict[str, Any]:
    return _report(
        [_member("p1.md", 10, 110), _member("w1.html", 50, 150), _member("w2.txt", 0, 90)],
        [_member("p1.md", 120, 220), _member("w3.txt", 0, 80)],
    )


def test_perfect_report_scores_one() -> None:
    m = evaluate(_perfect(), _labels())
    assert m["overall"]["f1"] == 1.0 and m["overall"]["true_pairs"] == 4
    assert m["span_iou"] == {"count": 2, "mean": 1.0, "min": 1.0, "share_ge_95": 1.0}
    assert m["junk_skipped"] == 1.0 and m["false_clusters"] == 0 and m["unmatched_members"] == 0
    assert all(c["f1"] == 1.0 for c in m["per_case"].values())


def test_merged_wrong_cluster_lowers_precision() -> None:
    report = _report(
        [_member("p1.md", 10, 110), _member("w1.html", 50, 150), _member("w2.txt", 0, 90),
         _member("p1.md", 120, 220), _member("w3.txt", 0, 80)],
    )
    m = evaluate(report, _labels())
    assert m["overall"]["recall"] == 1.0
    assert m["overall"]["precision"] == pytest.approx(4 / 10, abs=1e-4)
    assert m["false_clusters"] == 1
    # six false pairs (3 A-side × 2 B-side); four of them touch a page, two the html repost
    assert m["per_case"]["page"]["fp"] == 4 and m["per_case"]["html"]["fp"] == 2
    assert m["per_case"]["html"]["precision"] == pytest.approx(2 / 4)


def test_missing_member_lowers_recall() -> None:
    report = _report([_member("p1.md", 10, 110), _member("w1.html", 50, 150)],
                     [_member("p1.md", 120, 220), _member("w3.txt", 0, 80)])
    m = evaluate(report, _labels())
    assert m["overall"]["precision"] == 1.0
    assert m["overall"]["recall"] == pytest.approx(2 / 4)
    assert m["per_case"]["jekyll"]["recall"] == pytest.approx(1 / 3, abs=1e-4)
    assert m["per_case"]["jekyll"]["fn"] == 2


def test_span_iou_is_computed_for_page_members_only() -> None:
    report = _report([_member("p1.md", 20, 120), _member("w1.html", 0, 10_000)],
                     [_member("p2.md", 0, 50), _member("p2.md", 60, 200)])
    m = evaluate(report, _labels())
    # p1 A: [10,110) vs [20,120) → 90/110; p2 C: [0,100) vs [0,50) → 0.5; p2 D: [100,200) vs [60,200)
    # → 100/140. The web member spans the whole file but web documents are not scored for IoU.
    expected = [90 / 110, 0.5, 100 / 140]
    assert m["span_iou"]["count"] == 3
    assert m["span_iou"]["mean"] == pytest.approx(sum(expected) / 3, abs=1e-4)
    assert m["span_iou"]["min"] == 0.5 and m["span_iou"]["share_ge_95"] == 0.0
    assert m["per_case"]["page"]["span_iou"]["count"] == 3
    assert evaluate_mod.iou((0, 10), (5, 15)) == pytest.approx(5 / 15)
    # C and D merged: one false pair, counted for the page case.
    assert m["false_clusters"] == 1 and m["per_case"]["page"]["fp"] == 1


def test_unmatched_members_and_junk_make_false_pairs() -> None:
    report = _report([_member("p1.md", 10, 110), _member("junk.bin", 0, 10), _member("p1.md", 500, 600)],
                     skipped=())
    m = evaluate(report, _labels())
    assert m["unmatched_members"] == 2 and m["overall"]["tp"] == 0 and m["overall"]["fp"] == 3
    assert m["junk_skipped"] == 0.0 and m["junk_not_skipped"] == ["junk.bin"]
    assert m["per_case"]["junk"]["fp"] == 2


def test_report_paths_under_another_root_are_matched() -> None:
    report = _perfect()
    for c in report["clusters"]:
        for mem in c["members"]:
            mem["path"] = "/tmp/scan/corpus/" + mem["path"]
    report["skipped"] = [{"path": "C:\\data\\junk.bin", "reason": "binary"}]
    m = evaluate(report, _labels())
    assert m["overall"]["f1"] == 1.0 and m["junk_skipped"] == 1.0


def test_a_perfect_report_of_a_generated_corpus_scores_one(small: Any) -> None:
    _, labels, _ = small
    by_story = collections.defaultdict(list)
    for path, doc in labels["documents"].items():
        for a in doc["articles"]:
            by_story[a["story"]].append(_member(path, a["start"], a["end"]))
    junk = tuple(p for p, d in labels["documents"].items() if d["junk"])
    report = _report(*[ms for ms in by_story.values() if len(ms) > 1], skipped=junk)
    m = evaluate(report, labels)
    assert m["overall"]["f1"] == 1.0 and m["false_clusters"] == 0
    assert m["span_iou"]["mean"] == 1.0 and m["junk_skipped"] == 1.0
    assert {c: v["f1"] for c, v in m["per_case"].items()} == {c: 1.0 for c in m["per_case"]}
    assert m["per_case"]["continued"]["true_pairs"] > 0


def test_evaluate_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "r.json").write_text(json.dumps(_perfect()), encoding="utf-8")
    (tmp_path / "l.json").write_text(json.dumps(_labels()), encoding="utf-8")
    assert evaluate_mod.main([str(tmp_path / "r.json"), str(tmp_path / "l.json")]) == 0
    assert json.loads(capsys.readouterr().out)["overall"]["f1"] == 1.0
