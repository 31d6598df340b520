"""html.extract: main-content extraction from saved news pages, with exact offsets.

Three kinds of check: hand-written portal pages in tests/data/portal (each with a JSON file naming
its article paragraphs, its furniture strings, title and date); the repost seed 001; and
invariants of blocks and edits, by example, on hostile input and with hypothesis.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neardup.html.extract import HtmlArticle, extract_article, visible_text
from neardup.models import Block, Edit

PORTAL = Path(__file__).parent / "data" / "portal"
SEED = Path(__file__).parent.parent / "examples" / "karamay" / "001_807e1903ea0d3845.txt"
PAGES = sorted(p.stem for p in PORTAL.glob("*.html"))


def check_invariants(html: str, article: HtmlArticle, start: int = 0, end: int | None = None) -> None:
    """Blocks sorted, disjoint, inside the region, never blank; edits sorted, disjoint, inside
    their block; boilerplate disjoint from blocks."""
    end = len(html) if end is None else end
    last = start
    for block in article.blocks:
        assert last <= block.start < block.end <= end, (last, block)
        cursor = block.start
        for edit in block.edits:
            assert cursor <= edit.start < edit.end <= block.end, (block, edit)
            cursor = edit.end
        text = visible_text(html, block)
        assert text.strip(), block
        last = block.end
    spans = sorted([(b.start, b.end) for b in article.blocks] + list(article.boilerplate))
    for (_, e1), (s2, _) in itertools.pairwise(spans):
        assert e1 <= s2
    for s, e in article.boilerplate:
        assert start <= s < e <= end


def squash(text: str) -> str:
    return " ".join(text.split())


def article_text(html: str, article: HtmlArticle) -> str:
    return "\n".join(squash(visible_text(html, b)) for b in article.blocks)


# ---------------------------------------------------------------------------------------------
# Portal pages


@dataclass(frozen=True)
class Page:
    html: str
    article: HtmlArticle
    title: str
    date: str | None
    paragraphs: list[str]
    furniture: list[str]


@pytest.fixture(scope="module", params=PAGES)
def page(request: pytest.FixtureRequest) -> Page:
    html = (PORTAL / f"{request.param}.html").read_text(encoding="utf-8")
    expected = json.loads((PORTAL / f"{request.param}.json").read_text(encoding="utf-8"))
    article = extract_article(html)
    return Page(html, article, expected["title"], expected["date"], expected["paragraphs"], expected["furniture"])


def test_there_are_pages_of_each_layout() -> None:
    assert len(PAGES) >= 6
    for name in PAGES:
        head = (PORTAL / f"{name}.html").read_text(encoding="utf-8")[:3000]
        assert "Boilerplate in this page" in head, name


def test_every_article_paragraph_is_extracted(page: Page) -> None:
    text = article_text(page.html, page.article)
    missing = [p for p in page.paragraphs if squash(p) not in text]
    assert not missing


def test_no_furniture_is_extracted(page: Page) -> None:
    text = article_text(page.html, page.article)
    leaked = [f for f in page.furniture if f in text]
    assert not leaked


def test_title_and_date(page: Page) -> None:
    assert page.article.title == page.title
    assert page.article.date == page.date


def test_page_offsets_round_trip(page: Page) -> None:
    html = page.html
    check_invariants(html, page.article)
    for block in page.article.blocks:
        assert html[block.start] not in "<&" or block.edits[0].start == block.start
        for edit in block.edits:
            raw = html[edit.start : edit.end]
            # markup ("<...>", maybe several tags, comments and hidden elements) or a reference
            if edit.text in ("", "\n"):
                assert raw.startswith("<") and raw.endswith(">"), raw
            else:
                assert raw.startswith("&") and html_unescape(raw) == edit.text, raw


def test_boilerplate_holds_the_furniture(page: Page) -> None:
    dropped = " ".join(squash(page.html[s:e]) for s, e in page.article.boilerplate)
    for word in ("责任编辑", "相关", "ICP"):
        if any(word in f for f in page.furniture):
            assert word in dropped


# ---------------------------------------------------------------------------------------------
# The repost seed: front matter, <p> paragraphs, then a source line and link lines


def test_seed_001_paragraphs_between_front_matter_and_link_lines() -> None:
    text = SEED.read_text(encoding="utf-8")
    body = text.index("\n---\n", 3) + 5
    article = extract_article(text, start=body)
    check_invariants(text, article, start=body)
    got = [visible_text(text, b) for b in article.blocks]
    assert got[0].startswith("前不久，新疆克拉玛依高新区")
    assert got[-1] == (
        "舵稳当奋楫，风劲好扬帆。站在新的起点上，克拉玛依高新区聚焦新疆产业发展方向和企业创新创业需求，"
        "精准施策、持续发力，跑出“科技陪伴式服务”加速度，推动克拉玛依高新区经济高质量发展。"
    )
    # the "●" subheadings are article text and stay
    assert "●在全疆率先提出“科技陪伴式服务”理念" in got
    assert "●“科技陪伴式服务” 结出累累硕果" in got
    assert len(got) == text[body:].count("<p>")  # every <p> but the styled source line
    assert all(b.kind == "paragraph" and not b.edits for b in article.blocks)
    joined = "\n".join(got)
    for furniture in ("文章来源", "株洲日报）", "http://", "返回首页", "返回株洲日报新闻", "]("):
        assert furniture not in joined
    dropped = " ".join(text[s:e] for s, e in article.boilerplate)
    assert "（文章来源：株洲日报）" in dropped
    assert "<http://finews.zning.xyz/" in dropped and "[返回首页](//finews.withounder.com/)" in dropped
    assert article.title is None  # the front matter has it; ingest keeps that one


def test_region_offsets_are_into_the_whole_text() -> None:
    head = "<p>这一段在区域之前，不应被解析出来。</p>"
    region = "<p>区域里的段落，应当被提取出来。</p>"
    html = head + region + "<p>这一段在区域之后，也不应出现。</p>"
    article = extract_article(html, start=len(head), end=len(head) + len(region))
    check_invariants(html, article, len(head), len(head) + len(region))
    assert [visible_text(html, b) for b in article.blocks] == ["区域里的段落，应当被提取出来。"]
    assert article.blocks[0].start == len(head) + 3


def test_bad_region_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        extract_article("<p>x</p>", start=5, end=2)
    with pytest.raises(ValueError, match="outside"):
        extract_article("<p>x</p>", end=99)


# ---------------------------------------------------------------------------------------------
# Edits


def test_edits_for_tags_references_and_breaks() -> None:
    html = "<div class='content'><p>甲&amp;乙&#20013;&#x6587;&nbsp;丙<br>丁<b>戊</b><!-- 注释 -->己&lt;庚</p></div>"
    (block,) = extract_article(html).blocks
    assert [(html[e.start : e.end], e.text) for e in block.edits] == [
        ("&amp;", "&"),
        ("&#20013;", "中"),
        ("&#x6587;", "文"),
        ("&nbsp;", "\u00a0"),
        ("<br>", "\n"),
        ("<b>", ""),
        ("</b><!-- 注释 -->", ""),
        ("&lt;", "<"),
    ]
    assert visible_text(html, block) == "甲&乙中文\u00a0丙\n丁戊己<庚"


def test_references_without_semicolon_and_unknown_ones() -> None:
    html = "<p>A&amp B &copy2023 &bogus; &#; AT&#T &#x4e2d;文</p>"
    (block,) = extract_article(html).blocks
    assert visible_text(html, block) == "A& B ©2023 &bogus; &#; AT&#T 中文"


def test_hidden_parts_inside_a_paragraph_are_one_edit() -> None:
    html = '<p>前半句，<script>var s = "<p>脚本</p>";</script><span style="display:none">隐藏的字</span>后半句。</p>'
    (block,) = extract_article(html).blocks
    assert visible_text(html, block) == "前半句，后半句。"
    assert [html[e.start : e.end] for e in block.edits] == [
        '<script>var s = "<p>脚本</p>";</script><span style="display:none">隐藏的字</span>'
    ]


def test_headings_are_blocks_with_their_level() -> None:
    html = (
        "<article><h2>第一部分</h2><p>这是第一部分的正文内容，讲述了一些事情的经过和细节。</p>"
        "<h3>小标题</h3><p>这是第二部分的正文内容，同样讲述了事情的经过、结果和影响。</p></article>"
    )
    article = extract_article(html)
    kinds = [(b.kind, b.level) for b in article.blocks]
    assert kinds == [("heading", 2), ("paragraph", 0), ("heading", 3), ("paragraph", 0)]


def test_visible_text_applies_edits() -> None:
    block = Block(0, 11, "paragraph", 0, (Edit(1, 4, ""), Edit(5, 10, "&")))
    assert visible_text("a<b>c&amp;d", block) == "ac&d"


def test_br_separated_article_in_one_div() -> None:
    # the older thepaper.cn layout: the whole article is text and <br>s inside div.news_txt
    paragraphs = [
        "5月16日，上海“一网通办”平台正式上线新场景，十个高频事项实现一次告知、一表申请、一网办理。",
        "以企业开办为例，过去申请人需要往返多个部门；如今通过平台一次填报，最快半个工作日即可领取全部证照。",
        "市政务服务办有关负责人介绍，上海已打通42个部门的数据接口，累计归集电子证照1.2亿张。",
    ]
    html = (
        "<div class='nav'><a href='/'>首页</a><a href='/a'>时事</a><a href='/b'>财经</a></div>"
        "<div class='newscontent'><h1 class='news_title'>上海一网通办上线新场景</h1>"
        "<div class='news_about'><p>澎湃新闻记者 周颖</p><p>2023-05-16 14:07 来源：澎湃新闻</p></div>"
        "<div class='news_txt' data-size='standard'>" + "<br><br>".join(paragraphs) + "<br><br>（责任编辑：李晓）</div>"
        "<div class='news_keyword'>关键词 >> 一网通办</div></div>"
        "<div class='ctread_bd'><h2>相关推荐</h2><ul><li><a href='/1'>上海发布数字政府建设三年行动方案</a></li>"
        "<li><a href='/2'>长三角政务服务跨省通办事项扩容</a></li></ul></div>"
    )
    article = extract_article(html)
    check_invariants(html, article)
    # the text-only div counts as one paragraph of its parent, which also holds the headline
    heading, block = article.blocks
    assert (heading.kind, heading.level, visible_text(html, heading)) == ("heading", 1, "上海一网通办上线新场景")
    assert visible_text(html, block) == "\n\n".join(paragraphs)  # consecutive kept lines stay one block
    assert [html[e.start : e.end] for e in block.edits] == ["<br>", "<br>"] * 2
    assert article.date == "2023-05-16 14:07"


def test_marked_captions_go_unmarked_ones_stay() -> None:
    body = "正文段落，讲述了事情的经过和细节，内容足够长，可以构成文章的一部分。" * 2
    html = (
        f"<div class='article'><p>{body}</p>"
        "<p><img src='a.jpg'><span class='img_descr'>标记为图注的说明文字。</span></p>"
        "<figure><img src='b.jpg'><figcaption>图注元素里的说明文字。</figcaption></figure>"
        "<p style='text-align:center'>图为没有标记的说明文字。</p>"
        f"<p>{body}</p></div>"
    )
    text = article_text(html, extract_article(html))
    assert "标记为图注" not in text and "图注元素" not in text
    assert "图为没有标记的说明文字。" in text


def test_display_none_is_hidden_but_visibility_hidden_is_not() -> None:
    body = "正文段落，讲述了事情的经过和细节，内容足够长，可以构成文章的一部分。"
    html = (
        f"<div id='js_content' style='visibility: hidden;'><p>{body}</p>"
        f"<p style='display: none'>隐藏段落，不应出现在正文里，即使它很长很长，也有标点。</p>"
        f"<p hidden>另一个隐藏段落，不应出现在正文里。</p><p>{body}</p></div>"
    )
    text = article_text(html, extract_article(html))
    assert text == f"{body}\n{body}"


def test_a_mismatched_heading_end_tag_closes_the_heading() -> None:
    html = "<article><h2>小标题</h3><p>这是正文的段落，讲述了事情的经过和细节，内容足够长。</p></article>"
    kinds = [(b.kind, visible_text(html, b)) for b in extract_article(html).blocks]
    assert kinds == [("heading", "小标题"), ("paragraph", "这是正文的段落，讲述了事情的经过和细节，内容足够长。")]


# ---------------------------------------------------------------------------------------------
# Titles, dates, fallbacks


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("克拉玛依高新区科技服务见成效_新浪网", "克拉玛依高新区科技服务见成效"),
        ("克拉玛依高新区科技服务见成效 - 滚动新闻 - 人民网", "克拉玛依高新区科技服务见成效"),
        ("克拉玛依高新区科技服务见成效|澎湃新闻", "克拉玛依高新区科技服务见成效"),
        ("克拉玛依高新区科技服务见成效-新华网", "克拉玛依高新区科技服务见成效"),
        ("2022-2023年度科技服务总结", "2022-2023年度科技服务总结"),
        ("美方回应-中方表态 - 新华网", "美方回应-中方表态"),
    ],
)
def test_title_tag_loses_its_site_suffix(title: str, expected: str) -> None:
    html = f"<html><head><title>{title}</title></head><body><p>正文内容，足够长的一句话，用来构成文章。</p></body></html>"
    assert extract_article(html).title == expected


def test_title_prefers_og_title_then_h1() -> None:
    body = "<div class='article'><h1>正文里的标题</h1><p>正文内容，足够长的一句话，用来构成一篇文章。</p></div>"
    og = '<meta property="og:title" content="社交标题">'
    assert extract_article(f"<head><title>网页标题_某某网</title>{og}</head>{body}").title == "社交标题"
    assert extract_article(f"<head><title>网页标题_某某网</title></head>{body}").title == "正文里的标题"


def test_visible_date_line_above_the_article() -> None:
    html = (
        "<div class='info'>2023年5月6日 8:05 来源：某某日报</div>"
        "<div class='content'><p>正文内容，足够长的一句话，用来构成一篇文章，再多写几个字。</p></div>"
    )
    assert extract_article(html).date == "2023-05-06 08:05"


def test_a_list_page_still_gives_its_lines() -> None:
    items = "".join(f"<li><a href='/{i}'>第{i}条新闻标题在这里</a></li>" for i in range(20))
    article = extract_article(f"<html><body><ul class='list'>{items}</ul></body></html>")
    assert article.blocks
    check_invariants(f"<html><body><ul class='list'>{items}</ul></body></html>", article)


@pytest.mark.parametrize(
    "html",
    ["", "   \n ", "<html><head><title>只有标题</title></head><body></body></html>", "<script>var a='正文';</script>", "<!---->"],
)
def test_no_visible_text_no_blocks(html: str) -> None:
    assert extract_article(html).blocks == ()


def test_plain_text_is_one_block_even_without_tags() -> None:
    html = "第一段文字，没有任何标签。"
    (block,) = extract_article(html).blocks
    assert visible_text(html, block) == html


# ---------------------------------------------------------------------------------------------
# Hostile input: bounded time, no recursion


PARAGRAPH = "<p>克拉玛依高新区企业通过科技创新结出了累累硕果，政企科技合作纽带进一步紧密。</p>"


def test_malformed_markup() -> None:
    html = (
        "开头在html之外的文字，也是可见文本，算一段。"
        "<html><head><title>t</title><body><div></div></div></span><p>未闭合的段落，第一段文字内容。"
        "<p>第二段，<b>粗体没有闭合，<div>块内文字，也是一段内容。</p></td></html>"
        "结尾在html之外的文字，也是可见文本。<div"
    )
    article = extract_article(html)
    check_invariants(html, article)
    text = article_text(html, article)
    assert "未闭合的段落，第一段文字内容。" in text and "块内文字，也是一段内容。" in text
    assert "<" not in text


def test_a_comment_that_never_closes_hides_the_rest() -> None:
    html = "<p>第一段文字，属于正文内容。</p><!-- 注释 --><p>第二段文字，属于正文内容。</p><!-- 未闭合 <p>被注释掉的段落。</p>"
    got = [visible_text(html, b) for b in extract_article(html).blocks]
    assert got == ["第一段文字，属于正文内容。", "第二段文字，属于正文内容。"]


def test_an_ampersand_hash_that_is_not_a_reference_does_not_swallow_the_page() -> None:
    html = "<p>AT&#T 公司，第一段文字内容。</p><p>&#xyz; 第二段，<b>粗体</b>文字内容。</p><p>第三段&#</p>"
    article = extract_article(html)
    check_invariants(html, article)
    assert [visible_text(html, b) for b in article.blocks] == [
        "AT&#T 公司，第一段文字内容。",
        "&#xyz; 第二段，粗体文字内容。",
        "第三段&#",
    ]


@pytest.mark.slow
@pytest.mark.parametrize("closed", [True, False])
def test_nesting_100000_deep(closed: bool) -> None:
    depth = 100_000
    html = "<div><span>" * depth + PARAGRAPH + ("</span></div>" * depth if closed else "")
    began = time.perf_counter()
    article = extract_article(html)
    assert time.perf_counter() - began < 60
    check_invariants(html, article)
    assert [squash(visible_text(html, b)) for b in article.blocks] == [
        "克拉玛依高新区企业通过科技创新结出了累累硕果，政企科技合作纽带进一步紧密。"]


@pytest.mark.slow
def test_many_stray_end_tags_cost_nothing() -> None:
    html = "<div>" * 50_000 + PARAGRAPH + "</span></p></b>" * 50_000
    began = time.perf_counter()
    article = extract_article(html)
    assert time.perf_counter() - began < 60
    assert len(article.blocks) == 1


@pytest.mark.slow
def test_an_8_million_character_line() -> None:
    sentence = "克拉玛依高新区企业通过科技创新结出了累累硕果，"
    html = "<div class='content'><p>" + sentence * (8_000_000 // len(sentence)) + "</p><br>尾巴，也是正文的一部分。</div>"
    assert "\n" not in html and len(html) > 7_900_000
    began = time.perf_counter()
    article = extract_article(html)
    assert time.perf_counter() - began < 60
    check_invariants(html, article)
    assert article.blocks[0].end - article.blocks[0].start > 7_900_000


# ---------------------------------------------------------------------------------------------
# Invariants on random fragments


class _Oracle(HTMLParser):
    """Every character a reader could see, by the parser's own reference decoding."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style") and self.skip > 0

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


