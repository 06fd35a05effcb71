"""Does an optimiser follow a method's theory? :func:`assert_matches`, iterate by iterate.

The theory side is the toolkit's simulation of the method
(:func:`numerics.simulate`, the method's update equations run as written);
the optimiser side is a trajectory function
(:mod:`numerics.testing.trajectories`). On a difference the
``AssertionError`` names the counterexample: the curvature, the first step
that differs, the expected and the observed iterate.

Examples
--------
>>> from numerics.testing.trajectories import theory_trajectory
>>> assert_matches(theory_trajectory("heavy_ball", eta=0.1, beta=0.9), "heavy_ball", eta=0.1, beta=0.9)
>>> assert_matches(theory_trajectory("gd", eta=0.1), "heavy_ball", eta=0.1, beta=0.9)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
AssertionError: the optimiser does not follow heavy_ball (eta=0.1, beta=0.9): ...
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

from numerics.checks import real_array, real_number
from numerics.testing.trajectories import TrajectoryFn, run_trajectory
from theory.errors import ParameterError, shortest

__all__ = ["DEFAULT_LAM_FRACTIONS", "MATCH_RTOL", "assert_matches", "default_lams"]

#: iterate-by-iterate agreement required, relative to the run's recent size (float64)
MATCH_RTOL = 1e-9
#: the curvatures tried, as fractions of the largest stable one: inside the region and beyond it
DEFAULT_LAM_FRACTIONS = (0.07, 0.45, 0.8, 0.97, 1.3)
#: the comparison scale at step t is the largest |x| over the steps t - _WINDOW .. t
_WINDOW = 3


def default_lams(method, eta: float, beta: float = 0.0, **params) -> np.ndarray:
    """Curvatures across the method's stability region and beyond its edge.

    ``DEFAULT_LAM_FRACTIONS`` of the closed-form largest stable curvature;
    when no curvature is stable, a spread around 1/eta.
    """
    from numerics.methods import numeric_method
    from numerics.rates import max_stable_lam

    numeric_method(method).extra_scalars(params)  # one number each, as eta and beta
    edge = float(max_stable_lam(eta, beta, method, **params))
    if not np.isfinite(edge):
        edge = 2.0 / eta
    return edge * np.asarray(DEFAULT_LAM_FRACTIONS)


def _scale(xs: np.ndarray) -> np.ndarray:
    """The largest |x| over each step and the few before it (a zero crossing is not tiny)."""
    with np.errstate(invalid="ignore"):
        a = np.abs(xs)
        out = a.copy()
        for k in range(1, _WINDOW + 1):
            out[k:] = np.fmax(out[k:], a[:-k])
    return out


def _describe(method_name: str, eta, beta, params: dict) -> str:
    named = {"eta": eta, "beta": beta, **params}
    return f"{method_name} (" + ", ".join(f"{k}={shortest(v)}" for k, v in named.items()) + ")"


def assert_matches(
    traj: TrajectoryFn,
    method="heavy_ball",
    /,
    *,
    eta: float,
    beta: float = 0.0,
    lams=None,
    x0: float = 1.3,
    steps: int = 30,
    rtol: float = MATCH_RTOL,
    **params,
) -> None:
    """Raise ``AssertionError`` with a counterexample unless ``traj`` follows the method's theory.

    Parameters
    ----------
    traj : callable
        ``traj(lam, x0, steps)``: the optimiser's iterates on f(x) = lam/2 x^2.
    method : str or theory.Method
        The method it should follow (``"heavy_ball"``, ``"torch_sgd"``, ...;
        :func:`theory.torch_sgd` maps PyTorch's options to one).
    eta, beta : float
        Step size and momentum.
    lams : sequence of float, optional
        The curvatures to try; by default :func:`default_lams` (inside the
        stability region and beyond its edge).
    x0 : float
        The start.
    steps : int
        Steps per run.
    rtol : float
        Agreement required at each step, relative to the largest |x| over
        that step and the three before it.
    **params
        The method's further parameters (``nu``, ``dampening``, ``weight_decay``).

    Raises
    ------
    AssertionError
        At the first curvature and step where the iterates differ: its
        message gives lambda, the step, the expected and the observed iterate.
    """
    from numerics.methods import numeric_method
    from numerics.simulate import simulate

    m = numeric_method(method)
    m.extra_scalars(params)  # one number each, as eta and beta
    # every option read as the toolkit reads numbers: a complex, text or list is its own
    # error naming the option, never float()'s TypeError or numpy's ValueError
    eta, beta = real_number(eta, "eta"), real_number(beta, "beta")
    x0 = real_number(x0, "x0")
    if x0 == 0:
        raise ParameterError(f"'x0' must be finite and non-zero: {x0!r}")
    if not (isinstance(steps, Integral | float | np.floating) and not isinstance(steps, bool)):
        raise ParameterError(f"'steps' must be an integer in [1, 100000]: {steps!r}")
    if not (np.isfinite(steps) and int(steps) == steps and 1 <= steps <= 100_000):
        raise ParameterError(f"'steps' must be an integer in [1, 100000]: {steps!r}")
    rtol = real_number(rtol, "rtol")
    if not 0 <= rtol < 1:
        raise ParameterError(f"'rtol' must be in [0, 1): {rtol!r}")
    steps = int(steps)
    lams = (
        default_lams(m, eta, beta, **params)
        if lams is None
        else real_array(lams, "lams", finite=False)
    )
    lams = lams.reshape(-1)
    if lams.size == 0 or not (np.isfinite(lams).all() and (lams > 0).all()):
        raise ParameterError(f"'lams' must be finite curvatures > 0: {lams}")
    # one run of the theory over Q = diag(lams): each coordinate is one curvature
    theory = simulate(
        eta,
        beta,
        lams=lams,
        x0=np.full(lams.size, float(x0)),
        steps=steps,
        method=m.method,
        **params,
    ).x[:, 0, :]
    for i, lam in enumerate(lams):
        expected = theory[:, i]
        observed = run_trajectory(traj, float(lam), float(x0), steps)
        with np.errstate(invalid="ignore", over="ignore"):
            tolerance = rtol * _scale(expected)
            differs = np.isfinite(expected) & ~(np.abs(observed - expected) <= tolerance)
        if differs.any():
            t = int(np.argmax(differs))
            shown = slice(max(0, t - 3), t + 1)
            raise AssertionError(
                f"the optimiser does not follow {_describe(m.name, eta, beta, params)}: "
                f"at lambda = {shortest(lam)}, x0 = {shortest(x0)}, the iterates first differ "
                f"at step {t}:\n"
                f"  expected x_{t} = {shortest(expected[t])}\n"
                f"  observed x_{t} = {shortest(observed[t])}\n"
                f"  (difference {abs(observed[t] - expected[t]):.3g}, "
                f"tolerance {tolerance[t]:.3g} = {rtol:g} x {tolerance[t] / rtol if rtol else 0:.3g})\n"
                f"  steps {shown.start}..{t}: expected {expected[shown].tolist()}, "
                f"observed {observed[shown].tolist()}"
            )
