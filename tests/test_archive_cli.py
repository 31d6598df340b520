"""``neardup index …`` and ``neardup scan --index`` through the command line."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import neardup
from conftest import PAGE, REPOST, SHARED
from neardup.archive.index import Index
from neardup.cli import cli, main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


@pytest.fixture()
def workdir(karamay: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tmp folder holding ``karamay/``, as the current directory (ids are paths as given)."""
    monkeypatch.chdir(karamay.parent)
    return karamay.parent


def test_add_names_documents_by_the_path_given_and_re_adds_nothing(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["index", "add", "archive.ndx", "karamay", "--jobs", "1"], capsys)
    assert code == 0
    assert "5 added, 0 replaced, 0 updated, 0 unchanged, 0 skipped; 5 documents" in out
    with Index.open("archive.ndx", readonly=True) as archive:
        assert sorted(archive.ids()) == sorted(f"karamay/{p.name}" for p in (workdir / "karamay").iterdir())
        stored = archive.get(f"karamay/{REPOST}")
        assert stored is not None and stored.metadata["source"] == str(workdir / "karamay" / REPOST)
    code, out, _ = run(["index", "add", "archive.ndx", f"karamay/{PAGE}"], capsys)
    assert "0 added, 0 replaced, 0 updated, 1 unchanged" in out


