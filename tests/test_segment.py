from __future__ import annotations

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


BODY = "在此期间,政企真诚互信,就科技创新工作良好协作,同心同向,共同营造优质的创新创业环境,共谋发展,推动多个科技成果转化项目落地生根。"
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
