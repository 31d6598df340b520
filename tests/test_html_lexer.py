"""html.lexer: the regex lexer (token kinds and offsets, raw text, references, malformed markup),
its agreement with CPython 3.11's html.parser, the tree builder at depth, and the places where the
lexer deliberately differs from what the html.parser-based extractor did.
"""

from __future__ import annotations

import html.parser
import re
from itertools import accumulate

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neardup.html.extract import extract_article, visible_text
from neardup.html.lexer import DATA, END, REFERENCE, START, START_END, attributes, parse_tree, tokens

CN = "克拉玛依高新区企业通过科技创新结出了累累硕果，这是一段足够长的中文正文。"


def lexed(src: str) -> list[tuple[int, str, str]]:
    """(kind, raw text of the token, tag name) for every token."""
    return [(kind, src[s:e], name) for kind, s, e, name in tokens(src)]


# ---------------------------------------------------------------------------------------------
# Tokens and offsets


def test_tokens_carry_absolute_offsets_and_skip_markup_that_carries_nothing() -> None:
    src = '<!DOCTYPE html>\n<p class="x">A&amp;B</p><!-- c --><br/>中\n文'
    assert list(tokens(src)) == [
        (DATA, 15, 16, ""),
        (START, 16, 29, "p"),
        (DATA, 29, 30, ""),
        (REFERENCE, 30, 35, ""),
        (DATA, 35, 36, ""),
        (END, 36, 40, "p"),
        (START_END, 50, 55, "br"),
        (DATA, 55, 58, ""),
    ]


def test_region_offsets_are_into_the_whole_string() -> None:
    src = "xx<b>y</b>zz"
    assert list(tokens(src, 2, 10)) == [(START, 2, 5, "b"), (DATA, 5, 6, ""), (END, 6, 10, "b")]
    # a reference cut by the end of the region ends there; the ";" outside is not read
    src = "<p>&amp;</p>"
    assert list(tokens(src, 3, 7)) == [(REFERENCE, 3, 7, "")]


def test_names_are_lower_cased_and_end_tags_are_read_tolerantly() -> None:
    src = "<DIV>a</ p><b>c</div foo='>'>d</SPAN\n>"
    assert lexed(src) == [
        (START, "<DIV>", "div"),
        (DATA, "a", ""),
        (END, "</ p>", "p"),
        (START, "<b>", "b"),
        (DATA, "c", ""),
        (END, "</div foo='>", "div"),  # up to the first ">", as html.parser reads it
        (DATA, "'>d", ""),
        (END, "</SPAN\n>", "span"),
    ]


def test_attributes_as_html_parser_gives_them() -> None:
    src = """<a HREF=x/y.html class = 'a&amp;b' title="1 > 0" hidden data-x=&#20013; e=>"""
    (kind, s, e, name), *rest = tokens(src)
    assert (kind, name, rest) == (START, "a", [])
    assert e == len(src)
    assert attributes(src, s, e) == [
        ("href", "x/y.html"),
        ("class", "a&b"),
        ("title", "1 > 0"),
        ("hidden", None),
        ("data-x", "中"),
        ("e", ""),
    ]


def test_self_closing_tags() -> None:
    assert lexed("<br/><p />x<img src=a/>") == [
        (START_END, "<br/>", "br"),
        (START_END, "<p />", "p"),
        (DATA, "x", ""),
        (START, "<img src=a/>", "img"),  # the "/" belongs to the unquoted value
    ]