def test_query_finds_the_karamay_passage_with_scans_spans(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "archive").mkdir()
    (workdir / "karamay" / REPOST).rename(workdir / "archive" / REPOST)
    run(["index", "add", "archive.ndx", "karamay", "--jobs", "1"], capsys)
    code, out, _ = run(["index", "query", "archive.ndx", f"archive/{REPOST}", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    (result,) = data["results"]
    (match,) = result["matches"]
    report = neardup.scan([workdir / "karamay", workdir / "archive"], neardup.Config(jobs=1)).to_dict()
    (pair,) = report["pairs"]
    spans = {pair[side]["path"]: [pair[side]["start"], pair[side]["end"]] for side in ("a", "b")}
    assert match["doc_id"] == f"karamay/{PAGE}"
    assert match["doc_span"] == spans[f"karamay/{PAGE}"]
    assert match["query_span"] == spans[f"archive/{REPOST}"]
    assert (match["similarity"], match["containment"]) == (pair["similarity"], pair["containment"])
    code, out, _ = run(["index", "query", "archive.ndx", f"archive/{REPOST}"], capsys)
    assert f"1 match\n  0.99 containment  0.98 similarity  karamay/{PAGE} [33:1953]" in out


def test_query_reads_standard_input(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(["index", "add", "archive.ndx", f"karamay/{PAGE}"], capsys)
    text = (workdir / "karamay" / REPOST).read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["index", "query", "archive.ndx", "-", "--format", "json"], input=text)
    assert result.exit_code == 0, result.output
    (match,) = json.loads(result.output)["results"][0]["matches"]
    assert match["doc_id"] == f"karamay/{PAGE}"


def test_stats_and_remove(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(["index", "add", "archive.ndx", "karamay"], capsys)
    code, out, _ = run(["index", "stats", "archive.ndx", "--format", "json"], capsys)
    stats = json.loads(out)
    assert code == 0 and stats["documents"] == 5 and stats["format_version"] == 1
    code, out, _ = run(["index", "stats", "archive.ndx"], capsys)
    assert "documents       5" in out and "tokenizer=jieba" in out
    code, out, err = run(["index", "remove", "archive.ndx", f"karamay/{PAGE}", "karamay/nope.txt"], capsys)
    assert code == 0 and "1 removed; 4 documents" in out and "not in the index: karamay/nope.txt" in err


def test_migrate_then_the_index_answers_with_its_new_settings(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(["index", "add", "archive.ndx", f"karamay/{PAGE}"], capsys)
    code, out, _ = run(["index", "migrate", "archive.ndx", "--tokenizer", "char"], capsys)
    assert code == 0 and "rebuilt 1 documents" in out
    code, out, _ = run(["index", "query", "archive.ndx", f"karamay/{REPOST}"], capsys)
    assert code == 0 and f"karamay/{PAGE} [33:1953]" in out
    code, out, _ = run(["index", "stats", "archive.ndx"], capsys)
    assert "tokenizer=char" in out


def test_scan_with_index_adds_archive_matches_and_keeps_the_contract(
    workdir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "old").mkdir()
    (workdir / "karamay" / PAGE).rename(workdir / "old" / PAGE)
    run(["index", "add", "archive.ndx", "old"], capsys)
    report_path = tmp_path / "report.json"
    code, _, _ = run(["scan", "karamay", "--index", "archive.ndx", "--format", "json", "-o", str(report_path),
                      "--jobs", "1"], capsys)
    assert code == 0
    data = json.loads(report_path.read_text(encoding="utf-8"))
    (found,) = data["archive_matches"]
    assert found["passage"]["path"] == REPOST and found["archive"]["id"] == f"old/{PAGE}"
    assert (found["archive"]["start"], found["archive"]["end"]) == (33, 1953)
    check = SHARED / "checks" / "check-report"
    if check.exists():
        done = subprocess.run([sys.executable, str(check), str(report_path), str(workdir / "karamay")],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    code, out, _ = run(["scan", "karamay", "--index", "archive.ndx", "--jobs", "1"], capsys)
    assert code == 0 and re.search(r"in the archive — 1 match\b", out) and "33-1953" in out
    code, out, _ = run(["scan", "karamay", "--index", "archive.ndx", "--format", "jsonl", "--jobs", "1"], capsys)
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["archive"]["id"] for line in lines if line["type"] == "archive_match"] == [f"old/{PAGE}"]


def test_errors_are_one_line_with_the_right_exit_code(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["index", "query", "missing.ndx", f"karamay/{PAGE}"], capsys)
    assert code == 2 and "no such index" in err
    run(["index", "add", "archive.ndx", f"karamay/{PAGE}"], capsys)
    code, _, err = run(["index", "add", "archive.ndx", f"karamay/{REPOST}", "--tokenizer", "char"], capsys)
    assert code == 1 and "tokenizer: index 'jieba', config 'char'" in err and "neardup index migrate" in err
    code, _, err = run(["scan", "karamay", "--index", "archive.ndx", "--tokenizer", "char"], capsys)
    assert code == 1 and "--tokenizer jieba" in err
    holder = sqlite3.connect("archive.ndx", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        code, _, err = run(["index", "add", "archive.ndx", f"karamay/{REPOST}", "--timeout", "0.2"], capsys)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 1 and "locked by another writer" in err
    code, _, err = run(["index", "query", "archive.ndx", f"karamay/{REPOST}", "--threshold", "2"], capsys)
    assert code == 2 and "--threshold" in err


def test_jsonl_records_are_documents_and_broken_lines_are_reported(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = (workdir / "karamay" / PAGE).read_text(encoding="utf-8")
    feed = workdir / "feeds" / "today.jsonl"
    feed.parent.mkdir()
    feed.write_text(json.dumps({"id": "k1", "text": page, "url": "https://example.com/k1"}, ensure_ascii=False)
                    + "\n{broken\n", encoding="utf-8")
    code, out, err = run(["index", "add", "archive.ndx", "feeds"], capsys)
    assert code == 0 and "1 added" in out and "1 skipped" in out
    assert "skipped feeds/today.jsonl#line-2: line 2 is not valid JSON" in err
    code, out, err = run(["index", "query", "archive.ndx", str(feed), "--format", "json"], capsys)
    assert code == 0 and "line-2" in err
    (result,) = json.loads(out)["results"]
    assert {m["doc_id"] for m in result["matches"]} == {"feeds/today.jsonl#k1"}
    assert result["matches"][0]["metadata"]["url"] == "https://example.com/k1"
