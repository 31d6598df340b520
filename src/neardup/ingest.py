"""Files and folders → ``Document`` objects.

Reading is split in two so that workers can share it: ``discover`` walks the given paths once (never
opening anything) and ``read_file`` turns one file into documents. Everything that cannot be used
becomes a ``Skipped`` entry with a reason a person can act on; nothing raises for bad input.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from neardup.config import Config
from neardup.errors import DecodeError, InputError
from neardup.lexicon import FOOTER_WORDS
from neardup.models import Block, Document, Skipped

__all__ = ["SUFFIXES", "SourceFile", "decode_bytes", "discover", "parse_text", "read_file"]

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".shtml", ".xhtml", ".jsonl")
_MAX_DEPTH = 256
_BINARY_MAGIC = (
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"%PDF", "a PDF file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ", "xz-compressed data"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x7fELF", "an executable"),
)
# Closing tags count too: a short repost body of two <p> paragraphs is still markup.
_HTML_HINT = re.compile(
    r"</?(?:!doctype\s+html|html|head|body|p|div|br|h[1-6]|article|section|span|table|ul|li|meta|script)\b",
    re.IGNORECASE,
)
_MD_HEADING = re.compile(r"^#{1,6}[ \t]", re.MULTILINE)
_HTML_DOCUMENT = re.compile(r"<(?:!doctype\s+html|html|body)\b", re.IGNORECASE)
_HTML_ENTITY = re.compile(r"&(?:lt|gt|amp|nbsp|quot|ldquo|rdquo|#\d{2,7}|#x[0-9a-f]{2,6});", re.IGNORECASE)


def _looks_like_html(region: str) -> bool:
    """A page, or text whose paragraphs are tags (seed 001); a plain article quoting one tag is not."""
    head = region[:200_000]
    if _HTML_DOCUMENT.search(head):
        return True
    return len(_HTML_HINT.findall(head)) + len(_HTML_ENTITY.findall(head)) >= 3


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file to read: where it is on disk and the path the report gives it."""

    fs_path: str
    path: str
    size: int


def discover(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[SourceFile], list[Skipped], Path]:
    """Walk ``paths`` (files or folders, recursively) in a stable order.

    Returns the files to read, what was passed over and why, and the root that report paths are
    relative to: the folder itself, or the common parent of several paths. Special files (FIFOs,
    sockets, devices) are never opened, symlink loops and dangling links are reported.
    """
    if not paths:
        raise InputError("(no path)", "give at least one file or folder to scan")
    absolute = [Path(os.path.abspath(p)) for p in paths]
    for given, p in zip(paths, absolute):
        if not os.path.lexists(p):
            raise InputError(str(given), "no such file or folder")
    bases = [p if p.is_dir() else p.parent for p in absolute]
    root = Path(os.path.commonpath([str(b) for b in bases])) if len(absolute) > 1 else bases[0]
    files: list[SourceFile] = []
    skipped: list[Skipped] = []
    seen: set[tuple[int, int]] = set()  # (device, inode) of every file taken
    for p in absolute:
        if p.is_dir() and not p.is_symlink():
            _walk(str(p), str(root), files, skipped, seen)
        else:
            _consider(str(p), str(root), None, files, skipped, seen)
    files.sort(key=lambda f: f.path)
    skipped.sort(key=lambda s: s.path)
    return files, skipped, root


# Discovery works on strings and directory entries, not Path objects: on a folder of small files,
# building and parsing a Path per entry took half of its time, and the scan waits for it.


def _rel(path: str, root: str) -> str:
    prefix = os.path.join(root, "")
    # Paths found by walking are normalised and start with the root: no need for relpath's work.
    rel = path[len(prefix):] if path.startswith(prefix) else os.path.relpath(path, root)
    rel = rel.replace(os.sep, "/")
    return os.fsdecode(os.fsencode(rel)) if rel != "." else os.path.basename(path)


