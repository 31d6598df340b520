"""Score a neardup report against the labels written by ``benchmarks/corpus.py``.

Usage::

    python benchmarks/evaluate.py REPORT.json LABELS.json      # prints JSON metrics

or ``evaluate(report_dict, labels_dict) -> metrics``. The labels format is documented in
``corpus.py``; the report is ``neardup scan --format json`` (``Report.to_dict()``).

Metrics
    Matching: each cluster member is matched to the labelled article of the same path that it
    overlaps most. A member overlapping none (or on a path the labels do not know) stands for an
    article of its own, which can only make false pairs.

    Pairwise: predicted pairs are all pairs of distinct articles within one cluster (a pair found
    by several clusters counts once); true pairs are all pairs of labelled articles with the same
    story id. ``precision``, ``recall`` and ``f1`` overall and per case, where a pair counts for a
    case when either side's document is of that case. When there is nothing to predict or nothing
    was predicted the empty ratio is taken as 1.0, so a case without true pairs (``unique``,
    ``near_miss``) has f1 1.0 with no false pair and 0.0 with any; its ``clean_share`` (share of
    its articles in no false pair) grades such cases more finely.

    Span IoU: for each member matched to an article of a document holding two or more labelled
    articles (a page), the intersection-over-union of the two spans: ``count``, ``mean``, ``min``
    and ``share_ge_95`` overall and per case.

    ``junk_skipped``: share of junk files listed in ``skipped``. ``false_clusters``: clusters whose
    matched members belong to more than one story. ``unmatched_members``: members matched to no
    labelled article.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

__all__ = ["evaluate", "iou"]


@dataclass(frozen=True)
class _Article:
    path: str
    start: int
    end: int
    story: str | None
    case: str
    on_page: bool


def iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Intersection over union of two half-open spans."""
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


class _Paths:
    """Maps report paths onto label paths. The report may name files relative to another root
    (absolute paths, ``./``, Windows separators); a path is then matched by its longest suffix
    that the labels know."""

    def __init__(self, known: Iterable[str]) -> None:
        self.known = set(known)
        self.cache: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        if path in self.known:
            return path
        if path not in self.cache:
            p = path.replace("\\", "/")
            found = p
            while True:
                if p in self.known:
                    found = p
                    break
                cut = p.find("/")
                if cut < 0:
                    break
                p = p[cut + 1:]
            self.cache[path] = found
        return self.cache[path]


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _span_stats(values: Sequence[float]) -> dict[str, Any]:
    if not values:
        return {"count": 0, "mean": None, "min": None, "share_ge_95": None}
    return {
        "count": len(values),
        "mean": round(sum(values) / len(values), 4),
        "min": round(min(values), 4),
        "share_ge_95": round(sum(v >= 0.95 for v in values) / len(values), 4),
    }


