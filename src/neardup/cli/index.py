"""``neardup index …``: keep an on-disk archive index and check new articles against it.

Thin like ``cli.py``: options → ``Config`` → ``archive.Index`` → printed result. Errors are
``NeardupError``s, which ``cli.main`` turns into one line on stderr and an exit code.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from neardup.cli.options import build_config, setting_options, usage_error
from neardup.config import Config
from neardup.errors import ConfigError, InputError
from neardup.ingest import SourceFile
from neardup.models import Document, Skipped

__all__ = ["index_group"]

F = TypeVar("F", bound=Callable[..., Any])


# Settings that decide signatures: they apply when an index is created (or rebuilt by migrate);
# an existing index must be opened with its own, so these are only needed the first time.
building_options = setting_options(*Config().group("sketch"),
                                   default_note="Default: the index's own (the library's for a new index).")
verify_options = setting_options("threshold", "min_similarity", default_note="Default: the index's own.")
jobs_option = setting_options("jobs")
timeout_option = click.option("--timeout", type=click.FloatRange(0), default=30.0, show_default=True,
                              help="Seconds to wait while another process writes to the index, "
                                   "before failing with 'index is locked'.")
index_argument = click.argument("index_path", metavar="INDEX", type=click.Path(dir_okay=False))


def _config(index_path: str, **options: Any) -> Config | None:
    """The index's own settings with the given options applied; None when none were given."""
    from neardup.archive.index import index_config

    if all(v is None for v in options.values()):
        return None
    try:
        base = index_config(index_path) if os.path.exists(index_path) else Config()
    except ConfigError as exc:
        raise usage_error(exc) from exc
    return build_config(base, **options)


def _progress(total: int, label: str) -> tuple[Any, Callable[[int], None]]:
    """A progress bar on stderr when it is a terminal; otherwise nothing is drawn."""
    if not sys.stderr.isatty():
        return None, lambda done: None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=True)
    task = bar.add_task(label, total=total)
    return bar, lambda done: bar.update(task, completed=done)


def _document_id(given: str, path: str) -> str:
    """A file's id is its path as named on the command line (folder given + path inside it), so
    the same name in two daily folders gives two documents."""
    folder = given if os.path.isdir(given) else os.path.dirname(given)
    prefix = os.path.normpath(folder).replace(os.sep, "/") if folder else "."
    return path if prefix == "." else f"{prefix}/{path}"


def _discover(paths: tuple[str, ...], skipped: list[Skipped]) -> list[tuple[str, SourceFile]]:
    """Files under each PATH, with the PATH as given (it prefixes their ids)."""
    from neardup.ingest import discover

    found: list[tuple[str, SourceFile]] = []
    for given in paths:
        files, passed_over, _root = discover([given])
        skipped.extend(Skipped(_document_id(given, s.path), s.reason) for s in passed_over)
        found.extend((given, f) for f in files)
    return found


def _documents(found: list[tuple[str, SourceFile]], config: Config, skipped: list[Skipped],
               on_file: Callable[[int], None]) -> Iterator[tuple[str, Document, dict[str, Any]]]:
    from neardup.ingest import read_file

    for done, (given, source) in enumerate(found, 1):
        for item in read_file(source, config):
            if isinstance(item, Skipped):
                skipped.append(Skipped(_document_id(given, item.path), item.reason))
            else:
                yield _document_id(given, item.path), item, {"source": os.path.abspath(source.fs_path)}
        on_file(done)


@click.group("index")
def index_group() -> None:
    """Keep an on-disk archive index (one SQLite file, no server) and check new articles against
    it without rescanning the archive. See also `neardup scan --index INDEX`.
    """


@index_group.command("add")
@index_argument
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@building_options
@jobs_option
@click.option("--batch-size", type=click.IntRange(1), default=500, show_default=True,
              help="Documents written per transaction (an interrupted run keeps whole batches).")
@timeout_option
def add(index_path: str, paths: tuple[str, ...], batch_size: int, timeout: float, **options: Any) -> None:
    """Add the articles in PATHS (files or folders, read recursively; the formats `scan` reads) to
    INDEX, creating it if needed.

    A document's id is its path as named on the command line (FOLDER/path/inside, or
    feed.jsonl#<id> for a JSONL record). Adding an unchanged file again does nothing; a changed
    file replaces the stored version.

    Example: neardup index add archive.ndx incoming/2024-05-01/
    """
    from neardup.archive.index import Index

    with Index.open(index_path, _config(index_path, **options), timeout=timeout) as archive:
        skipped: list[Skipped] = []
        found = _discover(paths, skipped)
        bar, show = _progress(len(found), "adding files")
        with bar or contextlib.nullcontext():
            summary = archive.add_many(_documents(found, archive.config, skipped, show), batch_size=batch_size)
        total = len(archive)
    for s in skipped:
        click.echo(f"skipped {s.path}: {s.reason}", err=True)
    click.echo(f"{index_path}: {summary.added} added, {summary.replaced} replaced, {summary.updated} updated, "
               f"{summary.unchanged} unchanged, {len(skipped)} skipped; {total} documents in the index")