def _suffix(path: str) -> str:
    """The extension as ``Path.suffix`` gives it ("" for ".bashrc" and for "name.")."""
    name = os.path.basename(path)
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _walk(top: str, root: str, files: list[SourceFile], skipped: list[Skipped], seen: set[tuple[int, int]]) -> None:
    stack: list[tuple[str, int]] = [(top, 0)]
    visited: set[tuple[int, int]] = set()
    while stack:
        folder, depth = stack.pop()
        try:
            st = os.stat(folder)
        except OSError as exc:
            skipped.append(Skipped(_rel(folder, root), f"folder cannot be read: {exc.strerror or exc}"))
            continue
        key = (st.st_dev, st.st_ino)
        if key in visited:
            skipped.append(Skipped(_rel(folder, root), "symlink loop: this folder was already scanned"))
            continue
        visited.add(key)
        if depth > _MAX_DEPTH:
            skipped.append(Skipped(_rel(folder, root), f"folders nested deeper than {_MAX_DEPTH} levels"))
            continue
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            skipped.append(Skipped(_rel(folder, root), f"folder cannot be listed: {exc.strerror or exc}"))
            continue
        subfolders: list[str] = []
        # In name order, so that of two names for one file the first is kept.
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=True):
                    subfolders.append(entry.path)
                    continue
            except OSError:
                pass
            _consider(entry.path, root, entry, files, skipped, seen)
        stack.extend((path, depth + 1) for path in reversed(subfolders))


def _consider(
    path: str, root: str, entry: os.DirEntry[str] | None, files: list[SourceFile], skipped: list[Skipped],
    seen: set[tuple[int, int]],
) -> None:
    """Take or skip one file: ``entry`` is its directory entry when walking (whose stat is cached),
    None for a path given by name."""
    rel = _rel(path, root)
    try:
        st = entry.stat(follow_symlinks=True) if entry is not None else os.stat(path)
    except OSError as exc:
        if os.path.islink(path):
            reason = "symlink loop" if exc.errno == 40 else "dangling symlink: its target does not exist"
        else:
            reason = f"cannot be read: {exc.strerror or exc}"
        skipped.append(Skipped(rel, reason))
        return
    suffix = _suffix(path)
    if suffix.lower() not in SUFFIXES:
        if entry is None or stat.S_ISREG(st.st_mode):
            skipped.append(Skipped(rel, f"unsupported file type {suffix or '(no extension)'!r}; "
                                        f"neardup reads {' '.join(SUFFIXES)}"))
        return
    if not stat.S_ISREG(st.st_mode):
        kind = "a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else "not a regular file"
        skipped.append(Skipped(rel, f"{kind}; never opened"))
        return
    # The file's identity, not its resolved path: stat has followed the links already, and
    # realpath would lstat every folder on the way again (a third of discovery's time).
    identity = (st.st_dev, st.st_ino)
    if identity in seen:
        skipped.append(Skipped(rel, "same file as another path in this scan (symlink, hard link or repeated path)"))
        return
    seen.add(identity)
    files.append(SourceFile(path, rel, st.st_size))


def read_file(source: SourceFile, config: Config) -> list[Document | Skipped]:
    """Read one file into documents (one per file, one per JSONL record) or skipped entries."""
    if source.size > config.max_file_bytes:
        return [Skipped(source.path, f"file is {source.size} bytes, over the limit of "
                                     f"{config.max_file_bytes} (setting max_file_bytes)")]
    try:
        with open(source.fs_path, "rb") as fh:
            # Asking for the size found by discover: read(limit) would allocate the whole limit
            # (64 MB) for every file. A file that grew since is read on, up to the limit.
            raw = fh.read(min(source.size, config.max_file_bytes) + 1)
            if len(raw) > source.size:
                raw += fh.read(config.max_file_bytes + 1 - len(raw))
    except OSError as exc:
        return [Skipped(source.path, f"cannot be read: {exc.strerror or exc}")]
    if len(raw) > config.max_file_bytes:
        return [Skipped(source.path, f"file is over the limit of {config.max_file_bytes} bytes (setting max_file_bytes)")]
    try:
        text, encoding, errors = decode_bytes(raw, source.path)
    except DecodeError as exc:
        return [Skipped(source.path, exc.reason)]
    if not text.strip():  # ideographic spaces (U+3000) and other Unicode blanks
        return [Skipped(source.path, "file holds only whitespace")]
    if source.path.lower().endswith(".jsonl"):
        return list(_read_jsonl(source.path, text, encoding, errors, config))
    doc = parse_text(source.path, text, encoding=encoding, decode_errors=errors, config=config)
    if doc.format == "html" and not _has_article_text(doc):
        return [Skipped(source.path, "web page holds no article text (only navigation, links or site furniture)")]
    return [doc]


