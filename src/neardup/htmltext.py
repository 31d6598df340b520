"""The article inside a saved web page, as blocks with exact offsets into the page's text.

Parsing. ``html.parser.HTMLParser`` (``convert_charrefs=False``) tokenises ``html[start:end]``;
each token's (line, column) becomes an absolute offset through a table of line starts. A small
tree builder keeps an explicit stack (no recursion, so nesting depth costs nothing) and applies
the few HTML rules that change where text belongs: void elements, ``<p>``/``<li>``/cells/headings
closed by what cannot nest in them, ``<head>`` ended by body content, stray end tags ignored.
Script, style, noscript, iframe, form controls, ``hidden`` and ``display:none`` elements are
invisible (``visibility:hidden`` is not: saved WeChat pages keep it on the article). Text between
block-level tags forms a *run*; inside a run everything between two pieces of text (tags,
comments, hidden elements) is an ``Edit(s, e, "")``, ``<br>`` is ``Edit(s, e, "\\n")`` and a
character reference is an edit holding its character; whitespace is kept as written. Runs are
cut into lines at ``<br>`` and newlines so that furniture lines ("责任编辑：…", "（来源：…）",
Markdown link lines) can be dropped one at a time. Two parser quirks are worked around without
moving an offset: an "&#" that starts no reference, and tags left unfinished at the end.

Scoring, after arc90 readability, measured in Chinese. A run's *size* is its CJK characters plus
its sentence punctuation (，。、；：！？) plus a third of its other characters; runs of size 10 or
more are paragraphs. A paragraph earns ``(1 + punctuation + min(size / 40, 3)) * (1 - its link
density)`` and passes it up five levels: whole to the element holding it, then 1/2, 1/6, 1/9,
1/12. (A ``<p>``, or a div with nothing but text, *is* the paragraph, so its parent holds it.)
Each element that earns anything starts from a tag bonus (div/article +5, section/td/pre +3,
lists and forms -3, headings -5) and a class/id weight: -25 for a furniture word (nav, menu,
comment, related, recommend, hot, rank, share, ad, copyright, breadcrumb, ...), +25 for a
content word (article, content, main, text, post, detail, rich_media, TRS_Editor, artibody,
...). Its final score is that times ``1 - link density`` of everything under it, so lists of
real headlines of other articles score near zero however much Chinese they hold.

The best element wins; it moves up to an ancestor that outscores it (the article split over
several children) and past wrappers with one child. Siblings join it when they score at least a
fifth of it (a bonus when they share its class) or, for plain text, when they are long and
barely linked or end like a sentence. Inside the result, lists, tables and divs that are mostly
links with little punctuation are removed, and so are negatively hinted parts and marked
captions (figcaption, "img_descr", ...); then each line is checked against furniture patterns
(editor and source lines, ICP and copyright lines, share bars, section labels like "相关新闻",
date lines, lines that are only links or URLs, short lines that are one link).

A first pass ignores every element whose class, id or tag (nav, header, footer, aside) says
furniture. When that leaves under 80 of size, further passes keep those elements and then stop
removing linky parts; the longest result wins. A page where nothing scores (a list of links)
yields its non-furniture lines, and only a page with no visible text yields no blocks.
"""

from __future__ import annotations

import html as _html
import html.parser as _hp
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from .models import Block, BlockKind, Edit

__all__ = ["HtmlArticle", "extract_article", "visible_text"]


@dataclass(frozen=True, slots=True)
class HtmlArticle:
    """What :func:`extract_article` found on one page.

    ``blocks`` are the article's paragraphs and headings in document order; ``boilerplate`` are
    the raw ranges of visible text judged to be site furniture (menus, related headlines,
    comments, editor lines ...). Text that is never visible (scripts, styles) is in neither.
    """

    title: str | None
    date: str | None
    blocks: tuple[Block, ...]
    boilerplate: tuple[tuple[int, int], ...]


def visible_text(html: str, block: Block) -> str:
    """The text a reader sees in ``block``: its raw range of ``html`` with every edit applied.

    Whitespace inside the block is kept as written (HTML would collapse it); matching
    normalises it later.
    """
    out: list[str] = []
    pos = block.start
    for edit in block.edits:
        out.append(html[pos : edit.start])
        out.append(edit.text)
        pos = edit.end
    out.append(html[pos : block.end])
    return "".join(out)


def extract_article(html: str, *, start: int = 0, end: int | None = None) -> HtmlArticle:
    """Find the article in the page ``html[start:end]``; offsets are into the whole ``html``.

    >>> page = '<div class="nav"><a>首页</a></div><p>克拉玛依高新区企业通过科技创新结出了累累硕果。</p>'
    >>> a = extract_article(page)
    >>> [visible_text(page, b) for b in a.blocks]
    ['克拉玛依高新区企业通过科技创新结出了累累硕果。']
    """
    stop = len(html) if end is None else end
    if not 0 <= start <= stop <= len(html):
        raise ValueError(f"region {start}-{end} is outside the text (0-{len(html)})")
    builder = _Builder(html, start, stop)
    builder.parse()
    return _Page(html, builder).article()


