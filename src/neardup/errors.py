"""The exceptions neardup raises.

Every error a user can act on derives from one root, so callers can catch ``NeardupError``
and print its message. Children also subclass the built-in that fits their meaning::

    NeardupError
    ├── ConfigError (ValueError)          a setting is out of range or unknown
    ├── InputError (ValueError)           a file or record cannot be used; names the file and why
    │   └── DecodeError (UnicodeError)    the bytes are not text in any supported encoding
    ├── IndexFormatError (RuntimeError)   an on-disk index was built differently or is damaged
    ├── IndexLockedError (TimeoutError)   another process is writing to the index
    ├── WorkspaceError (OSError)          the scan cannot write its temporary files (space, TMPDIR)
    ├── WorkerError (RuntimeError)        a worker process died (killed, often for lack of memory)
    └── MissingDependencyError (ImportError)  an optional extra is not installed; gives the pip command
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DecodeError",
    "IndexFormatError",
    "IndexLockedError",
    "InputError",
    "MissingDependencyError",
    "NeardupError",
    "WorkerError",
    "WorkspaceError",
]


class NeardupError(Exception):
    """Root of every error neardup raises on purpose."""


class ConfigError(NeardupError, ValueError):
    """A setting is out of range, of the wrong type, or unknown. ``setting`` names the
    :class:`~neardup.Config` field at fault, where there is one (a CLI names its flag from it)."""

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


class InputError(NeardupError, ValueError):
    """A file or record cannot be used. ``path`` names it, ``reason`` says why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class DecodeError(InputError, UnicodeError):
    """The bytes are not text in any encoding neardup supports."""


class IndexFormatError(NeardupError, RuntimeError):
    """An on-disk index has another format version or matching fingerprint, or is damaged."""


class IndexLockedError(NeardupError, TimeoutError):
    """Another process holds the index's write lock for longer than the timeout."""


class WorkspaceError(NeardupError, OSError):
    """The scan cannot write its temporary files (no space, no writable temporary folder)."""


class WorkerError(NeardupError, RuntimeError):
    """A worker process died in the middle of its work (killed by a signal, or it crashed)."""


class MissingDependencyError(NeardupError, ImportError):
    """An optional dependency is missing; the message gives the exact install command."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"{package} is needed for this feature but is not installed: "
            f'pip install "neardup[{extra}]"'
        )
        self.package = package
        self.extra = extra
