"""Newspaper pages read back by a real OCR engine, for benchmark corpora.

Synthetic character noise is too kind: a real scan loses and invents characters in runs, splits
lines, merges neighbouring columns and reads rules and photos as garbage. ``ocr_page`` renders a
page with Pillow, degrades it like a scan, reads it back with tesseract ``chi_sim`` and maps the
article spans onto the OCR text, so a corpus can label OCR'd documents exactly as clean ones.
Tesseract takes seconds a page, so results are cached on disk (``$NEARDUP_OCR_CACHE`` or
``~/.cache/neardup-bench/ocr/``); a hit returns the very same text.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import random
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapidfuzz.distance import Indel

if TYPE_CHECKING:
    from PIL import Image as PILImage

CACHE_VERSION = "ocr/2"  # bump when rendering or degrading changes, so old cached reads are not reused
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/opentype", "/usr/share/fonts")
ROWS_PER_COLUMN = 60  # one image holds at most this many lines a column: tall images make tesseract slow
NO_LINE_START = set("。，、；：？！）」』”’》〉…")  # kinsoku: these never begin a printed line
SENTENCE_END = set("。！？”…；：）")
TIMEOUT_S = 300
# degrade level -> (max rotation deg, blur radius range, speckle fraction, ink grey, paper grey,
#                   downscale range, JPEG quality range)
LEVELS: dict[str, tuple[float, tuple[float, float], float, tuple[int, int], tuple[int, int],
                        tuple[float, float], tuple[int, int]]] = {
    "none": (0.0, (0.0, 0.0), 0.0, (0, 0), (255, 255), (1.0, 1.0), (0, 0)),
    "light": (0.3, (0.7, 1.0), 0.006, (40, 75), (215, 240), (0.55, 0.68), (35, 60)),
    "heavy": (1.0, (0.8, 1.2), 0.015, (60, 100), (195, 225), (0.45, 0.55), (20, 35)),
}


@functools.cache
def _font_path(bold: bool) -> str | None:
    """A CJK font file; Noto Serif for body text like a newspaper, any Noto CJK as a fallback."""
    weight = "Bold" if bold else "Regular"
    names = (f"NotoSerifCJK-{weight}.ttc", f"NotoSansCJK-{weight}.ttc", "NotoSerifCJK-Regular.ttc",
             "NotoSansCJK-Regular.ttc")
    for name in names:
        for folder in FONT_DIRS:
            hits = sorted(Path(folder).rglob(name)) if Path(folder).is_dir() else []
            if hits:
                return str(hits[0])
    return None


@functools.cache
def _tesseract_version() -> str:
    out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, timeout=30)
    return (out.stdout or out.stderr).splitlines()[0].strip()


@functools.cache
def tesseract_available() -> bool:
    """Whether pages can be OCR'd here: tesseract with chi_sim, Pillow and a CJK font."""
    if shutil.which("tesseract") is None or _font_path(False) is None:
        return False
    try:
        import PIL.ImageDraw  # noqa: F401
        langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
        _tesseract_version()
    except (ImportError, OSError, subprocess.SubprocessError):
        return False
    return "chi_sim" in (langs.stdout + langs.stderr).split()


