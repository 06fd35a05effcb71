"""Atomic output that never loses what the user owns.

Files (:func:`write_text`, :func:`save_figure`) are written to a temporary
file beside the target and renamed over it (``os.replace`` is atomic on one
file system), so a failure leaves any earlier file intact. A symlink is
followed to its target; a special file (FIFO, device, socket) or a directory
is never replaced; a path ending in ``/`` is not a file name.

A report folder (:class:`atomic_directory`) is built in a temporary sibling
and carries a marker listing the files it holds (:mod:`numerics.output.marker`).
An existing folder is replaced only when it is empty or holds an unchanged
earlier report of this toolkit; anything else is refused.

Concurrency and kills. The swap of the new folder for the old one happens
under an exclusive ``flock`` on the parent folder itself (no lock file is
left behind), so two reports into one folder take turns and both finish. On
Linux the swap is a single ``renameat2(RENAME_EXCHANGE)`` (via ctypes): at
every instant the target holds the earlier or the new report. Where the
exchange is unsupported, the earlier report is first renamed aside to
``.momentum-old-<pid>-<random>`` and then the new one into place; a run killed
between the two renames is repaired by the next run, which moves the earlier
report back. What is swapped out must be the very folder that was checked
(same device and inode, opened without following a symlink): a folder
swapped for a symlink meanwhile is swapped back and refused, and a symlink's
target is never emptied. SIGINT and SIGTERM are held during the swap, and a
failure or signal anywhere else removes the temporary folder. What a SIGKILL
leaves is removed by the next write into the same folder, only when the
kernel says its run is gone (:mod:`numerics.output.temporaries`).
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import sys
from pathlib import Path

from numerics.output.marker import foreign_content, write_marker
from numerics.output.temporaries import (
    OLD_PREFIX,
    Temporary,
    clean_stale,
    locked,
    remove_folder,
    signals_held,
)
from theory.errors import MomentumError

__all__ = ["OutputError", "atomic_directory", "save_figure", "write_text"]

_REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EFBIG: "the file-size limit was reached",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.EMFILE: "too many open files (raise the limit with ulimit -n)",
}


class OutputError(MomentumError):
    """An output path cannot be written (the reason is in the message)."""


def _error(shown: str, exc: OSError) -> OutputError:
    reason = _REASONS.get(exc.errno, exc.strerror or str(exc))
    return OutputError(f"cannot write {shown!r}: {reason}")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def _check_name_lengths(real: Path, shown: str) -> None:
    """Refuse a too-long name before any work (the rename would fail at the very end)."""
    existing = next((p for p in (real, *real.parents) if os.path.exists(p)), Path("/"))
    try:
        limit = os.pathconf(existing, "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    for part in real.parts:
        if len(os.fsencode(part)) > limit:
            raise OutputError(
                f"cannot write {shown!r}: a name of {len(os.fsencode(part))} bytes is too long "
                f"(at most {limit})"
            )


def _stat(real: Path, shown: str) -> os.stat_result | None:
    try:
        return os.stat(real)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _error(shown, exc) from exc


def _spelling(path, what: str) -> str:
    """The path as the user spelled it, refused when no file system can hold it."""
    shown = os.fsdecode(os.fspath(path))
    if not shown:
        raise OutputError(f"the output {what} name is empty")
    if "\0" in shown:
        raise OutputError(f"the output {what} name {shown!r} contains a NUL character")
    try:
        os.fsencode(shown)
    except UnicodeEncodeError as exc:
        raise OutputError(
            f"the output {what} name {shown!r} cannot be encoded: {exc.reason}"
        ) from exc
    return shown


def _real(shown: str) -> Path:
    """The path with every symlink followed (relative to the current folder, which must exist)."""
    try:
        return Path(os.path.realpath(shown))
    except OSError as exc:  # getcwd fails when the current folder was removed
        raise OutputError(
            f"cannot write {shown!r}: the current folder is gone ({exc.strerror})"
        ) from exc


def _file_target(path) -> tuple[str, Path, os.stat_result | None]:
    """The user's spelling, the real path (symlinks followed) and its status, checked."""
    shown = _spelling(path, "file")
    if shown.endswith(("/", os.sep)) or os.path.basename(shown) in (".", ".."):
        raise OutputError(f"cannot write {shown!r}: it names a directory, not a file")
    real = _real(shown)
    _check_name_lengths(real, shown)
    st = _stat(real, shown)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"cannot write {shown!r}: it is a directory")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise OutputError(
            f"cannot write {shown!r}: it is a {_kind(st.st_mode)}, which the toolkit never replaces"
        )
    return shown, real, st


