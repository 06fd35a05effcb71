"""Benchmark: time and peak memory of each input cap of issue 11, each in a fresh process.

Run: python tests/benchmarks/bench_caps.py   (from the project folder)

Peak memory is the process's maximum resident set (ru_maxrss), minus the
same figure for a process that only imports what the case imports, so the
column is what the work itself adds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

CASES = {
    "simulate: 10,000 curvatures x 100 steps (CLI)": (
        "import numpy as np\nfrom momentum_cli.main import main\n",
        "n = 10_000\n"
        "lams = ','.join(f'{v:.6g}' for v in np.linspace(0.01, 3, n))\n"
        "x0 = ','.join('1' for _ in range(n))\n"
        "import io, contextlib\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['simulate', '--eta', '0.5', '--beta', '0.4', '--lams', lams,"
        " '--x0', x0, '--steps', '100']) == 0\n",
    ),
    "simulate: 10,000 curvatures x 100 steps (library)": (
        "import numpy as np, numerics\n"
        "numerics.simulate(0.5, 0.4, lams=[1.0], x0=[1.0], steps=1)  # compile once\n",
        "numerics.simulate(0.5, 0.4, lams=np.linspace(0.01, 3, 10_000), x0=np.ones(10_000),"
        " steps=100)\n",
    ),
    "simulate: at its cap, 50M numbers (500 x 100,000 steps)": (
        "import numpy as np, numerics\n",
        "numerics.simulate(0.5, 0.4, lams=np.linspace(0.01, 3, 500), x0=np.ones(500), steps=99_999)\n",
    ),
    "stability --plot at the grid cap (10,000 x 5,000)": (
        "from momentum_cli.main import main\nimport numerics, matplotlib\n",
        "import io, contextlib\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['stability', '--eta', '0:4:10000', '--beta', '0:0.99:5000',"
        " '--plot', PLOT]) == 0\n",
    ),
    "best_for_spectrum: QHM on 300 x 300": (
        "import numpy as np, numerics\n",
        "numerics.best_for_spectrum(np.linspace(0.01, 1, 300), np.linspace(0, 0.99, 300),"
        " 1, 10, 'qhm', nu=0.7)\n",
    ),
    "leaky_average at its cap (10,000 steps)": (
        "import theory\n",
        "theory.leaky_average(10_000)\n",
    ),
    "leaky_average(10**6): refused": (
        "import theory\n",
        "try:\n    theory.leaky_average(10**6)\nexcept ValueError:\n    pass\n",
    ),
    "optimal_parameters(3, 10**4000 + 7): refused": (
        "import theory\n",
        "try:\n    theory.optimal_parameters(3, 10**4000 + 7)\nexcept ValueError:\n    pass\n",
    ),
    "optimal_parameters at its cap (400 digits)": (
        "import theory\n",
        "theory.optimal_parameters(3, 10**399 + 7)\n",
    ),
    "--eta 1e-99999999: refused": (
        "from momentum_cli.main import main\n",
        "import io, contextlib\n"
        "with contextlib.redirect_stderr(io.StringIO()):\n"
        "    assert main(['rate', '--eta', '1e-99999999', '--beta', '0', '--lam', '1']) == 2\n",
    ),
}

_PROBE = (
    "import resource, sys, time\n"
    "{setup}"
    "PLOT = sys.argv[1]\n"
    "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "start = time.perf_counter()\n"
    "{work}"
    "elapsed = time.perf_counter() - start\n"
    "print(elapsed, base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
)


def measure(setup: str, work: str) -> tuple[float, float]:
    """(seconds, MiB added to the peak resident set) of ``work`` after ``setup``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, "-c", _PROBE.format(setup=setup, work=work), f"{tmp}/r.png"],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": os.getcwd()},
        ).stdout.split()
    seconds, base, peak = float(out[0]), int(out[1]), int(out[2])
    return seconds, (peak - base) / 1024


def main() -> None:
    print(f"{'case':60s} {'time':>9s} {'peak +MiB':>10s}")
    for name, (setup, work) in CASES.items():
        seconds, mib = measure(setup, work)
        print(f"{name:60s} {seconds:8.3f}s {mib:10.0f}")


if __name__ == "__main__":
    main()
