"""Plot neardup's throughput against corpus size from a full benchmark run.

    python benchmarks/plot.py                                   # results/full.json → docs/throughput.png
    python benchmarks/plot.py RESULTS.json --output OUT.png

The scaling series (the same kind of corpus at 1x, 4x, 16x) is drawn as throughput against corpus
size; the tokenizer modes measured on the main corpus, the segmenters alone and the baseline script
are drawn as reference lines. Throughput is end to end as issue 6 defines it: files in, clusters
out, ``explain`` excluded (it runs after clustering and is reported apart).

matplotlib is a benchmark-only dependency, not one of neardup's: install it into the environment
that runs this script (``pip install matplotlib``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_RESULTS = HERE / "results" / "full.json"
DEFAULT_OUTPUT = HERE.parent / "docs" / "throughput.png"

_COLOURS = {"rjieba": "#1f77b4", "char": "#2ca02c", "jieba": "#d62728"}


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise SystemExit("benchmarks/plot.py needs matplotlib (a benchmark-only tool, not a neardup "
                         "dependency): pip install matplotlib") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _throughput(row: dict[str, Any]) -> float:
    """End-to-end MB/s without explain; results written before that field existed fall back to all of it."""
    return float(row.get("mb_per_s_without_explain", row["mb_per_s"]))


def plot(results: dict[str, Any], output: Path) -> None:
    """Draw ``results`` (``benchmarks/run.py``'s JSON, full mode) into the PNG ``output``."""
    scaling = results.get("scaling") or []
    if not scaling:
        raise SystemExit("no scaling series in the results: run benchmarks/run.py in full mode first")
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(11, 5), dpi=120)
    sizes = [row["mb"] for row in scaling]
    tokenizer = scaling[0].get("tokenizer", "rjieba")
    ax.plot(sizes, [_throughput(row) for row in scaling], "o-", color=_COLOURS.get(tokenizer, "black"),
            linewidth=2, label=f"neardup, {tokenizer}: scaling series (1x, 4x, 16x)")
    for row in scaling:
        seconds = row.get("seconds_without_explain", row["seconds"])
        ax.annotate(f"{row['factor']}x: {seconds:.0f} s\n{row['peak_rss_mb']:.0f} MB RSS", (row["mb"], _throughput(row)),
                    textcoords="offset points", xytext=(0, -24), ha="center", fontsize=7)

    corpus_mb = results["corpus"]["mb"]
    for name, measured in results.get("neardup", {}).items():
        value = _throughput(measured)
        colour = _COLOURS.get(name, "grey")
        ax.axhline(value, color=colour, linestyle="--", linewidth=1,
                   label=f"neardup, {name}, {corpus_mb:g} MB: {value:.2f} MB/s, "
                         f"F1 {measured['quality']['overall']['f1']:.3f}")
        ax.plot([corpus_mb], [value], "s", color=colour)
    for name in ("jieba", "rjieba"):
        alone = results.get(f"{name}_tokenize_only")
        if alone:
            ax.axhline(alone["mb_per_s"], color=_COLOURS.get(name, "grey"), linestyle=":", linewidth=1,
                       label=f"{name} alone on the same files and cores: {alone['mb_per_s']:.2f} MB/s")
    base = results["baseline"]
    subset = base.get("subset")
    where = f"{subset['mb']:g} MB prefix" if subset else f"{corpus_mb:g} MB"
    ax.axhline(base["mb_per_s"], color="black", linestyle="-.", linewidth=1,
               label=f"baseline jieba + datasketch script, {where}: {base['mb_per_s']:.2f} MB/s, "
                     f"F1 {base['quality']['overall']['f1']:.3f}")
    ax.margins(x=0.1)

    ax.set_xscale("log")
    ax.set_yscale("log")
    plain = plt.FuncFormatter(lambda value, _: f"{value:g}")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(plain)
        axis.set_minor_formatter(plain)
    ax.tick_params(which="minor", labelsize=7)
    ax.set_xlabel("corpus size (MB)")
    ax.set_ylabel("throughput (MB/s), files in → clusters out")
    machine = results.get("machine", {})
    ax.set_title(f"neardup end to end (explain excluded), {results.get('jobs')} jobs on {machine.get('cores')} cores "
                 f"(seed {results.get('seed')})", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    fig.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="?", type=Path, default=DEFAULT_RESULTS, help="benchmark JSON (full mode)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="PNG to write")
    args = parser.parse_args(argv)
    if not args.results.is_file():
        raise SystemExit(f"{args.results} not found: run benchmarks/run.py (full mode) first")
    plot(json.loads(args.results.read_text(encoding="utf-8")), args.output)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
