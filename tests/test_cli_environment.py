"""The command line in an unfriendly environment: matplotlib's settings, low descriptor limits.

A bad or read-only ``MPLCONFIGDIR`` or ``HOME`` gives no warning at exit 0
(the command gives matplotlib a private cache), ``MPLBACKEND=bogus`` no
traceback (the command draws with Agg anyway), and a low ``ulimit -n`` a
report built serially, or one line and exit 2, never a traceback.
"""

import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentum_cli.report.parallel import workers

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
PLOT = ["stability", "--eta", "0:4:11", "--beta", "0:0.9:5", "--plot", "region.png"]
#: what matplotlib says when it cannot use its configuration or cache folder
CACHE_WARNINGS = ("MPLCONFIGDIR", "cache directory", "not a writable directory", "mkdir -p")


def _momentum(argv, cwd, **env):
    base = {k: v for k, v in ENV.items() if not k.startswith(("MPL", "XDG_"))}
    return subprocess.run(
        [sys.executable, "-m", "momentum_cli.main", *argv],
        cwd=cwd,
        env={**base, **env},
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    "env",
    [
        {"MPLCONFIGDIR": "/proc/momentum-cannot-make-this"},
        {"MPLCONFIGDIR": "/etc/hostname"},  # a file
        {"HOME": "/proc/momentum-no-home"},
    ],
    ids=["unmakeable-MPLCONFIGDIR", "MPLCONFIGDIR-a-file", "unmakeable-HOME"],
)
def test_an_unusable_matplotlib_folder_gives_no_warning(tmp_path, env):
    """Found by the fuzz: matplotlib's three-line cache warning on stderr, at exit 0.

    The first run may build matplotlib's font cache in the private cache (its
    own notice if that takes more than 5 s); the second finds it there.
    """
    for _ in range(2):
        done = _momentum(PLOT, tmp_path, **env)
        assert done.returncode == 0, done.stderr
        assert not [w for w in CACHE_WARNINGS if w in done.stderr], done.stderr
    assert done.stderr == ""
    assert (tmp_path / "region.png").stat().st_size > 1000


def test_a_bogus_backend_is_no_traceback(tmp_path):
    """Found by the fuzz: ``MPLBACKEND=bogus`` raised matplotlib's ValueError (exit 1)."""
    done = _momentum(PLOT, tmp_path, MPLBACKEND="bogus")
    assert (done.returncode, done.stderr) == (0, "")
    assert (tmp_path / "region.png").stat().st_size > 1000


# --- low descriptor limits ----------------------------------------------------------------

_REPORT = """
    import resource, sys
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
    from momentum_cli import main
    from momentum_cli.report import build
    build.FIGURES = build.FIGURES[:2]  # two figures are enough here
    sys.exit(main.main(["report", "--output", "rep"]))
"""


@pytest.mark.parametrize("limit", [24, 40])
def test_a_low_descriptor_limit_builds_the_report_serially(tmp_path, limit):
    """Found by the fuzz: ``ulimit -n 24`` failed the report (a worker's EMFILE, or BrokenProcessPool)."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_REPORT), str(limit)],
        cwd=tmp_path,
        env=ENV,
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert sorted(os.listdir(tmp_path)) == ["rep"]
    assert (tmp_path / "rep" / "report.html").exists()


def test_a_limit_too_low_for_any_build_is_one_line(tmp_path):
    """At 8 descriptors even a serial build runs out: one line, exit 2, no report.

    Matplotlib keeps its font files open, so the failed run may not have a
    descriptor left to remove its temporary folder; its lock went with the
    process, so the next run into the folder removes it.
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_REPORT), "8"],
        cwd=tmp_path,
        env=ENV,
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stderr) == (
        2,
        "momentum: error: cannot write 'rep': too many open files (raise the limit with "
        "ulimit -n)\n",
    )
    assert not (tmp_path / "rep").exists()
    from numerics.output.files import write_text

    write_text(tmp_path / "next.txt", "the next run")
    assert os.listdir(tmp_path) == ["next.txt"]


def test_workers_fit_the_descriptor_limit(monkeypatch):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    try:
        for limit, most in [(24, 1), (40, 1), (64, 4), (1024, 16)]:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(limit, hard), hard))
            assert workers(16) <= most and (limit < 64 or workers(16) >= 2)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


_POOL = """
    import resource, sys
    from functools import partial
    from momentum_cli.report.parallel import Jobs, workers
    if __name__ == "__main__":
        limit = int(sys.argv[1])
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
        jobs = [partial(pow, 3, k) for k in range(8)]
        with Jobs(jobs, processes=workers(len(jobs)), preload=["numerics"]) as pool:
            print(pool.results())
"""


@settings(max_examples=8)
@given(st.integers(16, 96))
def test_any_descriptor_limit_gives_the_results_or_one_line(limit):
    """The pool under any limit: every job's result, never a broken pool."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_POOL), str(limit)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert (done.returncode, done.stderr) == (0, ""), (limit, done.stderr[-800:])
    assert done.stdout == f"{[3**k for k in range(8)]}\n"
