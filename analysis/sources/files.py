"""Facts about input files: what kind a datafile is, and each file's SHA-256 and line count.

Kind is decided by content, never by extension (docs/workspace.md): the 16-byte SQLite header means a
``pfdata`` datafile, anything else is read as the console's Export Users CSV. Hashing and line counting
share one pass over each file and run on a background thread while the loader works, so a 1 GB snapshot
costs no extra wall time (hashlib releases the GIL on large blocks).
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import UserError

SQLITE_HEADER = b"SQLite format 3\x00"
_BLOCK = 4 << 20


def datafile_kind(path: Path) -> str:
    """``'pfdata'`` for a SQLite file, ``'csv'`` otherwise; a missing or empty file is a UserError."""
    if not path.exists():
        raise UserError(
            f"The datafile {path} does not exist. Give the path of PhoneFactor.pfdata (or a copy), "
            "or of the console's Export Users CSV."
        )
    if not path.is_file():
        raise UserError(
            f"The datafile {path} is not a file. Give the path of PhoneFactor.pfdata (or a copy), "
            "or of the console's Export Users CSV."
        )
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise UserError(
            f"The datafile {path} cannot be read ({exc.strerror}). Check its permissions."
        ) from None
    if not head:
        raise UserError(
            f"The datafile {path} is empty. Copy PhoneFactor.pfdata again, or export the users "
            "from the MFA Server console (File > Export Users)."
        )
    return "pfdata" if head == SQLITE_HEADER else "csv"


@dataclass(frozen=True)
class FileFacts:
    """One pass over a file: its SHA-256 (lower-case hex), size and number of lines."""

    sha256: str
    size: int
    lines: int  # newline characters, plus one for a last line without a newline


def file_facts(path: Path) -> FileFacts:
    digest = hashlib.sha256()
    size = lines = 0
    last = b""
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
            size += len(block)
            lines += block.count(b"\n")
            last = block[-1:]
    if size and last != b"\n":
        lines += 1
    return FileFacts(digest.hexdigest(), size, lines)


class FactsPool:
    """Computes :class:`FileFacts` for files in the background, in the order they were asked for."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="file-facts")
        self._futures: dict[Path, Future[FileFacts]] = {}

    def submit(self, path: Path) -> None:
        if path not in self._futures:
            self._futures[path] = self._pool.submit(file_facts, path)

    def get(self, path: Path) -> FileFacts:
        self.submit(path)
        return self._futures[path].result()

    def close(self) -> None:
        for future in self._futures.values():
            future.cancel()
        self._pool.shutdown(wait=True)