# Article text reads in sentences (a sentence mark, or a clause between two commas) or runs on
# in lines longer than any menu entry or headline (a printed list of names has no punctuation).
# A copyright line ends in a full stop too, and is not one; its sentences are left out before
# looking (only those: an article may well say 备案).
_SENTENCE_MARK = re.compile(r"[。！？；]|[，,][^，,]{2,}[，,]|[.!?](?:\s|$)|[^\s]{50}")
_FOOTER_TEXT = re.compile("|".join(FOOTER_WORDS), re.IGNORECASE)
_SENTENCE = re.compile(r"[^。！？\n]*(?:[。！？]+|\n|$)")


def _has_article_text(doc: Document) -> bool:
    """Whether a web page's extracted blocks hold any prose (a page of menus and link lists
    comes back from extraction as its least bad blocks, every one a label or a headline)."""
    from neardup.html.extract import visible_text

    for block in doc.blocks:
        text = "".join(sentence for sentence in _SENTENCE.findall(visible_text(doc.text, block))
                       if not _FOOTER_TEXT.search(sentence)).strip()
        if len(text) >= 12 and _SENTENCE_MARK.search(text):
            return True
    return False


def decode_bytes(raw: bytes, path: str = "<bytes>") -> tuple[str, str, str]:
    """Decode file bytes; returns (text without BOM, codec name, "strict" or "replace")."""
    if not raw.strip():
        raise DecodeError(path, "empty file" if not raw else "file holds only whitespace")
    for magic, what in _BINARY_MAGIC:
        if raw.startswith(magic):
            raise DecodeError(path, f"binary file ({what}), not text")
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
                       (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return _strip_bom(raw.decode(codec)), codec, "strict"
            except UnicodeDecodeError:
                return _strip_bom(raw.decode(codec, errors="replace")), codec, "replace"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if "\x00" in text:
            raise DecodeError(path, "binary file (holds NUL bytes), not text")
        return text, "utf-8", "strict"
    guess = _detect(raw)
    if guess is not None:
        return guess
    return _decode_damaged(raw, path)


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


_CANDIDATES = ("gb18030", "big5", "utf-16-le", "utf-16-be")
_DETECTED = ("gb18030", "big5", "cp950", "utf_16_le", "utf_16_be", "utf_8")


def _detect(raw: bytes) -> tuple[str, str, str] | None:
    # The answer is the first codec of charset-normalizer's ranking (else of _CANDIDATES) that
    # decodes the whole file strictly into plausible text. UTF-8 has failed before this is called,
    # so every codec either list can name is one of those tried here first; when at most one of
    # them reads the file, the answer is known without asking charset-normalizer, which costs
    # ~1.5 ms a file: GBK files are the usual case (Big5 files read as both big5 and cp950).
    readable: dict[str, str] = {}
    for name in _DETECTED[:-1]:
        text = _strict_plausible(raw, name)
        if text is not None:
            readable[codecs.lookup(name).name] = text
    if not readable:
        return None
    if readable.get("cp950") is not None and readable.get("cp950") == readable.get("big5"):
        # Big5 text that uses none of Microsoft's additions reads the same as cp950 (its superset):
        # the standard name, without asking (charset-normalizer's ranking cost ~1.3 ms a file).
        del readable["cp950"]
    if len(readable) == 1 and "cp950" not in readable:  # cp950 is not among _CANDIDATES
        ((codec, text),) = readable.items()
        return _strip_bom(text), codec, "strict"
    from charset_normalizer import from_bytes

    ranked = [codecs.lookup(match.encoding).name for match in from_bytes(raw, cp_isolation=list(_DETECTED))]
    for codec in (*ranked, *_CANDIDATES):
        if codec in readable:
            return _strip_bom(readable[codec]), codec, "strict"
    return None


def _strict_plausible(raw: bytes, codec: str) -> str | None:
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError:
        return None
    return text if _plausible_text(text) else None


# Control characters other than tab, line feed, form feed and carriage return, and the private
# use area: what a wrong codec makes of bytes.
_IMPLAUSIBLE = re.compile("[\x00-\x08\x0b\x0e-\x1f\ue000-\uf8ff]")


def _plausible_text(text: str) -> bool:
    if not text or "\x00" in text:
        return False
    sample = text[:20000]
    return len(_IMPLAUSIBLE.findall(sample)) <= max(2, len(sample) // 200)


def _decode_damaged(raw: bytes, path: str) -> tuple[str, str, str]:
    """A file partly in one encoding (corrupt bytes, or halves in two encodings): decode it with
    the codec that leaves the fewest U+FFFD, as long as what remains reads as text."""
    best: tuple[float, str, str] | None = None
    for codec in ("utf-8", "gb18030", "big5"):
        text = raw.decode(codec, errors="replace")
        share = text.count("\ufffd") / max(1, len(text))
        if best is None or share < best[0]:
            best = (share, codec, text)
    assert best is not None
    share, codec, text = best
    readable = text.replace("\ufffd", "")
    if share > 0.5 or len(readable.strip()) < 20 or not _plausible_text(readable):
        raise DecodeError(path, "not text in any supported encoding (UTF-8, UTF-16, GB18030/GBK, Big5): "
                                "binary or damaged")
    return text, codec, "replace"


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?(---|\+\+\+)[ \t]*\r?\n(.*?)\r?\n\1[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FM_FIELD = re.compile(r"^(title|date)\s*[:=]\s*(.*?)\s*$", re.MULTILINE | re.IGNORECASE)


def _front_matter(text: str) -> tuple[int, dict[str, str]]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return 0, {}
    fields: dict[str, str] = {}
    for key, value in _FM_FIELD.findall(match.group(2)):
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        fields.setdefault(key.lower(), value)
    return match.end(), fields


def parse_text(
    path: str,
    text: str,
    *,
    encoding: str = "utf-8",
    decode_errors: str = "strict",
    config: Config | None = None,
    title: str | None = None,
    date: str | None = None,
    url: str | None = None,
    jsonl: bool = False,
) -> Document:
    """Detect the format of decoded ``text`` from its content and find its content blocks."""
    config = config or Config()
    notes: list[str] = []
    if decode_errors == "replace":
        notes.append("partly corrupt: undecodable bytes replaced by U+FFFD")
    limit = len(text)
    if limit > config.max_doc_chars:
        limit = config.max_doc_chars
        notes.append(f"truncated to the first {limit} characters (setting max_doc_chars)")
    body_start, fields = _front_matter(text)
    title = title or fields.get("title") or None
    date = date or fields.get("date") or None
    region = text[body_start:limit]
    fmt: str
    if _looks_like_html(region):
        from neardup.html.extract import extract_article

        article = extract_article(text, start=body_start, end=limit)
        blocks = article.blocks
        title = title or article.title
        date = date or article.date
        fmt = "html"
        laid_out = True
    else:
        blocks = (Block(body_start, limit, "paragraph"),) if region.strip() else ()
        if jsonl:
            fmt = "jsonl"
        elif body_start or _MD_HEADING.search(region[:200_000]) or path.lower().endswith((".md", ".markdown")):
            fmt = "markdown"
        else:
            fmt = "text"
        laid_out = body_start > 0
    if jsonl:
        fmt = "jsonl"
    return Document(
        path=path,
        text=text,
        format=fmt,  # type: ignore[arg-type]
        encoding=encoding,
        blocks=tuple(blocks),
        decode_errors="replace" if decode_errors == "replace" else "strict",
        title=title,
        date=date,
        url=url,
        laid_out=laid_out,
        notes=tuple(notes),
    )


def _read_jsonl(path: str, text: str, encoding: str, errors: str, config: Config) -> Iterator[Document | Skipped]:
    seen_ids: set[str] = set()
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{path}#line-{number}"
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield Skipped(where, f"line {number} is not valid JSON: {getattr(exc, 'msg', exc)}")
            continue
        if not isinstance(record, dict):
            yield Skipped(where, f"line {number} is a JSON {type(record).__name__}, not an object with a 'text' field")
            continue
        rid = record.get("id")
        key = None if rid is None else str(rid)
        if key is not None:
            where = f"{path}#{key}"
        body = record.get("text")
        if not isinstance(body, str):
            why = "has no 'text' field" if "text" not in record else f"'text' is {type(body).__name__}, not a string"
            yield Skipped(where, f"line {number} {why}")
            continue
        if key is not None:
            if key in seen_ids:
                yield Skipped(where, f"duplicate id {key!r} on line {number}; ids must be unique in a file")
                continue
            seen_ids.add(key)
        if _LONE_SURROGATE.search(body):
            # Lone surrogates cannot be encoded; '?' keeps every offset where it was.
            body = body.encode("utf-8", "replace").decode("utf-8")
        if not body.strip():
            yield Skipped(where, f"line {number}: 'text' is empty")
            continue
        yield parse_text(
            where, body, encoding=encoding, decode_errors=errors, config=config,
            title=_str_or_none(record.get("title")), date=_str_or_none(record.get("date")),
            url=_str_or_none(record.get("url")), jsonl=True,
        )


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)
