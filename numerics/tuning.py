"""Tuning on a spectrum [mu, L]: the closed forms where they exist, a numeric search elsewhere.

For gd, heavy ball and Nesterov the tuned (eta, beta, rate) are the closed
forms of :func:`theory.tuned_formulas`, generated ahead of time as rational
functions of (mu, L, r), r the one square root they hold
(:mod:`numerics.codegen`): :func:`tune_closed_form` evaluates them in floats,
:func:`exact_tuning` in exact rationals whenever r is rational. For other
methods :func:`tune_numeric` searches, and its result says it is numeric
(``NumericTuning.numeric is True``).

Examples
--------
>>> from fractions import Fraction
>>> exact_tuning(Fraction(1), Fraction(100))
(Fraction(4, 121), Fraction(81, 121), Fraction(9, 11))
>>> t = tune_numeric(1.0, 4.0, method="heavy_ball")
>>> round(t.rate, 4), t.numeric
(0.3333, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from numerics._generated_methods import TUNINGS
from numerics.grids import _ENDPOINT_METHODS, _check_spectrum, _sampled_worst_case, worst_case_rate
from numerics.methods import numeric_method
from numerics.rates import max_stable_eta
from theory.errors import ParameterError, describe

__all__ = ["NumericTuning", "exact_tuning", "tune_closed_form", "tune_numeric"]

#: grid used to pick starting points before the local search
_START_GRID = 40
#: curvatures the starting grid samples (where the worst case is not at an end of the
#: spectrum); the local search and the rate returned use the full ``SPECTRUM_SAMPLES``
_START_SAMPLES = 257


@dataclass(frozen=True)
class NumericTuning:
    method: str
    eta: float
    beta: float
    rate: float
    numeric: bool = True


def _closed_form(method) -> tuple:
    name = numeric_method(method).name
    if name not in TUNINGS:
        allowed = ", ".join(TUNINGS)
        raise ParameterError(
            f"'method' must be one of {allowed} for closed-form tuning: {method!r} "
            "(tune_numeric tunes any method numerically)"
        )
    return name, *TUNINGS[name]


def tune_closed_form(mu: float, L: float, method: str = "heavy_ball") -> NumericTuning:
    """The closed-form tuned (eta, beta, rate) on [mu, L], in floats (``numeric`` is False)."""
    _check_spectrum(mu, L)
    name, root, tuned = _closed_form(method)
    r = math.sqrt(float(root(float(mu), float(L))))
    eta, beta, rate = (float(v) for v in tuned(float(mu), float(L), r))
    return NumericTuning(name, eta, beta, rate, numeric=False)


def _rational_sqrt(q: Fraction) -> Fraction | None:
    if q < 0:
        return None
    top, bottom = math.isqrt(q.numerator), math.isqrt(q.denominator)
    if top * top == q.numerator and bottom * bottom == q.denominator:
        return Fraction(top, bottom)
    return None


#: an exact input's numerator and denominator hold at most this many digits (bounded work)
EXACT_DIGITS = 400


def _rational(value, name: str) -> Fraction:
    """A finite rational from an int, Fraction, float, Decimal or text; else a ParameterError."""
    try:
        q = Fraction(value)
    except (TypeError, ValueError, OverflowError) as exc:  # NaN, infinity, text, complex
        raise ParameterError(
            f"'{name}' must be a finite rational number: {describe(value)}"
        ) from exc
    if max(abs(q.numerator), q.denominator).bit_length() > EXACT_DIGITS / 0.30103:
        raise ParameterError(
            f"'{name}' must have at most {EXACT_DIGITS} digits above and below the line: "
            f"{describe(value)}"
        )
    return q


def exact_tuning(
    mu: Fraction, L: Fraction, method: str = "heavy_ball"
) -> tuple[Fraction, Fraction, Fraction] | None:
    """The tuned (eta, beta, rate) as exact fractions, or None when they are irrational.

    They are rational exactly when the formulas' square root r is: for heavy
    ball r = sqrt(L/mu), for Nesterov r = sqrt(3 L/mu + 1); gradient
    descent's are always rational. (:func:`theory.optimal_parameters` writes
    the irrational ones exactly, with SymPy.)
    """
    mu, L = _rational(mu, "mu"), _rational(L, "L")
    if not 0 < mu <= L:
        raise ParameterError(
            f"the spectrum must satisfy 0 < mu <= L: mu={describe(mu)}, L={describe(L)}"
        )
    _, root, tuned = _closed_form(method)
    r = _rational_sqrt(Fraction(root(mu, L)))
    if r is None:
        return None
    eta, beta, rate = (Fraction(v) for v in tuned(mu, L, r))
    return eta, beta, rate


def tune_numeric(mu: float, L: float, method: str = "heavy_ball", **params) -> NumericTuning:
    """(eta, beta) minimising the worst-case rate over [mu, L], by search then Nelder-Mead.

    A coarse (eta, beta) grid picks the start (eta up to the largest stable
    step at L, beta in [0, 1));
    Nelder-Mead refines it in the coordinates (log eta, beta). The start is
    kept if the search ends no better than it. For a method whose rate depends
    on eta and lambda through eta*lambda alone (every built-in one but
    PyTorch's with weight decay: ``NumericMethod.scale_free``) the search runs
    on the spectrum scaled by a power of two to end near 1, and the step is
    scaled back exactly: the same answer for [1e-300, 1e-299] as for [1, 10].
    """
    from scipy.optimize import minimize

    mu_given, L_given = _check_spectrum(mu, L)
    m = numeric_method(method)
    # scaled by 2**-shift, exact (ldexp: 2.0 ** 1074 itself overflows for a subnormal L)
    shift = round(math.log2(L_given)) if m.scale_free else 0
    mu, L = math.ldexp(mu_given, -shift), math.ldexp(L_given, -shift)
    if mu == 0:
        raise ParameterError(
            f"'mu' is too small beside 'L': kappa = L/mu passes a float's range: "
            f"mu={mu_given:g}, L={L_given:g}"
        )
    betas = np.linspace(0.0, 0.995, _START_GRID)
    # the steps up to the largest stable one at L (its closed form): 4/L for heavy ball,
    # 2(1 + beta)/((1 - d)(L + wd)) for PyTorch's, whatever sets the scale
    edges = np.asarray(max_stable_eta(betas, L, m, **params))
    edge = float(edges[np.isfinite(edges)].max()) if np.isfinite(edges).any() else 4.0 / L
    if not math.isfinite(edge):  # a subnormal L of a method that is not rescaled
        raise ParameterError(f"the stable steps for [{mu_given:g}, {L_given:g}] are beyond a float")
    etas = np.geomspace(edge / 80, edge, _START_GRID)
    if m.name in _ENDPOINT_METHODS and not params:
        grid = worst_case_rate(etas[:, None], betas[None, :], mu, L, m)
    else:  # only a start: a coarser sampling of the spectrum picks it 8 times faster
        grid = _sampled_worst_case(
            etas[:, None], betas[None, :], mu, L, m, _START_SAMPLES, **params
        )
    i, j = np.unravel_index(np.argmin(grid), grid.shape)
    start = np.array([np.log(etas[i]), betas[j]])
    top = np.log(np.finfo(float).max)

    def objective(p: np.ndarray) -> float:
        if not (-0.999 < p[1] < 0.9999 and abs(p[0]) < top):
            return 2.0  # outside the search's box (and exp(p[0]) would overflow)
        return float(worst_case_rate(math.exp(p[0]), p[1], mu, L, m, **params))

    res = minimize(
        objective,
        x0=start,
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000},
    )
    best = res.x if res.fun <= objective(start) and abs(res.x[0]) < top else start
    try:
        eta = math.ldexp(math.exp(best[0]), -shift)
    except OverflowError:
        eta = math.inf
    if not math.isfinite(eta) or eta == 0:
        raise ParameterError(f"the tuned step for [{mu_given:g}, {L_given:g}] is beyond a float")
    return NumericTuning(m.name, eta, float(best[1]), objective(best))
