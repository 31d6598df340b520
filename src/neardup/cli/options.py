"""Command-line options made from :class:`~neardup.Config`'s fields (their help, type and range
live there), and the one place a library error about a setting is turned into one about a flag."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from neardup.config import Config, Setting, settings
from neardup.errors import ConfigError

__all__ = ["build_config", "flag", "setting_options", "usage_error"]

F = TypeVar("F", bound=Callable[..., Any])

_SHORT = {"jobs": "-j"}
_BY_NAME = {s.name: s for s in settings()}


def flag(name: str) -> str:
    """The option that sets ``Config.<name>``."""
    return "--" + name.replace("_", "-")


def _type(setting: Setting) -> click.ParamType[Any]:
    if setting.choices:
        return click.Choice(setting.choices)
    assert setting.low is not None and setting.high is not None
    if setting.kind is int:
        return click.IntRange(int(setting.low), int(setting.high))
    return click.FloatRange(setting.low, setting.high)


def _default(setting: Setting) -> str:
    value = setting.default
    return f"{value:,}" if isinstance(value, int) and value >= 10_000 else str(value)


def setting_options(*names: str, default_note: str | None = None) -> Callable[[F], F]:
    """A decorator adding one option per named setting (unset: ``None``, the library's default).
    ``default_note`` replaces the "Default: …" sentence of each help text."""
    options = []
    for name in names:
        setting = _BY_NAME[name]
        note = default_note or f"Default: {_default(setting)}."
        options.append(click.option(flag(name), *([_SHORT[name]] if name in _SHORT else []), name,
                                    type=_type(setting), default=None, help=f"{setting.help} {note}"))

    def apply(func: F) -> F:
        for option in reversed(options):
            func = option(func)
        return func

    return apply


def usage_error(exc: ConfigError) -> click.UsageError:
    """``exc`` as a usage error that names the flag of the setting at fault."""
    if exc.setting:
        return click.UsageError(f"{exc} ({flag(exc.setting)})")
    return click.UsageError(str(exc))


def build_config(base: Config | None = None, **options: Any) -> Config:
    """``base`` (default: the library's defaults) with the options that were given."""
    given = {k: v for k, v in options.items() if v is not None}
    try:
        return (base or Config()).replace(**given)
    except ConfigError as exc:
        raise usage_error(exc) from exc
