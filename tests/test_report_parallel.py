"""The job pool: results in order, errors raised in the caller, shared work handed over once."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from functools import partial

import pytest

from momentum_cli.report import parallel

_SHARED: dict = {}


def _share(value) -> None:
    _SHARED["value"] = value


def _scaled(k: int) -> int:
    return k * _SHARED.get("value", -1)


def _fails() -> None:
    raise ValueError("job 2 failed")


def test_results_in_order_with_the_shared_value():
    _SHARED.clear()
    jobs = [partial(_scaled, k) for k in range(7)]
    with parallel.Jobs(jobs, _share, (3,)) as pool:
        assert pool.results() == [3 * k for k in range(7)]


def test_a_jobs_error_is_raised_in_the_caller():
    with pytest.raises(ValueError, match="job 2 failed"):
        with parallel.Jobs([partial(_scaled, 1), _fails]) as pool:
            pool.results()


def test_a_job_that_cannot_be_pickled_runs_here():
    here = []

    def local() -> str:
        here.append(True)
        return "ran"

    with parallel.Jobs([partial(_scaled, 2), local], _share, (5,)) as pool:
        results = pool.results()
    assert results == [10, "ran"] and here == [True]


def test_workers_one_per_core_at_most_one_per_job():
    assert parallel.workers(1) == 1
    assert 1 <= parallel.workers(100) <= 100


def test_jobs_submitted_later_follow_in_order():
    _SHARED.clear()
    with parallel.Jobs([partial(_scaled, 1)], _share, (4,), processes=2) as pool:
        pool.submit([partial(_scaled, 2), partial(_scaled, 3)])
        assert pool.results() == [4, 8, 12]


def _environment(name: str) -> str | None:
    import os

    return os.environ.get(name)


def test_workers_run_one_blas_thread_and_the_caller_keeps_its_environment(monkeypatch):
    import os

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # the user's own setting is kept
    with parallel.Jobs([partial(_environment, "OPENBLAS_NUM_THREADS")], processes=2) as pool:
        # (the fork server, started once per process, may predate this test: any start sets it)
        assert pool.results() == ["1"]
    assert "OPENBLAS_NUM_THREADS" not in os.environ and os.environ["OMP_NUM_THREADS"] == "3"


def test_one_result_before_the_others_and_each_job_runs_once():
    _SHARED.clear()
    ran = []

    def local() -> int:
        ran.append(1)
        return len(ran)

    for processes in (1, 2):
        ran.clear()
        with parallel.Jobs([partial(_scaled, 1), local], _share, (6,), processes=processes) as pool:
            assert pool.result(1) == 1
            assert pool.results() == [6, 1] and ran == [1]


_KILLED_CALLER = """
import os, sys, time
from multiprocessing import forkserver
from momentum_cli.report.parallel import Jobs
with Jobs([os.getpid, os.getpid], processes=2) as pool:
    pool.results()  # the fork server and both workers have started
    server = forkserver._forkserver._forkserver_pid
    children = [
        int(d) for d in os.listdir("/proc") if d.isdigit()
        for line in [open(f"/proc/{d}/stat").read() if os.path.exists(f"/proc/{d}/stat") else ""]
        if line and int(line.rsplit(")", 1)[1].split()[1]) == server
    ]
    pids = {server, *children}
    print(*pids, flush=True)
    time.sleep(600)  # killed here, with the pool running
"""


def _running(pid: int) -> bool:
    """A process that exists and is not a zombie (an orphan's parent may be slow to reap)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_and_fork_server_end_when_the_caller_is_killed():
    # SIGKILL runs no clean-up: the workers must notice by themselves and end
    caller = subprocess.Popen(
        [sys.executable, "-c", _KILLED_CALLER],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    pids = [int(p) for p in caller.stdout.readline().split()]
    assert len(pids) >= 2 and caller.pid not in pids  # the fork server and its workers
    caller.kill()
    caller.wait()
    for _ in range(600):  # a bound for a hung test, not a speed requirement
        if not any(_running(p) for p in pids):
            break
        time.sleep(0.1)
    left = [p for p in pids if _running(p)]
    for p in left:  # do not leak them into the rest of the suite
        os.kill(p, signal.SIGKILL)
    assert not left, f"still running after the caller was killed: {left}"


_SIGNAL_AS_THE_POOL_STARTS = """
    import multiprocessing, sys, threading
    from functools import partial
    from momentum_cli.report import parallel
    real_start, raised = threading.Thread.start, []
    def start(self):
        real_start(self)
        if not raised:  # the first thread started: the pool's starter
            raised.append(self)
            raise KeyboardInterrupt  # as if Ctrl-C arrived while start() waited for the thread
    threading.Thread.start = start
    jobs = parallel.Jobs([partial(pow, 2, k) for k in range(4)], processes=2)
    try:
        with jobs:
            raise AssertionError("the block must not run")
    except KeyboardInterrupt:
        threading.Thread.start = real_start
        print(jobs._starter.is_alive(), multiprocessing.active_children(), flush=True)
"""


def test_a_signal_while_the_pool_starts_leaves_no_pool_starting():
    """Found by signalling the report: a worker spawned as the caller exited printed a traceback.

    ``Jobs.__enter__`` had started its thread when the signal arrived, so no
    ``with`` block shut the pool down; the worker, spawned meanwhile, found the
    caller's semaphores gone (FileNotFoundError in ``SemLock._rebuild``).
    """
    env = {**os.environ, "PYTHONPATH": str(parallel.__file__).rsplit("/momentum_cli/", 1)[0]}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_SIGNAL_AS_THE_POOL_STARTS)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "False []\n", "")