def evaluate(report: dict[str, Any], labels: dict[str, Any]) -> dict[str, Any]:
    docs: dict[str, Any] = labels["documents"]
    articles: list[_Article] = []
    by_path: dict[str, list[int]] = defaultdict(list)
    for path, doc in docs.items():
        on_page = len(doc["articles"]) >= 2
        for a in doc["articles"]:
            by_path[path].append(len(articles))
            articles.append(_Article(path, a["start"], a["end"], a["story"], doc["case"], on_page))
    n_labelled = len(articles)

    # True pairs: every pair of articles telling the same story.
    by_story: dict[str, list[int]] = defaultdict(list)
    for i, a in enumerate(articles):
        by_story[a.story or f"#{i}"].append(i)
    true_pairs = {pair for ids in by_story.values() for pair in combinations(sorted(ids), 2)}

    # Predicted pairs, span IoU and cluster purity.
    norm = _Paths(docs)
    predicted: set[tuple[int, int]] = set()
    ious: dict[str, list[float]] = defaultdict(list)
    false_clusters = unmatched = members_total = 0
    clusters = report.get("clusters", [])
    for cluster in clusters:
        nodes: set[int] = set()
        stories: set[str] = set()
        for m in cluster.get("members", []):
            members_total += 1
            path = norm(m["path"])
            span = (int(m["start"]), int(m["end"]))
            best, best_overlap = -1, 0
            for i in by_path.get(path, ()):
                a = articles[i]
                overlap = min(span[1], a.end) - max(span[0], a.start)
                if overlap > best_overlap:
                    best, best_overlap = i, overlap
            if best < 0:
                unmatched += 1
                doc = docs.get(path)
                articles.append(_Article(path, span[0], span[1], None,
                                         doc["case"] if doc else "unlabelled", False))
                best = len(articles) - 1
            else:
                a = articles[best]
                if a.on_page:
                    ious[a.case].append(iou(span, (a.start, a.end)))
                stories.add(a.story or "")
            nodes.add(best)
        if len(stories) > 1:
            false_clusters += 1
        predicted.update(combinations(sorted(nodes), 2))

    tp = predicted & true_pairs
    fp = predicted - true_pairs
    fn = true_pairs - predicted

    cases = sorted({d["case"] for d in docs.values()} | {a.case for a in articles})
    count: dict[str, dict[str, int]] = {c: {"tp": 0, "fp": 0, "fn": 0} for c in cases}
    for name, pairs in (("tp", tp), ("fp", fp), ("fn", fn)):
        for x, y in pairs:
            for c in {articles[x].case, articles[y].case}:
                count[c][name] += 1
    in_false_pair = {i for pair in fp for i in pair if i < n_labelled}
    per_case: dict[str, Any] = {}
    for c in cases:
        k = count[c]
        p = _ratio(k["tp"], k["tp"] + k["fp"])
        r = _ratio(k["tp"], k["tp"] + k["fn"])
        members = [i for i in range(n_labelled) if articles[i].case == c]
        dirty = sum(1 for i in members if i in in_false_pair)
        per_case[c] = {
            "precision": round(p, 4), "recall": round(r, 4), "f1": round(_f1(p, r), 4),
            "tp": k["tp"], "fp": k["fp"], "fn": k["fn"],
            "true_pairs": k["tp"] + k["fn"],
            "articles": len(members),
            "false_pair_articles": dirty,
            "clean_share": round(_ratio(len(members) - dirty, len(members)), 4),
            "span_iou": _span_stats(ious.get(c, [])),
        }

    p = _ratio(len(tp), len(predicted))
    r = _ratio(len(tp), len(true_pairs))
    junk = [path for path, d in docs.items() if d.get("junk")]
    skipped = {norm(s["path"]) for s in report.get("skipped", [])}
    return {
        "overall": {
            "precision": round(p, 4), "recall": round(r, 4), "f1": round(_f1(p, r), 4),
            "tp": len(tp), "fp": len(fp), "fn": len(fn),
            "predicted_pairs": len(predicted), "true_pairs": len(true_pairs),
        },
        "per_case": per_case,
        "span_iou": _span_stats([v for vs in ious.values() for v in vs]),
        "junk_skipped": round(sum(1 for j in junk if j in skipped) / len(junk), 4) if junk else None,
        "junk_files": len(junk),
        "junk_not_skipped": sorted(j for j in junk if j not in skipped)[:20],
        "clusters": len(clusters),
        "members": members_total,
        "false_clusters": false_clusters,
        "unmatched_members": unmatched,
        "documents": len(docs),
        "articles": n_labelled,
        "stories": len({a.story for a in articles[:n_labelled]}),
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Score a neardup JSON report against corpus labels.")
    ap.add_argument("report", type=Path)
    ap.add_argument("labels", type=Path)
    args = ap.parse_args(argv)
    report = json.loads(args.report.read_text(encoding="utf-8"))
    labels = json.loads(args.labels.read_text(encoding="utf-8"))
    print(json.dumps(evaluate(report, labels), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
