"""The archive index: round trips, re-adds, removal, settings checks, crash safety, concurrency, and
agreement with ``scan`` on examples/karamay."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import neardup
from conftest import EXAMPLES, PAGE, REPOST, ROOT, karamay_span
from neardup.archive.index import Index, Match, attach_archive_matches, index_config, migrate
from neardup.config import Config
from neardup.errors import ConfigError, IndexFormatError, IndexLockedError, InputError
from neardup.ingest import parse_text
from neardup.normalize import normalize
from neardup.segment import segment

FAST = Config(tokenizer="char", jobs=1)
_POOL = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
         "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好"
         "应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道")


def article(n: int, chars: int = 600) -> str:
    """A distinct synthetic article: a headline and paragraphs of random characters."""
    rng = random.Random(n)
    body: list[str] = []
    while sum(map(len, body)) < chars:
        body.append("".join(rng.choice(_POOL) for _ in range(rng.randint(15, 40))) + "。")
    paragraphs = ["".join(body[i:i + 4]) for i in range(0, len(body), 4)]
    return f"第{n}号新闻标题\n\n" + "\n\n".join(paragraphs) + "\n"


def read(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8")


@pytest.fixture()
def index_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.ndx"


# --- round trips ------------------------------------------------------------------------------

def test_round_trip_keeps_ids_passages_and_metadata(index_path: Path) -> None:
    page = read(PAGE)
    with Index.open(index_path, Config(jobs=1)) as archive:
        assert archive.add("page", page, metadata={"source": "株洲日报", "page": 3}) == "added"
        assert archive.add("repost", read(REPOST)) == "added"
        assert len(archive) == 2 and "page" in archive and "nope" not in archive
        assert list(archive.ids()) == ["page", "repost"]
    with Index.open(index_path, readonly=True) as archive:
        stored = archive.get("page")
        assert stored is not None
        assert stored.metadata == {"source": "株洲日报", "page": 3}
        expected = [(p.start, p.end, p.title) for p in segment(parse_text("page", page))]
        assert list(stored.passages) == expected
        assert page[stored.content_start:].startswith(stored.content)
        repost = archive.get("repost")
        assert repost is not None and repost.metadata["date"] == "2022-05-13 07:45:24 +0800"
        assert archive.get("missing") is None


def test_every_stored_passage_finds_itself_with_its_own_span(index_path: Path) -> None:
    page = read(PAGE)
    with Index.open(index_path, Config(jobs=1)) as archive:
        archive.add("page", page)
        matches = archive.query(page, top_k=100)
    stored = segment(parse_text("page", page))
    long_enough = {(p.start, p.end) for p in stored if len(normalize(page, p.start, p.end)) >= 40}
    selves = {m.doc_span for m in matches if m.doc_span == m.query_span}
    assert selves == long_enough
    assert all(m.containment == 1.0 for m in matches if m.doc_span == m.query_span)


# --- agreement with scan ------------------------------------------------------------------------

def test_query_equals_scan_on_karamay(index_path: Path) -> None:
    config = Config(jobs=1)
    report = neardup.scan([EXAMPLES], config)
    (pair,) = report.pairs
    page_passage, repost_passage = report.passages[pair.a], report.passages[pair.b]
    assert (page_passage.path, repost_passage.path) == (PAGE, REPOST)
    with Index.open(index_path, config) as archive:
        for name in sorted(os.listdir(EXAMPLES)):
            if name != REPOST:
                archive.add(name, read(name))
        (match,) = archive.query(read(REPOST))
    assert match.doc_id == PAGE
    assert match.doc_span == (page_passage.start, page_passage.end)
    assert match.query_span == (repost_passage.start, repost_passage.end)
    assert (match.doc_aligned, match.query_aligned) == (pair.a_aligned, pair.b_aligned)
    assert (match.similarity, match.containment) == (pair.similarity, pair.containment)
    assert match.doc_span == pytest.approx(karamay_span(read(PAGE)), abs=40)


def test_a_stored_article_is_found_inside_a_query_page(index_path: Path) -> None:
    with Index.open(index_path, Config(jobs=1)) as archive:
        archive.add("repost", read(REPOST))
        matches = archive.query(read(PAGE))
    assert [m.doc_id for m in matches] == ["repost"]
    start, end = matches[0].query_span
    assert read(PAGE)[start:end].lstrip("# ").startswith("克拉玛依高新区")


def test_a_traditional_character_copy_matches(index_path: Path) -> None:
    import opencc

    simplified = read(PAGE)
    start, end = karamay_span(simplified)
    traditional = opencc.OpenCC("s2t").convert(simplified[start:end])
    with Index.open(index_path, Config(jobs=1)) as archive:
        archive.add("page", simplified)
        matches = archive.query(traditional)
    # The copy may be cut at its subheads; every part links to the stored article.
    assert matches and {m.doc_id for m in matches} == {"page"}
    assert all(m.containment > 0.95 for m in matches)


def test_scan_report_gets_archive_matches_and_keeps_its_contract(index_path: Path) -> None:
    config = Config(jobs=1)
    with Index.open(index_path, config) as archive:
        archive.add("archived/page.txt", read(PAGE), metadata={"source": "print"})
    report = neardup.scan([EXAMPLES], config)
    with Index.open(index_path, config, readonly=True) as archive:
        joined = attach_archive_matches(report, archive)
    assert report.archive_matches is None, "the original report is not changed"
    before, after = report.to_dict(), joined.to_dict()
    assert {k: v for k, v in after.items() if k != "archive_matches"} == before
    found = {(m["passage"]["path"], m["archive"]["id"]) for m in after["archive_matches"]}
    assert (REPOST, "archived/page.txt") in found and (PAGE, "archived/page.txt") in found
    repost = next(m for m in after["archive_matches"] if m["passage"]["path"] == REPOST)
    assert repost["archive"]["metadata"] == {"source": "print"}
    assert set(repost) == {"passage", "archive", "similarity", "containment"}


def test_a_scan_given_the_archive_finds_the_same_matches_without_sketching_again(
        index_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = Config(jobs=1)
    with Index.open(index_path, config) as archive:
        archive.add("archived/page.txt", read(PAGE), metadata={"source": "print"})
    with Index.open(index_path, config, readonly=True) as archive:
        afterwards = attach_archive_matches(neardup.scan([EXAMPLES], config), archive)

        def no_sketch(*args: object, **kwargs: object) -> None:
            raise AssertionError("the scan's own signatures are used")

        monkeypatch.setattr(Index, "sketch", no_sketch)
        with neardup.scan([EXAMPLES], config, archive=archive) as report:
            assert report.archive_matches and report.archive_matches == afterwards.archive_matches
            assert report.clusters == afterwards.clusters


# --- re-adds, replacement, removal ----------------------------------------------------------------

def test_re_adding_the_same_text_writes_nothing(index_path: Path) -> None:
    with Index.open(index_path, FAST) as archive:
        assert archive.add_many([(f"d{i}", article(i)) for i in range(20)]).added == 20
        before = archive.stats()
        again = archive.add_many([(f"d{i}", article(i)) for i in range(20)])
        assert (again.added, again.unchanged, again.passages) == (0, 20, 0)
        after = archive.stats()
    assert {k: before[k] for k in ("documents", "passages", "band_keys")} == \
        {k: after[k] for k in ("documents", "passages", "band_keys")}


def test_new_metadata_for_the_same_text_only_updates_metadata(index_path: Path) -> None:
    with Index.open(index_path, FAST) as archive:
        archive.add("a", article(1), metadata={"source": "x"})
        assert archive.add("a", article(1)) == "unchanged"  # no metadata given: kept as it is
        assert archive.add("a", article(1), metadata={"source": "y"}) == "updated"
        stored = archive.get("a")
    assert stored is not None and stored.metadata == {"source": "y"}


def test_a_changed_text_replaces_the_document(index_path: Path) -> None:
    with Index.open(index_path, FAST) as archive:
        archive.add("a", article(1))
        assert archive.add("a", article(2)) == "replaced"
        assert len(archive) == 1
        assert [m.doc_id for m in archive.query(article(2))] == ["a"]
        assert archive.query(article(1)) == []
        assert archive.stats()["band_keys"] == archive.stats()["passages"] * FAST.bands


def test_the_last_of_duplicate_ids_in_one_batch_wins(index_path: Path) -> None:
    with Index.open(index_path, FAST) as archive:
        summary = archive.add_many([("a", article(1)), ("a", article(2))])
        assert (summary.added, len(archive)) == (1, 1)
        assert [m.doc_id for m in archive.query(article(2))] == ["a"]


def test_batches_see_each_other_and_a_bad_item_costs_only_its_own_batch(index_path: Path) -> None:
    with Index.open(index_path, FAST) as archive:
        summary = archive.add_many([("a", article(1)), ("b", article(2)), ("a", article(1)), ("b", article(3))],
                                   batch_size=2)
        assert (summary.added, summary.unchanged, summary.replaced) == (2, 1, 1)
        with pytest.raises(InputError):
            archive.add_many([("c", article(4)), ("d", article(5)), ("", article(6))], batch_size=2)
        assert sorted(archive.ids()) == ["a", "b", "c", "d"]


def test_adding_in_worker_processes_stores_the_same_index(tmp_path: Path) -> None:
    items = [(f"d{i}", article(i)) for i in range(80)]
    results = []
    for jobs in (1, 2):
        with Index.open(tmp_path / f"jobs{jobs}.ndx", FAST.replace(jobs=jobs)) as archive:
            assert archive.add_many(items, batch_size=40).added == 80
            results.append([archive.query(article(i)) for i in (0, 39, 40, 79)])
            stats = archive.stats()
            assert stats["band_keys"] == stats["passages"] * FAST.bands
    assert results[0] == results[1]


def test_remove_leaves_no_band_keys_behind(index_path: Path) -> None:
    with Index.open(index_path, FAST) as archive:
        archive.add_many([(f"d{i}", article(i)) for i in range(10)])
        assert archive.remove("d3") is True
        assert archive.remove("d3") is False
        assert archive.query(article(3)) == []
        assert archive.remove_many([f"d{i}" for i in range(10)]) == [f"d{i}" for i in range(10) if i != 3]
        stats = archive.stats()
    assert (stats["documents"], stats["passages"], stats["band_keys"]) == (0, 0, 0)


def test_exclude_leaves_documents_out(index_path: Path) -> None:
    with Index.open(index_path, FAST) as archive:
        archive.add_many([("a", article(1)), ("b", article(1))])
        assert {m.doc_id for m in archive.query(article(1))} == {"a", "b"}
        assert [m.doc_id for m in archive.query(article(1), exclude={"a"})] == ["b"]
        assert len(archive.query(article(1), top_k=1)) == 1


# --- settings and formats ---------------------------------------------------------------------

def test_an_index_remembers_its_settings(index_path: Path) -> None:
    with Index.open(index_path, Config(tokenizer="char", threshold=0.7, jobs=1)) as archive:
        archive.add("a", article(1))
    assert index_config(index_path).tokenizer == "char"
    with Index.open(index_path) as archive:
        assert (archive.config.tokenizer, archive.config.threshold) == ("char", 0.7)
    # Non-matching settings may differ.
    with Index.open(index_path, Config(tokenizer="char", threshold=0.9, jobs=1), readonly=True) as archive:
        assert archive.config.threshold == 0.9


@pytest.mark.parametrize(
    ("config", "named"),
    [(Config(tokenizer="jieba"), "tokenizer: index 'char', config 'jieba'"),
     (Config(tokenizer="char", num_perm=64), "num_perm: index 128, config 64"),
     (Config(tokenizer="char", seed=7), "seed: index 1, config 7")],
)
def test_other_matching_settings_are_refused_naming_the_difference(index_path: Path, config: Config, named: str) -> None:
    with Index.open(index_path, FAST) as archive:
        archive.add("a", article(1))
    with pytest.raises(IndexFormatError) as error:
        Index.open(index_path, config)
    assert named in str(error.value) and "neardup index migrate" in str(error.value)


def test_another_dictionary_or_normalisation_is_refused(index_path: Path) -> None:
    with Index.open(index_path, Config(jobs=1)) as archive:
        archive.add("a", article(1))
    _edit_meta(index_path, lambda meta: meta["fingerprint"].update(tokenizer="jieba:jieba-dict-0.41:hmm-off:2"))
    with pytest.raises(IndexFormatError, match="tokenizer and dictionary: index built with"):
        Index.open(index_path, Config(jobs=1))


def _edit_meta(path: Path, change: Any) -> None:
    con = sqlite3.connect(path)
    meta = {k: v for k, v in con.execute("SELECT key, value FROM meta")}
    decoded = {"fingerprint": json.loads(meta["fingerprint"]), "format_version": meta["format_version"]}
    change(decoded)
    con.execute("UPDATE meta SET value = ? WHERE key = 'fingerprint'", (json.dumps(decoded["fingerprint"]),))
    con.execute("UPDATE meta SET value = ? WHERE key = 'format_version'", (str(decoded["format_version"]),))
    con.commit()
    con.close()


def test_a_newer_format_asks_for_a_newer_neardup(index_path: Path) -> None:
    Index.open(index_path, FAST).close()
    _edit_meta(index_path, lambda meta: meta.update(format_version=99))
    with pytest.raises(IndexFormatError, match=r"format 99, newer .* upgrade neardup"):
        Index.open(index_path)


def test_files_that_are_not_indexes_are_refused_untouched(tmp_path: Path) -> None:
    text_file = tmp_path / "notes.ndx"
    text_file.write_text("这不是索引" * 200, encoding="utf-8")
    with pytest.raises(IndexFormatError, match="not a neardup index"):
        Index.open(text_file)
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE customers (name TEXT)")
    con.commit()
    con.close()
    with pytest.raises(IndexFormatError, match="not a neardup index"):
        Index.open(other)
    tables = [r[0] for r in sqlite3.connect(other).execute("SELECT name FROM sqlite_master")]
    assert tables == ["customers"]
    with pytest.raises(InputError, match="no such index"):
        Index.open(tmp_path / "missing.ndx", readonly=True)


def test_migrate_rebuilds_for_new_settings_from_stored_texts(index_path: Path) -> None:
    texts = {f"d{i}": article(i) for i in range(12)}
    texts["page"] = read(PAGE)
    with Index.open(index_path, Config(jobs=1)) as archive:
        archive.add_many(texts.items())
        jieba_matches = archive.query(read(REPOST))
    assert migrate(index_path) == ["already up to date"]
    done = migrate(index_path, FAST)
    assert done[-1].startswith("rebuilt 13 documents")
    with Index.open(index_path, FAST) as migrated:
        assert len(migrated) == 13 and migrated.get("page") is not None
        char_matches = migrated.query(read(REPOST))
    fresh_path = index_path.with_name("fresh.ndx")
    with Index.open(fresh_path, FAST) as fresh:
        fresh.add_many(texts.items())
        assert fresh.query(read(REPOST)) == char_matches
    assert [m.doc_span for m in char_matches] == [m.doc_span for m in jieba_matches]


# --- parameters at the door ---------------------------------------------------------------------

def test_bad_parameters_say_how_to_fix_them(index_path: Path) -> None:
    with Index.open(index_path, FAST) as archive:
        with pytest.raises(ConfigError, match="top_k"):
            archive.query("text", top_k=0)
        with pytest.raises(ConfigError, match="batch_size"):
            archive.add_many([], batch_size=0)
        with pytest.raises(InputError, match="non-empty string"):
            archive.add("", "text")
        with pytest.raises(InputError, match="str or a neardup Document"):
            archive.add("a", b"bytes")  # type: ignore[arg-type]
        with pytest.raises(InputError, match="JSON-serialisable"):
            archive.add("a", article(1), metadata={"when": object()})
    with Index.open(index_path, readonly=True) as archive, pytest.raises(IndexFormatError, match="read-only"):
        archive.add("a", article(1))


# --- failures and concurrency ---------------------------------------------------------------------

_KILLED_WRITER = """
import sys, time
sys.path.insert(0, {tests!r})
from test_archive import article
from neardup.archive.index import Index
from neardup.config import Config

