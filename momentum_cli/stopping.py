"""Stopping on SIGINT and SIGTERM: every ``with`` block cleans up, then one line and 130 or 143.

The handlers raise (``KeyboardInterrupt``, :class:`Terminated`) so that the
atomic writers of :mod:`numerics.output.files` remove their temporary files on the
way out. A library may swallow the exception in a bare ``except:`` (mpmath
does while it probes for gmpy at import), so until the command line has
caught it the signal is sent again every second; while the first exception
is still on its way out (a ``with`` block removing its temporary folder, or
waiting for a worker thread) the repeat does not interrupt it. Nor is a
signal raised inside importlib's own code: between its ``acquire_lock()`` and
the ``try`` that releases it, an exception leaves the import lock held and
every other thread's import waiting forever; it waits for the repeat.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

__all__ = ["Terminated", "stop_on_signals"]

_AGAIN_SECONDS = 1.0


class Terminated(BaseException):
    """SIGTERM, raised like ``KeyboardInterrupt`` (a ``BaseException``: ``except Exception`` passes it)."""


class stop_on_signals:
    """Install the handlers for the block (main thread only); restore the earlier ones after.

    Call :meth:`caught` as soon as the exception has reached the top: from
    then on a signal sent again is ignored.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._caught = False
        self._saved: dict[int, object] = {}
        self._unraisable = None
        #: the first signal received (``None``: none), for an interrupt a library re-raised
        #: as its own error (NumPy's import turns it into an ``ImportError``)
        self.received: int | None = None

    def __enter__(self) -> stop_on_signals:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._saved[sig] = signal.signal(sig, self._handler)
            self._unraisable = sys.unraisablehook
            sys.unraisablehook = self._unraisable_hook
        return self

    def _unraisable_hook(self, unraisable) -> None:
        # raised in a callback Python can only print (importlib's weakref callbacks): the
        # signal comes again within a second, and is raised then
        if not isinstance(unraisable.exc_value, (KeyboardInterrupt, Terminated)):
            self._unraisable(unraisable)

    def caught(self) -> None:
        with self._lock:
            self._caught = True

    def __exit__(self, *exc) -> bool:
        self.caught()
        for sig, handler in self._saved.items():
            # signal.signal first runs any pending handler (ours: a no-op now), then replaces it
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        if self._unraisable is not None:
            sys.unraisablehook = self._unraisable
        return False

    def _handler(self, signum, frame):
        if self._caught:
            return
        if self.received is None:
            self.received = signum
        timer = threading.Timer(_AGAIN_SECONDS, self._again, (signum,))
        timer.daemon = True
        timer.start()
        if isinstance(sys.exc_info()[1], (KeyboardInterrupt, Terminated)):
            return  # on its way out (a with block cleaning up, waiting for a thread): let it finish
        if frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
            # inside the import machinery's own locking: raised between its acquire_lock()
            # and the try that releases it, the global import lock stays held, and every
            # other thread's import (the report pool's starter) waits forever; the timer
            # sends the signal again in a second
            return
        raise KeyboardInterrupt if signum == signal.SIGINT else Terminated

    def _again(self, signum: int) -> None:
        with self._lock:  # kill delivers before it returns, so __exit__ sees it pending
            if not self._caught:
                os.kill(os.getpid(), signum)
