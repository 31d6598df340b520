"""Golden files for the text and JSON renderings of the Karamay diff.

A rendering that changes on purpose is regenerated with

    NEARDUP_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden_reports.py

and the new files under tests/golden/ are reviewed like code.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EXAMPLES, PAGE, REPOST, karamay_span
from neardup.diff.classify import KINDS, Explanation, Source, explain_sources, load_source
from neardup.report.diff_text import render_diff_json, render_diff_text

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("NEARDUP_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def karamay() -> tuple[Explanation, Source, Source]:
    page = (EXAMPLES / PAGE).read_bytes().decode("utf-8")
    start, end = karamay_span(page)
    a = load_source(f"{EXAMPLES / PAGE}:{start}-{end}")
    b = load_source(str(EXAMPLES / REPOST))
    return explain_sources(a, b), a, b


# Labels are fixed so that the golden files do not depend on where the checkout lives.
A_LABEL, B_LABEL = f"{PAGE}:33-1953", REPOST
Render = Callable[[Explanation, Source, Source], str]
RENDERINGS: dict[str, Render] = {
    "karamay_diff.txt": lambda ex, a, b: render_diff_text(
        ex, a.document.text, b.document.text, a_label=A_LABEL, b_label=B_LABEL),
    "karamay_diff_all_kinds.txt": lambda ex, a, b: render_diff_text(
        ex, a.document.text, b.document.text, a_label=A_LABEL, b_label=B_LABEL, kinds=KINDS),
    "karamay_diff_side_by_side.txt": lambda ex, a, b: render_diff_text(
        ex, a.document.text, b.document.text, a_label=A_LABEL, b_label=B_LABEL, side_by_side=True),
    "karamay_diff.json": lambda ex, a, b: render_diff_json(ex, a_label=A_LABEL, b_label=B_LABEL),
}


@pytest.mark.parametrize("name", sorted(RENDERINGS))
def test_rendering_matches_its_golden_file(name: str, karamay: tuple[Explanation, Source, Source]) -> None:
    assert karamay[1].start == 33 and karamay[1].end == 1953, "the label above names this span"
    rendered = RENDERINGS[name](*karamay)
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(rendered, encoding="utf-8", newline="")
    if not path.exists():
        pytest.fail(f"{path} is missing; create it with NEARDUP_UPDATE_GOLDEN=1")
    expected = path.read_bytes().decode("utf-8")
    assert rendered == expected, f"{name} changed; if on purpose, regenerate with NEARDUP_UPDATE_GOLDEN=1"
