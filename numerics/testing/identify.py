r"""Black-box identification: the linear recurrence an optimiser's iterates obey.

A linear first-order method with k state variables, run on f(x) = lam/2 x^2,
has iterates that obey a linear recurrence of order at most k (Cayley-Hamilton
applied to its state matrix R),

.. math:: x_{t+k} = a_{k-1} x_{t+k-1} + \dots + a_0 x_t,

whose characteristic polynomial z^k - a_{k-1} z^{k-1} - ... - a_0 divides
det(z I - R); its largest root modulus is the rate. :func:`identify` finds
the shortest such recurrence from a few trajectories, by least squares:

- each equation (one per t) is divided by the largest |x| it contains, so
  a decaying or growing run weighs the same at every step, and rows that
  overflowed or sank into the subnormals are left out;
- trajectories from several starts of different sizes are fitted together,
  so a method that is not homogeneous (Adam, sign methods) cannot fit;
- the coefficients are fitted on the first two thirds of the steps and the
  residual is measured on all of them, the last third held out;
- a transient of a few first steps may be left out, as PyTorch's first
  momentum step (the buffer starts at the undamped gradient) needs.

The shortest description whose residual is below ``tol`` wins: the
smallest order plus transient, then the smaller order; when none fits the optimiser is reported ``linear=False``.
Identification sees only the modes the starts excite; a mode no start
excites (the state matrix's zero root when beta = 0) does not show, and does
not change the rate.

Examples
--------
>>> from numerics.testing.trajectories import theory_trajectory
>>> found = identify(theory_trajectory("heavy_ball", eta=0.5, beta=0.25), 1.0)
>>> found.linear, found.order, round(found.spectral_radius, 12)
(True, 2, 0.5)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numerics.checks import real_array, real_number
from numerics.reprs import array_repr
from numerics.testing.trajectories import TrajectoryFn, run_trajectory
from theory.errors import MomentumError, ParameterError, describe, shortest

__all__ = [
    "DEFAULT_STARTS",
    "IdentificationError",
    "Identification",
    "MAX_ORDER",
    "MAX_TRANSIENT",
    "RESIDUAL_TOL",
    "identify",
    "max_stable_lam",
]

#: starts of different signs and sizes: a linear method's runs are scaled copies of each other
DEFAULT_STARTS = (1.0, -0.0625, 24.0)
MAX_ORDER = 3
MAX_TRANSIENT = 3
#: largest scaled residual a recurrence may leave (float64 rounding leaves about 1e-15)
RESIDUAL_TOL = 1e-11
#: rows whose largest |x| is below this are rounding noise (near the subnormals), not data
_TINY = 1e-250


class IdentificationError(MomentumError):
    """The optimiser's iterates obey no fixed linear recurrence where one is needed."""


@dataclass(frozen=True)
class Identification:
    """What :func:`identify` found.

    Attributes
    ----------
    lam : float
        The curvature of f(x) = lam/2 x^2 the trajectories ran on.
    linear : bool
        Whether the iterates obey a fixed linear recurrence of order at most
        ``MAX_ORDER`` (after ``transient`` steps), from every start.
    order : int
        The recurrence's order k (0 when ``linear`` is False).
    transient : int
        How many first steps do not obey it (PyTorch's damped momentum: 1).
    coefficients : ndarray, shape (k + 1,)
        The characteristic polynomial, highest power first, monic:
        ``[1, -a_{k-1}, ..., -a_0]`` (empty when not linear).
    spectral_radius : float
        The largest modulus of its roots: the rate (NaN when not linear).
    residual : float
        The largest scaled residual of the fit over all steps: of the best
        order-``MAX_ORDER`` fit when not linear.
    """

    __repr__ = array_repr  # arrays summarised, not printed in full

    lam: float
    linear: bool
    order: int
    transient: int
    coefficients: np.ndarray
    spectral_radius: float
    residual: float

    @property
    def roots(self) -> np.ndarray:
        """The roots of the characteristic polynomial."""
        return np.roots(self.coefficients) if self.linear else np.array([], complex)


