"""A saved web page as tokens and as an element table with runs of text, all at exact offsets.

Lexing. :func:`lex` walks the page with one compiled master pattern and calls a handler per
token (:func:`tokens` collects them as tuples): each match is a "<" construct or an "&"
reference, the text between two matches is a data token taken as a slice, and every token
carries its absolute start and end, so no line/column bookkeeping is needed. The
pattern reproduces what CPython 3.11's ``html.parser.HTMLParser`` (``convert_charrefs=False``,
fed the whole page and closed) reports, using its own expressions: start tags as its
``tagfind_tolerant``/``attrfind_tolerant`` read them (names lower-cased, values unquoted and
unescaped, a valueless attribute is ``None``), ``<x/>`` as a start tag plus an end tag, end tags
by ``endtagfind`` or else up to the first ">" (``</ p>``, ``</div foo>``), references by its
``charref`` and ``entityref`` (the end of the text ends a name; an "&" that starts neither is
text), and script/style content as text up to ``</script\\s*>``. Comments (``<!--`` to ``--\\s*>``),
declarations, ``<?...>``, marked sections, ``</>`` and bogus comments yield nothing: whatever lies
between two tokens is markup. The rare constructs outside the master pattern take a slow path
that follows HTMLParser step by step; one that never finishes becomes text up to the next ">"
(HTMLParser's behaviour when closed). Two of its failures are not copied: a "&#" that starts no
reference is just text (HTMLParser stopped tokenising the rest of the page there), and ``<![``
without a known keyword is a bogus comment up to ">" (HTMLParser raised ``AssertionError``).

Tree building. :func:`parse_tree` first cuts off what can never finish: a tag opened after the
last ">" and a comment that never closes (browsers drop the rest of the page). A builder (the
lexer's handler, so no token is ever materialised) keeps an explicit stack (no recursion, so
nesting depth costs nothing) and applies the few HTML rules that change where text belongs: void
elements, ``<p>``/``<li>``/cells/headings closed by what cannot nest in them, ``<head>`` ended
by body content, stray end tags ignored. Script, style, noscript, iframe, form controls,
``hidden`` and ``display:none`` elements are invisible (``visibility:hidden`` is not: saved
WeChat pages keep it on the article). Text between block-level tags forms a *run* of pieces:
literal text, a character reference with its character, ``<br>`` as a newline, a Markdown
autolink (``<https://...>``) as literal text.
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Final, Protocol

__all__ = [
    "BLOCK",
    "CAPTION",
    "DATA",
    "END",
    "HEADINGS",
    "HIDE",
    "PARA",
    "REFERENCE",
    "START",
    "START_END",
    "UNLIKELY",
    "PageTree",
    "Piece",
    "Token",
    "TokenHandler",
    "attributes",
    "lex",
    "parse_tree",
    "tokens",
]  # fmt: skip

# ---------------------------------------------------------------------------------------------
# Tags

_VOID: Final = frozenset(["area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr"])
_HIDDEN: Final = frozenset(
    ["head", "title", "script", "style", "noscript", "template", "iframe", "object", "svg", "math", "canvas", "textarea", "select", "button", "audio", "video", "noembed", "noframes", "datalist"]
)
HEADINGS: Final = {f"h{n}": n for n in range(1, 7)}
BLOCK: Final = frozenset(
    ["address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "frameset", "head", "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul"]
) | frozenset(HEADINGS)
# A paragraph-like element is the paragraph itself; its parent is what its text scores for.
PARA: Final = frozenset(
    ["p", "pre", "td", "th", "li", "dd", "dt", "blockquote", "figcaption", "caption", "address", "summary", "legend"]
) | frozenset(HEADINGS)
_CLOSES_P: Final = BLOCK - {"body", "html", "head", "title", "caption", "td", "th", "tr", "tbody", "thead", "tfoot"}
# What a start tag closes when it is the nearest enclosing block (as browsers do).
_CLOSERS: Final[dict[str, frozenset[str]]] = {tag: frozenset({"p"}) for tag in _CLOSES_P}
_CLOSERS.update(
    li=frozenset({"p", "li"}),
    dt=frozenset({"p", "dt", "dd"}),
    dd=frozenset({"p", "dt", "dd"}),
    td=frozenset({"p", "td", "th"}),
    th=frozenset({"p", "td", "th"}),
    tr=frozenset({"p", "td", "th", "tr"}),
    **{h: frozenset({"p", *HEADINGS}) for h in HEADINGS},
)
_HEAD_OK: Final = frozenset(["base", "basefont", "bgsound", "link", "meta", "noscript", "script", "style", "template", "title"])
_NEVER_UNLIKELY: Final = frozenset(["html", "body", "main", "article"])
_DOCUMENT_TAGS: Final = frozenset(("html", "body", "head"))
_AUTOLINK: Final = re.compile(r"<(?:https?|ftp)://[^\s<>]*>|<mailto:[^\s<>]*>", re.I)
_DISPLAY_NONE: Final = re.compile(r"display\s*:\s*none", re.I)

# ---------------------------------------------------------------------------------------------
# Class and id hints

_STRONG_NEG: Final = frozenset(
    ["ad", "ads", "adv", "advert", "advertisement", "adsense", "banner", "breadcrumb", "breadcrumbs", "bread", "crumb", "crumbs", "comment", "comments", "cmt", "pinglun", "tie", "reply", "replies", "copyright", "footer", "foot", "header", "nav", "navbar", "navigation", "menu", "related", "relate", "relevant", "xgxw", "recommend", "recommended", "recom", "tuijian", "hot", "hotnews", "remen", "rank", "ranking", "paihang", "share", "sharing", "fenxiang", "social", "sns", "sidebar", "side", "aside", "login", "register", "signin", "tool", "tools", "toolbar", "sponsor", "popup", "modal", "qr", "qrcode", "erweima", "pager", "pagination", "subscribe", "widget", "extra", "disclaimer", "statement", "shengming", "logo"]
)
_WEAK_NEG: Final = frozenset(
    ["info", "meta", "author", "time", "date", "source", "about", "byline", "tag", "tags", "keyword", "keywords", "function", "operate", "bottom"]
)
_POSITIVE: Final = frozenset(
    ["article", "articles", "content", "contents", "centent", "main", "text", "txt", "body", "post", "entry", "story", "detail", "details", "rich", "trs", "editor", "artibody", "zw", "zhengwen", "con", "cont"]
)
_NEG_AFFIX: Final = (
    "hot", "nav", "share", "comment", "related", "recommend", "rank", "menu", "footer", "sidebar", "banner",
    "breadcrumb", "copyright",
)  # fmt: skip
_CAPTION_WORDS: Final = frozenset(
    ["caption", "figcaption", "pictext", "pictxt", "imgtxt", "imgtext", "picdesc", "imgdesc", "imgdescr", "picnote"]
)
_PICTURE: Final = frozenset(["pic", "img", "image", "photo", "picture", "figure"])
_CAPTION_PART: Final = frozenset(["txt", "text", "desc", "descr", "note", "title", "info", "intro"])
UNLIKELY: Final = 1
CAPTION: Final = 2
HIDE: Final = 4
# Flags that an element takes from its tag alone.
_TAG_FLAGS: Final = {
    **dict.fromkeys(_HIDDEN, HIDE),
    **dict.fromkeys(["nav", "header", "footer", "aside", "menu"], UNLIKELY),
    "figcaption": CAPTION,
}


def _words(value: str) -> list[str]:
    value = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", value)
    return [t for t in re.split(r"[^a-z0-9]+", value.lower()) if t]


def _negative(word: str) -> bool:
    # "hotnews", "topnav", "sharebar": a furniture word glued to another one
    compound = len(word) > 4 and any(word.startswith(a) or word.endswith(a) for a in _NEG_AFFIX)
    return word in _STRONG_NEG or compound


@lru_cache(maxsize=4096)
def _hints(cls: str, ident: str) -> tuple[int, int]:
    """(class weight, flags) for an element with these class and id values."""
    weight = flags = 0
    for value in (cls, ident):
        words = _words(value)
        strong = any(_negative(t) for t in words)
        weak = any(t in _WEAK_NEG for t in words)
        positive = any(t in _POSITIVE for t in words)
        weight += (-25 if strong or weak else 0) + (25 if positive else 0)
        # A furniture word beats a content word ("article-share", "comment-content") unless it is
        # only a weak one ("article-info" stays a candidate but still weighs less).
        if strong or (weak and not positive):
            flags |= UNLIKELY
        distinct = set(words)
        if distinct & _CAPTION_WORDS or (distinct & _PICTURE and distinct & _CAPTION_PART):
            flags |= CAPTION
    return weight, flags


# ---------------------------------------------------------------------------------------------
# Lexer

DATA: Final = 0
START: Final = 1
START_END: Final = 2
END: Final = 3
REFERENCE: Final = 4
Token = tuple[int, int, int, str]  # kind, start, end, lower-cased tag name ("" for data and references)

# HTMLParser's tagfind_tolerant and attrfind_tolerant (captures: name, "=" and value, value); the
# master pattern chains them, and the slow path uses its locatestarttagend_tolerant.
_TAG_NAME: Final = r"[a-zA-Z][^\t\n\r\f />\x00]*"
_TAG_TAIL: Final = r"(?:\s|/(?!>))*"
_ATTRIBUTE_NAME: Final = r"""(?<=['"\s/])[^\s/>][^\s/=>]*"""
_ATTRIBUTE_VALUE: Final = r"""'[^']*'|"[^"]*"|(?!['"])[^>\s]*"""
_ATTRIBUTE_FIND: Final = re.compile(rf"({_ATTRIBUTE_NAME})(\s*=+\s*({_ATTRIBUTE_VALUE}))?{_TAG_TAIL}")
_TAG_NAME_AND_TAIL: Final = re.compile(f"({_TAG_NAME}){_TAG_TAIL}")
_LOCATE_START_TAG_END: Final = re.compile(
    rf"<{_TAG_NAME}(?:[\s/]*(?:{_ATTRIBUTE_NAME}(?:\s*=+\s*(?:{_ATTRIBUTE_VALUE})\s*)?{_TAG_TAIL})*)?\s*"
)
# Every alternative starts with a literal "<" or "&", which lets the regex engine skip text fast.
_MARKUP: Final = re.compile(
    r"<(?:"
    # a start tag whose attributes read to its ">" (atomic, so that one which does not is left
    # whole to the slow path instead of being re-split by backtracking)
    rf"(?>(?P<start>{_TAG_NAME}){_TAG_TAIL}(?:{_ATTRIBUTE_NAME}(?:\s*=+\s*(?:{_ATTRIBUTE_VALUE}))?{_TAG_TAIL})*)"
    r"\s*(?P<close>/?)>"
    # an end tag: endtagfind, else a name and anything up to ">", else "</>" or a bogus comment
    rf"|/(?:\s*(?P<end>[a-zA-Z][-.a-zA-Z0-9:_]*)\s*>|(?P<loose_end>{_TAG_NAME})[^>]*>|[^>]*>)"
    r"|!--.*?--\s*>"  # a comment
    r"|!(?!--|\[)[^>]*>|\?[^>]*>"  # a declaration, a bogus comment, a processing instruction
    r"|(?P<lone_lt>))"
    r"|&(?:(?:#(?:[0-9]+|[xX][0-9a-fA-F]+)(?![0-9a-fA-F])|[a-zA-Z][-.a-zA-Z0-9]*)(?P<reference>;?)|(?P<lone_amp>))",
    re.S,
)
_RAW_TEXT_END: Final = {tag: re.compile(rf"</\s*{tag}\s*>", re.I) for tag in ("script", "style")}
_DECLARATION_NAME: Final = re.compile(r"[a-zA-Z][-_.a-zA-Z0-9]*\s*")
_MARKED_SECTION_END: Final = {
    **dict.fromkeys(("temp", "cdata", "ignore", "include", "rcdata"), re.compile(r"]\s*]\s*>")),
    **dict.fromkeys(("if", "else", "endif"), re.compile(r"]\s*>")),
}
_unescape = lru_cache(maxsize=4096)(_html.unescape)


class TokenHandler(Protocol):
    """What the lexer calls, token by token (as HTMLParser calls its handle_* methods)."""

    def handle_data(self, s: int, e: int) -> None: ...

    def handle_starttag(self, name: str, s: int, e: int) -> None: ...

    def handle_startendtag(self, name: str, s: int, e: int) -> None: ...

    def handle_endtag(self, name: str, s: int, e: int) -> None: ...

    def handle_reference(self, s: int, e: int) -> None: ...


class _TokenList:
    """A :class:`TokenHandler` that keeps the tokens as tuples."""

    def __init__(self) -> None:
        self.tokens: list[Token] = []

    def handle_data(self, s: int, e: int) -> None:
        self.tokens.append((DATA, s, e, ""))

    def handle_starttag(self, name: str, s: int, e: int) -> None:
        self.tokens.append((START, s, e, name))

    def handle_startendtag(self, name: str, s: int, e: int) -> None:
        self.tokens.append((START_END, s, e, name))

    def handle_endtag(self, name: str, s: int, e: int) -> None:
        self.tokens.append((END, s, e, name))

    def handle_reference(self, s: int, e: int) -> None:
        self.tokens.append((REFERENCE, s, e, ""))


def tokens(src: str, start: int = 0, stop: int | None = None) -> Iterator[Token]:
    """The tokens of ``src[start:stop]`` in order, with offsets into ``src``.

    DATA is text (script and style content included), START and START_END a tag whose
    attributes :func:`attributes` reads, END an end tag, REFERENCE a character reference with
    its ";" if it has one. Markup that carries nothing (comments, declarations ...) yields none.
    """
    found = _TokenList()
    lex(src, start, len(src) if stop is None else stop, found)
    return iter(found.tokens)


def lex(src: str, start: int, stop: int, handler: TokenHandler) -> None:
    """Call ``handler`` for each token of ``src[start:stop]`` in order (see :func:`tokens`).

    The tree builder takes the tokens this way: no generator to resume and no tuple per token.
    """
    search = _MARKUP.search
    pos = start
    while pos < stop:
        m = search(src, pos, stop)
        if m is None:
            handler.handle_data(pos, stop)
            return
        s, e = m.span()
        if s > pos:
            handler.handle_data(pos, s)
        pos = e
        group = m.lastgroup
        if group == "close":
            name = m["start"].lower()
            if m["close"]:
                handler.handle_startendtag(name, s, e)
                continue
            handler.handle_starttag(name, s, e)
            if name in _RAW_TEXT_END:
                pos = _raw_text(src, e, stop, name, handler)
        elif group == "reference":
            handler.handle_reference(s, e)
        elif group == "end" or group == "loose_end":
            handler.handle_endtag(m[group].lower(), s, e)
        elif group == "lone_lt" or group == "lone_amp":
            pos = _slow(src, s, stop, handler)
        # anything else is markup that carries nothing


def _raw_text(src: str, pos: int, stop: int, name: str, handler: TokenHandler) -> int:
    """Script or style content: text up to the element's end tag; with none, the rest is dropped.

    Returns where to go on."""
    m = _RAW_TEXT_END[name].search(src, pos, stop)
    if m is None:
        return stop
    if m.start() > pos:
        handler.handle_data(pos, m.start())
    handler.handle_endtag(name, m.start(), m.end())
    return m.end()


def _slow(src: str, i: int, stop: int, handler: TokenHandler) -> int:
    """HTMLParser's reading of a "<" or "&" that the master pattern passed over; returns where to go on."""
    nxt = src[i + 1] if i + 1 < stop else ""
    if src[i] == "&" or (nxt not in ("/", "!", "?") and not (nxt.isascii() and nxt.isalpha())):
        handler.handle_data(i, i + 1)  # text
        return i + 1
    if nxt != "/" and nxt != "!" and nxt != "?":
        return _slow_start_tag(src, i, stop, handler)
    if src.startswith("<![", i, stop):
        end = _marked_section_end(src, i, stop)
        if end >= 0:
            return end
    # an end tag, comment, declaration or processing instruction that never finishes
    return _unfinished(src, i, stop, handler)


def _marked_section_end(src: str, i: int, stop: int) -> int:
    """Where the "<![" construct at ``i`` ends, or -1 if it never does."""
    m = _DECLARATION_NAME.match(src, i + 3, stop)
    if m is not None and m.end() == stop:
        return -1
    keyword = m[0].strip().lower() if m else ""
    closing = _MARKED_SECTION_END.get(keyword)
    if closing is None:  # where HTMLParser raised AssertionError: a bogus comment, as in browsers
        gt = src.find(">", i + 2, stop)
        return gt + 1 if gt >= 0 else -1
    close = closing.search(src, i + 3, stop)
    return close.end() if close else -1


def _slow_start_tag(src: str, i: int, stop: int, handler: TokenHandler) -> int:
    """check_for_whole_start_tag and parse_starttag, for a tag outside the master pattern."""
    m = _LOCATE_START_TAG_END.match(src, i, stop)
    assert m is not None
    j = m.end()
    nxt = src[j] if j < stop else ""
    if nxt == ">":
        end = j + 1
    elif nxt == "/":
        end = j + 2 if src.startswith("/>", j, stop) else -1
    elif nxt == "" or nxt in "abcdefghijklmnopqrstuvwxyz=/ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        end = -1
    else:
        end = max(j, i + 1)
    if end < 0:
        return _unfinished(src, i, stop, handler)
    name_match = _TAG_NAME_AND_TAIL.match(src, i + 1, stop)
    assert name_match is not None
    k = _attributes_end(src, name_match.end(), end, stop)
    closing = src[k:end].strip()
    name = name_match[1].lower()
    if closing == "/>":
        handler.handle_startendtag(name, i, end)
    elif closing == ">":
        handler.handle_starttag(name, i, end)
        if name in _RAW_TEXT_END:
            return _raw_text(src, end, stop, name, handler)
    else:
        handler.handle_data(i, end)
    return end


def _attributes_end(src: str, k: int, end: int, stop: int) -> int:
    while k < end:
        m = _ATTRIBUTE_FIND.match(src, k, stop)
        if m is None:
            break
        k = m.end()
    return k


def _unfinished(src: str, i: int, stop: int, handler: TokenHandler) -> int:
    """A construct that never finishes is text up to the next ">" (else "<", else one character)."""
    gt = src.find(">", i + 1, stop)
    if gt >= 0:
        end = gt + 1
    else:
        lt = src.find("<", i + 1, stop)
        end = lt if lt >= 0 else i + 1
    handler.handle_data(i, end)
    return end


def attributes(src: str, start: int, end: int) -> list[tuple[str, str | None]]:
    """The attributes of the start tag ``src[start:end]`` as HTMLParser gives them."""
    name = _TAG_NAME_AND_TAIL.match(src, start + 1, end)
    assert name is not None
    k = name.end()
    found: list[tuple[str, str | None]] = []
    while k < end:
        m = _ATTRIBUTE_FIND.match(src, k, end)
        if m is None:
            break
        attr, rest, value = m.group(1, 2, 3)
        if not rest:
            value = None
        elif value[:1] == "'" == value[-1:] or value[:1] == '"' == value[-1:]:
            value = value[1:-1]
        if value:
            value = _unescape(value)
        found.append((attr.lower(), value))
        k = m.end()
    return found


# ---------------------------------------------------------------------------------------------
# Tree building

Piece = tuple[int, int, str | None, bool]  # raw start, end, replacement (None: literal), in a link
_NEVER: Final = 1 << 62


def parse_tree(src: str, start: int, stop: int) -> PageTree:
    """The element table and runs of the page ``src[start:stop]``; offsets are into ``src``."""
    tree = PageTree(src, start, _finishable_end(src, start, stop))
    tree.build()
    return tree


def _finishable_end(src: str, start: int, stop: int) -> int:
    """Where the page ``src[start:stop]`` stops holding markup that can finish."""
    region = src[start:stop]
    # A "<" that starts a tag after the last ">" can never finish: browsers drop it and the rest
    # (read as HTMLParser does, each one would be text up to the next "<").
    cut = region.find("<", region.rfind(">") + 1)
    while cut >= 0 and not _opens_tag(region[cut + 1 : cut + 2]):
        cut = region.find("<", cut + 1)
    # Likewise a comment that never closes hides the rest of the page.
    closed = region.rfind("-->")
    unclosed = region.find("<!--", closed + 3 if closed >= 0 else 0)
    if unclosed >= 0 and (cut < 0 or unclosed < cut):
        cut = unclosed
    return stop if cut < 0 else start + cut


def _opens_tag(char: str) -> bool:
    return (char.isascii() and char.isalpha()) or char in ("/", "!", "?")


class PageTree:
    """Tokens → an element table (parent, tag, hints) and runs of text pieces.

    Elements are numbered in document order from the root (0), so a parent always comes before
    its children; ``runs`` hold (owner element, pieces) in document order. The builder is the
    lexer's :class:`TokenHandler`; its handlers run once per token, so they keep to local
    variables and plain list operations.
    """

    def __init__(self, src: str, start: int, stop: int) -> None:
        self.src, self.start, self.stop = src, start, stop
        self.tags: list[str] = ["#root"]
        self.parents: list[int] = [-1]
        self.weights: list[int] = [0]
        self.flags: list[int] = [0]
        self.classes: list[str] = [""]
        self.runs: list[tuple[int, list[Piece]]] = []
        self.meta: dict[str, str] = {}
        self.title: str | None = None
        self.title_parts: list[str] | None = None
        # While building, the rest of each element's row (parent, weight, flags, class) as one
        # tuple: one append per element instead of four; build() turns them into the lists.
        self._rows: list[tuple[int, int, int, str]] = []
        self._stack: list[int] = [0]
        self._near: list[int] = [0]  # per stack entry: stack index of the nearest block element
        self._open: dict[str, int] = {}
        self._hidden_from = _NEVER  # stack index of the outermost open invisible element
        self._pieces: list[Piece] = []
        self._owner = 0

    def build(self) -> None:
        lex(self.src, self.start, self.stop, self)
        self._flush()
        if self._rows:
            parents, weights, flags, classes = zip(*self._rows)
            self.parents.extend(parents)
            self.weights.extend(weights)
            self.flags.extend(flags)
            self.classes.extend(classes)
            self._rows = []

    # tree -------------------------------------------------------------------------------

    def _pop(self) -> None:
        """Close the element on top of the stack."""
        stack = self._stack
        depth = len(stack) - 1
        if self._near.pop() == depth and self._pieces:
            self._flush()  # a run never crosses the edge of a block
        tag = self.tags[stack.pop()]
        self._open[tag] -= 1
        if tag == "title" and self.title_parts is not None:
            self.title = "".join(self.title_parts)
            self.title_parts = None
        if depth <= self._hidden_from:
            self._hidden_from = _NEVER  # the outermost invisible element is closed (or none was open)

    def _pop_to(self, index: int) -> None:
        """Close every open element from the top of the stack down to stack ``index``."""
        stack, pop = self._stack, self._pop
        while len(stack) > index:
            pop()

    def _close_implied(self, closers: frozenset[str]) -> None:
        # Only the nearest block can be implied closed, which keeps this O(1) at any depth (the
        # root's "#root" is in no set of closers).
        stack, near, tags = self._stack, self._near, self.tags
        for _ in range(4):
            k = near[-1]
            if tags[stack[k]] not in closers:
                return
            self._pop_to(k)

    # text -------------------------------------------------------------------------------

    def _flush(self) -> None:
        if self._pieces:
            self.runs.append((self._owner, self._pieces))
            self._pieces = []

    def _text(self, s: int, e: int, rep: str | None) -> None:
        if self._hidden_from != _NEVER:
            return
        if not self._pieces:
            if (self.src[s:e] if rep is None else rep).isspace():
                return  # whitespace never starts a run
            self._owner = self._stack[self._near[-1]]
        self._pieces.append((s, e, rep, self._open.get("a", 0) > 0))

    # tokens -----------------------------------------------------------------------------

    def handle_starttag(self, tag: str, s: int, e: int) -> None:
        # Markup needs no position: whatever lies between two pieces of text is an edit anyway.
        src = self.src
        if ":" in tag and _AUTOLINK.fullmatch(src, s, e):
            self._text(s, e, None)  # a Markdown autolink: readers see it as text
            return
        if tag == "meta":
            self._meta(dict(attributes(src, s, e)))
            return
        stack, tags, near, open_ = self._stack, self.tags, self._near, self._open
        if tags[stack[-1]] == "head" and tag not in _HEAD_OK:
            self._pop()  # content directly inside an unclosed <head>: the body has begun
        if tag in _DOCUMENT_TAGS:
            if open_.get(tag):
                return
            if tag == "body" and open_.get("head"):
                self.handle_endtag("head", s, s)
        closers = _CLOSERS.get(tag)
        if closers is not None and tags[stack[near[-1]]] in closers:
            self._close_implied(closers)
        if tag in _VOID:
            if tag == "br":
                self._text(s, e, "\n")
            elif tag == "hr":
                self._flush()
            return
        # The new element. "<p>" has no attributes at all; most other tags carry none of those
        # read here (a name that lower-cases to one of them is in the lower-cased tag too; "id"
        # also finds "hidden").
        cls = ident = ""
        weight, flags = 0, _TAG_FLAGS.get(tag, 0)
        if e - s != len(tag) + 2 or not src.startswith(tag, s + 1):
            text = src[s:e].lower()
            if "class" in text or "id" in text or "style" in text or "datetime" in text:
                for name, value in attributes(src, s, e):
                    if name == "class":
                        cls = value or ""
                    elif name == "id":
                        ident = value or ""
                    elif name == "hidden" or (name == "style" and value and _DISPLAY_NONE.search(value)):
                        flags |= HIDE
                    elif name == "datetime" and tag == "time" and value:
                        self.meta.setdefault("time", value.strip())
                if cls or ident:
                    weight, hinted = _hints(cls, ident)
                    flags |= hinted & ~UNLIKELY if tag in _NEVER_UNLIKELY else hinted
        depth = len(stack)
        if flags & HIDE and depth < self._hidden_from:
            self._hidden_from = depth
        self._rows.append((stack[-1], weight, flags, cls))
        stack.append(len(tags))
        tags.append(tag)
        # A marked caption is its own run even when it is an inline <span>, so it can be dropped.
        if tag in BLOCK or flags & CAPTION:
            if self._pieces:
                self._flush()
            near.append(depth)
        else:
            near.append(near[-1])
        open_[tag] = open_.get(tag, 0) + 1
        if tag == "title" and self.title is None:
            self.title_parts = []

    def handle_startendtag(self, tag: str, s: int, e: int) -> None:
        self.handle_starttag(tag, s, e)
        self.handle_endtag(tag, s, e)

    def handle_endtag(self, tag: str, s: int, e: int) -> None:
        stack, tags = self._stack, self.tags
        top = len(stack) - 1
        if tags[stack[top]] == tag and tag != "html" and tag != "body":
            self._pop()  # most end tags close the element on top
            return
        if not self._open.get(tag):
            if tag not in HEADINGS:
                return  # a stray end tag
            tag = tags[stack[self._near[-1]]]
            if tag not in HEADINGS:
                return
            # </h3> closes an open <h2>, as in browsers
        elif tag == "html" or tag == "body":
            return  # text after </body> still belongs to the body
        k = len(stack) - 1
        while tags[stack[k]] != tag:
            k -= 1
        self._pop_to(k)

    def handle_data(self, s: int, e: int) -> None:
        top = self.tags[self._stack[-1]]
        if top == "title" or top == "head":
            if top == "title":
                if self.title_parts is not None:
                    self.title_parts.append(self.src[s:e])
            elif not self.src[s:e].isspace():
                self._pop()  # text directly inside <head>: the body has begun
        if self._hidden_from != _NEVER:
            return
        pieces = self._pieces
        if not pieces:
            if self.src[s:e].isspace():
                return  # whitespace never starts a run
            self._owner = self._stack[self._near[-1]]
        pieces.append((s, e, None, self._open.get("a", 0) > 0))

    def handle_reference(self, s: int, e: int) -> None:
        raw = self.src[s:e]
        rep = _unescape(raw)
        stack = self._stack
        top = self.tags[stack[-1]]
        if top == "title" and self.title_parts is not None:
            self.title_parts.append(rep)
        elif top == "head":
            self._pop()  # a reference directly inside <head>: the body has begun
        self._text(s, e, None if rep == raw else rep)

    def _meta(self, values: dict[str, str | None]) -> None:
        key = (values.get("property") or values.get("name") or values.get("itemprop") or "").strip().lower()
        content = (values.get("content") or "").strip()
        if key and content:
            self.meta.setdefault(key, content)
