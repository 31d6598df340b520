"""Verified pairs → clusters of passages, one canonical member each.

Passages linked by verified pairs form a cluster (union-find, so the order of pairs does not
matter). Neighbouring passages of one file in the same cluster are merged into one member: they are
sections of one article that segmentation cut apart (passages between them that matched nothing
else are taken in too, e.g. a photo caption).

Canonical member: the member with the most matching text (the most complete version); ties go
to the earlier path, then the earlier offset. Every other member is scored against it.
Clusters are numbered in the order of their first member (path, start), so ids and member order
are the same for the same input and config.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice, pairwise
from typing import NamedTuple, Protocol

from neardup.config import Config
from neardup.models import Cluster, Document, Member, Pair, Passage, SpanRef
from neardup.normalize import normalized_text
from neardup.segment import Page
from neardup.verify import Recoder, align

__all__ = ["ClusterDraft", "Layout", "PassageDocuments", "SpanText", "build_clusters", "components", "draft_clusters",
           "recoder_for", "score_cluster"]


@dataclass(frozen=True, slots=True)
class ClusterDraft:
    """A cluster before scoring: members as tuples of passage ids, canonical first, and each
    member's span in its document (a member may be a part of a passage: see :func:`draft_clusters`)."""

    members: tuple[tuple[int, ...], ...]
    spans: tuple[tuple[int, int], ...]
    # Per member: the passages before and after it (nearest first) that no cluster holds, which
    # may be pieces of the same article too small or too damaged to have matched on their own.
    free: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] = ()

    def whole(self, k: int, passages: Sequence[Passage]) -> bool:
        """Whether member ``k`` spans its passages whole (its matching text is theirs, joined)."""
        pids, span = self.members[k], self.spans[k]
        return span == (passages[pids[0]].start, passages[pids[-1]].end)


class TextLookup(Protocol):
    """Matching text of a passage by id (a list, or a view that reads them on demand)."""

    def __getitem__(self, pid: int, /) -> str: ...


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while self.parent.get(x, x) != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def components(pairs: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Connected components (of two or more ids) of the graph ``pairs``, each sorted, by first id."""
    uf = _UnionFind()
    for a, b in pairs:
        uf.union(a, b)
    groups: dict[int, list[int]] = defaultdict(list)
    for node in {x for pair in pairs for x in pair}:
        groups[uf.find(node)].append(node)
    out = [sorted(set(g)) for g in groups.values()]
    return sorted((g for g in out if len(g) >= 2), key=lambda g: g[0])


class _Node(NamedTuple):
    """What one side of a verified pair links: a whole passage, or (when other versions align to
    disjoint parts of it) one of those parts, as a span of its document."""

    pid: int
    start: int
    end: int
    whole: bool
    partners: tuple[tuple[int, int, int], ...] = ()  # (passage, start, end) it aligned with, each pair


# Aligned spans on one passage belong to one part when they overlap by this share of the shorter.
_SAME_PART = 0.5
# A part of a passage spans at least this many characters (the shortest 简讯 brief is 150).
_MIN_PART = 150
# A passage with more aligned spans than this is one node (grouping them costs their square).
_MAX_SPANS = 256


class Layout(Protocol):
    """What the cluster stage may ask of the documents behind the passages (see
    :class:`PassageDocuments`)."""

    def one_story(self, pid: int, first: tuple[int, int], second: tuple[int, int]) -> bool:
        """Whether two stretches of passage ``pid``'s document read as one story (always, inside
        a web page; see :meth:`neardup.segment.Page.same_story`)."""
        ...

    def boundary(self, pid: int, end: int, start: int) -> bool:
        """Whether the page shows an article boundary between offsets ``end`` and ``start`` (a
        headline, a dateline, furniture; never inside a web page)."""
        ...

    def bounds(self, pid: int, lo: int, hi: int, start: int, end: int) -> tuple[int, int]:
        """The span ``[start, end)`` widened to the article boundaries the page shows, within
        ``[lo, hi)``."""
        ...


# A stretch of a passage outside the one part that aligned is left out of the member when it is
# at least this long and reads as another story.
_OTHER_STORY = 200
# Nodes of a cluster that hold fewer characters than this, apart from the rest of its member, are
# a fragment (see _story_of_run).
_FRAGMENT = 2 * _MIN_PART


class _Part:
    """Aligned spans on one passage that mark one story: where they lie in the document, and
    which blocks of the passage's matching text their runs cover (0: not known)."""

    __slots__ = ("cover", "end", "sides", "start")

    def __init__(self, start: int, end: int, cover: int, side: int) -> None:
        self.start, self.end, self.cover, self.sides = start, end, cover, [side]

    def take(self, other: _Part) -> None:
        self.start, self.end = min(self.start, other.start), max(self.end, other.end)
        self.cover |= other.cover
        self.sides.extend(other.sides)

    def shared(self, other: _Part) -> float:
        """How much of the smaller of the two the other one covers too (0..1)."""
        if self.cover and other.cover:
            both = (self.cover & other.cover).bit_count()
            return both / min(self.cover.bit_count(), other.cover.bit_count())
        return _overlap(self.start, self.end, other.start, other.end)

    def covers_most_of(self, other: _Part) -> bool:
        """Whether this one covers at least half of ``other``."""
        if self.cover and other.cover:
            return (self.cover & other.cover).bit_count() >= _SAME_PART * other.cover.bit_count()
        inside = min(self.end, other.end) - max(self.start, other.start)
        return other.end > other.start and inside >= _SAME_PART * (other.end - other.start)


