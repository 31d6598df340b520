"""Invariants of ``explain`` (hypothesis): the differences turn A into B exactly, identical texts
have none, and a pure width change or a pure traditional/simplified conversion is only that."""

from __future__ import annotations

import unicodedata
from unittest import mock

import opencc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neardup.diff import sides as difftext_module
from neardup.diff.classify import Explanation, explain

# Simplified and traditional characters (several look-alike pairs among them), digits, units, Latin,
# punctuation of both widths, spaces, line breaks and a Markdown heading mark.
CJK = "克拉玛依高新区科技服务企业发展已经停滞后纽组带己巳未末人入曰日土士千干于传统國際經濟發展學習與區關係"
OTHER = "0123456789家次万元%年ABCab ,，.。、;；:：!！?？“”()（）●#\n\u3000"
ALPHABET = CJK + OTHER
_T2S = opencc.OpenCC("t2s")

texts = st.text(alphabet=ALPHABET, max_size=60)


@st.composite
def edited_pairs(draw: st.DrawFn) -> tuple[str, str]:
    """A text and a version of it with a few insertions, deletions and replacements."""
    a = draw(texts)
    b = list(a)
    for _ in range(draw(st.integers(0, 6))):
        pos = draw(st.integers(0, len(b)))
        action = draw(st.sampled_from(("insert", "delete", "replace")))
        piece = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=4))
        if action == "insert":
            b[pos:pos] = list(piece)
        elif b:
            pos = min(pos, len(b) - 1)
            b[pos:pos + 1] = [] if action == "delete" else list(piece)
    return a, "".join(b)


def _apply(explanation: Explanation, a: str) -> str:
    out, pos = [], explanation.a_span[0]
    for d in explanation.differences:
        assert d.a_start >= pos, "differences are in order and do not overlap"
        out += [a[pos:d.a_start], d.b_text]
        pos = d.a_end
    return "".join(out) + a[pos:explanation.a_span[1]]


def _check_offsets(explanation: Explanation, a: str, b: str) -> None:
    b_pos = explanation.b_span[0]
    for d in explanation.differences:
        assert a[d.a_start:d.a_end] == d.a_text
        assert b[d.b_start:d.b_end] == d.b_text
        assert d.b_start >= b_pos
        b_pos = d.b_end
        assert d.a_text != d.b_text


_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(edited_pairs())
def test_applying_the_differences_to_a_gives_b(pair: tuple[str, str]) -> None:
    a, b = pair
    explanation = explain(a, b)
    _check_offsets(explanation, a, b)
    assert _apply(explanation, a) == b


@_SETTINGS
@given(edited_pairs(), st.lists(texts, min_size=1, max_size=3))
def test_a_recoder_gives_the_same_explanation(pair: tuple[str, str], sample: list[str]) -> None:
    from neardup.diff.classify import _explain_texts
    from neardup.diff.sides import DiffText, confusions, equal_blocks
    from neardup.verify import Recoder

    a, b = pair
    recoder = Recoder(sample)
    recoded_texts: list[str] = []

    def recode(text: str) -> str:
        recoded_texts.append(text)
        return recoder(text)

    assert list(equal_blocks(a, b, recode)) == list(equal_blocks(a, b))
    assert recoded_texts == [a, b]  # the recoder was used
    plain = _explain_texts(DiffText(a, None, None, "a"), DiffText(b, None, None, "b"), confusions())
    recoded = _explain_texts(DiffText(a, None, None, "a"), DiffText(b, None, None, "b"), confusions(), recode)
    assert recoded == plain


@_SETTINGS
@given(edited_pairs())
def test_round_trip_when_long_texts_are_cut_at_anchors_first(pair: tuple[str, str]) -> None:
    a, b = pair
    a, b = a + "".join(CJK) + a, b + "".join(CJK) + b  # one long unique stretch to anchor on
    with mock.patch.object(difftext_module, "_INDEL_CELLS", 64):  # as if the texts were huge
        explanation = explain(a, b)
    _check_offsets(explanation, a, b)
    assert _apply(explanation, a) == b


@_SETTINGS
@given(texts, texts)
def test_round_trip_between_unrelated_texts(a: str, b: str) -> None:
    explanation = explain(a, b)
    _check_offsets(explanation, a, b)
    assert _apply(explanation, a) == b


@_SETTINGS
@given(texts, st.integers(0, 20), st.integers(0, 20))
def test_round_trip_inside_spans(text: str, cut_a: int, cut_b: int) -> None:
    a, b = "前言" + text + "后记", "序" + text[::-1] + "跋"
    a_span, b_span = (min(cut_a, len(a)), len(a)), (0, max(0, len(b) - cut_b))
    explanation = explain(a, b, a_span=a_span, b_span=b_span)
    _check_offsets(explanation, a, b)
    assert _apply(explanation, a) == b[b_span[0]:b_span[1]]


@_SETTINGS
@given(texts)
def test_identical_texts_have_no_differences(a: str) -> None:
    explanation = explain(a, a)
    assert explanation.differences == ()
    assert explanation.verdict == "identical"
    assert explanation.changed_share == 0.0


def _full_width(text: str) -> str:
    out = []
    for ch in text:
        if ch == " ":
            out.append("\u3000")
        elif "!" <= ch <= "~":
            out.append(chr(ord(ch) + 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


@_SETTINGS
@given(texts)
def test_a_pure_width_change_is_only_width(a: str) -> None:
    b = _full_width(a)
    assert unicodedata.normalize("NFKC", b) == unicodedata.normalize("NFKC", a)
    explanation = explain(a, b)
    assert {d.kind for d in explanation.differences} <= {"width"}
    assert (explanation.differences == ()) == (a == b)
    assert _apply(explanation, a) == b


@_SETTINGS
@given(texts)
def test_a_pure_script_change_is_only_script(a: str) -> None:
    b = "".join(_T2S.convert(ch) or ch for ch in a)
    explanation = explain(a, b)
    assert {d.kind for d in explanation.differences} <= {"script"}
    assert (explanation.differences == ()) == (a == b)
    assert _apply(explanation, a) == b
