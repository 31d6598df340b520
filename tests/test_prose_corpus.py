"""benchmarks/prose.py: the labelled corpus cut from real People's Daily prose.

Skips where the source text (``../shared/corpora/peoples-daily-1998-01-a.txt`` or
``$NEARDUP_PROSE_CORPUS``) is absent; the synthetic fallback is checked on its own.
"""

from __future__ import annotations

import collections
import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import load_benchmark

ROOT = Path(__file__).resolve().parents[1]




prose = load_benchmark("prose")
needs_source = pytest.mark.skipif(prose.source_path() is None, reason="the People's Daily source text is absent")
ARTICLES = 40


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _text(folder: Path, path: str, doc: dict[str, Any]) -> str:
    file, _, rid = path.partition("#")
    data = (folder / file).read_bytes()
    if rid:
        for line in data.decode("utf-8").splitlines():
            rec = json.loads(line)
            if rec.get("id") == rid:
                return str(rec["text"])
        raise AssertionError(f"no record {rid} in {file}")
    text = data.decode(doc["encoding"])
    return text[1:] if text.startswith("\ufeff") else text


def _squash(s: str) -> str:
    return re.sub(r"\s", "", s)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], Path, dict[str, Any]]:
    if prose.source_path() is None:
        pytest.skip("the People's Daily source text is absent")
    base = tmp_path_factory.mktemp("prose")
    a, b = base / "a", base / "b"
    la = prose.generate(a, articles=ARTICLES, seed=5, ocr_pages=0)
    lb = prose.generate(b, articles=ARTICLES, seed=5, ocr_pages=0)
    return a, la, b, lb


@needs_source
def test_same_seed_gives_the_same_bytes(built: tuple[Path, dict[str, Any], Path, dict[str, Any]]) -> None:
    a, la, b, lb = built
    assert _tree(a) == _tree(b)
    assert json.dumps(la, ensure_ascii=False) == json.dumps(lb, ensure_ascii=False)
    assert la["source"] == prose.SOURCE and la["generator"] == "neardup-prose/1"


@needs_source
def test_every_layout_and_version_is_there(built: tuple[Path, dict[str, Any], Path, dict[str, Any]]) -> None:
    _, labels, _, _ = built
    present = {d["case"] for d in labels["documents"].values()}
    assert set(prose.PAGE_CASES) <= present
    assert set(prose.VERSION_CASES) | {"unique", "near_miss"} <= present
    assert set(labels["skipped_cases"]) == set(prose.OCR_CASES)  # ocr_pages=0 says so
    assert 30 <= labels["articles"] <= ARTICLES


@needs_source
def test_spans_hold_headline_and_last_paragraph(built: tuple[Path, dict[str, Any], Path, dict[str, Any]]) -> None:
    folder, labels, _, _ = built
    source = {a.story: a for a in prose.cut_articles(prose.source_path())}
    for path, doc in labels["documents"].items():
        text = _text(folder, path, doc)
        arts = doc["articles"]
        assert arts, path
        ends = 0
        for a in arts:
            assert ends <= a["start"] < a["end"] <= len(text), (path, a)
            ends = a["end"]
            span = text[a["start"]:a["end"]]
            if doc["case"] not in prose.PAGE_CASES or doc["case"] == "noisy_page":
                continue
            art = source[a["story"]]
            # A page shows the printed text (a reprint may have its own headline): the span opens
            # with the headline (or, on a dateline page, with the dateline paragraph) and closes
            # with the last paragraph.
            assert span.startswith(a["title"]) or prose.DATELINE.match(span), (path, a["story"], span[:40])
            assert _squash(span).endswith(_squash(art.paragraphs[-1])[-10:]), (path, a["story"], span[-40:])
            assert not span.startswith(("#", " ", "\n")) and span == span.strip()


@needs_source
def test_pages_hold_three_articles_and_versions_have_siblings(
        built: tuple[Path, dict[str, Any], Path, dict[str, Any]]) -> None:
    _, labels, _, _ = built
    per_story: collections.Counter[str] = collections.Counter()
    for doc in labels["documents"].values():
        per_story.update(a["story"] for a in doc["articles"])
    for path, doc in labels["documents"].items():
        if doc["case"] in prose.PAGE_CASES + prose.OCR_CASES:
            assert len(doc["articles"]) >= 3, path
            assert len({a["story"] for a in doc["articles"]}) == len(doc["articles"]), path
        elif doc["case"] in prose.VERSION_CASES:
            assert all(per_story[a["story"]] >= 2 for a in doc["articles"]), path
        else:
            assert doc["case"] in ("unique", "near_miss")
            assert all(per_story[a["story"]] == 1 for a in doc["articles"]), path
    page_articles = [a["story"] for d in labels["documents"].values() if d["case"] in prose.PAGE_CASES
                     for a in d["articles"]]
    alone = sum(per_story[s] == 1 for s in page_articles)
    assert 0 < alone < len(page_articles) / 2  # some page articles have no version: precision


@needs_source
def test_wrapped_layouts_keep_their_width(built: tuple[Path, dict[str, Any], Path, dict[str, Any]]) -> None:
    folder, labels, _, _ = built
    seen = set()
    for path, doc in labels["documents"].items():
        if doc["case"] not in prose.WRAPPED_CASES:
            continue
        seen.add(doc["case"])
        width = doc["wrap"]
        assert 12 <= width <= 36
        text = _text(folder, path, doc)
        for a in doc["articles"]:
            lines = text[a["start"]:a["end"]].split("\n")
            if lines[0] == a["title"]:
                lines = lines[1:]  # headlines run across the columns
            assert all(len(line) <= width for line in lines), (path, width, max(lines, key=len))
        if doc["case"] == "wrapped_noblank":
            assert "\n\n" not in text
    assert seen == set(prose.WRAPPED_CASES)


def test_falls_back_to_synthetic_stories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("opencc")
    monkeypatch.setenv("NEARDUP_PROSE_CORPUS", str(tmp_path / "absent.txt"))
    labels = prose.generate(tmp_path / "out", articles=30, seed=2, ocr_pages=0)
    assert labels["source"] == "synthetic"
    assert "not found" in capsys.readouterr().err
    assert {d["case"] for d in labels["documents"].values()} >= {"md_page", "web", "unique"}


@needs_source
def test_the_cut_gives_disjoint_story_pools() -> None:
    arts = prose.cut_articles(prose.source_path())
    longs = {a.story for a in arts if prose._long(a)}
    shorts = {a.story for a in arts if prose._short(a)}
    assert len(longs) >= 700 and len(shorts) >= 300 and not longs & shorts
    stats = prose.cut_stats(arts)
    assert stats["long"] == len(longs) and stats["long_with_dateline"] >= 250
