"""Benchmark: start-up of the commands beside a bare ``import numpy``.

Run: python tests/benchmarks/bench_cli.py [--repeat 7]   (from the project folder)

Every command runs in a fresh interpreter; the rounds interleave the commands
(numpy, --help, rate, tune, simulate, noise, explore, numpy, ...) so that load on a
shared machine falls on all of them alike. Each figure is printed beside its
baseline (the median of the bare ``python -c "import numpy"`` runs); asserts
nothing. ``momentum report`` has its own benchmark, ``bench_report.py``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "momentum_cli.main"]
COMMANDS = {
    'python -c "import numpy"': [sys.executable, "-c", "import numpy"],
    "momentum --help": [*CLI, "--help"],
    "momentum rate --eta 0.5 --beta 0.25 --lam 1": [
        *CLI,
        *"rate --eta 0.5 --beta 0.25 --lam 1".split(),
    ],
    "momentum tune --mu 1 --L 100": [*CLI, *"tune --mu 1 --L 100".split()],
    "momentum simulate --eta 0.6 --beta 0.5": [*CLI, *"simulate --eta 0.6 --beta 0.5".split()],
    "momentum noise --eta 0.1 --beta 0.5 --lam 3 --sigma 0.5": [
        *CLI,
        *"noise --eta 0.1 --beta 0.5 --lam 3 --sigma 0.5".split(),
    ],
    # the page's script is generated ahead of time: no SymPy at run time
    "momentum explore --output -": [*CLI, "explore", "--output", "-"],
    'python -c "import sympy"': [sys.executable, "-c", "import sympy"],
}


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")


def run(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, of the process and the children it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=_env(), cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.repeat):
        for name, argv in COMMANDS.items():
            times[name].append(run(argv)[0])
    base = statistics.median(times['python -c "import numpy"'])
    print(f"start-up, median of {args.repeat} interleaved runs (load: {os.getloadavg()[0]:.1f})")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:58s} {median * 1e3:7.0f} ms  {median / base:5.2f}x import numpy")


if __name__ == "__main__":
    main()
