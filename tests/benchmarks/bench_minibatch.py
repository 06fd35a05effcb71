"""Benchmark of the minibatch mean-square edge (numerics.minibatch_max_stable_lr).

Run: python tests/benchmarks/bench_minibatch.py [--verify]
Prints figures measured in this one run; asserts nothing (machines are noisy).

- airfoil (d = 6 with the bias): the edge at batch 1, 10, 100, 1500 for momentum
  0 (gd), 0.5, 0.9 (heavy ball), beside the full-batch edge, and its time;
- synthetic least squares with d = 200 (199 features and the bias), n = 10,000,
  seed 0: the edge's time, how often the fourth-moment operator was applied
  (two n x d x d products each), and the peak memory against the dense second-
  moment operator's size ((2d)^2 x (2d)^2 doubles). ``--verify`` also checks
  the edge with SciPy's ARPACK on the reduced operator (slow: many applications).
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np

import numerics
from numerics import minibatch_solve
from numerics.minibatch import least_squares_data, second_moment
from numerics.minibatch_edge import full_batch_max_stable_lr, minibatch_max_stable_lr


def best_of(fn, repeat: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return min(times), value


def airfoil() -> None:
    data = least_squares_data(*numerics.load_airfoil())
    minibatch_max_stable_lr(data, 0.9, 10)  # imports SciPy's root finder once
    print("airfoil (n = 1500, d = 6): largest mean-square stable lr (best of 5 timings)")
    print(f"  {'momentum':>8} {'batch':>6} {'edge':>12} {'full batch':>12} {'ratio':>7} {'ms':>8}")
    for beta in (0.0, 0.5, 0.9):
        method = "gd" if beta == 0 else "heavy_ball"
        full = full_batch_max_stable_lr(data, beta, method)
        for batch in (1, 10, 100, 1500):
            seconds, edge = best_of(
                lambda b=batch, m=method, be=beta: minibatch_max_stable_lr(data, be, b, m), 5
            )
            print(
                f"  {beta:>8g} {batch:>6} {edge:>12.6g} {full:>12.6g} {edge / full:>7.3f} "
                f"{seconds * 1e3:>8.2f}"
            )


def synthetic(verify: bool) -> None:
    n, d = 10_000, 200
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d - 1)) * np.geomspace(1.0, 0.1, d - 1)
    y = X @ rng.standard_normal(d - 1) + rng.standard_normal(n)
    start = time.perf_counter()
    data = least_squares_data(X, y)
    setup = time.perf_counter() - start
    applications = []
    original = minibatch_solve.Top.__init__

    def counted(self, fourth):
        original(self, fourth)
        applications.append(self)

    minibatch_solve.Top.__init__ = counted
    tracemalloc.start()
    start = time.perf_counter()
    edge = minibatch_max_stable_lr(data, 0.9, 10)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    minibatch_solve.Top.__init__ = original
    fourth = minibatch_solve.fourth_moment(data)
    X0 = np.eye(d)
    one = best_of(lambda: fourth(fourth.pack(X0)), 3)[0]
    dense = (2 * d) ** 4 * 8
    print(f"synthetic least squares: n = {n:,}, d = {d} (seed 0), heavy ball 0.9, batch 10")
    print(f"  data in the Hessian's eigenbasis: {setup:.2f} s")
    print(
        f"  edge {edge:.6g} (full batch {full_batch_max_stable_lr(data, 0.9):.6g}): {seconds:.2f} s, "
        f"{applications[-1].applications} applications of the fourth-moment operator "
        f"({one:.3f} s each)"
    )
    print(
        f"  peak memory (tracemalloc) {peak / 2**20:.1f} MiB; process max RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:.0f} MiB; the dense "
        f"operator would be {dense / 2**30:,.0f} GiB ({(2 * d) ** 2:,}^2 doubles)"
    )
    if verify:
        from scipy.sparse.linalg import LinearOperator, eigs

        op = second_moment(data, edge, 0.9, 10)
        phi = minibatch_solve.gains(op, fourth=fourth)
        m = fourth.size
        A = LinearOperator((m, m), matvec=lambda x: phi * fourth(np.ravel(x)), dtype=float)
        start = time.perf_counter()
        top = abs(eigs(A, k=1, which="LM", return_eigenvectors=False)[0])
        print(
            f"  ARPACK on the reduced operator at the edge: f_B rho = {op.factor * top:.10f} "
            f"(1 at the edge; {time.perf_counter() - start:.1f} s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verify", action="store_true", help="check the d = 200 edge by ARPACK")
    args = parser.parse_args()
    airfoil()
    synthetic(args.verify)


if __name__ == "__main__":
    main()
