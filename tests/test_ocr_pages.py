"""OCR'd newspaper pages for the benchmarks (benchmarks/ocr.py): span mapping, rendering, tesseract.

The tesseract tests need tesseract with chi_sim, Pillow and a CJK font, and skip without them;
the span-mapping tests need none of these.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import load_benchmark

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "peoples-daily-1998-01-a.txt"
SAMPLE = [  # used where the People's Daily file is not there
    "大连港年吞吐量超七千万吨",
    "本报大连十二月三十一日电记者张书政报道：截至十二月二十八日十八时，大连港年吞吐量突破七千万吨，比上年同期增加六百万吨。",
    "目前，大连港已开通至威海、烟台、韩国仁川等六条国内外客货滚装航线，开通至北美洲、东南亚、欧洲等八条集装箱班轮航线，开通至哈尔滨、延吉、沈阳三条集装箱班列。",
    "冰雕童话世界",
    "新年来临，冰城哈尔滨市儿童公园为孩子们准备了特殊的贺岁礼物——冰雕童话世界。这里包括未来世界、世界奇观、迷宫等十大景区，展出各种冰雕作品千余件。",
    "图为从事教育工作的姜雁正向六岁的儿子讲恐龙的故事。外交部发言人谈明年外交工作重点，全方位推行独立自主和平外交政策，继续发展同周边国家的睦邻友好关系。",
]




ocr = load_benchmark("ocr")
needs_tesseract = pytest.mark.skipif(not ocr.tesseract_available(),
                                     reason="tesseract with chi_sim, Pillow or a CJK font is missing")


def _shared(a: str, b: str) -> float:
    """Share of the non-space characters of ``a`` also found in ``b`` (as a multiset)."""
    ca, cb = collections.Counter("".join(a.split())), collections.Counter("".join(b.split()))
    return sum((ca & cb).values()) / max(1, sum(ca.values()))


def _two_articles() -> tuple[str, list[tuple[int, int]]]:
    """About 400 characters: two articles, each a short headline and ~200 characters of prose."""
    lines = CORPUS.read_text(encoding="utf-8").split("\n")[:400] if CORPUS.is_file() else SAMPLE
    articles: list[list[str]] = []
    i = 0
    while len(articles) < 2 and i < len(lines):
        if 4 <= len(lines[i]) <= 16 and lines[i][0] not in "（(" and lines[i][-1] not in "。！？：）":
            body: list[str] = []
            j = i + 1
            while j < len(lines) and sum(map(len, body)) < 180 and len(lines[j]) > 16:
                body.append(lines[j][:150])
                j += 1
            if sum(map(len, body)) >= 120:
                articles.append([lines[i], *body])
            i = j
        else:
            i += 1
    if len(articles) < 2:
        articles = [SAMPLE[:3], SAMPLE[3:]]
    page, spans = "", []
    for art in articles:
        start = len(page)
        page += "\n".join(art) + "\n"
        spans.append((start, len(page) - 1))
    return page, spans


# --- span mapping: no tesseract needed -------------------------------------------------------


def test_map_spans_by_hand() -> None:
    assert ocr.map_spans("ABCDEF", "A B C D E F", [(0, 3), (3, 6)]) == [(0, 5), (6, 11)]
    # garbage between the articles belongs to neither
    assert ocr.map_spans("甲乙丙丁", "甲乙■■丙丁", [(0, 2), (2, 4)]) == [(0, 2), (4, 6)]
    # a span that lost every character is empty, in its place
    assert ocr.map_spans("甲乙丙丁戊", "甲戊", [(0, 1), (1, 4), (4, 5)]) == [(0, 1), (1, 1), (1, 2)]
    # lost first and last characters: the span shrinks to what survived
    assert ocr.map_spans("一二三四五", "一 三 五", [(1, 4)]) == [(2, 3)]
    assert ocr.map_spans("", "乱码", [(0, 0)]) == [(2, 2)]
    assert ocr.map_spans("甲乙", "", [(0, 2)]) == [(0, 0)]
    with pytest.raises(ValueError):
        ocr.map_spans("甲乙", "甲乙", [(1, 3)])


ALPHABET = "人民日报新华社记者北京电。，、\n 　１２"


@st.composite
def _source_and_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    source = draw(st.text(alphabet=ALPHABET, max_size=60))
    cuts = sorted(draw(st.lists(st.integers(0, len(source)), max_size=8)))
    return source, [(cuts[k], cuts[k + 1]) for k in range(0, len(cuts) - 1, 2)]


@st.composite
def _ocr_like(draw: st.DrawFn, source: str) -> str:
    """``source`` with characters dropped, replaced and inserted, as OCR does."""
    out: list[str] = []
    for ch in source:
        roll = draw(st.integers(0, 9))
        if roll == 0:
            continue
        out.append(draw(st.sampled_from(ALPHABET)) if roll == 1 else ch)
        if roll == 2:
            out.append(" ")
    return "".join(out)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), case=_source_and_spans())
def test_map_spans_properties(data: st.DataObject, case: tuple[str, list[tuple[int, int]]]) -> None:
    source, spans = case
    assert ocr.map_spans(source, source, spans) == spans
    target = data.draw(_ocr_like(source))
    mapped = ocr.map_spans(source, target, spans)
    assert len(mapped) == len(spans)
    previous_end = 0
    for a, b in mapped:
        assert previous_end <= a <= b <= len(target)
        previous_end = b


# --- rendering and tesseract -----------------------------------------------------------------


@needs_tesseract
def test_same_seed_same_image() -> None:
    import random

    page, spans = _two_articles()

    def image(seed: int) -> bytes:
        rng = random.Random(seed)
        sheets = ocr._render(ocr._rows(page, spans, 24, rng, "heavy"), 2, 24, 26, rng, "heavy")
        return b"".join(ocr._degrade(img, "heavy", rng).tobytes() for img in sheets)

    assert image(5) == image(5)
    assert image(5) != image(6)


@pytest.fixture(scope="module")
def read_back(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[tuple[int, int]], str,
                                                                           list[tuple[int, int]]]]:
    if not ocr.tesseract_available():
        pytest.skip("tesseract with chi_sim, Pillow or a CJK font is missing")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEARDUP_OCR_CACHE", str(tmp_path_factory.mktemp("ocr-cache")))
        page, spans = _two_articles()
        text, mapped = ocr.ocr_page(page, spans, seed=3, degrade="light")
        yield page, spans, text, mapped


def test_page_round_trips(read_back: tuple[str, list[tuple[int, int]], str, list[tuple[int, int]]]) -> None:
    page, spans, text, mapped = read_back
    assert 300 <= len(page) <= 600
    assert _shared(page, text) > 0.8
    assert len(mapped) == len(spans)
    previous_end = 0
    for (s, e), (a, b) in zip(spans, mapped):
        assert previous_end <= a < b <= len(text)
        assert _shared(page[s:e], text[a:b]) > 0.75
        previous_end = b


def test_cache_hit_is_identical(read_back: tuple[str, list[tuple[int, int]], str, list[tuple[int, int]]],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    page, spans, text, mapped = read_back
    cache = ocr._cache_dir()
    assert len(list(cache.rglob("*.txt"))) == 1

    def no_tesseract(*args: object) -> str:
        raise AssertionError("a cached page ran tesseract again")

    monkeypatch.setattr(ocr, "_tesseract", no_tesseract)
    again = ocr.ocr_page(page, spans, seed=3, degrade="light")
    assert again == (text, mapped)
    assert next(cache.rglob("*.txt")).read_bytes() == text.encode("utf-8")


@needs_tesseract
def test_two_column_heavy_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEARDUP_OCR_CACHE", str(tmp_path))
    page, spans = _two_articles()
    text, mapped = ocr.ocr_page(page, spans, seed=7, columns=2, width_chars=14, degrade="heavy")
    assert _shared(page, text) > 0.4  # noisy, but still read
    assert all(0 <= a <= b <= len(text) for a, b in mapped)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        ocr.ocr_page("甲", [(0, 1)], seed=1, degrade="medium")
    with pytest.raises(ValueError):
        ocr.ocr_page("甲", [(0, 1)], seed=1, columns=0)