_TOKENS = st.sampled_from(
    [
        "<p>", "</p>", "<div>", "</div>", "<div class='content'>", "<div class='nav'>", "<span>", "</span>",
        "<a href='x'>", "</a>", "<b>", "</b>", "<br>", "<br/>", "<h2>", "</h2>", "<ul>", "<li>", "</li>",
        "<table><tr><td>", "</td>", "<img src='a.png'>", "<!-- c -->", "<!DOCTYPE html>", "<html>", "<body>",
        "</body>", "</html>", "<script>var s='<p>x</p>';</script>", "<style>p{color:red}</style>",
        "&amp;", "&nbsp;", "&#20013;", "&#x4e2d;", "&lt;", "&bogus;", "&#;", "&", " ", "\n", "\r\n", "\t",
        "　", "正文内容", "，", "。", "克拉玛依", "abc", "x y", " < ", "2023年5月6日", "责任编辑：某某",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_TOKENS, max_size=40), st.integers(0, 5))
def test_random_fragments_keep_the_invariants(tokens: list[str], pad: int) -> None:
    html = "x" * pad + "".join(tokens)
    article = extract_article(html, start=pad)
    check_invariants(html, article, start=pad)
    oracle = _Oracle()
    oracle.feed(html[pad:])
    oracle.close()
    seen = "".join("".join(oracle.parts).split())
    for block in article.blocks:
        text = visible_text(html, block)
        assert "".join(text.split()) in seen, (text, seen)
        for edit in block.edits:
            # literal text is never hidden inside an edit, and markup never outside one
            assert edit.text or html[edit.start] in "<&" or html[edit.start - 1 : edit.start + 1] == "&#"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("<>&#;/pdivb= '\"\n中文，。x!-"), max_size=80))
def test_arbitrary_text_never_breaks_the_invariants(html: str) -> None:
    check_invariants(html, extract_article(html))
