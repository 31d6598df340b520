from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import neardup
from conftest import EXAMPLES, REPOST
from neardup.config import Config
from neardup.errors import DecodeError
from neardup.ingest import decode_bytes, discover, read_file
from neardup.models import Document, Skipped

ARTICLE = (EXAMPLES / REPOST).read_text(encoding="utf-8").split("<p>")[1].split("</p>")[0]


def _read(path: Path, root: Path, config: Config | None = None) -> list[Document | Skipped]:
    files, skipped, _ = discover([root])
    found = [f for f in files if Path(f.fs_path) == path]
    return read_file(found[0], config or Config()) if found else list(skipped)


@pytest.mark.parametrize(
    ("codec", "expected", "text"),
    [
        ("utf-8", "utf-8", ARTICLE),
        ("utf-8-sig", "utf-8-sig", ARTICLE),
        ("utf-16", "utf-16", ARTICLE),
        ("gb18030", "gb18030", ARTICLE),
        ("big5", "big5",
         "新疆克拉瑪依高新區「科技陪伴式服務」迎來三週年。秉承「科技引領，服務至上」宗旨，克拉瑪依高新區保持幹事創業激情。" * 3),
    ],
)
def test_encodings_are_detected_and_text_round_trips(codec: str, expected: str, text: str) -> None:
    decoded, encoding, errors = decode_bytes(text.encode(codec))
    assert decoded == text
    assert errors == "strict"
    assert encoding.replace("_", "-") in (expected, "cp950" if expected == "big5" else expected)


# An odd number of bytes, so that no UTF-16 reading competes (those are ranked by charset-normalizer)
_BIG5 = ("新疆克拉瑪依高新區「科技陪伴式服務」迎來三週年。秉承「科技引領，服務至上」宗旨，"
         "克拉瑪依高新區保持幹事創業激情。") * 3 + "2"


def test_big5_that_reads_the_same_as_cp950_is_big5_without_ranking(monkeypatch: pytest.MonkeyPatch) -> None:
    import charset_normalizer

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("charset-normalizer was asked")

    raw = _BIG5.encode("big5")
    assert raw.decode("cp950") == _BIG5 and raw.decode("big5") == _BIG5
    monkeypatch.setattr(charset_normalizer, "from_bytes", fail)
    assert decode_bytes(raw) == (_BIG5, "big5", "strict")


def test_bad_bytes_are_named_not_raised(tmp_path: Path) -> None:
    with pytest.raises(DecodeError, match="empty"):
        decode_bytes(b"")
    with pytest.raises(DecodeError, match="whitespace"):
        decode_bytes(b" \n\t ")
    with pytest.raises(DecodeError, match="gzip"):
        decode_bytes(b"\x1f\x8b\x08\x00binary")
    with pytest.raises(DecodeError, match="binary"):
        decode_bytes(bytes(range(256)) * 40)


def test_partly_corrupt_file_is_decoded_with_replacement() -> None:
    raw = ARTICLE.encode("utf-8") + b"\xff\xfe\xfa" + ARTICLE.encode("utf-8")
    text, encoding, errors = decode_bytes(raw)
    assert errors == "replace" and encoding == "utf-8"
    assert "\ufffd" in text and text.startswith(ARTICLE)


def test_jsonl_records_become_documents_and_bad_lines_are_skipped(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a1", "title": "t", "text": ARTICLE}, ensure_ascii=False),
        json.dumps({"text": ARTICLE + "。"}, ensure_ascii=False),
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"id": "x"}),
        json.dumps({"id": "y", "text": None}),
        json.dumps({"id": "a1", "text": "重复"}, ensure_ascii=False),
    ]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = _read(feed, tmp_path)
    docs = [i for i in items if isinstance(i, Document)]
    skipped = {i.path: i.reason for i in items if isinstance(i, Skipped)}
    assert [d.path for d in docs] == ["feed.jsonl#a1", "feed.jsonl#line-2"]
    assert docs[0].title == "t" and docs[0].format == "jsonl"
    assert set(skipped) == {"feed.jsonl#line-3", "feed.jsonl#line-4", "feed.jsonl#x", "feed.jsonl#y", "feed.jsonl#a1"}
    assert "duplicate id" in skipped["feed.jsonl#a1"]
    assert "not valid JSON" in skipped["feed.jsonl#line-3"]


def test_format_is_detected_from_content(tmp_path: Path) -> None:
    (tmp_path / "post.txt").write_text((EXAMPLES / REPOST).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "plain.md").write_text(ARTICLE, encoding="utf-8")
    formats = {d.path: d.format for f in discover([tmp_path])[0] for d in read_file(f, Config())
               if isinstance(d, Document)}
    assert formats == {"post.txt": "html", "plain.md": "markdown"}


