"""Benchmark: start-up of `momentum --help`, `import sympy`, all derivations, `momentum report`.

Run: python tests/benchmarks/bench_cli.py   (needs the project installed)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time


def timed(argv: list[str], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    py = sys.executable
    helpt = timed(
        [py, "-c", "from momentum_cli.main import main; import sys; sys.exit(main(['--help']))"]
    )
    sympy = timed([py, "-c", "import sympy"])
    bare = timed([py, "-c", "pass"])
    derive = timed(
        [
            py,
            "-c",
            "import theory, time; t = time.perf_counter(); theory.derive_all(); print(time.perf_counter() - t)",
        ],
        1,
    )
    out = subprocess.run(
        [
            py,
            "-c",
            "import theory, time; t = time.perf_counter(); theory.derive_all(); print(time.perf_counter() - t)",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        report = timed([py, "-m", "momentum_cli.main", "report", "--output", f"{tmp}/r"], 1)
    print(f"python -c pass:              {bare * 1e3:7.0f} ms")
    print(f"momentum --help:             {helpt * 1e3:7.0f} ms")
    print(
        f"python -c 'import sympy':    {sympy * 1e3:7.0f} ms  (--help is {sympy / helpt:.1f}x faster)"
    )
    print(
        f"all derivations (in-process): {float(out) * 1e3:6.0f} ms  (with interpreter and imports: {derive:.2f} s)"
    )
    print(f"momentum report:             {report:7.2f} s")


if __name__ == "__main__":
    main()