# ---------------------------------------------------------------------------------------------
# Tags

_VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr".split())
_HIDDEN = frozenset(
    "head title script style noscript template iframe object svg math canvas textarea select"
    " button audio video noembed noframes datalist".split()
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCK = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt"
    " fieldset figcaption figure footer form frameset head header hgroup hr html legend li main"
    " menu nav ol p pre section summary table tbody td tfoot th thead title tr ul".split()
) | frozenset(_HEADINGS)
# A paragraph-like element is the paragraph itself; its parent is what its text scores for.
_PARA = frozenset("p pre td th li dd dt blockquote figcaption caption address summary legend".split())
_PARA |= frozenset(_HEADINGS)
_CLOSES_P = _BLOCK - {"body", "html", "head", "title", "caption", "td", "th", "tr", "tbody", "thead", "tfoot"}
# What a start tag closes when it is the nearest enclosing block (as browsers do).
_CLOSERS: dict[str, frozenset[str]] = {tag: frozenset({"p"}) for tag in _CLOSES_P}
_CLOSERS.update(
    li=frozenset({"p", "li"}),
    dt=frozenset({"p", "dt", "dd"}),
    dd=frozenset({"p", "dt", "dd"}),
    td=frozenset({"p", "td", "th"}),
    th=frozenset({"p", "td", "th"}),
    tr=frozenset({"p", "td", "th", "tr"}),
    **{h: frozenset({"p", *_HEADINGS}) for h in _HEADINGS},
)
_HEAD_OK = frozenset("base basefont bgsound link meta noscript script style template title".split())
_UNLIKELY_TAGS = frozenset("nav header footer aside menu".split())
_NEVER_UNLIKELY = frozenset("html body main article".split())
_CLEANABLE = frozenset("div section ul ol dl table form aside nav header footer center fieldset figure".split())
_TAG_SCORE = {"div": 5, "article": 5, "section": 3, "main": 3, "pre": 3, "td": 3, "blockquote": 3}
_TAG_SCORE.update({t: -3 for t in "address ol ul dl dd dt li form".split()})
_TAG_SCORE.update({t: -5 for t in [*_HEADINGS, "th"]})
_AUTOLINK = re.compile(r"<(?:https?|ftp)://[^\s<>]*>|<mailto:[^\s<>]*>", re.I)
_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.I)

# ---------------------------------------------------------------------------------------------
# Class and id hints

_STRONG_NEG = frozenset(
    """ad ads adv advert advertisement adsense banner breadcrumb breadcrumbs bread crumb crumbs
    comment comments cmt pinglun tie reply replies copyright footer foot header nav navbar
    navigation menu related relate relevant xgxw recommend recommended recom tuijian hot hotnews
    remen rank ranking paihang share sharing fenxiang social sns sidebar side aside login
    register signin tool tools toolbar sponsor popup modal qr qrcode erweima pager pagination
    subscribe widget extra disclaimer statement shengming logo""".split()
)
_WEAK_NEG = frozenset(
    "info meta author time date source about byline tag tags keyword keywords function operate bottom".split()
)
_POSITIVE = frozenset(
    """article articles content contents centent main text txt body post entry story detail
    details rich trs editor artibody zw zhengwen con cont""".split()
)
_NEG_AFFIX = (
    "hot", "nav", "share", "comment", "related", "recommend", "rank", "menu", "footer", "sidebar", "banner",
    "breadcrumb", "copyright",
)  # fmt: skip
_CAPTION_WORDS = frozenset(
    "caption figcaption pictext pictxt imgtxt imgtext picdesc imgdesc imgdescr picnote".split()
)
_PICTURE = frozenset("pic img image photo picture figure".split())
_CAPTION_PART = frozenset("txt text desc descr note title info intro".split())
_UNLIKELY, _CAPTION, _HIDE = 1, 2, 4


def _tokens(value: str) -> list[str]:
    value = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", value)
    return [t for t in re.split(r"[^a-z0-9]+", value.lower()) if t]


def _negative(token: str) -> bool:
    # "hotnews", "topnav", "sharebar": a furniture word glued to another one
    compound = len(token) > 4 and any(token.startswith(a) or token.endswith(a) for a in _NEG_AFFIX)
    return token in _STRONG_NEG or compound


