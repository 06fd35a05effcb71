"""The largest mean-square stable learning rate at a batch size, and tuning for it.

:func:`minibatch_max_stable_lr` is the edge a person training with
minibatches meets: the largest lr at which the second moment of the error
stops growing (rho(T) = 1, :mod:`numerics.minibatch`). It lies in
(0, full-batch edge]: rho(T) >= rho(E M)^2, and at B = n (f_B = 0) it *is*
the full-batch edge, returned in closed form.

Stability in lr need not be one interval for every method, so "the largest
stable lr" is defined by how it is found: lr is scanned down from the
full-batch edge by factors of ``SCAN_RATIO`` until the first mean-square
stable lr, and the crossing rho(T) = 1 above it is found to float precision.
Every scanned lr above the answer is unstable; a stable window narrower than
a factor ``SCAN_RATIO`` between two scanned points would not be seen. (For
gradient descent the stable set is provably one interval: the operator's
gain Phi grows with lr pair by pair.)

:func:`tune_minibatch` minimises the mean-square rate rho(T)^(1/2) over
(lr, momentum) numerically (a grid, then Nelder-Mead) and says so; at
B = n, where the rate is the deterministic one, it is the tuning on H's
spectrum (closed form for gd, heavy ball and Nesterov).

Examples
--------
>>> import numerics
>>> data = numerics.least_squares_data(*numerics.load_airfoil())
>>> round(minibatch_max_stable_lr(data, 0.9, 10), 4), round(full_batch_max_stable_lr(data, 0.9), 4)
(0.2254, 1.8108)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from numerics.checks import count, real_number
from numerics.methods import numeric_method
from numerics.minibatch import LeastSquaresData, finite_population_factor, second_moment
from numerics.minibatch_solve import Top, fourth_moment, gains
from numerics.rates import max_stable_eta, max_stable_lam
from numerics.reprs import array_repr
from theory.errors import ParameterError

__all__ = [
    "SCAN_POINTS",
    "SCAN_RATIO",
    "EdgeTable",
    "MinibatchTuning",
    "edge_table",
    "full_batch_max_stable_lr",
    "minibatch_max_stable_lr",
    "tune_by_batch",
    "tune_minibatch",
]

#: the scan down from the full-batch edge steps by this factor
SCAN_RATIO = 0.9
#: and looks this far (0.9^175 is about 1e-8 of the full-batch edge)
SCAN_POINTS = 175


def full_batch_max_stable_lr(data, momentum: float, method="heavy_ball", **params) -> float:
    """The largest lr stable on the full batch: every curvature of H inside the region.

    Without weight decay the rate depends on lr h alone, so it is the
    closed form max_stable_lam(1, beta) / lambda_max (heavy ball
    2(1 + beta)/lambda_max); with it, the smallest max_stable_eta over H's
    eigenvalues.
    """
    m = numeric_method(method)
    momentum = real_number(momentum, "momentum")
    params = dict(zip(m.extra, m.extra_scalars(params), strict=True))  # single numbers, checked
    lam = data.eigenvalues
    if params.get("weight_decay", 0) == 0:
        edge = float(max_stable_lam(1.0, momentum, method, **params)) / float(lam[-1])
    else:
        edge = float(np.min(max_stable_eta(momentum, lam, method, **params)))
    if not edge > 0:
        raise ParameterError(f"no lr is stable on the full batch at momentum {momentum}")
    return edge


def minibatch_max_stable_lr(
    data, momentum: float, batch_size: int, method="heavy_ball", *, replacement=False, **params
) -> float:
    """The largest mean-square stable lr at this batch size (see the module for "largest").

    Exactly :func:`full_batch_max_stable_lr` at B = n without replacement.
    """
    full = full_batch_max_stable_lr(data, momentum, method, **params)
    factor = finite_population_factor(data.n, batch_size, replacement=replacement)
    if factor == 0:
        return full
    fourth = fourth_moment(data)
    top = Top(fourth)
    phis: dict[float, np.ndarray] = {}

    def phi(lr: float) -> np.ndarray:
        if lr not in phis:
            op = second_moment(data, lr, momentum, batch_size, method, **params)
            phis[lr] = gains(op, fourth=fourth)
        return phis[lr]

    def excess(lr: float) -> float:  # log(f_B rho(Phi C)); positive where unstable
        value = top(phi(lr)) if np.isfinite(phi(lr)).all() else math.inf
        return math.log(factor * value) if value > 0 else -math.inf

    from scipy.optimize import brentq

    upper = full * (1 - 1e-12)  # at the full-batch edge itself phi is infinite
    j, previous = 1, None
    while True:
        if excess(upper) <= 0:
            root = upper
        else:
            while excess(full * SCAN_RATIO**j) > 0:
                j += 1
                if j > SCAN_POINTS:
                    raise ParameterError(
                        f"no mean-square stable lr above {full * SCAN_RATIO**SCAN_POINTS:.3g}"
                    )
            hi = upper if j == 1 else full * SCAN_RATIO ** (j - 1)
            if previous is not None and previous < hi and excess(previous) > 0:
                hi = previous  # the last round's crossing: its projected rho only grew since
            root = brentq(excess, full * SCAN_RATIO**j, hi, xtol=1e-300, rtol=1e-15)
            previous = root
        # matrix-free: the projection only underestimates rho, so every lr found unstable
        # stays unstable; the scan resumes where it stopped once the basis has grown
        if top.converged(phi(root)):
            return full if root == upper else float(root)


def _batch_sizes(data, batch_sizes) -> list[int]:
    """Each batch size checked as one is everywhere (a whole number in [1, n]): converting to
    int had truncated 5.7 to 5 and raised OverflowError for 2**70."""
    sizes = batch_sizes if np.iterable(batch_sizes) else [batch_sizes]
    return [count(B, "batch_size", 1, data.n) for B in sizes]


@dataclass(frozen=True)
class EdgeTable:
    """The largest mean-square stable lr at each (momentum, batch size), the full batch beside it."""

    method: str
    momenta: np.ndarray  # (m,)
    batch_sizes: np.ndarray  # (b,)
    minibatch: np.ndarray  # (m, b)
    full: np.ndarray  # (m,)
    __repr__ = array_repr  # arrays summarised, not printed in full


def edge_table(
    data: LeastSquaresData,
    momenta,
    batch_sizes,
    method="heavy_ball",
    *,
    replacement: bool = False,
    **params,
) -> EdgeTable:
    """:func:`minibatch_max_stable_lr` at every momentum and batch size, the full batch beside.

    Rows are momenta, columns batch sizes (the report's edge figure and
    ``momentum edge`` read it).

    Examples
    --------
    >>> import numerics
    >>> data = numerics.least_squares_data(*numerics.load_airfoil())
    >>> table = numerics.edge_table(data, [0.0, 0.9], [10, 1500])
    >>> table.minibatch.round(3).tolist(), table.full.round(3).tolist()
    ([[0.798, 0.953], [0.225, 1.811]], [0.953, 1.811])
    """
    from numerics.methods import numeric_method

    momenta = np.atleast_1d(np.asarray(momenta, float))
    batch_sizes = np.array(_batch_sizes(data, batch_sizes), dtype=np.int64)
    edges = np.array(
        [
            [
                minibatch_max_stable_lr(data, b, int(B), method, replacement=replacement, **params)
                for B in batch_sizes
            ]
            for b in momenta
        ]
    )
    full = np.array([full_batch_max_stable_lr(data, b, method, **params) for b in momenta])
    return EdgeTable(numeric_method(method).name, momenta, batch_sizes, edges, full)


@dataclass(frozen=True)
class MinibatchTuning:
    """(lr, momentum) minimising the mean-square rate rho(T)^(1/2) at one batch size."""

    method: str
    eta: float
    beta: float
    rate: float
    batch_size: int
    numeric: bool = True

    @property
    def steps_per_e(self) -> float:
        """Steps to shrink the root-mean-square error by e: -1 / log(rate)."""
        return -1.0 / math.log(self.rate) if 0 < self.rate < 1 else math.inf


def _rate(data, lr, momentum, batch_size, method, replacement, params, last=None) -> float:
    """rho(T)^(1/2); ``last`` (a one-item list) keeps the previous rho(T) to start Newton from."""
    from numerics.minibatch_solve import operator_radius

    op = second_moment(data, lr, momentum, batch_size, method, replacement=replacement, **params)
    rho = operator_radius(op, last[0] if last else None)
    if last is not None:
        last[0] = rho  # the next point of a search is near
    return math.sqrt(rho)


def tune_minibatch(
    data,
    batch_size: int,
    method="heavy_ball",
    *,
    momentum: float | None = None,
    start: tuple[float, float] | None = None,
    replacement=False,
    **params,
) -> MinibatchTuning:
    """(lr, momentum) minimising rho(T)^(1/2) at ``batch_size``: numeric (grid, Nelder-Mead).

    ``rate`` is the square root of the second-moment operator's spectral
    radius: the root-mean-square error shrinks by it per step, and at B = n
    it is the deterministic rate. ``momentum=`` fixes the momentum and tunes
    lr alone (gd: always, at 0). ``start=(lr, momentum)`` skips the starting
    grid (a neighbouring batch size's answer, say) where it is stable and,
    with the momentum fixed, the optimum lies within 3 times its lr.
    """
    from scipy.optimize import minimize, minimize_scalar

    from numerics.methods import numeric_method

    name = numeric_method(method).name
    if name == "gd":
        momentum = 0.0
    args = (batch_size, method, replacement, params, [None])

    def rate_at(lr: float, beta: float) -> float:
        return _rate(data, lr, beta, *args)

    if (
        momentum is None
        and finite_population_factor(data.n, batch_size, replacement=replacement) == 0
    ):
        # the full batch: rho(T) = rho(L), the worst rate over H's eigenvalues, whose optimum
        # sits on a kink (two modes balanced) where a simplex stalls; the tuning on
        # [lambda_min, lambda_max] (closed form where there is one) is that optimum
        from numerics.tuning import tune_closed_form, tune_numeric

        lam = data.eigenvalues
        try:
            if params:
                raise ParameterError("torch's options: tuned numerically")
            det = tune_closed_form(float(lam[0]), float(lam[-1]), method)
        except ParameterError:
            det = tune_numeric(float(lam[0]), float(lam[-1]), method, **params)
        best = (det.eta, det.beta)
    elif momentum is not None:
        edge = minibatch_max_stable_lr(
            data, momentum, batch_size, method, replacement=replacement, **params
        )

        def search(lo: float, hi: float) -> tuple[float, float, bool]:
            res = minimize_scalar(
                lambda t: rate_at(math.exp(t), momentum),
                bounds=(math.log(lo), math.log(hi)),
                method="bounded",
                options={"xatol": 1e-9},
            )
            # the bracket's end (by 0.1%) means the optimum may lie beyond it
            inside = math.log(lo) + 1e-3 < res.x < math.log(hi) - 1e-3
            return math.exp(res.x), float(res.fun), inside

        found = None
        lo, hi = (start[0] / 3, min(3 * start[0], edge * (1 - 1e-9))) if start else (1, 0)
        if lo < hi:  # a neighbour's answer: the optimum is usually within 3 times it
            lr, r, inside = search(lo, hi)
            found = ((lr, momentum), r) if inside else None
        if found is None:
            grid = edge * np.geomspace(1e-3, 1 - 1e-9, 24)
            rates = [rate_at(lr, momentum) for lr in grid]
            i = int(np.argmin(rates))
            lr, r, _ = search(grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)])
            found = ((lr, momentum), r) if r <= rates[i] else ((float(grid[i]), momentum), rates[i])
        best = found[0]
    else:
        best, best_rate = None, math.inf
        if start is not None:
            best = (float(start[0]), float(start[1]))
            best_rate = rate_at(*best)
        if not best_rate < 1:  # no start, or a neighbour's answer unstable here: a grid
            best, best_rate = None, math.inf
            for beta in np.linspace(0.0, 0.95, 8):
                full = full_batch_max_stable_lr(data, beta, method, **params)
                for lr in full * np.geomspace(1e-3, 0.99, 8):
                    r = rate_at(lr, beta)
                    if r < best_rate:
                        best, best_rate = (float(lr), float(beta)), r

        def objective(p: np.ndarray) -> float:
            if not 0 <= p[1] < 0.9999:
                return 2.0
            return rate_at(math.exp(p[0]), p[1])

        res = minimize(
            objective,
            x0=np.array([math.log(best[0]), best[1]]),
            method="Nelder-Mead",
            options={"xatol": 1e-7, "fatol": 1e-11, "maxiter": 2000},
        )
        if res.fun < best_rate:
            best = (math.exp(res.x[0]), float(res.x[1]))
    return MinibatchTuning(str(name), best[0], float(best[1]), rate_at(*best), int(batch_size))


def tune_by_batch(
    data: LeastSquaresData,
    batch_sizes,
    method="heavy_ball",
    *,
    replacement: bool = False,
    **params,
) -> tuple[MinibatchTuning, ...]:
    """:func:`tune_minibatch` at each batch size, in order, each search started from the last
    answer (the tuned point moves smoothly with the batch size; where the
    neighbour's answer does not serve, the search starts afresh)."""
    out: list[MinibatchTuning] = []
    for B in _batch_sizes(data, batch_sizes):
        start = (out[-1].eta, out[-1].beta) if out else None
        out.append(
            tune_minibatch(data, int(B), method, start=start, replacement=replacement, **params)
        )
    return tuple(out)