def _write_atomically(path, write) -> Path:
    shown, real, st = _file_target(path)
    temporary = None
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(real.parent)
        temporary = Temporary(real.parent, real.name)
        tmp = temporary.path / "content"  # never the marker's name, whatever the target's
        write(tmp)
        with open(tmp, "rb+") as fh:  # on disk before the rename: a crash keeps old or new
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode) if st else 0o666 & ~_umask())
        with signals_held():
            _file_target(path)  # a special file may have appeared meanwhile
            _put_file(tmp, real, st, shown)
    except OSError as exc:
        raise _error(shown, exc) from exc
    finally:
        if temporary is not None:
            temporary.remove()
    return Path(shown)


def _put_file(tmp: Path, real: Path, checked: os.stat_result | None, shown: str) -> None:
    """Move ``tmp`` to ``real`` if ``real`` is still what was checked (the same file, or none).

    A target swapped for a symlink (or another file) meanwhile is never replaced, nor
    the file it points to written: with the exchange, what was swapped out is compared
    with what was checked (device and inode, not followed) and swapped back otherwise;
    a target that did not exist is linked into place, which fails if anything appeared.
    """
    if checked is None:
        try:
            os.link(tmp, real)  # never replaces an entry made meanwhile
        except FileExistsError:
            raise OutputError(f"cannot write {shown!r}: {_SWAPPED_FILE}") from None
        except OSError:  # no hard links here (some file systems): the check just made stands
            os.replace(tmp, real)
        return
    identity = (checked.st_dev, checked.st_ino)
    if _exchange(tmp, real):
        if not _is(tmp, identity, stat.S_ISREG):  # tmp now holds what was swapped out
            _exchange(tmp, real)
            raise OutputError(f"cannot write {shown!r}: {_SWAPPED_FILE}")
        return
    if not _is(real, identity, stat.S_ISREG):
        raise OutputError(f"cannot write {shown!r}: {_SWAPPED_FILE}")
    os.replace(tmp, real)


