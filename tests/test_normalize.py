from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neardup.models import Block, Edit, NormalizedText
from neardup.normalize import (
    _simplify_each,
    _t2s,
    fold_text,
    normalize,
    normalize_blocks,
    normalized_text,
    to_original_spans,
    to_original_spans_many,
)

# Text shaped like the inputs: CJK, both widths of punctuation, Latin, digits, line breaks, and a
# few characters whose NFKC form has several characters.
chinese_like = st.text(
    alphabet=st.sampled_from(list("克拉玛依高新区科技服務傳統，,。.、:：（）()ＡＢａ１２３abc \n\r\t①㈠…½ﬁ"))
    | st.characters(codec="utf-8"),
    max_size=200,
)


def test_width_script_punctuation_and_breaks_fold_away() -> None:
    assert fold_text("克拉瑪依，服\n\n务ＡＢ１２") == "克拉玛依服务ab12"
    assert fold_text("科技, 服务。") == fold_text("科技，服务、")


def test_offsets_point_at_the_original_characters() -> None:
    text = "前不久，新疆\n克拉瑪依"
    norm = normalize(text)
    assert norm.text == "前不久新疆克拉玛依"
    assert [text[s] for s in norm.starts] == list("前不久新疆克拉瑪依")
    assert norm.to_original(5, 9) == (7, 11)


@settings(max_examples=300, deadline=None)
@given(chinese_like, st.integers(0, 50), st.integers(0, 250))
def test_every_normalised_span_maps_inside_the_original(text: str, a: int, b: int) -> None:
    start, end = min(a, len(text)), min(max(a, b), len(text))
    norm = normalize(text, start, end)
    assert len(norm.starts) == len(norm.ends) == len(norm.text)
    for i in range(len(norm.text)):
        s, e = int(norm.starts[i]), int(norm.ends[i])
        assert start <= s < e <= end
        # Round trip: the original slice folds to (a string containing) this character.
        assert norm.text[i] in fold_text(text[s:e])
    if len(norm.text) > 0:
        lo, hi = norm.to_original(0, len(norm.text))
        assert start <= lo < hi <= end
    assert (norm.starts[1:] >= norm.starts[:-1]).all()


@settings(max_examples=200, deadline=None)
@given(chinese_like)
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = fold_text(text)
    assert fold_text(once) == once


def test_blocks_and_edits_skip_markup_and_decode_entities() -> None:
    html = "<p>科技&amp;服<b>务</b>&#20013;</p>"
    start, end = 3, len(html) - 4
    block = Block(start, end, edits=(Edit(5, 10, "&"), Edit(11, 14, ""), Edit(15, 19, ""), Edit(19, 27, "中")))
    norm = normalize_blocks(html, [block])
    assert norm.text == "科技服务中"
    assert html[norm.starts[4]:norm.ends[4]] == "&#20013;"
    assert html[norm.starts[3]] == "务"


def test_expanding_lowercase_folds_in_both_modes() -> None:
    # U+0130 lowers to two characters (i + combining dot above); diff mode used to raise on it.
    assert fold_text("İx") == "ix"
    assert fold_text("İx", mode="diff") == "i\u0307x"


def test_batched_simplification_equals_one_character_at_a_time() -> None:
    converter = _t2s()
    sample = [chr(cp) for lo, hi in ((0x3400, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F)) for cp in range(lo, hi + 1, 7)]
    sample += list("傳統臺灣後發乾隆裏面著書")
    expected = [converter.convert(c) or c for c in sample]  # type: ignore[attr-defined]
    assert _simplify_each(sample) == expected


# Replacements as HTML character references decode them: nothing special, a character NFKC expands,
# characters matching drops, full-width letters.
replacements = st.sampled_from(["", "", "&", "中", "½", "ＡＢ", " ", "傳"])


@st.composite
def html_like(draw: st.DrawFn) -> tuple[str, list[Block], int, int]:
    """Text, blocks with edits (markup dropped, references replaced) and a passage range.

    Blocks are in document order and may leave gaps; edits may reach over a block's ends, as a
    passage boundary may cut through a block.
    """
    text = draw(chinese_like)
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=10)))
    blocks = []
    for lo, hi in zip(cuts[::2], cuts[1::2]):
        points = sorted(draw(st.lists(st.integers(max(0, lo - 2), min(len(text), hi + 2)), max_size=8)))
        edits = tuple(Edit(s, e, draw(replacements)) for s, e in zip(points[::2], points[1::2]) if s < e)
        blocks.append(Block(lo, hi, edits=edits))
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    return text, blocks, start, end


