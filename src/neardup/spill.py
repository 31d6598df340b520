"""A scan's documents and matching texts, kept on disk instead of in memory.

Everything after sketching needs only a few texts at a time (the two sides of a pair, the
members of one cluster), while keeping every decoded document and matching text in memory costs
~20 KB per article: 20 GB for a million. So the scan appends them to an unlinked temporary file
(nothing is left behind, even after a kill) and keeps offsets; an item is read back with
``os.pread`` when asked for, which also works unchanged in forked worker processes. The page
cache keeps recently used parts in memory when there is room; the process does not have to.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar, overload

from .errors import WorkspaceError
from .models import Document

__all__ = ["SpilledDocuments", "SpilledTexts"]

T = TypeVar("T")


class _Spill(Sequence[T]):
    """Items appended to a temporary file; ``_encode``/``_decode`` say how one item is stored."""

    def __init__(self, cached: int = 0) -> None:
        try:
            self._file = tempfile.TemporaryFile(prefix="neardup-")
        except OSError as exc:
            raise WorkspaceError(
                f"cannot create a temporary file in {tempfile.gettempdir()}: {exc.strerror or exc} "
                "(set TMPDIR to a writable folder with space for the scanned texts)"
            ) from exc
        self._fd = self._file.fileno()
        self._ends = array("q", [0])
        self._cache: OrderedDict[int, T] = OrderedDict()
        self._cached = cached

    def _encode(self, item: T) -> bytes:
        raise NotImplementedError

    def _decode(self, raw: bytes) -> T:
        raise NotImplementedError

    def extend(self, items: Iterable[T]) -> None:
        blobs = [self._encode(item) for item in items]
        data = b"".join(blobs)
        base = self._ends[-1]
        written = 0
        try:
            while written < len(data):
                written += os.pwrite(self._fd, data[written:], base + written)
        except OSError as exc:
            raise WorkspaceError(
                f"cannot write the scan's temporary file in {tempfile.gettempdir()}: {exc.strerror or exc} "
                "(set TMPDIR to a folder with more space)"
            ) from exc
        for blob in blobs:
            base += len(blob)
            self._ends.append(base)

    def __len__(self) -> int:
        return len(self._ends) - 1

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"item {index} of {len(self)}")
        if index in self._cache:
            self._cache.move_to_end(index)
            return self._cache[index]
        start, end = self._ends[index], self._ends[index + 1]
        item = self._decode(os.pread(self._fd, end - start, start))
        if self._cached:
            self._cache[index] = item
            if len(self._cache) > self._cached:
                self._cache.popitem(last=False)
        return item

    def __iter__(self) -> Iterator[T]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (to another process, or with the report), it travels as its items.
        return (tuple, (list(self),))

    def close(self) -> None:
        self._file.close()


class SpilledTexts(_Spill[str]):
    """Matching texts, stored as UTF-8."""

    def _encode(self, item: str) -> bytes:
        return item.encode("utf-8", "surrogatepass")

    def _decode(self, raw: bytes) -> str:
        return raw.decode("utf-8", "surrogatepass")


class SpilledDocuments(_Spill[Document]):
    """Documents, each pickled; the most recently read ones are kept (explanations read a
    cluster's canonical document once per member)."""

    def __init__(self) -> None:
        super().__init__(cached=256)

    def _encode(self, item: Document) -> bytes:
        return pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)

    def _decode(self, raw: bytes) -> Document:
        document: Document = pickle.loads(raw)
        return document
