"""explain on the Karamay pair (page passage of 000 vs the article of 001), the scan report's
difference summaries, ``neardup diff`` and the OCR table."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

import neardup
from conftest import EXAMPLES, PAGE, REPOST, karamay_span
from neardup.cli import main
from neardup.diff.classify import (
    COSMETIC_KINDS,
    KINDS,
    Difference,
    Explanation,
    diff_files,
    explain,
    load_source,
)
from neardup.ingest import parse_text


def _read(name: str) -> str:
    with open(EXAMPLES / name, encoding="utf-8", newline="") as fh:
        return fh.read()


PAGE_TEXT = _read(PAGE)
REPOST_TEXT = _read(REPOST)
SPAN = karamay_span(PAGE_TEXT)
# The six real edits between the versions: (text around it in 000, the same place in 001).
REAL_EDITS = [
    ("项目在落地生根", "项目在企业落地生根"),
    ("《科技型中小企业培育方案》", "《科技型企业分层级培育方案》"),
    ("24小时一对一", "24小时加一对一"),
    ("自主创新的三方", "自主创新发展的三方"),
    ("和已停滞的", "和已经滞后的"),
    ("科能防腐技术有限公司", "科能防腐技术有限责任公司"),
]


@pytest.fixture(scope="module")
def karamay() -> Explanation:
    return diff_files(f"{EXAMPLES / PAGE}:{SPAN[0]}-{SPAN[1]}", str(EXAMPLES / REPOST))


def _of(explanation: Explanation, kind: str) -> list[Difference]:
    return [d for d in explanation.differences if d.kind == kind]


def _apply(explanation: Explanation, a: str) -> str:
    out, pos = [], explanation.a_span[0]
    for d in explanation.differences:
        assert d.a_start >= pos, "differences are in order and do not overlap"
        out += [a[pos:d.a_start], d.b_text]
        pos = d.a_end
    return "".join(out) + a[pos:explanation.a_span[1]]


def test_offsets_slice_the_original_files_exactly(karamay: Explanation) -> None:
    assert karamay.a_span == SPAN
    assert REPOST_TEXT[karamay.b_span[0]:].startswith("前不久")
    for d in karamay.differences:
        assert PAGE_TEXT[d.a_start:d.a_end] == d.a_text, d
        assert REPOST_TEXT[d.b_start:d.b_end] == d.b_text, d
        assert d.op == ("insert" if not d.a_text else "delete" if not d.b_text else "replace")
    b0, b1 = karamay.b_span
    assert _apply(karamay, PAGE_TEXT) == REPOST_TEXT[b0:b1]


def test_the_ocr_slip_is_one_ocr_change(karamay: Explanation) -> None:
    [slip] = _of(karamay, "ocr")
    assert (slip.a_text, slip.b_text) == ("组", "纽")
    assert PAGE_TEXT[slip.a_start:slip.a_end + 1] == "组带"


def test_119_jiaci_is_one_number_change(karamay: Explanation) -> None:
    [number] = _of(karamay, "number")
    assert (number.a_text, number.b_text) == ("119家", "119家次")


def test_the_four_real_punctuation_swaps(karamay: Explanation) -> None:
    swaps = Counter((d.a_text, d.b_text) for d in _of(karamay, "punctuation"))
    assert swaps == {(",", "、"): 1, (",", "。"): 3}


def test_half_and_full_width_marks_are_width_only(karamay: Explanation) -> None:
    width = _of(karamay, "width")
    assert len(width) >= 50
    for d in width:
        assert unicodedata.normalize("NFKC", d.a_text) == unicodedata.normalize("NFKC", d.b_text)
    # Every full-width comma of 001 is inside a width difference, never punctuation or wording.
    b0, b1 = karamay.b_span
    commas = {b0 + k for k, ch in enumerate(REPOST_TEXT[b0:b1]) if ch == "，"}
    covered = {p for d in width for p in range(d.b_start, d.b_end)}
    assert commas <= covered
    for d in karamay.differences:
        if d.kind != "width":
            assert "，" not in d.b_text, d


def _page_only(karamay: Explanation) -> list[Difference]:
    """Differences in the page's headline and photo caption (before the article's first sentence)."""
    first_sentence = PAGE_TEXT.index("前不久", SPAN[0])
    return [d for d in karamay.differences if d.a_start < first_sentence and d.b_start == karamay.b_span[0]]


def test_headline_and_caption_are_at_most_two_layout_or_wording_changes(karamay: Explanation) -> None:
    page_only = _page_only(karamay)
    assert 1 <= len(page_only) <= 2
    assert {d.kind for d in page_only} <= {"layout", "wording"}
    removed = "".join(d.a_text for d in page_only)
    assert "克拉玛依高新区 “科技陪伴式服务”跑出加速度" in removed
    assert "克拉玛依高新区绿树成荫环境优美。" in removed


def test_wording_changes_are_the_six_real_edits(karamay: Explanation) -> None:
    wording = [d for d in _of(karamay, "wording") if d not in _page_only(karamay)]
    assert 5 <= len(wording) <= 9
    for in_page, in_repost in REAL_EDITS:
        a0 = PAGE_TEXT.index(in_page, SPAN[0])
        b0 = REPOST_TEXT.index(in_repost, karamay.b_span[0])
        inside = [d for d in wording if a0 <= d.a_start and d.a_end <= a0 + len(in_page)
                  and b0 <= d.b_start and d.b_end <= b0 + len(in_repost)]
        assert len(inside) == 1, (in_page, in_repost, inside)
    edits = {(d.a_text, d.b_text) for d in wording}
    assert ("停滞", "经滞后") in edits or ("已停滞", "已经滞后") in edits  # one change, not two


def test_summary_counts_and_verdict(karamay: Explanation) -> None:
    assert list(karamay.counts) == list(KINDS)
    assert sum(karamay.counts.values()) == len(karamay.differences)
    assert karamay.verdict.startswith("edited:")
    assert "OCR slip" in karamay.verdict and "punctuation" in karamay.verdict
    assert 0 < karamay.changed_share < 0.05
    assert all(d.kind not in COSMETIC_KINDS for d in karamay.substantive())
    substantive_counts = [karamay.counts[k] for k in ("wording", "number", "ocr", "punctuation")]
    assert len(karamay.substantive()) == sum(substantive_counts)


def test_scan_report_members_carry_their_difference_summary() -> None:
    report = neardup.scan([EXAMPLES], neardup.Config(jobs=1))
    [cluster] = report.clusters
    head, member = cluster.members
    assert head.diff is None and member.diff is not None
    assert member.diff.counts["ocr"] == 1 and member.diff.counts["number"] == 1
    assert member.diff.differences is None  # the full list only with --explain
    full = neardup.scan([EXAMPLES], neardup.Config(jobs=1, explain=True))
    listed = full.clusters[0].members[1].diff
    assert listed is not None and listed.differences is not None
    data = json.loads(full.to_json())["clusters"][0]["members"][1]["diff"]
    assert data["counts"] == member.diff.counts
    slip = next(d for d in data["differences"] if d["kind"] == "ocr")
    assert REPOST_TEXT[slip["b_start"]:slip["b_end"]] == "纽"
    assert PAGE_TEXT[slip["a_start"]:slip["a_end"]] == "组"


def test_identical_and_cosmetic_verdicts() -> None:
    assert explain("同一段文字。", "同一段文字。").verdict == "identical"
    assert explain("科技,服务", "科技，服务").verdict == "same text; only width differences"
    assert explain("傳統文化", "传统文化").counts["script"] == 1
    noisy = explain("合作组带,紧密。", "合作纽带、紧密。")
    assert noisy.verdict == "same text, OCR noise and punctuation only"


def test_markdown_heading_marks_and_html_markup_are_layout() -> None:
    page = parse_text("page.html", "<html><body><h1>标题</h1><p>正文内容，共有二十多个字的一段正文。</p></body></html>")
    explanation = explain("## 标题\n\n正文内容，共有二十多个字的一段正文。", page.text, b_blocks=page.blocks)
    assert explanation.substantive() == ()
    assert {d.kind for d in explanation.differences} == {"layout"}


def test_extra_ocr_pairs_and_the_documented_table() -> None:
    assert explain("甲方", "乙方").differences[0].kind == "wording"
    assert explain("甲方", "乙方", ocr_pairs=[("甲", "乙")]).differences[0].kind == "ocr"
    table = (Path(neardup.__file__).parent / "data" / "ocr_confusions.txt").read_text(encoding="utf-8")
    pairs = 0
    for line in table.splitlines():
        members = line.split("#", 1)[0].split()
        pairs += len(members) * (len(members) - 1) // 2
    assert pairs >= 40
    for a, b in [("己", "已"), ("未", "末"), ("人", "入"), ("曰", "日"), ("土", "士"), ("千", "干")]:
        assert explain(f"前{a}后", f"前{b}后").differences[0].kind == "ocr", (a, b)


def test_numbers_and_units() -> None:
    [change] = explain("资金4005万元,较", "资金4105万元,较").differences
    assert (change.kind, change.a_text, change.b_text) == ("number", "4005万元", "4105万元")
    assert explain("进一步发展", "进步发展").differences[0].kind == "wording"
    assert explain("增长近3倍", "增长3倍").differences[0].kind == "number"


def test_load_source_spans_records_and_errors(tmp_path: Path) -> None:
    source = load_source(f"{EXAMPLES / REPOST}")
    assert source.document.format == "html"
    assert REPOST_TEXT[source.start:source.end].startswith("前不久")
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "x1", "text": "合作组带进一步紧密。"}\n{"id": "x2", "text": "合作纽带进一步紧密。"}\n',
                    encoding="utf-8")
    [slip] = diff_files(f"{feed}#x1", f"{feed}#x2").differences
    assert slip.kind == "ocr"
    with pytest.raises(neardup.InputError, match="records"):
        load_source(str(feed))
    with pytest.raises(neardup.InputError, match="outside"):
        load_source(f"{EXAMPLES / PAGE}:10-999999")


def test_cli_diff_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = f"{EXAMPLES / PAGE}:{SPAN[0]}-{SPAN[1]}", str(EXAMPLES / REPOST)
    for fmt in ("text", "json", "html"):
        out = tmp_path / f"diff.{fmt}"
        with pytest.raises(SystemExit) as done:
            main(["diff", a, b, "--format", fmt, "--output", str(out)])
        assert done.value.code == 0
        content = out.read_text(encoding="utf-8")
        assert "组" in content and "纽" in content
    data = json.loads((tmp_path / "diff.json").read_text(encoding="utf-8"))
    assert data["counts"]["ocr"] == 1 and data["a"]["start"] == SPAN[0]
    with pytest.raises(SystemExit) as done:
        main(["diff", a, b, "--all-kinds", "--side-by-side"])
    assert done.value.code == 0
    assert "width" in capsys.readouterr().out
    with pytest.raises(SystemExit) as done:
        main(["diff", f"{EXAMPLES / PAGE}:5-999999", b])
    assert done.value.code == 2
    assert "outside the decoded text" in capsys.readouterr().err


def test_long_texts_cut_at_anchors_give_the_same_answer(karamay: Explanation) -> None:
    from unittest import mock

    from neardup.diff import sides as difftext_module

    with mock.patch.object(difftext_module, "_INDEL_CELLS", 1000):  # as if the passages were huge
        anchored = diff_files(f"{EXAMPLES / PAGE}:{SPAN[0]}-{SPAN[1]}", str(EXAMPLES / REPOST))
    assert anchored.counts == karamay.counts
    assert [(d.kind, d.a_text, d.b_text) for d in anchored.substantive()] == [
        (d.kind, d.a_text, d.b_text) for d in karamay.substantive()]


def test_fast_paths_give_what_the_general_path_gives() -> None:
    """Aligned units that differ are judged by their two characters, and gaps between units as
    layout, only when each side's units hold themselves alone; forcing the general path (every
    piece through the classifier) must change nothing."""
    import sys
    from unittest import mock

    import opencc

    from neardup.diff.sides import DiffText

    explain_module = sys.modules["neardup.diff.classify"]
    page = PAGE_TEXT[SPAN[0]:SPAN[1]]
    pairs = [
        (page, REPOST_TEXT),
        (page, opencc.OpenCC("s2t").convert(page)),  # traditional copy: thousands of differing units
        (page, page.replace("，", ",").replace("。", "。\n\n").replace("0", "０")),  # width and layout
        # letter case, width and both in aligned units; width and spacing in the gaps between them
        ("WTO 与 ABC，政企\u3000合作 纽带\n进一步" + page[:300], "wto 与 Ａｂｃ,政企 合作纽带 进一步" + page[:300]),
    ]
    init = DiffText.__init__

    def general(self: DiffText, *args: object) -> None:
        init(self, *args)  # type: ignore[arg-type]
        self.units_apart = False

    for a, b in pairs:
        fast = explain_module.explain(a, b)
        with mock.patch.object(DiffText, "__init__", general):
            slow = explain_module.explain(a, b)
        assert fast == slow
    assert {"wording", "width", "layout"} <= {d.kind for d in fast.differences}  # letter case reads as wording


def test_diff_fold_character_by_character_is_the_fold() -> None:
    from neardup.diff.sides import _fold_diff
    from neardup.normalize import fold_text

    for text in ["", "臺灣的軟體 ＡＢＣ abc İ ㎡ ½ \u3000\n\t①２ﬁ", PAGE_TEXT[:3000], "\ud800x\u200b"]:
        assert _fold_diff(text) == fold_text(text, "diff")
