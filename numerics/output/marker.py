"""The mark a report folder carries: which files the toolkit wrote, and their digests.

A folder is replaced by a new report only when it is empty or when it holds
exactly what an earlier run wrote: the marker file lists every file with its
SHA-256, so a note the user added, or a file the user edited, makes the folder
the user's and the toolkit refuses to replace it.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

__all__ = ["MARKER", "foreign_content", "read_marker", "write_marker"]

MARKER = ".momentum-report"
_TOOLKIT = "momentum-theory"


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _walk(folder: Path):
    """Yield ``(relative path, lstat)`` of every entry below ``folder`` (no symlinks followed)."""
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            full = Path(root) / name
            yield full.relative_to(folder).as_posix(), os.lstat(full)


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


def read_marker(folder: Path) -> dict | None:
    """The marker record of ``folder``, or None when it has no valid one."""
    path = folder / MARKER
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        record = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("toolkit") != _TOOLKIT:
        return None
    return record


def foreign_content(folder: Path) -> str | None:
    """Why ``folder`` is not the toolkit's to replace, or None when it is.

    It is the toolkit's when it is empty, or when it holds exactly the files
    its complete marker lists, each unchanged.
    """
    entries = dict(_walk(folder))
    if not entries:
        return None
    record = read_marker(folder)
    files = record.get("files") if record else None
    if not isinstance(files, dict):
        return f"it is not empty and holds no report of this toolkit (no {MARKER} file)"
    ancestors = {p.rsplit("/", k)[0] for p in files for k in range(1, p.count("/") + 1)}
    for rel, st in sorted(entries.items()):
        if rel == MARKER:
            continue
        if stat.S_ISDIR(st.st_mode) and rel in ancestors:
            continue
        if rel not in files or not stat.S_ISREG(st.st_mode):
            return f"it holds {rel!r}, which the toolkit did not write"
        if _digest(folder / rel) != files[rel]:
            return f"{rel!r} was changed after the toolkit wrote it"
    return None  # files of the report the user deleted are no loss: replacing it is fine