def _rows(runs: list[np.ndarray], order: int, transient: int):
    """The scaled equations x_{t+k} = sum a_i x_{t+i}, t >= transient, as (A, y, step) arrays."""
    A, y, step = [], [], []
    for xs in runs:
        n = xs.size - order - transient
        if n <= 0:
            continue
        t = np.arange(transient, transient + n)
        window = xs[t[:, None] + np.arange(order + 1)]
        with np.errstate(invalid="ignore", over="ignore"):
            scale = np.abs(window).max(axis=1)
        keep = np.isfinite(window).all(axis=1) & (scale > _TINY)
        window, scale = window[keep] / scale[keep, None], scale[keep]
        A.append(window[:, :-1])
        y.append(window[:, -1])
        step.append(t[keep])
    if not A:
        return np.empty((0, order)), np.empty(0), np.empty(0, int)
    return np.concatenate(A), np.concatenate(y), np.concatenate(step)


def _fit(runs: list[np.ndarray], order: int, transient: int, steps: int):
    """Coefficients a (a_0 first) fitted on the early rows and the residual on all rows."""
    A, y, step = _rows(runs, order, transient)
    early = step < transient + (2 * (steps - transient)) // 3
    if early.sum() < order + 1 or early.all():
        # the runs reached 0 (or the subnormals) early: what is left is fitted whole
        early = np.ones(step.size, bool)
    if early.sum() < order + 1:
        return None, np.inf  # fewer equations than an overdetermined fit needs
    a, *_ = np.linalg.lstsq(A[early], y[early], rcond=None)
    residual = float(np.abs(A @ a - y).max())
    return a, residual


def _check_options(lam, starts, steps) -> tuple[float, tuple[float, ...], int]:
    lam = real_number(lam, "lam")
    if not lam > 0:
        raise ParameterError(f"'lam' must be finite and > 0: {lam!r}")
    starts = tuple(float(s) for s in real_array(starts, "starts").reshape(-1))
    if not starts or not all(s != 0 for s in starts):
        raise ParameterError(f"'starts' must be finite, non-zero numbers: {starts!r}")
    if int(steps) != steps or not 3 * (MAX_ORDER + MAX_TRANSIENT) <= steps <= 100_000:
        raise ParameterError(
            f"'steps' must be an integer in [{3 * (MAX_ORDER + MAX_TRANSIENT)}, 100000]: {steps!r}"
        )
    return lam, starts, int(steps)


def identify(
    traj: TrajectoryFn,
    lam: float,
    /,
    *,
    starts: tuple[float, ...] = DEFAULT_STARTS,
    steps: int = 40,
    tol: float = RESIDUAL_TOL,
) -> Identification:
    """The shortest linear recurrence an optimiser's iterates obey on f(x) = lam/2 x^2.

    Parameters
    ----------
    traj : callable
        ``traj(lam, x0, steps)`` returns the iterates x_0..x_steps
        (see :mod:`numerics.testing.trajectories`).
    lam : float
        The curvature (> 0).
    starts : tuple of float
        The x0 of the runs (non-zero; different sizes and signs).
    steps : int
        Steps per run: enough for the held-out third to check the fit.
    tol : float
        The largest scaled residual accepted.

    Returns
    -------
    Identification
        The recurrence's characteristic polynomial ``coefficients``, its
        ``spectral_radius``, the ``linear`` flag and the fit's ``residual``.
    """
    lam, starts, steps = _check_options(lam, starts, steps)
    tol = real_number(tol, "tol")
    if not tol > 0:
        raise ParameterError(f"'tol' must be a residual > 0: {describe(tol)}")
    runs = [run_trajectory(traj, lam, x0, steps) for x0 in starts]
    worst = np.inf
    # the shortest description first: order + transient, then the lower order (a transient
    # of s steps is worth s zero roots; an order-1 fit after a long transient hides a small mode)
    candidates = sorted(
        ((o, s) for o in range(1, MAX_ORDER + 1) for s in range(MAX_TRANSIENT + 1)),
        key=lambda c: (c[0] + c[1], c[0]),
    )
    for order, transient in candidates:
        a, residual = _fit(runs, order, transient, steps)
        if order == MAX_ORDER:
            worst = min(worst, residual)
        if a is not None and residual <= tol:
            coefficients = np.concatenate([[1.0], -a[::-1]])
            rho = float(np.abs(np.roots(coefficients)).max())
            return Identification(lam, True, order, transient, coefficients, rho, residual)
    return Identification(lam, False, 0, 0, np.empty(0), float("nan"), float(worst))


