"""Deterministic labelled corpus of near-duplicate Chinese news built from REAL news prose.

Usage::

    python benchmarks/prose.py OUT_DIR --articles 300 --seed 1 [--cases md_page,web] [--ocr-pages 4]
                               [--labels FILE] [--stats]

or ``generate(Path(out), articles=300, seed=1) -> labels``. The same seed gives byte-identical
files and labels (OCR pages: as long as tesseract and its cache give the same text).

Source text
    ``peoples-daily-1998-01-a.txt`` (People's Daily, January 1998, first half; one paragraph or
    headline per line, headlines unmarked; see its README), found through ``$NEARDUP_PROSE_CORPUS``
    (the file or its folder) or at ``ROOT.parent/shared/corpora/``. It is cut into articles
    (``cut_articles``): a headline is a short line (≤ 30 characters, ``（附图片…）`` aside) without
    sentence-final punctuation, followed by up to two more short lines (``——`` subtitle, byline
    such as ``本报记者…``, or another subtitle) and then paragraphs; photo captions (``…摄）``,
    ``图为…``) are kept, run-in credits such as ``（新华社北京１月１日电）`` join the paragraph before.
    Articles of 350–3,500 body characters and ≥ 3 paragraphs make the stories; articles of 150–400
    characters make 简讯. Story ids are ``pd`` + the article's position in the cut (the same in
    every seed). Where the file is absent the generator says so on stderr and falls back to the
    synthetic stories of ``benchmarks/corpus.py`` (``"source": "synthetic"``).

Labels: exactly the contract of ``benchmarks/corpus.py`` (read there), with ``"articles": N``
    instead of ``size_mb``, ``"generator": "neardup-prose/1"``, ``"source"`` and two additions that
    ``evaluate.py`` ignores: ``"skipped_cases"`` ({case: why}) and, on wrapped pages, the
    document's ``"wrap"`` width. Span conventions are corpus.py's: a span starts at the headline
    text (after ``## ``, inside ``<h1>``) or, where no headline is shown, at the first paragraph
    (the dateline paragraph on ``dateline_page``), and ends after the last paragraph's last
    character; subtitles, bylines, captions, subheads and breaks inside the article are inside;
    page headers, mastheads, furniture (第四版, 责任编辑：…, phone numbers), front matter, navigation,
    related links and footers are outside. Every span is self-checked on generation.

Cases: pages (3–6 articles of mixed topics; each page article has 1–3 versions, ~20 % none)
    ``md_page``         ``#`` page header, ``##`` headlines, ``###`` subheads in long articles.
    ``plain_page``      headlines as plain lines, blank lines between paragraphs, no markup.
    ``byline_page``     headline, subtitle, byline lines and the dateline first paragraph, plain.
    ``wrapped_page``    every line but headlines hard-wrapped at W (12–36, one W a page); blank lines.
    ``wrapped_noblank`` hard-wrapped at W, no blank lines at all.
    ``column_breaks``   wrapped, paragraphs split by column breaks (blank line or plain break, often
                        inside a word), furniture lines and mastheads between articles.
    ``dateline_page``   ≥ 1/3 of the articles show no headline and open with their dateline.
    ``captions_page``   masthead, photo captions under headlines or between paragraphs, editor lines.
    ``briefs_page``     a 简讯 column of 150–400-character briefs (■/▲ bullets or none).
    ``noisy_page``      print noise: look-alike swaps (己→已, 日→曰…), punctuation in both widths.
    ``ocr_page``        one column rendered and read back by tesseract (``benchmarks/ocr.py``), light.
    ``broadsheet_ocr``  2–3 columns read back by tesseract, light or heavy damage.
Versions and singles
    ``web``             HTML page (nav, ``<h1>``, ``<p>``, related links to other stories' headlines,
                        footer) with small edits: 119家次→119家, a word swapped, a sentence dropped.
    ``trad``            OpenCC ``s2t`` (UTF-8) or ``s2tw`` (Big5) copy, text or HTML.
    ``truncated``       the first 40–70 % of the body.
    ``feed``            JSONL records {id,title,url,date,text} (title only in the record).
    ``repost_txt``      plain text with front matter or a source line.
    ``unique``          standalone articles with no sibling.
    ``near_miss``       standalone source articles sharing many phrases with a page article (same
                        event, same template: ``siblings``) but telling another story; no sibling.
A page article is sometimes reprinted on a later page of another layout (a labelled pair of two
page members); its versions then carry the page's layout as case.
OCR cases are made only where ``ocr.tesseract_available()``; otherwise ``skipped_cases`` says why.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from random import Random
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from corpus import (  # noqa: E402  (benchmarks/ is not a package)
    OCR_SLIPS,
    SYNONYMS,
    Article,
    DocBuilder,
    Placed,
    encode,
    make_person,
    opencc_converter,
    truncate,
)

__all__ = [
    "ALL_CASES",
    "OCR_CASES",
    "PAGE_CASES",
    "VERSION_CASES",
    "cut_articles",
    "cut_stats",
    "generate",
    "source_path",
]

GENERATOR = "neardup-prose/1"
SOURCE = "peoples-daily-1998-01-a"
PAGE_CASES = ("md_page", "plain_page", "byline_page", "wrapped_page", "wrapped_noblank",
              "column_breaks", "dateline_page", "captions_page", "briefs_page", "noisy_page")
OCR_CASES = ("ocr_page", "broadsheet_ocr")
VERSION_CASES = ("web", "trad", "truncated", "feed", "repost_txt")
ALL_CASES = PAGE_CASES + OCR_CASES + VERSION_CASES + ("unique", "near_miss")
WRAPPED_CASES = ("wrapped_page", "wrapped_noblank", "column_breaks")

# --------------------------------------------------------------------------------------------
# Cutting the source into articles
# --------------------------------------------------------------------------------------------

_TERMINAL = tuple("。！？”…；：）」』!?")
_PHOTO_NOTE = re.compile(r"（(附)?(图片|照片)[^（）]*）$")
_CAPTION = re.compile(r"(摄|照片|供图|制图|漫画)）$|^图为|^（图|^(图片|照片)：?$")
_BYLINE = re.compile(r"^(本报|新华社|记者|通讯员|特约|中新社|据)|记者|评论员|通讯员")
DATELINE = re.compile(r"^(据)?(本报|新华社|中新社)[^，。：“]{0,26}?(电|讯)")
_SUBHEAD = re.compile(r"^(●|◆|■|▲|□|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|[１-９]+、)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_STATUTE = re.compile(r"^(第[一二三四五六七八九十百]+[章条节]|[一二三四五六七八九十]+、第[一二三四五六七八九十百]+条)")


def source_path() -> Path | None:
    """The source file: ``$NEARDUP_PROSE_CORPUS`` (file or folder) when set, else ``../shared/corpora/``;
    None where it is not there."""
    env = os.environ.get("NEARDUP_PROSE_CORPUS")
    for cand in [Path(env)] if env else [ROOT.parent / "shared" / "corpora"]:
        path = cand / f"{SOURCE}.txt" if cand.is_dir() else cand
        if path.is_file():
            return path
    return None


def _kind(line: str) -> str:
    """S: short unpunctuated (headline-like), N: short bracketed note, P: paragraph."""
    if len(line) <= 40 and line.startswith("（") and line.endswith("）"):
        return "N"
    core = _PHOTO_NOTE.sub("", re.sub(r"(?<=[^。！？”…；：）])（[^（）]*）$", "", line))
    if 0 < len(core) <= 30 and (not core.endswith(_TERMINAL) or core != line
                                or (core.endswith("”") and not core.startswith("“"))):
        return "S"  # a headline: 给黄土地“拜年”, 画漫画，咱也会！（图片）
    if len(core) <= 40 and not core.endswith(_TERMINAL) and not re.search("[，。；]", core):
        return "S"  # a long headline
    return "P"


def _article(story: str, header: list[str], body: list[str]) -> Article | None:
    title = header[0]
    if len(_CJK.findall(title)) < max(4, len(title) // 2) or _STATUTE.match(title):
        return None  # tables, stock quotes, numbered lists, chapters of a statute
    blocks: list[tuple[str, str]] = []
    for line in header[1:]:
        kind = "byline" if _BYLINE.search(line) or len(line) <= 5 else "subtitle"
        blocks.append((kind, line))
    for n, line in enumerate(body):
        k = _kind(line)
        if n and (DATELINE.match(line) or (line.startswith("●") and k == "P")) and any(b[0] == "p" for b in blocks):
            break  # a second dateline: the next item of a composite column starts here
        if k == "S":
            blocks.append(("sub", line))
        elif _CAPTION.search(line) and len(line) <= 160:
            blocks.append(("caption", line))
        elif k == "N" and blocks and blocks[-1][0] == "p":
            blocks[-1] = ("p", blocks[-1][1] + line)  # run-in credit: （新华社北京１月１日电）
        elif k == "N":
            blocks.append(("subtitle" if not any(b[0] == "p" for b in blocks) else "caption", line))
        else:
            blocks.append(("p", line))
    while blocks and blocks[-1][0] == "p" and len(blocks[-1][1]) <= 40 and not blocks[-1][1].endswith(_TERMINAL):
        blocks.pop()  # a stray headline-like line (明天气象预报…) does not end an article
    if sum(bool(_STATUTE.match(t)) for k, t in blocks if k == "p") >= 2:
        return None  # the articles of a law are not news
    while blocks and blocks[-1][0] != "p":  # end on a paragraph: trailing captions move up
        moved = blocks.pop()
        if not any(b[0] == "p" for b in blocks):
            return None
        last = max(i for i, b in enumerate(blocks) if b[0] == "p")
        blocks.insert(last, moved)
    return Article(story=story, title=title, blocks=tuple(blocks))


def cut_articles(path: Path) -> list[Article]:
    """Every article of the source in order (any length); story ids ``pd`` + position."""
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").split("\n") if ln.strip()]
    kinds = [_kind(ln) for ln in lines]
    out: list[Article] = []
    i, n = 0, len(lines)
    while i < n:
        if kinds[i] != "S":
            i += 1
            continue
        j = i
        while j < n and kinds[j] in "SN" and not (j > i and _SUBHEAD.match(lines[j]) and kinds[j - 1] == "P"):
            j += 1
        k = j
        while k < n and (kinds[k] in "PN" or (kinds[k] == "S" and _SUBHEAD.match(lines[k]))):
            k += 1
        if sum(kinds[x] == "S" for x in range(i, j)) <= 3 and k > j:
            art = _article(f"pd{len(out):04d}", lines[i:j], lines[j:k])
            if art is not None:
                out.append(art)
        i = k
    return out


# Source articles that repeat a paragraph of another one verbatim (neardup links them at its default
# threshold): a review quoting the news item it reviews, a dispatch retold by the same reporter, a
# speech printed beside the news report quoting it.
# Labelled as different stories they would be false pairs that are really shared passages, so the
# second of each pair is left out. Others stay: weather forecasts, 会见 reports and follow-ups of one
# event share stock phrases, not passages, and make the precision test.
OVERLAPPING = frozenset({"伟大的军事家周恩来——读《周恩来军事文选》（附图片２张）",
                         "塔利班欲借重伊斯兰学者议和反塔联盟接受和谈建议",
                         "在《罗荣桓军事文选》出版座谈会上江泽民同志的讲话"})


def siblings(arts: Sequence[Article], min_shared: int = 12) -> dict[str, list[str]]:
    """Source articles sharing ``min_shared`` or more rare character 6-grams (found in at most four
    articles) with another: follow-ups of one event, 会见 reports, daily forecasts, a speech and the
    news of it. Different stories that a careless matcher joins."""
    index: dict[str, list[int]] = {}
    for n, art in enumerate(arts):
        text = "".join(_CJK.findall("".join(art.paragraphs)))
        for gram in {text[i:i + 6] for i in range(len(text) - 5)}:
            index.setdefault(gram, []).append(n)
    shared: dict[tuple[int, int], int] = {}
    for ids in index.values():
        if 2 <= len(ids) <= 4:
            for x, i in enumerate(ids):
                for j in ids[x + 1:]:
                    shared[i, j] = shared.get((i, j), 0) + 1
    out: dict[str, list[str]] = {}
    for (i, j), count in sorted(shared.items()):
        if count >= min_shared:
            out.setdefault(arts[i].story, []).append(arts[j].story)
            out.setdefault(arts[j].story, []).append(arts[i].story)
    return out


def _body(art: Article) -> int:
    return art.body_chars()


def _long(art: Article) -> bool:
    return art.title not in OVERLAPPING and 350 <= _body(art) <= 3500 and len(art.paragraphs) >= 3


def _short(art: Article) -> bool:
    return (art.title not in OVERLAPPING and 150 <= _body(art) <= 400 and not _long(art)
            and _BYLINE.search(art.title) is None)


def has_dateline(art: Article) -> bool:
    paras = art.paragraphs
    return bool(paras and DATELINE.match(paras[0]))


def cut_stats(arts: Sequence[Article]) -> dict[str, Any]:
    """How many articles the cut gives, with what parts, and their body lengths (deciles)."""
    longs = [a for a in arts if _long(a)]
    sizes = sorted(_body(a) for a in longs)
    out: dict[str, Any] = {"cut": len(arts), "long": len(longs), "short_briefs": sum(map(_short, arts)),
                           "long_with_dateline": sum(map(has_dateline, longs))}
    for kind in ("byline", "subtitle", "caption", "sub"):
        out[f"long_with_{kind}"] = sum(any(k == kind for k, _ in a.blocks) for a in longs)
    out["body_chars_deciles"] = [round(x) for x in statistics.quantiles(sizes, n=10)] if len(sizes) > 10 else sizes
    return out


def _synthetic(seed: int, n: int) -> list[Article]:
    """Fallback stories from corpus.py's writer: long ones, then briefs, some opening with 本报讯."""
    import numpy as np

    from corpus import Sampler, Writer, lexicon

    rnd = Random(f"neardup-prose-synthetic:{seed}")
    w = Writer(Sampler(lexicon(), np.random.default_rng([seed, 77])), rnd)
    out: list[Article] = []
    for i in range(n + n // 4 + 8):
        short = i >= n
        art = w.article(f"sy{i:04d}", w.topic(), rnd.randint(160, 330) if short else rnd.randint(400, 2600),
                        print_extras=not short)
        blocks = [(k if k != "sub" else "p", t) for k, t in art.blocks]
        if short:
            blocks = [b for b in blocks if b[0] == "p"][:2]
        if rnd.random() < 0.6:
            first = next(x for x, b in enumerate(blocks) if b[0] == "p")
            blocks[first] = ("p", "本报讯　" + blocks[first][1])
        out.append(replace(art, blocks=tuple(blocks)))
    return out


# --------------------------------------------------------------------------------------------
# Text edits
# --------------------------------------------------------------------------------------------

_FW = str.maketrans("０１２３４５６７８９", "0123456789")
_TO_FW = str.maketrans("0123456789", "０１２３４５６７８９")
_HALF = str.maketrans({"，": ",", "：": ":", "（": "(", "）": ")", "；": ";", "！": "!", "？": "?"})
NOISE = {**OCR_SLIPS, "己": "已", "日": "曰", "末": "未", "戊": "戌"}
MORE_SYNONYMS = [("指出", "表示"), ("今天", "当天"), ("目前", "现在"), ("进行", "开展"), ("我国", "中国"),
                 ("群众", "人民群众"), ("有关", "相关"), ("增加", "增长"), ("认为", "表示")]


def _number_edit(text: str, rnd: Random) -> str:
    m = re.search(r"([0-9０-９]+)(家次|人次)", text)
    if m:
        return text[: m.start()] + m.group(1) + m.group(2)[0] + text[m.end():]
    m = re.search(r"([0-9０-９]{3,})(万元|亿元|万人|人|吨|公斤|户)", text)
    if m:
        digits = m.group(1)
        rounded = str(int(digits.translate(_FW)) // 10 * 10)
        if digits[0] in "０１２３４５６７８９":
            rounded = rounded.translate(_TO_FW)
        return text[: m.start()] + rounded + "余" + m.group(2) + text[m.end():]
    m = re.search(r"([0-9０-９．.]+)(％|%)", text)
    return text[: m.end()] + "以上" + text[m.end():] if m else text


def edit_web(art: Article, rnd: Random) -> Article:
    """What a web desk does to a printed story: 1–3 small edits, captions and often the byline go,
    ``（附图片…）`` leaves the headline, digits sometimes become half-width."""
    blocks = [b for b in art.blocks if b[0] != "caption" and (b[0] != "byline" or rnd.random() < 0.4)]
    paras = [i for i, b in enumerate(blocks) if b[0] == "p"]
    for _ in range(rnd.randint(1, 3)):
        i = rnd.choice(paras)
        text = blocks[i][1]
        op = rnd.random()
        if op < 0.35:
            text = _number_edit(text, rnd)
        elif op < 0.7:
            present = [(a, b) for a, b in SYNONYMS + MORE_SYNONYMS if a in text]
            if present:
                a, b = rnd.choice(present)
                text = text.replace(a, b, 1)
        elif op < 0.8 and i != paras[-1] and blocks[i + 1][0] == "p":
            text += blocks[i + 1][1]  # two paragraphs run together
            blocks[i + 1] = ("drop", "")
            paras.remove(i + 1)
        elif i != paras[-1]:
            sentences = [s for s in re.split(r"(?<=[。！？])", text) if s]
            if len(sentences) >= 3:
                del sentences[rnd.randrange(1, len(sentences))]
                text = "".join(sentences)
        blocks[i] = ("p", text)
    blocks = [x for x in blocks if x[0] != "drop"]
    out = replace(art, title=_PHOTO_NOTE.sub("", art.title), blocks=tuple(blocks))
    if rnd.random() < 0.3:
        out = out.map(lambda s: s.translate(_FW))
    return out


def reprint(art: Article, rnd: Random) -> Article:
    """Another paper's copy of a page article: now and then its own headline (the subtitle, or the
    part before ——), a number edited in a paragraph other than the last."""
    blocks = list(art.blocks)
    subs = [t for k, t in blocks if k == "subtitle" and not t.startswith(("——", "（"))]
    title, r = art.title, rnd.random()
    if r < 0.3 and subs:
        title = subs[0]
        blocks.remove(("subtitle", subs[0]))
    elif r < 0.6 and "——" in title[2:]:
        title = title.split("——")[0]
    paras = [i for i, b in enumerate(blocks) if b[0] == "p"][:-1]
    if paras:
        i = rnd.choice(paras)
        blocks[i] = ("p", _number_edit(blocks[i][1], rnd))
    return replace(art, title=_PHOTO_NOTE.sub("", title) or art.title, blocks=tuple(blocks))


def print_noise(art: Article, rnd: Random) -> Article:
    """Look-alike swaps (about one per paragraph) and punctuation partly half-width."""
    def noise(text: str) -> str:
        chars = list(text)
        for i in [i for i, c in enumerate(chars) if c in NOISE]:
            if rnd.random() < 0.08:
                chars[i] = NOISE[chars[i]]
        out = "".join(chars)
        return re.sub("[，：（）；！？]", lambda m: m.group().translate(_HALF) if rnd.random() < 0.3 else m.group(), out)
    return art.map(noise)


# --------------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------------


@dataclass
class Doc:
    """One document under construction: its builder, case and the self-check expectations."""

    case: str
    ext: str
    b: DocBuilder = field(default_factory=DocBuilder)
    expect: list[tuple[str | None, str]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def start(self, art: Article, shown_title: bool) -> None:
        self.b.open(art)
        self.expect.append((art.title if shown_title else None, art.paragraphs[-1]))


def _squash(text: str) -> str:
    return re.sub(r"\s", "", text)


def self_check(path: str, text: str, placed: Sequence[Placed], expect: Sequence[tuple[str | None, str]],
               *, ocr: bool, transform: Callable[[str], str] | None = None, is_html: bool = False) -> None:
    """Fail loudly unless each span holds its shown headline and its last paragraph's end."""
    assert len(placed) == len(expect), path
    for a, (title, last) in zip(placed, expect):
        if not 0 <= a.start < a.end <= len(text):
            raise AssertionError(f"{path}: empty or out-of-range span {a.start}-{a.end} for {a.story}")
        if ocr:
            continue
        span = _squash(html.unescape(text[a.start:a.end]) if is_html else text[a.start:a.end])
        tf = transform or (lambda s: s)
        want_tail = _squash(tf(last))[-10:]
        if title is not None and _squash(tf(title)) not in span:
            raise AssertionError(f"{path}: span of {a.story} lacks its headline {title!r}")
        if not span.endswith(want_tail):
            raise AssertionError(f"{path}: span of {a.story} does not end with {want_tail!r}: …{span[-30:]!r}")


def _wrap(text: str, width: int) -> str:
    return "\n".join(text[i: i + width] for i in range(0, len(text), width)) if width else text


_NUM = "零一二三四五六七八九十"


def _cn(n: int) -> str:
    return _NUM[n] if n <= 10 else "十" + _NUM[n - 10]


def masthead(rnd: Random, *, with_page: bool = True) -> str:
    day = rnd.randint(1, 15)
    week = "一二三四五六日"[(3 + day - 1) % 7]  # 1 January 1998 was a Thursday
    page = f" 第{_cn(rnd.randint(1, 12))}版" if with_page else ""
    return f"人民日报 1998年1月{day}日 星期{week}{page}"


def furniture(rnd: Random) -> str:
    r = rnd.random()
    if r < 0.3:
        return f"第{_cn(rnd.randint(1, 12))}版"
    if r < 0.55:
        return f"责任编辑：{make_person(rnd)}"
    if r < 0.75:
        return f"本版编辑：{make_person(rnd)} {make_person(rnd)}"
    if r < 0.9:
        return f"电话：{rnd.randint(6500000, 6599999)} 传真：{rnd.randint(6500000, 6599999)}"
    return masthead(rnd)


def _caption(art: Article, rnd: Random) -> str:
    first = re.split(r"[，。；：]", art.paragraphs[-1 if len(art.paragraphs) < 2 else 1])[0][:24]
    who = rnd.choice(["新华社记者", "本报记者", ""]) + make_person(rnd)
    return f"图为{first}。（{who}摄）" if rnd.random() < 0.6 else f"（{who}摄）"


@dataclass
class Style:
    """How a page is set: Markdown, paragraph separator, wrap width (0: none), ``###`` subheads,
    share of articles split by a column break, of gaps holding furniture, added captions, whether
    subtitle/byline lines show, which articles show no headline, the headline bullet."""

    md: bool = False; sep: str = "\n\n"; wrap: int = 0; subheads: bool = False  # noqa: E702
    breaks: float = 0.0; furniture: float = 0.0; captions: bool = False; extras: bool = True  # noqa: E702
    headless: frozenset[int] = frozenset(); bullet: str = ""  # noqa: E702


def render_page(d: Doc, arts: Sequence[Article], rnd: Random, header: str | None, st: Style) -> None:
    """A printed page: header, articles, furniture; wrapping, breaks and captions per ``st``."""
    b = d.b
    nl = "\n\n" if st.sep == "\n\n" else "\n"
    if header:
        b.add(("# " if st.md else "") + header + nl)
    for n, art in enumerate(arts):
        if n and rnd.random() < st.furniture:
            b.add(furniture(rnd) + nl)
        shown = n not in st.headless
        d.start(art, shown)
        blocks = [x for x in art.blocks if st.extras or x[0] not in ("subtitle", "byline") or not shown]
        if not shown:
            blocks = [x for x in blocks if x[0] not in ("subtitle", "byline")]
            while blocks[0][0] != "p":
                blocks.pop(0)
        if st.captions and not any(k == "caption" for k, _ in blocks):
            paras = [i for i, x in enumerate(blocks) if x[0] == "p"]
            at = rnd.choice([0] + paras[1:]) if shown else rnd.choice(paras[1:] or [paras[-1]])
            blocks.insert(at, ("caption", _caption(art, rnd)))
        if shown:
            b.add("## " if st.md else st.bullet)
            b.content(art.title)
            b.add(nl)
        paras = [i for i, x in enumerate(blocks) if x[0] == "p"]
        subs: set[int] = set()
        if st.subheads and _body(art) > 1200 and len(paras) >= 5:
            subs = set(rnd.sample(paras[2:-1], min(len(paras) - 3, rnd.randint(1, 2))))
        brk = rnd.choice(paras) if rnd.random() < st.breaks else -1
        for j, (kind, text) in enumerate(blocks):
            if j:
                b.add(st.sep)
            if j in subs:
                head = re.sub(r"[^\u4e00-\u9fff０-９A-Za-z]", "", text)[: rnd.randint(6, 12)]
                b.add("### " if st.md else "")
                b.content(("●" if rnd.random() < 0.4 else "") + head)
                b.add(st.sep)
            if kind == "sub" and st.md:
                b.add("### ")
            if j == brk and len(text) > 30:
                k = rnd.randint(8, len(text) - 8)  # a column break, often inside a word
                text = _wrap(text[:k], st.wrap) + rnd.choice(["\n\n", "\n"]) + _wrap(text[k:], st.wrap)
                b.content(text)
            else:
                b.content(_wrap(text, st.wrap))
        b.close()
        b.add(nl)
    if st.furniture and rnd.random() < 0.5:
        b.add(furniture(rnd) + "\n")


SITES = [("人民网", "people.com.cn", ["首页", "时政", "国际", "经济", "社会", "观点", "图片"]),
         ("新华网", "xinhuanet.com", ["首页", "高层", "时政", "财经", "地方", "视频"]),
         ("光明网", "gmw.cn", ["首页", "时评", "理论", "文化", "科技", "教育"])]


def render_web(d: Doc, art: Article, rnd: Random, related: Sequence[str], charset: str = "utf-8") -> None:
    name, host, menu = rnd.choice(SITES)
    day = rnd.randint(1, 15)
    b = d.b
    nav = " | ".join(f'<a href="http://www.{host}/{i}/">{w}</a>' for i, w in enumerate(menu))
    b.add(f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="{charset}">\n<title>{html.escape(art.title)}--{name}</title>\n'
          f'</head>\n<body>\n<div class="nav">{nav}</div>\n<div class="text_c">\n<h1>')
    d.start(art, True)
    b.content(html.escape(art.title, quote=False))
    b.add(f'</h1>\n<div class="sou">1998年01月{day:02d}日 来源：人民日报</div>\n')
    for j, (_kind, text) in enumerate(art.blocks):
        b.add("<p>")
        b.content(html.escape(text, quote=False))
        if j < len(art.blocks) - 1:
            b.add("</p>\n")
    b.close()
    links = "".join(f'<li><a href="http://www.{host}/n/{rnd.getrandbits(32):x}.html">{html.escape(t)}</a></li>\n'
                    for t in related)
    b.add(f'</p>\n<div class="edit">（责任编辑：{make_person(rnd)}）</div>\n</div>\n'
          f'<div class="related"><h3>相关新闻</h3>\n<ul>\n{links}</ul></div>\n'
          f'<div class="footer">{name}版权所有，未经书面授权禁止使用 '
          f'Copyright © 1997-1998 by {host}. all rights reserved.</div>\n'
          "</body>\n</html>\n")


def render_text(d: Doc, art: Article, rnd: Random) -> None:
    """A plain-text repost: front matter (title only there) or a source line, then the story."""
    b = d.b
    day = rnd.randint(1, 15)
    front = rnd.random() < 0.4
    if front:
        b.add(f"---\ntitle: {art.title}\ndate: 1998-01-{day:02d}\nsource: 人民日报\n---\n\n")
    elif rnd.random() < 0.5:
        b.add(f"来源：《人民日报》1998年1月{day}日第{_cn(rnd.randint(1, 12))}版\n\n")
    d.start(art, not front)
    if not front:
        b.content(art.title)
        b.add("\n\n")
    blocks = [x for x in art.blocks if not front or x[0] not in ("subtitle", "byline")]
    while blocks[0][0] not in ("p", "subtitle", "byline"):
        blocks.pop(0)
    for j, (_, text) in enumerate(blocks):
        if j:
            b.add("\n\n")
        b.content(text)
    b.close()
    b.add(rnd.choice(["\n", "\n\n（来源：人民日报）\n", f"\n\n（责任编辑：{make_person(rnd)}）\n"]))


# --------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------


class Corpus:
    """The files under construction, with their labels; one Random drives everything."""

    def __init__(self, seed: int, titles: Sequence[str]) -> None:
        self.seed, self.rnd, self.titles = seed, Random(f"neardup-prose:{seed}"), list(titles)
        self.files: list[tuple[str, bytes, list[tuple[str, dict[str, Any]]]]] = []
        self.counter = 0
        self.skipped: dict[str, str] = {}
        self.feed: list[Article] = []

    def name(self, ext: str) -> str:
        self.counter += 1
        return f"{self.counter:04d}_{self.rnd.getrandbits(48):012x}.{ext}"

    def emit(self, d: Doc, *, encoding: str = "utf-8", transform: Callable[[str], str] | None = None) -> None:
        text, placed = d.b.finish(transform)
        path = self.name(d.ext)
        self_check(path, text, placed, d.expect, ocr=False, transform=transform, is_html=d.ext == "html")
        data, encoding = encode(text, encoding)
        self.files.append((path, data, [(path, self._label(d.case, encoding, placed, d.extra))]))

    def _label(self, case: str, encoding: str, placed: Sequence[Placed], extra: dict[str, Any]) -> dict[str, Any]:
        arts = [{"story": a.story, "start": a.start, "end": a.end, "part": None, "title": a.title} for a in placed]
        return {"case": case, "encoding": encoding, "junk": False, "articles": arts, **extra}

    def related(self, art: Article) -> list[str]:
        return [t for t in self.rnd.sample(self.titles, 8) if t != art.title][:6]

    # -- pages --

    def page(self, case: str, arts: list[Article]) -> None:
        rnd = self.rnd
        d = Doc(case, rnd.choice(["txt", "md"]) if case == "md_page" else "txt")
        w = rnd.randint(12, 36)
        header: str | None = masthead(rnd) if rnd.random() < 0.5 else None
        st, sep = Style(), rnd.choice(["\n", "\n\n"])
        if case == "md_page":
            header, st = masthead(rnd), Style(md=True, subheads=True, furniture=0.2)
        elif case == "plain_page":
            st = Style(extras=rnd.random() < 0.5)
        elif case == "byline_page":
            st = Style(sep=sep)
        elif case in WRAPPED_CASES:
            st = Style(wrap=w, sep="\n" if case == "wrapped_noblank" else "\n\n")
            if case == "column_breaks":
                header, st.breaks, st.furniture = masthead(rnd), 0.7, 0.6
        elif case == "dateline_page":  # a third or more of the articles open with their dateline
            dated = [i for i, a in enumerate(arts) if has_dateline(a)]
            k = max(-(-len(arts) // 3), len(dated) // 2)
            st = Style(headless=frozenset(rnd.sample(dated, min(len(dated), k))), sep=sep,
                       wrap=w if rnd.random() < 0.4 else 0)
        elif case == "captions_page":
            header, st = masthead(rnd), Style(captions=True, furniture=0.7)
        elif case == "briefs_page":
            header = rnd.choice(["简讯", "■简讯", "本版简讯", "新闻简讯"])
            st = Style(sep=sep, bullet=rnd.choice(["■", "▲", ""]), extras=False)
        elif case == "noisy_page":
            arts = [print_noise(a, rnd) for a in arts]
            st = Style(md=rnd.random() < 0.5, furniture=0.3)
        if st.wrap:
            d.extra["wrap"] = st.wrap
        render_page(d, arts, rnd, header, st)
        self.emit(d)

    def ocr(self, case: str, arts: list[Article], index: int) -> None:
        import ocr  # benchmarks/ocr.py

        rnd = self.rnd
        d = Doc(case, "txt")
        render_page(d, arts, rnd, masthead(rnd), Style(sep="\n", extras=rnd.random() < 0.5))
        text, placed = d.b.finish()
        columns = 1 if case == "ocr_page" else rnd.randint(2, 3)
        degrade = "light" if case == "ocr_page" or rnd.random() < 0.5 else "heavy"
        width = rnd.randint(18, 28) if columns == 1 else rnd.randint(12, 18)
        out, spans = ocr.ocr_page(text, [(a.start, a.end) for a in placed], seed=self.seed * 1000 + index,
                                  columns=columns, width_chars=width, degrade=degrade)
        kept = [replace(a, start=s, end=e) for a, (s, e) in zip(placed, spans) if e > s]
        path = self.name("txt")
        self_check(path, out, kept, [(None, "")] * len(kept), ocr=True)
        extra = {"ocr": {"columns": columns, "degrade": degrade, "width_chars": width,
                         "lost_articles": len(placed) - len(kept)}}
        self.files.append((path, out.encode("utf-8"), [(path, self._label(case, "utf-8", kept, extra))]))

    # -- versions --

    def version(self, art: Article, kind: str) -> None:
        rnd = self.rnd
        if kind == "web":
            d = Doc("web", "html")
            render_web(d, edit_web(art, rnd), rnd, self.related(art))
            self.emit(d)
        elif kind == "trad":
            big5 = rnd.random() < 0.5
            conv = opencc_converter("s2tw" if big5 else "s2t")
            shown = edit_web(art, rnd) if rnd.random() < 0.5 else replace(
                art, blocks=tuple(x for x in art.blocks if x[0] != "caption"))
            d = Doc("trad", rnd.choice(["txt", "html"]))
            if d.ext == "html":
                render_web(d, shown, rnd, self.related(art), "big5" if big5 else "utf-8")
            else:
                render_text(d, shown, rnd)
            self.emit(d, encoding="big5" if big5 else "utf-8", transform=conv)
        elif kind == "truncated":
            d = Doc("truncated", rnd.choice(["txt", "html"]))
            shown = truncate(replace(art, blocks=tuple(x for x in art.blocks if x[0] != "caption")), rnd)
            render_web(d, shown, rnd, self.related(art)) if d.ext == "html" else render_text(d, shown, rnd)
            self.emit(d)
        elif kind == "repost_txt":
            d = Doc("repost_txt", "txt")
            render_text(d, edit_web(art, rnd) if rnd.random() < 0.5 else art, rnd)
            self.emit(d)
        elif kind == "feed":
            self.feed.append(edit_web(art, rnd) if rnd.random() < 0.5 else art)
            if len(self.feed) >= 8:
                self.flush_feed()
        else:
            raise ValueError(kind)

    def unique(self, art: Article, case: str = "unique") -> None:
        rnd = self.rnd
        d = Doc(case, rnd.choice(["txt", "html"]))
        render_web(d, art, rnd, self.related(art)) if d.ext == "html" else render_text(d, art, rnd)
        self.emit(d)

    def flush_feed(self) -> None:
        if not self.feed:
            return
        rnd = self.rnd
        path = self.name("jsonl")
        lines: list[str] = []
        docs: list[tuple[str, dict[str, Any]]] = []
        for art in self.feed:
            d = Doc("feed", "jsonl")
            d.start(art, False)
            sep = rnd.choice(["\n", "\n\n"])
            paras = [t for k, t in art.blocks if k == "p"]
            for j, text in enumerate(paras):
                d.b.add(sep if j else "")
                d.b.content(text)
            d.b.close()
            text, placed = d.b.finish()
            self_check(path, text, placed, d.expect, ocr=False)
            rid = f"rmrb{rnd.getrandbits(32):08x}"
            day = rnd.randint(1, 15)
            lines.append(json.dumps({"id": rid, "title": art.title, "url": f"http://www.people.com.cn/199801/{day:02d}/{rid}.html",
                                     "date": f"1998-01-{day:02d}", "text": text}, ensure_ascii=False))
            docs.append((f"{path}#{rid}", self._label("feed", "utf-8", placed, {})))
        self.files.append((path, ("\n".join(lines) + "\n").encode("utf-8"), docs))
        self.feed = []


def _take(pool: list[Article], k: int, want: Callable[[Article], bool] | None = None, share: float = 0.0) -> list[Article]:
    """``k`` articles off ``pool``, at least ``share`` of them satisfying ``want`` where possible."""
    out: list[Article] = []
    if want is not None:
        for a in [a for a in pool if want(a)][: max(1, round(k * share))]:
            pool.remove(a)
            out.append(a)
    while len(out) < k and pool:
        out.append(pool.pop(0))
    return out


PREFER: dict[str, tuple[Callable[[Article], bool], float]] = {
    "dateline_page": (has_dateline, 0.67),
    "byline_page": (lambda a: has_dateline(a) and any(k in ("byline", "subtitle") for k, _ in a.blocks), 1.0),
    "captions_page": (lambda a: any(k == "caption" for k, _ in a.blocks), 0.5),
    "ocr_page": (lambda a: _body(a) < 1400, 1.0),
    "broadsheet_ocr": (lambda a: _body(a) < 1400, 1.0),
}


def _stories(seed: int, articles: int, near_miss: bool) -> tuple[str, list[Article], list[Article], dict[str, list[str]]]:
    """(source, long articles, short ones, siblings): cut from the source, else synthetic."""
    src = source_path()
    if src is None:
        looked = os.environ.get("NEARDUP_PROSE_CORPUS") or ROOT.parent / "shared" / "corpora"
        print(f"neardup-prose: {SOURCE}.txt not found (looked in {looked}, set $NEARDUP_PROSE_CORPUS); "
              "falling back to the synthetic stories of benchmarks/corpus.py", file=sys.stderr)
        arts = _synthetic(seed, articles)
        return "synthetic", arts[:articles], arts[articles:], {}
    arts = cut_articles(src)
    longs = [a for a in arts if _long(a)]
    return SOURCE, longs, [a for a in arts if _short(a)], siblings(longs) if near_miss else {}


def _ocr_unavailable(ocr_pages: int) -> str | None:
    if ocr_pages <= 0:
        return "--ocr-pages 0"
    try:
        import ocr
    except ImportError as e:
        return f"benchmarks/ocr.py cannot be imported ({e})"
    return None if ocr.tesseract_available() else "tesseract with chi_sim, Pillow or a CJK font is not available"


Plan = list[tuple[str, list[Article], set[str]]]  # (case, articles, stories reprinted there)


def _plan(rnd: Random, longs: list[Article], shorts: list[Article], budget: int, ocr_cases: list[str],
          ocr_pages: int, layouts: list[str]) -> Plan:
    """Which articles go on which page: OCR pages first, then every layout in turn (3 articles
    each the first round, 3–6 after), sometimes with a reprint of an earlier page's article."""
    plan: Plan = []
    used = 0
    for n in range(ocr_pages if ocr_cases else 0):
        if used + 3 > budget:
            break
        case = ocr_cases[n % len(ocr_cases)]
        plan.append((case, _take(longs, 3, *PREFER[case]), set()))
        used += 3
    rounds = 0
    reprinted: set[str] = set()
    while layouts and used + 3 <= budget and rounds < 10_000:
        case = layouts[rounds % len(layouts)]
        rounds += 1
        k = min(rnd.randint(3, 6) if rounds > len(layouts) else 3, budget - used)
        group = _take(shorts, max(k, 5)) if case == "briefs_page" else _take(longs, k, *PREFER.get(case, (None, 0.0)))
        if len(group) < 3:
            (shorts if case == "briefs_page" else longs)[:0] = group
            continue
        used += len(group)
        earlier = [a for pc, g, r in plan if pc not in (case, "briefs_page", *OCR_CASES) for a in g
                   if a.story not in r and a.story not in reprinted]
        again: set[str] = set()
        if case != "briefs_page" and rounds > len(layouts) and earlier and rnd.random() < 0.4:
            art = rnd.choice(earlier)  # the same story on another page: both sides need segmenting
            group.insert(rnd.randrange(len(group) + 1), reprint(art, rnd))
            again.add(art.story)
            reprinted.add(art.story)
        plan.append((case, group, again))
    return plan


def generate(out_dir: Path, *, articles: int, seed: int, cases: set[str] | None = None,
             ocr_pages: int = 4, labels_path: Path | None = None) -> dict[str, Any]:
    """Write the corpus of about ``articles`` stories into ``out_dir`` (empty or absent) and
    return its labels (also written to ``labels_path`` when given, outside ``out_dir``)."""
    out_dir = Path(out_dir)
    if cases is not None and set(cases) - set(ALL_CASES):
        raise ValueError(f"unknown case(s) {sorted(set(cases) - set(ALL_CASES))}; known: {', '.join(ALL_CASES)}")
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} is not empty")
    if labels_path is not None and Path(labels_path).resolve().is_relative_to(out_dir.resolve()):
        raise ValueError("the labels file must not lie inside the scanned folder")
    enabled = set(cases or ALL_CASES)
    source, longs, shorts, near = _stories(seed, articles, "near_miss" in enabled)
    c = Corpus(seed, [a.title for a in longs + shorts])
    rnd = c.rnd
    rnd.shuffle(longs)
    rnd.shuffle(shorts)
    budget = min(articles, len(longs) + len(shorts))
    ocr_cases = [x for x in OCR_CASES if x in enabled]
    why = _ocr_unavailable(ocr_pages) if ocr_cases else None
    if why:
        c.skipped.update({x: why for x in ocr_cases})
        ocr_cases = []
    if source == "synthetic" and "near_miss" in enabled:
        c.skipped["near_miss"] = "synthetic stories have no real siblings"
    layouts = [x for x in PAGE_CASES if x in enabled]
    versions = [x for x in VERSION_CASES if x in enabled]
    n_unique = round(budget * 0.08) if "unique" in enabled else 0
    n_near = round(budget * 0.08) if near else 0
    budget -= n_unique + n_near
    plan = _plan(rnd, longs, shorts, budget, ocr_cases, ocr_pages, layouts)
    if not plan:  # no pages: each story in two or three versions
        plan = [("", [a], set()) for a in _take(longs, budget)]

    for n, (case, group, again) in enumerate(plan):
        if case in OCR_CASES:
            c.ocr(case, group, n)
        elif case:
            c.page(case, group)
        for art in group:  # 1–3 versions of each page article; a fifth of them (not on OCR pages) none
            if not versions or art.story in again or (case not in ("", *OCR_CASES) and rnd.random() < 0.2):
                continue
            k = rnd.randint(2, 3) if not case else rnd.choices([1, 2, 3], [5, 3, 2])[0]
            for kind in rnd.sample(versions, k) if k <= len(versions) else rnd.choices(versions, k=k):
                c.version(art, kind)
    for art in _take(longs, n_unique):
        c.unique(art)
    pool = {a.story: a for a in longs}
    for story in [a.story for _, g, _ in plan for a in g]:  # near misses: unused siblings of page articles
        free = [sib for sib in near.get(story, []) if sib in pool]
        if free and n_near > 0:
            c.unique(pool.pop(rnd.choice(free)), "near_miss")
            n_near -= 1
    c.flush_feed()

    out_dir.mkdir(parents=True, exist_ok=True)
    documents: dict[str, Any] = {}
    total = 0
    for path, data, docs in c.files:
        (out_dir / path).write_bytes(data)
        total += len(data)
        documents.update(docs)
    stories = {a["story"] for d in documents.values() for a in d["articles"]}
    labels = {"seed": seed, "articles": len(stories), "bytes": total, "generator": GENERATOR, "source": source,
              "cases": sorted({d["case"] for d in documents.values()}), "skipped_cases": c.skipped,
              "documents": documents}
    if labels_path is not None:
        Path(labels_path).write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")
    return labels


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", default=None, help="comma-separated subset of: " + ",".join(ALL_CASES))
    ap.add_argument("--ocr-pages", type=int, default=4)
    ap.add_argument("--labels", type=Path, default=None, help="default: OUT_DIR.labels.json beside the folder")
    ap.add_argument("--stats", action="store_true", help="print statistics of the cut source and exit")
    args = ap.parse_args(argv)
    if args.stats:
        src = source_path()
        if src is None:
            print("source file not found", file=sys.stderr)
            return 1
        print(json.dumps(cut_stats(cut_articles(src)), ensure_ascii=False, indent=2))
        return 0
    labels_path = args.labels or args.out_dir.with_name(args.out_dir.name + ".labels.json")
    t0 = time.perf_counter()
    labels = generate(args.out_dir, articles=args.articles, seed=args.seed,
                      cases=set(args.cases.split(",")) if args.cases else None,
                      ocr_pages=args.ocr_pages, labels_path=labels_path)
    counts: dict[str, int] = {}
    for d in labels["documents"].values():
        counts[d["case"]] = counts.get(d["case"], 0) + 1
    print(f"{len(labels['documents'])} documents, {labels['articles']} stories, {labels['bytes'] / 1e6:.2f} MB "
          f"({labels['source']}) in {time.perf_counter() - t0:.1f} s; labels: {labels_path}\n"
          f"documents per case: {json.dumps(counts, ensure_ascii=False)}"
          + (f"\nskipped: {json.dumps(labels['skipped_cases'], ensure_ascii=False)}" if labels["skipped_cases"] else ""),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