def map_spans(source: str, target: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Map ``source`` spans onto ``target`` through a longest-common-subsequence alignment.

    A span's start goes to the first target character aligned at or after it, its end to just past
    the last target character aligned before it, so OCR garbage between articles falls outside
    every span; a span whose characters were all lost maps to an empty ``(p, p)``."""
    n = len(source)
    aligned = [-1] * n  # source index -> target index of the character it is aligned with
    for op in Indel.opcodes(source, target):
        if op.tag == "equal":
            aligned[op.src_start:op.src_end] = range(op.dest_start, op.dest_end)
    first_at = [len(target)] * (n + 1)  # first aligned target index at source index >= i
    for i in range(n - 1, -1, -1):
        first_at[i] = aligned[i] if aligned[i] >= 0 else first_at[i + 1]
    end_before = [0] * (n + 1)  # just past the last aligned target index at source index < i
    for i in range(n):
        end_before[i + 1] = aligned[i] + 1 if aligned[i] >= 0 else end_before[i]
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if not 0 <= start <= end <= n:
            raise ValueError(f"span {(start, end)} is outside a source of {n} characters")
        a, b = first_at[start], end_before[end]
        out.append((a, b) if a < b else (a, a))
    return out


def _wrap(line: str, width: int) -> list[str]:
    """Break a line every ``width`` characters (CJK breaks anywhere), never starting with 。，、."""
    rows: list[str] = []
    i = 0
    while i < len(line):
        j = min(i + width, len(line))
        while j < len(line) and line[j] in NO_LINE_START and j - i < width + 1:
            j += 1  # hang the punctuation in the margin, as typesetters do
        rows.append(line[i:j])
        i = j
    return rows or [""]


# A row is (kind, text): kind "head" (big bold), "sub" (bold), "body", "gap" (half a line of
# space), or "rule" / "photo" (garbage between articles).
Row = tuple[str, str]


def _rows(text: str, spans: Sequence[tuple[int, int]], width: int, rng: random.Random,
          degrade: str) -> list[Row]:
    starts = {s for s, _ in spans}
    gaps = rng.random() < 0.5  # this page separates paragraphs with space, else only by indent
    rows: list[Row] = []
    offset = 0
    for line in text.split("\n"):
        if offset in starts and rows:
            rows.append(("gap", ""))
            if degrade != "none" and rng.random() < 0.35:
                rows.append((rng.choice(("rule", "photo")), ""))
                rows.append(("gap", ""))
        stripped = line.strip()
        if offset in starts and stripped:
            rows += [("head", r) for r in _wrap(stripped, max(4, width * 2 // 3))]
        elif 0 < len(stripped) <= width and stripped[-1] not in SENTENCE_END:
            rows += [("sub", r) for r in _wrap(stripped, width)]
        elif stripped:
            rows += [("body", r) for r in _wrap("\u3000\u3000" + stripped, width)]
            if gaps:
                rows.append(("gap", ""))
        offset += len(line) + 1
    return rows or [("gap", "")]  # an empty page is still a sheet of paper


def _render(rows: list[Row], columns: int, width: int, char_px: int, rng: random.Random,
            degrade: str) -> list[PILImage.Image]:
    """Lay the rows out in balanced columns of about ROWS_PER_COLUMN lines at most, one image a sheet."""
    from PIL import Image, ImageDraw, ImageFont

    body = ImageFont.truetype(_font_path(False) or "", char_px, index=2)
    bold = ImageFont.truetype(_font_path(True) or "", char_px, index=2)
    head = ImageFont.truetype(_font_path(True) or "", char_px * 3 // 2, index=2)
    line_h = char_px * 3 // 2
    height_of = {"head": char_px * 2, "sub": line_h, "body": line_h, "gap": line_h // 2,
                 "rule": char_px, "photo": char_px * rng.randint(4, 8)}
    col_w, gutter, margin = width * char_px, max(char_px // 2, int(char_px * rng.uniform(0.5, 1.0))), char_px * 2
    ruled = columns > 1 and rng.random() < 0.5
    total, tallest_row = sum(height_of[k] for k, _ in rows), max(height_of[k] for k, _ in rows)
    n_sheets = -(-total // (columns * ROWS_PER_COLUMN * line_h))
    col_h = -(-total // (n_sheets * columns)) + tallest_row  # balanced columns, as a page is set
    sheets: list[list[list[Row]]] = [[[]]]
    used = 0
    for row in rows:
        h = height_of[row[0]]
        if used + h > col_h and sheets[-1][-1]:
            if len(sheets[-1]) == columns:
                sheets.append([])
            sheets[-1].append([])
            used = 0
        sheets[-1][-1].append(row)
        used += h
    images: list[PILImage.Image] = []
    for sheet in sheets:
        tallest = max(sum(height_of[k] for k, _ in col) for col in sheet)
        img = Image.new("L", (2 * margin + columns * col_w + (columns - 1) * gutter, tallest + 2 * margin), 255)
        draw = ImageDraw.Draw(img)
        for c, col in enumerate(sheet):
            x, y = margin + c * (col_w + gutter), margin
            if ruled and c:
                draw.line([(x - gutter // 2, margin), (x - gutter // 2, margin + tallest)], fill=0, width=1)
            for kind, chunk in col:
                font = {"head": head, "sub": bold}.get(kind, body)
                if kind == "rule":
                    draw.rectangle([x, y + char_px // 3, x + col_w, y + char_px // 3 + rng.randint(2, 5)], fill=0)
                elif kind == "photo":
                    grey = rng.randint(90, 190)
                    draw.rectangle([x, y, x + col_w, y + height_of["photo"] - char_px // 2], fill=grey)
                    for _ in range(rng.randint(3, 12)):  # blotches, so the "photo" has some texture
                        bx, by = x + rng.randint(0, col_w - 80), y + rng.randint(0, height_of["photo"] - char_px)
                        draw.ellipse([bx, by, bx + rng.randint(10, 80), by + rng.randint(5, 40)],
                                     fill=max(0, min(255, grey + rng.randint(-70, 70))))
                elif chunk:
                    draw.text((x, y), chunk, font=font, fill=0)
                y += height_of[kind]
        images.append(img)
    return images


def _degrade(img: PILImage.Image, degrade: str, rng: random.Random) -> PILImage.Image:
    """Scan damage: tilt, blur, grey paper and ink, speckles, lost resolution, JPEG artefacts."""
    import numpy as np
    from PIL import Image, ImageFilter

    tilt, blur, speckle, ink, paper, scale, quality = LEVELS[degrade]
    if degrade == "none":
        return img
    img = img.rotate(rng.uniform(-tilt, tilt), resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(*blur)))
    lo, hi = rng.randint(*ink), rng.randint(*paper)
    px = np.asarray(img, dtype=np.float32) * ((hi - lo) / 255.0) + lo
    npr = np.random.default_rng(rng.getrandbits(64))
    px += npr.normal(0.0, 6.0 if degrade == "light" else 10.0, px.shape)  # paper grain
    dots = npr.random(px.shape)
    px[dots < speckle / 2] = lo  # pepper
    px[dots > 1 - speckle / 2] = hi  # salt
    img = Image.fromarray(np.clip(px, 0, 255).astype(np.uint8), "L")
    w, h = img.size
    f = rng.uniform(*scale)
    img = img.resize((max(1, int(w * f)), max(1, int(h * f))), Image.Resampling.BILINEAR)
    img = img.resize((w, h), Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=rng.randint(*quality))
    buf.seek(0)
    return Image.open(buf).convert("L")


def _tesseract(img: PILImage.Image, psm: int, name: str) -> str:
    with tempfile.TemporaryDirectory(prefix="neardup-ocr-") as tmp:
        path = os.path.join(tmp, "page.png")
        img.save(path, dpi=(300, 300))
        cmd = ["tesseract", path, "stdout", "-l", "chi_sim", "--psm", str(psm), "-c", "page_separator="]
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # OpenMP threads only slow tesseract on few cores
        try:
            out = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S, env=env)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise RuntimeError(f"tesseract failed on {name}: {exc}") from exc
        if out.returncode != 0:
            raise RuntimeError(f"tesseract failed on {name} (exit {out.returncode}): "
                               f"{out.stderr.decode('utf-8', 'replace').strip()[-500:]}")
        return out.stdout.decode("utf-8", "replace")


def _cache_dir() -> Path:
    env = os.environ.get("NEARDUP_OCR_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "neardup-bench" / "ocr"


def ocr_page(text: str, spans: Sequence[tuple[int, int]], *, seed: int, columns: int = 1,
             width_chars: int = 24, degrade: str = "light") -> tuple[str, list[tuple[int, int]]]:
    """Render the page `text` (lines separated by "\\n", as printed: headlines, paragraphs) to an image,
    degrade it like a scan, read it back with tesseract chi_sim, and return the OCR text plus each
    input span (article spans, Python str offsets into `text`, end exclusive) mapped onto the OCR text.

    A line starting a span is drawn as its headline. The OCR text is kept as tesseract wrote it
    (spaces between characters, broken lines, lost and invented punctuation): those errors are
    what the benchmark is for. The same arguments always give the same image and the same text."""
    if degrade not in LEVELS:
        raise ValueError(f"degrade must be one of {sorted(LEVELS)}, not {degrade!r}")
    if columns < 1 or width_chars < 4:
        raise ValueError("columns must be >= 1 and width_chars >= 4")
    from PIL import __version__ as pil_version

    key_parts: list[Any] = [CACHE_VERSION, _tesseract_version(), pil_version, Path(_font_path(False) or "").name,
                            seed, columns, width_chars, degrade, list(map(list, spans)), text]
    key = hashlib.sha256(repr(key_parts).encode("utf-8")).hexdigest()
    cached = _cache_dir() / key[:2] / f"{key}.txt"
    if cached.is_file():
        ocr = cached.read_bytes().decode("utf-8")
    else:
        rng = random.Random(seed)
        char_px = rng.randint(24, 32)
        rows = _rows(text, spans, width_chars, rng, degrade)
        sheets = _render(rows, columns, width_chars, char_px, rng, degrade)
        psm = 3 if columns > 1 else 6
        name = f"page sha256:{key[:12]} (seed {seed}, {columns} col, {degrade})"
        ocr = "\n".join(_tesseract(_degrade(img, degrade, rng), psm, f"{name} sheet {i + 1}/{len(sheets)}")
                        for i, img in enumerate(sheets))
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(ocr.encode("utf-8"))
        os.replace(tmp, cached)
    return ocr, map_spans(text, ocr, spans)
