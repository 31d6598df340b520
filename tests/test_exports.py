from __future__ import annotations

import re
from pathlib import Path

import click

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
