"""Atomic file output: a file is written completely or not at all.

Everything goes to a temporary file in the target's directory first and is
then renamed over the target (``os.replace`` is atomic on one file system),
so a failure leaves any earlier file intact and no half-written one behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from theory.errors import MomentumError

__all__ = ["OutputError", "atomic_directory", "save_figure", "write_text"]


class OutputError(MomentumError):
    """An output path cannot be written."""


def _temp_in(directory: Path, suffix: str) -> Path:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=suffix)
    except OSError as exc:
        raise OutputError(f"cannot write in {str(directory)!r}: {exc.strerror or exc}") from exc
    os.close(fd)
    return Path(name)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _commit(tmp: Path, target: Path) -> None:
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; give the usual mode
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {str(target)!r}: {exc.strerror or exc}") from exc


def write_text(path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"cannot write {str(target)!r}: it is a directory")
    tmp = _temp_in(target.parent if str(target.parent) else Path("."), target.suffix)
    try:
        tmp.write_text(text, encoding="utf-8")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _commit(tmp, target)
    return target


def save_figure(fig, path, dpi: int = 150) -> Path:
    """Save a matplotlib figure atomically; the format comes from the suffix."""
    target = Path(path)
    fmt = target.suffix.lstrip(".").lower()
    supported = fig.canvas.get_supported_filetypes()
    if fmt not in supported:
        raise OutputError(
            f"'{target}' has an unsupported figure format {fmt!r}: use one of {', '.join(sorted(supported))}"
        )
    if target.is_dir():
        raise OutputError(f"cannot write {str(target)!r}: it is a directory")
    tmp = _temp_in(target.parent if str(target.parent) else Path("."), target.suffix)
    try:
        fig.savefig(tmp, format=fmt, dpi=dpi, bbox_inches="tight")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _commit(tmp, target)
    return target


class atomic_directory:
    """Build a directory in a temporary sibling and move it into place on success.

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_directory(root / "out") as d:
    ...     _ = (d / "a.txt").write_text("hi")
    >>> sorted(p.name for p in (root / "out").iterdir())
    ['a.txt']
    """

    def __init__(self, path) -> None:
        self.target = Path(path)

    def __enter__(self) -> Path:
        if self.target.exists() and not self.target.is_dir():
            raise OutputError(
                f"cannot write {str(self.target)!r}: it exists and is not a directory"
            )
        parent = self.target.parent if str(self.target.parent) else Path(".")
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self.tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{self.target.name}-tmp-"))
        except OSError as exc:
            raise OutputError(f"cannot write in {str(parent)!r}: {exc.strerror or exc}") from exc
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return False
        old = None
        if self.target.exists():
            old = self.target.with_name(f".{self.target.name}-old-{os.getpid()}")
            os.replace(self.target, old)
        try:
            os.chmod(self.tmp, 0o777 & ~_umask())
            os.replace(self.tmp, self.target)
        except OSError as exc:
            if old is not None:
                os.replace(old, self.target)
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise OutputError(f"cannot write {str(self.target)!r}: {exc.strerror or exc}") from exc
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return False
