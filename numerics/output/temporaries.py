"""The toolkit's temporary folders: made and locked, held through signals, cleaned after kills.

Every write goes through a temporary folder beside its target, named
``.momentum-tmp-<pid>-<random>``: a file is written inside it and renamed
into place; a report is built in it and swapped in. An earlier report moved
aside during a swap (where the one-step exchange is unsupported) is named
``.momentum-old-<pid>-<random>``.

Liveness. The folder's marker (:mod:`numerics.output.marker`) is created and
locked (``flock``) before its content is written, and the run holds that lock
until it ends; the kernel releases it with the process, whatever kills it.
A run killed with SIGKILL leaves its folder behind; :func:`clean_stale`
removes it on the next write into the same parent, and only when

- it is a real folder (not a symlink) of this user, named as above;
- it carries a marker the toolkit wrote (a folder without one is foreign);
- the marker's lock can be taken: no live run holds it.

The process id in the name decides nothing: in another PID namespace (a
container) or on a file system shared with other machines it names some
other process. An earlier report found aside whose report folder is gone is
moved back (a run killed between the two renames of a swap); one holding a
file its marker does not list is left alone. Anything else with a name like
ours (a file, a FIFO, a symlink, another user's folder, a folder of notes) is
left alone and stops no run.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
from pathlib import Path

from numerics.output.marker import MARKER, foreign_content, read_marker, write_marker

__all__ = [
    "OLD_PREFIX",
    "TEMP_PREFIX",
    "Temporary",
    "clean_stale",
    "locked",
    "remove_folder",
    "signals_held",
]

TEMP_PREFIX = ".momentum-tmp-"
OLD_PREFIX = ".momentum-old-"
_OURS = re.compile(r"\.momentum-(tmp|old)-\d{1,20}-[a-z0-9_]{8}")
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)

try:
    import fcntl
except ImportError:  # no flock (Windows): no run can tell a dead leftover, so none is removed
    fcntl = None

#: (device, inode) of this process's own temporaries, never probed: on a network file
#: system flock is emulated with POSIX locks, which closing any descriptor would drop
_OWN: set[tuple[int, int]] = set()


@contextlib.contextmanager
def locked(folder: Path):
    """An exclusive ``flock`` on ``folder`` itself, held for the block.

    Swaps into the folder and the cleanup of its leftovers take turns under
    it (no lock file is left behind).
    """
    if fcntl is None:  # writers are not serialised
        yield
        return
    fd = os.open(folder, os.O_RDONLY | _CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


class Temporary:
    """A temporary folder in ``parent``, its marker locked until :meth:`close`.

    The marker names ``target`` (the file or folder it will become) and is
    incomplete; the folder is made with SIGINT and SIGTERM held, so it is
    never left unmarked by a signal.
    """

    def __init__(self, parent: Path, target: str) -> None:
        self._fd = None
        try:
            self._make(parent, target)
        except BaseException:
            # a signal held while the folder was made arrives as the held block ends, still
            # in here: the caller never gets this Temporary to remove
            if self._fd is not None:
                self.remove()
            raise

    def _make(self, parent: Path, target: str) -> None:
        with signals_held():
            self.path = Path(tempfile.mkdtemp(dir=parent, prefix=f"{TEMP_PREFIX}{os.getpid()}-"))
            try:
                self._fd = os.open(
                    self.path / MARKER,
                    os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | _CLOEXEC,
                    0o644,
                )
                if (
                    fcntl is not None
                ):  # locked before it says it is ours: no cleaner sees it unlocked
                    fcntl.flock(self._fd, fcntl.LOCK_EX)
                write_marker(self.path, target, complete=False)
                st = os.lstat(self.path)
                self._id = (st.st_dev, st.st_ino)
                _OWN.add(self._id)
            except BaseException:
                self.close()
                with contextlib.suppress(OSError):
                    os.unlink(self.path / MARKER)
                with contextlib.suppress(OSError):
                    os.rmdir(self.path)
                raise

    def remove(self) -> None:
        """Release the lock and remove the folder (what is in it too).

        Released first: a run at its limit of open files needs that descriptor
        to remove the folder, and a cleaner that takes the lock meanwhile only
        removes the same folder of ours.
        """
        with signals_held():
            self.close()
            remove_folder(self.path)

    def close(self) -> None:
        """Release the lock (the folder, wherever it now is, is no longer a live run's)."""
        if self._fd is not None:
            _OWN.discard(getattr(self, "_id", None))
            os.close(self._fd)
            self._fd = None


def remove_folder(folder: Path) -> None:
    """Remove a folder of the toolkit's, its marker last (a half-removed one stays recognisable).

    A symlink is never followed, at the top or below: a folder swapped for a
    symlink is left as it is, and the symlink's target untouched.
    """
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _CLOEXEC)
        try:
            with os.scandir(fd) as listing:
                entries = list(listing)
            for entry in entries:
                if entry.name == MARKER:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.name, ignore_errors=True, dir_fd=fd)
                else:
                    os.unlink(entry.name, dir_fd=fd)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(MARKER, dir_fd=fd)
        finally:
            os.close(fd)
        os.rmdir(folder)


def _lock_if_dead(folder: Path) -> int | None:
    """A shared lock on the marker of ``folder`` when no live run holds it, else None."""
    if fcntl is None:
        return None
    try:
        fd = os.open(folder / MARKER, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | _CLOEXEC)
    except OSError:
        return None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return fd
    except OSError:  # EWOULDBLOCK: a live run holds it; anything else: cannot tell
        pass
    os.close(fd)
    return None


def _ours(entry: os.DirEntry) -> bool:
    """Named like ours, a real folder, of this user, not one of this process's live ones."""
    if _OURS.fullmatch(entry.name) is None:
        return False
    try:
        st = entry.stat(follow_symlinks=False)
    except OSError:
        return False
    return (
        stat.S_ISDIR(st.st_mode)
        and st.st_uid == os.geteuid()
        and (st.st_dev, st.st_ino) not in _OWN
    )


def _clean(parent: Path, folder: Path) -> None:
    fd = _lock_if_dead(folder)
    if fd is None:  # no marker file, or a live run's
        return
    try:
        record = read_marker(folder)
        if record is None:  # another program's file of the same name
            return
        complete = record["files"] is not None
        if complete and foreign_content(folder) is not None:  # a file the toolkit did not write
            return
        target = parent / record["target"]
        if folder.name.startswith(OLD_PREFIX) and complete and not os.path.lexists(target):
            os.rename(folder, target)  # killed between the two renames of a swap: move it back
            return
        remove_folder(folder)
    finally:
        os.close(fd)


def clean_stale(parent: Path) -> None:
    """Remove (or move back) what killed runs left in ``parent``; leave everything else alone."""
    try:
        with locked(parent):  # not in the middle of a live run's swap
            with os.scandir(parent) as listing:
                entries = [e for e in listing if _ours(e)]
            for entry in entries:
                with contextlib.suppress(OSError):
                    _clean(parent, Path(entry.path))
    except OSError:  # a parent that cannot be listed or locked holds nothing to clean
        return


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
