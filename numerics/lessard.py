r"""Lessard, Recht and Packard's counterexample: heavy ball at Polyak's tuning cycles forever.

The function (Lessard, Recht and Packard 2016, section 4.6) is 1-strongly
convex and 25-smooth, piecewise quadratic, with minimizer 0:

.. math:: f'(x) = \begin{cases} 25 x & x < 1 \\ x + 24 & 1 \le x < 2 \\
          25 x - 24 & x \ge 2 \end{cases}

Heavy ball tuned by Polyak's rule for the spectrum [1, 25] (eta = 1/9,
beta = 4/9: rate 2/3 on every quadratic of it) and started at x0 = 3.3 with
velocity 0 falls onto a 3-cycle and never converges. :func:`run_lessard`
runs any built-in method on f (batched over starts), :meth:`LessardRun.cycle`
finds the cycle an orbit settles on, and :func:`lessard_basin` sorts starts
into those that converge and those that cycle. The cycle's exact points are
derived in :mod:`theory` (``momentum derive counterexample``).

Examples
--------
>>> eta, beta = POLYAK
>>> run = run_lessard(eta, beta, 3.3, steps=300)
>>> [round(p, 6) for p in run.cycle().points]
[0.646531, -1.802449, 2.115918]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numerics.checks import count, real_array, real_number
from numerics.methods import iterate, numeric_method
from numerics.reprs import array_repr
from theory.errors import ParameterError

__all__ = [
    "MU",
    "L",
    "POLYAK",
    "Cycle",
    "LessardBasin",
    "LessardRun",
    "lessard_basin",
    "lessard_gradient",
    "lessard_loss",
    "run_lessard",
]

#: the function's strong convexity and smoothness
MU, L = 1.0, 25.0
#: where the gradient changes piece (x < 1, 1 <= x < 2, x >= 2)
BREAKS = (1.0, 2.0)
#: the most steps a run takes
MAX_STEPS = 100_000


def _polyak() -> tuple[float, float]:
    from numerics.tuning import tune_closed_form

    t = tune_closed_form(MU, L, "heavy_ball")
    return float(t.eta), float(t.beta)


#: Polyak's tuning for [1, 25] (the toolkit's closed form): eta = 1/9, beta = 4/9
POLYAK = _polyak()


def lessard_gradient(x) -> np.ndarray:
    """f'(x), piecewise linear (continuous: 25 at x = 1, 26 at x = 2)."""
    x = np.asarray(x, dtype=float)
    return np.where(x < 1, 25 * x, np.where(x < 2, x + 24, 25 * x - 24))


def lessard_loss(x) -> np.ndarray:
    """f(x), continuous with f(0) = 0 the minimum."""
    x = np.asarray(x, dtype=float)
    return np.where(
        x < 1, 12.5 * x**2, np.where(x < 2, 0.5 * x**2 + 24 * x - 12, 12.5 * x**2 - 24 * x + 36)
    )


@dataclass(frozen=True)
class Cycle:
    """A periodic orbit a run settled on: its ``period`` and its ``points`` in the order visited.

    The points start at the one nearest the minimizer.
    """

    period: int
    points: tuple[float, ...]
    #: the largest |x_t - x_{t - period}| over the last periods: how exactly it repeats
    residual: float


@dataclass(frozen=True)
class LessardRun:
    """Iterates ``x`` (steps + 1, starts) of a method on Lessard's function."""

    __repr__ = array_repr  # arrays summarised, not printed in full

    method: str
    eta: float
    beta: float
    x: np.ndarray

    @property
    def steps(self) -> int:
        return self.x.shape[0] - 1

    def periods(self, *, max_period: int = 12, tol: float = 1e-9) -> np.ndarray:
        """Each run's shortest period p in [2, max_period] over its last 4p iterates (0: none).

        A run that converged to the minimizer (a fixed point) has period 0.
        """
        x = self.x
        with np.errstate(invalid="ignore", over="ignore"):
            scale = np.maximum(1.0, np.max(np.abs(x[-4 * max_period :]), axis=0))
            period = np.zeros(x.shape[1], dtype=int)
            # at the minimizer (within tol) a run has converged, whatever its last digits do
            period[np.max(np.abs(x[-4:]), axis=0) <= tol * scale] = -1
            for p in range(2, min(max_period, self.steps // 4) + 1):
                window = x[-4 * p :]
                residual = np.max(np.abs(window[p:] - window[:-p]), axis=0)
                period[(period == 0) & (residual <= tol * scale)] = p
        return np.maximum(period, 0)

    def cycle(self, index: int = 0, *, max_period: int = 12, tol: float = 1e-9) -> Cycle | None:
        """The cycle run ``index`` settled on (its last ``period`` iterates), or None."""
        p = int(self.periods(max_period=max_period, tol=tol)[index])
        if p == 0:
            return None
        xs = self.x[:, index]
        residual = float(np.max(np.abs(xs[-3 * p :] - xs[-4 * p : -p])))
        last = xs[-p:]
        first = int(np.argmin(np.abs(last)))  # start at the point nearest the minimizer
        return Cycle(p, tuple(float(v) for v in np.roll(last, -first)), residual)


def run_lessard(
    eta: float, beta: float, x0, steps: int = 200, method: str = "heavy_ball", **params
) -> LessardRun:
    """Run a built-in method on Lessard's function from ``x0`` (one start or an array of them)."""
    eta, beta = real_number(eta, "eta"), real_number(beta, "beta")
    if not eta > 0:
        raise ParameterError(f"'eta' must be > 0: {eta!r}")
    m = numeric_method(method)
    params = dict(zip(m.extra, m.extra_scalars(params), strict=True))  # one run: single numbers
    steps = count(steps, "steps", 1, MAX_STEPS)
    starts = real_array(x0, "x0").reshape(-1)
    if starts.size == 0 or starts.size * (steps + 1) > 50_000_000:
        raise ParameterError(
            f"'x0' must hold 1 to {50_000_000 // (steps + 1):,} starts for {steps} steps: "
            f"{starts.size:,}"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        xs = iterate(m, starts, eta, beta, lessard_gradient, steps, **params)
    return LessardRun(m.name, eta, beta, np.array(xs))


@dataclass(frozen=True)
class LessardBasin:
    """Where each start ends: ``converged`` to the minimizer, or on a cycle of ``period``."""

    __repr__ = array_repr  # arrays summarised, not printed in full

    eta: float
    beta: float
    x0: np.ndarray
    converged: np.ndarray
    period: np.ndarray  # 0 where converged or no period was found
    #: each start's last iterates (the longest period checked, 12 rows): where it ended up
    tail: np.ndarray

    @property
    def cycling(self) -> np.ndarray:
        return ~self.converged


def lessard_basin(
    eta: float, beta: float, x0, steps: int = 600, method: str = "heavy_ball", **params
) -> LessardBasin:
    """Sort starts (velocity 0) into those that converge and those that cycle.

    A start has converged when its last iterates are within 1e-9 of the
    minimizer; the others are given the period they settled on.
    """
    run = run_lessard(eta, beta, x0, steps, method, **params)
    with np.errstate(invalid="ignore"):
        tail = np.abs(run.x[-4:])
        converged = np.all(tail <= 1e-9 * np.maximum(1.0, np.abs(run.x[0])), axis=0)
    period = np.where(converged, 0, run.periods())
    return LessardBasin(run.eta, run.beta, run.x[0].copy(), converged, period, run.x[-12:].copy())
