"""Matplotlib's environment for a command that draws: the Agg backend and a usable cache.

The command line always draws with Agg into files, so ``MPLBACKEND`` (a
bogus value made matplotlib raise at import) is set to ``agg``. Where the
folders matplotlib would keep its configuration and cache in cannot be made
or written (a read-only or missing ``HOME``, a bad ``MPLCONFIGDIR``),
matplotlib falls back to a temporary folder of its own and says so in three
lines on stderr, in every process that imports it (the report's workers
too), and builds its font cache afresh in each. Instead the command gives it
a private cache quietly, before anything imports matplotlib: a folder of
this user's in the temporary directory, kept between runs so the font cache
is built once (a fresh temporary one, removed at exit, if that one cannot be
trusted). Every child process inherits the setting.

Nothing here imports matplotlib.
"""

from __future__ import annotations

import atexit
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path

from momentum_cli.errors import UsageError

__all__ = ["prepare_matplotlib"]


def _matplotlib_folders() -> list[Path | None]:
    """The folders matplotlib would use (its ``get_configdir`` and ``get_cachedir``); None: no home."""
    if os.environ.get("MPLCONFIGDIR"):
        return [Path(os.environ["MPLCONFIGDIR"])]
    try:
        home = Path.home()
    except RuntimeError:
        home = None
    if sys.platform.startswith(("linux", "freebsd")):
        config = os.environ.get("XDG_CONFIG_HOME") or (home and home / ".config")
        cache = os.environ.get("XDG_CACHE_HOME") or (home and home / ".cache")
        return [base and Path(base, "matplotlib") for base in (config, cache)]
    return [home and home / ".matplotlib"]


def _usable(folder: Path | None) -> bool:
    """Matplotlib's own test: the folder can be made, is a folder, and can be written."""
    if folder is None:
        return False
    try:
        folder = folder.resolve()
        folder.mkdir(parents=True, exist_ok=True)
    except (OSError, RuntimeError):
        return False
    return folder.is_dir() and os.access(folder, os.W_OK)


def _private_cache() -> str:
    """A cache folder only this user can write, kept between runs; else a fresh one removed at exit."""
    uid = os.geteuid() if hasattr(os, "geteuid") else 0
    folder = Path(tempfile.gettempdir(), f"momentum-matplotlib-{uid}")
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        st = os.lstat(folder)
        if (
            stat.S_ISDIR(st.st_mode)
            and st.st_uid == uid
            and not st.st_mode & 0o077
            and os.access(folder, os.W_OK)
        ):
            return str(folder)
    except OSError:
        pass
    try:  # another user's, a symlink, or not writable: not to be trusted
        fresh = tempfile.mkdtemp(prefix="momentum-matplotlib-")
    except OSError as exc:
        raise UsageError(
            "momentum: error: matplotlib needs a writable folder for its cache and none can be "
            f"made ({exc.strerror or exc}): set MPLCONFIGDIR to a writable folder"
        ) from exc
    atexit.register(shutil.rmtree, fresh, ignore_errors=True)
    return fresh


def prepare_matplotlib() -> None:
    """Set ``MPLBACKEND`` and, where matplotlib's folders are unusable, ``MPLCONFIGDIR``."""
    os.environ["MPLBACKEND"] = "agg"
    if "matplotlib" in sys.modules:  # already imported (a caller's process): its choice stands
        return
    if not all(_usable(folder) for folder in _matplotlib_folders()):
        os.environ["MPLCONFIGDIR"] = _private_cache()