def test_script_and_style_content_is_text_up_to_their_end_tag() -> None:
    src = "<script>if (a<b) document.write('</div><p>');</SCRIPT ><style>p>a{}</ style>x"
    assert lexed(src) == [
        (START, "<script>", "script"),
        (DATA, "if (a<b) document.write('</div><p>');", ""),
        (END, "</SCRIPT >", "script"),
        (START, "<style>", "style"),
        (DATA, "p>a{}", ""),
        (END, "</ style>", "style"),
        (DATA, "x", ""),
    ]
    # never closed: the rest is swallowed, as html.parser does
    assert lexed("<script>var x = '<p>';") == [(START, "<script>", "script")]
    # <script/> opens nothing
    assert lexed("<script/><p>x") == [(START_END, "<script/>", "script"), (START, "<p>", "p"), (DATA, "x", "")]


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("&amp;", [(REFERENCE, "&amp;")]),
        ("&amp", [(REFERENCE, "&amp")]),
        ("&ampx;", [(REFERENCE, "&ampx;")]),
        ("&nbsp中", [(REFERENCE, "&nbsp"), (DATA, "中")]),
        ("&bogus;", [(REFERENCE, "&bogus;")]),  # a reference token; unescaping leaves it as it is
        ("&#20013;", [(REFERENCE, "&#20013;")]),
        ("&#x4E2D!", [(REFERENCE, "&#x4E2D"), (DATA, "!")]),
        ("&#20013", [(REFERENCE, "&#20013")]),  # at the end of the text
        ("&#12a;", [(DATA, "&"), (DATA, "#12a;")]),  # digits run into a hex letter: no reference
        ("&#;x", [(DATA, "&"), (DATA, "#;x")]),
        ("&#", [(DATA, "&"), (DATA, "#")]),
        ("& b", [(DATA, "&"), (DATA, " b")]),
        ("&", [(DATA, "&")]),
    ],
)
def test_references(src: str, expected: list[tuple[int, str]]) -> None:
    assert [(kind, raw) for kind, raw, _ in lexed(src)] == expected


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("a<!-- x <p> -- >b", [(DATA, "a"), (DATA, "b")]),
        ("a<!---->b<!--->c-->d", [(DATA, "a"), (DATA, "b"), (DATA, "d")]),  # "<!--->" does not close itself
        ("a<![CDATA[ <p> ]]>b<![if !IE]>c<![endif]>d", [(DATA, "a"), (DATA, "b"), (DATA, "c"), (DATA, "d")]),
        ("a<?php echo 1; ?>b<!x>c</>d</ x y>e", [(DATA, s) for s in "abcde"]),
        ("a < b, 1<2 <3 <中", [(DATA, "a "), (DATA, "<"), (DATA, " b, 1"), (DATA, "<"), (DATA, "2 "),
                              (DATA, "<"), (DATA, "3 "), (DATA, "<"), (DATA, "中")]),
        # what never finishes is text up to the next ">" (html.parser when closed)
        ("<a b='x>c<p>d", [(DATA, "<a b='x>"), (DATA, "c"), (START, "<p>"), (DATA, "d")]),
        ("x<!--->y", [(DATA, "x"), (DATA, "<!--->"), (DATA, "y")]),
        ("x<!-- y", [(DATA, "x"), (DATA, "<"), (DATA, "!-- y")]),
        ("x</y", [(DATA, "x"), (DATA, "<"), (DATA, "/y")]),
        # a tag name followed by something no attribute can start with is text
        ("<a\x00b>", [(DATA, "<a"), (DATA, "\x00b>")]),
    ],
)
def test_malformed_markup(src: str, expected: list[tuple[int, str]]) -> None:
    assert [(kind, raw) for kind, raw, _ in lexed(src)] == expected


def test_marked_section_without_a_known_keyword_is_a_bogus_comment() -> None:
    # html.parser raises AssertionError here, which used to abort extract_article
    assert [(kind, raw) for kind, raw, _ in lexed("a<![ oops >b<![<p>c")] == [(DATA, "a"), (DATA, "b"), (DATA, "c")]
    page = f"<title>T</title><p>{CN}</p><![ oops >"
    assert [visible_text(page, b) for b in extract_article(page).blocks] == [CN]


# ---------------------------------------------------------------------------------------------
# Agreement with html.parser (CPython 3.11.7, which the extractor used before this lexer)


def _parser_is_the_reference() -> bool:
    """Later security releases read unfinished markup at the end and "--!>" differently."""
    seen: list[str] = []

    class Probe(html.parser.HTMLParser):
        def handle_data(self, data: str) -> None:
            seen.append(data)

    probe = Probe(convert_charrefs=False)
    probe.feed("<!--a--!>b<!--c")
    probe.close()
    return seen == ["<!--a--!>", "b", "<", "!--c"]


def html_parser_tokens(text: str) -> list[tuple[int, int, int | None, str, object]]:
    """html.parser's callbacks for ``text`` (fed with a newline after it, then closed) as tokens."""
    fed = text + "\n"
    line_starts = list(accumulate((len(line) + 1 for line in fed.split("\n")), initial=0))
    out: list[tuple[int, int, int | None, str, object]] = []

    class Recorder(html.parser.HTMLParser):
        def pos(self) -> int:
            return line_starts[self.lineno - 1] + self.offset

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            s = self.pos()
            out.append((START, s, s + len(self.get_starttag_text() or ""), tag, attrs))

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            s = self.pos()
            out.append((START_END, s, s + len(self.get_starttag_text() or ""), tag, attrs))

        def handle_endtag(self, tag: str) -> None:
            out.append((END, self.pos(), None, tag, None))

        def handle_data(self, data: str) -> None:
            s = self.pos()
            e = min(s + len(data), len(text))
            if s < e:
                out.append((DATA, s, e, "", None))

        def handle_charref(self, name: str) -> None:
            self.reference(2 + len(name))

        def handle_entityref(self, name: str) -> None:
            self.reference(1 + len(name))

        def reference(self, length: int) -> None:
            s = self.pos()
            e = s + length
            out.append((REFERENCE, s, e + (text[e : e + 1] == ";"), "", None))

    recorder = Recorder(convert_charrefs=False)
    recorder.feed(fed)
    recorder.close()
    return out


