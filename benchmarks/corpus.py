"""Deterministic labelled corpus of near-duplicate Chinese news for neardup's benchmarks and tests.

Usage::

    python benchmarks/corpus.py OUT_DIR --size-mb 5 --seed 1 [--labels FILE] [--cases page,jekyll]

or, from Python, ``generate(Path(out), size_mb=5, seed=1) -> labels``. The same seed gives
byte-identical files and labels, whatever ``--jobs``. The corpus is made of *bundles* (folders
``bNNNN/``, about 0.37 MB each) that share nothing and each hold every case in the same numbers,
so any size from 1 MB to 1 GB keeps the mix; the corpus ends with the first whole bundle that
reaches ``size_mb`` (10**6 bytes). Bundles are built by worker processes (``--jobs``, default all
cores from 4 MB up) and written as they come, so only the labels grow with the size. OUT_DIR must
be empty or absent; the labels go to ``--labels`` (default ``OUT_DIR.labels.json`` beside the
folder, never inside it).

Text
    Real prose first: bundle 0 holds the Karamay seed page and its web repost verbatim
    (``examples/karamay/000_…``, ``001_…``), and the nine other seed articles (002–004) serve as the
    first stories. Every other story is synthesised from jieba's dictionary (word, frequency, POS)
    with news-like clause templates, a per-story topic (place, organisations, people, a quoted
    slogan, topic nouns/verbs) and numbers with units, so every story is distinct and its labels
    are known by construction.

Labels (the contract with ``benchmarks/evaluate.py``)::

    {"seed": 1, "size_mb": 5.0, "bytes": 5123456, "generator": "neardup-corpus/1", "cases": [...],
     "documents": {"<path>": {"case": "<case>", "encoding": "utf-8", "junk": false,
                              "articles": [{"story": "s0003017", "start": 120, "end": 2345,
                                            "part": null, "title": "…"}]}}}

``<path>`` is relative to OUT_DIR, ``/``-separated; a JSONL record is ``"<file>.jsonl#<id>"``, or
``"<file>.jsonl#line-<n>"`` (1-based) for a record without an id, as in neardup's report.
``encoding`` is a Python codec name (``utf-8``, ``utf-8-sig``, ``utf-16``, ``gb18030``, ``gbk``,
``big5``); ``start``/``end`` are Python string offsets into the text decoded with it, a leading
BOM removed, newlines untranslated (``open(newline="")``) — for a JSONL record, into its ``text``
field. ``read_text()`` below decodes exactly that way. Junk files have ``"junk": true``,
``"encoding": null`` and no articles. ``part`` is 1 or 2 for the halves of a continued article,
else null. ``title`` is the story's headline, for reading only. Story ids are ``s`` + bundle
(4 digits) + story within the bundle (3 digits); articles with the same id are versions of one
story, any two of them a true pair.

Span conventions (what "the article" covers in each layout)
    * An article span starts at the first character of its headline *text* (after ``## ``, inside
      ``<h1>``), or at its first paragraph's text when the document shows no headline (Jekyll
      posts keep the title in front matter; JSONL records keep it in ``title``), and ends after the
      last character of its last paragraph (before ``</p>`` or the newline).
    * Inside the span: subheads (``###``, ``●…``), photo captions and bylines placed under the
      headline, a subtitle/byline line under a dense-page headline, hard line breaks and page-break
      splits (``服\\n\\n务``), ``（下转第四版）`` ending part 1 and ``（上接第一版）`` opening part 2
      (part 2's span starts at its repeated headline when it has one), and in web pages any markup
      between headline and body (date/source line, share bar, ``<p>`` tags).
    * Outside: page headers and column labels, furniture between articles (责任编辑…, phone
      numbers), front matter, navigation, related-news lists, comments, scripts, footers, the
      ``（文章来源：…）`` and ``（责任编辑：…）`` lines after the body.

Cases (``document.case``) and what one bundle holds
    ``page``        2 Markdown OCR pages of 5 articles: ``#`` page header, ``##`` headlines, ``###``
                    subheads, half-width ``,:()``, captions and bylines under headlines, hard line
                    wraps on some pages, a paragraph split by a page break, OCR slips (纽→组 己→已…),
                    editor/phone furniture between articles.
    ``dense_page``  1 OCR page of 5 articles, one line per paragraph, no blank lines, headlines
                    unmarked, sometimes a ``——`` subtitle or ``本报记者 …`` line under the headline;
                    subheads carry ``●`` or ``一、``.
    ``jekyll``      3 Jekyll posts (front matter, ``<p>`` lines, source and back links): 2 reposts of
                    printed stories, 1 web-only original. Reposts get 1–4 small edits (synonym,
                    119家次→119家 / 4005万元→4000余万元, a word added or dropped), lose captions,
                    often the byline and sometimes the place prefix of the headline.
    ``html``        3 web pages (nav, header, ``<h1>``, aside, footer, script, style; some CRLF).
    ``trad``        2 whole-page traditional copies (OpenCC ``s2t`` in UTF-8, ``s2tw`` in Big5).
    ``truncated``   2 copies holding the first 40–70 % of the body.
    ``encoded``     2 reposts in GB18030, UTF-16 with BOM or UTF-8 with BOM.
    ``jsonl``       1 feed of 7 records {id,title,url,date,text}: 4 reposts, 3 unique; a quarter
                    without id.
    ``near_miss``   2 articles sharing topic, entities, slogan and two sentences with a reposted
                    story; their own story id, no sibling.
    ``unique``      3 unrelated articles, no sibling.
    ``junk``        4 files: empty, whitespace only, random bytes (.txt/.html), gzip named .md.
    ``portal``      4 big portal pages (two site templates per bundle, rotating through sina, 163,
                    qq, ifeng, people, thepaper, xinhuanet, WeChat): menus, breadcrumb, share bar,
                    ads, "相关新闻"/"热门推荐" made of real headlines of the bundle's other stories,
                    comments under "网友评论仅供其表达个人看法…", copyright/ICP, inline JSON in scripts;
                    some declare GB2312 over UTF-8 bytes or utf-8 over GBK bytes.
    ``continued``   2 pages: two long articles start on page one ending ``（下转第四版）`` and go on on
                    page four from ``（上接第一版）`` among other articles (``part`` 1 and 2, one
                    story id), plus a full web repost of each.
    ``brief``       a page of 7 简讯 (120–300 characters; ``##``, ``■`` or unmarked headlines), 4
                    of them reposted with small edits, and a long different-story article quoting
                    one short sentence (30 % of the brief or less where it has one) of a brief: it
                    must not join the brief.
    ``noisy``       2 copies with 1–2 % of characters swapped for look-alikes or dropped,
                    punctuation in both widths, digits and Latin letters partly full-width.
Bundle 0 also holds the real seed page (``page``, 7 articles) and its repost (``jekyll``).
Core cases are the first ten, messy ones the last five. A document carries the case of the
scenario that made it (the full repost of a continued article is ``continued``, the article
quoting a brief is ``brief``); the siblings of page articles carry their own web case. Portals
are about a third of the bytes: real portal pages are mostly furniture.
"""

from __future__ import annotations

import argparse
import collections
import functools
import gzip
import html
import importlib.util
import itertools
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from random import Random
from typing import Any

import numpy as np

__all__ = [
    "ALL_CASES",
    "CORE_CASES",
    "MESSY_CASES",
    "Article",
    "Placed",
    "RenderedDoc",
    "RenderedFile",
    "generate",
    "iter_files",
    "read_text",
]

GENERATOR = "neardup-corpus/1"
CORE_CASES = (
    "page", "jekyll", "html", "trad", "truncated", "encoded", "jsonl", "near_miss", "unique", "junk",
)
MESSY_CASES = ("portal", "dense_page", "continued", "brief", "noisy")
ALL_CASES = CORE_CASES + MESSY_CASES
MB = 1_000_000

ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = ROOT / "examples" / "karamay"


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------

# OCR confusions seen in scanned Chinese newsprint (the Karamay page has 纽→组).
OCR_SLIPS = {"纽": "组", "己": "已", "未": "末", "人": "入", "曰": "日", "土": "士", "千": "干",
             "戌": "戍", "候": "侯", "拨": "拔", "汩": "汨", "崇": "祟"}
# Look-alikes for noisy copies (both directions where both are common).
LOOKALIKES = {
    "己": "已", "已": "己", "未": "末", "末": "未", "人": "入", "入": "人", "日": "曰", "土": "士",
    "士": "土", "千": "干", "干": "千", "纽": "组", "组": "纽", "候": "侯", "拨": "拔", "析": "折",
    "折": "析", "徒": "徙", "冶": "治", "治": "冶", "券": "卷", "贷": "贸", "贸": "贷", "刺": "剌",
    "准": "淮", "免": "兔", "鸟": "乌", "今": "令", "令": "今", "大": "太", "太": "大", "天": "夭",
    "王": "玉", "玉": "王", "白": "自", "自": "白", "办": "为", "历": "厉", "记": "纪", "纪": "记",
    "讯": "迅", "即": "既", "既": "即", "往": "住", "住": "往", "务": "各", "市": "币", "区": "匹",
}
HALF_PUNCT = str.maketrans({"，": ",", "：": ":", "（": "(", "）": ")", "；": ";", "！": "!", "？": "?"})
_HALF_PAIRS = [("，", ","), ("：", ":"), ("（", "("), ("）", ")"), ("；", ";"), ("！", "!"), ("？", "?")]
FULL_PUNCT = {",": "，", ":": "：", "(": "（", ")": "）", ";": "；", "!": "！", "?": "？"}
FULLWIDTH_ALNUM = str.maketrans(
    {c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}
)
SYNONYMS = [
    ("已经", "已"), ("目前", "当前"), ("推动", "推进"), ("开展", "进行"), ("提升", "提高"),
    ("近日", "日前"), ("表示", "称"), ("进一步", "更加"), ("积极", "主动"), ("重要", "关键"),
    ("全面", "全方位"), ("加快", "加速"), ("实现", "达成"), ("成为", "成了"), ("同时", "与此同时"),
    ("不断", "持续"), ("促进", "推动"), ("工作", "事务"), ("显著", "明显"), ("发展", "发展壮大"),
]
ADDABLE = ["进一步", "积极", "不断", "全面", "持续", "有效", "切实", "企业", "稳步"]
DROPPABLE = ["已经", "进一步", "积极", "不断", "全面", "有效", "持续", "共同", "主动", "切实"]
UNITS = ["家", "个", "项", "万元", "亿元", "人次", "家次", "公里", "吨", "平方米", "户", "名", "次",
         "场", "件", "所", "台", "亩", "万人", "余人"]