@lru_cache(maxsize=4096)
def _hints(cls: str, ident: str) -> tuple[int, int]:
    """(class weight, flags) for an element with these class and id values."""
    weight = flags = 0
    for value in (cls, ident):
        tokens = _tokens(value)
        strong = any(_negative(t) for t in tokens)
        weak = any(t in _WEAK_NEG for t in tokens)
        positive = any(t in _POSITIVE for t in tokens)
        weight += (-25 if strong or weak else 0) + (25 if positive else 0)
        # A furniture word beats a content word ("article-share", "comment-content") unless it is
        # only a weak one ("article-info" stays a candidate but still weighs less).
        if strong or (weak and not positive):
            flags |= _UNLIKELY
        words = set(tokens)
        if words & _CAPTION_WORDS or (words & _PICTURE and words & _CAPTION_PART):
            flags |= _CAPTION
    return weight, flags


# ---------------------------------------------------------------------------------------------
# Parsing

_Piece = tuple[int, int, str | None, bool]  # raw start, end, replacement (None: literal), in a link
_NEVER = 1 << 62
# The parser's own pattern for a numeric reference, so the shadow agrees with it exactly.
_CHARREF: re.Pattern[str] = getattr(_hp, "charref", re.compile("&#(?:[0-9]+|[xX][0-9a-fA-F]+)[^0-9a-fA-F]"))


def _shadow(text: str) -> str:
    """``text`` with the "#" of every "&#" that starts no character reference changed to "!".

    CPython's HTMLParser leaves its loop at such an "&#" and later reads the rest of the page as
    plain text; the shadow has the same length, so offsets hold, and text is read from the
    original.
    """
    parts: list[str] = []
    last = 0
    i = text.find("&#")
    while i >= 0:
        if not _CHARREF.match(text, i):
            parts.append(text[last : i + 1])
            parts.append("!")
            last = i + 2
        i = text.find("&#", i + 2)
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def _opens_tag(char: str) -> bool:
    return char.isascii() and char.isalpha() or char in ("/", "!", "?")


