"""The explain stage over a scan's clusters: each member's differences from its canonical member,
on forked workers (any backend's driver calls it once the clusters stand)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

from neardup.config import Config
from neardup.diff.classify import summarize_cluster
from neardup.local.workers import forked_map, work_ranges
from neardup.models import Cluster, Document, Passage, member_document
from neardup.verify import RecoderPerProcess

__all__ = ["explain_clusters"]

# Below this many clusters, starting a pool of forked workers costs more than it saves.
_PARALLEL_EXPLAIN_MIN = 64
_EXPLAIN_SAMPLE = 64  # canonical members: whole articles, enough to rank the common characters


class _ExplainInputs(NamedTuple):
    clusters: Sequence[Cluster]
    documents: Sequence[Document]
    passages: Sequence[Passage]
    config: Config
    recoder: RecoderPerProcess


def _explain_range(inputs: _ExplainInputs, bounds: tuple[int, int]) -> list[Cluster]:
    clusters, documents, passages, config, recoder = inputs
    mine = clusters[bounds[0]:bounds[1]]
    canonical = (member_document(c.members[0], documents, passages) for c in mine)
    sample = (doc.text[c.members[0].start:c.members[0].end] for c, doc in zip(mine, canonical) if doc is not None)
    recode = lru_cache(maxsize=64)(recoder(islice(sample, _EXPLAIN_SAMPLE)))  # canonical texts recur
    return [summarize_cluster(c, documents, passages, config, recode=recode) for c in mine]


def explain_clusters(
    clusters: list[Cluster], documents: Sequence[Document], passages: Sequence[Passage], config: Config
) -> list[Cluster]:
    """Every cluster with its members' differences from the canonical member, on all workers."""
    workers = config.workers if len(clusters) >= _PARALLEL_EXPLAIN_MIN else 1
    shared = _ExplainInputs(clusters, documents, passages, config, RecoderPerProcess())
    parts = forked_map(_explain_range, shared, work_ranges(len(clusters), workers), workers)
    return [cluster for part in parts for cluster in part]