def lexer_tokens(text: str) -> list[tuple[int, int, int | None, str, object]]:
    return [
        (kind, s, None if kind == END else e, name, attributes(text, s, e) if kind in (START, START_END) else None)
        for kind, s, e, name in tokens(text)
    ]


_CHARREF = re.compile("&#(?:[0-9]+|[xX][0-9a-fA-F]+)[^0-9a-fA-F]")
_PIECES = [
    "<", "</", "<p", "<a ", "<div class=", "<br", "<script>", "</script", "<style>", "</style >", "<!--", "-->",
    "<!", "<?", "</ ", "<![CDATA[", "]]>", ">", "/>", "/", "=", "'", '"', " ", "\n", "\t", "\x0b", "\x00", "\u3000",
    "&amp;", "&nbsp", "&#20013;", "&#x4e2d", "&a-b.c", "&", "a", "B", "x:y", "class", "id", "中文", "。", "-",
]  # fmt: skip


@pytest.mark.skipif(not _parser_is_the_reference(), reason="html.parser is not the 3.11.7 reference")
@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=50).map("".join))
def test_tokens_agree_with_html_parser(text: str) -> None:
    # where the lexer differs on purpose: "&#" that starts no reference, and "<![" (both tested above)
    fed = text + "\n"
    if "<![" in text or any(not _CHARREF.match(fed, m.start()) for m in re.finditer("&#", fed)):
        return
    assert lexer_tokens(text) == html_parser_tokens(text)


@pytest.mark.skipif(not _parser_is_the_reference(), reason="html.parser is not the 3.11.7 reference")
def test_tokens_agree_with_html_parser_on_the_portal_pages() -> None:
    from pathlib import Path

    for page in sorted((Path(__file__).parent / "data" / "portal").glob("*.html")):
        text = page.read_text(encoding="utf-8")
        assert lexer_tokens(text) == html_parser_tokens(text), page.name


# ---------------------------------------------------------------------------------------------
# The tree


def test_deep_nesting_needs_no_recursion() -> None:
    depth = 100_000
    page = "<div>" * depth + CN + "</div>" * depth
    tree = parse_tree(page, 0, len(page))
    assert len(tree.tags) == depth + 1
    assert [(owner, [(s, e) for s, e, _, _ in pieces]) for owner, pieces in tree.runs] == [
        (depth, [(5 * depth, 5 * depth + len(CN))])
    ]


def test_markup_that_can_never_finish_is_cut_off() -> None:
    page = f"<p>{CN}</p><div class='content'"
    tree = parse_tree(page, 0, len(page))
    assert tree.stop == page.index("<div")
    page = f"<p>{CN}</p><!-- never closed <p>{CN}</p>"
    assert parse_tree(page, 0, len(page)).stop == page.index("<!--")


def test_an_unclosed_title_at_the_end_reads_nothing_past_it() -> None:
    # The html.parser version read one character past the region (its closing newline's offset).
    page = f"<p>{CN}</p><title>abc</p><div"
    assert extract_article(page).title == "abc"
    assert extract_article(page + "z", end=len(page)).title == "abc"


def test_attribute_values_keep_an_ampersand_hash_that_starts_no_reference() -> None:
    # The html.parser version rewrote such "&#" as "&!" everywhere, attribute values included.
    page = f"<meta property='og:title' content='A &# B'><p>{CN}</p>"
    assert extract_article(page).title == "A &# B"


# ---------------------------------------------------------------------------------------------
# Whatever the input, extraction never fails and its ranges stay inside the text


_FRAGMENTS = st.sampled_from(
    [
        "<p>", "</p>", "<div class='content'>", "<div class=nav>", "</div>", "<span>", "</span>", "<a href=x>",
        "</a>", "<br/>", "<h2>", "</h2>", "<li>", "<table><tr><td>", "<script>", "</script>", "<style>",
        "<title>", "</title>", "<head>", "<body>", "<!--", "-->", "<!--->", "<![CDATA[", "<![", "]]>", "<?", "<!x>",
        "</>", "</ p>", "<p hidden>", "<meta name=date content=2024-01-02>", "&amp;", "&nbsp", "&#20013;", "&#",
        "&#;", "&", "<", ">", "'", '"', "=", "/", " ", "\n", "\r\n", "　", CN, "，", "。", "责任编辑：某某",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.lists(_FRAGMENTS, max_size=60).map("".join), st.text(max_size=300)), st.integers(0, 4))
def test_extraction_never_raises_and_ranges_stay_inside(text: str, trim: int) -> None:
    start = min(trim, len(text))
    end = max(start, len(text) - trim)
    article = extract_article(text, start=start, end=end)
    last = start
    for block in article.blocks:
        assert last <= block.start < block.end <= end
        cursor = block.start
        for edit in block.edits:
            assert cursor <= edit.start < edit.end <= block.end
            cursor = edit.end
        last = block.end
    for s, e in article.boilerplate:
        assert start <= s < e <= end
