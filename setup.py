"""Build hook: compile neardup's pure-Python hot spots with mypyc where a C compiler is at hand.

The modules listed in ``neardup._native.COMPILED`` are plain, strictly typed Python; mypyc turns
each into a C extension that imports in its place (HTML extraction, the largest share of a scan's
CPU, runs ~1.4x fewer instructions). Compiling is optional: without a compiler, when mypyc fails,
or with NEARDUP_PURE_PYTHON=1 set at build time, the same modules install as Python and give the
same results. At run time the package checks that the compiled modules were built from the
sources beside them (see ``neardup._native``).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import sys
from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent
PACKAGE = ROOT / "src" / "neardup"


def _compiled_modules() -> tuple[str, ...]:
    """neardup._native.COMPILED, read without importing the package (its dependencies may be absent)."""
    tree = ast.parse((PACKAGE / "_native.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "COMPILED" for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    raise RuntimeError("src/neardup/_native.py defines no COMPILED")


COMPILED = _compiled_modules()


def _record_sources() -> None:
    """Write the hashes of the sources being compiled, for the staleness check at import time."""
    digests = {name: hashlib.sha256((PACKAGE / f"{name}.py").read_bytes()).hexdigest() for name in COMPILED}
    (PACKAGE / "_native_sources.json").write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")


def _extensions() -> list[object]:
    if os.environ.get("NEARDUP_PURE_PYTHON"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("neardup: mypyc is not installed; installing the pure-Python modules", file=sys.stderr)
        return []
    os.chdir(ROOT)  # mypyc names modules by path relative to the working directory
    # The build environment holds numpy (its types) but not the other dependencies: check only
    # the compiled modules themselves; `mypy` with the project's strict settings checks the rest.
    config = ROOT / "build" / "mypyc.ini"
    config.parent.mkdir(exist_ok=True)
    config.write_text("[mypy]\nignore_missing_imports = True\nfollow_imports = silent\n")
    sources = [f"src/neardup/{name}.py" for name in COMPILED]
    try:
        extensions = mypycify([f"--config-file={config}", *sources], opt_level="3")
    except (Exception, SystemExit) as exc:  # mypyc exits on a type error it cannot compile past
        print(f"neardup: mypyc could not compile the stages ({exc!r}); installing the pure-Python modules",
              file=sys.stderr)
        return []
    for extension in extensions:
        extension.optional = True  # a failed compile falls back to the Python source, never fails the install
    _record_sources()
    return extensions


setup(ext_modules=_extensions())