CITIES = ["株洲", "湘潭", "衡阳", "岳阳", "常德", "益阳", "郴州", "永州", "怀化", "娄底", "合肥", "芜湖", "蚌埠", "安庆", "黄山", "滁州", "宿迁", "徐州", "常州", "苏州", "南通", "扬州", "镇江", "泰州", "盐城", "淮安", "连云港", "绍兴", "嘉兴", "湖州", "台州", "金华", "温州", "丽水", "衢州", "宁波", "赣州", "九江", "上饶", "吉安", "宜春", "抚州", "萍乡", "景德镇", "克拉玛依", "昌吉", "石河子", "哈密", "淄博", "潍坊", "烟台", "济宁", "临沂", "德州", "聊城", "通化", "吉林", "延边", "四平", "辽源", "鞍山", "抚顺", "本溪", "丹东", "锦州", "营口", "洛阳", "开封", "新乡", "许昌", "南阳", "信阳", "宜昌", "襄阳", "荆州", "黄石", "十堰", "孝感", "柳州", "桂林", "梧州", "北海", "玉林", "遵义", "六盘水", "曲靖", "玉溪", "大理", "宝鸡", "咸阳", "汉中", "天水", "酒泉", "西宁", "银川", "包头", "鄂尔多斯", "赤峰", "大同", "长治", "晋城", "保定", "唐山", "邯郸", "沧州", "廊坊", "秦皇岛", "泉州", "漳州", "莆田", "三明", "龙岩", "佛山", "东莞", "中山", "江门", "湛江", "茂名", "肇庆", "惠州", "汕头", "绵阳", "德阳", "宜宾", "泸州", "南充", "乐山", "达州"]
ORG_SUFFIXES = ["高新区", "经开区", "市场监管局", "住建局", "城管局", "科技局", "人民医院", "第四中学",
                "街道", "社区", "商会", "供电公司", "生态环境局", "农业农村局", "文旅局", "税务局"]
COMPANY_SUFFIXES = ["科技有限公司", "股份有限公司", "集团", "有限责任公司", "新材料有限公司"]
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
            "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国志红文辉力鹏宇浩然晓东海波凯"
         "俊欣悦琳琪晴春鸿姿振旭洲诗慧向楼丹鑫轩彤越岚嘉怡雪松柏林峰")
PAGE_COLUMNS = ["要闻", "综合", "经济", "科技观察", "城事", "民生", "区县新闻", "社会", "文化", "专版"]
WEEKDAYS = "一二三四五六日"
CN_DIGITS = "零一二三四五六七八九十"

# Site templates after real Chinese news portals. Furniture is fixed per site so that several
# pages of one site share their boilerplate exactly, as real portal pages do.
PORTALS: dict[str, dict[str, Any]] = {
    "sina": {"brand": "新浪新闻", "owner": "新浪网", "domain": "news.sina.com.cn", "suffix": "_新浪新闻",
             "body": '<div class="article" id="artibody">', "icp": "京ICP证000007号",
             "copy": "Copyright &copy; 1996-2024 SINA Corporation, All Rights Reserved 新浪公司 版权所有",
             "nav": "首页 新闻 体育 财经 娱乐 科技 博客 图片 专栏 更多 汽车 教育 时尚 女性 星座 健康"},
    "163": {"brand": "网易新闻", "owner": "网易", "domain": "www.163.com", "suffix": "_网易新闻",
            "body": '<div class="post_body" id="content">', "icp": "浙B2-20090185",
            "copy": "&copy;1997-2024网易公司版权所有 About NetEase | 公司简介 | 联系方法 | 招聘信息 | 客户服务",
            "nav": "新闻 体育 NBA 娱乐 财经 股票 汽车 科技 手机 数码 女人 论坛 视频 旅游 房产 家居 教育 读书 游戏"},
    "qq": {"brand": "腾讯新闻", "owner": "腾讯", "domain": "new.qq.com", "suffix": "_腾讯新闻",
           "body": '<div class="content-article" id="ArticleContent">', "icp": "粤B2-20090059",
           "copy": "Copyright &copy; 1998 - 2024 Tencent. All Rights Reserved 腾讯公司 版权所有",
           "nav": "首页 要闻 北京 财经 科技 娱乐 体育 汽车 房产 教育 时尚 游戏 军事 视频 图片 NBA"},
    "ifeng": {"brand": "凤凰网资讯", "owner": "凤凰网", "domain": "news.ifeng.com", "suffix": "_凤凰网资讯_凤凰网",
              "body": '<div class="main_content-r5RGqegj" id="main_content">', "icp": "京ICP证030609号",
              "copy": "Copyright &copy; 2024 Phoenix New Media Limited All Rights Reserved. 凤凰新媒体 版权所有",
              "nav": "资讯 财经 娱乐 体育 时尚 汽车 房产 科技 读书 文化 历史 军事 旅游 佛教 国学 数码 健康 家居"},
    "people": {"brand": "人民网", "owner": "人民网", "domain": "www.people.com.cn", "suffix": "--人民网",
               "body": '<div class="rm_txt_con cf">', "icp": "京ICP证000046号",
               "copy": "人民日报社概况 | 关于人民网 | 报社招聘 | 招聘英才 | 广告服务 | 合作加盟 | 供稿服务 人民网版权所有，未经书面授权禁止使用",
               "nav": "首页 时政 国际 财经 台湾 军事 观点 领导 人事 理论 法治 社会 产经 教育 科普 健康 文化 文旅 体育"},
    "thepaper": {"brand": "澎湃新闻", "owner": "澎湃新闻", "domain": "www.thepaper.cn", "suffix": "_澎湃新闻-The Paper",
                 "body": '<div class="index_cententWrap__Jv8jK news_txt">', "icp": "沪ICP备14003370号",
                 "copy": "&copy; 2014-2024 上海东方报业有限公司 新闻报料：4009-20-4009 违法和不良信息举报电话：021-962866",
                 "nav": "要闻 深度 直播 视频 时事 国际 财经 科技 智库 思想 生活 问政 澎湃号 澎湃明查"},
    "xinhuanet": {"brand": "新华网", "owner": "新华网", "domain": "www.news.cn", "suffix": "-新华网",
                  "body": '<div id="detail"><div class="main-aticle">', "icp": "京ICP证010042号",
                  "copy": "Copyright &copy; 2000-2024 XINHUANET.com All Rights Reserved. 制作单位：新华网股份有限公司",
                  "nav": "首页 时政 人事 国际 财经 思客 思客讲堂 网评 理论 教育 科技 体育 文化 健康 汽车"},
    "wechat": {"brand": "微信公众平台", "owner": "微信", "domain": "mp.weixin.qq.com", "suffix": "",
               "body": '<div class="rich_media_content js_underline_content" id="js_content"><section>',
               "icp": "粤B2-20090059", "copy": "微信扫一扫 关注该公众号", "nav": ""},
}
PORTAL_ORDER = list(PORTALS)

# The seed files: which lines open an article, which are subheads, which are furniture to drop.
# Keys match the start of a line (its # markers removed). 002's "协商式治理" section is printed
# after three other articles: "resume" puts it back into the article it belongs to.
SEED_LAYOUT: dict[str, dict[str, Any]] = {
    "002_ab11b81221d97ae2.txt": {
        "roles": {
            "济南高新区以党建引领乡村治理": "article", "乌鲁木齐高新区: ": "article",
            "淄博高新区: ": "article", "衡阳高新区: ": "article", "通化医药高新区借": "article",
            "服务式治理": "sub", "数字式治理": "sub", "互动式治理": "sub", "网格式治理": "sub",
            "协商式治理": ("resume", "济南高新区以党建引领乡村治理"),
            "更民主、更人性": "drop", "高吉楠": "drop", "吴高鑫": "drop", "柏新轩": "drop",
            "鄧小山": "drop", "郝彤": "drop", "敖民极/摄": "drop", "图片来源": "drop",
            "德蓝水技术股份有限公司超滤膜生产线": "drop", "与张伯礼院士团队续签": "drop",
            "一个党支部就是一个阵地": "drop",
        },
    },
    "003_5071493cad230ae7.txt": {
        "roles": {
            "江苏省宿迁市宿城区": "article", "浙江省台州市": "article", "江西省赣州市赣县区": "article",
            "■": "drop", "中新社发": "drop",
        },
    },
    "004_8f1be0d5f7140018.txt": {
        "roles": {
            "“学习年·行动年·服务年”见行动": "article", "2023-10-08": "drop", "今日科技": "drop",
            "关键词": "drop", "供图/视觉中国": "drop", "绍兴市 敢为善为": "sub", "越城区 ": "sub",
            "柯桥区 ": "sub", "上虞区 ": "sub", "诸暨市 ": "sub", "嵊州市 ": "sub", "新昌县 ": "sub",
            "猜你喜欢": "stop",
        },
    },
}
SEED_PAGE = "000_d34669d20b084ef3.txt"
SEED_REPOST = "001_807e1903ea0d3845.txt"
SEED_PAGE_FURNITURE = ("大美合肥", "同城·新媒", "22206803", "责任编辑:")


# --------------------------------------------------------------------------------------------
# Articles and topics
# --------------------------------------------------------------------------------------------

Block = tuple[str, str]  # (kind, text); kind: p, sub, caption, byline, subtitle


@dataclass(frozen=True)
class Topic:
    """What a story is about; a near-miss article shares it with its counterpart."""

    place: str
    org: str
    orgs: tuple[str, ...]
    people: tuple[str, ...]
    nouns: tuple[str, ...]
    verbs: tuple[str, ...]
    slogan: str
    paper: str

    @functools.cached_property
    def mapping(self) -> dict[str, str]:
        """Values for the placeholders of pooled sentences (see ``SentencePool``)."""
        m = {f"n{i}": w for i, w in enumerate(self.nouns)}
        m.update({f"v{i}": w for i, w in enumerate(self.verbs)})
        m.update({f"o{i}": w for i, w in enumerate(self.orgs)})
        m.update({f"p{i}": w for i, w in enumerate(self.people)})
        m.update(pl=self.place, q=self.slogan)
        return m


@dataclass(frozen=True)
class Article:
    story: str
    title: str
    blocks: tuple[Block, ...]
    topic: Topic | None = None

    def map(self, fn: Callable[[str], str], *, title: bool = True) -> Article:
        return replace(
            self,
            title=fn(self.title) if title else self.title,
            blocks=tuple((k, fn(t)) for k, t in self.blocks),
        )

    @property
    def paragraphs(self) -> list[str]:
        return [t for k, t in self.blocks if k == "p"]

    def body_chars(self) -> int:
        return sum(len(t) for k, t in self.blocks if k == "p")


def make_person(rnd: Random) -> str:
    return rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2, 2))))


# --------------------------------------------------------------------------------------------
# Real seed articles
# --------------------------------------------------------------------------------------------

_TERMINAL = tuple("。！？”；…」』）)!?;")


def _full_width(text: str) -> str:
    """OCR pages print half-width punctuation; canonical story text uses full width, but only
    where a CJK character is adjacent so that ``1,000`` or ``14:10`` stay as they are."""

    def fix(m: re.Match[str]) -> str:
        s, i = m.string, m.start()
        before = s[i - 1] if i else ""
        after = s[i + 1] if i + 1 < len(s) else ""
        cjk = any("\u4e00" <= c <= "\u9fff" or c in "“”《》" for c in (before, after))
        return FULL_PUNCT[m.group()] if cjk else m.group()

    return re.sub(r"[,:();!?]", fix, text)


def _role(line: str, roles: dict[str, Any]) -> Any:
    for key, role in roles.items():
        # Headlines and subheads are short lines; a paragraph may start with the same words.
        if line.startswith(key) and (role in ("drop", "stop") or len(line) <= 40):
            return role
    return None


