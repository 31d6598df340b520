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

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from itertools import islice
from typing import Protocol
from dataclasses import dataclass

from .config import Config
from .models import Cluster, Member, Pair, Passage, SpanRef
from .verify import Recoder, align

__all__ = ["ClusterDraft", "build_clusters", "components", "draft_clusters", "recoder_for", "score_cluster"]


@dataclass(frozen=True, slots=True)
class ClusterDraft:
    """A cluster before scoring: members as tuples of passage ids, canonical first."""

    members: tuple[tuple[int, ...], ...]


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


def _continuation_links(groups: list[list[int]], passages: Sequence[Passage]) -> list[tuple[int, int]]:
    """Join the clusters of the two parts of an article printed over two pages.

    Part 1 (ending ``（下转…）``) and part 2 (opening ``（上接…）``) each match a different stretch of
    the full version; when that version was itself cut in two at the same place, its halves land in
    the parts' two clusters. Two such clusters are joined when some file holds neighbouring passages,
    one in each (neither of them a part itself), the first cluster holds a part continued "to" and
    the second one a part continued "from".
    """
    group_of = {pid: k for k, g in enumerate(groups) for pid in g}
    links: list[tuple[int, int]] = []
    for pid in sorted(group_of):
        nxt = pid + 1
        if nxt not in group_of or group_of[nxt] == group_of[pid] or passages[nxt].doc != passages[pid].doc:
            continue
        if passages[pid].continued or passages[nxt].continued:
            continue
        first, second = groups[group_of[pid]], groups[group_of[nxt]]
        if any(passages[q].continued in ("to", "both") for q in first) and any(
            passages[q].continued in ("from", "both") for q in second
        ):
            links.append((pid, nxt))
    return links


def _merge_neighbours(group: list[int], passages: Sequence[Passage], clustered: set[int]) -> list[tuple[int, ...]]:
    by_doc: dict[int, list[int]] = defaultdict(list)
    for pid in group:
        by_doc[passages[pid].doc].append(pid)
    members: list[tuple[int, ...]] = []
    for pids in by_doc.values():
        pids.sort()
        run = [pids[0]]
        for pid in pids[1:]:
            between = range(run[-1] + 1, pid)
            if all(q not in clustered for q in between):
                run.extend(list(between) + [pid])
            else:
                members.append(tuple(run))
                run = [pid]
        members.append(tuple(run))
    return members


def draft_clusters(
    passages: Sequence[Passage], length_of: Callable[[int], int], pairs: Sequence[Pair]
) -> list[ClusterDraft]:
    """Group verified pairs into clusters: members merged, canonical first, in numbering order.
    ``length_of``: the length of a passage's matching text, by passage id."""
    links = [(p.a, p.b) for p in pairs]
    groups = components(links + _continuation_links(components(links), passages))
    clustered = {pid for g in groups for pid in g}
    drafts: list[ClusterDraft] = []
    for group in groups:
        members = _merge_neighbours(group, passages, clustered)
        if len(members) < 2:
            continue
        def weight(m: tuple[int, ...]) -> tuple[int, str, int]:
            return (-sum(map(length_of, m)), passages[m[0]].path, passages[m[0]].start)
        members.sort(key=weight)
        canonical, rest = members[0], sorted(members[1:], key=lambda m: (passages[m[0]].path, passages[m[0]].start))
        drafts.append(ClusterDraft((canonical, *rest)))
    drafts.sort(key=lambda d: min((passages[m[0]].path, passages[m[0]].start) for m in d.members))
    return drafts


def score_cluster(number: int, draft: ClusterDraft, passages: Sequence[Passage], texts: TextLookup,
                  config: Config, aligned: Mapping[tuple[int, int], Pair] | None = None,
                  recode: Callable[[str], str] | None = None) -> Cluster:
    """Cluster ``number`` (from 1) of :func:`draft_clusters`, every member scored against the canonical one.

    ``aligned``: verified pairs by (a, b). A one-passage member whose pair with a one-passage
    canonical member was verified (either way round: :func:`~neardup.verify.align` does not depend
    on the order of its texts) takes the pair's scores: verification ran the very same alignment.
    ``recode``: a :class:`~neardup.verify.Recoder`, for faster (identical) alignments.
    """
    canonical = draft.members[0]
    canonical_text: str | None = None
    scored: list[Member] = []
    for k, member in enumerate(draft.members):
        first, last = passages[member[0]], passages[member[-1]]
        known = None
        if aligned and len(member) == len(canonical) == 1:
            known = aligned.get((member[0], canonical[0])) or aligned.get((canonical[0], member[0]))
        if k == 0:
            similarity = containment = 1.0
        elif known is not None:
            similarity, containment = known.similarity, known.containment
        else:
            if canonical_text is None:
                canonical_text = "".join(texts[p] for p in canonical)
            alignment = align("".join(texts[p] for p in member), canonical_text, config.min_run, recode=recode)
            similarity, containment = alignment.similarity, alignment.containment
        title = next((passages[p].title for p in member if passages[p].title), None)
        scored.append(Member(first.path, first.start, last.end, title, similarity, containment, member))
    head = scored[0]
    return Cluster(f"c{number:04d}", SpanRef(head.path, head.start, head.end), tuple(scored))


def build_clusters(
    passages: Sequence[Passage],
    texts: TextLookup,
    pairs: Sequence[Pair],
    config: Config,
) -> list[Cluster]:
    """Group verified pairs into clusters with scored members."""
    drafts = draft_clusters(passages, lambda pid: len(texts[pid]), pairs)
    recode = recoder_for(drafts, texts)
    return [score_cluster(number, draft, passages, texts, config, recode=recode)
            for number, draft in enumerate(drafts, 1)]


def recoder_for(drafts: Sequence[ClusterDraft], texts: TextLookup) -> Recoder:
    """A :class:`~neardup.verify.Recoder` learned from the first members' texts of ``drafts``."""
    sample = (texts[pid] for draft in drafts for member in draft.members for pid in member)
    return Recoder(islice(sample, Recoder.SAMPLE))