def write_text(path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically.

    Parameters
    ----------
    path : str or os.PathLike
        The file; a symlink is followed to its target. ``'-'`` is an ordinary
        name here: the command line maps it to standard output.
    text : str

    Raises
    ------
    OutputError
        If the path is empty, ends with ``/``, names a directory or a special
        file, has a too-long name, or the write fails (disk full, file-size
        limit, permissions); any earlier file is then unchanged.
    """
    return _write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def save_figure(
    fig, path, dpi: int = 150, metadata: dict | None = None, bbox_inches: str | None = "tight"
) -> Path:
    """Save a matplotlib figure atomically; the format comes from the suffix.

    The same rules as :func:`write_text` apply; ``'-'`` is refused (a figure
    is not text for standard output). ``metadata`` goes to ``savefig``
    (``{"Date": None}`` keeps an SVG free of a date); ``bbox_inches=None``
    saves the figure at its own size (a constrained layout already fits it,
    and the "tight" box costs a second drawing).
    """
    shown = os.fsdecode(os.fspath(path))
    if shown == "-":
        raise OutputError("'-' (standard output) takes text only: a figure needs a file name")
    _file_target(path)  # an empty, special or too-long name: say so, not "unsupported format"
    fmt = Path(shown).suffix.lstrip(".").lower()
    supported = fig.canvas.get_supported_filetypes()
    if fmt not in supported:
        raise OutputError(
            f"'{shown}' has an unsupported figure format {fmt!r}: use one of {', '.join(sorted(supported))}"
        )
    return _write_atomically(
        path,
        lambda tmp: fig.savefig(
            tmp, format=fmt, dpi=dpi, bbox_inches=bbox_inches, metadata=metadata
        ),
    )


def _folder_target(shown: str) -> Path:
    shown = _spelling(shown, "folder")
    if shown == "-":
        raise OutputError("'-' (standard output) cannot hold a report folder: name a folder")
    if os.path.basename(shown.rstrip("/" + os.sep)) in ("", ".", ".."):
        raise OutputError(
            f"cannot write the report to {shown!r}: name its own folder "
            "(e.g. 'momentum-report'), not '.', '..' or '/'"
        )
    real = _real(shown)
    try:
        here = Path(os.getcwd())
    except OSError:  # the current folder was removed: no report can hold it
        here = None
    if here is not None and (real == here or real in here.parents):
        raise OutputError(f"cannot write the report to {shown!r}: it holds the current folder")
    _check_name_lengths(real, shown)
    st = _stat(real, shown)
    if st is not None and not stat.S_ISDIR(st.st_mode):
        raise OutputError(f"cannot write {shown!r}: it exists and is not a directory")
    return real


def _exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` in one step (Linux ``renameat2``); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


class atomic_directory:
    """Build a report folder in a temporary sibling and move it into place on success.

    The target must not exist, be empty, or hold an unchanged earlier report
    of this toolkit (see :mod:`numerics.output.marker`); otherwise
    :class:`OutputError` is raised before any work and nothing is touched.
    On an exception inside the block the temporary folder is removed and the
    earlier folder stays; an ``OSError`` (disk full, file-size limit) becomes
    an :class:`OutputError`. See the module docstring for concurrency.

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_directory(root / "out") as d:
    ...     _ = (d / "a.txt").write_text("hi")
    >>> sorted(p.name for p in (root / "out").iterdir())
    ['.momentum-report', 'a.txt']
    """

    def __init__(self, path) -> None:
        self.shown = os.fsdecode(os.fspath(path))
        self.target = Path(self.shown)
        self.temporary: Temporary | None = None

    def _refuse(self, reason: str) -> None:
        raise OutputError(
            f"refusing to replace {self.shown!r}: {reason}; "
            "choose another --output folder or move it away"
        )

    def _refuse_foreign(self, folder: Path) -> None:
        reason = foreign_content(folder)
        if reason is not None:
            self._refuse(reason)

    def __enter__(self) -> Path:
        self.target = _folder_target(self.shown)
        parent = self.target.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            with locked(parent):  # another run may be swapping the target right now
                if os.path.lexists(self.target):
                    self._refuse_foreign(self.target)
            clean_stale(parent)
            self.temporary = Temporary(parent, self.target.name)
            return self.temporary.path
        except BaseException as exc:
            if self.temporary is not None:  # a signal held while it was made arrives here
                self.temporary.remove()
            if isinstance(exc, OSError):
                raise _error(self.shown, exc) from exc
            raise

    def _checked(self) -> tuple[int, int]:
        """Device and inode of the folder at the target now, opened without following a symlink."""
        try:
            fd = os.open(self.target, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                self._refuse(_SWAPPED)
            raise
        try:
            st = os.fstat(fd)
        finally:
            os.close(fd)
        return st.st_dev, st.st_ino

    def _swap(self) -> Path | None:
        """Put the new folder in place; returns where the earlier one now is."""
        target, tmp = self.target, self.temporary.path
        if not os.path.lexists(target):
            os.rename(tmp, target)  # rename(2) never replaces a non-empty folder
            return None
        checked = self._checked()
        self._refuse_foreign(target)
        if _exchange(tmp, target):
            old, undo = tmp, lambda: _exchange(tmp, target)
        else:
            old = target.with_name(f"{OLD_PREFIX}{os.getpid()}-{secrets.token_hex(4)}")
            os.rename(target, old)
            if not _is(old, checked):  # swapped for another entry since it was checked
                os.rename(old, target)
                self._refuse(_SWAPPED)
            try:
                os.rename(tmp, target)
            except OSError:
                os.rename(old, target)
                raise

            def undo():
                os.rename(target, tmp)
                os.rename(old, target)

        # What was checked and what was swapped out are not one step: were the folder swapped
        # for a symlink, or a file added meanwhile, swap back (the new report is removed).
        if not _is(old, checked):
            undo()
            self._refuse(_SWAPPED)
        reason = foreign_content(old)
        if reason is not None:
            undo()
            self._refuse(reason)
        return old

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None:
            self.temporary.remove()
            if isinstance(exc, OSError):
                raise _error(self.shown, exc) from exc
            return False
        tmp = self.temporary.path
        try:
            write_marker(tmp, self.target.name, complete=True)
            for root, _, files in os.walk(tmp):
                for name in files:  # on disk before the swap: a crash keeps old or new
                    with open(os.path.join(root, name), "rb") as fh:
                        os.fsync(fh.fileno())
            os.chmod(tmp, 0o777 & ~_umask())
            with signals_held():
                with locked(self.target.parent):
                    old = self._swap()
                # before a signal held meanwhile arrives (as this block ends): the earlier
                # report, set aside by the swap, is never left behind
                if old is not None:
                    remove_folder(old)
                self.temporary.close()
        except BaseException as failure:
            self.temporary.remove()
            if isinstance(failure, OSError):
                raise _error(self.shown, failure) from failure
            raise
        return False


_SWAPPED = "it was swapped for a symlink or another entry while the report was built"
_SWAPPED_FILE = "it was swapped for a symlink or another entry while the file was written"


def _is(path: Path, checked: tuple[int, int], kind=stat.S_ISDIR) -> bool:
    """Whether ``path`` (not followed) is the very folder (or ``kind``) whose device and inode
    were checked."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return kind(st.st_mode) and (st.st_dev, st.st_ino) == checked