def _parts(pairs: Sequence[Pair], passages: Sequence[Passage], layout: Layout | None
           ) -> tuple[list[_Node], list[tuple[int, int]]]:
    """The nodes of the cluster graph, and the links between them (one per pair, or none).

    A passage is one node unless the versions linked to it align to disjoint parts of it with an
    article boundary between them: a page that segmentation did not cut holds several stories,
    and the reposts of two of them must not be linked through it. Each part is then a node of its
    own, its span widened to the article boundaries the page shows (never into a neighbouring
    part). A pair that aligns with two or more parts at once (a copy of the whole page) links
    nothing: through it, every story of the page would join every other. Without ``layout``
    passages are never split.
    """
    sides: dict[int, list[_Part]] = defaultdict(list)
    for k, pair in enumerate(pairs):
        sides[pair.a].append(_Part(*pair.a_aligned, pair.a_cover, 2 * k))
        sides[pair.b].append(_Part(*pair.b_aligned, pair.b_cover, 2 * k + 1))

    def partner(side: int) -> int:
        pair = pairs[side // 2]
        return pair.b if side % 2 == 0 else pair.a

    node_of_side: dict[int, int] = {}
    nodes: list[_Node] = []
    for pid in sorted(sides):
        p = passages[pid]
        if layout is None or len(sides[pid]) > _MAX_SPANS:
            groups = [_Part(p.start, p.end, 0, -1)]
            groups[0].sides = [part.sides[0] for part in sides[pid]]
        else:
            groups = sides[pid] if len(sides[pid]) == 1 else _span_groups(pid, sides[pid], partner, passages, layout)
        for g, group in enumerate(groups):
            if len(groups) == 1:
                start, end, whole = p.start, p.end, True
                if layout is not None and len(sides[pid]) <= _MAX_SPANS:
                    start, end, whole = _trimmed(pid, p, group, layout)
            else:
                assert layout is not None
                lo = max(p.start, min(group.start, groups[g - 1].end if g else p.start))
                hi = min(p.end, max(group.end, groups[g + 1].start if g + 1 < len(groups) else p.end))
                (start, end), whole = layout.bounds(pid, lo, hi, group.start, group.end), False
            node_of_side.update((side, len(nodes)) for side in group.sides)
            nodes.append(_Node(pid, start, end, whole, tuple(
                (partner(side), *(pairs[side // 2].b_aligned if side % 2 == 0 else pairs[side // 2].a_aligned))
                for side in group.sides)))
    links = [(node_of_side[2 * k], node_of_side[2 * k + 1]) for k in range(len(pairs))
             if 2 * k in node_of_side and 2 * k + 1 in node_of_side]
    return nodes, links


def _trimmed(pid: int, p: Passage, part: _Part, layout: Layout) -> tuple[int, int, bool]:
    """The one part of passage ``p`` that aligned, with the passage's stretches before and after
    it that read as the same story (a page left uncut holds other stories there): its span and
    whether that is the whole passage."""
    left = part.start - p.start >= _OTHER_STORY and not layout.one_story(
        pid, (p.start, part.start), (part.start, part.end))
    right = p.end - part.end >= _OTHER_STORY and not layout.one_story(pid, (part.end, p.end), (part.start, part.end))
    if not (left or right):
        return p.start, p.end, True
    start, end = layout.bounds(pid, p.start, p.end, part.start, part.end)
    return (start if left else p.start), (end if right else p.end), False


def _span_groups(pid: int, spans: list[_Part], partner: Callable[[int], int],
                 passages: Sequence[Passage], layout: Layout) -> list[_Part]:
    """Aligned spans on passage ``pid`` grouped into parts, in reading order.

    Shorter spans first, so that parts form before the spans that cover several of them. Then
    neighbouring parts are one part unless the page shows an article boundary between them, or
    when they aligned with neighbouring passages of one file (that copy was cut in two, at a
    subhead, a caption or a column break, where this one was not). Parts whose spans interleave
    but whose runs cover different text stay apart: columns that OCR read as merged lines. Last,
    a span that covered several parts joins the part it now lies in, if there is one.
    ``partner``: the passage on the other side of a side id.
    """
    groups: list[_Part] = []
    covering: list[_Part] = []
    for span in sorted(spans, key=lambda s: (s.end - s.start, s.start)):
        hits = [g for g in groups if g.shared(span) >= _SAME_PART]
        if sum(1 for g in hits if span.covers_most_of(g)) >= 2:
            covering.append(span)
        elif hits:
            max(hits, key=lambda g: g.shared(span)).take(span)
        else:
            groups.append(span)
    groups.sort(key=lambda g: (g.start, g.end))
    joined = groups[:1]
    for group in groups[1:]:
        last = joined[-1]
        before = {partner(side) for side in last.sides}
        after = {partner(side) for side in group.sides}
        cut_there = any(q - 1 in before and passages[q - 1].doc == passages[q].doc for q in after)
        if cut_there or (not layout.boundary(pid, last.end, group.start) and layout.one_story(
                pid, (last.start, last.end), (group.start, group.end))):
            last.take(group)
        else:
            joined.append(group)
    while len(joined) > 1 and min(g.end - g.start for g in joined) < _MIN_PART:
        # a stretch this short tells no story apart (an OCR fragment of a column): the nearer part takes it
        k = min(range(len(joined)), key=lambda i: joined[i].end - joined[i].start)
        into = k - 1 if k == len(joined) - 1 or (k > 0 and (
            joined[k].start - joined[k - 1].end <= joined[k + 1].start - joined[k].end)) else k + 1
        joined[into].take(joined.pop(k))
    for span in covering:
        inside = [g for g in joined if g.covers_most_of(span)]
        if len(inside) == 1:
            inside[0].take(span)
    return joined


def _continuation_links(groups: list[list[int]], nodes: Sequence[_Node], passages: Sequence[Passage],
                        order: Sequence[int]) -> list[tuple[int, int]]:
    """Join the clusters of the two parts of an article printed over two pages.

    Part 1 (ending ``（下转…）``) and part 2 (opening ``（上接…）``) each match a different stretch of
    the full version, which then holds two nodes (or was itself cut in two at the same place),
    one in each part's cluster. Two such clusters are joined when some file holds neighbouring
    nodes, one in each (neither of them a part itself), the first cluster holds a part continued
    "to" and the second one a part continued "from". ``order``: all nodes in reading order.
    """
    group_of = {n: k for k, g in enumerate(groups) for n in g}
    clustered = [n for n in order if n in group_of]
    links: list[tuple[int, int]] = []
    for x, y in pairwise(clustered):
        px, py = passages[nodes[x].pid], passages[nodes[y].pid]
        if group_of[x] == group_of[y] or px.doc != py.doc:
            continue
        if px.continued or py.continued:
            continue
        first, second = groups[group_of[x]], groups[group_of[y]]
        if any(passages[nodes[q].pid].continued in ("to", "both") for q in first) and any(
            passages[nodes[q].pid].continued in ("from", "both") for q in second
        ):
            links.append((x, y))
    return links


def _overlap(a0: int, a1: int, b0: int, b1: int) -> float:
    """Overlap of two spans as a share of the shorter; an empty span (a pair whose aligned spans
    are not known) overlaps everything."""
    shorter = min(a1 - a0, b1 - b0)
    return 1.0 if shorter <= 0 else max(0, min(a1, b1) - max(a0, b0)) / shorter


def _section_links(groups: list[list[int]], nodes: Sequence[_Node], passages: Sequence[Passage],
                   order: Sequence[int]) -> list[tuple[int, int]]:
    """Join the clusters of consecutive sections of one article.

    A page segmented at its subheads gives one passage per section, and each section links only
    to the same section of the other versions: one cluster per section. Two neighbouring nodes of
    one file whose clusters hold exactly the same other files are sections of one article printed
    the same way in all of them, and their clusters are joined. ``order``: all nodes in reading order.
    """
    group_of = {n: k for k, g in enumerate(groups) for n in g}
    files = [frozenset(passages[nodes[n].pid].doc for n in g) for g in groups]
    clustered = [n for n in order if n in group_of]
    links: list[tuple[int, int]] = []
    for x, y in pairwise(clustered):
        if passages[nodes[x].pid].doc != passages[nodes[y].pid].doc:
            continue
        gx, gy = group_of[x], group_of[y]
        if gx != gy and len(files[gx]) > 1 and files[gx] == files[gy]:
            links.append((x, y))
    return links


def _reading_order(nodes: Sequence[_Node], passages: Sequence[Passage]) -> list[int]:
    """All nodes, file by file (in passage order), each file's in reading order."""
    return sorted(range(len(nodes)), key=lambda n: (passages[nodes[n].pid].doc, nodes[n].start, nodes[n].end))


def _story_of_run(run: list[int], nodes: Sequence[_Node], layout: Layout) -> list[int]:
    """A run of one cluster's nodes in one file, less the fragments that OCR read out of order.

    A fragment is a first or last stretch of the run shorter than ``_FRAGMENT``, with text that
    matched nothing (at least ``_OTHER_STORY`` characters) and an article boundary between it and
    the rest, whose text comes in another version after the start of what the rest matched there
    (a first stretch) or before its end (a last one). A column read out of order puts a fragment
    of one story inside another, and the member must not run from it across the story it
    interrupts; a last paragraph that matched on its own, after one that did not, stays."""
    pieces = [[run[0]]]
    for prev, n in pairwise(run):
        a, b = nodes[prev], nodes[n]
        if b.start - a.end >= _OTHER_STORY and layout.boundary(b.pid, a.end, b.start):
            pieces.append([n])
        else:
            pieces[-1].append(n)
    if len(pieces) == 1:
        return run

    def reach(piece: list[int]) -> dict[int, tuple[int, int]]:
        spans: dict[int, tuple[int, int]] = {}
        for n in piece:
            for q, start, end in nodes[n].partners:
                lo, hi = spans.get(q, (start, end))
                spans[q] = min(lo, start), max(hi, end)
        return spans

    def out_of_order(k: int) -> bool:
        if sum(nodes[n].end - nodes[n].start for n in pieces[k]) >= _FRAGMENT:
            return False
        mine = reach(pieces[k])
        rest = reach([n for i, piece in enumerate(pieces) if i != k for n in piece])
        # first on the page but not in the other version, or last on the page but not there
        return any(q in rest and (start > rest[q][0] if k == 0 else end < rest[q][1])
                   for q, (start, end) in mine.items())

    dropped = {k for k in (0, len(pieces) - 1) if out_of_order(k)}
    return [n for k, piece in enumerate(pieces) if k not in dropped for n in piece] if len(dropped) < len(pieces) else run


def _merge_neighbours(group: list[int], nodes: Sequence[_Node], passages: Sequence[Passage],
                      place: Mapping[int, int], parts: Mapping[int, int], layout: Layout | None = None,
                      ) -> list[tuple[tuple[int, ...], int, int]]:
    """The members of one cluster: runs of its nodes in one file with no node of another cluster
    between them (passages between them that matched nothing else are taken in too, e.g. a photo
    caption; see :func:`_story_of_run` for where they are not). Each member as (its passages,
    start, end). ``parts``: nodes per passage."""
    by_doc: dict[int, list[int]] = defaultdict(list)
    for n in group:
        by_doc[passages[nodes[n].pid].doc].append(n)
    members: list[tuple[tuple[int, ...], int, int]] = []
    for ns in by_doc.values():
        ns.sort(key=place.__getitem__)
        runs: list[list[int]] = [[ns[0]]]
        for n in ns[1:]:
            if place[n] == place[runs[-1][-1]] + 1:
                runs[-1].append(n)
            else:
                runs.append([n])
        if layout is not None:
            runs = [_story_of_run(run, nodes, layout) for run in runs]
        for run in runs:
            first, last = nodes[run[0]], nodes[run[-1]]
            pids = tuple(range(first.pid, last.pid + 1))
            in_run = None if all(nodes[n].whole for n in run) else Counter(nodes[n].pid for n in run)
            if in_run is None or all(parts[nodes[n].pid] == in_run[nodes[n].pid] and (
                    in_run[nodes[n].pid] > 1 or nodes[n].whole) for n in run):
                # every part of its passages (not one part trimmed to its story): the passages themselves
                members.append((pids, passages[first.pid].start, passages[last.pid].end))
            else:
                members.append((pids, first.start, last.end))
    return members


# Free passages offered to a member on each side, and what makes one join it (see score_cluster).
_FREE_NEIGHBOURS = 3
_FREE_SHARE = 0.3
_FREE_MIN = 6
# A free passage that does not join is passed over when the next one does (a fragment of another
# column that OCR read into the story).
_FREE_GAP = 1


def _offer_free_neighbours(drafts: list[ClusterDraft], passages: Sequence[Passage]) -> list[ClusterDraft]:
    """Each whole member with the free passages around it in its file: up to three on each
    side; a run of free passages between two members is shared out, the nearer half to each."""
    owner = {pid for draft in drafts for pids in draft.members for pid in range(pids[0], pids[-1] + 1)}

    def doc_of(pid: int) -> int | None:
        try:  # a sparse view holds only the passages of some documents
            return passages[pid].doc if pid >= 0 else None
        except (IndexError, KeyError):
            return None

    def walk(pid: int, step: int) -> tuple[int, ...]:
        doc = passages[pid].doc
        run: list[int] = []
        nxt = pid + step
        while len(run) < 2 * _FREE_NEIGHBOURS and nxt not in owner and doc_of(nxt) == doc:
            run.append(nxt)
            nxt += step
        if nxt in owner and doc_of(nxt) == doc:  # another member beyond: the nearer half (the middle
            run = run[:(len(run) + (step > 0)) // 2]  # one to the member before it)
        return tuple(run[:_FREE_NEIGHBOURS])

    out = []
    for draft in drafts:
        free = tuple((walk(pids[0], -1), walk(pids[-1], 1)) if draft.whole(k, passages) else ((), ())
                     for k, pids in enumerate(draft.members))
        out.append(ClusterDraft(draft.members, draft.spans, free))
    return out


def draft_clusters(
    passages: Sequence[Passage], length_of: Callable[[int], int], pairs: Sequence[Pair],
    layout: Layout | None = None,
) -> list[ClusterDraft]:
    """Group verified pairs into clusters: members merged, canonical first, in numbering order.
    ``length_of``: the length of a passage's matching text, by passage id. ``layout``: the
    documents' article boundaries, to split passages that hold several stories (see :func:`_parts`)."""
    nodes, links = _parts(pairs, passages, layout)
    order = _reading_order(nodes, passages)
    links += _continuation_links(components(links), nodes, passages, order)
    groups = components(links + _section_links(components(links), nodes, passages, order))
    clustered = {n for g in groups for n in g}
    place = {n: k for k, n in enumerate(n for n in order if n in clustered)}
    parts = Counter(node.pid for node in nodes)
    drafts: list[ClusterDraft] = []
    for group in groups:
        members = _merge_neighbours(group, nodes, passages, place, parts, layout)
        if len(members) < 2:
            continue

        def weight(m: tuple[tuple[int, ...], int, int]) -> tuple[float, str, int]:
            pids, start, end = m
            full = sum(map(length_of, pids))
            span = passages[pids[-1]].end - passages[pids[0]].start
            return (-(full * (end - start) / span if span > 0 else full), passages[pids[0]].path, start)

        members.sort(key=weight)
        canonical, rest = members[0], sorted(members[1:], key=lambda m: (passages[m[0][0]].path, m[1]))
        ordered = (canonical, *rest)
        drafts.append(ClusterDraft(tuple(m[0] for m in ordered), tuple((m[1], m[2]) for m in ordered)))
    drafts = _offer_free_neighbours(drafts, passages)
    drafts.sort(key=lambda d: min((passages[m[0]].path, span[0]) for m, span in zip(d.members, d.spans)))
    return drafts


SpanText = Callable[[int, int, int], str]
"""``span_text(pid, start, end)``: the matching text of ``[start, end)`` in passage ``pid``'s document."""


class PassageDocuments:
    """The :class:`Layout` of the documents the passages were cut from, and :data:`SpanText`.
    The cluster stage asks about one passage at a time, so the last document's lines are kept."""

    def __init__(self, documents: Sequence[Document], passages: Sequence[Passage]) -> None:
        self.documents = documents
        self.passages = passages
        self._page: tuple[int, Page] | None = None

    def _page_of(self, pid: int) -> Page:
        doc = self.passages[pid].doc
        if self._page is None or self._page[0] != doc:
            self._page = doc, Page(self.documents[doc])
        return self._page[1]

    def one_story(self, pid: int, first: tuple[int, int], second: tuple[int, int]) -> bool:
        return self._page_of(pid).same_story(first, second)

    def boundary(self, pid: int, end: int, start: int) -> bool:
        return self._page_of(pid).article_break(end, start)

    def bounds(self, pid: int, lo: int, hi: int, start: int, end: int) -> tuple[int, int]:
        return self._page_of(pid).article_bounds(lo, hi, start, end)

    def span_text(self, pid: int, start: int, end: int) -> str:
        doc = self._page_of(pid).doc
        return normalized_text(doc.text, doc.blocks, start, end)


def score_cluster(number: int, draft: ClusterDraft, passages: Sequence[Passage], texts: TextLookup,
                  config: Config, aligned: Mapping[tuple[int, int], Pair] | None = None,
                  recode: Callable[[str], str] | None = None, span_text: SpanText | None = None) -> Cluster:
    """Cluster ``number`` (from 1) of :func:`draft_clusters`, every member scored against the canonical one.

    ``aligned``: verified pairs by (a, b). A one-passage member whose pair with a one-passage
    canonical member was verified (either way round: :func:`~neardup.verify.align` does not depend
    on the order of its texts) takes the pair's scores: verification ran the very same alignment.
    ``recode``: a :class:`~neardup.verify.Recoder`, for faster (identical) alignments.
    ``span_text``: the matching text of a member that is a part of a passage (without it, such a
    member is scored by its whole passage).

    First each member takes in the free passages around it (``ClusterDraft.free``, nearest first)
    whose text aligns with the canonical member (the canonical one: with the next member) for at
    least 30% of it: a headline, byline or paragraph of the same article that OCR damaged or
    segmentation cut too small to match on its own.
    """
    if any(before or after for before, after in draft.free):
        draft = _with_free_neighbours(draft, passages, texts, config, recode)

    def text_of(k: int) -> str:
        pids, (start, end) = draft.members[k], draft.spans[k]
        if span_text is not None and not draft.whole(k, passages):
            return span_text(pids[0], start, end)
        return "".join(texts[p] for p in pids)

    canonical = draft.members[0]
    canonical_text: str | None = None
    scored: list[Member] = []
    for k, member in enumerate(draft.members):
        start, end = draft.spans[k]
        whole = draft.whole(k, passages)
        known = None
        if aligned and len(member) == len(canonical) == 1 and whole and draft.whole(0, passages):
            known = aligned.get((member[0], canonical[0])) or aligned.get((canonical[0], member[0]))
        if k == 0:
            similarity = containment = 1.0
        elif known is not None:
            similarity, containment = known.similarity, known.containment
        else:
            if canonical_text is None:
                canonical_text = text_of(0)
            alignment = align(text_of(k), canonical_text, config.min_run, recode=recode)
            similarity, containment = alignment.similarity, alignment.containment
        title = next((passages[p].title for p in member if passages[p].title), None) \
            if start == passages[member[0]].start else None
        scored.append(Member(passages[member[0]].path, start, end, title, similarity, containment, member))
    head = scored[0]
    return Cluster(f"c{number:04d}", SpanRef(head.path, head.start, head.end), tuple(scored))


def _with_free_neighbours(draft: ClusterDraft, passages: Sequence[Passage], texts: TextLookup, config: Config,
                          recode: Callable[[str], str] | None) -> ClusterDraft:
    members = list(draft.members)
    spans = list(draft.spans)
    references: dict[int, str] = {}  # the canonical member's text (for the canonical: the next one's)
    for k, (before, after) in enumerate(draft.free):
        if not (before or after):
            continue
        other = 1 if k == 0 else 0
        if other not in references:
            references[other] = "".join(texts[p] for p in draft.members[other])
        reference = references[other]
        first, last = members[k][0], members[k][-1]
        for side, candidates in ((-1, before), (1, after)):
            missed = 0
            for pid in candidates:
                text = texts[pid]
                matched = align(text, reference, config.min_run, recode=recode).matched if text else 0
                if matched < max(_FREE_MIN, _FREE_SHARE * len(text)):
                    missed += 1
                    if missed > _FREE_GAP:
                        break
                    continue
                missed = 0
                first, last = (pid, last) if side < 0 else (first, pid)
        members[k] = tuple(range(first, last + 1))
        spans[k] = (passages[first].start, passages[last].end)
    return ClusterDraft(tuple(members), tuple(spans))


def build_clusters(
    passages: Sequence[Passage],
    texts: TextLookup,
    pairs: Sequence[Pair],
    config: Config,
    documents: Sequence[Document] | None = None,
) -> list[Cluster]:
    """Group verified pairs into clusters with scored members. Without ``documents``, a part of a
    passage (see :func:`draft_clusters`) keeps the span that aligned and is scored by its passage."""
    known = PassageDocuments(documents, passages) if documents is not None else None
    drafts = draft_clusters(passages, lambda pid: len(texts[pid]), pairs, known)
    recode = recoder_for(drafts, texts)
    return [score_cluster(number, draft, passages, texts, config, recode=recode,
                          span_text=known.span_text if known else None)
            for number, draft in enumerate(drafts, 1)]


def recoder_for(drafts: Sequence[ClusterDraft], texts: TextLookup) -> Recoder:
    """A :class:`~neardup.verify.Recoder` learned from the first members' texts of ``drafts``."""
    sample = (texts[pid] for draft in drafts for member in draft.members for pid in member)
    return Recoder(islice(sample, Recoder.SAMPLE))
