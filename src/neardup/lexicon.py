"""The Chinese vocabularies neardup reads pages with, in one place: who publishes (datelines),
who wrote (bylines), what a printed page adds between articles, and what a web site adds around
one. Each stage builds its own patterns from these words; the order of a tuple is the order its
pattern tries them (a longer word before a word it starts with)."""

from __future__ import annotations

from typing import Final

__all__ = [
    "BYLINE_WORDS",
    "CONTACT_LABELS",
    "CREDIT_LABELS",
    "FOOTER_WORDS",
    "NEWS_AGENCIES",
    "PAGE_ROLE_LABELS",
    "SITE_CREDIT_LABELS",
    "SITE_LABELS",
    "SITE_NOTICES",
    "SITE_NOTICES_LATIN",
]

# Printed pages (segment): a dateline names the paper or agency (本报北京１月５日讯, 新华社…电).
NEWS_AGENCIES: Final = ("本报", "新华社", "中新社", "人民日报", "本刊", "新华网", "中新网")
# Words of a byline line (本报记者 王明, 通讯员…, 本报讯).
BYLINE_WORDS: Final = ("记者", "通讯员", "本报讯", "日报讯", "晚报讯")
# Editor credits printed between articles (责任编辑：…, 本版编辑：…, 校对：…) and contact lines.
PAGE_ROLE_LABELS: Final = ("(?:责任|本版|美术)?编辑", "校对")
CONTACT_LABELS: Final = ("电话", "传真", "邮编", "地址")

# Both sides of a comparison (diff): a line that only credits someone is layout, not wording.
CREDIT_LABELS: Final = ("责任编辑", "责编", "编辑", "美术编辑", "校对", "审校", "审核", "来源", "文章来源", "稿件来源",
                        "记者", "通讯员", "摄影", "图片来源", "供图", "原标题")

# Web pages (html extraction): labels that open a furniture line (责任编辑：…, 来源：…, 分享到：…).
SITE_CREDIT_LABELS: Final = (
    "责任编辑", "责编", "值班编辑", "编辑", "主编", "校对", "审核", "审校", "审签", "终审", "监制", "策划", "统筹", "出品", "美编",
    "来源", "文章来源", "稿件来源", "新闻来源", "本文来源", "信息来源", "消息来源", "图片来源", "图源", "视频来源", "本文转自", "转自",
    "原标题", "原题", "作者", "撰文", "实习生", "发布时间", "发布日期", "发表时间", "更新时间", "浏览次数", "阅读次数", "阅读量",
    "点击数", "点击量", "访问量", "字号", "分享到", "分享至", "转发到", "扫一扫", "扫码", "关键词", "关键字", "标签",
    "免责声明", "特别声明", "版权声明", "上一篇", "下一篇", "本文链接", "原文链接",
)
# Notices anywhere in a line of site furniture (regular expressions, some with a gap).
SITE_NOTICES: Final = (
    "公网安备", "版权所有", "©", "违法和不良信息举报",
    "网友评论仅供", "评论仅供其表达", "不代表本站", "本站同意其观点", "转载请注明", "禁止转载", "未经授权.{0,8}转载",
    r"责任编辑\s*[:：]", r"责编\s*[:：]", r"分享到\s*[:：]", "【纠错】",
)
SITE_NOTICES_LATIN: Final = ("ICP证", "ICP备", "Copyright", "All Rights Reserved")  # matched in any case
# Labels of links and buttons: a line made of these (and dates, separators) is navigation.
SITE_LABELS: Final = (
    "相关新闻", "相关阅读", "相关推荐", "相关文章", "相关链接", "相关报道", "相关专题", "热门推荐", "推荐阅读", "延伸阅读", "猜你喜欢",
    "为你推荐", "热点新闻", "热门新闻", "热门文章", "热点推荐", "今日热点", "24小时热榜", "24小时排行", "热榜", "排行榜", "点击排行",
    "精彩推荐", "精彩图片", "更多精彩", "查看更多", "加载更多", "更多", "网友评论", "最新评论", "热门评论", "全部评论", "我要评论",
    "发表评论", "评论", "跟帖", "分享到", "分享", "收藏", "点赞", "在看", "举报", "打印本页", "打印", "关闭窗口", "关闭", "纠错",
    "返回顶部", "返回首页", "返回", "上一篇", "下一篇", "上一页", "下一页", "首页", "尾页", "阅读原文", "查看原文", "展开全文",
    "微博", "微信", "朋友圈", "QQ空间", "QQ", "登录", "注册", "字号", "大", "中", "小", "默认", "扫一扫", "二维码", "客户端", "APP",
)
# A page footer (ingest: a page of nothing but navigation and these holds no article).
FOOTER_WORDS: Final = ("版权所有", "copyright", "©", "ICP", "备案", "all rights reserved")  # matched in any case