def parse_seed(name: str, first_story: int) -> list[Article]:
    """The articles of one seed file, in order of first appearance, per ``SEED_LAYOUT``."""
    text = (SEED_DIR / name).read_text(encoding="utf-8")
    roles = SEED_LAYOUT[name]["roles"]
    order: list[str] = []
    bodies: dict[str, list[Block]] = {}
    current: str | None = None
    pending = ""  # a paragraph broken across a page break, waiting for its other half
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        plain = line.lstrip("#").strip()
        role = _role(plain, roles)
        if role == "stop":
            break
        if role is None and line.startswith("#"):
            role = "sub" if current else "drop"
        if role is not None and pending and current:
            bodies[current].append(("p", pending))
            pending = ""
        if role == "drop":
            continue
        if role == "article":
            current = plain
            order.append(plain)
            bodies[plain] = []
        elif role == "sub":
            if current:
                bodies[current].append(("sub", plain))
        elif isinstance(role, tuple):
            current = role[1]
            bodies[current].append(("sub", plain))
        elif current:
            pending = pending + plain
            if pending.endswith(_TERMINAL) or len(pending) < 12:
                bodies[current].append(("p", pending))
                pending = ""
    if pending and current:
        bodies[current].append(("p", pending))
    return [
        Article(
            story=story_id(0, first_story + i),
            title=_full_width(title),
            blocks=tuple((k, _full_width(t)) for k, t in bodies[title]),
        )
        for i, title in enumerate(order)
    ]


@functools.cache
def seed_articles() -> tuple[Article, ...]:
    """The nine real articles of seeds 002–004 (000's articles are placed verbatim instead)."""
    out: list[Article] = []
    for name in SEED_LAYOUT:
        out += parse_seed(name, SEED_STORIES + len(out))
    return tuple(out)


def seed_page_labels(text: str) -> list[tuple[int, int, str]]:
    """Spans of the articles on the verbatim Karamay page: ``##`` headline text to the end of
    the article's last content line, furniture lines excluded."""
    spans: list[tuple[int, int, str]] = []
    pos = 0
    open_: list[Any] | None = None
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("## ") and not stripped[3:].startswith(SEED_PAGE_FURNITURE):
            if open_:
                spans.append((open_[0], open_[1], open_[2]))
            head = line.index("## ") + 3
            open_ = [start + head, start + len(line), stripped[3:]]
        elif stripped.startswith("# ") or stripped.lstrip("# ").startswith(SEED_PAGE_FURNITURE):
            continue
        elif open_:
            open_[1] = start + len(line)
    if open_:
        spans.append((open_[0], open_[1], open_[2]))
    return spans


SEED_STORIES = 7  # stories 0–6 of bundle 0: the articles of the verbatim seed page


# --------------------------------------------------------------------------------------------
# Synthetic prose from jieba's dictionary
# --------------------------------------------------------------------------------------------

_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]+$")
# (bucket, POS tags, word lengths, how many of the most frequent to keep)
_BUCKETS = [
    ("n", ("n",), (2, 4), 7000),
    ("v", ("v",), (2, 3), 3500),
    ("a", ("a",), (2, 2), 900),
    ("d", ("d",), (2, 2), 400),
    ("vn", ("vn",), (2, 4), 1500),
    ("i", ("i", "l"), (4, 4), 1500),
]


class Lexicon:
    """Word buckets by part of speech with cumulative weights (frequency ** 0.5, which flattens
    the head so that articles do not all repeat the same twenty words)."""

    def __init__(self) -> None:
        # jieba (neardup's tokenizer) ships its dictionary; find it without importing jieba.
        spec = importlib.util.find_spec("jieba")
        if spec is None or spec.origin is None:
            raise RuntimeError("jieba is not installed; the corpus generator needs its dictionary")
        path = Path(spec.origin).parent / "dict.txt"
        text = path.read_text(encoding="utf-8")
        collected: dict[str, list[tuple[int, str]]] = {name: [] for name, *_ in _BUCKETS}
        wanted = {tag: (name, lo, hi) for name, tags, (lo, hi), _ in _BUCKETS for tag in tags}
        # One regex pass picks the lines of the wanted tags (several times faster than splitting
        # all 350k lines); the length and CJK checks then run on those only.
        for word, freq, tag in re.findall(r"^(\S{2,4}) (\d+) (n|v|a|d|vn|i|l)$", text, re.M):
            name, lo, hi = wanted[tag]
            if lo <= len(word) <= hi and _CJK_WORD.match(word):
                collected[name].append((int(freq), word))
        self.words: dict[str, list[str]] = {}
        self.cum: dict[str, np.ndarray] = {}
        for name, _tags, _len, keep in _BUCKETS:
            top = sorted(collected[name], key=lambda fw: (-fw[0], fw[1]))[:keep]
            self.words[name] = [w for _, w in top]
            self.cum[name] = np.cumsum(np.sqrt(np.array([f for f, _ in top], dtype=np.float64)))


@functools.cache
def lexicon() -> Lexicon:
    return Lexicon()


class Sampler:
    """Draws words in batches through numpy (one call per 512 words keeps synthesis fast)."""

    def __init__(self, lex: Lexicon, rng: np.random.Generator) -> None:
        self.lex = lex
        self.rng = rng
        self.buf: dict[str, list[str]] = {name: [] for name in lex.words}

    def word(self, bucket: str) -> str:
        buf = self.buf[bucket]
        if not buf:
            cum = self.lex.cum[bucket]
            idx = np.searchsorted(cum, self.rng.random(512) * cum[-1], side="right")
            buf.extend(_lexicon_array(bucket)[np.minimum(idx, len(cum) - 1)].tolist())
        return buf.pop()


# Clause templates: upper-case codes are slots, anything else is literal.
CLAUSES = [
    "E D V N", "E V A 的 N", "T ， E V N", "E 在 N 方面 V 了 A 的 VN", "V N 、 N 和 N",
    "E 的 N V 到 NUM", "NUM N V 了 VN", "较 T 增长 PCT", "D V N 的 VN", "E V Q", "为 V N",
    "通过 VN ， V N", "E 已 V NUM N", "N 的 VN D A", "E 将 D V N 和 N", "以 N 为 N", "V Q 的 N",
    "E V 了 NUM N", "围绕 N V VN", "推动 N 与 N V", "N 、 N 、 N 等 N D V", "对 N V VN",
    "其中 ， NUM N V N", "I", "E 累计 V NUM", "形成 了 A 的 N", "P V N", "在 PL V N",
]
TITLES = [
    "E Q V N", "PL ： V N V A N", "E V NUM N", "V N E D V", "N V 如何 V ？ E 出 实招",
    "E ： V N 让 N 更 A", "为期 NUM E 将 V N", "E V Q 跑出 加速度", "PL V N V N",
]
SUBHEADS = ["● V N V A N", "N 式 N 让 N 更 A", "V Q", "● Q V N", "V N V N"]
_SPLIT = {t: tuple(t.split()) for t in CLAUSES + TITLES + SUBHEADS + ["E N V", "PL A 的 N", "NUM", "PCT", "T", "Q"]}
_BUCKET_CODES = {"A": "a", "D": "d", "VN": "vn", "I": "i"}
_LEADS = ["据了解，", "据悉，", "记者了解到，", "此外，", "同时，"]
_QUOTES = ["P 表示 ：“", "P 介绍 ：“", "P 说 ：“", "P 告诉记者 ：“"]
_SLOTS = ("N", "V", "E", "A", "D", "VN", "I", "NUM", "PCT", "T", "Q", "P", "PL")
N_NOUNS, N_VERBS, N_ORGS, N_PEOPLE = 14, 10, 3, 3


def _objects(items: Sequence[str]) -> np.ndarray:
    arr = np.empty(len(items), dtype=object)
    arr[:] = list(items)
    return arr


@functools.cache
def _grammar() -> tuple[np.ndarray, dict[str, int], list[np.ndarray], int]:
    """Clause templates compiled to token ids: a slot id, or a literal whose text is
    ``literal[id]``. Returns (literal, slot ids, templates, number of clause templates). Every
    clause exists in 30 versions: with no opener or one of the quote/lead openers in front
    (index ``opener + 1``), times ending in "，", "。" or "。”"; the index is
    ``((opener + 1) * 3 + ending) * n_clauses + clause``. Sentence ends carry a NUL so that one
    ``split`` cuts the joined tokens into sentences."""
    texts: list[str] = []
    index: dict[str, int] = {}

    def tid(token: str) -> int:
        if token not in index:
            index[token] = len(texts)
            texts.append("" if token in _SLOTS else token)
        return index[token]

    slot_ids = {code: tid(code) for code in _SLOTS}
    clauses = [[tid(x) for x in c.split()] for c in CLAUSES]
    ends = [tid("，"), tid("。\0"), tid("。”\0")]
    openers: list[list[int]] = [[]] + [[tid(x) for x in q.split()] for q in _QUOTES] + [[tid(x)] for x in _LEADS]
    templates = [np.array(o + c + [e], dtype=np.int32) for o in openers for e in ends for c in clauses]
    return _objects(texts), slot_ids, templates, len(clauses)


_PH = {code: _objects([f"{{{p}{i}}}" for i in range(n)]) for code, p, n in
       (("N", "n", N_NOUNS), ("V", "v", N_VERBS), ("E", "o", N_ORGS), ("P", "p", N_PEOPLE))}


