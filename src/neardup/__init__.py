"""neardup: find near-duplicate Chinese news articles at passage level, cluster the versions of each
story, and explain how they differ.

    >>> import neardup
    >>> report = neardup.scan(["examples/karamay"])
    >>> [len(c.members) for c in report.clusters]
    [2]
"""

from __future__ import annotations

from neardup._version import __version__
from neardup.archive.index import Index, Match
from neardup.config import Config
from neardup.diff.classify import Difference, Explanation, diff_files, explain
from neardup.errors import (
    ConfigError,
    DecodeError,
    IndexFormatError,
    IndexLockedError,
    InputError,
    MissingDependencyError,
    NeardupError,
    WorkerError,
    WorkspaceError,
)
from neardup.local.pipeline import scan
from neardup.models import Cluster, Document, Member, Pair, Passage, Report, Skipped

__all__ = [
    "Cluster",
    "Config",
    "ConfigError",
    "DecodeError",
    "Difference",
    "Document",
    "Explanation",
    "Index",
    "IndexFormatError",
    "IndexLockedError",
    "InputError",
    "Match",
    "Member",
    "MissingDependencyError",
    "NeardupError",
    "Pair",
    "Passage",
    "Report",
    "Skipped",
    "WorkerError",
    "WorkspaceError",
    "__version__",
    "diff_files",
    "explain",
    "scan",
]
