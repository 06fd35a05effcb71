"""Independent jobs on every core: a process pool that starts at once while the caller works on.

A job is a picklable zero-argument callable (a ``functools.partial`` of a
module-level function; one that cannot be pickled, such as a local
function, runs in the caller instead). :class:`Jobs` submits them all on entry, in the order
given (put the longest first), and :meth:`Jobs.submit` adds jobs whose
inputs the caller computes meanwhile; the caller does its own work and
collects the results with :meth:`Jobs.results`. Work the jobs share is done
once, before they start, and handed to each worker by ``initializer``; the
modules the jobs need are imported once, by the fork server (``preload``).

Each worker runs one BLAS thread: the processes are the parallelism.

On an error, or on Ctrl-C / SIGTERM in the caller, the jobs not yet started
are cancelled and the running ones finish before the block exits (so no
worker writes into a folder that is being removed). Workers ignore SIGINT:
the caller alone decides to stop. A caller killed outright (SIGKILL) leaves
no process behind: each worker ends as soon as the caller is gone, and the
fork server with the last of them.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import select
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import forkserver

__all__ = ["Jobs", "workers"]


#: descriptors a serial build keeps open at its peak, and a pool's caller more per worker
#: (measured on the report: 26 serially; the caller, the fork server and each worker about 32
#: with two workers), with room to spare
_SERIAL_DESCRIPTORS = 32
_DESCRIPTORS_PER_WORKER = 8


def _descriptor_limit() -> float:
    try:
        import resource
    except ImportError:  # not POSIX
        return float("inf")
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return float("inf") if soft == resource.RLIM_INFINITY else soft


def workers(jobs: int) -> int:
    """Processes to use for ``jobs`` jobs: one per core, at most one per job, as the limit allows.

    Under a low limit on open files (``ulimit -n``) a pool would fail as a
    worker opens a font or the fork server a pipe (a BrokenProcessPool): the
    jobs then run one after another, here (1), or in as many workers as fit.
    """
    n = max(1, min(jobs, os.cpu_count() or 1))
    fit = (_descriptor_limit() - _SERIAL_DESCRIPTORS) // _DESCRIPTORS_PER_WORKER
    return int(n if fit >= n else fit if fit >= 2 else 1)


def _picklable(job) -> bool:
    try:
        pickle.dumps(job)
    except (pickle.PicklingError, TypeError, AttributeError):
        return False
    return True


#: thread pools of the numerical libraries, one thread each in the workers
_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def _one_thread_each():
    """The environment a fork server (and so every worker) starts with: one BLAS thread.

    The pool already keeps every core busy; a BLAS thread pool per process
    would only make the processes' threads wait on each other (measured: a
    report's 144 x 144 Lyapunov solves took 2.7x the CPU with two threads
    each on this two-core machine). A value the user set is kept.
    """
    saved = {name: os.environ.get(name) for name in _THREAD_VARIABLES}
    for name in _THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _exit_with(caller: int) -> None:
    """End this worker as soon as the process that started the pool is gone.

    A caller killed outright (SIGKILL, the OOM killer) never shuts the pool
    down, and the orphans would wait for jobs forever: each worker holds a
    write end of its own job queue and of the fork server's liveness pipe, so
    neither they nor the fork server ever see the end of input.
    """
    try:
        fd = os.pidfd_open(caller)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # no pidfd (not Linux >= 5.3): ask once a second
        while _alive(caller):
            time.sleep(1.0)
        os._exit(1)
    select.select([fd], [], [])  # readable when the caller has exited
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _start_worker(caller, initializer, initargs) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_exit_with, args=(caller,), daemon=True).start()
    if initializer is not None:
        initializer(*initargs)


class Jobs:
    """Run ``jobs`` in worker processes (or here, one after another, on a single core).

    ``processes`` fixes the number of workers (default: :func:`workers` of the
    number of jobs given on entry).
    """

    def __init__(
        self,
        jobs: Sequence[Callable],
        initializer: Callable | None = None,
        initargs=(),
        preload: Sequence[str] = (),
        processes: int | None = None,
    ) -> None:
        self._jobs = list(jobs)
        self._init = (initializer, tuple(initargs))
        self._preload = list(preload)
        self._processes = processes
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list[Future | None] = []
        self._lock = threading.Lock()
        self._starter: threading.Thread | None = None
        self._start_error: BaseException | None = None
        self._done: dict[int, object] = {}

    def __enter__(self) -> Jobs:
        n = self._processes or workers(len(self._jobs))
        if n > 1:
            # the first worker waits for the fork server's imports: the caller works on
            self._starter = threading.Thread(target=self._start, args=(n,), daemon=True)
            try:
                self._starter.start()
            except BaseException:
                # a signal while start() waits for the thread to run: no with block will
                # shut the pool down, and a worker spawned as the caller exits would find
                # its queues' semaphores gone (a traceback on stderr after the one line)
                self.__exit__()
                raise
        elif self._init[0] is not None:
            self._init[0](*self._init[1])  # one core: the jobs run here, after the same set-up
        return self

    def _start(self, n: int) -> None:
        try:
            # never a plain fork of this process: a lock another thread holds would stay
            # locked in the child. A fork server is a fresh process that imports the
            # modules named in ``preload`` once and forks the workers from there.
            if "forkserver" in multiprocessing.get_all_start_methods():
                context = multiprocessing.get_context("forkserver")
                if self._preload:
                    context.set_forkserver_preload(self._preload)
            else:
                context = multiprocessing.get_context("spawn")
            pool = ProcessPoolExecutor(
                n,
                mp_context=context,
                initializer=_start_worker,
                initargs=(os.getpid(), *self._init),
            )
            with _one_thread_each():
                if context.get_start_method() == "forkserver":
                    # started here, not by the first picklable job: its environment is this one
                    forkserver.ensure_running()
                first = self._submit_to(pool, self._jobs[0]) if self._jobs else None
            with self._lock:  # jobs submitted meanwhile are in self._jobs, in order
                self._pool = pool
                self._futures = [first] + [self._submit_to(pool, j) for j in self._jobs[1:]]
        except BaseException as exc:  # raised in the caller, by results()
            self._start_error = exc

    @staticmethod
    def _submit_to(pool: ProcessPoolExecutor, job) -> Future | None:
        return pool.submit(job) if _picklable(job) else None

    def submit(self, jobs: Sequence[Callable]) -> None:
        """Add jobs whose inputs were not ready on entry; their results follow the others'."""
        with self._lock:
            jobs = list(jobs)
            self._jobs += jobs
            if self._pool is not None:
                self._futures += [self._submit_to(self._pool, job) for job in jobs]

    def _started(self) -> None:
        if self._starter is not None:
            self._starter.join()
        if self._start_error is not None:
            raise self._start_error

    def result(self, k: int):
        """Job ``k``'s result (jobs counted in the order given), as soon as it is ready."""
        self._started()
        if k not in self._done:  # a job that runs here (one core, or not picklable) runs once
            future = self._futures[k] if self._pool is not None else None
            self._done[k] = self._jobs[k]() if future is None else future.result()
        return self._done[k]

    def results(self) -> list:
        """Every job's result, in the order given; a job's exception is raised here."""
        return [self.result(k) for k in range(len(self._jobs))]

    def __exit__(self, *exc) -> bool:
        if self._starter is not None:
            self._starter.join()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        return False