class SentencePool:
    """Sentences synthesised thousands at a time with numpy, topic slots left as placeholders
    (``{n3}``: the story's fourth topic noun, ``{o0}``: its main organisation…) that
    ``str.format_map(topic.mapping)`` fills per paragraph. Each sentence is used once, so no two
    stories share one by accident; batching is what makes gigabyte corpora feasible."""

    def __init__(self, lex: Lexicon, rng: np.random.Generator) -> None:
        self.lex = lex
        self.rng = rng
        self.sentences: list[str] = []
        self.pos = 0

    def take(self, n: int) -> list[str]:
        if self.pos + n > len(self.sentences):
            self.sentences = self.sentences[self.pos:] + self._make(max(n, 2048))
            self.pos = 0
        out = self.sentences[self.pos: self.pos + n]
        self.pos += n
        return out

    def _words(self, bucket: str, k: int) -> np.ndarray:
        cum = self.lex.cum[bucket]
        idx = np.searchsorted(cum, self.rng.random(k) * cum[-1], side="right")
        words: np.ndarray = _lexicon_array(bucket)[np.minimum(idx, len(cum) - 1)]
        return words

    def _make(self, count: int) -> list[str]:
        literal, slot_ids, templates, n_clauses = _grammar()
        rng = self.rng
        per_sentence = np.array([1, 2, 2, 3])[rng.integers(0, 4, count)]
        kind = rng.random(count)
        quote = kind < 0.08
        opener = np.where(quote, 1 + rng.integers(0, len(_QUOTES), count),
                          np.where(kind < 0.15, 1 + len(_QUOTES) + rng.integers(0, len(_LEADS), count), 0))
        sentence = np.repeat(np.arange(count), per_sentence)
        first = np.concatenate(([0], np.cumsum(per_sentence)[:-1]))
        pos = np.arange(len(sentence)) - first[sentence]
        last = pos == per_sentence[sentence] - 1
        ending = np.where(last, np.where(quote[sentence], 2, 1), 0)
        head = np.where(pos == 0, opener[sentence], 0)
        pick = (head * 3 + ending) * n_clauses + rng.integers(0, n_clauses, len(sentence))
        ids = np.concatenate([templates[i] for i in pick.tolist()])
        out = literal[ids]
        for code, slot in slot_ids.items():
            where = np.flatnonzero(ids == slot)
            if len(where):
                out[where] = self._fill(code, len(where))
        return "".join(out.tolist()).split("\0")[:-1]

    def _fill(self, code: str, k: int) -> Any:
        rng = self.rng
        if code in ("N", "V"):
            share, bucket = (0.35, "n") if code == "N" else (0.3, "v")
            own = _PH[code][rng.integers(0, len(_PH[code]), k)]
            return np.where(rng.random(k) < share, own, self._words(bucket, k))
        if code in _BUCKET_CODES:
            return self._words(_BUCKET_CODES[code], k)
        if code == "E":
            return _PH["E"][np.where(rng.random(k) < 0.5, 0, rng.integers(0, N_ORGS, k))]
        if code == "P":
            return _PH["P"][rng.integers(0, N_PEOPLE, k)]
        if code == "PL":
            return "{pl}"
        if code == "Q":
            nouns, acts, mine = self._words("n", k), self._words("vn", k), rng.random(k) < 0.6
            return _objects(["“{q}”" if m else f"“{a}{b}”" for m, a, b in zip(mine.tolist(), nouns, acts)])
        if code == "NUM":
            n = (10 ** (rng.random(k) * 3.7)).astype(int).tolist()
            units = [UNITS[i] for i in rng.integers(0, len(UNITS), k).tolist()]
            frac = rng.integers(1, 100, k).tolist()
            dec = (rng.random(k) < 0.3).tolist()
            return _objects([f"{a}.{f}{u}" if d and u in ("万元", "亿元") else f"{a}{u}"
                             for a, u, f, d in zip(n, units, frac, dec)])
        if code == "PCT":
            v = rng.integers(2, 300, k).tolist()
            times = (rng.random(k) < 0.3).tolist()
            return _objects([f"近{x % 4 + 2}倍" if t else f"{x}%" for x, t in zip(v, times)])
        if code == "T":
            years = rng.integers(2015, 2024, k).tolist()
            months = rng.integers(1, 13, k).tolist()
            days = rng.integers(1, 29, k).tolist()
            form = rng.random(k).tolist()
            which = rng.integers(0, len(_TIMES), k).tolist()
            return _objects([
                f"{y}年" if f < 0.25 else f"{m}月{d}日" if f < 0.5 else f"{y}年初" if f < 0.55 else _TIMES[w]
                for y, m, d, f, w in zip(years, months, days, form, which)
            ])
        raise ValueError(code)


@functools.cache
def _lexicon_array(bucket: str) -> np.ndarray:
    return _objects(lexicon().words[bucket])


def _number(rnd: Random) -> str:
    r = rnd.random
    n = int(10 ** (r() * 3.7))
    unit = UNITS[int(r() * len(UNITS))]
    if unit in ("万元", "亿元") and r() < 0.3:
        return f"{n}.{int(r() * 99) + 1}{unit}"
    return f"{n}{unit}"


_TIMES = ["去年", "今年以来", "近年来", "日前", "近日", "目前", "前三年", "上半年", "三年来"]


def _time(rnd: Random) -> str:
    r = rnd.random
    x = r()
    if x < 0.25:
        return f"{2015 + int(r() * 9)}年"
    if x < 0.5:
        return f"{1 + int(r() * 12)}月{1 + int(r() * 28)}日"
    if x < 0.55:
        return f"{2015 + int(r() * 9)}年初"
    return _TIMES[int(r() * len(_TIMES))]


class Writer:
    """Synthesises text for one topic."""

    def __init__(self, sampler: Sampler, rnd: Random) -> None:
        self.s = sampler
        self.rnd = rnd
        self.pool = SentencePool(sampler.lex, sampler.rng)

    def topic(self) -> Topic:
        rnd, s = self.rnd, self.s
        place = rnd.choice(CITIES)
        org = place + rnd.choice(ORG_SUFFIXES)
        company = place + s.word("n")[:2] + rnd.choice(COMPANY_SUFFIXES)
        orgs = (org, company, place + "市" + rnd.choice(ORG_SUFFIXES[2:7]))
        return Topic(
            place=place,
            org=org,
            orgs=orgs,
            people=tuple(make_person(rnd) for _ in range(3)),
            nouns=tuple(s.word("n") for _ in range(14)),
            verbs=tuple(s.word("v") for _ in range(6)) + tuple(s.word("vn") for _ in range(4)),
            slogan=s.word("n") + rnd.choice(["陪伴式", "一站式", "全链条", "零距离", "网格化", "双提升"])
            + s.word("vn"),
            paper=rnd.choice(CITIES) + "日报",
        )

    def fill(self, template: str, t: Topic) -> str:
        """One template filled in Python: for headlines, subheads, captions and briefs (bodies
        come from the sentence pool). Indexing on random() is several times quicker than
        Random.choice here."""
        r = self.rnd.random
        buf = self.s.buf
        word = self.s.word
        out: list[str] = []
        for code in _SPLIT[template]:
            if code == "N":
                if r() < 0.35:
                    out.append(t.nouns[int(r() * 14)])
                else:
                    b = buf["n"]
                    out.append(b.pop() if b else word("n"))
            elif code == "V":
                if r() < 0.3:
                    out.append(t.verbs[int(r() * 10)])
                else:
                    b = buf["v"]
                    out.append(b.pop() if b else word("v"))
            elif code == "E":
                out.append(t.org if r() < 0.5 else t.orgs[int(r() * 3)])
            elif code in _BUCKET_CODES:
                b = buf[_BUCKET_CODES[code]]
                out.append(b.pop() if b else word(_BUCKET_CODES[code]))
            elif code == "NUM":
                out.append(_number(self.rnd))
            elif code == "PCT":
                out.append(f"{int(r() * 298) + 2}%" if r() < 0.7 else f"近{int(r() * 4) + 2}倍")
            elif code == "T":
                out.append(_time(self.rnd))
            elif code == "Q":
                out.append(f"“{t.slogan}”" if r() < 0.6 else f"“{word('n')}{word('vn')}”")
            elif code == "P":
                out.append(t.people[int(r() * len(t.people))])
            elif code == "PL":
                out.append(t.place)
            else:
                out.append(code)
        return "".join(out)

    def body(self, t: Topic, length: int) -> list[str]:
        """Paragraphs of two to eight pooled sentences, totalling at least ``length`` characters."""
        rand = self.rnd.random
        mapping = t.mapping
        paras: list[str] = []
        size = 0
        while size < length:
            text = "".join(self.pool.take(2 + int(rand() * 7))).format_map(mapping)
            paras.append(text)
            size += len(text)
        return paras

    def title(self, t: Topic) -> str:
        return self.fill(self.rnd.choice(TITLES), t).replace("“”", "")

    def article(self, story: str, t: Topic, length: int, *, print_extras: bool = True) -> Article:
        rnd = self.rnd
        blocks: list[Block] = []
        if print_extras and rnd.random() < 0.35:
            blocks.append(("caption", self.fill(rnd.choice(["E N V", "PL A 的 N"]), t) + "。"))
        if print_extras and rnd.random() < 0.5:
            a, b = rnd.choice(t.people), make_person(rnd)
            blocks.append(("byline", f"{t.paper}讯（全媒体记者/{a} 通讯员/{b}）"))
        subheads = rnd.random() < 0.5 and length > 1200
        every = rnd.randint(3, 5)
        for n, para in enumerate(self.body(t, length)):
            if subheads and n and n % every == 0:
                blocks.append(("sub", self.fill(rnd.choice(SUBHEADS), t)))
            blocks.append(("p", para))
        return Article(story=story, title=self.title(t), blocks=tuple(blocks), topic=t)


# --------------------------------------------------------------------------------------------
# Variants: what happens to a story between one outlet and the next
# --------------------------------------------------------------------------------------------


def edit_light(art: Article, rnd: Random, edits: int | None = None) -> Article:
    """Small editorial edits: a synonym swap, a number/unit change, a word added or dropped."""
    blocks = list(art.blocks)
    paras = [i for i, (k, _) in enumerate(blocks) if k == "p"]
    for _ in range(edits if edits is not None else rnd.randint(1, 4)):
        i = rnd.choice(paras)
        text = blocks[i][1]
        op = rnd.random()
        if op < 0.3:
            present = [(a, b) for a, b in SYNONYMS if a in text]
            if present:
                a, b = rnd.choice(present)
                text = text.replace(a, b, 1)
        elif op < 0.5:
            text = _edit_number(text, rnd)
        elif op < 0.75:
            cuts = [m.end() for m in re.finditer("，", text)]
            if cuts:
                at = rnd.choice(cuts)
                text = text[:at] + rnd.choice(ADDABLE) + text[at:]
        else:
            present_words = [w for w in DROPPABLE if w in text]
            if present_words:
                text = text.replace(rnd.choice(present_words), "", 1)
        blocks[i] = ("p", text)
    return replace(art, blocks=tuple(blocks))


