"""The job pool: results in order, errors raised in the caller, shared work handed over once."""

from functools import partial

import pytest

from momentum_cli import parallel

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
