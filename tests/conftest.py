from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "karamay"
SHARED = ROOT.parent / "shared"
PAGE = "000_d34669d20b084ef3.txt"
REPOST = "001_807e1903ea0d3845.txt"


@pytest.fixture()
def karamay(tmp_path: Path) -> Path:
    """A private copy of the example folder (tests may add files to it)."""
    target = tmp_path / "karamay"
    shutil.copytree(EXAMPLES, target)
    return target


def karamay_span(text: str) -> tuple[int, int]:
    start = text.index("## 克拉玛依高新区")
    end_marker = "推动克拉玛依高新区经济高质量发展。"
    return start, text.index(end_marker) + len(end_marker)
