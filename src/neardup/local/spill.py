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
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any, TypeVar, overload

import numpy as np
import numpy.typing as npt

from neardup.errors import WorkspaceError
from neardup.models import Document

__all__ = ["SpilledDocuments", "SpilledRows", "SpilledTexts"]

T = TypeVar("T")


class _TempFile:
    """An unlinked temporary file written and read at explicit offsets (``pwrite``/``pread``:
    no shared file position, so forked workers can read it concurrently)."""

    def __init__(self) -> None:
        try:
            self._file = tempfile.TemporaryFile(prefix="neardup-")  # noqa: SIM115 (open for the scan's life)
        except OSError as exc:
            raise WorkspaceError(
                f"cannot create a temporary file in {tempfile.gettempdir()}: {exc.strerror or exc} "
                "(set TMPDIR to a writable folder with space for the scanned texts)"
            ) from exc
        self.fd = self._file.fileno()

    def write_at(self, data: bytes, offset: int) -> None:
        view = memoryview(data)
        written = 0
        try:
            while written < len(view):
                written += os.pwrite(self.fd, view[written:], offset + written)
        except OSError as exc:
            raise WorkspaceError(
                f"cannot write the scan's temporary file in {tempfile.gettempdir()}: {exc.strerror or exc} "
                "(set TMPDIR to a folder with more space)"
            ) from exc

    def read_at(self, size: int, offset: int) -> bytes:
        return os.pread(self.fd, size, offset)

    def read_into(self, buffer: memoryview, offset: int) -> None:
        done = 0
        while done < len(buffer):
            got = os.preadv(self.fd, [buffer[done:]], offset + done)
            if got == 0:
                raise WorkspaceError("the scan's temporary file was truncated while in use")
            done += got

    def close(self) -> None:
        self._file.close()


class _Spill(Sequence[T]):
    """Items appended to a temporary file; ``encode``/``_decode`` say how one item is stored
    (``encode`` is static, so a worker process can encode items for the parent's spill)."""

    def __init__(self, cached: int = 0) -> None:
        self._file = _TempFile()
        self._ends = array("q", [0])
        # Items never change once written, so a plain LRU of reads is always right.
        self._read: Callable[[int], T] = lru_cache(maxsize=cached)(self._read_item) if cached else self._read_item

    @staticmethod
    def encode(item: Any) -> bytes:
        raise NotImplementedError

    def _decode(self, raw: bytes) -> T:
        raise NotImplementedError

    def extend(self, items: Iterable[T]) -> None:
        self.extend_encoded([self.encode(item) for item in items])

    def extend_encoded(self, blobs: Sequence[bytes]) -> None:
        """Append items already encoded (by ``encode`` of this class, e.g. in a worker process)."""
        base = self._ends[-1]
        self._file.write_at(b"".join(blobs), base)
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
        return self._read(index)

    def _read_item(self, index: int) -> T:
        start, end = self._ends[index], self._ends[index + 1]
        return self._decode(self._file.read_at(end - start, start))

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

    @staticmethod
    def encode(item: str) -> bytes:
        return item.encode("utf-8", "surrogatepass")

    def _decode(self, raw: bytes) -> str:
        return raw.decode("utf-8", "surrogatepass")


class SpilledDocuments(_Spill[Document]):
    """Documents, each pickled; the most recently read ones are kept (explanations read a
    cluster's canonical document once per member)."""

    def __init__(self) -> None:
        super().__init__(cached=256)

    @staticmethod
    def encode(item: Document) -> bytes:
        return pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)

    def _decode(self, raw: bytes) -> Document:
        document: Document = pickle.loads(raw)
        return document


class SpilledRows:
    """Blocks of rows (workers' signatures) appended as they come and read back as one array:
    concatenating the blocks in memory would briefly hold every row twice."""

    def __init__(self, width: int, dtype: type[np.generic]) -> None:
        self._file = _TempFile()
        self._width, self._dtype = width, np.dtype(dtype)
        self._bytes = 0

    def append(self, rows: npt.NDArray[Any]) -> None:
        data = np.ascontiguousarray(rows, dtype=self._dtype).tobytes()
        self._file.write_at(data, self._bytes)
        self._bytes += len(data)

    def load(self) -> npt.NDArray[Any]:
        """Every row appended so far, as one ``(rows, width)`` array; the file is then released."""
        out = np.empty(self._bytes // self._dtype.itemsize, dtype=self._dtype)
        self._file.read_into(out.data.cast("B"), 0)
        self._file.close()
        return out.reshape(-1, self._width)
