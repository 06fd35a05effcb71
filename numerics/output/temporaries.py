"""The toolkit's temporary names: holding signals while one is made, cleaning up after kills.

A temporary file or folder is named ``.momentum-tmp-<pid>-<random>``; an
earlier report moved aside during a swap (where the one-step exchange is
unsupported) ``.momentum-old-<pid>-<random>``. A run killed with SIGKILL
leaves them behind; :func:`clean_stale` removes them on the next write into
the same folder, only those of processes that are gone, and a folder only
when it carries the toolkit's marker (or is empty).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import threading
from pathlib import Path

from numerics.output.marker import MARKER, read_marker

__all__ = ["OLD_PREFIX", "TEMP_PREFIX", "clean_stale", "remove_folder", "signals_held"]

TEMP_PREFIX = ".momentum-tmp-"
OLD_PREFIX = ".momentum-old-"
_OWNED = re.compile(r"\.momentum-(tmp|old)-(\d+)-[a-z0-9_]{8}")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def remove_folder(folder: Path) -> None:
    """Remove a folder of the toolkit's, its marker last (a half-removed one stays recognisable)."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name == MARKER:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        (folder / MARKER).unlink(missing_ok=True)
        folder.rmdir()


def clean_stale(parent: Path) -> None:
    """Remove what killed runs left in ``parent``: only the toolkit's names, only of dead processes."""
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return
    for entry in entries:
        match = _OWNED.fullmatch(entry.name)
        if match is None or _pid_alive(int(match[2])):
            continue
        path = Path(entry.path)
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                if match[1] == "tmp":
                    path.unlink()
                continue
            if not entry.is_dir(follow_symlinks=False):
                continue
            record = read_marker(path)
            if record is None:
                if not any(os.scandir(path)):  # killed before its marker was written
                    path.rmdir()
                continue
            name = record.get("target")
            target = parent / name if isinstance(name, str) else None
            plain = target is not None and name not in ("", ".", "..") and "/" not in name
            if match[1] == "old" and plain and record.get("files") is not None:
                if not os.path.lexists(target):  # killed between the two renames: restore
                    os.rename(path, target)
                    continue
            remove_folder(path)


@contextlib.contextmanager
def signals_held():
    """Hold SIGINT and SIGTERM until the block ends, then deliver them (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    saved = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(sig)
        if handler is not None:  # None: installed outside Python, cannot be restored
            saved[sig] = handler
            signal.signal(sig, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        for sig in dict.fromkeys(caught):
            signal.raise_signal(sig)
