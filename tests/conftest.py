from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

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


def load_benchmark(name: str) -> ModuleType:
    """A script of benchmarks/ (not a package), loaded by path under an unambiguous name, once."""
    module_name = f"neardup_benchmarks_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, ROOT / "benchmarks" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module
