"""Independent jobs on every core: a process pool that starts at once while the caller works on.

A job is a picklable zero-argument callable (a ``functools.partial`` of a
module-level function; one that cannot be pickled, such as a local
function, runs in the caller instead). :class:`Jobs` submits them all on entry, in the order
given (put the longest first); the caller does its own work meanwhile and
collects the results with :meth:`Jobs.results`. Work the jobs share is done
once, before they start, and handed to each worker by ``initializer``; the
modules the jobs need are imported once, by the fork server (``preload``).

On an error, or on Ctrl-C / SIGTERM in the caller, the jobs not yet started
are cancelled and the running ones finish before the block exits (so no
worker writes into a folder that is being removed). Workers ignore SIGINT:
the caller alone decides to stop.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

__all__ = ["Jobs", "workers"]


def workers(jobs: int) -> int:
    """Processes to use for ``jobs`` jobs: one per core, at most one per job."""
    return max(1, min(jobs, os.cpu_count() or 1))


def _picklable(job) -> bool:
    try:
        pickle.dumps(job)
    except (pickle.PicklingError, TypeError, AttributeError):
        return False
    return True


def _start_worker(initializer, initargs) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if initializer is not None:
        initializer(*initargs)


class Jobs:
    """Run ``jobs`` in worker processes (or here, one after another, on a single core)."""

    def __init__(
        self,
        jobs: Sequence[Callable],
        initializer: Callable | None = None,
        initargs=(),
        preload: Sequence[str] = (),
    ) -> None:
        self._jobs = list(jobs)
        self._init = (initializer, tuple(initargs))
        self._preload = list(preload)
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list[Future | None] = []

    def __enter__(self) -> Jobs:
        n = workers(len(self._jobs))
        if n > 1:
            # never a plain fork of this process: a lock another thread holds would stay
            # locked in the child. A fork server is a fresh process that imports the
            # modules named in ``preload`` once and forks the workers from there.
            if "forkserver" in multiprocessing.get_all_start_methods():
                context = multiprocessing.get_context("forkserver")
                if self._preload:
                    context.set_forkserver_preload(self._preload)
            else:
                context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                n, mp_context=context, initializer=_start_worker, initargs=self._init
            )
            self._futures = [
                self._pool.submit(job) if _picklable(job) else None for job in self._jobs
            ]
        elif self._init[0] is not None:
            self._init[0](*self._init[1])  # one core: the jobs run here, after the same set-up
        return self

    def results(self) -> list:
        """Every job's result, in the order given; a job's exception is raised here."""
        if self._pool is None:
            return [job() for job in self._jobs]
        return [
            job() if future is None else future.result()
            for job, future in zip(self._jobs, self._futures, strict=True)
        ]

    def __exit__(self, *exc) -> bool:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        return False
