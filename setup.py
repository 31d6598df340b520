"""Build hook: compile neardup's pure-Python hot spots with mypyc where a C compiler is at hand.

The modules listed in ``neardup._native.COMPILED`` are plain, strictly typed Python; mypyc turns
each into a C extension that imports in its place (HTML extraction, the largest share of a scan's
CPU, runs ~1.4x fewer instructions; the difference summaries take ~17% less time). Compiling is
optional: without a compiler, when mypyc fails, or with NEARDUP_PURE_PYTHON=1 set at build time,
the same modules install as Python and give the same results. At run time the package checks that
the compiled modules were built from the sources beside them (see ``neardup._native``).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
PACKAGE = ROOT / "src" / "neardup"
RECORD = "_native_sources.json"  # read by neardup._native


def _compiled_modules() -> tuple[str, ...]:
    """neardup._native.COMPILED, read without importing the package (its dependencies may be absent)."""
    tree = ast.parse((PACKAGE / "_native.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "COMPILED" for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    raise RuntimeError("src/neardup/_native.py defines no COMPILED")


COMPILED = _compiled_modules()


class _BuildExt(build_ext):
    """build_ext that records the SHA-256 of the source of each compiled module it did build.

    The record is rewritten from what this build produced, not from what it set out to build: a
    module whose (optional) extension failed to compile is left out, so an older build of it that
    is still on disk cannot pass for a build of the current source.
    """

    def run(self) -> None:
        self._built: dict[str, str] = {}
        super().run()
        record = json.dumps(self._built, indent=1, sort_keys=True) + "\n"
        targets = {PACKAGE / RECORD}
        if not self.inplace:  # a wheel: the package being built, not only the source tree
            targets.add(Path(self.build_lib) / "neardup" / RECORD)
        for target in targets:
            if target.parent.is_dir():
                target.write_text(record)

    def build_extension(self, ext: Extension) -> None:
        super().build_extension(ext)  # raises when it fails; build_ext skips it if optional
        package, _, name = ext.name.rpartition(".")
        if package == "neardup" and name in COMPILED:
            self._built[name] = hashlib.sha256((PACKAGE / f"{name}.py").read_bytes()).hexdigest()


def _extensions() -> list[Extension]:
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
    return extensions


setup(ext_modules=_extensions(), cmdclass={"build_ext": _BuildExt})
