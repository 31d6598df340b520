"""Rebuild ``src/neardup/data/ocr_learned.txt``: the look-alikes a real OCR engine confuses, counted.

    python benchmarks/learn_confusions.py                  # 40 pages (a few minutes; cached after)
    python benchmarks/learn_confusions.py --pages 80 --min-count 2

Real People's Daily paragraphs (``../shared/corpora/peoples-daily-1998-01-a.txt``) are set as
single-column pages, degraded like scans (light and heavy, alternately) and read back with
tesseract ``chi_sim`` (``benchmarks/ocr.py``; Debian packages tesseract-ocr, tesseract-ocr-chi-sim,
fonts-noto-cjk). The OCR text is aligned with the truth character by character (whitespace
dropped on both sides; rapidfuzz's Levenshtein opcodes), and every substitution of one Chinese
character by another (or of one by two, two by one: a character split or merged) is counted.
Pairs seen at least ``--min-count`` times, whose glyphs look alike (``Glyphs``: the cosine of
their renderings, at least ``--min-glyph``; an alignment slip pairs characters that do not), and
that are not traditional/simplified variants of each other, are written one per line, for
``neardup.diff.sides.confusions`` to read beside the hand-written ``ocr_confusions.txt`` (which
stays the override and the documentation). ``--glyphs`` also writes ``ocr_glyphs.txt``: the pairs
of the corpus's commonest characters whose shapes alone are alike.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import ocr  # noqa: E402  (benchmarks/ is not a package)
import prose  # noqa: E402

DATA = HERE.parent / "src" / "neardup" / "data"
OUT = DATA / "ocr_learned.txt"
GLYPHS_OUT = DATA / "ocr_glyphs.txt"
_CJK = re.compile(r"^[\u4e00-\u9fff]{1,2}$")
_SPACE = re.compile(r"\s+")


def _pages(n: int) -> list[str]:
    path = prose.source_path()
    if path is None:
        raise SystemExit("needs ../shared/corpora/peoples-daily-1998-01-a.txt (real prose); not found")
    paragraphs = [t for a in prose.cut_articles(path) for kind, t in a.blocks if kind == "p" and len(t) >= 40]
    pages, page = [], []
    for p in paragraphs[::3]:  # every third paragraph: spread over the month's first half
        page.append(p)
        if sum(map(len, page)) >= 900:
            pages.append("\n".join(page))
            page = []
        if len(pages) == n:
            break
    return pages


def substitutions(truth: str, read: str) -> Counter[tuple[str, str]]:
    """(true text, OCR text) of every 1:1, 1:2 and 2:1 substitution of Chinese characters."""
    a, b = _SPACE.sub("", truth), _SPACE.sub("", read)
    found: Counter[tuple[str, str]] = Counter()
    for tag, i1, i2, j1, j2 in Levenshtein.opcodes(a, b):
        if tag != "replace":
            continue
        x, y = a[i1:i2], b[j1:j2]
        if len(x) == len(y) <= 2:  # longer equal blocks pair characters a dropped one shifted
            found.update(zip(x, y, strict=True))
        elif (len(x), len(y)) in ((1, 2), (2, 1)) and _CJK.match(x) and _CJK.match(y):
            found[x, y] += 1
    return Counter({k: v for k, v in found.items() if _CJK.match(k[0]) and _CJK.match(k[1])})


class Glyphs:
    """How alike two characters look: the cosine of their renderings (48 px, the benchmark's CJK
    font, blurred so that a stroke one pixel off still overlaps). Over 400 random pairs of common
    characters the largest was 0.82; look-alikes such as 末/未 or 土/士 reach 0.97."""

    def __init__(self) -> None:
        from PIL import ImageFont

        path = ocr._font_path(False)
        if path is None:
            raise SystemExit("needs a CJK font (fonts-noto-cjk)")
        self.font = ImageFont.truetype(path, 48)
        self.cache: dict[str, Any] = {}

    def _image(self, text: str) -> Any:
        import numpy as np
        from PIL import Image, ImageDraw, ImageFilter

        if text not in self.cache:
            img = Image.new("L", (56 * len(text) + 8, 64), 0)
            ImageDraw.Draw(img).text((8, 0), text, fill=255, font=self.font)
            img = img.resize((64, 64)).filter(ImageFilter.GaussianBlur(1.5))
            self.cache[text] = np.asarray(img, dtype=np.float32) / 255
        return self.cache[text]

    def alike_pairs(self, chars: Sequence[str], threshold: float) -> list[tuple[str, str, float]]:
        """Every pair of ``chars`` at least ``threshold`` alike (one matrix product)."""
        import numpy as np

        m = np.stack([self._image(c).ravel() for c in chars])
        m /= np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)
        sims = m @ m.T
        i, j = np.nonzero(np.triu(sims, 1) >= threshold)
        return sorted(((chars[a], chars[b], float(sims[a, b])) for a, b in zip(i.tolist(), j.tolist())),
                      key=lambda p: (-p[2], p[0], p[1]))

    def similarity(self, a: str, b: str) -> float:
        import numpy as np

        x, y = self._image(a), self._image(b)
        norm = float(np.sqrt((x * x).sum() * (y * y).sum()))
        return float((x * y).sum()) / norm if norm else 0.0


def _write_glyphs(threshold: float) -> None:
    path = prose.source_path()
    if path is None:
        raise SystemExit("needs ../shared/corpora/peoples-daily-1998-01-a.txt (real prose); not found")
    text = path.read_text(encoding="utf-8")
    common = [c for c, _ in Counter(c for c in text if "\u4e00" <= c <= "\u9fff").most_common(3500)]
    pairs = Glyphs().alike_pairs(common, threshold)
    lines = ["# Characters that look alike: the 3,500 commonest of the real-prose corpus, rendered with the",
             f"# benchmark's CJK font and compared by shape (cosine >= {threshold}; see Glyphs in",
             "# benchmarks/learn_confusions.py, which writes this file). Same format as ocr_confusions.txt.", ""]
    lines += [f"{a} {b}  # {g:.3f}" for a, b, g in pairs]
    GLYPHS_OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(pairs)} look-alike pairs by shape -> {GLYPHS_OUT}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=40)
    ap.add_argument("--min-count", type=int, default=2)
    ap.add_argument("--min-glyph", type=float, default=0.85,
                    help="keep a pair only when its glyphs are at least this alike (0-1)")
    ap.add_argument("--output", type=Path, default=OUT)
    ap.add_argument("--glyphs", type=float, default=0.92, metavar="SIMILARITY",
                    help="also write ocr_glyphs.txt: the corpus's 3,500 commonest characters' pairs at least this "
                         "alike in shape (0 to skip)")
    args = ap.parse_args(argv)
    if args.glyphs:
        _write_glyphs(args.glyphs)
    if not ocr.tesseract_available():
        raise SystemExit("needs tesseract with chi_sim and a CJK font (see .ci/run)")
    from opencc import OpenCC

    t2s = OpenCC("t2s")
    counts: Counter[tuple[str, str]] = Counter()
    pages = _pages(args.pages)
    for k, page in enumerate(pages):
        read, _ = ocr.ocr_page(page, [(0, len(page))], seed=1000 + k, columns=1,
                               degrade="heavy" if k % 2 else "light")
        counts.update(substitutions(page, read))
    glyphs = Glyphs()
    pairs = sorted(((x, y, n, glyphs.similarity(x, y)) for (x, y), n in counts.items()
                    if n >= args.min_count and t2s.convert(x) != t2s.convert(y)), key=lambda p: (-p[2], p[0], p[1]))
    pairs = [p for p in pairs if p[3] >= args.min_glyph]
    lines = ["# Look-alikes tesseract chi_sim confused on real People's Daily pages, counted.",
             f"# Written by benchmarks/learn_confusions.py ({len(pages)} pages, pairs seen >= {args.min_count} times",
             f"# whose glyphs are >= {args.min_glyph} alike); after each pair: times seen, glyph similarity.",
             "# same format as ocr_confusions.txt (true text, then what OCR read). Do not edit: rebuild.", ""]
    lines += [f"{x} {y}  # {n}, {g:.2f}" for x, y, n, g in pairs]
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(pairs)} pairs from {len(pages)} pages ({sum(counts.values())} substitutions) -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