archive = Index.open({path!r}, Config(tokenizer="char", jobs=1))
put = archive._store.put
calls = 0

def put_then_hang(row):
    global calls
    put(row)
    calls += 1
    if calls == 250:  # the middle of the second batch: its transaction is open
        print("mid-batch", flush=True)
        time.sleep(60)

archive._store.put = put_then_hang
archive.add_many(((f"d{{i}}", article(i)) for i in range(1000)), batch_size=200)
"""


def test_a_writer_killed_mid_batch_leaves_the_index_as_before_the_batch(index_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    script = _KILLED_WRITER.format(tests=str(ROOT / "tests"), path=str(index_path))
    writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "mid-batch"
        writer.send_signal(signal.SIGKILL)
    finally:
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    with Index.open(index_path) as archive:
        assert archive._store.integrity() == "ok"
        stats = archive.stats()
        assert stats["documents"] == 200, "the first batch is kept, the interrupted one is not"
        assert stats["band_keys"] == stats["passages"] * FAST.bands
        assert archive.add_many((f"d{i}", article(i)) for i in range(250)).added == 50
        assert [m.doc_id for m in archive.query(article(240))] == ["d240"]


def _reader(path: str, stop: Any, results: Any) -> None:
    seen: list[int] = []
    found_first = True
    try:
        while not stop.is_set():
            with Index.open(path, readonly=True) as archive:
                seen.append(len(archive))
                found_first &= [m.doc_id for m in archive.query(article(0))] == ["d0"]
        results.put(("ok", seen, found_first))
    except Exception as exc:  # report to the parent instead of dying silently
        results.put(("error", repr(exc), False))


def test_readers_work_while_one_writer_adds(index_path: Path) -> None:
    with Index.open(index_path, FAST) as archive:
        archive.add("d0", article(0))
    context = multiprocessing.get_context("fork")
    stop, results = context.Event(), context.Queue()
    readers = [context.Process(target=_reader, args=(str(index_path), stop, results)) for _ in range(3)]
    for r in readers:
        r.start()
    try:
        with Index.open(index_path, FAST) as archive:
            for first in range(1, 301, 50):
                archive.add_many((f"d{i}", article(i)) for i in range(first, first + 50))
                time.sleep(0.05)
    finally:
        stop.set()
        outcomes = [results.get(timeout=60) for _ in readers]
        for r in readers:
            r.join(timeout=30)
    for status, seen, found_first in outcomes:
        assert status == "ok", seen
        assert found_first
        assert seen == sorted(seen), "a reader never sees the index shrink"
        assert all((n - 1) % 50 == 0 for n in seen), "readers see whole batches only"


def test_a_second_writer_gets_a_clear_locked_error_after_its_timeout(index_path: Path) -> None:
    with Index.open(index_path, FAST) as archive:
        archive.add("a", article(1))
    holder = sqlite3.connect(index_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a batch
    try:
        with Index.open(index_path, FAST, timeout=0.3) as second:
            started = time.perf_counter()
            with pytest.raises(IndexLockedError, match="locked by another writer"):
                second.add("b", article(2))
            assert time.perf_counter() - started >= 0.25
        with Index.open(index_path, readonly=True) as reader:  # readers are not blocked
            assert [m.doc_id for m in reader.query(article(1))] == ["a"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_second_writer_waits_for_the_first_within_its_timeout(index_path: Path) -> None:
    Index.open(index_path, FAST).close()
    holder = sqlite3.connect(index_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        with Index.open(index_path, FAST, timeout=10) as second:
            assert second.add("b", article(2)) == "added"
    finally:
        release.join()
        holder.close()


def test_matches_serialise_to_plain_json(index_path: Path) -> None:
    with Index.open(index_path, FAST) as archive:
        archive.add("a", article(1), metadata={"url": "https://example.com/a"})
        (match,) = archive.query(article(1))
    assert isinstance(match, Match)
    data = json.loads(json.dumps(match.to_dict(), ensure_ascii=False))
    assert data["doc_id"] == "a" and data["metadata"]["url"] == "https://example.com/a"
    assert data["containment"] == 1.0 and len(data["doc_span"]) == 2