def test_discover_accounts_for_every_odd_entry(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG....")
    os.mkfifo(tmp_path / "pipe.txt")
    os.symlink(tmp_path / "missing.txt", tmp_path / "dangling.txt")
    os.symlink(tmp_path / "loop.txt", tmp_path / "loop.txt")
    (tmp_path / "sub").mkdir()
    os.symlink(tmp_path, tmp_path / "sub" / "back")
    files, skipped, root = discover([tmp_path])
    reasons = {s.path: s.reason for s in skipped}
    assert [f.path for f in files] == ["good.txt"]
    assert "FIFO" in reasons["pipe.txt"]
    assert "dangling" in reasons["dangling.txt"]
    assert "loop" in reasons["loop.txt"]
    assert "unsupported" in reasons["image.png"]
    assert any("loop" in r for p, r in reasons.items() if p.startswith("sub/back"))
    assert root == tmp_path


def test_size_limit_is_reported(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text(ARTICLE * 10, encoding="utf-8")
    items = _read(tmp_path / "big.txt", tmp_path, Config(max_file_bytes=100))
    assert isinstance(items[0], Skipped) and "max_file_bytes" in items[0].reason


def test_a_file_that_changed_size_after_discovery_is_read_whole_or_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE[:60], encoding="utf-8")
    files, _, _ = discover([tmp_path])
    path.write_text(ARTICLE, encoding="utf-8")  # grew
    (doc,) = read_file(files[0], Config())
    assert isinstance(doc, Document) and doc.text == ARTICLE
    path.write_text(ARTICLE * 4, encoding="utf-8")  # grew past the limit
    (item,) = read_file(files[0], Config(max_file_bytes=len(ARTICLE.encode()) * 2))
    assert isinstance(item, Skipped) and "max_file_bytes" in item.reason
    path.write_text(ARTICLE[:30], encoding="utf-8")  # shrank
    (doc,) = read_file(files[0], Config())
    assert isinstance(doc, Document) and doc.text == ARTICLE[:30]


def test_the_same_file_under_two_names_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    os.link(tmp_path / "a.txt", tmp_path / "b.txt")
    os.symlink(tmp_path / "a.txt", tmp_path / "c.txt")
    files, skipped, _ = discover([tmp_path, tmp_path / "a.txt"])
    assert [f.path for f in files] == ["a.txt"]
    assert sorted(s.path for s in skipped) == ["a.txt", "b.txt", "c.txt"]
    assert all("same file as another path" in s.reason for s in skipped)


def test_several_paths_are_relative_to_their_common_parent(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "x.txt").write_text(ARTICLE, encoding="utf-8")
    files, _, root = discover([tmp_path / "a", tmp_path / "b" / "x.txt"])
    assert [f.path for f in files] == ["a/x.txt", "b/x.txt"] and root == tmp_path


def test_short_repost_with_html_paragraphs_keeps_only_the_article(tmp_path: Path) -> None:
    # Two <p> paragraphs after front matter are markup: the source line, the share link and the
    # site's navigation line are furniture, not part of the story (they made unrelated briefs
    # from one site look alike to character n-grams).
    article = "台州人民医院已影响3所林区，在服务器方面取得了进展。325台电视机完成更新，较上半年增长近3倍。"
    text = (
        '---\ntitle: "台州出实招"\n---\n'
        f'<p>{article} </p><p class="em_media">（文章来源：泸州日报）</p>\n\n'
        "<http://finews.example.xyz/html_News/NewsShare.html?infoCode=NW25167586935362026>\n\n"
        "[返回泸州日报新闻](//finews.example.com/category/news.html)｜[返回首页](//finews.example.com/)"
    )
    (tmp_path / "brief.txt").write_text(text, encoding="utf-8")
    doc = _read(tmp_path / "brief.txt", tmp_path, Config())[0]
    assert isinstance(doc, Document) and doc.format == "html"
    assert [doc.text[b.start:b.end] for b in doc.blocks] == [article]


def test_a_plain_article_quoting_a_tag_stays_plain(tmp_path: Path) -> None:
    text = "网页里的换行写作<br>，段落写作<p>。" + "克拉玛依高新区企业通过科技创新结出了累累硕果。" * 3
    (tmp_path / "plain.txt").write_text(text, encoding="utf-8")
    doc = _read(tmp_path / "plain.txt", tmp_path, Config())[0]
    assert isinstance(doc, Document) and doc.format == "text"


def test_a_web_page_with_only_navigation_is_skipped_with_a_reason(tmp_path: Path) -> None:
    page = ("<html><head><title>人民网-首页</title></head><body><nav><ul><li><a href='/'>首页</a></li>"
            "<li><a href='/p'>时政</a></li><li><a href='/w'>国际</a></li></ul></nav><div class='links'>"
            "<a href='/a1'>全国政协举行新年茶话会</a><br><a href='/a2'>李鹏在北京考察企业</a></div>"
            "<footer>人民网版权所有，未经书面授权禁止使用 Copyright © 1998 people.com.cn. All rights reserved.</footer>"
            "</body></html>")
    (tmp_path / "nav.html").write_text(page, encoding="utf-8")
    article = page.replace("<div class='links'>", "<p>全国政协今天上午举行新年茶话会，江泽民等党和国家领导人出席。</p><div>")
    (tmp_path / "article.html").write_text(article, encoding="utf-8")
    # An article that says 备案 (a footer word) is still an article, page or text with a tag in it.
    story = "克拉玛依高新区新增科技型中小企业备案二十家。政企合作，共同营造优质的创新创业环境。"
    (tmp_path / "filed.html").write_text(f"<html><body><p>{story}</p></body></html>", encoding="utf-8")
    (tmp_path / "tagged.txt").write_text(f"前不久，<script>x=1</script>{story}\n\n{story}", encoding="utf-8")
    report = neardup.scan([tmp_path], neardup.Config(jobs=1))
    assert [(s.path, s.reason) for s in report.skipped] == [
        ("nav.html", "web page holds no article text (only navigation, links or site furniture)")]
    assert [d.path for d in report.documents] == ["article.html", "filed.html", "tagged.txt"]