def _edit_number(text: str, rnd: Random) -> str:
    # 119家次→119家, 4005万元→4000余万元, 97%→97%以上: the kind of change editors make.
    m = re.search(r"(\d+)(家次|人次)", text)
    if m and rnd.random() < 0.6:
        return text[: m.start()] + m.group(1) + m.group(2)[0] + text[m.end():]
    m = re.search(r"(\d{3,})(万元|亿元|人|吨)", text)
    if m:
        rounded = str(int(m.group(1)) // 10 * 10)
        return text[: m.start()] + rounded + "余" + m.group(2) + text[m.end():]
    m = re.search(r"(\d+)%", text)
    if m:
        return text[: m.end()] + "以上" + text[m.end():]
    return text


def ocr_slips(art: Article, rnd: Random, rate: float = 0.15) -> Article:
    """Light OCR confusions: for each confusable character present in a paragraph, one of its
    occurrences flips with probability ``rate`` (about one slip per article)."""

    def slip(text: str) -> str:
        for good, bad in OCR_SLIPS.items():
            if good in text and rnd.random() < rate:
                at = -1
                for _ in range(1 + int(rnd.random() * min(3, text.count(good)))):
                    at = text.index(good, at + 1)
                text = text[:at] + bad + text[at + 1:]
        return text

    return art.map(slip)


def _half(text: str) -> str:
    # A chain of str.replace is several times faster than str.translate on long text.
    for full, half in _HALF_PAIRS:
        text = text.replace(full, half)
    return text


def half_width(art: Article) -> Article:
    return art.map(_half)


def noisy(art: Article, rnd: Random) -> Article:
    """1–2 % of characters swapped for look-alikes or dropped; punctuation in both widths;
    digits and Latin letters partly full-width."""
    rate = rnd.uniform(0.01, 0.02)

    def scramble(text: str) -> str:
        chars = list(text)
        for i in rnd.sample(range(len(chars)), k=int(len(chars) * rate)):
            c = chars[i]
            chars[i] = LOOKALIKES.get(c, "") if rnd.random() < 0.7 else ""
        out = "".join(chars)
        out = re.sub("[，：（）；！？]", lambda m: m.group().translate(HALF_PUNCT) if rnd.random() < 0.4
                     else m.group(), out)
        return re.sub(r"[0-9A-Za-z]+", lambda m: m.group().translate(FULLWIDTH_ALNUM)
                      if rnd.random() < 0.5 else m.group(), out)

    return art.map(scramble)


@functools.cache
def opencc_converter(config: str = "s2t") -> Callable[[str], str]:
    """``s2t`` (OpenCC's standard traditional) or ``s2tw`` (Taiwan forms such as 為 for 爲,
    which Big5 can encode)."""
    import opencc

    convert: Callable[[str], str] = opencc.OpenCC(config).convert
    return convert


def truncate(art: Article, rnd: Random) -> Article:
    """The first 40–70 % of the body, cut at a sentence end when one is near."""
    budget = int(art.body_chars() * rnd.uniform(0.4, 0.7))
    blocks: list[Block] = []
    for kind, text in art.blocks:
        if kind != "p":
            blocks.append((kind, text))
            continue
        if len(text) <= budget:
            blocks.append((kind, text))
            budget -= len(text)
            continue
        cut = text.rfind("。", 0, budget) + 1
        blocks.append((kind, text[: cut if cut > budget // 2 else budget] + ("……" if rnd.random() < 0.3 else "")))
        break
    while blocks and blocks[-1][0] != "p":
        blocks.pop()
    return replace(art, blocks=tuple(blocks))


def web_copy(art: Article, rnd: Random, *, edits: bool = True) -> Article:
    """A web repost: no photo caption; the byline often goes; small edits."""
    blocks = tuple(b for b in art.blocks if b[0] != "caption" and (b[0] != "byline" or rnd.random() < 0.4))
    out = replace(art, blocks=blocks)
    if rnd.random() < 0.3 and " " in out.title:
        out = replace(out, title=out.title.split(" ", 1)[1])
    return edit_light(out, rnd) if edits else out


# --------------------------------------------------------------------------------------------
# Rendering into documents with exact spans
# --------------------------------------------------------------------------------------------


@dataclass
class Placed:
    """An article as placed in a document: its span and the strings emitted for it, in order
    (headline first when shown, last paragraph last)."""

    story: str
    start: int
    end: int
    part: int | None
    title: str
    pieces: list[str] = field(default_factory=list)


@dataclass
class RenderedDoc:
    path: str
    case: str
    encoding: str | None
    junk: bool
    text: str | None
    articles: list[Placed]

    def label(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "encoding": self.encoding,
            "junk": self.junk,
            "articles": [
                {"story": a.story, "start": a.start, "end": a.end, "part": a.part, "title": a.title}
                for a in self.articles
            ],
        }


@dataclass
class RenderedFile:
    path: str
    data: bytes
    docs: list[RenderedDoc]


class DocBuilder:
    """Accumulates a document as a list of strings, remembering which strings are each article's
    content; ``finish`` turns that into the text and exact spans. Spans are computed at the end so
    that a transform of every string (a traditional-character copy of the whole page, furniture
    included) keeps them exact."""

    def __init__(self, newline: str = "\n") -> None:
        self.parts: list[str] = []
        self.nl = newline
        self._spans: list[tuple[str, int | None, str, list[int]]] = []
        self._open: tuple[str, int | None, str, list[int]] | None = None

    def add(self, s: str) -> None:
        self.parts.append(s.replace("\n", self.nl) if self.nl != "\n" else s)

    def open(self, art: Article, part: int | None = None) -> None:
        self._open = (art.story, part, art.title, [])

    def content(self, s: str) -> None:
        assert self._open is not None, "content outside an article"
        self.add(s)
        self._open[3].append(len(self.parts) - 1)

    def close(self) -> None:
        assert self._open is not None and self._open[3], "an article needs content"
        self._spans.append(self._open)
        self._open = None

    def finish(self, transform: Callable[[str], str] | None = None) -> tuple[str, list[Placed]]:
        parts = self.parts
        spans = self._spans
        if transform:
            # Content strings are transformed one by one (their bounds are the spans); runs of
            # furniture between them are joined first, which saves most of the calls.
            content = {i for *_, idx in spans for i in idx}
            merged: list[str] = []
            where: dict[int, int] = {}
            run: list[str] = []
            for i, part in enumerate(parts):
                if i in content:
                    if run:
                        merged.append("".join(run))
                        run = []
                    where[i] = len(merged)
                    merged.append(part)
                else:
                    run.append(part)
            if run:
                merged.append("".join(run))
            parts = [transform(p) for p in merged]
            spans = [(story, part, title, [where[i] for i in idx]) for story, part, title, idx in spans]
        offsets = list(itertools.accumulate(map(len, parts), initial=0))
        placed = [
            Placed(story, offsets[idx[0]], offsets[idx[-1] + 1], part, title, [parts[i] for i in idx])
            for story, part, title, idx in spans
        ]
        return "".join(parts), placed


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _date(rnd: Random) -> tuple[int, int, int]:
    return rnd.randint(2019, 2024), rnd.randint(1, 12), rnd.randint(1, 28)


def _wrap(text: str, width: int) -> str:
    return "\n".join(text[i: i + width] for i in range(0, len(text), width))


# --- print pages ----------------------------------------------------------------------------


def render_md_page(b: DocBuilder, arts: Sequence[tuple[Article, int | None]], rnd: Random,
                   header: str) -> None:
    """An OCR'd newspaper page in Markdown, as in ``examples/karamay/000_…``."""
    wrap = rnd.choice([0, 0, rnd.randint(18, 30)])
    b.add(rnd.choice(["\n\n", "", "\n"]) + f"# {header}\n\n")
    for label in rnd.sample(PAGE_COLUMNS, rnd.randint(0, 2)):
        b.add(f"{label}\n\n")
    split_at = {rnd.randrange(len(arts)) for _ in range(rnd.randint(1, 2))}
    for n, (art, part) in enumerate(arts):
        if n and rnd.random() < 0.35:
            b.add(_page_furniture(rnd) + "\n\n")
        b.open(art, part)
        if part != 2 or rnd.random() < 0.7:
            b.add("## ")
            b.content(art.title)
            b.add(rnd.choice(["\n\n", "\n\n\n\n"]))
        body = list(art.blocks)
        split_para = rnd.randrange(len(body)) if n in split_at else -1
        for j, (kind, text) in enumerate(body):
            if j:
                b.add("\n\n")
            if kind == "sub":
                b.add("### ")
                b.content(text)
                continue
            if j == split_para and len(text) > 20:
                k = rnd.randint(5, len(text) - 5)  # the page break that splits 服\n\n务
                text = text[:k] + "\n\n" + text[k:]
            b.content(_wrap(text, wrap) if wrap and kind == "p" else text)
        b.close()
        b.add("\n\n")


def _page_furniture(rnd: Random) -> str:
    r = rnd.random()
    if r < 0.5:
        return f"责任编辑:{make_person(rnd)} 美术编辑:{make_person(rnd)} 校对:{make_person(rnd)}"
    if r < 0.75:
        return str(rnd.randint(10_000_000, 99_999_999))
    return "大美" + rnd.choice(CITIES)


def render_dense_page(b: DocBuilder, arts: Sequence[tuple[Article, int | None]], rnd: Random,
                      header: str) -> None:
    """One newline per paragraph, no blank lines, headlines not marked."""
    style = rnd.choice(["bullet", "number"])
    b.add(header + "\n")
    for n, (art, part) in enumerate(arts):
        if n and rnd.random() < 0.3:
            b.add(_page_furniture(rnd) + "\n")
        b.open(art, part)
        if part != 2:
            b.content(art.title)
            b.add("\n")
            r = rnd.random()
            if r < 0.25:
                b.content("——" + art.title[: max(4, len(art.title) // 2)] + "的实践与探索")
                b.add("\n")
            elif r < 0.5:
                b.content(f"本报记者 {make_person(rnd)}")
                b.add("\n")
        subheads = 0
        for j, (kind, text) in enumerate(art.blocks):
            if j:
                b.add("\n")
            if kind == "sub" and not text.startswith("●"):
                # Unmarked, a subhead line would be indistinguishable from a headline; dense
                # pages keep the bullet or number the sections.
                subheads += 1
                text = ("●" + text) if style == "bullet" else f"{CN_DIGITS[min(subheads, 10)]}、{text}"
            b.content(text)
        b.close()
        b.add("\n")


def _page_header(rnd: Random, paper: str, page: int) -> str:
    y, m, d = _date(rnd)
    column = rnd.choice(PAGE_COLUMNS)
    return f"{paper} {y}年{m}月{d}日 星期{rnd.choice(WEEKDAYS)} 第{CN_DIGITS[page]}版 {column}"


def print_copy(art: Article, rnd: Random, *, half: bool = True) -> Article:
    out = ocr_slips(art, rnd)
    return half_width(out) if half else out


# --- web pages ------------------------------------------------------------------------------


def render_jekyll(b: DocBuilder, art: Article, rnd: Random) -> None:
    """A Jekyll post as in ``examples/karamay/001_…``: title only in the front matter."""
    y, m, d = _date(rnd)
    source = art.topic.paper if art.topic else "株洲日报"
    slug = rnd.choice(["zhuzhouribao", "difangxinwen", "keji", "shehui"])
    b.add(f'---\nlayout: post\ntitle: "{art.title}"\ndate: {y}-{m:02d}-{d:02d} '
          f"{rnd.randint(6, 22):02d}:{rnd.randint(0, 59):02d}:{rnd.randint(0, 59):02d} +0800\n"
          f"categories: {slug}\ntags: {source}新闻\n---\n")
    b.open(art)
    for j, (kind, text) in enumerate(art.blocks):
        b.add("<p>" if j == 0 else "\n <p>")
        b.content(_esc(("●" if kind == "sub" and not text.startswith("●") else "") + text))
        b.add("</p>" if j < len(art.blocks) - 1 else "")
    b.close()
    b.add(f' </p><p class="em_media">（文章来源：{source}）</p>\n\n'
          f"<http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW{rnd.getrandbits(60)}>\n\n"
          f"[返回{source}新闻](//finews.withounder.com/category/{slug}.html)｜[返回首页](//finews.withounder.com/)")


def render_html(b: DocBuilder, art: Article, rnd: Random, *, charset: str = "utf-8",
                site: str | None = None) -> None:
    """A plain web page: nav, header, article with <h1>, aside, footer, scripts and styles."""
    site = site or rnd.choice(["城市新闻网", "今日资讯", "新闻中心", "在线日报"])
    y, m, d = _date(rnd)
    nav = "".join(f'<li><a href="/{i}/">{w}</a></li>' for i, w in enumerate(["首页", "要闻", "本地", "经济", "科技", "社会", "评论"]))
    b.add(f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="{charset}">\n'
          f"<title>{_esc(art.title)} - {site}</title>\n"
          "<style>body{font-family:'PingFang SC',sans-serif;margin:0}.nav li{display:inline;margin:0 8px}"
          " article p{text-indent:2em;line-height:1.8}</style>\n"
          "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
          "gtag('js',new Date());</script>\n</head>\n<body>\n"
          f'<header class="site-header"><a class="logo" href="/">{site}</a>\n'
          f'<nav class="nav"><ul>{nav}</ul></nav></header>\n<main>\n<article>\n<h1>')
    b.open(art)
    b.content(_esc(art.title))
    b.add(f'</h1>\n<div class="meta">{y}-{m:02d}-{d:02d} 来源：{site}</div>\n')
    for j, (kind, text) in enumerate(art.blocks):
        tag = "h3" if kind == "sub" else "p"
        b.add(f"<{tag}>")
        b.content(_esc(text))
        if j < len(art.blocks) - 1:
            b.add(f"</{tag}>\n")
    b.close()
    b.add(f"</p>\n<p class=\"editor\">（责任编辑：{make_person(rnd)}）</p>\n</article>\n"
          '<aside class="hot"><h4>热点</h4><ul><li><a href="/hot/1">专题报道</a></li>'
          '<li><a href="/hot/2">图片新闻</a></li></ul></aside>\n</main>\n'
          f'<footer><p>关于我们 | 联系我们 | 网站地图</p><p>{y} {site} 版权所有</p></footer>\n'
          '<script src="/static/js/main.min.js"></script>\n'
          "<script>(function(){var s=document.createElement('script');s.src='//stat.example/count.js';"
          "document.body.appendChild(s);})();</script>\n</body>\n</html>\n")


def render_text(b: DocBuilder, art: Article, rnd: Random, *, markdown: bool = False) -> None:
    """A plain-text or Markdown repost: title, source line, paragraphs, editor line."""
    y, m, d = _date(rnd)
    source = art.topic.paper if art.topic else "新闻客户端"
    b.open(art)
    b.add("# " if markdown else "")
    b.content(art.title)
    b.add(f"\n\n{'> ' if markdown else ''}{y}-{m:02d}-{d:02d} 来源：{source}\n\n")
    for j, (kind, text) in enumerate(art.blocks):
        if j:
            b.add("\n\n")
        if kind == "sub" and markdown:
            b.add("## ")
        b.content(text)
    b.close()
    b.add(f"\n\n（责任编辑：{make_person(rnd)}）\n" if rnd.random() < 0.6 else "\n")


def render_portal(b: DocBuilder, art: Article, rnd: Random, site: str, related: Sequence[str],
                  charset: str) -> None:
    """A big news-portal page: menus, breadcrumb, share bar, ads, related lists made of real
    headlines of other stories, comments, copyright/ICP lines and inline JSON in scripts."""
    p = PORTALS[site]
    y, m, d = _date(rnd)
    body = [t for k, t in art.blocks if k == "p"]
    summary = body[0][:60] if body else art.title
    source = art.topic.paper if art.topic else p["owner"]
    data = {"title": art.title, "summary": summary, "source": source,
            "keywords": [w for w in art.title.split()[:3]], "related": list(related[:3]),
            "channel": "news", "docid": f"{rnd.getrandbits(40):010X}"}
    script_json = json.dumps(data, ensure_ascii=rnd.random() < 0.4)
    if site == "wechat":
        _render_wechat(b, art, rnd, charset, summary, script_json)
        return
    nav = "".join(f'<li><a href="//{p["domain"]}/{i}/">{w}</a></li>' for i, w in enumerate(p["nav"].split()))
    b.add(f'<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
          f"<title>{_esc(art.title)}{p['suffix']}</title>\n"
          f'<meta name="description" content="{_esc(summary)}" />\n'
          f'<link rel="stylesheet" href="//{p["domain"]}/css/article.css" />\n'
          f"{_site_chrome(site)[0]}"
          f"<script>var ARTICLE_CONFIG = {script_json};</script>\n</head>\n<body>\n"
          f'<div class="top-bar">{p["brand"]} | 登录 | 注册 | 客户端下载</div>\n'
          f'<div class="top-nav"><ul>{nav}</ul></div>\n{_site_chrome(site)[1]}\n'
          f'<div class="crumb"><a href="//{p["domain"]}/">{p["brand"]}</a> &gt; <a href="//{p["domain"]}/china/">国内</a> &gt; 正文</div>\n'
          f'<div class="ad" id="ad_top">广告 {p["owner"]}推荐：下载客户端，看更多精彩资讯</div>\n'
          '<div class="main-content">\n<h1 class="main-title">')
    b.open(art)
    b.content(_esc(art.title))
    b.add(f'</h1>\n<div class="date-source"><span class="date">{y}年{m:02d}月{d:02d}日 {rnd.randint(6, 23):02d}:{rnd.randint(0, 59):02d}</span>'
          f' <span class="source">来源：{_esc(source)}</span></div>\n'
          '<div class="share">分享到：<a class="wx">微信</a><a class="wb">微博</a><a class="qzone">QQ空间</a></div>\n'
          f'{p["body"]}\n')
    for j, (kind, text) in enumerate(art.blocks):
        if kind == "p" and j == len(art.blocks) // 2 and rnd.random() < 0.5:
            b.add('<div class="ad-inner">广告</div>\n')
        b.add('<p class="subtitle"><strong>' if kind == "sub" else "<p>")
        b.content(_esc(text))
        if j < len(art.blocks) - 1:
            b.add("</strong></p>\n" if kind == "sub" else "</p>\n")
    b.close()
    b.add("</p>\n</div>\n")
    b.add(f'<p class="article-editor">责任编辑：{make_person(rnd)}</p>\n')
    lists = [("相关新闻", related[:4]), ("热门推荐", related[4:10])]
    if site in ("thepaper", "people"):
        lists.reverse()
    for name, items in lists:
        li = "".join(f'<li><a href="//{p["domain"]}/a/{rnd.getrandbits(32):08x}.html">{_esc(t)}</a></li>' for t in items)
        b.add(f'<div class="related"><h3>{name}</h3><ul>{li}</ul></div>\n')
    b.add(_comments(rnd, p, art))
    b.add(f'<div class="footer"><p>{p["copy"]}</p><p>{p["icp"]} 互联网新闻信息服务许可证 违法和不良信息举报</p></div>\n'
          f"{_site_chrome(site)[2]}\n"
          '<script>var _comment_list = ' + json.dumps(_comment_json(rnd), ensure_ascii=False) + ';</script>\n'
          f'<script src="//{p["domain"]}/js/article.min.js"></script>\n</body>\n</html>\n')


MENU_WORDS = ["国内", "国际", "社会", "军事", "财经", "股票", "基金", "理财", "科技", "手机", "数码", "汽车", "房产", "家居", "教育", "考试", "留学", "健康", "育儿", "旅游", "美食", "时尚", "娱乐", "电影", "电视", "音乐", "体育", "足球", "篮球", "游戏", "动漫", "文化", "读书", "历史", "公益", "政务", "视频", "直播", "图片", "专题", "评论", "访谈", "快讯", "热榜", "地方", "城市", "乡村", "法治", "环保", "能源", "航天", "农业"]


@functools.cache
def _site_chrome(site: str) -> tuple[str, str, str]:
    """A site's fixed furniture: inline CSS, a mega menu and inline JS. Real portal pages carry
    tens of kilobytes of it; being identical on every page of a site, it is exactly the
    boilerplate a near-duplicate finder must not mistake for shared content."""
    rnd = Random(f"chrome:{site}")
    domain = PORTALS[site]["domain"]
    rules = []
    for i in range(120):
        cls = f"{site[:2]}-{rnd.choice(['nav', 'box', 'list', 'item', 'ad', 'hd', 'bd', 'ft'])}-{i}"
        rules.append(f".{cls}{{margin:{rnd.randint(0, 20)}px {rnd.randint(0, 20)}px;"
                     f"color:#{rnd.getrandbits(24):06x};font-size:{rnd.randint(12, 18)}px}}")
    css = "<style>" + "".join(rules) + "</style>\n"
    groups = []
    for _ in range(14):
        links = "".join(
            f'<a href="//{domain}/{rnd.choice(MENU_WORDS)}/{rnd.getrandbits(20):05x}/">'
            f"{rnd.choice(MENU_WORDS)}{rnd.choice(MENU_WORDS)}</a>"
            for _ in range(rnd.randint(8, 14))
        )
        groups.append(f'<div class="menu-group"><h4>{rnd.choice(MENU_WORDS)}</h4>{links}</div>')
    menu = '<div class="mega-menu">' + "".join(groups) + "</div>"
    funcs = []
    for i in range(60):
        a, b2 = rnd.getrandbits(16), rnd.getrandbits(16)
        funcs.append(f"function _{site}{i}(e,t){{var n=e||{a},r=t||{b2};if(n>r){{return n%r}}"
                     f"for(var o=0;o<n;o++){{r=(r*31+o)%65536}}return r}}")
    js = ("<script>" + ";".join(funcs) + f';window.__SITE__={{"name":"{site}","cdn":"//img.{domain}"}};</script>')
    return css, menu, js


def _comments(rnd: Random, p: dict[str, Any], art: Article) -> str:
    lines = [f'<div class="comment"><h3>网友评论</h3><p class="note">网友评论仅供其表达个人看法，并不表明{p["owner"]}立场。</p><ul>']
    for _ in range(rnd.randint(2, 5)):
        who = rnd.choice(CITIES) + rnd.choice(["网友", "手机用户" + str(rnd.randint(1000, 9999))])
        paras = art.paragraphs
        quote = ""
        if paras and rnd.random() < 0.3:  # a reader quoting a phrase of the article
            para = rnd.choice(paras)
            at = rnd.randrange(max(1, len(para) - 15))
            quote = f"“{para[at:at + 12]}”，"
        said = rnd.choice(["点赞！", "希望越来越好。", "支持一下", "说得好，落到实处才是关键。", "身边的变化看得见。"])
        lines.append(f"<li><span class=\"user\">{who}</span><p>{_esc(quote)}{said}</p></li>")
    lines.append("</ul></div>\n")
    return "".join(lines)


def _comment_json(rnd: Random) -> list[dict[str, Any]]:
    return [{"uid": rnd.getrandbits(32), "nick": rnd.choice(CITIES) + "网友",
             "content": rnd.choice(["支持", "学习了", "好政策要落实"]), "likes": rnd.randint(0, 999)}
            for _ in range(rnd.randint(1, 3))]


def _render_wechat(b: DocBuilder, art: Article, rnd: Random, charset: str, summary: str,
                   script_json: str) -> None:
    account = (art.topic.place if art.topic else "城市") + "发布"
    y, m, d = _date(rnd)
    b.add(f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="{charset}">\n<title>{_esc(art.title)}</title>\n'
          f'<meta property="og:title" content="{_esc(art.title)}" />\n'
          f'<meta property="og:description" content="{_esc(summary)}" />\n'
          f'<script>var msg_title = "{_esc(art.title)}"; var msg_desc = "{_esc(summary)}";'
          f' var biz = "MzA{rnd.getrandbits(40):010d}=="; var appmsg = {script_json};</script>\n'
          '</head>\n<body id="activity-detail" class="zh_CN">\n<div class="rich_media">\n'
          '<h1 class="rich_media_title" id="activity-name">')
    b.open(art)
    b.content(_esc(art.title))
    b.add(f'</h1>\n<div class="rich_media_meta_list"><span class="rich_media_meta_text">{make_person(rnd)}</span>'
          f' <a id="js_name">{account}</a> <em id="publish_time">{y}-{m:02d}-{d:02d}</em></div>\n'
          f'{PORTALS["wechat"]["body"]}\n')
    for j, (_, text) in enumerate(art.blocks):
        b.add('<p style="text-indent:2em;"><span style="font-size:16px;">')
        b.content(_esc(text))
        if j < len(art.blocks) - 1:
            b.add("</span></p>\n")
    b.close()
    b.add("</span></p>\n</section></div>\n"
          '<div class="rich_media_tool"><a id="js_view_source">阅读原文</a> 阅读 10万+ 在看</div>\n'
          '<div class="qr_code_pc"><p>微信扫一扫<br>关注该公众号</p></div>\n'
          '<div class="discuss"><h3>精选留言</h3><p>网友评论仅供其表达个人看法，并不表明微信立场。</p></div>\n'
          "</div>\n</body>\n</html>\n")


# --------------------------------------------------------------------------------------------
# Bundles: one of everything
# --------------------------------------------------------------------------------------------

VARIANT_KINDS = (["jekyll"] * 2 + ["html"] * 2 + ["trad"] * 2 + ["truncated"] * 2 + ["encoded"] * 2
                 + ["noisy"] * 2 + ["portal"] * 4 + ["jsonl"] * 4)


def story_id(bundle: int, k: int) -> str:
    return f"s{bundle:04d}{k:03d}"


class Bundle:
    """One bundle under construction. Bundles share nothing (story ids carry the bundle number),
    so they can be built in any order and in parallel and still give the same bytes."""

    def __init__(self, seed: int, index: int) -> None:
        self.index = index
        self.rnd = Random(f"neardup-corpus:{seed}:{index}")
        self.writer = Writer(Sampler(lexicon(), np.random.default_rng([seed, index])), self.rnd)
        self.files: list[RenderedFile] = []
        self.titles: list[str] = []
        self.counter = 0
        self.real = list(seed_articles()) if index == 0 else []
        self.stories = SEED_STORIES + len(self.real) if index == 0 else 0

    def new_id(self) -> str:
        self.stories += 1
        return story_id(self.index, self.stories - 1)

    # -- stories --

    def story(self, length: tuple[int, int], *, real_ok: bool = True, topic: Topic | None = None,
              print_extras: bool = True) -> Article:
        if real_ok and topic is None and self.real:
            art = self.real.pop(0)
        else:
            art = self.writer.article(self.new_id(), topic or self.writer.topic(), self.rnd.randint(*length),
                                      print_extras=print_extras)
        self.titles.append(art.title)
        return art

    def related(self, exclude: str, n: int = 10) -> list[str]:
        pool = [t for t in self.titles if t != exclude]
        return self.rnd.sample(pool, min(n, len(pool)))

    # -- files --

    def name(self, ext: str) -> str:
        self.counter += 1
        return f"b{self.index:04d}/{self.counter:03d}_{self.rnd.getrandbits(64):016x}.{ext}"

    def emit(self, b: DocBuilder, case: str, ext: str, encoding: str = "utf-8",
             transform: Callable[[str], str] | None = None) -> None:
        text, placed = b.finish(transform)
        data, encoding = encode(text, encoding)
        path = self.name(ext)
        self.files.append(RenderedFile(path, data, [RenderedDoc(path, case, encoding, False, text, placed)]))

    def newline(self) -> str:
        return "\r\n" if self.rnd.random() < 0.15 else "\n"


def encode(text: str, encoding: str) -> tuple[bytes, str]:
    """Bytes in ``encoding`` (BOM included for ``utf-8-sig``/``utf-16``), falling back to UTF-8
    when the text does not survive the round trip (Big5 lacks some simplified-only characters)."""
    if encoding == "utf-16":
        data = "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")
    elif encoding == "utf-8-sig":
        data = b"\xef\xbb\xbf" + text.encode("utf-8")
    else:
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            return encode(text, "gb18030" if encoding == "gbk" else "utf-8")
        if data.decode(encoding) != text:
            return encode(text, "utf-8")
    return data, encoding


def read_text(data: bytes, encoding: str) -> str:
    """Decode as the labels mean it: leading BOM removed, newlines untranslated."""
    text = data.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text


def build_bundle(seed: int, index: int) -> list[RenderedFile]:
    bb = Bundle(seed, index)
    rnd = bb.rnd
    if index == 0:
        _seed_files(bb)

    # Printed pages and web-only originals.
    page_a = [bb.story((600, 2200)) for _ in range(5)]
    page_b = [bb.story((600, 2200)) for _ in range(5)]
    dense = [bb.story((600, 2000)) for _ in range(5)]
    web = [bb.story((800, 2000), print_extras=False) for _ in range(2)]
    paper = rnd.choice(CITIES) + "日报"
    for arts, page in ((page_a, 1), (page_b, rnd.randint(2, 8))):
        b = DocBuilder()
        render_md_page(b, [(print_copy(a, rnd), None) for a in arts], rnd, _page_header(rnd, paper, page))
        bb.emit(b, "page", rnd.choice(["txt", "md"]))
    b = DocBuilder()
    half = rnd.random() < 0.5
    render_dense_page(b, [(print_copy(a, rnd, half=half), None) for a in dense], rnd,
                      _page_header(rnd, paper, rnd.randint(2, 8)))
    bb.emit(b, "dense_page", "txt")

    # Reposts of printed stories in every core and messy web form.
    printed = page_a + page_b + dense
    chosen = rnd.sample(printed, 9)
    targets = chosen + rnd.sample(chosen, 9) + web
    assert len(targets) == len(VARIANT_KINDS)
    kinds = list(VARIANT_KINDS)
    rnd.shuffle(kinds)
    rnd.shuffle(targets)
    render_web_original(bb, web[0], "jekyll")
    render_web_original(bb, web[1], "html")
    sites = [PORTAL_ORDER[(2 * index) % 8], PORTAL_ORDER[(2 * index + 1) % 8]]
    feed: list[tuple[Article, str]] = []
    portal_n = 0
    for art, kind in zip(targets, kinds):
        if kind == "jsonl":
            feed.append((web_copy(art, rnd), "jsonl"))
        elif kind == "portal":
            render_portal_doc(bb, web_copy(art, rnd), sites[portal_n % 2])
            portal_n += 1
        else:
            render_variant(bb, art, kind)

    _continued(bb, paper)
    _briefs(bb, paper)

    # Near misses: same topic, entities and slogan, a couple of shared sentences, new story.
    with_topic = [a for a in chosen if a.topic is not None]
    for counterpart in rnd.sample(with_topic, min(2, len(with_topic))):
        near = near_miss(bb, counterpart)
        _emit_single(bb, near, "near_miss", rnd.choice(["html", "txt", "md"]))
    for _ in range(3):
        _emit_single(bb, bb.story((400, 2000), print_extras=False), "unique", rnd.choice(["html", "txt", "md", "jekyll"]))
    for _ in range(3):
        feed.append((bb.story((300, 1500), print_extras=False), "jsonl"))
    rnd.shuffle(feed)
    _feed(bb, feed)
    _junk(bb)
    return bb.files


def render_web_original(bb: Bundle, art: Article, kind: str) -> None:
    b = DocBuilder(bb.newline() if kind == "html" else "\n")
    if kind == "jekyll":
        render_jekyll(b, art, bb.rnd)
    else:
        render_html(b, art, bb.rnd)
    bb.emit(b, kind, "html" if kind == "html" else bb.rnd.choice(["txt", "md"]))


def _emit_single(bb: Bundle, art: Article, case: str, form: str, encoding: str = "utf-8",
                 transform: Callable[[str], str] | None = None) -> None:
    rnd = bb.rnd
    if form == "jekyll":
        b = DocBuilder()
        render_jekyll(b, art, rnd)
        bb.emit(b, case, rnd.choice(["txt", "md"]), encoding, transform)
    elif form == "html":
        b = DocBuilder(bb.newline())
        charset = {"utf-16": "utf-16", "utf-8-sig": "utf-8"}.get(encoding, encoding)
        render_html(b, art, rnd, charset=charset)
        bb.emit(b, case, rnd.choice(["html", "html", "htm"]), encoding, transform)
    else:
        b = DocBuilder(bb.newline())
        render_text(b, art, rnd, markdown=form == "md")
        bb.emit(b, case, form, encoding, transform)


def render_variant(bb: Bundle, art: Article, kind: str) -> None:
    rnd = bb.rnd
    if kind in ("jekyll", "html"):
        _emit_single(bb, web_copy(art, rnd), kind, kind)
    elif kind == "trad":
        # The whole page goes traditional, furniture included, as on a Hong Kong or Taiwan site.
        enc = "big5" if rnd.random() < 0.5 else "utf-8"
        convert = opencc_converter("s2tw" if enc == "big5" else "s2t")
        _emit_single(bb, web_copy(art, rnd, edits=rnd.random() < 0.5), "trad", rnd.choice(["txt", "html"]), enc, convert)
    elif kind == "truncated":
        _emit_single(bb, truncate(web_copy(art, rnd, edits=False), rnd), "truncated", rnd.choice(["txt", "html", "md"]))
    elif kind == "encoded":
        enc = rnd.choice(["gb18030", "utf-16", "utf-8-sig"])
        _emit_single(bb, web_copy(art, rnd, edits=rnd.random() < 0.5), "encoded", rnd.choice(["txt", "html"]), enc)
    elif kind == "noisy":
        _emit_single(bb, noisy(web_copy(art, rnd, edits=False), rnd), "noisy", rnd.choice(["txt", "md", "html"]))
    else:
        raise ValueError(kind)


def render_portal_doc(bb: Bundle, art: Article, site: str, case: str = "portal") -> None:
    rnd = bb.rnd
    mode = rnd.random()
    # Declared charset vs real bytes: a quarter say GB2312 over UTF-8, a fifth are GBK saying utf-8.
    if mode < 0.25:
        charset, enc = "GB2312", "utf-8"
    elif mode < 0.45:
        charset, enc = "utf-8", "gbk"
    elif mode < 0.6 and site in ("sina", "163", "ifeng", "people"):
        charset, enc = "gbk", "gbk"
    else:
        charset, enc = "utf-8", "utf-8"
    b = DocBuilder(bb.newline())
    render_portal(b, art, rnd, site, bb.related(art.title), charset)
    bb.emit(b, case, rnd.choice(["html", "shtml", "htm"]) if site != "wechat" else "html", enc)


def near_miss(bb: Bundle, counterpart: Article) -> Article:
    assert counterpart.topic is not None
    art = bb.story((800, 2000), topic=counterpart.topic, print_extras=False)
    sentences = [s + "。" for p in counterpart.paragraphs for s in p.split("。") if 10 < len(s) < 60]
    borrowed = bb.rnd.sample(sentences, min(2, len(sentences)))
    blocks = list(art.blocks)
    paras = [i for i, (k, _) in enumerate(blocks) if k == "p"]
    for s in borrowed:
        i = bb.rnd.choice(paras)
        blocks[i] = ("p", blocks[i][1] + s)
    return replace(art, blocks=tuple(blocks))


def _continued(bb: Bundle, paper: str) -> None:
    """Two articles that start on page one and go on on page four, plus a full repost of each."""
    rnd = bb.rnd
    stories = [bb.story((2200, 3500)) for _ in range(2)]
    front: list[tuple[Article, int | None]] = [(print_copy(bb.story((500, 1500)), rnd), None) for _ in range(2)]
    back: list[tuple[Article, int | None]] = [(print_copy(bb.story((500, 1500)), rnd), None) for _ in range(2)]
    for art in stories:
        printed = print_copy(art, rnd)
        blocks = list(printed.blocks)
        # Cut between two paragraphs, a little before or after the middle.
        cuts = [i for i in range(2, len(blocks) - 1) if blocks[i - 1][0] == blocks[i][0] == "p"]
        cut = min(cuts, key=lambda i: abs(i - len(blocks) * rnd.uniform(0.35, 0.6)))
        first = blocks[:cut]
        first[-1] = ("p", first[-1][1] + "（下转第四版）")
        rest = blocks[cut:]
        rest[0] = ("p", "（上接第一版）" + rest[0][1])
        front.insert(rnd.randint(0, len(front)), (replace(printed, blocks=tuple(first)), 1))
        back.insert(rnd.randint(0, len(back)), (replace(printed, blocks=tuple(rest)), 2))
    for arts, page in ((front, 1), (back, 4)):
        b = DocBuilder()
        if rnd.random() < 0.7:
            render_md_page(b, arts, rnd, _page_header(rnd, paper, page))
        else:
            render_dense_page(b, arts, rnd, _page_header(rnd, paper, page))
        bb.emit(b, "continued", rnd.choice(["txt", "md"]))
    for art in stories:
        _emit_single(bb, web_copy(art, rnd), "continued", rnd.choice(["html", "jekyll", "txt"]))


def _briefs(bb: Bundle, paper: str) -> None:
    """A page of 简讯, four of them reposted with small edits, and a long article that quotes
    one sentence of a brief (a different story: it must not join the brief's cluster)."""
    rnd = bb.rnd
    briefs = [_brief(bb) for _ in range(7)]
    b = DocBuilder()
    style = rnd.choice(["md", "mark", "dense"])
    b.add(f"# {paper} 简讯\n\n" if style == "md" else f"{_page_header(rnd, paper, rnd.randint(2, 8))} 简讯\n")
    sep = "\n" if style == "dense" else "\n\n"
    for art in briefs:
        shown = print_copy(art, rnd, half=style != "dense")
        b.open(art)
        b.add({"md": "## ", "mark": "■", "dense": ""}[style])
        b.content(shown.title)
        b.add(sep)
        b.content(shown.paragraphs[0])
        b.close()
        b.add(sep)
    bb.emit(b, "brief", rnd.choice(["txt", "md"]))
    for art in rnd.sample(briefs, 4):
        _emit_single(bb, edit_light(art, rnd, edits=rnd.randint(1, 2)), "brief", rnd.choice(["txt", "html", "jekyll"]))
    quoted = rnd.choice(briefs)
    total = len(quoted.paragraphs[0])
    candidates = [s + "。" for s in quoted.paragraphs[0].split("。") if len(s) >= 8 and len(s) + 1 <= 0.3 * total]
    sentence = min(candidates or [s + "。" for s in quoted.paragraphs[0].split("。") if s], key=len)
    long = bb.story((1500, 2500), print_extras=False)
    blocks = list(long.blocks)
    paras = [i for i, (k, _) in enumerate(blocks) if k == "p"]
    i = paras[len(paras) // 2]
    blocks[i] = ("p", blocks[i][1] + f"据{paper}报道，{sentence}")
    _emit_single(bb, replace(long, blocks=tuple(blocks)), "brief", rnd.choice(["html", "txt"]))


def _brief(bb: Bundle) -> Article:
    """120–300 characters in three to five sentences, so that one sentence is a small share."""
    w = bb.writer
    t = w.topic()
    sid = bb.new_id()
    target = bb.rnd.randint(120, 300)
    sentences: list[str] = []
    while sum(map(len, sentences)) < target or len(sentences) < 3:
        s = w.fill(bb.rnd.choice(CLAUSES), t) + "，" + w.fill(bb.rnd.choice(CLAUSES), t) + "。"
        sentences.append(s)
    text = "".join(sentences)
    if len(text) > 300:
        text = text[:299].rsplit("。", 1)[0] + "。"
    art = Article(sid, w.title(t), (("p", text),), t)
    bb.titles.append(art.title)
    return art


def _feed(bb: Bundle, records: list[tuple[Article, str]]) -> None:
    """A JSONL feed: {id, title, url, date, text}; some records have no id."""
    rnd = bb.rnd
    path = bb.name("jsonl")
    lines: list[str] = []
    docs: list[RenderedDoc] = []
    for n, (art, case) in enumerate(records, start=1):
        b = DocBuilder()
        b.open(art)
        sep = rnd.choice(["\n", "\n\n"])
        for j, (_, text) in enumerate(art.blocks):
            if j:
                b.add(sep)
            b.content(text)
        b.close()
        y, m, d = _date(rnd)
        text, placed = b.finish()
        rec: dict[str, Any] = {}
        rid = None
        if rnd.random() < 0.75:
            rid = f"{rnd.choice(['a', 'n', 'doc'])}{rnd.getrandbits(32):08x}"
            rec["id"] = rid
        rec.update(title=art.title, url=f"https://news.example.cn/{y}/{m:02d}{d:02d}/{rnd.getrandbits(40):x}.html",
                   date=f"{y}-{m:02d}-{d:02d}", text=text)
        lines.append(json.dumps(rec, ensure_ascii=False))
        key = f"{path}#{rid}" if rid else f"{path}#line-{n}"
        docs.append(RenderedDoc(key, case, "utf-8", False, text, placed))
    bb.files.append(RenderedFile(path, ("\n".join(lines) + "\n").encode("utf-8"), docs))


def _junk(bb: Bundle) -> None:
    rnd = bb.rnd
    blobs = [
        ("txt", b""),
        ("md", rnd.choice([" \n\n\t\n", "\n\n\n", "\u3000\u3000\n \n"]).encode("utf-8")),
        (rnd.choice(["txt", "html"]), rnd.randbytes(rnd.randint(2_000, 12_000))),
        ("md", gzip.compress(("# 标题\n\n" + "压缩内容" * rnd.randint(200, 800)).encode("utf-8"), mtime=0)),
    ]
    for ext, data in blobs:
        path = bb.name(ext)
        bb.files.append(RenderedFile(path, data, [RenderedDoc(path, "junk", None, True, None, [])]))


def _seed_files(bb: Bundle) -> None:
    """The real Karamay page and its web repost, verbatim, labelled by hand-checked rules."""
    page = (SEED_DIR / SEED_PAGE).read_text(encoding="utf-8")
    spans = seed_page_labels(page)
    placed = [Placed(story_id(0, i), s, e, None, t, [page[s:e]]) for i, (s, e, t) in enumerate(spans)]
    path = f"b{bb.index:04d}/seed_{SEED_PAGE}"
    bb.files.append(RenderedFile(path, page.encode("utf-8"), [RenderedDoc(path, "page", "utf-8", False, page, placed)]))
    repost = (SEED_DIR / SEED_REPOST).read_text(encoding="utf-8")
    start = repost.index("<p>") + 3
    last = "推动克拉玛依高新区经济高质量发展。"
    end = repost.index(last) + len(last)
    path = f"b{bb.index:04d}/seed_{SEED_REPOST}"
    art = Placed(story_id(0, 0), start, end, None, spans[0][2], [repost[start:end]])
    bb.files.append(RenderedFile(path, repost.encode("utf-8"), [RenderedDoc(path, "jekyll", "utf-8", False, repost, [art])]))
    for t in spans:
        bb.titles.append(t[2])


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------


def iter_files(*, size_mb: float, seed: int, cases: set[str] | None = None,
               jobs: int = 1) -> Iterator[RenderedFile]:
    """Rendered files (with their labelled documents and the exact strings placed) until their
    bytes reach ``size_mb`` megabytes (10**6 bytes); whole bundles only, so cases keep their mix.
    ``jobs`` worker processes build bundles ahead; the files and labels do not depend on it, but
    with ``jobs > 1`` the documents come without ``text`` and the articles without ``pieces``."""
    if cases is not None:
        unknown = sorted(set(cases) - set(ALL_CASES))
        if unknown:
            raise ValueError(f"unknown case(s): {', '.join(unknown)}; known: {', '.join(ALL_CASES)}")
    target = size_mb * MB
    written = 0
    for index, files in enumerate(_bundles(seed, jobs)):
        for f in files:
            if cases is None or f.docs[0].case in cases:
                written += len(f.data)
                yield f
        if written >= target or index >= 100_000:  # a filter that keeps nothing must still end
            return


def _build_lean(seed: int, index: int) -> list[RenderedFile]:
    """A bundle without the decoded texts and placed strings: half the bytes to send back."""
    files = build_bundle(seed, index)
    for f in files:
        for doc in f.docs:
            doc.text = None
            for a in doc.articles:
                a.pieces = []
    return files


def _bundles(seed: int, jobs: int) -> Iterator[list[RenderedFile]]:
    if jobs <= 1:
        for index in itertools.count():
            yield build_bundle(seed, index)
        return
    import multiprocessing

    lexicon(), seed_articles(), opencc_converter("s2t"), opencc_converter("s2tw")  # loaded once here, inherited by the forked workers
    pool = multiprocessing.get_context("fork").Pool(jobs)
    ahead: collections.deque[Any] = collections.deque()
    index = 0
    try:
        while True:
            while len(ahead) < 2 * jobs:  # a bounded window: the corpus may end at any bundle
                ahead.append(pool.apply_async(_build_lean, (seed, index)))
                index += 1
            yield ahead.popleft().get()
    finally:
        # Let the few bundles still in flight finish rather than terminate() the pool (what its
        # context manager does): terminating while its task handler still feeds the workers hung
        # a full benchmark for 25 minutes in Pool._terminate_pool.
        pool.close()
        pool.join()


def generate(out_dir: Path, *, size_mb: float, seed: int, cases: set[str] | None = None,
             labels_path: Path | None = None, jobs: int | None = None) -> dict[str, Any]:
    """Write the corpus into ``out_dir`` (empty or absent) and return its labels; also write them
    to ``labels_path`` when given (which must lie outside ``out_dir``)."""
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} is not empty")
    if labels_path is not None and Path(labels_path).resolve().is_relative_to(out_dir.resolve()):
        raise ValueError("the labels file must not lie inside the scanned folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    documents: dict[str, Any] = {}
    total = 0
    if jobs is None:  # processes only pay off once there are several bundles to build
        jobs = min(os.cpu_count() or 1, 8) if size_mb >= 4 else 1
    for f in iter_files(size_mb=size_mb, seed=seed, cases=cases, jobs=jobs):
        target = out_dir / f.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(f.data)
        total += len(f.data)
        for doc in f.docs:
            documents[doc.path] = doc.label()
    labels = {"seed": seed, "size_mb": size_mb, "bytes": total, "generator": GENERATOR,
              "cases": sorted(cases) if cases else list(ALL_CASES), "documents": documents}
    if labels_path is not None:
        Path(labels_path).write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")
    return labels


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--size-mb", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--labels", type=Path, default=None, help="default: OUT_DIR.labels.json beside the folder")
    ap.add_argument("--cases", default=None, help="comma-separated subset of: " + ",".join(ALL_CASES))
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores for 4 MB and more)")
    args = ap.parse_args(argv)
    labels_path = args.labels or args.out_dir.with_name(args.out_dir.name + ".labels.json")
    cases = set(args.cases.split(",")) if args.cases else None
    t0 = time.perf_counter()
    labels = generate(args.out_dir, size_mb=args.size_mb, seed=args.seed, cases=cases,
                      labels_path=labels_path, jobs=args.jobs)
    secs = time.perf_counter() - t0
    mb = labels["bytes"] / MB
    print(f"{len(labels['documents'])} documents, {mb:.2f} MB in {secs:.1f} s ({mb / secs:.1f} MB/s); "
          f"labels: {labels_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