def _rate(traj, lam, options) -> float:
    found = identify(traj, lam, **options)
    if not found.linear:
        raise IdentificationError(
            f"the iterates obey no linear recurrence of order <= {MAX_ORDER} at lam={shortest(lam)} "
            f"(residual {found.residual:.3g} > {options.get('tol', RESIDUAL_TOL):g}): "
            "the method has no fixed rate to bisect on"
        )
    return found.spectral_radius


def max_stable_lam(
    traj: TrajectoryFn,
    /,
    *,
    lam: float = 1.0,
    rtol: float = 1e-10,
    lam_range: tuple[float, float] = (1e-12, 1e12),
    **options,
) -> float:
    """The largest curvature the optimiser survives, from its identified rate.

    Assumes, as for every built-in method, that the stable curvatures form an
    interval (0, lam_max). Starting at ``lam`` it doubles or halves until the
    identified spectral radius crosses 1, then bisects (in log lam) to the
    relative precision ``rtol``. Compare with the closed form
    :func:`numerics.max_stable_lam` for the built-in methods.

    Parameters
    ----------
    traj : callable
        The trajectory function.
    lam : float
        Where to start looking (> 0).
    rtol : float
        Relative precision of the result.
    lam_range : (float, float)
        Where to stop looking: below it the result is NaN (nothing is
        stable), above it ``inf`` (everything tried is stable).
    **options
        Passed to :func:`identify` (``starts``, ``steps``, ``tol``).

    Raises
    ------
    IdentificationError
        If at some curvature tried the iterates obey no linear recurrence.
    """
    lam, _, _ = _check_options(lam, options.get("starts", DEFAULT_STARTS), options.get("steps", 40))
    limits = real_array(lam_range, "lam_range", finite=False)  # complex, text: its own error
    if limits.shape != (2,) or not 0 < limits[0] <= lam <= limits[1] < np.inf:
        raise ParameterError(
            f"'lam_range' must be 0 < lo <= lam <= hi < inf: {describe(lam_range)}, lam={lam}"
        )
    lo_lim, hi_lim = float(limits[0]), float(limits[1])
    rtol = real_number(rtol, "rtol")
    if not 0 < rtol < 1:
        raise ParameterError(f"'rtol' must be in (0, 1): {rtol!r}")
    if _rate(traj, lam, options) < 1:
        lo, hi = lam, None
        while hi is None:
            if lo * 2 > hi_lim:
                return float("inf")
            if _rate(traj, lo * 2, options) < 1:
                lo *= 2
            else:
                hi = lo * 2
    else:
        lo, hi = None, lam
        while lo is None:
            if hi / 2 < lo_lim:
                return float("nan")
            if _rate(traj, hi / 2, options) < 1:
                lo = hi / 2
            else:
                hi /= 2
    while hi / lo - 1 > rtol:
        mid = float(np.sqrt(lo * hi))
        if _rate(traj, mid, options) < 1:
            lo = mid
        else:
            hi = mid
    return float(np.sqrt(lo * hi))
