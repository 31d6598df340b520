"""Unit tests for tokenise, sketch, index (banding), verify and cluster."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neardup.cluster import build_clusters, components
from neardup.config import Config
from neardup.errors import ConfigError
from neardup.lsh import band_keys, candidate_pairs
from neardup.minhash import signatures
from neardup.models import Pair, Passage
from neardup.normalize import normalize
from neardup.shingles import shingle_hashes, words
from neardup.verify import Alignment, Recoder, align, verify_pair

TEXT = "克拉玛依高新区深入实施创新驱动发展战略在全疆率先提出科技陪伴式服务理念为企业量身定制个性化方案"


def test_jieba_and_rjieba_cut_the_same_words() -> None:
    pytest.importorskip("rjieba")
    assert words(TEXT, "jieba") == words(TEXT, "rjieba")


@pytest.mark.parametrize("tokenizer", ["jieba", "char"])
def test_shingles_are_stable_and_order_sensitive(tokenizer: str) -> None:
    config = Config(tokenizer=tokenizer)  # type: ignore[arg-type]
    a = shingle_hashes(TEXT, config)
    assert a.dtype == np.uint32 and len(a) > 5
    assert (a == shingle_hashes(TEXT, config)).all()
    assert len(shingle_hashes("", config)) == 0
    assert set(a.tolist()) != set(shingle_hashes(TEXT[::-1], config).tolist())


# 100 permutations: the last block of rows hashed together is a partial one.
@pytest.mark.parametrize("num_perm", [64, 100])
def test_signatures_equal_datasketch_minhash(num_perm: int) -> None:
    from datasketch import MinHash

    rng = np.random.default_rng(7)
    # Many sets in one call: batches of several passages, and a set alone over the batch size.
    sizes = [1, 40, 0, 2000, 3, 0, 20000] + rng.integers(0, 300, size=60).tolist()
    sets = [rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32) for n in sizes]
    sets[5] = np.array([7, 7, 7, 7], dtype=np.uint32)  # repeats count once
    sig = signatures(sets, num_perm, 3)
    for values, row in zip(sets, sig):
        reference = MinHash(num_perm=num_perm, seed=3, hashfunc=int, scheme="affine32")
        reference.update_batch([int(v) for v in values])
        assert (reference.hashvalues == row).all()


@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (64, 3), (192, 12345)])
def test_permutations_equal_datasketch(num_perm: int, seed: int) -> None:
    from datasketch import MinHash

    from neardup.minhash import _permutations

    a, b = _permutations(num_perm, seed)
    reference = MinHash(num_perm=num_perm, seed=seed).permutations
    assert (reference[0] == a).all() and (reference[1] == b).all()


def test_similar_signatures_share_a_band_and_unrelated_do_not() -> None:
    config = Config()
    base = normalize(TEXT * 3).text
    texts = [base, base[:-6] + "新增内容", "今天天气晴朗适合外出游玩公园里人很多大家都很开心"]
    sig = signatures([shingle_hashes(t, config) for t in texts], config.num_perm, config.seed)
    keys = band_keys(sig, config.lsh_rows)
    assert keys.shape == (3, config.bands)
    assert candidate_pairs(keys, config.bucket_cap).tolist() == [[0, 1]]


def test_oversized_bucket_is_linked_linearly() -> None:
    keys = np.zeros((50, 2), dtype=np.uint64)
    pairs = candidate_pairs(keys, bucket_cap=10)
    assert len(pairs) < 2 * 50
    assert components([tuple(p) for p in pairs.tolist()]) == [list(range(50))]


def test_alignment_counts_only_real_runs() -> None:
    a = normalize("克拉玛依高新区科技陪伴式服务取得了亮眼成绩").text
    b = normalize("克拉玛依高新区科技陪伴式服务取得亮眼的成绩").text
    alignment = align(a, b, min_run=4)
    assert alignment.containment > 0.7
    unrelated = align(a, normalize("今天的天气很好我们去公园取得了很多成绩").text, min_run=4)
    assert unrelated.matched == 0


# Few letters, so that texts share characters and runs; Latin, digits and a character below 256
# are among them, as codes a recoder moves out of the way of frequent ones.
_letters = st.sampled_from(list("的是发展科技服务企业中国新区a1ÿé") + ["\U00020000"])
_texts = st.lists(_letters, max_size=300).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(_texts, min_size=1, max_size=4), _texts, _texts, st.integers(1, 6))
def test_recoded_texts_align_to_the_same_runs(sample: list[str], a: str, b: str, min_run: int) -> None:
    recode = Recoder(sample)
    recoded = recode(a)
    assert len(recoded) == len(a) and recode.table[[ord(c) for c in sample[0]]].max(initial=0) < 256
    assert sorted(np.unique(recode.table[: 1 << 18]).tolist()) == list(range(1 << 18))  # a permutation
    assert align(a, b, min_run, recode=recode) == align(a, b, min_run)
    # Near copies: one text edited a little, as the pairs verification sees.
    edited = b[: len(b) // 3] + a + b[len(b) // 2:]
    assert align(a, edited, min_run, recode=recode) == align(a, edited, min_run)


def _mirrored(alignment: Alignment) -> Alignment:
    return Alignment(alignment.len_b, alignment.len_a, tuple((j, i, n) for i, j, n in alignment.runs))


@settings(max_examples=300, deadline=None)
@given(_texts, _texts, st.integers(1, 6))
def test_alignment_does_not_depend_on_the_order_of_the_texts(a: str, b: str, min_run: int) -> None:
    assert align(b, a, min_run) == _mirrored(align(a, b, min_run))
    edited = b[: len(b) // 3] + a + b[len(b) // 2:]  # near copies, where several LCS paths abound
    assert align(edited, a, min_run) == _mirrored(align(a, edited, min_run))


def test_alignment_of_texts_too_long_to_align_whole_does_not_depend_on_their_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import neardup.verify as verify

    monkeypatch.setattr(verify, "_MAX_CELLS", 100)
    text = normalize(TEXT * 2).text
    for other in (text[5:], text[:-5], text[3:] + text[:3]):  # cropped, and equal lengths
        assert align(other, text, 4) == _mirrored(align(text, other, 4))


def test_recoding_leaves_pairs_too_long_to_align_whole_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    import neardup.verify as verify

    def fail(text: str) -> str:
        raise AssertionError("a text too long to align whole was recoded")

    monkeypatch.setattr(verify, "_MAX_CELLS", 100)
    text = normalize(TEXT * 2).text
    assert align(text, text[5:], 4, recode=fail) == align(text, text[5:], 4)


def test_contained_article_links_and_a_quoted_sentence_does_not() -> None:
    config = Config()
    article = normalize(TEXT * 2).text
    page = normalize("这是一篇完全不同的文章内容讲述农业生产" * 10 + TEXT * 2 + "另外一篇报道关于体育赛事" * 10)
    _, linked = verify_pair(normalize(TEXT * 2).text, page.text, config)
    assert linked
    brief = normalize(TEXT + "今年共有五十家企业获得认定较去年增长三成全区科技型企业数量创历史新高" * 2)
    quote = normalize("这是一篇完全不同的文章内容讲述农业生产" * 20 + TEXT[:20])
    _, linked = verify_pair(brief.text, quote.text, config)
    assert not linked
    assert article


def test_clusters_merge_neighbouring_sections_of_one_file() -> None:
    passages = [Passage(0, "page.txt", 0, 10, "A"), Passage(0, "page.txt", 10, 12, None),
                Passage(0, "page.txt", 12, 20, None), Passage(1, "post.txt", 0, 30, "A")]
    texts = ["甲乙丙丁戊己庚辛", "图", "壬癸子丑寅卯辰巳", "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳"]
    pairs = [Pair(0, 3, 0.6, 1.0, (0, 8), (0, 8)), Pair(2, 3, 0.6, 1.0, (12, 20), (8, 16))]
    clusters = build_clusters(passages, texts, pairs, Config())
    assert len(clusters) == 1
    members = {(m.path, m.start, m.end) for m in clusters[0].members}
    assert members == {("page.txt", 0, 20), ("post.txt", 0, 30)}


def test_cluster_scores_are_the_same_with_a_recoder() -> None:
    from neardup.cluster import draft_clusters, recoder_for, score_cluster

    passages = [Passage(0, "a.txt", 0, 40, None), Passage(1, "b.txt", 0, 40, None), Passage(2, "c.txt", 0, 40, None)]
    texts = [normalize(TEXT).text, normalize(TEXT.replace("企业", "公司")).text, normalize(TEXT[:-12]).text]
    pairs = [Pair(0, 1, 0.9, 0.9, (0, 10), (0, 10)), Pair(1, 2, 0.9, 0.9, (0, 10), (0, 10))]
    drafts = draft_clusters(passages, lambda pid: len(texts[pid]), pairs)
    recode = recoder_for(drafts, texts)
    assert max(recode.table[ord(c)] for c in texts[0]) < 256  # the recoder does move these texts' characters
    plain = score_cluster(1, drafts[0], passages, texts, Config())
    assert score_cluster(1, drafts[0], passages, texts, Config(), recode=recode) == plain
    assert plain.members[1].containment < 1.0  # members that differ, so the alignments have work to do


def test_cluster_members_take_the_scores_of_pairs_verified_either_way_round() -> None:
    from neardup.cluster import draft_clusters, score_cluster

    passages = [Passage(k, f"{name}.txt", 0, 40, None) for k, name in enumerate("abc")]
    texts = [normalize(TEXT).text, normalize(TEXT.replace("企业", "公司")).text, normalize(TEXT[:-12]).text]
    canonical = max(range(3), key=lambda pid: len(texts[pid]))
    members = [pid for pid in range(3) if pid != canonical]

    def verified(a: int, b: int) -> Pair:
        alignment = align(texts[a], texts[b], 4)
        return Pair(a, b, alignment.similarity, alignment.containment, (0, 1), (0, 1))

    # one pair found with the canonical passage first, the other with it second
    pairs = [verified(canonical, members[0]), verified(members[1], canonical)]
    drafts = draft_clusters(passages, lambda pid: len(texts[pid]), pairs)
    unaided = score_cluster(1, drafts[0], passages, texts, Config())
    aligned = {(p.a, p.b): p for p in pairs}
    assert score_cluster(1, drafts[0], passages, texts, Config(), aligned) == unaided
    # ...and the scores do come from the pairs, not from aligning again
    marked = {key: replace(p, similarity=0.125) for key, p in aligned.items()}
    scored = score_cluster(1, drafts[0], passages, texts, Config(), marked)
    assert [m.similarity for m in scored.members[1:]] == [0.125, 0.125]


def test_config_rejects_out_of_range_values_naming_the_setting() -> None:
    with pytest.raises(ConfigError, match=r"threshold must be a number in \[0, 1\], got 2") as caught:
        Config(threshold=2)
    assert caught.value.setting == "threshold" and "--" not in str(caught.value)
    with pytest.raises(ConfigError, match="tokenizer must be one of jieba, rjieba, char"):
        Config(tokenizer="bert")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="jobs must be an integer"):
        Config(jobs=True)
    with pytest.raises(ConfigError, match="explain must be true or false"):
        Config(explain=1)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="two LSH bands"):
        Config(num_perm=20, lsh_rows=16)
    with pytest.raises(ConfigError, match="unknown setting"):
        Config().replace(bogus=1)


def test_settings_are_grouped_and_the_index_fingerprint_is_the_sketch_group() -> None:
    from neardup.config import GROUPS, settings

    assert {s.group for s in settings()} == set(GROUPS)
    assert [s.name for s in settings()] == list(Config().to_dict())
    assert Config().matching_fingerprint() == {"tokenizer": "jieba", "shingle_size": 2, "char_ngram": 4,
                                               "num_perm": 128, "seed": 1, "lsh_rows": 2}
    # every sketch setting changes the fingerprint; no other setting does
    for s in settings():
        if s.choices:
            other = next(c for c in s.choices if c != s.default)
        elif s.kind is bool:
            other = not s.default
        else:
            other = s.kind(s.low if s.default != s.low else s.high)
        changed = Config().replace(**{s.name: other}).matching_fingerprint() != Config().matching_fingerprint()
        assert changed == (s.group == "sketch"), s.name


def test_sketch_counts_distinct_shingles() -> None:
    from neardup.minhash import signatures_and_sizes

    rng = np.random.default_rng(3)
    sets = [rng.integers(0, 50, size=n).astype(np.uint32) for n in (0, 1, 30, 5000, 7)]
    sig, sizes = signatures_and_sizes(sets, 32, 1)
    assert sizes.tolist() == [len(np.unique(s)) for s in sets]
    assert (sig == signatures(sets, 32, 1)).all()


def test_chunks_keep_file_order_and_balance_the_workers() -> None:
    from neardup.ingest import SourceFile
    from neardup.local.pipeline import _chunks

    files = [SourceFile(f"/x/{i}", f"{i}", size) for i, size in enumerate([10] * 300 + [5 << 20] + [10] * 5)]
    chunks = _chunks(files, 2)
    assert [f for chunk in chunks for f in chunk] == files
    assert all(len(c) <= 64 for c in chunks) and len(chunks) >= 16
    assert [files[300]] in chunks  # a big file travels alone


@pytest.mark.parametrize("stage", ["segment", "shingle_hashes_many"])
def test_a_document_that_breaks_a_stage_is_skipped_and_the_scan_goes_on(monkeypatch, tmp_path, stage: str) -> None:
    # Tokenising runs over a worker's whole chunk at once: a failure must still skip only the
    # document at fault.
    from neardup import scan, sketching

    story = "克拉玛依高新区深入实施创新驱动发展战略，在全疆率先提出科技陪伴式服务理念，为企业量身定制个性化方案。" * 4
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(story, encoding="utf-8")
    (tmp_path / "broken.txt").write_text("毒" + story, encoding="utf-8")
    real = getattr(sketching, stage)

    def broken(first, *rest):
        texts = [first.text] if stage == "segment" else first
        if any(text.startswith("毒") for text in texts):
            raise RuntimeError("boom")
        return real(first, *rest)

    monkeypatch.setattr(sketching, stage, broken)
    report = scan([tmp_path], Config(jobs=1))
    assert [(s.path, "boom" in s.reason) for s in report.skipped] == [("broken.txt", True)]
    assert [d.path for d in report.documents] == ["a.txt", "b.txt"]
    assert len(report.clusters) == 1 and {m.path for m in report.clusters[0].members} == {"a.txt", "b.txt"}


_PASSAGE_TEXT = st.lists(st.sampled_from(list("克拉玛依高新区科技服务企业abc123\0") + ["发展", "战略"]), max_size=40).map("".join)


def _hashes_of_one_passage(text: str, config: Config) -> list[int]:
    """The plain per-passage computation the batch must equal."""
    from neardup.shingles import _combine, _word_hashes

    if not text:
        return []
    if config.tokenizer == "char":
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        return _combine(codes, config.char_ngram).tolist()
    return _combine(_word_hashes(words(text.replace("\0", " "), config.tokenizer)), config.shingle_size).tolist()


@settings(max_examples=150, deadline=None)
@given(st.lists(_PASSAGE_TEXT, max_size=8), st.sampled_from(["char", "rjieba"]), st.integers(1, 5))
def test_batch_hashing_equals_hashing_each_passage(texts: list[str], tokenizer: str, n: int) -> None:
    from neardup.shingles import shingle_hashes_many

    config = Config(tokenizer=tokenizer, char_ngram=n, shingle_size=n)
    batch = shingle_hashes_many(texts, config)
    assert len(batch) == len(texts)
    for text, hashes in zip(texts, batch):
        assert hashes.dtype == np.uint32 and hashes.tolist() == _hashes_of_one_passage(text, config)


@pytest.mark.parametrize("k", [1, 2, 4])
def test_shingles_combine_alike_across_block_edges(k: int) -> None:
    """_combine works a block of units at a time; every shingle, those that straddle two blocks
    included, must equal the scheme computed one shingle at a time."""
    from neardup.shingles import _COMBINE_BLOCK, _M1, _M2, _combine

    mask = (1 << 64) - 1

    def one(values: list[int]) -> int:
        acc = values[0] * int(_M1) & mask
        acc ^= acc >> 29
        for value in values[1:]:
            acc = (acc ^ value) * int(_M1) & mask
            acc ^= acc >> 29
        acc = acc * int(_M2) & mask
        return (acc ^ (acc >> 32)) & 0xFFFFFFFF

    units = np.random.default_rng(k).integers(0, 2**63, size=2 * _COMBINE_BLOCK + 7, dtype=np.uint64)
    combined = _combine(units, k)
    assert len(combined) == len(units) - k + 1
    edges = [0, _COMBINE_BLOCK - k, _COMBINE_BLOCK - 1, _COMBINE_BLOCK, 2 * _COMBINE_BLOCK - 1, len(combined) - 1]
    for p in edges:
        assert int(combined[p]) == one(units[p:p + k].tolist()), p


class _Page:
    """A Layout over one plain page: parts are split wherever asked, stories told apart by the
    ``stories`` spans."""

    def __init__(self, stories: list[tuple[int, int]]) -> None:
        self.stories = stories

    def _story(self, span: tuple[int, int]) -> int:
        middle = (span[0] + span[1]) // 2
        return next(k for k, (s, e) in enumerate(self.stories) if s <= middle < e)

    def one_story(self, pid: int, first: tuple[int, int], second: tuple[int, int]) -> bool:
        return self._story(first) == self._story(second)

    def boundary(self, pid: int, end: int, start: int) -> bool:
        return True

    def bounds(self, pid: int, lo: int, hi: int, start: int, end: int) -> tuple[int, int]:
        story = self.stories[self._story((start, end))]
        return max(lo, story[0]), min(hi, story[1])


def _uncut_page() -> list[Passage]:
    # one page passage holding stories 0-300 and 300-600 (segmentation did not cut it), a repost
    # of each, and a copy of the whole page
    return [Passage(0, "page.txt", 0, 600, None), Passage(1, "a.txt", 0, 300, "A"),
            Passage(2, "b.txt", 0, 300, "B"), Passage(3, "copy.txt", 0, 600, None)]


def test_reposts_aligned_to_disjoint_parts_of_one_passage_are_not_linked_through_it() -> None:
    from neardup.cluster import draft_clusters

    passages = _uncut_page()
    pairs = [Pair(0, 1, 0.6, 1.0, (5, 290), (0, 290)), Pair(0, 2, 0.6, 1.0, (310, 598), (0, 290)),
             Pair(0, 3, 1.0, 1.0, (0, 600), (0, 600))]
    drafts = draft_clusters(passages, lambda pid: passages[pid].end, pairs, _Page([(0, 300), (300, 600)]))
    assert sorted(sorted(zip(d.members, d.spans)) for d in drafts) == [
        [((0,), (0, 300)), ((1,), (0, 300))], [((0,), (300, 600)), ((2,), (0, 300))]]
    # without the documents' layout, passages are never split: one cluster, as before
    assert len(draft_clusters(passages, lambda pid: passages[pid].end, pairs)) == 1


def test_interleaved_alignments_covering_different_text_are_different_parts() -> None:
    from neardup.cluster import draft_clusters

    # OCR read two columns as merged lines: both reposts align across the whole page, each with
    # every other stretch of 16 characters
    passages = _uncut_page()[:3]
    even = sum(1 << k for k in range(0, 150) if k // 4 % 2 == 0)
    odd = sum(1 << k for k in range(0, 150) if k // 4 % 2 == 1)
    pairs = [Pair(0, 1, 0.5, 0.9, (0, 590), (0, 300), even, 0), Pair(0, 2, 0.5, 0.9, (10, 600), (0, 300), odd, 0)]
    layout = _Page([(0, 600)])
    assert len(draft_clusters(passages, lambda pid: passages[pid].end, pairs, layout)) == 2
    same = [replace(pairs[1], a_cover=even)]
    assert len(draft_clusters(passages, lambda pid: passages[pid].end, pairs[:1] + same, layout)) == 1


def test_sections_of_one_article_in_several_copies_are_one_cluster() -> None:
    from neardup.cluster import draft_clusters

    # three copies of one article, each cut into three sections: each section only matches itself
    passages = [Passage(copy, f"{copy}.txt", 100 * k, 100 * k + 90, None) for copy in range(3) for k in range(3)]
    pairs = [Pair(3 * x + k, 3 * y + k, 1.0, 1.0, (100 * k, 100 * k + 90), (100 * k, 100 * k + 90))
             for k in range(3) for x, y in [(0, 1), (1, 2)]]
    drafts = draft_clusters(passages, lambda pid: 90, pairs)
    assert len(drafts) == 1
    assert sorted(drafts[0].spans) == [(0, 290)] * 3
    # a section found in one more file is not joined to its neighbours (the two others still are)
    extra = passages + [Passage(3, "3.txt", 0, 90, None)]
    more = pairs + [Pair(0, 9, 1.0, 1.0, (0, 90), (0, 90))]
    assert sorted(len(d.members[0]) for d in draft_clusters(extra, lambda pid: 90, more)) == [1, 2]


def test_a_member_takes_in_free_neighbours_that_align_with_its_story() -> None:
    headline, body, other = "克拉玛依高新区科技陪伴式服务", TEXT * 2, "株洲启动行业协会商会收费专项检查严查违规收费"
    passages = [Passage(0, "page.txt", 0, 20, None), Passage(0, "page.txt", 21, 120, None),
                Passage(0, "page.txt", 121, 150, None), Passage(1, "post.txt", 0, 130, "A")]
    texts = [headline, body, other, headline + body]
    pairs = [Pair(1, 3, 0.8, 1.0, (21, 120), (14, 130))]
    [cluster] = build_clusters(passages, texts, pairs, Config())
    page = next(m for m in cluster.members if m.path == "page.txt")
    # the headline passage (too short to match alone) joins; the next story's does not
    assert (page.start, page.end, page.passages) == (0, 120, (0, 1))


def test_a_column_fragment_read_into_another_story_stretches_neither_member() -> None:
    from neardup.cluster import draft_clusters, score_cluster

    # OCR read a column out of order: a fragment of story B lies inside story A on the page; A's
    # second half and B's headline matched nothing on their own
    story_a = "新疆克拉玛依高新区深入实施创新驱动发展战略，在全疆率先提出科技陪伴式服务理念，为企业量身定制方案。"
    story_b = "株洲市启动行业协会商会收费专项检查，严查违规收费行为，切实减轻企业负担，优化营商环境。"
    a1, b_fragment, a2, b_head, b_body = story_a * 6, story_b * 3, story_a * 5, "株洲严查违规收费", story_b * 8
    spans, at = [], 0
    for text in (a1, b_fragment, a2, b_head, b_body):
        spans.append((at, at + len(text)))
        at += len(text) + 1
    passages = [Passage(0, "page.txt", s, e, None) for s, e in spans] + [
        Passage(1, "a.txt", 0, len(story_a) * 11, "A"), Passage(2, "b.txt", 0, len(story_b) * 11, "B")]
    texts = [a1, b_fragment, a2, b_head, b_body, story_a * 11, b_head + story_b * 11]
    middle = 8 + 4 * len(story_b)  # the fragment's text comes from the middle of story B
    pairs = [Pair(0, 5, 0.5, 1.0, spans[0], (0, len(a1))), Pair(1, 6, 0.3, 1.0, spans[1], (middle, middle + len(b_fragment))),
             Pair(4, 6, 0.7, 1.0, spans[4], (8, 8 + len(b_body)))]
    layout = _Page([(0, spans[1][0]), spans[1], (spans[2][0], spans[3][0]), (spans[3][0], at)])
    drafts = draft_clusters(passages, lambda pid: len(texts[pid]), pairs, layout)
    members = {}
    for number, draft in enumerate(drafts, 1):
        cluster = score_cluster(number, draft, passages, texts, Config())
        story = next(m.path for m in cluster.members if m.path != "page.txt")
        members[story] = next((m.start, m.end) for m in cluster.members if m.path == "page.txt")
    # B's member runs from its headline, not from the fragment; A's passes over the fragment
    assert members == {"b.txt": (spans[3][0], spans[4][1]), "a.txt": (spans[0][0], spans[2][1])}
    # a stretch that comes first in story B too is B's beginning, not a fragment read out of order
    pairs[1] = replace(pairs[1], b_aligned=(0, len(b_fragment)))
    drafts = draft_clusters(passages, lambda pid: len(texts[pid]), pairs, layout)
    assert (spans[1][0], spans[4][1]) in {span for d in drafts for span in d.spans}
