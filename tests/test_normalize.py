from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from neardup.models import Block, Edit
from neardup.normalize import fold_text, normalize, normalize_blocks

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
