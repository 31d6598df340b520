"""The data that flows between stages. Every object here is immutable.

Offsets are always Python string offsets (end exclusive) into ``Document.text``: the file's text
as decoded, leading BOM removed, newlines untranslated; for a JSONL record, its ``text`` field.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "Block",
    "Cluster",
    "DiffSummary",
    "Document",
    "Edit",
    "Member",
    "NormalizedText",
    "Pair",
    "Passage",
    "Report",
    "Skipped",
    "SpanRef",
    "member_document",
]

COVER_BLOCK = 4  # matching characters per bit of Pair.a_cover / b_cover

BlockKind = Literal["title", "heading", "paragraph", "caption", "byline"]
DocFormat = Literal["text", "markdown", "html", "jsonl"]
OffsetArray = npt.NDArray[np.int64]


class _Record:
    """Pickled as its class and field values. Python 3.11 pickles a slots dataclass through a
    ``__getstate__``/``__setstate__`` pair that calls ``fields()`` for every object: a quarter of
    the time of pickling documents, which travel between processes and through the spill file."""

    __slots__: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return type(self), tuple(getattr(self, name) for name in type(self).__slots__)


@dataclass(frozen=True, slots=True)
class Edit(_Record):
    """A range inside a block whose raw characters stand for something else when read as text:
    markup to drop (``text == ""``) or an HTML character reference (``text == "&"`` for ``&amp;``)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Block(_Record):
    """A run of article content in ``Document.text``: a heading, a paragraph, or the whole body of a
    plain-text file before segmentation. ``level`` is the heading level where one is known
    (Markdown ``#`` count, ``<hN>``), else 0."""

    start: int
    end: int
    kind: BlockKind = "paragraph"
    level: int = 0
    edits: tuple[Edit, ...] = ()


@dataclass(frozen=True, slots=True)
class Document(_Record):
    """One text to match: a file, or one record of a JSONL file.

    ``blocks`` hold the content (markup, front matter and site furniture left out). When
    ``laid_out`` is true the blocks are already paragraphs (HTML); otherwise each block is a stretch
    of plain text that segmentation splits into lines and paragraphs itself.
    """

    path: str
    text: str
    format: DocFormat
    encoding: str
    blocks: tuple[Block, ...]
    decode_errors: Literal["strict", "replace"] = "strict"
    title: str | None = None
    date: str | None = None
    url: str | None = None
    laid_out: bool = False
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NormalizedText(_Record):
    """Matching text plus where each of its characters came from.

    Character ``i`` of ``text`` was produced by ``original[starts[i]:ends[i]]``; several normalised
    characters may share one origin (an expansion), and dropped originals have no character.
    """

    text: str
    starts: OffsetArray
    ends: OffsetArray

    def __len__(self) -> int:
        return len(self.text)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalised span ``[start, end)`` back to a span of the original text."""
        if not 0 <= start < end <= len(self.text):
            raise IndexError(f"span {start}-{end} is outside 0-{len(self.text)}")
        return int(self.starts[start]), int(self.ends[end - 1])


@dataclass(frozen=True, slots=True)
class Passage(_Record):
    """An article (or the one article of a web page) inside a document.

    ``continued`` marks a part of an article printed over two pages: ``"to"`` when it ends with
    ``（下转第四版）``, ``"from"`` when it opens with ``（上接第一版）``, ``"both"`` for a middle part.
    """

    doc: int
    path: str
    start: int
    end: int
    title: str | None = None
    continued: str | None = None


@dataclass(frozen=True, slots=True)
class SpanRef(_Record):
    path: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Pair(_Record):
    """Two passages whose alignment passed verification.

    ``similarity`` is the aligned share of both texts (2·aligned / (len a + len b));
    ``containment`` is the aligned share of the shorter one. ``a_aligned``/``b_aligned`` are the
    aligned regions, mapped back to the original texts. ``a_cover``/``b_cover`` say which stretches
    of each passage's matching text the aligned runs cover: bit k stands for characters
    ``COVER_BLOCK·k`` to ``COVER_BLOCK·(k+1)`` (0: not known). Two versions that align to one page
    whose columns OCR read as merged lines cover different bits of it, although their aligned
    regions interleave.
    """

    a: int
    b: int
    similarity: float
    containment: float
    a_aligned: tuple[int, int]
    b_aligned: tuple[int, int]
    a_cover: int = 0
    b_cover: int = 0


@dataclass(frozen=True, slots=True)
class DiffSummary(_Record):
    counts: dict[str, int]
    changed_share: float
    verdict: str
    differences: tuple[dict[str, Any], ...] | None = None


@dataclass(frozen=True, slots=True)
class Member(_Record):
    path: str
    start: int
    end: int
    title: str | None
    similarity: float
    containment: float
    passages: tuple[int, ...] = ()
    diff: DiffSummary | None = None


@dataclass(frozen=True, slots=True)
class Cluster(_Record):
    id: str
    canonical: SpanRef
    members: tuple[Member, ...]


@dataclass(frozen=True, slots=True)
class Skipped(_Record):
    path: str
    reason: str


def member_document(member: Member, documents: Sequence[Document], passages: Sequence[Passage]) -> Document | None:
    """The document a cluster member's span points into (None where ``documents`` lacks it)."""
    if member.passages:
        return documents[passages[member.passages[0]].doc]
    return next((d for d in documents if d.path == member.path), None)


@dataclass(frozen=True)
class Report:
    """What a scan found. ``to_dict``/``to_json`` give the documented output contract."""

    version: str
    config: dict[str, Any]
    documents: Sequence[Document]  # a scan's are read back from its spill file one at a time
    passages: tuple[Passage, ...]
    clusters: tuple[Cluster, ...]
    pairs: tuple[Pair, ...]
    skipped: tuple[Skipped, ...]
    stats: dict[str, Any]
    archive_matches: tuple[dict[str, Any], ...] | None = None

    def document_of(self, member: Member) -> Document | None:
        """The document a member of one of this report's clusters points into."""
        return member_document(member, self.documents, self.passages)

    def close(self) -> None:
        """Let go of the temporary file a local scan's documents are read back from (the report's
        documents cannot be read after this; its clusters, pairs and stats stay)."""
        close = getattr(self.documents, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Report:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # The output contract lives in neardup.report.json; these are its shortcuts.

    def to_dict(self) -> dict[str, Any]:
        from neardup.report.json import report_dict

        return report_dict(self)

    def iter_json(self, indent: int = 2) -> Iterator[str]:
        """``to_json(indent)`` in pieces, one list entry at a time."""
        from neardup.report.json import iter_json

        return iter_json(self, indent)

    def to_json(self, indent: int | None = 2) -> str:
        from neardup.report.json import report_dict

        if indent is None:
            return json.dumps(report_dict(self), ensure_ascii=False)
        return "".join(self.iter_json(indent))

    def iter_jsonl(self) -> Iterator[str]:
        """``to_jsonl()`` one line at a time."""
        from neardup.report.json import iter_jsonl

        return iter_jsonl(self)

    def to_jsonl(self) -> str:
        return "".join(self.iter_jsonl())
