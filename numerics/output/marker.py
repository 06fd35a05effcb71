"""The mark a report folder carries: which files the toolkit wrote, and their digests.

A folder is replaced by a new report only when it is empty or when it holds
exactly what an earlier run wrote: the marker file lists every file with its
SHA-256, so a note the user added, or a file the user edited, makes the folder
the user's and the toolkit refuses to replace it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import stat
from pathlib import Path

__all__ = [
    "MARKER",
    "MAX_MARKER_BYTES",
    "foreign_content",
    "plain_name",
    "read_marker",
    "write_marker",
]

MARKER = ".momentum-report"
_TOOLKIT = "momentum-theory"


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    # no symlink followed, no FIFO waited on: what was listed as a file may have changed since
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with open(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""  # never a digest: a file of ours changed into something else
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _walk(folder: Path):
    """Yield ``(relative path, lstat)`` of every entry below ``folder``, lazily.

    Each folder's entries come (sorted) before anything below them, so a
    caller that stops at the first entry it does not expect never lists the
    rest of the tree. No symlink is followed; a folder that cannot be listed
    raises (``os.walk`` would skip it, and an unreadable folder would look empty).
    """
    pending = [""]
    while pending:
        below = pending.pop()
        with os.scandir(folder / below if below else folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
        for entry in entries:
            rel = f"{below}/{entry.name}" if below else entry.name
            st = entry.stat(follow_symlinks=False)
            yield rel, st
            if stat.S_ISDIR(st.st_mode):
                pending.append(rel)


def write_marker(folder: Path, target_name: str, complete: bool) -> None:
    """Write the marker of ``folder``; with ``complete`` it lists every file and its digest.

    An incomplete marker (written when a build starts) names a folder the
    toolkit is building, so a stale one left by a killed run may be removed.
    """
    files = None
    if complete:
        files = {
            rel: _digest(folder / rel)
            for rel, st in _walk(folder)
            if stat.S_ISREG(st.st_mode) and rel != MARKER
        }
    record = {"toolkit": _TOOLKIT, "target": target_name, "files": files}
    (folder / MARKER).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", "utf-8")


#: the most a marker of ours can take (a report of thousands of files); anything longer is not ours
MAX_MARKER_BYTES = 1 << 20
#: how deep a marker of ours nests: the record, and its ``files`` inside it
_MAX_DEPTH = 2
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(rb"[^\[\]{}]")
_INNERMOST = re.compile(rb"\{\}|\[\]")
_DIGEST = re.compile(r"[0-9a-f]{64}")


def _nesting_within(data: bytes, depth: int) -> bool:
    """Whether the JSON text ``data`` nests at most ``depth`` deep (checked before parsing it)."""
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", data))
    for _ in range(depth):  # each pass removes the innermost pairs
        brackets = _INNERMOST.sub(b"", brackets)
    return not brackets


def _read_prefix(path: Path, limit: int) -> bytes | None:
    """At most ``limit + 1`` bytes of the regular file ``path`` (None: not a regular file).

    Opened without following a symlink and without blocking (a FIFO is never
    waited on), so a crafted entry answers at once.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def plain_name(name) -> bool:
    """Whether ``name`` is one entry's name (no separator, not ``.`` or ``..``, nothing odd)."""
    return (
        isinstance(name, str)
        and name not in ("", ".", "..")
        and "/" not in name
        and "\0" not in name
        and len(name.encode("utf-8", "surrogatepass")) <= 255
    )


def _valid(record) -> bool:
    """Whether ``record`` is exactly what :func:`write_marker` writes."""
    if not isinstance(record, dict) or set(record) != {"toolkit", "target", "files"}:
        return False
    if record["toolkit"] != _TOOLKIT or not plain_name(record["target"]):
        return False
    files = record["files"]
    if files is None:
        return True
    return isinstance(files, dict) and all(
        all(plain_name(part) for part in rel.split("/"))
        and isinstance(digest, str)
        and _DIGEST.fullmatch(digest) is not None
        for rel, digest in files.items()
    )


def read_marker(folder: Path) -> dict | None:
    """The marker record of ``folder``, or None when it has none the toolkit wrote.

    Only a bounded prefix is read, its nesting is checked before it is parsed,
    and the record must have exactly the marker's shape: a crafted, huge or
    deeply nested marker, or another program's file of the same name, is None.
    """
    try:
        data = _read_prefix(folder / MARKER, MAX_MARKER_BYTES)
    except OSError:
        return None
    if data is None or len(data) > MAX_MARKER_BYTES or not _nesting_within(data, _MAX_DEPTH):
        return None
    try:
        record = json.loads(data.decode("utf-8"))
    except ValueError:  # not UTF-8, not JSON
        return None
    return record if _valid(record) else None


def foreign_content(folder: Path) -> str | None:
    """Why ``folder`` is not the toolkit's to replace, or None when it is.

    It is the toolkit's when it is empty, or when it holds exactly the files
    its complete marker lists, each unchanged. The answer comes from the first
    entry that is not the toolkit's: a folder without a marker is refused after
    one listing, however large its tree (``/usr``). A folder that cannot be
    read is refused, never counted as empty.
    """
    try:
        entries = _walk(folder)
        first = next(entries, None)
        if first is None:
            return None
        record = read_marker(folder)
        files = record["files"] if record else None
        if files is None:
            return f"it is not empty and holds no report of this toolkit (no {MARKER} file)"
        ancestors = {p.rsplit("/", k)[0] for p in files for k in range(1, p.count("/") + 1)}
        for rel, st in itertools.chain([first], entries):
            if rel == MARKER:
                continue
            if stat.S_ISDIR(st.st_mode) and rel in ancestors:
                continue
            if rel not in files or not stat.S_ISREG(st.st_mode):
                return f"it holds {rel!r}, which the toolkit did not write"
            if _digest(folder / rel) != files[rel]:
                return f"{rel!r} was changed after the toolkit wrote it"
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    return None  # files of the report the user deleted are no loss: replacing it is fine
