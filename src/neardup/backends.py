"""Execution backends for a scan. ``local`` runs in this process and its workers; ``spark`` runs the
same stage functions on Apache Spark (optional extra ``neardup[spark]``, imported only when asked)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from neardup.errors import ConfigError

__all__ = ["BACKENDS", "get_backend"]

BACKENDS = ("local", "spark")


def get_backend(name: str) -> Callable[..., Any]:
    """The scan function of backend ``name``; an unknown name is an error naming the choices."""
    if name == "local":
        from neardup.local.pipeline import scan

        return scan
    if name == "spark":
        from neardup.spark.backend import scan_spark

        backend: Callable[..., Any] = scan_spark
        return backend
    raise ConfigError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")
