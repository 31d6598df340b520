"""The compiled build (setup.py compiles some stages with mypyc) against the Python sources."""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import neardup
from neardup import _native

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(neardup.__file__).resolve().parent

# Runs in a child process: every stage the compiled modules take part in, on a labelled corpus
# holding all the variants (HTML pages, OCR pages, traditional copies, mixed encodings ...).
_FINGERPRINT = r"""
import hashlib, json, sys
from pathlib import Path
import neardup
from neardup import _native
from neardup.htmltext import extract_article
from neardup.ingest import decode_bytes
folder = Path(sys.argv[1])
digest = hashlib.sha256()
for path in sorted(folder.rglob("*")):
    if path.suffix in {".html", ".htm", ".shtml"}:
        try:
            text = decode_bytes(path.read_bytes(), str(path))[0]
        except neardup.DecodeError:
            continue
        article = extract_article(text)
        digest.update(repr((article.title, article.date, article.blocks, article.boilerplate)).encode())
report = neardup.scan([folder], neardup.Config(tokenizer="char", jobs=1, explain=True)).to_dict()
report.pop("stats")
digest.update(json.dumps(report, ensure_ascii=False, sort_keys=True).encode())
print(json.dumps({"compiled": _native.compiled(), "digest": digest.hexdigest(), "clusters": len(report["clusters"])}))
"""


def _fingerprint(folder: Path, *, pure: bool) -> dict[str, object]:
    env = dict(os.environ)
    env.pop("NEARDUP_PURE_PYTHON", None)
    if pure:
        env["NEARDUP_PURE_PYTHON"] = "1"
    out = subprocess.run([sys.executable, "-c", _FINGERPRINT, str(folder)], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.skipif(not _native.compiled(), reason="neardup is installed without its compiled modules")
def test_compiled_modules_give_the_python_sources_results(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("neardup_benchmarks_corpus_native", ROOT / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    corpus = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = corpus
    spec.loader.exec_module(corpus)
    corpus.generate(tmp_path / "corpus", size_mb=1.0, seed=5)
    shutil.copytree(ROOT / "examples" / "karamay", tmp_path / "corpus" / "karamay")

    compiled = _fingerprint(tmp_path / "corpus", pure=False)
    pure = _fingerprint(tmp_path / "corpus", pure=True)

    assert compiled["compiled"] is True and pure["compiled"] is False
    assert compiled["clusters"] == pure["clusters"] and int(str(compiled["clusters"])) > 10
    assert compiled["digest"] == pure["digest"]


def _copy_package(target: Path) -> Path:
    package = target / "neardup"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyd",
                                                                    "_native_sources.json"))
    return package


def _import_in(path: Path) -> subprocess.CompletedProcess[str]:
    code = ("import neardup, neardup.htmltext as h; from neardup import _native; "
            "print(_native.compiled(), h.__file__); print(len(neardup.scan([sys.argv[1]]).clusters))")
    env = dict(os.environ, PYTHONPATH=str(path))
    env.pop("NEARDUP_PURE_PYTHON", None)
    return subprocess.run([sys.executable, "-c", "import sys; " + code, str(ROOT / "examples" / "karamay")],
                          env=env, capture_output=True, text=True, cwd=path)


def _fake_package(target: Path, record: str | None) -> Path:
    """A copy of the package whose builds are files that no Python can load, with a record of
    the sources as ``record`` says: "matching" them, "stale" (another source), or None (absent)."""
    package = _copy_package(target)
    for name in _native.COMPILED:
        (package / f"{name}{importlib.machinery.EXTENSION_SUFFIXES[0]}").write_bytes(b"not a library")
    if record is not None:
        digests = {
            name: hashlib.sha256(b"an older source" if record == "stale" else (package / f"{name}.py").read_bytes())
            .hexdigest()
            for name in _native.COMPILED
        }
        (package / "_native_sources.json").write_text(json.dumps(digests))
    return package


def test_builds_not_made_from_the_sources_beside_them_are_not_run(tmp_path: Path) -> None:
    _fake_package(tmp_path, "stale")

    result = _import_in(tmp_path)

    assert result.returncode == 0, result.stderr
    assert "were not built from the sources beside them" in result.stderr
    compiled, module_file = result.stdout.splitlines()[0].split()
    assert compiled == "False" and module_file.endswith("htmltext.py")
    assert result.stdout.splitlines()[1] == "1"


def test_builds_without_a_record_of_their_sources_are_not_run(tmp_path: Path) -> None:
    _fake_package(tmp_path, None)

    result = _import_in(tmp_path)

    assert result.returncode == 0, result.stderr
    assert "were not built from the sources beside them" in result.stderr
    assert result.stdout.splitlines()[0].startswith("False")


def test_a_build_matching_its_sources_is_loaded_and_one_that_cannot_load_falls_back(tmp_path: Path) -> None:
    package = _fake_package(tmp_path, "matching")

    result = _import_in(tmp_path)

    # The record matched, so the (fake) libraries were what Python tried to load; they fail, and
    # the scan still runs, on the sources.
    assert result.returncode == 0, result.stderr
    assert "cannot be loaded" in result.stderr
    assert result.stdout.splitlines() == ["False " + str(package / "htmltext.py"), "1"]


def test_an_incomplete_build_is_not_run(tmp_path: Path) -> None:
    package = _fake_package(tmp_path, "matching")
    (package / f"segment{importlib.machinery.EXTENSION_SUFFIXES[0]}").unlink()

    result = _import_in(tmp_path)

    assert result.returncode == 0, result.stderr
    assert "are incomplete (no build of segment)" in result.stderr
    assert result.stdout.splitlines()[0].startswith("False")


def test_pure_python_can_be_forced_at_run_time(tmp_path: Path) -> None:
    _fake_package(tmp_path, "matching")
    code = "import neardup.htmltext as h; from neardup import _native; print(_native.compiled(), h.__file__)"
    env = dict(os.environ, PYTHONPATH=str(tmp_path), NEARDUP_PURE_PYTHON="1")

    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False" and result.stdout.split()[1].endswith("htmltext.py")
    assert "were not built" not in result.stderr
