"""The output contract: a :class:`~neardup.models.Report` as JSON or JSON lines, and the
``stats`` section every backend fills in the same way. ``check-report`` checks what these write.

Writers that need the entries one at a time (a new sink, a database loader) use
:func:`document_entries`, :func:`cluster_entries` and :func:`pair_entries`.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping
from dataclasses import asdict
from typing import Any

from neardup.models import Passage, Report, Skipped

__all__ = ["cluster_entries", "document_entries", "iter_json", "iter_jsonl", "pair_entries", "report_dict",
           "scan_stats"]


def document_entries(report: Report) -> Iterator[dict[str, Any]]:
    """One entry per document: where it came from, how it was read, its passages."""
    by_doc: dict[int, list[Passage]] = {}
    for p in report.passages:
        by_doc.setdefault(p.doc, []).append(p)
    for i, d in enumerate(report.documents):
        yield {
            "path": d.path,
            "encoding": d.encoding,
            "decode_errors": d.decode_errors,
            "format": d.format,
            "title": d.title,
            "date": d.date,
            "url": d.url,
            "chars": len(d.text),
            "notes": list(d.notes),
            "passages": [{"start": p.start, "end": p.end, "title": p.title} for p in by_doc.get(i, [])],
        }


def cluster_entries(report: Report) -> Iterator[dict[str, Any]]:
    """One entry per cluster: its canonical span and its members, with their scores and diffs."""
    for c in report.clusters:
        members = []
        for m in c.members:
            entry: dict[str, Any] = {
                "path": m.path,
                "start": m.start,
                "end": m.end,
                "title": m.title,
                "similarity": round(m.similarity, 4),
                "containment": round(m.containment, 4),
            }
            if m.diff is not None:
                entry["diff"] = {
                    "counts": m.diff.counts,
                    "changed_share": round(m.diff.changed_share, 4),
                    "verdict": m.diff.verdict,
                }
                if m.diff.differences is not None:
                    entry["diff"]["differences"] = list(m.diff.differences)
            members.append(entry)
        yield {"id": c.id, "canonical": asdict(c.canonical), "members": members}


def pair_entries(report: Report) -> Iterator[dict[str, Any]]:
    """One entry per verified pair: both passages' spans, scores and aligned spans."""

    def span(index: int) -> dict[str, Any]:
        p = report.passages[index]
        return {"path": p.path, "start": p.start, "end": p.end}

    for p in report.pairs:
        yield {
            "a": span(p.a),
            "b": span(p.b),
            "similarity": round(p.similarity, 4),
            "containment": round(p.containment, 4),
            "a_aligned": list(p.a_aligned),
            "b_aligned": list(p.b_aligned),
        }


def _sections(report: Report) -> Iterator[tuple[str, Any]]:
    """The report's top-level keys in order; list sections as iterators of their entries."""
    yield "neardup_version", report.version
    yield "config", report.config
    yield "documents", document_entries(report)
    yield "clusters", cluster_entries(report)
    yield "pairs", pair_entries(report)
    yield "skipped", (asdict(s) for s in report.skipped)
    yield "stats", report.stats
    if report.archive_matches is not None:
        yield "archive_matches", iter(report.archive_matches)


def report_dict(report: Report) -> dict[str, Any]:
    """The whole report as one dict (what ``--format json`` writes)."""
    return {key: list(value) if isinstance(value, Iterator) else value for key, value in _sections(report)}


def iter_json(report: Report, indent: int = 2) -> Iterator[str]:
    """The JSON report in pieces, one list entry at a time: writing a large report this way never
    holds all of it (nor its dict) in memory."""
    pad = " " * indent
    for k, (key, value) in enumerate(_sections(report)):
        yield ("{" if k == 0 else ",") + "\n" + pad + json.dumps(key) + ": "
        if not isinstance(value, Iterator):
            yield json.dumps(value, ensure_ascii=False, indent=indent).replace("\n", "\n" + pad)
            continue
        empty = True
        for entry in value:
            text = json.dumps(entry, ensure_ascii=False, indent=indent).replace("\n", "\n" + 2 * pad)
            yield ("[" if empty else ",") + "\n" + 2 * pad + text
            empty = False
        yield "[]" if empty else "\n" + pad + "]"
    yield "\n}"


def iter_jsonl(report: Report) -> Iterator[str]:
    """The JSON-lines report, one line at a time: clusters, archive matches, skipped, stats."""
    for cluster in cluster_entries(report):
        yield json.dumps({"type": "cluster", **cluster}, ensure_ascii=False) + "\n"
    for match in report.archive_matches or ():
        yield json.dumps({"type": "archive_match", **match}, ensure_ascii=False) + "\n"
    for skipped in report.skipped:
        yield json.dumps({"type": "skipped", **asdict(skipped)}, ensure_ascii=False) + "\n"
    yield json.dumps({"type": "stats", **report.stats}, ensure_ascii=False) + "\n"


def scan_stats(*, files_read: Collection[str], skipped: Collection[Skipped], documents: int, passages: int,
               bytes_read: int, candidate_pairs: int, distinct_candidate_pairs: int, prefiltered_pairs: int,
               verified_pairs: int, clusters: int, seconds: float, stage_seconds: Mapping[str, float],
               extra: Mapping[str, Any] | None = None, before_stages: Mapping[str, Any] | None = None,
               ) -> dict[str, Any]:
    """The ``stats`` section of a scan's report, whichever backend ran it. ``files_read``: the
    paths of the files read; ``skipped`` may name files that were never read (too large, not
    text) and records inside files (``path#id``). ``before_stages`` goes right before
    ``stage_seconds``, ``extra`` after it (a backend's own facts)."""
    return {
        "files": len(files_read) + len({s.path.split("#")[0] for s in skipped} - set(files_read)),
        "files_read": len(files_read),
        "documents": documents,
        "passages": passages,
        "skipped": len(skipped),
        "bytes": bytes_read,
        "candidate_pairs": int(candidate_pairs),  # band collisions, summed over bands
        "distinct_candidate_pairs": int(distinct_candidate_pairs),
        "prefiltered_pairs": prefiltered_pairs,
        "verified_pairs": verified_pairs,
        "clusters": clusters,
        "seconds": round(seconds, 3),
        **(before_stages or {}),
        "stage_seconds": {k: round(v, 3) for k, v in stage_seconds.items()},
        **(extra or {}),
    }
