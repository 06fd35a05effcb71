"""Benchmark of numerics.spectral_radius and of a streamed 1e9-point reduction.

Run: python tests/benchmarks/bench_rates.py [--points 1e9]
Prints figures measured in this one run; asserts nothing (machines are noisy).
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np

from numerics import rates, spectral_radius, volume_summary


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def grid_benchmark(n: int = 1000, repeat: int = 20) -> None:
    eta = np.linspace(1e-3, 4.0, n)
    beta = np.linspace(0.0, 0.99, n)
    out = np.empty((n, n))
    floor = best_of(lambda: np.add(eta[:, None], beta[None, :], out=out), repeat)
    start = time.perf_counter()
    loaded = rates.load_compiled()
    load_time = time.perf_counter() - start
    ours = best_of(lambda: spectral_radius(eta[:, None], beta[None, :], 1.0, out=out), repeat)
    fresh = best_of(lambda: spectral_radius(eta[:, None], beta[None, :], 1.0), repeat)
    kept, rates._COMPILED = rates._COMPILED, False  # the NumPy kernels, as without numba
    plain = best_of(lambda: spectral_radius(eta[:, None], beta[None, :], 1.0, out=out), repeat)
    rates._COMPILED = kept
    E, B = np.meshgrid(eta, beta, indexing="ij")
    R = np.empty((n, n, 2, 2))
    R[..., 0, 0], R[..., 0, 1], R[..., 1, 0], R[..., 1, 1] = B, 1.0, -E * B, 1.0 - E

    def eig():
        return np.abs(np.linalg.eigvals(R)).max(axis=-1)

    eig_time = best_of(eig, 2)
    err = np.abs(spectral_radius(eta[:, None], beta[None, :], 1.0) - eig()) / eig()
    print(f"grid {n} x {n} = {n * n:,} points (best of {repeat})")
    kernel = "numba kernel" if loaded else "numba absent: NumPy"
    print(f"  loading the numba kernels (import + cached code or compile): {load_time:.2f} s")
    print(
        f"  spectral_radius (out=, {kernel}): {ours * 1e3:8.2f} ms  {n * n / ours / 1e6:8.1f} M points/s"
    )
    print(
        f"  spectral_radius (out=, NumPy kernels): {plain * 1e3:8.2f} ms  -> {plain / floor:6.2f}x the floor"
    )
    print(
        f"  spectral_radius (allocates): {fresh * 1e3:8.2f} ms  {n * n / fresh / 1e6:8.1f} M points/s"
    )
    print(
        f"  np.linalg.eigvals batched:   {eig_time * 1e3:8.2f} ms  -> ours is {eig_time / ours:6.1f}x faster"
    )
    print(
        f"  write floor np.add(out=):    {floor * 1e3:8.2f} ms  -> ours is {ours / floor:6.2f}x the floor"
    )
    print(f"  max relative difference to eigvals: {err.max():.2e} (double roots included)")


def volume_benchmark(points: float) -> None:
    n = round(points ** (1 / 3))
    eta = np.linspace(1e-3, 4.0, n)
    beta = np.linspace(-0.5, 0.99, n)
    lam = np.linspace(0.1, 2.0, n)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    summary = volume_summary(eta, beta, lam)
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # a second pass under tracemalloc (which slows allocation) for the peak of NumPy's buffers
    tracemalloc.start()
    volume_summary(eta, beta, lam)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"volume {n}^3 = {summary.points:,} points: {seconds:.2f} s, {summary.points / seconds / 1e6:.1f} M points/s"
    )
    print(
        f"  peak traced memory {peak / 2**20:.1f} MiB; process max RSS {rss:.0f} MiB ({rss - base:+.0f} MiB during the run)"
    )
    print(
        f"  stable fraction {summary.stable_fraction:.6f}; best (eta, beta, worst rate) {summary.best}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=float, default=1e9)
    parser.add_argument("--grid", type=int, default=1000)
    args = parser.parse_args()
    grid_benchmark(args.grid)
    volume_benchmark(args.points)
