from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

import neardup
from neardup.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def test_public_api_is_deliberate_and_sorted() -> None:
    assert neardup.__all__ == sorted(neardup.__all__)
    for name in neardup.__all__:
        assert hasattr(neardup, name), name
    assert not [n for n in neardup.__all__ if n.startswith("_") and n != "__version__"]


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, command in sorted(group.commands.items()):
        out.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            out.extend(_commands(command, f"{prefix}{name} "))
    return out


def test_every_command_has_help_with_an_example_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in _commands(cli):
        assert command.help and command.help.strip(), name
        if not isinstance(command, click.Group):
            assert "Example" in command.help, f"{name}: help ends with an example"
        assert re.search(rf"neardup {re.escape(name)}\b", readme), f"`neardup {name}` is not in README.md"


def test_every_module_is_reached_by_its_dotted_name() -> None:
    # ``import neardup.a.b as m`` walks attributes: a name a package re-exports (neardup.explain,
    # the function) must not hide one of its modules.
    import importlib
    import pkgutil
    from functools import reduce

    names = [m.name for m in pkgutil.walk_packages(neardup.__path__, "neardup.") if not m.name.endswith("__main__")]
    assert "neardup.diff.sides" in names and "neardup.html.lexer" in names
    for name in names:
        if name.startswith("neardup.spark"):
            pytest.importorskip("pyspark")
        module = importlib.import_module(name)
        assert reduce(getattr, name.split(".")[1:], neardup) is module, name


def test_no_module_imports_a_private_name_of_another() -> None:
    private = re.compile(r"^\s*from (neardup\.[\w.]+) import ([^\n(]*(?:\([^)]*\))?)", re.M)
    for path in (ROOT / "src" / "neardup").rglob("*.py"):
        for module, names in private.findall(path.read_text(encoding="utf-8")):
            for imported in re.findall(r"\b(\w+)\b(?:\s+as\s+\w+)?", names.strip("()")):
                if imported == "as":
                    continue
                assert not imported.startswith("_") or imported == "__version__", f"{path.name}: {module}.{imported}"
