"""The whole pipeline on examples/karamay, through the library and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import neardup
from conftest import EXAMPLES, PAGE, REPOST, ROOT, SHARED, karamay_span
from neardup.cli import main

CHECK_REPORT = SHARED / "checks" / "check-report"
KARAMAY_CHECK = SHARED / "checks" / "karamay"


def _iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


def _check_contract(report_path: Path, folder: Path) -> None:
    if not CHECK_REPORT.exists():
        pytest.skip("../shared/checks/check-report is not beside this checkout")
    done = subprocess.run([sys.executable, str(CHECK_REPORT), str(report_path), str(folder)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_library_finds_the_one_karamay_cluster() -> None:
    report = neardup.scan([EXAMPLES], neardup.Config(jobs=1))
    assert len(report.clusters) == 1
    members = {m.path: m for m in report.clusters[0].members}
    assert set(members) == {PAGE, REPOST}
    page_text = (EXAMPLES / PAGE).read_text(encoding="utf-8")
    page = members[PAGE]
    assert _iou((page.start, page.end), karamay_span(page_text)) >= 0.95
    repost_text = (EXAMPLES / REPOST).read_text(encoding="utf-8")
    repost = members[REPOST]
    assert repost_text[repost.start:].startswith("前不久")
    assert repost_text[:repost.end].endswith("推动克拉玛依高新区经济高质量发展。")
    assert report.skipped == ()


def test_json_report_keeps_the_output_contract(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    with pytest.raises(SystemExit) as exit_info:
        main(["scan", str(EXAMPLES), "--format", "json", "--output", str(out), "--jobs", "2"])
    assert exit_info.value.code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) >= {"neardup_version", "config", "documents", "clusters", "pairs", "skipped", "stats"}
    for doc in data["documents"]:
        assert set(doc) >= {"path", "encoding", "decode_errors", "format", "title", "chars", "passages"}
    assert data["documents"][1]["format"] == "html"
    _check_contract(out, EXAMPLES)


def test_reports_are_deterministic(tmp_path: Path) -> None:
    first = neardup.scan([EXAMPLES], neardup.Config(jobs=2)).to_dict()
    second = neardup.scan([EXAMPLES], neardup.Config(jobs=1)).to_dict()
    for data in (first, second):
        data["stats"] = data["config"] = None
    assert first == second


def test_jsonl_format_has_typed_lines(tmp_path: Path, karamay: Path) -> None:
    (karamay / "junk.txt").write_bytes(b"")
    out = tmp_path / "out.jsonl"
    with pytest.raises(SystemExit):
        main(["scan", str(karamay), "--format", "jsonl", "--output", str(out)])
    types = [json.loads(line)["type"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert types == ["cluster", "skipped", "stats"]


def test_text_summary_names_the_cluster_and_skips(karamay: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (karamay / "empty.md").write_text("", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["scan", str(karamay)])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    assert "1 clusters" in out and PAGE in out and "empty.md: empty file" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "--threshold", "1.5", "."], "--threshold"),
        (["scan", "--tokenizer", "nope", "."], "--tokenizer"),
        (["scan", "/no/such/folder"], "no such file"),
    ],
)
def test_bad_usage_exits_2_naming_the_flag(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_shared_karamay_check_passes() -> None:
    if not KARAMAY_CHECK.exists():
        pytest.skip("../shared/checks/karamay is not beside this checkout")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run(["bash", str(KARAMAY_CHECK), sys.executable], cwd=ROOT, capture_output=True,
                          text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("indent", [2, 4])
def test_streamed_json_equals_the_report_dict(indent: int) -> None:
    import dataclasses

    report = neardup.scan([EXAMPLES], neardup.Config(explain=True))
    with_matches = dataclasses.replace(report, archive_matches=({"passage": {"path": "克.txt"}, "n": [1, 2]},))
    for r in (report, with_matches, dataclasses.replace(report, clusters=(), pairs=(), archive_matches=())):
        assert "".join(r.iter_json(indent)) == json.dumps(r.to_dict(), ensure_ascii=False, indent=indent)
        lines = [json.loads(line) for line in r.iter_jsonl()]
        assert [line["type"] for line in lines].count("cluster") == len(r.clusters)
        assert lines[-1]["type"] == "stats"


def test_an_article_cut_at_its_subheads_is_one_member_in_every_copy(tmp_path: Path) -> None:
    page = (EXAMPLES / PAGE).read_text(encoding="utf-8")
    start, end = karamay_span(page)
    article = page[start:end]
    sections = (EXAMPLES / "002_ab11b81221d97ae2.txt").read_text(encoding="utf-8")
    cases = {"karamay": [article, article.replace("97%", "98%")],
             "sections": [sections, sections.replace("120余件", "130余件"), sections.replace("50余个", "60余个")]}
    for name, copies in cases.items():
        folder = tmp_path / name
        folder.mkdir()
        for k, text in enumerate(copies):
            (folder / f"{k}.txt").write_text(text, encoding="utf-8")
        report = neardup.scan([folder], neardup.Config(jobs=1))
        assert len(report.clusters) == 1, name
        members = report.clusters[0].members
        assert sorted(m.path.rsplit("/", 1)[-1] for m in members) == [f"{k}.txt" for k in range(len(copies))]
        assert all((m.end - m.start) >= 0.95 * len(copies[0]) for m in members), name
