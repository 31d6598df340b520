"""Aligned pair → classified character-level differences.

Two texts are folded for diffing (``normalize`` in ``diff`` mode: NFKC width folding, traditional →
simplified, Latin lower-cased, punctuation kept, whitespace and markup dropped) and aligned with
rapidfuzz (``Indel.opcodes``, the longest common subsequence; very long texts are first cut at
anchors, see ``sides.equal_blocks``). Aligned characters whose originals still differ, the
stretches between them and everything the fold dropped are then compared in the *original*
texts, so the differences cover both texts completely: replacing each difference's ``a_text`` by
its ``b_text`` turns A into B, and every offset slices the original text exactly.

Kinds, in the order a difference is tested:

    width        only full/half-width (NFKC) variants: ``，`` vs ``,``, ``ＡＢ`` vs ``AB``
    layout       only spacing, line breaks, markup or page furniture between equal characters
    script       traditional vs simplified: ``傳`` vs ``传``
    punctuation  punctuation swapped, added or dropped, letters unchanged: ``、`` vs ``,``
    ocr          look-alike characters (``data/ocr_confusions.txt``): ``组`` vs ``纽``
    number       digits, numerals and their units: ``119家`` vs ``119家次``
    wording      everything else

Layout also covers text added or dropped on one side that is only a heading, an editor or source
line (``（责任编辑：…）``) or a bullet; script also covers phrase-level conversions (``了解`` vs
``瞭解``). Letter case (``WTO`` vs ``wto``) counts as wording. Width, layout and script are
*cosmetic*: the default views leave them out, so they never drown the edits a reader cares about.

Grouping into readable changes: a stretch that is equal on both sides but no longer than the
wording edits around it joins them (diff-match-patch's semantic cleanup), so ``已停滞`` vs
``已经滞后`` is one change, not two; a number change takes in the rest of its number and unit
(``119家`` vs ``119家次``); a paragraph inserted or dropped whole is cut at paragraph starts, so a
headline and a photo caption are two changes. The verdict says when one version lacks a large
part (15 % or more) of the other's start or end, and judges the rest apart from it.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal

import numpy as np

from neardup.config import Config
from neardup.diff.sides import (
    Confusions,
    DiffText,
    confusions,
    equal_blocks,
    is_furniture,
    is_number_change,
    is_script_variant,
    nfkc,
    number_head,
    number_tail,
    same_without_marks,
)
from neardup.errors import InputError
from neardup.ingest import discover, read_file
from neardup.models import Block, Cluster, DiffSummary, Document, Member, Passage, Report, member_document

__all__ = [
    "COSMETIC_KINDS",
    "KINDS",
    "SUBSTANTIVE_KINDS",
    "Difference",
    "Explanation",
    "Source",
    "diff_files",
    "explain",
    "explain_member",
    "explain_sources",
    "load_source",
    "summarize_cluster",
]

Kind = Literal["wording", "number", "ocr", "punctuation", "script", "width", "layout"]
Op = Literal["insert", "delete", "replace"]
KINDS: tuple[Kind, ...] = ("wording", "number", "ocr", "punctuation", "script", "width", "layout")
SUBSTANTIVE_KINDS: frozenset[str] = frozenset({"wording", "number", "ocr", "punctuation"})
COSMETIC_KINDS: frozenset[str] = frozenset({"script", "width", "layout"})


@dataclass(frozen=True, slots=True)
class Difference:
    """One change: ``a_text == a[a_start:a_end]`` becomes ``b_text == b[b_start:b_end]``."""

    kind: Kind
    op: Op
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    a_text: str
    b_text: str

    def to_dict(self) -> dict[str, Any]:
        # What dataclasses.asdict gives, spelled out: asdict's generic walk (field lookups, deep
        # copies) took a fifth of the explain stage of a scan with --explain.
        return {"kind": self.kind, "op": self.op, "a_start": self.a_start, "a_end": self.a_end,
                "b_start": self.b_start, "b_end": self.b_end, "a_text": self.a_text, "b_text": self.b_text}


@dataclass(frozen=True)
class Explanation:
    """Every difference between two texts (in order), with a summary.

    ``changed_share`` is the share of content characters (letters, digits, punctuation; not
    whitespace or markup) of both texts that lie in substantive differences. ``a_span``/``b_span``
    are the compared ranges of the original texts.
    """

    differences: tuple[Difference, ...]
    counts: dict[str, int]
    changed_share: float
    verdict: str
    a_span: tuple[int, int]
    b_span: tuple[int, int]

    def of_kinds(self, kinds: Iterable[str]) -> tuple[Difference, ...]:
        wanted = set(kinds)
        return tuple(d for d in self.differences if d.kind in wanted)

    def substantive(self) -> tuple[Difference, ...]:
        """The default view: wording, number, OCR and punctuation changes (no layout/width/script)."""
        return self.of_kinds(SUBSTANTIVE_KINDS)

    def summary(self, *, full: bool = False) -> DiffSummary:
        """What a scan report attaches to a cluster member (the full list only when ``full``)."""
        listed = tuple(d.to_dict() for d in self.differences) if full else None
        return DiffSummary(dict(self.counts), self.changed_share, self.verdict, listed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "a_span": list(self.a_span),
            "b_span": list(self.b_span),
            "counts": dict(self.counts),
            "changed_share": round(self.changed_share, 4),
            "verdict": self.verdict,
            "differences": [d.to_dict() for d in self.differences],
        }


# ---------------------------------------------------------------------------------------------
# Alignment → pieces that cover both texts


@dataclass(slots=True)
class _Piece:
    a0: int
    a1: int
    b0: int
    b1: int
    kind: str = ""  # "" while unclassified; "same" for raw-identical stretches


# Kinds whose touching pieces read as one: see _join_touching.
_JOINED_KINDS = frozenset({"width", "script", "layout", "number", "case"})
_NUMBER = frozenset({"number"})


@lru_cache(maxsize=65536)
def _unit_change(ta: str, tb: str) -> str:
    """The kind of an aligned unit whose originals ``ta`` and ``tb`` differ though they fold alike
    (what _classify decides for such a piece): width, letter case or script. Remembered per pair,
    as a traditional copy has thousands of them, mostly the same few hundred pairs."""
    fa, fb = nfkc(ta), nfkc(tb)
    if fa == fb:
        return "width"
    return "case" if fa.lower() == fb.lower() else "script"


def _common_prefix(x: Iterable[str], y: Iterable[str]) -> int:
    """How many characters ``x`` and ``y`` start with in common (os.path.commonprefix, without
    its sorting and copies: the strings may be long, the prefix seldom is)."""
    n = 0
    for cx, cy in zip(x, y):
        if cx != cy:
            break
        n += 1
    return n


class _Aligner:
    """Walks the alignment and cuts both texts into pieces: raw-identical stretches and differences."""

    def __init__(self, a: DiffText, b: DiffText, recode: Callable[[str], str] | None = None) -> None:
        self.a, self.b = a, b
        self.recode = recode
        self.pieces: list[_Piece] = []

    def run(self) -> list[_Piece]:
        a, b = self.a, self.b
        ta, tb = a.tokens, b.tokens
        ca, cb = a.lo, b.lo
        for i, j, n in equal_blocks(ta, tb, self.recode):
            self._region(ca, a.us[i], cb, b.us[j])
            self._equal_run(i, j, n)
            ca, cb = a.ue[i + n - 1], b.ue[j + n - 1]
        self._region(ca, a.hi, cb, b.hi)
        return self.pieces

    def _add(self, a0: int, a1: int, b0: int, b1: int, kind: str) -> None:
        if a0 == a1 and b0 == b1:
            return
        if not kind and nfkc(self.a.text[a0:a1]) == nfkc(self.b.text[b0:b1]):
            # Most differences are width (，/,), _classify's first test: decided here, without its
            # call per piece (OCR pages have thousands), so _classify never sees a width piece.
            kind = "width"
        pieces = self.pieces
        if pieces and pieces[-1].kind == kind and (kind == "same" or kind in _JOINED_KINDS):
            # Joined now as _join_touching would join them later: a traditional copy then makes a
            # piece per run of changed characters, not one per character.
            last = pieces[-1]
            last.a1, last.b1 = a1, b1
        else:
            pieces.append(_Piece(a0, a1, b0, b1, kind))

    def _equal_run(self, i: int, j: int, n: int) -> None:
        """Units ``i..i+n`` of A fold like ``j..j+n`` of B; find where their originals still differ.
        Characters are compared as code points all at once, the few gaps between them as strings."""
        a, b = self.a, self.b
        a0, a1, b0, b1 = a.us[i], a.ue[i + n - 1], b.us[j], b.ue[j + n - 1]
        if a.text[a0:a1] == b.text[b0:b1]:
            self._add(a0, a1, b0, b1, "same")
            return
        sa, ea, sb, eb = a.starts[i:i + n], a.ends[i:i + n], b.starts[j:j + n], b.ends[j:j + n]
        single = (ea - sa == 1) & (eb - sb == 1)
        unit_same = single & (a.codes[sa - a.lo] == b.codes[sb - b.lo])
        for k in np.flatnonzero(~single).tolist():
            unit_same[k] = a.text[sa[k]:ea[k]] == b.text[sb[k]:eb[k]]
        gap_same = (sa[1:] == ea[:-1]) & (sb[1:] == eb[:-1])
        for k in np.flatnonzero(~gap_same).tolist():
            gap_same[k] = a.text[ea[k]:sa[k + 1]] == b.text[eb[k]:sb[k + 1]]
        gap_same = np.append(gap_same, True)
        at = np.flatnonzero(~unit_same | ~gap_same)  # units that differ or are followed by a gap that does
        # Each side's units hold only themselves (the usual case): a differing unit's kind follows
        # from its two characters alone, and a differing gap holds no content.
        by_characters = a.units_apart and b.units_apart
        add, text_a, text_b = self._add, a.text, b.text
        ca, cb = a0, b0
        for k, xa, ya, xb, yb, unit_differs, gap_differs in zip(
                at.tolist(), a.starts[at + i].tolist(), a.ends[at + i].tolist(), b.starts[at + j].tolist(),
                b.ends[at + j].tolist(), (~unit_same[at]).tolist(), (~gap_same[at]).tolist()):
            if unit_differs:
                add(ca, xa, cb, xb, "same")
                add(xa, ya, xb, yb, _unit_change(text_a[xa:ya], text_b[xb:yb]) if by_characters else "")
                ca, cb = ya, yb
            if gap_differs:
                add(ca, ya, cb, yb, "same")
                next_a, next_b = a.us[i + k + 1], b.us[j + k + 1]
                self._region(ya, next_a, yb, next_b, between_units=by_characters)
                ca, cb = next_a, next_b
        self._add(ca, a1, cb, b1, "same")

    def _region(self, a0: int, a1: int, b0: int, b1: int, *, between_units: bool = False) -> None:
        """Original stretches between aligned units: equal edges split off, the rest one difference.
        ``between_units``: the stretches lie between two adjacent units on each side, no unit inside."""
        a, b = self.a, self.b
        ta, tb = a.text[a0:a1], b.text[b0:b1]
        if ta == tb:
            self._add(a0, a1, b0, b1, "same")
            return
        p = _common_prefix(ta, tb)
        while p and (a.inside_unit(a0 + p) or b.inside_unit(b0 + p)):
            p -= 1
        limit = min(len(ta), len(tb)) - p
        s = _common_prefix(reversed(ta), reversed(tb))
        s = min(s, limit)
        while s and (a.inside_unit(a1 - s) or b.inside_unit(b1 - s)):
            s -= 1
        self._add(a0, a0 + p, b0, b0 + p, "same")
        if between_units:
            # Neither side has content here, so the difference is layout (spacing, line breaks,
            # markup) unless it is only width: what _classify would say of each paragraph of it,
            # and touching layout pieces join anyway. (One-sided text is never width: NFKC never
            # folds text to nothing.)
            x0, x1, y0, y1 = a0 + p, a1 - s, b0 + p, b1 - s
            self._add(x0, x1, y0, y1, "width" if nfkc(a.text[x0:x1]) == nfkc(b.text[y0:y1]) else "layout")
        else:
            self._split_paragraphs(a0 + p, a1 - s, b0 + p, b1 - s)
        self._add(a1 - s, a1, b1 - s, b1, "same")

    def _split_paragraphs(self, a0: int, a1: int, b0: int, b1: int) -> None:
        """A whole insertion or deletion becomes one difference per paragraph it spans."""
        if a0 != a1 and b0 != b1:
            self._add(a0, a1, b0, b1, "")
            return
        side, lo, hi = (self.a, a0, a1) if b0 == b1 else (self.b, b0, b1)
        cuts = [lo, *side.paragraph_starts(lo, hi), hi]
        for x, y in itertools.pairwise(cuts):
            if side is self.a:
                self._add(x, y, b0, b1, "")
            else:
                self._add(a0, a1, x, y, "")


# ---------------------------------------------------------------------------------------------
# Classification and grouping


def _classify(piece: _Piece, a: DiffText, b: DiffText, confusions: Confusions) -> str:
    # Width ("nfkc of both sides is equal") was decided by the aligner (_Aligner._add).
    na, nb = a.content(piece.a0, piece.a1), b.content(piece.b0, piece.b1)
    if na == nb:
        va, vb = nfkc(a.visible(piece.a0, piece.a1)), nfkc(b.visible(piece.b0, piece.b1))
        if va == vb:
            return "layout"  # the characters agree; only what lies between them differs
        return "case" if va.lower() == vb.lower() else "script"
    if not na or not nb:  # one side only: a heading, an editor line or a bullet is layout
        side, lo, hi, content = (a, piece.a0, piece.a1, na) if na else (b, piece.b0, piece.b1, nb)
        if side.all_heading(lo, hi) or is_furniture(content):
            return "layout"
    elif is_script_variant(a.window(piece.a0, piece.a1), b.window(piece.b0, piece.b1)):
        return "script"
    if same_without_marks(na, nb):
        return "punctuation"
    if confusions.confusable(na, nb):
        return "ocr"
    around = (a.before(piece.a0), a.after(piece.a1), b.before(piece.b0), b.after(piece.b1))
    return "number" if is_number_change(na, nb, around) else "wording"


def _widen_numbers(pieces: list[_Piece], a: DiffText) -> None:
    """Let each number change take in the rest of its number and unit from the equal text around it."""
    for k, piece in enumerate(pieces):
        if piece.kind != "number":
            continue
        if k > 0 and pieces[k - 1].kind == "same":
            prev = pieces[k - 1]
            n = number_tail(a.text[prev.a0:prev.a1])
            prev.a1 -= n
            prev.b1 -= n
            piece.a0 -= n
            piece.b0 -= n
        if k + 1 < len(pieces) and pieces[k + 1].kind == "same":
            nxt = pieces[k + 1]
            n = number_head(a.text[nxt.a0:nxt.a1])
            nxt.a0 += n
            nxt.b0 += n
            piece.a1 += n
            piece.b1 += n
    pieces[:] = [p for p in pieces if p.a0 != p.a1 or p.b0 != p.b1]


def _group_wording(pieces: list[_Piece], a: DiffText, b: DiffText) -> None:
    """Join wording edits separated by an equal stretch no longer than the edits on either side."""

    def size(p: _Piece) -> int:
        return max(len(a.content(p.a0, p.a1)), len(b.content(p.b0, p.b1)))

    k = 1
    while k + 1 < len(pieces):
        left, mid, right = pieces[k - 1], pieces[k], pieces[k + 1]
        if (left.kind == right.kind == "wording" and mid.kind == "same" and "\n" not in a.text[mid.a0:mid.a1]
                and len(a.content(mid.a0, mid.a1)) <= min(size(left), size(right))):
            pieces[k - 1:k + 2] = [_Piece(left.a0, right.a1, left.b0, right.b1, "wording")]
            k = max(1, k - 1)
        else:
            k += 1


def _join_touching(pieces: list[_Piece], kinds: frozenset[str] = _JOINED_KINDS) -> list[_Piece]:
    """Touching differences of one of ``kinds`` (cosmetic ones, number, letter case) read as one:
    ``ＡＢＣ`` vs ``ABC``. Touching wording pieces stay apart: they are paragraphs cut on purpose."""
    out: list[_Piece] = []
    for p in pieces:
        last = out[-1] if out else None
        if last is not None and last.kind == p.kind and p.kind in kinds:
            last.a1, last.b1 = p.a1, p.b1
        else:
            out.append(p)
    return out


# ---------------------------------------------------------------------------------------------
# Public API


def explain(
    a: str,
    b: str,
    *,
    a_blocks: Sequence[Block] | None = None,
    b_blocks: Sequence[Block] | None = None,
    a_span: tuple[int, int] | None = None,
    b_span: tuple[int, int] | None = None,
    ocr_pairs: Iterable[tuple[str, str]] | None = None,
) -> Explanation:
    """Every difference between ``a`` and ``b`` (or their spans), classified.

    ``a_blocks``/``b_blocks`` are a document's content blocks (``Document.blocks``): markup inside
    them and text outside them is layout, never wording. ``ocr_pairs`` adds look-alike pairs to
    the table in ``data/ocr_confusions.txt``.

    >>> ex = explain("政企合作组带,进一步紧密。", "政企合作纽带，进一步紧密。")
    >>> [(d.kind, d.a_text, d.b_text) for d in ex.differences]
    [('ocr', '组', '纽'), ('width', ',', '，')]
    """
    side_a, side_b = DiffText(a, a_blocks, a_span, "a"), DiffText(b, b_blocks, b_span, "b")
    return _explain_texts(side_a, side_b, confusions(ocr_pairs))


def _explain_texts(
    side_a: DiffText, side_b: DiffText, table: Confusions, recode: Callable[[str], str] | None = None
) -> Explanation:
    changes, counts, share, verdict = _compare(side_a, side_b, table, recode)
    a, b = side_a.text, side_b.text
    differences = tuple(_difference(p, a, b) for p in changes)
    return Explanation(differences, counts, share, verdict, (side_a.lo, side_a.hi), (side_b.lo, side_b.hi))


def _compare(
    side_a: DiffText, side_b: DiffText, table: Confusions, recode: Callable[[str], str] | None = None
) -> tuple[list[_Piece], dict[str, int], float, str]:
    """The changes (classified pieces, in order), their counts by kind, the changed share and the verdict."""
    pieces = _Aligner(side_a, side_b, recode).run()
    for p in pieces:
        if not p.kind:
            p.kind = _classify(p, side_a, side_b, table)
    pieces = _join_touching(pieces)
    changed = 0  # measured before grouping, which takes in equal text for readability
    for p in pieces:
        if p.kind == "case":  # letter case is wording, but touching letters read as one change
            p.kind = "wording"
        if p.kind in SUBSTANTIVE_KINDS:
            changed += len(side_a.content(p.a0, p.a1)) + len(side_b.content(p.b0, p.b1))
    total = side_a.content_length + side_b.content_length
    share = changed / total if total else 0.0
    _widen_numbers(pieces, side_a)
    # Number changes that touch once widened are one: the aligner may read １１月 → ３１月 as ３
    # inserted and １ deleted around an equal １, which widening absorbs.
    pieces = _join_touching(pieces, _NUMBER)
    _group_wording(pieces, side_a, side_b)
    changes = [p for p in pieces if p.kind != "same"]
    counts: dict[str, int] = {k: 0 for k in KINDS}
    for p in changes:
        counts[p.kind] += 1
    note, missing = _missing_ends(pieces, side_a, side_b)
    kept = [p for p in changes if id(p) not in missing]
    swaps = sum(1 for p in kept if p.kind == "wording" and _one_for_one(side_a.content(p.a0, p.a1),
                                                                         side_b.content(p.b0, p.b1)))
    if note:  # a truncated copy: say so, and judge the rest without the missing part
        rest: dict[str, int] = {k: 0 for k in KINDS}
        for p in kept:
            rest[p.kind] += 1
        verdict = f"{note}; otherwise {_verdict(rest, share, swaps)}" if any(rest.values()) else note
    else:
        verdict = _verdict(counts, share, swaps)
    return changes, counts, share, verdict


_MISSING_SHARE = 0.15


def _missing_ends(pieces: list[_Piece], a: DiffText, b: DiffText) -> tuple[str, set[int]]:
    """A note when one version lacks a large part (15 % or more) of the other's start or end, and
    the pieces that part is made of."""
    notes: list[str] = []
    missing: set[int] = set()
    for where, ordered in (("first", pieces), ("last", pieces[::-1])):
        run: list[_Piece] = []
        for p in ordered:
            one_sided = p.kind != "same" and (p.a0 == p.a1) != (p.b0 == p.b1)
            if not one_sided or (run and (p.a0 == p.a1) != (run[0].a0 == run[0].a1)):
                break
            run.append(p)
        if not run or any(id(p) in missing for p in run):
            continue
        lacks_b = run[0].b0 == run[0].b1  # A's text that B lacks
        side = a if lacks_b else b
        lost = sum(len(side.content(p.a0, p.a1) if lacks_b else side.content(p.b0, p.b1)) for p in run)
        if side.content_length and lost / side.content_length >= _MISSING_SHARE:
            share = round(100 * lost / side.content_length)
            if lacks_b:
                notes.append(f"B lacks the {where} {share}% of A")
            else:
                notes.append(f"B adds {share}% at the {'start' if where == 'first' else 'end'}")
            missing.update(id(p) for p in run)
    return "; ".join(notes), missing


def _difference(p: _Piece, a: str, b: str) -> Difference:
    op: Op = "insert" if p.a0 == p.a1 else "delete" if p.b0 == p.b1 else "replace"
    kind: Kind = p.kind  # type: ignore[assignment]
    return Difference(kind, op, p.a0, p.a1, p.b0, p.b1, a[p.a0:p.a1], b[p.b0:p.b1])


_NOUNS = {"wording": ("wording change", "wording changes"), "number": ("number change", "number changes"),
          "ocr": ("OCR slip", "OCR slips"), "punctuation": ("punctuation change", "punctuation changes")}


_CJK_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _one_for_one(a: str, b: str) -> bool:
    """One Chinese character in place of another: what an OCR slip no table knows looks like."""
    return len(a) == len(b) == 1 and bool(_CJK_CHAR.match(a)) and bool(_CJK_CHAR.match(b))


def _verdict(counts: dict[str, int], share: float, swaps: int = 0) -> str:
    """One line: identical, cosmetic only, noise only, or edited (with the edits counted).

    ``swaps``: how many of the wording changes are one character for one. Where the pair shows OCR
    slips and every wording change is such a swap, the swaps are more likely slips the look-alike
    tables miss than edits (an editor changes words and clauses), and the verdict says so."""
    if not any(counts.values()):
        return "identical"
    cosmetic = [k for k in ("layout", "width", "script") if counts[k]]
    if not any(counts[k] for k in SUBSTANTIVE_KINDS):
        return "same text; only " + _and(cosmetic) + " differences"
    noise = [name for k, name in (("ocr", "OCR noise"), ("punctuation", "punctuation")) if counts[k]]
    if counts["ocr"] and counts["wording"] and counts["wording"] == swaps and not counts["number"]:
        many = "swaps that look like OCR slips too" if swaps > 1 else "swap that looks like an OCR slip too"
        return "same text, " + _and(noise) + f" only ({swaps} one-character {many})"
    if not counts["wording"] and not counts["number"]:
        return "same text, " + _and(noise) + " only"

    def phrase(kind: str) -> str:
        one, many = _NOUNS[kind]
        return f"{counts[kind]} {one if counts[kind] == 1 else many}"

    edits = [phrase(k) for k in ("wording", "number") if counts[k]]
    minor = [phrase(k) for k in ("ocr", "punctuation") if counts[k]]
    head = "largely rewritten" if share >= 0.5 else "edited"
    return f"{head}: " + ", ".join(edits) + (f"; also {_and(minor)}" if minor else "")


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# ---------------------------------------------------------------------------------------------
# Scan reports


def _side(member: Member, doc: Document, name: str) -> DiffText:
    return DiffText(doc.text, doc.blocks, (member.start, member.end), name)


def summarize_cluster(
    cluster: Cluster, documents: Sequence[Document], passages: Sequence[Passage], config: Config, *,
    recode: Callable[[str], str] | None = None,
) -> Cluster:
    """Attach to each member but the canonical one its differences from the canonical member
    (``a`` = canonical, ``b`` = the member); the full list only when ``config.explain``.

    ``recode``: a :class:`~neardup.verify.Recoder`, for faster (identical) alignments."""
    head = cluster.members[0]
    head_doc = member_document(head, documents, passages)
    if head_doc is None:
        return cluster
    head_side = _side(head, head_doc, "a")  # folded once, compared with every member
    members = [head]
    for member in cluster.members[1:]:
        doc = member_document(member, documents, passages)
        if doc is None:
            members.append(member)
            continue
        side = _side(member, doc, "b")
        if config.explain:
            summary = _explain_texts(head_side, side, confusions(), recode).summary(full=True)
        else:  # Explanation.summary() without building the differences it would not list
            _, counts, share, verdict = _compare(head_side, side, confusions(), recode)
            summary = DiffSummary(counts, share, verdict, None)
        members.append(replace(member, diff=summary))
    return replace(cluster, members=tuple(members))


def explain_member(report: Report, cluster: Cluster, member: Member) -> Explanation | None:
    """Differences of ``member`` from its cluster's canonical member (None for a member whose
    document is not in the report)."""
    head = cluster.members[0]
    head_doc = member_document(head, report.documents, report.passages)
    doc = member_document(member, report.documents, report.passages)
    if head_doc is None or doc is None:
        return None
    return _explain_texts(_side(head, head_doc, "a"), _side(member, doc, "b"), confusions())


# ---------------------------------------------------------------------------------------------
# Files and passages (``neardup diff``)

_SPAN_SUFFIX = re.compile(r":(\d+)-(\d+)$")


@dataclass(frozen=True, slots=True)
class Source:
    """A passage to compare: ``document.text[start:end]``, named ``label`` (the spec as given)."""

    label: str
    document: Document
    start: int
    end: int


def _split_spec(spec: str) -> tuple[str, str | None, tuple[int, int] | None]:
    """``path[#record][:start-end]`` → (path, record, span); an existing file name always wins."""
    path, span = spec, None
    match = _SPAN_SUFFIX.search(spec)
    if match and not os.path.lexists(spec):
        path, span = spec[:match.start()], (int(match.group(1)), int(match.group(2)))
    record = None
    if not os.path.lexists(path) and "#" in path:
        base, _, key = path.rpartition("#")
        if os.path.lexists(base):
            path, record = base, key
    return path, record, span


def load_source(spec: str, config: Config | None = None) -> Source:
    """Read ``spec`` — a file, ``file:START-END`` (offsets into its decoded text, as in scan
    reports) or ``feed.jsonl#ID`` — exactly as a scan reads it (encodings, HTML extraction).

    Without a span the passage is the document's content, from its first block to its last.
    """
    config = config or Config()
    path, record, span = _split_spec(spec)
    files, skipped, _root = discover([path])
    if not files:
        raise InputError(spec, skipped[0].reason if skipped else "not a file neardup can read")
    items = read_file(files[0], config)
    docs = [d for d in items if isinstance(d, Document)]
    if record is not None:
        docs = [d for d in docs if d.path.rpartition("#")[2] == record]
    if not docs:
        reasons = [s.reason for s in items if not isinstance(s, Document)]
        raise InputError(spec, reasons[0] if reasons else f"no record {record!r} in this file")
    if len(docs) > 1:
        raise InputError(spec, f"holds {len(docs)} records; name one as {path}#ID or {path}#line-N")
    doc = docs[0]
    if span is None:
        start, end = (doc.blocks[0].start, doc.blocks[-1].end) if doc.blocks else (0, len(doc.text))
    else:
        start, end = span
        if not 0 <= start < end <= len(doc.text):
            raise InputError(spec, f"span {start}-{end} is outside the decoded text (0-{len(doc.text)}); "
                                   "give PATH:START-END with 0 <= START < END <= the text length")
    return Source(spec, doc, start, end)


def explain_sources(a: Source, b: Source, *, ocr_pairs: Iterable[tuple[str, str]] | None = None) -> Explanation:
    return explain(a.document.text, b.document.text, a_blocks=a.document.blocks, b_blocks=b.document.blocks,
                   a_span=(a.start, a.end), b_span=(b.start, b.end), ocr_pairs=ocr_pairs)


def diff_files(
    a_spec: str, b_spec: str, config: Config | None = None, *, ocr_pairs: Iterable[tuple[str, str]] | None = None
) -> Explanation:
    """Explain how two files or passages (``path:start-end``) differ; see :func:`load_source`."""
    return explain_sources(load_source(a_spec, config), load_source(b_spec, config), ocr_pairs=ocr_pairs)