@index_group.command("query")
@index_argument
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="Output format.")
@click.option("--top-k", type=click.IntRange(1), default=10, show_default=True,
              help="At most this many matches per document of FILE.")
@click.option("--exclude", multiple=True, metavar="ID", help="Leave out this stored document (repeatable).")
@verify_options
def query(index_path: str, file: str, fmt: str, top_k: int, exclude: tuple[str, ...], **options: Any) -> None:
    """Find the stored articles that FILE (or standard input, '-') repeats, wholly or in part:
    an article of a stored page, or a stored article inside FILE's page.

    Prints each match with the stored document's id, both spans and the scores; --format json gives
    {"index", "results": [{"path", "matches": [{"doc_id", "doc_span", "doc_aligned", "query_span",
    "query_aligned", "similarity", "containment", "title", "metadata"}]}]}.

    Example: neardup index query archive.ndx new-article.html --format json
    """
    from neardup.archive.index import Index, Match
    from neardup.ingest import decode_bytes, parse_text, read_file

    with Index.open(index_path, _config(index_path, **options), readonly=True) as archive:
        if file == "-":
            text, encoding, errors = decode_bytes(sys.stdin.buffer.read(), "<stdin>")
            documents: list[Document | Skipped] = [
                parse_text("<stdin>", text, encoding=encoding, decode_errors=errors, config=archive.config)]
        else:
            documents = read_file(SourceFile(file, file, Path(file).stat().st_size), archive.config)
        results: list[tuple[str, list[Match]]] = []
        for doc in documents:
            if isinstance(doc, Skipped):  # a broken JSONL record: say so, query the others
                click.echo(f"skipped {doc.path}: {doc.reason}", err=True)
            else:
                results.append((doc.path, archive.query(doc, top_k=top_k, exclude=exclude)))
        if not results:
            raise InputError(file, "nothing to query: " + "; ".join(d.reason for d in documents if isinstance(d, Skipped)))
    if fmt == "json":
        data = {"index": index_path,
                "results": [{"path": path, "matches": [m.to_dict() for m in found]} for path, found in results]}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for path, found in results:
        click.echo(f"{path}: {len(found)} match{'es' if len(found) != 1 else ''}")
        for m in found:
            click.echo(f"  {m.containment:.2f} containment  {m.similarity:.2f} similarity  "
                       f"{m.doc_id} [{m.doc_span[0]}:{m.doc_span[1]}] {m.title or ''}".rstrip())
            click.echo(f"        ← {path} [{m.query_span[0]}:{m.query_span[1]}]")


@index_group.command("stats")
@index_argument
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="Output format.")
def stats(index_path: str, fmt: str) -> None:
    """Show how many documents and passages INDEX holds, its size on disk, format and settings.

    Example: neardup index stats archive.ndx --format json
    """
    from neardup.archive.index import Index

    with Index.open(index_path, readonly=True) as archive:
        data = archive.stats()
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    settings = data["fingerprint"]["settings"]
    click.echo(f"{data['path']}\n"
               f"  documents       {data['documents']}\n"
               f"  passages        {data['passages']}\n"
               f"  size on disk    {data['bytes_on_disk']:,} bytes "
               f"({data['bytes_per_document'] or 0:,} per document)\n"
               f"  format          {data['format_version']} (created by {data['created_by']})\n"
               f"  matching        {' '.join(f'{k}={v}' for k, v in settings.items())}\n"
               f"  tokenizer       {data['fingerprint']['tokenizer']}\n"
               f"  normalisation   {data['fingerprint']['normalization']}")


@index_group.command("remove")
@index_argument
@click.argument("ids", nargs=-1, required=True)
@timeout_option
def remove(index_path: str, ids: tuple[str, ...], timeout: float) -> None:
    """Remove the documents with these IDS from INDEX (ids not in the index are reported, not an
    error, so a cleanup job can run twice).

    Example: neardup index remove archive.ndx incoming/2024-05-01/retracted.txt
    """
    from neardup.archive.index import Index

    with Index.open(index_path, readonly=not os.path.exists(index_path), timeout=timeout) as archive:
        removed = archive.remove_many(ids)
        total = len(archive)
    missing = [i for i in ids if i not in set(removed)]
    if missing:
        click.echo(f"not in the index: {', '.join(missing)}", err=True)
    click.echo(f"{index_path}: {len(removed)} removed; {total} documents in the index")


@index_group.command("migrate")
@index_argument
@building_options
def migrate(index_path: str, **options: Any) -> None:
    """Bring INDEX up to date: upgrade an older index format in place, or rebuild every signature
    with new matching settings (or after a jieba upgrade changed its dictionary) from the texts the
    index stores; the original files are not needed. Run it while nothing else uses INDEX.

    Example: neardup index migrate archive.ndx --tokenizer rjieba
    """
    from neardup.archive.index import migrate as run_migrate

    for line in run_migrate(index_path, _config(index_path, **options)):
        click.echo(f"{index_path}: {line}")
