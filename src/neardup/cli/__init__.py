"""The ``neardup`` command: a thin layer that turns options into a ``Config``, calls the library and
renders the result. Errors become one line on stderr and an exit code: 0 done (even with skipped
files), 1 failure, 2 bad usage, 130 interrupted."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable
from typing import Any

import click

from neardup._version import __version__
from neardup.cli.options import build_config, flag, setting_options
from neardup.errors import ConfigError, InputError, NeardupError
from neardup.report import FORMATS, write_output

__all__ = ["cli", "main"]

# Settings every command that matches text takes.
matching_options = setting_options("threshold", "tokenizer", "jobs", "max_file_bytes", "max_doc_chars")


def emit(content: str | Iterable[str], output: str | None) -> None:
    if output:
        write_output(output, content)
    else:
        for piece in [content] if isinstance(content, str) else content:
            click.echo(piece, nl=False)


def _progress_bar() -> tuple[Any, Callable[[str, int, int], None]] | tuple[None, None]:
    if not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=True)
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(f"{stage} files", total=total)
        bar.update(tasks[stage], completed=done)

    return bar, update


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="neardup")
def cli() -> None:
    """Find near-duplicate Chinese news articles, cluster the versions of each story and explain how
    they differ.

    Example: neardup scan examples/karamay
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
              show_default=True, help="Report format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write the report to this file (atomically) instead of standard output.")
@click.option("--explain", is_flag=True, default=False,
              help="Attach the full list of differences to every cluster member.")
@click.option("--index", "index_path", type=click.Path(dir_okay=False), default=None,
              help="Also check the files against this archive index (see `neardup index`); adds "
                   "archive_matches to the report.")
@click.option("--backend", type=click.Choice(("local", "spark")), default="local", show_default=True,
              help="Where to run: this machine, or Apache Spark (needs neardup[spark]).")
@click.option("--spark-master", default="local[*]", show_default=True,
              help="Spark master URL for --backend spark.")
@matching_options
def scan(paths: tuple[str, ...], fmt: str, output: str | None, explain: bool, index_path: str | None,
         backend: str, spark_master: str, **options: Any) -> None:
    """Find every version of every story in PATHS (files or folders, read recursively).

    Files: .txt .md .markdown .html .htm .jsonl, in UTF-8/UTF-16/GB18030/Big5. Prints a summary by
    default; --format json gives the documented report (spans into the original files).

    Example: neardup scan archive/ --format json --output report.json
    """
    from neardup.local.pipeline import scan as run_scan
    from neardup.report import stream_report

    config = build_config(explain=explain, **options)
    with contextlib.ExitStack() as stack:
        archive = None
        if index_path is not None:
            from neardup.archive.index import Index

            # Matching settings must agree with the index's; a mismatch is an error naming the flag.
            archive = stack.enter_context(Index.open(index_path, config=config, readonly=True))
        if backend == "spark":
            from neardup.archive.index import attach_archive_matches
            from neardup.backends import get_backend

            report = get_backend("spark")(list(paths), config, master=spark_master)
            if archive is not None:
                report = attach_archive_matches(report, archive)
        else:
            bar, progress = _progress_bar()
            with bar if bar is not None else contextlib.nullcontext():
                report = run_scan(list(paths), config, progress=progress, archive=archive)
        stack.callback(report.close)
        color = output is None and fmt == "text" and sys.stdout.isatty()
        emit(stream_report(report, fmt, color=color), output)


@cli.command()
@click.argument("a")
@click.argument("b")
@click.option("--format", "fmt", type=click.Choice(("text", "json", "html")), default="text",
              show_default=True, help="text: the changes in their context; json: every difference with "
                                      "offsets; html: both versions side by side.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write to this file (atomically) instead of standard output.")
@click.option("--all-kinds", is_flag=True, default=False,
              help="Also show layout, width and script differences (text and HTML hide them by default; "
                   "JSON always lists them).")
@click.option("--side-by-side", is_flag=True, default=False,
              help="Text format: A's and B's context in two columns instead of one line per change.")
def diff(a: str, b: str, fmt: str, output: str | None, all_kinds: bool, side_by_side: bool) -> None:
    """Explain how version B differs from version A, change by change.

    A and B are files, or passages of them as PATH:START-END (offsets into the decoded text, as in
    scan reports; a JSONL record is FILE.jsonl#ID). Files are read as a scan reads them: encoding
    detected, the article extracted from a web page. Each change is classified as wording, number,
    ocr (look-alike characters), punctuation, or cosmetic: script (traditional/simplified), width
    (full/half-width) or layout.

    Example: neardup diff page.txt:33-1953 repost.html --format html --output diff.html
    """
    from neardup.diff.classify import KINDS, SUBSTANTIVE_KINDS, explain_sources, load_source

    source_a, source_b = load_source(a), load_source(b)
    explanation = explain_sources(source_a, source_b)
    kinds = KINDS if all_kinds else tuple(k for k in KINDS if k in SUBSTANTIVE_KINDS)
    if fmt == "json":
        from neardup.report.diff_text import render_diff_json

        content = render_diff_json(explanation, a_label=a, b_label=b)
    elif fmt == "html":
        from neardup.report.html import render_diff_html

        content = render_diff_html(explanation, a, b, source_a.document.text, source_b.document.text,
                                   a_blocks=source_a.document.blocks, b_blocks=source_b.document.blocks,
                                   all_kinds=all_kinds)
    else:
        from neardup.report.diff_text import render_diff_text

        color = output is None and sys.stdout.isatty()
        content = render_diff_text(explanation, source_a.document.text, source_b.document.text, a_label=a,
                                   b_label=b, kinds=kinds, side_by_side=side_by_side, color=color)
    emit(content, output)


def _register_subcommands() -> None:
    # Command groups that live beside their library module.
    from neardup.cli.index import index_group

    cli.add_command(index_group)


_register_subcommands()


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the CLI and maps errors to exit codes."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        cli.main(args=argv, prog_name="neardup", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("neardup: interrupted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("neardup: interrupted", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except NeardupError as exc:
        where = f" ({flag(exc.setting)})" if isinstance(exc, ConfigError) and exc.setting else ""
        click.echo(f"neardup: error: {exc}{where}", err=True)
        # An InputError that reaches here is about a command-line argument (a path that does not
        # exist); bad files inside a scan are skipped and reported, never raised.
        sys.exit(2 if isinstance(exc, (ConfigError, InputError)) else 1)
    except BrokenPipeError:
        sys.exit(1)
    sys.exit(0)