class _Builder(_hp.HTMLParser):
    """Tokens → an element table (parent, tag, hints) and runs of text pieces."""

    def __init__(self, src: str, start: int, stop: int) -> None:
        super().__init__(convert_charrefs=False)
        self.src, self.base, self.stop = src, start, stop
        self.tags: list[str] = ["#root"]
        self.parents: list[int] = [-1]
        self.weights: list[int] = [0]
        self.flags: list[int] = [0]
        self.classes: list[str] = [""]
        self.stack: list[int] = [0]
        self.near: list[int] = [0]  # per stack entry: stack index of the nearest block element
        self.open: dict[str, int] = {}
        self.hidden_from = _NEVER  # stack index of the outermost open invisible element
        self.pieces: list[_Piece] = []
        self.owner = 0
        self.runs: list[tuple[int, list[_Piece]]] = []
        self.meta: dict[str, str] = {}
        self.title: str | None = None
        self.title_parts: list[str] | None = None
        self.line_starts: list[int] = [0]

    def parse(self) -> None:
        region = self.src[self.base : self.stop]
        # A "<" that starts a tag after the last ">" can never finish: browsers drop it and the
        # rest, and HTMLParser would re-scan to the end for each one.
        cut = region.find("<", region.rfind(">") + 1)
        while cut >= 0 and not _opens_tag(region[cut + 1 : cut + 2]):
            cut = region.find("<", cut + 1)
        # Likewise a comment that never closes hides the rest of the page (HTMLParser would show it).
        closed = region.rfind("-->")
        unclosed = region.find("<!--", closed + 3 if closed >= 0 else 0)
        if unclosed >= 0 and (cut < 0 or unclosed < cut):
            cut = unclosed
        if cut >= 0:
            region = region[:cut]
            self.stop = self.base + cut
        # The trailing newline lets a reference at the very end finish; it is never in a range.
        fed = _shadow(region + "\n")
        self.line_starts = list(accumulate((len(line) + 1 for line in fed.split("\n")), initial=0))
        self.feed(fed)
        self.close()
        self._flush()

    def _pos(self) -> int:
        # getpos() without the tuple: the parser's own line and column of the current token
        return self.base + self.line_starts[self.lineno - 1] + self.offset

    # tree -------------------------------------------------------------------------------

    def _top(self) -> str:
        return self.tags[self.stack[-1]]

    def _push(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = ident = ""
        hidden = tag in _HIDDEN
        for name, value in attrs:
            if name == "class":
                cls = value or ""
            elif name == "id":
                ident = value or ""
            elif name == "hidden" or (name == "style" and value and _DISPLAY_NONE.search(value)):
                hidden = True
            elif name == "datetime" and tag == "time" and value:
                self.meta.setdefault("time", value.strip())
        weight, flags = _hints(cls, ident) if cls or ident else (0, 0)
        if tag in _NEVER_UNLIKELY:
            flags &= ~_UNLIKELY
        if tag in _UNLIKELY_TAGS:
            flags |= _UNLIKELY
        if tag == "figcaption":
            flags |= _CAPTION
        if hidden:
            flags |= _HIDE
            self.hidden_from = min(self.hidden_from, len(self.stack))
        self.tags.append(tag)
        self.parents.append(self.stack[-1])
        self.weights.append(weight)
        self.flags.append(flags)
        self.classes.append(cls)
        # A marked caption is its own run even when it is an inline <span>, so it can be dropped.
        if tag in _BLOCK or flags & _CAPTION:
            self._flush()
            self.near.append(len(self.stack))
        else:
            self.near.append(self.near[-1])
        self.stack.append(len(self.tags) - 1)
        self.open[tag] = self.open.get(tag, 0) + 1
        if tag == "title" and self.title is None:
            self.title_parts = []

    def _pop_to(self, index: int) -> None:
        """Close every open element from the top of the stack down to stack ``index``."""
        while len(self.stack) > index:
            if self.near.pop() == len(self.stack) - 1:
                self._flush()  # a run never crosses the edge of a block
            tag = self.tags[self.stack.pop()]
            self.open[tag] -= 1
            if tag == "title" and self.title_parts is not None:
                self.title = "".join(self.title_parts)
                self.title_parts = None
        if len(self.stack) <= self.hidden_from:
            self.hidden_from = _NEVER

    def _close_implied(self, closers: frozenset[str]) -> None:
        # Only the nearest block can be implied closed, which keeps this O(1) at any depth.
        for _ in range(4):
            k = self.near[-1]
            if k == 0 or self.tags[self.stack[k]] not in closers:
                return
            self._pop_to(k)

    # text -------------------------------------------------------------------------------

    def _flush(self) -> None:
        if self.pieces:
            self.runs.append((self.owner, self.pieces))
            self.pieces = []

    def _text(self, s: int, e: int, rep: str | None) -> None:
        if self.hidden_from != _NEVER:
            return
        e = min(e, self.stop)
        if s >= e:
            return
        if not self.pieces:
            if (self.src[s:e] if rep is None else rep).isspace():
                return  # whitespace never starts a run
            self.owner = self.stack[self.near[-1]]
        self.pieces.append((s, e, rep, self.open.get("a", 0) > 0))

    def _leave_head(self) -> None:
        # Content directly inside an unclosed <head> means the body has begun.
        if self.tags[self.stack[-1]] == "head":
            self._pop_to(len(self.stack) - 1)

    # HTMLParser callbacks ----------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Markup needs no position: whatever lies between two pieces of text is an edit anyway.
        if ":" in tag and _AUTOLINK.fullmatch(self.get_starttag_text() or ""):
            pos = self._pos()  # a Markdown autolink: readers see it as text
            self._text(pos, pos + len(self.get_starttag_text() or ""), None)
            return
        if tag == "meta":
            self._meta(attrs)
            return
        if tag not in _HEAD_OK:
            self._leave_head()
        if tag in ("html", "body", "head") and self.open.get(tag):
            return
        if tag == "body" and self.open.get("head"):
            self.handle_endtag("head")
        closers = _CLOSERS.get(tag)
        if closers:
            self._close_implied(closers)
        if tag == "hr":
            self._flush()
        elif tag == "br":
            pos = self._pos()
            self._text(pos, pos + len(self.get_starttag_text() or ""), "\n")
        elif tag not in _VOID:
            self._push(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HEADINGS and not self.open.get(tag) and self.tags[self.stack[self.near[-1]]] in _HEADINGS:
            tag = self.tags[self.stack[self.near[-1]]]  # </h3> closes an open <h2>, as in browsers
        if tag in ("html", "body") or not self.open.get(tag):
            return  # a stray end tag; text after </body> still belongs to the body
        k = len(self.stack) - 1
        while self.tags[self.stack[k]] != tag:
            k -= 1
        self._pop_to(k)

    def handle_data(self, data: str) -> None:
        pos = self._pos()
        if self.title_parts is not None and self._top() == "title":
            self.title_parts.append(self.src[pos : pos + len(data)])
        if self.tags[self.stack[-1]] == "head" and not data.isspace():
            self._leave_head()
        self._text(pos, pos + len(data), None)

    def handle_charref(self, name: str) -> None:
        self._reference(2 + len(name))

    def handle_entityref(self, name: str) -> None:
        self._reference(1 + len(name))

    def _reference(self, length: int) -> None:
        s = self._pos()
        e = s + length
        if e < self.stop and self.src[e] == ";":
            e += 1
        raw = self.src[s:e]
        rep = _html.unescape(raw)
        if self.title_parts is not None and self._top() == "title":
            self.title_parts.append(rep)
        self._leave_head()
        self._text(s, e, None if rep == raw else rep)

    def _meta(self, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        key = (values.get("property") or values.get("name") or values.get("itemprop") or "").strip().lower()
        content = (values.get("content") or "").strip()
        if key and content:
            self.meta.setdefault(key, content)


# ---------------------------------------------------------------------------------------------
# Lines and runs

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_PUNCT = re.compile(r"[，。、；：！？,;]")
_WORDY = re.compile(r"[^\W_]")
_MIN_PARA = 10  # size below which a run is a label, not a paragraph
_ENOUGH = 80  # size of a first-pass article that needs no second opinion


@dataclass(slots=True)
class _Line:
    start: int
    end: int
    text: str  # visible, stripped
    size: float
    punct: int
    chars: int  # non-space characters
    links: int  # non-space characters inside <a>
    furniture: bool | None = None  # decided once, on first asking


@dataclass(slots=True)
class _Run:
    owner: int
    pieces: list[_Piece]
    ends: list[int]
    lines: list[_Line]
    size: float
    punct: int
    chars: int
    links: int

    @property
    def link_density(self) -> float:
        return self.links / self.chars if self.chars else 0.0


def _nonspace(text: str) -> int:
    return len("".join(text.split()))


def _make_line(src: str, parts: list[_Piece]) -> _Line | None:
    texts = [src[s:e] if rep is None else rep for s, e, rep, _ in parts]
    text = "".join(texts).strip()
    if not text:
        return None
    start = end = 0
    for (s, e, rep, _), t in zip(parts, texts):
        kept = t.lstrip()
        if kept:
            start = s + len(t) - len(kept) if rep is None else s
            break
    for (s, e, rep, _), t in zip(reversed(parts), reversed(texts)):
        kept = t.rstrip()
        if kept:
            end = s + len(kept) if rep is None else e
            break
    links = sum(_nonspace(t) for (_, _, _, link), t in zip(parts, texts) if link)
    chars = _nonspace(text)
    cjk = _CJK.subn("", text)[1]
    punct = _PUNCT.subn("", text)[1]
    return _Line(start, end, text, cjk + punct + (chars - cjk - punct) / 3, punct, chars, links)


def _make_run(src: str, owner: int, pieces: list[_Piece]) -> _Run | None:
    lines: list[_Line] = []
    parts: list[_Piece] = []

    def close() -> None:
        line = _make_line(src, parts) if parts else None
        if line is not None:
            lines.append(line)
        parts.clear()

    for piece in pieces:
        s, e, rep, link = piece
        if rep == "\n":
            close()
        elif rep is not None:
            parts.append(piece)
        else:
            cut = src.find("\n", s, e)
            while cut >= 0:
                if cut > s:
                    parts.append((s, cut, None, link))
                close()
                s = cut + 1
                cut = src.find("\n", s, e)
            if s < e:
                parts.append((s, e, None, link))
    close()
    if not lines:
        return None
    return _Run(
        owner,
        pieces,
        [p[1] for p in pieces],
        lines,
        sum(line.size for line in lines),
        sum(line.punct for line in lines),
        sum(line.chars for line in lines),
        sum(line.links for line in lines),
    )


def _edits(run: _Run, start: int, end: int) -> tuple[Edit, ...]:
    """Every non-literal range of ``run`` inside [start, end): its references, <br>s and gaps."""
    out: list[Edit] = []
    cursor = start
    k = bisect_right(run.ends, start)
    while k < len(run.pieces):
        s, e, rep, _ = run.pieces[k]
        if s >= end:
            break
        if s > cursor:
            out.append(Edit(cursor, s, ""))
        if rep is not None:
            out.append(Edit(s, e, rep))
        cursor = e
        k += 1
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Furniture lines

_FURNITURE_START = re.compile(
    r"^[\s（(【\[〔<《]*(?:"
    r"责任编辑|责编|值班编辑|编辑|主编|校对|审核|审校|审签|终审|监制|策划|统筹|出品|美编|"
    r"来源|文章来源|稿件来源|新闻来源|本文来源|信息来源|消息来源|图片来源|图源|视频来源|本文转自|转自|"
    r"原标题|原题|作者|撰文|实习生|发布时间|发布日期|发表时间|更新时间|浏览次数|阅读次数|阅读量|"
    r"点击数|点击量|访问量|字号|分享到|分享至|转发到|扫一扫|扫码|关键词|关键字|标签|"
    r"免责声明|特别声明|版权声明|上一篇|下一篇|本文链接|原文链接"
    r")\s*[:：]"
)
_FURNITURE_ANY = re.compile(
    r"ICP证|ICP备|公网安备|版权所有|Copyright|All Rights Reserved|©|违法和不良信息举报|"
    r"网友评论仅供|评论仅供其表达|不代表本站|本站同意其观点|转载请注明|禁止转载|未经授权.{0,8}转载|"
    r"责任编辑\s*[:：]|责编\s*[:：]|分享到\s*[:：]|【纠错】",
    re.I,
)
_SOURCE_ANYWHERE = re.compile(r"来源\s*[:：]|作者\s*[:：]")
_LABELS = sorted(
    """相关新闻 相关阅读 相关推荐 相关文章 相关链接 相关报道 相关专题 热门推荐 推荐阅读 延伸阅读 猜你喜欢
    为你推荐 热点新闻 热门新闻 热门文章 热点推荐 今日热点 24小时热榜 24小时排行 热榜 排行榜 点击排行
    精彩推荐 精彩图片 更多精彩 查看更多 加载更多 更多 网友评论 最新评论 热门评论 全部评论 我要评论
    发表评论 评论 跟帖 分享到 分享 收藏 点赞 在看 举报 打印本页 打印 关闭窗口 关闭 纠错 返回顶部
    返回首页 返回 上一篇 下一篇 上一页 下一页 首页 尾页 阅读原文 查看原文 展开全文 微博 微信 朋友圈
    QQ空间 QQ 登录 注册 字号 大 中 小 默认 扫一扫 二维码 客户端 APP""".split(),
    key=len,
    reverse=True,
)
_LABEL = re.compile("|".join(map(re.escape, _LABELS)), re.I)
_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?"
    r"(?:\s*(\d{1,2})[:：](\d\d)(?:[:：](\d\d))?)?"
)
_SEPARATORS = re.compile(r"[\s|｜/·•,，、:：>》»<《\-—_【】\[\]（）()]+|[（(]\d+[)）]")
_MD_LINK = re.compile(r"!?\[[^\]\n]*\]\([^)\s]*\)|<(?:https?|ftp)://[^>\s]*>|(?:https?:)?//[^\s)]+|www\.[^\s)]+")


def _furniture(line: _Line) -> bool:
    """Whether a line is site furniture, whatever container it sits in."""
    if line.furniture is None:
        line.furniture = _furniture_text(line)
    return line.furniture


def _furniture_text(line: _Line) -> bool:
    text = line.text
    if not _WORDY.search(text):
        return True  # separators, bullets, dashes
    rest, links = _MD_LINK.subn("", text)
    if links and not _WORDY.search(rest):
        return True  # Markdown links, autolinks and bare URLs only
    if line.chars <= 60 and line.links * 10 >= line.chars * 9:
        return True  # a lone link: "点击进入专题>>", a headline of another article
    if len(text) > 120:
        return False
    if _FURNITURE_START.match(text) or _FURNITURE_ANY.search(text):
        return True
    if len(text) <= 60 and _SOURCE_ANYWHERE.search(text) and text[-1] not in "。！？":
        return True  # "2024年05月13日07:45 | 来源：人民网", but not "经费来源：市财政拨款。"
    rest, labels = _LABEL.subn("", text)
    rest, dates = _DATE.subn("", rest)
    return bool(labels or dates) and not _SEPARATORS.sub("", rest)


def _prose(run: _Run) -> bool:
    """Readability's test for a loose paragraph next to the article: long and barely linked, or
    short, unlinked and ending like a sentence."""
    if run.size > 40:
        return run.link_density < 0.25
    return run.size > 0 and run.links == 0 and run.lines[-1].text[-1] in "。！？.!?”\""


# ---------------------------------------------------------------------------------------------
# Scoring and selection

_DATE_KEYS = (
    "article:published_time", "og:article:published_time", "og:published_time", "article:published",
    "publishdate", "publish_date", "publish-date", "publishtime", "publish_time", "pubdate", "pub_date",
    "pubtime", "datepublished", "dc.date.issued", "dc.date", "dcterms.created", "weibo:article:create_at",
    "sailthru.date", "date", "time",
)  # fmt: skip
_TITLE_SEPARATOR = re.compile(r"^(?P<head>.*\S)\s*(?:_|\||｜|-{1,2}|－|—{1,2}|–|·|::)\s*(?P<tail>[^_|｜\-－—–·]{1,24})$")
_SITE_WORD = re.compile(
    r"网|报|新闻|频道|在线|客户端|资讯|头条|澎湃|新浪|网易|腾讯|凤凰|搜狐|人民|新华|央视|财经|公众号|门户|官网|"
    r"政府|中心|\.com|\.cn|\.net|news|sina|163|qq|ifeng|sohu|xinhua|people",
    re.I,
)


@dataclass(slots=True)
class _Pass:
    inside: list[bool]  # element lies in the chosen content, removed parts included
    kept: dict[int, list[bool]]  # run index → which of its lines are article text
    size: float


class _Page:
    """The parsed page: element table with subtree totals, runs, and the passes over them."""

    def __init__(self, src: str, b: _Builder) -> None:
        self.src, self.meta = src, b.meta
        self.raw_title = b.title if b.title is not None else "".join(b.title_parts or [])
        self.tags, self.parents, self.weights, self.classes = b.tags, b.parents, b.weights, b.classes
        self.own = b.flags
        n = len(self.tags)
        self.flags = self.own[:]
        for e in range(1, n):
            self.flags[e] |= self.flags[self.parents[e]]
        self.runs = [run for owner, pieces in b.runs if (run := _make_run(src, owner, pieces)) is not None]
        self.chars, self.links, self.punct = [0] * n, [0] * n, [0] * n
        self.paras, self.items, self.kids, self.block_kids = [0] * n, [0] * n, [0] * n, [0] * n
        for run in self.runs:
            o = run.owner
            self.chars[o] += run.chars
            self.links[o] += run.links
            self.punct[o] += run.punct
            if self.tags[o] == "li":
                self.items[o] += 1
            elif run.size >= _MIN_PARA:
                self.paras[o] += 1
        # Children always come after their parent, so one backward sweep sums every subtree.
        for e in range(n - 1, 0, -1):
            p = self.parents[e]
            for totals in (self.chars, self.links, self.punct, self.paras, self.items):
                totals[p] += totals[e]
            if not self.own[e] & _HIDE:
                self.kids[p] += 1
                self.block_kids[p] += self.tags[e] in _BLOCK

    def _ld(self, e: int) -> float:
        return self.links[e] / self.chars[e] if self.chars[e] else 0.0

    # the passes ---------------------------------------------------------------------------

    def _scores(self, strip: bool) -> dict[int, float]:
        raw: dict[int, float] = {}
        for run in self.runs:
            if run.size < _MIN_PARA or (strip and self.flags[run.owner] & _UNLIKELY):
                continue
            gain = (1 + run.punct + min(run.size / 40, 3)) * (1 - run.link_density)
            e = run.owner
            if e and (self.tags[e] in _PARA or not self.block_kids[e]):
                e = self.parents[e]  # the owner is the paragraph; its parent holds it
            for level in range(5):
                if e < 0:
                    break
                if e not in raw:
                    raw[e] = _TAG_SCORE.get(self.tags[e], 0) + self.weights[e]
                raw[e] += gain / (1 if level == 0 else 2 if level == 1 else level * 3)
                e = self.parents[e]
        return {e: score * (1 - self._ld(e)) for e, score in raw.items()}

    def _top(self, scores: dict[int, float]) -> int | None:
        top = max(scores, key=lambda e: (scores[e], -e))
        if scores[top] <= 0:
            return None
        # Readability climbs to a parent that beats the last ancestor seen; comparing with the
        # winner itself instead keeps a class bonus high up from pulling in the page header.
        best, floor = scores[top], scores[top] / 3
        p = self.parents[top]
        while p > 0 and self.tags[p] not in ("body", "html"):
            if p in scores:
                if scores[p] < floor:
                    break
                if scores[p] > best:  # the article is split over several children of p
                    top = p
                    break
            p = self.parents[p]
        # a wrapper with one child holds the same article
        while (p := self.parents[top]) > 0 and self.tags[p] not in ("body", "html") and self.kids[p] == 1:
            top = p
        return top

    def _siblings(self, top: int, scores: dict[int, float], strip: bool) -> tuple[set[int], set[int]]:
        """Elements and loose runs beside ``top`` that readability's sibling rule adds to it."""
        chosen, loose = {top}, set[int]()
        parent = self.parents[top]
        if parent < 0:
            return chosen, loose
        best = scores.get(top, max(scores.values()))  # a one-child wrapper may hold no score
        need = max(10.0, best * 0.2)
        by_owner: dict[int, list[_Run]] = {}
        for run in self.runs:
            by_owner.setdefault(run.owner, []).append(run)
        for e in range(parent + 1, len(self.tags)):
            if self.parents[e] != parent or e == top or self.own[e] & _HIDE:
                continue
            if strip and self.flags[e] & _UNLIKELY:
                continue
            bonus = best * 0.2 if self.classes[top] and self.classes[e] == self.classes[top] else 0.0
            if e in scores and scores[e] + bonus >= need:
                chosen.add(e)
            elif (self.tags[e] in _PARA or not self.block_kids[e]) and len(by_owner.get(e, ())) == 1:
                if _prose(by_owner[e][0]):
                    chosen.add(e)
        for i, run in enumerate(self.runs):
            if run.owner == parent and _prose(run):
                loose.add(i)
        return chosen, loose

    def _removed(self, e: int, strip: bool, clean: bool) -> bool:
        own = self.own[e]
        if own & (_CAPTION | _HIDE) or (strip and own & _UNLIKELY):
            return True
        if not clean or self.tags[e] not in _CLEANABLE:
            return False
        if self.weights[e] < 0:
            return True
        if self.punct[e] >= 10:
            return False
        ld = self._ld(e)
        # A block of few sentences that is mostly links: related headlines, tags, a hot list.
        if ld > (0.5 if self.weights[e] >= 25 else 0.3):
            return True
        return self.items[e] > self.paras[e] and self.tags[e] not in ("ul", "ol") and ld > 0.1

    def _pass(self, strip: bool, clean: bool) -> _Pass | None:
        scores = self._scores(strip)
        top = self._top(scores) if scores else None
        if top is None:
            return None
        chosen, loose = self._siblings(top, scores, strip)
        n = len(self.tags)
        inside, ok = [False] * n, [False] * n
        for e in range(n):
            p = self.parents[e]
            if e in chosen:
                inside[e] = ok[e] = True
            elif p >= 0 and inside[p]:
                inside[e] = True
                ok[e] = ok[p] and not self._removed(e, strip, clean)
        kept: dict[int, list[bool]] = {}
        for i, run in enumerate(self.runs):
            if ok[run.owner] or i in loose:
                if run.link_density > 0.5 and run.punct < 3:
                    continue  # a link list item, even inside the article
                kept[i] = [not _furniture(line) for line in run.lines]
        return _Pass(inside, kept, self._size(kept))

    def _size(self, kept: dict[int, list[bool]]) -> float:
        return sum(line.size for i, marks in kept.items() for line, keep in zip(self.runs[i].lines, marks) if keep)

    def _best_effort(self) -> _Pass:
        """For a page where nothing reads like an article: its lines that are not furniture."""
        kept: dict[int, list[bool]] = {}
        for rule in ("outside furniture regions", "any region", "anything"):
            kept = {
                i: [
                    rule == "anything"
                    or not _furniture(line)
                    and (rule == "any region" or not self.flags[run.owner] & (_UNLIKELY | _CAPTION))
                    for line in run.lines
                ]
                for i, run in enumerate(self.runs)
            }
            if any(any(marks) for marks in kept.values()):
                break
        return _Pass([False] * len(self.tags), kept, self._size(kept))

    # the answer ---------------------------------------------------------------------------

    def article(self) -> HtmlArticle:
        best: _Pass | None = None
        for strip, clean in ((True, True), (False, True), (False, False)):
            result = self._pass(strip, clean)
            if result is not None and (best is None or result.size > best.size):
                best = result
            if best is not None and best.size >= _ENOUGH:
                break
        if best is None or not best.size:
            best = self._best_effort()
        blocks: list[Block] = []
        boilerplate: list[tuple[int, int]] = []
        dropped: list[_Line] = []
        for i, run in enumerate(self.runs):
            marks = best.kept.get(i) or [False] * len(run.lines)
            level = _HEADINGS.get(self.tags[run.owner], 0)
            kind: BlockKind = "heading" if level else "paragraph"
            j = 0
            while j < len(marks):
                k = j
                while k + 1 < len(marks) and marks[k + 1] == marks[j]:
                    k += 1
                s, e = run.lines[j].start, run.lines[k].end
                if marks[j]:
                    blocks.append(Block(s, e, kind, level, _edits(run, s, e)))
                else:
                    boilerplate.append((s, e))
                    dropped.extend(run.lines[j : k + 1])
                j = k + 1
        first = blocks[0].start if blocks else len(self.src)
        body = next((b.start for b in blocks if b.kind == "paragraph"), len(self.src))
        date = self._date([line for line in dropped if line.end <= body])
        return HtmlArticle(self._title(best, first), date, tuple(blocks), tuple(boilerplate))

    def _title(self, best: _Pass, first: int) -> str | None:
        og = " ".join(self.meta.get("og:title", "").split())
        if og:
            return _strip_site(og)
        h1s = [run for run in self.runs if self.tags[run.owner] == "h1" and run.size >= 4 and run.links < run.chars]
        inside = [run for run in h1s if best.inside[run.owner]]
        before = [run for run in h1s if run.lines[0].start < first]
        plain = [run for run in before if not self.flags[run.owner] & _UNLIKELY]
        for group, pick in ((inside, 0), (plain, -1), (before, -1)):
            if group:
                return " ".join(" ".join(line.text for line in group[pick].lines).split())
        title = " ".join(self.raw_title.split())
        return _strip_site(title) if title else None

    def _date(self, above: list[_Line]) -> str | None:
        """From meta tags, else from a furniture line ``above`` the article's first paragraph
        ("2022-05-13 07:45 来源：…"), nearest first."""
        for key in _DATE_KEYS:
            value = self.meta.get(key)
            if value:
                return value
        for line in reversed(above[-40:]):
            m = _DATE.search(line.text)
            if m and 1 <= int(m[2]) <= 12 and 1 <= int(m[3]) <= 31:
                date = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
                if m[4]:
                    date += f" {int(m[4]):02d}:{m[5]}" + (f":{m[6]}" if m[6] else "")
                return date
        return None


def _strip_site(title: str) -> str:
    """Drop trailing site names: "标题_新浪新闻", "标题 - 滚动 - 人民网", "标题-新华网"."""
    for _ in range(3):
        m = _TITLE_SEPARATOR.match(title)
        if not m or len(m["head"]) < 4 or not _SITE_WORD.search(m["tail"]):
            break
        title = m["head"]
    return title
