"""Which build of the compiled stages is running, and a guard against stale builds.

``setup.py`` compiles the modules in :data:`COMPILED` with mypyc where it can and records the
SHA-256 of each source it compiled in ``_native_sources.json``. A compiled module imports in place
of its source, so after an edit to one of these sources (a development checkout installed with
``pip install -e .``) the old build would keep running unseen. :func:`select_build` runs before any
of them is imported. When the record does not match the sources, when only some modules were
built, when the build cannot be loaded, or when ``NEARDUP_PURE_PYTHON`` is set, all of them are
loaded from source instead (all, because compiled modules of one build call each other natively,
past ``sys.modules``), with a RuntimeWarning saying why unless the variable asked for it.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from pathlib import Path
from types import ModuleType

__all__ = ["COMPILED", "compiled", "select_build"]

# In dependency order: each is loaded after the modules it imports. setup.py compiles these.
COMPILED = ("htmlparse", "htmltext", "normalize", "segment", "difftext", "explain")
_PACKAGE = __name__.rpartition(".")[0]
_HERE = Path(__file__).resolve().parent
_RECORD = _HERE / "_native_sources.json"

_state: dict[str, bool] = {}


def compiled() -> bool:
    """True when the compiled stages are in use (for reports and benchmarks)."""
    return _state.get("compiled", False)


def _built(name: str) -> bool:
    return any((_HERE / f"{name}{suffix}").exists() for suffix in importlib.machinery.EXTENSION_SUFFIXES)


def _recorded_sources_match() -> bool:
    try:
        recorded = json.loads(_RECORD.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return all(
        recorded.get(name) == hashlib.sha256((_HERE / f"{name}.py").read_bytes()).hexdigest() for name in COMPILED
    )


def _load_sources(package: ModuleType) -> None:
    modules = []
    for name in COMPILED:
        spec = importlib.util.spec_from_file_location(f"{_PACKAGE}.{name}", _HERE / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        # Registered before any runs, so that no relative import reaches a compiled twin.
        sys.modules[spec.name] = module
        modules.append((name, module, spec.loader))
    for name, module, loader in modules:
        loader.exec_module(module)
        setattr(package, name, module)


def _fall_back(package: ModuleType, why: str) -> None:
    warnings.warn(
        f"neardup: {why}; running the Python sources instead (slower). "
        "Rebuild with `pip install -e .` (or reinstall).",
        RuntimeWarning,
        stacklevel=4,
    )
    _load_sources(package)


def select_build(package: ModuleType) -> None:
    """Choose compiled or source modules for the package being imported; call once, first."""
    if _state:
        return
    _state["compiled"] = False
    built = [name for name in COMPILED if _built(name)]
    if not built:
        return
    if os.environ.get("NEARDUP_PURE_PYTHON"):
        _load_sources(package)
    elif len(built) < len(COMPILED):
        missing = ", ".join(name for name in COMPILED if name not in built)
        _fall_back(package, f"the compiled modules in {_HERE} are incomplete (no build of {missing})")
    elif not _recorded_sources_match():
        _fall_back(package, f"the compiled modules in {_HERE} were not built from the sources beside them")
    else:
        try:
            for name in COMPILED:
                importlib.import_module(f"{_PACKAGE}.{name}")
        except ImportError as exc:  # e.g. a library of the build missing or made for another Python
            for name in COMPILED:
                sys.modules.pop(f"{_PACKAGE}.{name}", None)
            _fall_back(package, f"the compiled modules in {_HERE} cannot be loaded ({exc})")
        else:
            _state["compiled"] = True
