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


def test_dense_page_without_blank_lines_finds_headlines_and_keeps_bylines() -> None:
    text = "\n".join([
        "株洲启动行业协会商会收费专项检查", "本报记者 张三", BODY, BODY,
        "有害垃圾收运如何处置? 市城管局出实招", BODY, "●分类收运", BODY,
    ])
    passages = segment(parse_text("dense.txt", text))
    assert [p.title for p in passages] == ["株洲启动行业协会商会收费专项检查", "有害垃圾收运如何处置? 市城管局出实招"]
    assert text[passages[0].start:passages[0].end].startswith("株洲启动")
    assert "本报记者" in text[passages[0].start:passages[0].end]
    assert text[passages[1].start:passages[1].end].endswith("落地生根。")


def test_continuation_markers_cut_passages() -> None:
    text = "\n\n".join(["头条新闻标题在这里", BODY, BODY + "(下转第四版)", "另一篇文章的标题", BODY])
    passages = segment(parse_text("p1.txt", text))
    assert text[passages[0].start:passages[0].end].endswith("(下转第四版)")
    rest = "\n\n".join(["（上接第一版）" + BODY, BODY, "其他新闻标题", BODY])
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