def _piece_by_piece(text: str, blocks: list[Block], start: int, end: int) -> NormalizedText:
    """The reference: every piece between edits folded on its own, then joined."""
    texts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for block in blocks:
        lo, hi = max(block.start, start), min(block.end, end)
        if lo >= hi:
            continue
        cursor = lo
        for edit in (e for e in block.edits if e.end > lo and e.start < hi):
            if edit.start > cursor:
                piece = normalize(text, cursor, edit.start)
                texts.append(piece.text)
                starts += piece.starts.tolist()
                ends += piece.ends.tolist()
            if edit.text and edit.start >= lo and edit.end <= hi:
                folded = fold_text(edit.text)
                texts.append(folded)
                starts += [edit.start] * len(folded)
                ends += [edit.end] * len(folded)
            cursor = max(cursor, edit.end)
        if cursor < hi:
            piece = normalize(text, cursor, hi)
            texts.append(piece.text)
            starts += piece.starts.tolist()
            ends += piece.ends.tolist()
    return NormalizedText("".join(texts), np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64))


@settings(max_examples=300, deadline=None)
@given(html_like())
def test_multi_piece_blocks_fold_as_their_pieces_one_by_one(case: tuple[str, list[Block], int, int]) -> None:
    text, blocks, start, end = case
    norm = normalize_blocks(text, blocks, start, end)
    expected = _piece_by_piece(text, blocks, start, end)
    assert norm.text == expected.text == normalized_text(text, blocks, start, end)
    assert norm.starts.dtype == norm.ends.dtype == np.int64
    assert norm.starts.tolist() == expected.starts.tolist()
    assert norm.ends.tolist() == expected.ends.tolist()
    for i in range(len(norm.text)):
        s, e = int(norm.starts[i]), int(norm.ends[i])
        assert start <= s < e <= end
        # The original span is raw text that folds to this character, or a whole edit.
        assert norm.text[i] in fold_text(text[s:e]) or any(
            (edit.start, edit.end) == (s, e) for block in blocks for edit in block.edits
        )


@settings(max_examples=400, deadline=None)
@given(html_like(), st.lists(st.tuples(st.integers(-2, 60), st.integers(-2, 60)), max_size=6),
       st.sampled_from(["match", "diff"]))
def test_spans_map_back_as_the_full_offset_map_maps_them(
    case: tuple[str, list[Block], int, int], spans: list[tuple[int, int]], mode: str
) -> None:
    text, blocks, start, end = case
    norm = normalize_blocks(text, blocks, start, end, mode=mode)  # type: ignore[arg-type]
    # Every span of a short passage, else the drawn ones: those inside it must map as to_original
    # maps them, and one outside must raise as to_original raises.
    every = [(lo, hi) for lo in range(len(norm)) for hi in range(lo + 1, len(norm) + 1)] if len(norm) <= 12 else []
    for wanted in (every, [s for s in spans if 0 <= s[0] < s[1] <= len(norm)]):
        expected = [norm.to_original(lo, hi) for lo, hi in wanted]
        assert to_original_spans(text, blocks, wanted, start, end, mode=mode) == expected  # type: ignore[arg-type]
    for lo, hi in spans:
        if not 0 <= lo < hi <= len(norm):
            with pytest.raises(IndexError) as full:
                norm.to_original(lo, hi)
            with pytest.raises(IndexError) as ends_only:
                to_original_spans(text, blocks, [(lo, hi)], start, end, mode=mode)  # type: ignore[arg-type]
            assert str(ends_only.value) == str(full.value)


def test_spans_map_back_through_references_and_expansions() -> None:
    html = "<p>科技&amp;服<b>务</b>&#20013;İx</p>"
    block = Block(3, len(html) - 4, edits=(Edit(5, 10, "&"), Edit(11, 14, ""), Edit(15, 19, ""), Edit(19, 27, "中")))
    for mode in ("match", "diff"):
        norm = normalize_blocks(html, [block], mode=mode)  # type: ignore[arg-type]
        spans = [(lo, hi) for lo in range(len(norm)) for hi in range(lo + 1, len(norm) + 1)]
        assert to_original_spans(html, [block], spans, mode=mode) == [norm.to_original(*s) for s in spans]  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(html_like(), st.lists(st.tuples(st.integers(0, 40), st.integers(1, 40)), max_size=3)),
                max_size=5), st.sampled_from(["match", "diff"]))
def test_passages_mapped_together_map_as_each_alone(
    cases: list[tuple[tuple[str, list[Block], int, int], list[tuple[int, int]]]], mode: str
) -> None:
    batch = []
    expected = []
    for (text, blocks, start, end), spans in cases:
        norm = normalize_blocks(text, blocks, start, end, mode=mode)  # type: ignore[arg-type]
        inside = [(lo, hi) for lo, hi in spans if lo < hi <= len(norm)]
        batch.append((text, blocks, start, end, inside))
        expected.append([norm.to_original(lo, hi) for lo, hi in inside])
    assert to_original_spans_many(batch, mode=mode) == expected  # type: ignore[arg-type]
