from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, PAGE, karamay_span
from neardup.ingest import parse_text
from neardup.segment import segment


def _titles(text: str) -> list[str | None]:
    return [p.title for p in segment(parse_text("page.txt", text))]


def test_markdown_page_is_cut_at_article_headlines_not_subheads() -> None:
    text = (EXAMPLES / PAGE).read_text(encoding="utf-8")
    passages = segment(parse_text(PAGE, text))
    start, end = karamay_span(text)
    karamay = [p for p in passages if p.title and p.title.startswith("克拉玛依高新区")]
    assert len(karamay) == 1
    assert (karamay[0].start, karamay[0].end) == (start, end)
    assert not any(p.title and p.title.startswith("●") for p in passages)


BODY = ("在此期间,政企真诚互信,就科技创新工作良好协作,同心同向,共同营造优质的创新创业环境,"
        "共谋发展,推动多个科技成果转化项目落地生根。")
OTHER = "市城管局在全市范围内开展有害垃圾收运专项行动,设置回收点位三百余个,居民可将废旧电池、过期药品投放至指定地点统一处置。"
THIRD = "本次检查重点关注行业协会商会违规收费问题,对强制入会、只收费不服务等行为依法查处,切实减轻企业负担。"


def test_dense_page_without_blank_lines_finds_headlines_and_keeps_bylines() -> None:
    text = "\n".join([
        "株洲启动行业协会商会收费专项检查", "本报记者 张三", THIRD, THIRD,
        "有害垃圾收运如何处置? 市城管局出实招", OTHER, "●分类收运", OTHER,
    ])
    passages = segment(parse_text("dense.txt", text))
    assert [p.title for p in passages] == ["株洲启动行业协会商会收费专项检查", "有害垃圾收运如何处置? 市城管局出实招"]
    assert text[passages[0].start:passages[0].end].startswith("株洲启动")
    assert "本报记者" in text[passages[0].start:passages[0].end]
    assert text[passages[1].start:passages[1].end].endswith("统一处置。")


def test_continuation_markers_cut_passages() -> None:
    text = "\n\n".join(["头条新闻标题在这里", BODY, BODY + "(下转第四版)", "另一篇文章的标题", OTHER])
    passages = segment(parse_text("p1.txt", text))
    assert text[passages[0].start:passages[0].end].endswith("(下转第四版)")
    rest = "\n\n".join(["（上接第一版）" + BODY, BODY, "其他新闻标题", OTHER])
    passages = segment(parse_text("p4.txt", rest))
    assert passages[0].start == 0 and passages[0].title is None
    assert len(passages) == 2


def test_one_article_post_is_one_passage_without_front_matter() -> None:
    text = "---\ntitle: \"标题\"\ndate: 2022-05-13\n---\n" + BODY + "\n\n" + BODY
    doc = parse_text("post.md", text)
    passages = segment(doc)
    assert len(passages) == 1
    assert passages[0].start == text.index(BODY)
    assert doc.title == "标题" and doc.date == "2022-05-13"


def test_a_subhead_without_bullet_stays_inside_its_article() -> None:
    section = "该局今年以来开展有害垃圾收运,有害垃圾收运点位覆盖全市,有害垃圾收运量同比增长三成。"
    text = "\n".join(["有害垃圾收运如何处置", "本报记者 李四", section, "收运体系逐步完善", section + section,
                      "株洲启动收费专项检查", "本报记者 张三", THIRD])
    passages = segment(parse_text("dense.txt", text))
    assert [p.title for p in passages] == ["有害垃圾收运如何处置", "株洲启动收费专项检查"]


def test_lines_are_the_stripped_non_blank_lines_with_their_offsets() -> None:
    from neardup.segment import _lines

    # every kind of whitespace str.strip knows, inside and around lines; only "\n" separates lines
    text = ("\u3000 标题一\t\r\n\n \x1c\x85\u2028\n# 小标题 \u00a0\n正文\u2003正文\r\n#不是标题\n  ##  \n末行\u3000")
    for start, end in [(0, len(text)), (2, len(text) - 1), (5, 30)]:
        expected = []
        pos = start
        for raw in text[start:end].split("\n"):
            stripped = raw.strip()
            if stripped:
                begin = pos + len(raw) - len(raw.lstrip())
                expected.append((begin, begin + len(stripped), stripped))
            pos += len(raw) + 1
        got = _lines(text, start, end)
        assert [(line.start, line.end, line.text) for line in got] == expected
        assert all(text[line.start:line.end] == line.text for line in got)
    assert [line.heading for line in _lines(text, 0, len(text)) if line.heading] == [1]


def test_section_trigrams_are_the_trigrams_of_each_section_folded_alone() -> None:
    from neardup.normalize import fold_text
    from neardup.segment import _lines, _section_trigrams

    # full-width letters, a ligature and a circled digit change length or form when folded
    text = "\n".join(["ＡＢＣ有害垃圾收运", "ﬁne ①号 點位覆蓋", "短", "第二节 有害垃圾", "ab", "收运量同比增长"])
    lines = _lines(text, 0, len(text))
    ordered = [0, 2, 3, 5, 6]
    grams = _section_trigrams(lines, ordered, {0, 1, 3})
    for k in (0, 1, 3):
        folded = fold_text(" ".join(line.text for line in lines[ordered[k]:ordered[k + 1]]))
        expected = {folded[i:i + 3] for i in range(len(folded) - 2)}
        decoded = {"".join(chr((int(code) >> shift) & 0x1FFFFF) for shift in (42, 21, 0)) for code in grams[k]}
        assert decoded == expected and len(grams[k]) == len(expected)
    assert grams[1].size == 0  # one character: no trigram


# Real People's Daily prose (January 1998), as a page prints it.
HEADLINE_1 = "中港集团中标吐乌大高等级公路项目"
BODY_1 = ("本报讯记者陈陆军报道：日前，中港集团在新疆吐乌大高等级公路交通工程项目的国际招标中一举中标，"
          "并签定总承包合同。该项目全长二百八十三公里，是新疆维吾尔自治区迄今为止最大的公路建设项目，"
          "工程总投资约二十亿元，计划于两年内建成通车。")
HEADLINE_2 = "兖州矿业集团效益创历史最好水平"
BODY_2 = ("本报讯山东兖州矿业集团公司去年生产原煤一千五百万吨，实现利税六亿元，经济效益创历史最好水平。"
          "这个集团坚持以市场为导向，狠抓内部管理，全员劳动生产率比上年提高百分之十二，"
          "吨煤成本下降了八元。")
WEATHER = "蒙古东北部、东北地区北部和东部将有小到中雪，江淮、江南、华南大部以及贵州等地将有小到中雨，其中江南的局部地区有大雨。"


def _wrap(text: str, width: int) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)]


@pytest.mark.parametrize("width", [12, 17, 24, 30, 36])
@pytest.mark.parametrize("blank", [True, False])
def test_hard_wrapped_page_is_read_as_paragraphs_and_cut_at_its_headlines(width: int, blank: bool) -> None:
    lines = [*_wrap(WEATHER, width), HEADLINE_1, *_wrap(BODY_1, width), HEADLINE_2, *_wrap(BODY_2, width)]
    text = ("\n\n" if blank else "\n").join(lines)
    passages = segment(parse_text("page.txt", text))
    starts = [text[p.start:p.end] for p in passages]
    assert [p.title for p in passages][-2:] == [HEADLINE_1, HEADLINE_2]
    assert starts[-2].startswith(HEADLINE_1) and starts[-2].replace("\n", "").endswith(BODY_1)
    assert starts[-1].startswith(HEADLINE_2) and starts[-1].replace("\n", "").endswith(BODY_2)


def test_an_article_without_headline_starts_at_its_dateline() -> None:
    text = "\n".join([HEADLINE_1, BODY_1, BODY_1.replace("本报讯记者陈陆军报道：", ""), BODY_2,
                      BODY_2.replace("本报讯", "")])
    passages = segment(parse_text("page.txt", text))
    assert len(passages) == 2
    assert text[passages[1].start:].startswith(BODY_2)


def test_a_credit_line_closes_its_article_and_heads_none() -> None:
    text = "\n".join([HEADLINE_1, BODY_1, "（陈陆军）", HEADLINE_2, BODY_2])
    passages = segment(parse_text("page.txt", text))
    assert [p.title for p in passages] == [HEADLINE_1, HEADLINE_2]
    assert text[passages[0].start:passages[0].end].endswith("（陈陆军）")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="工程项目中标公路。，新疆 ", min_size=1, max_size=80), min_size=1, max_size=12),
       st.integers(min_value=8, max_value=30), st.booleans())
def test_paragraph_lines_keep_exact_offsets(paragraphs: list[str], width: int, blank: bool) -> None:
    from neardup.segment import _lines, _paragraphs

    text = ("\n\n" if blank else "\n").join(line for p in paragraphs for line in _wrap(p, width))
    physical = _lines(text, 0, len(text))
    joined = _paragraphs(text, physical)
    # every physical line lies in exactly one paragraph line, in order, and its text is theirs joined
    assert [line.start for line in joined] == sorted(line.start for line in joined)
    covered = [line for paragraph in joined for line in physical if paragraph.start <= line.start < paragraph.end]
    assert covered == physical
    for paragraph in joined:
        inside = [line.text for line in physical if paragraph.start <= line.start < paragraph.end]
        assert paragraph.text == "".join(inside)
        # between its lines only line breaks and the whitespace the lines were stripped of
        assert "".join(text[paragraph.start:paragraph.end].split()) == "".join(paragraph.text.split()) or blank


def test_article_bounds_take_the_headline_block_and_stay_inside_their_limits() -> None:
    from neardup.segment import Page

    text = "\n".join([HEADLINE_1, "本报记者陈陆军", BODY_1, HEADLINE_2, BODY_2])
    page = Page(parse_text("page.txt", text))
    body = text.index(BODY_1)
    assert page.article_bounds(0, len(text), body + 5, body + 40) == (0, body + len(BODY_1))
    lo = text.index("本报记者")
    assert page.article_bounds(lo, len(text), body + 5, body + 40) == (lo, body + len(BODY_1))
    assert page.article_break(body + len(BODY_1), text.index(HEADLINE_2) + 3)
    assert not page.article_break(body + 20, body + 30)


def test_same_story_tells_sections_of_one_article_from_neighbours() -> None:
    from neardup.segment import Page

    text = "\n".join([BODY_1, BODY_1.replace("中港集团", "该集团"), WEATHER * 2])
    same_story = Page(parse_text("page.txt", text)).same_story
    first = (0, len(BODY_1))
    second = (len(BODY_1) + 1, 2 * len(BODY_1) + 1)
    weather = (second[1] + 1, len(text))
    assert same_story(first, second)
    assert not same_story(first, weather)


def test_a_headline_as_wide_as_the_column_does_not_run_into_the_body() -> None:
    headline = "体育的产业定位要科学（附图片１张）"  # 17 characters in a column of 18
    lines = [*_wrap(BODY_1, 18), headline, *_wrap(BODY_2.replace("本报讯", ""), 18)]
    text = "\n".join(lines)
    passages = segment(parse_text("page.txt", text))
    assert [p.title for p in passages][-1] == headline
    assert text[passages[-1].start:].startswith(headline)
