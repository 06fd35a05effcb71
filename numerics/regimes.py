r"""Where the regime changes along the curvature axis, for one (eta, beta).

For fixed step and momentum, Goh's regimes follow each other as lambda
grows: for heavy ball, monotone up to the first critical damping
``eta lambda = (1 - sqrt(beta))^2``, ripples up to the second
``(1 + sqrt(beta))^2``, oscillating up to the edge ``2(1 + beta)``, divergent
beyond. The boundaries are the positive roots, in lambda, of the
discriminant of the characteristic polynomial and of its trace, found from
the method's own polynomial (never typed in), and the stability edge.

Examples
--------
>>> [(round(b.lam, 6), b.below, b.above) for b in regime_boundaries(0.5, 0.25)]
[(0.5, 'monotone', 'ripples'), (4.5, 'ripples', 'oscillating'), (5.0, 'oscillating', 'divergent')]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from math import factorial

import numpy as np

import numerics.exact as exact
from numerics.checks import real_number
from numerics.methods import numeric_method
from numerics.rates import max_stable_lam, regime, spectral_radius
from theory.errors import ParameterError

__all__ = ["RegimeBoundary", "Verdict", "regime_boundaries", "verdict"]

#: roots of a polynomial of degree 3 or more closer than this (relative) are one boundary
MERGE_RTOL = 1e-7


@dataclass(frozen=True)
class RegimeBoundary:
    """The curvature ``lam`` at which the regime changes from ``below`` to ``above``."""

    lam: float
    below: str
    above: str


@dataclass(frozen=True)
class Verdict:
    """The rate at one point and what it means; see :func:`verdict`.

    ``marginal``: rho is 1 to a float's precision, so its float value cannot
    say which side of 1 it lies on; ``regime`` and ``stable`` are then read
    off the exact regime boundaries.
    """

    spectral_radius: float
    regime: str
    stable: bool
    marginal: bool


#: exact evaluations of each polynomial in lambda (its degree must show itself well below this)
_SAMPLES = 9


def _in_lambda(values: list[Fraction]) -> list[Fraction]:
    """Monomial coefficients (highest first) of the polynomial taking ``values`` at 0, 1, 2, ...

    Exact Newton interpolation; ``ParameterError`` if the degree is not well below the
    number of samples (the method's state matrix is then not polynomial of low degree in lambda).
    """
    diffs, row = [], list(values)
    while row:
        diffs.append(row[0])
        row = [b - a for a, b in zip(row, row[1:], strict=False)]
    degree = max((k for k, d in enumerate(diffs) if d != 0), default=0)
    if degree > len(values) - 3:
        raise ParameterError(
            "the method's characteristic polynomial is not of low degree in lambda"
        )
    # sum_k diffs[k] * C(lam, k), expanded into powers of lambda
    coeffs = [Fraction(0)] * (degree + 1)  # lowest power first while building
    falling = [Fraction(1)]  # lam (lam - 1) ... (lam - k + 1), lowest power first
    for k in range(degree + 1):
        for i, c in enumerate(falling):
            coeffs[i] += diffs[k] * c / factorial(k)
        falling = [Fraction(0), *falling]
        for i in range(len(falling) - 1):
            falling[i] -= k * falling[i + 1]
    return coeffs[::-1]


def _root_polynomials(m, e: float, b: float, values: list[float]) -> list[list[Fraction]]:
    """Coefficients in lambda of the discriminant and of the trace, in exact rationals.

    The characteristic polynomial's coefficients are polynomials in lambda
    (the gradient is lambda y): they are evaluated in exact rationals at a few
    curvatures, from the method's own generated coefficients (no SymPy), and
    interpolated exactly.
    """
    # x's own polynomial (z - R[x, x] where no other state moves x at any curvature)
    samples = [exact.coefficients(m, e, b, Fraction(k), values) for k in range(_SAMPLES)]
    if len({len(row) for row in samples}) > 1:  # x alone at some curvatures only: R's
        args = [exact.rational(v) for v in (e, b, 0, *values)]
        samples = [m.coefficients_of(*args[:2], Fraction(k), *args[3:]) for k in range(_SAMPLES)]
    width = len(samples[0])
    if width == 2:  # one state: z - a(lambda); a changes sign where the regime does
        polys = [[exact.rational(c[1]) for c in samples]]
    elif width == 3:
        rows = [[exact.rational(c) for c in row] for row in samples]
        polys = [[a1**2 - 4 * a2 * a0 for a2, a1, a0 in rows], [c[1] for c in rows]]
    else:  # three or more states: only the stability edge is located
        polys = []
    return [_in_lambda(p) for p in polys]


def _positive_roots(exact: list[Fraction]) -> list[float]:
    """The real positive roots of a polynomial with exact coefficients (highest power first).

    Degree 1 and 2 (every two-state method's discriminant and trace) are solved
    in rationals, the discriminant exact and its square root to 64 bits, by
    the formula that does not cancel: each root is right to the last bit of
    its float, however far apart the two lie (beta next to 1 puts them 1e32
    apart). Higher degrees: numpy's roots, with the variable scaled by a power
    of two near the roots' geometric mean so no coefficient overflows.
    """
    coeffs = list(exact)
    while coeffs and coeffs[0] == 0:
        coeffs.pop(0)
    while coeffs and coeffs[-1] == 0:  # roots at lambda = 0 are no boundary
        coeffs.pop()
    n = len(coeffs) - 1
    if n < 1:
        return []
    if n == 1:
        roots = [-coeffs[1] / coeffs[0]]
    elif n == 2:
        a, b, c = coeffs
        disc = b * b - 4 * a * c
        if disc < 0:
            return []
        q = -(b + (1 if b >= 0 else -1) * _sqrt(disc)) / 2  # b and the root add, never cancel
        roots = [q / a, c / q]
    else:
        # lambda = 2**k u: the coefficient of u**(n - i) is c_i 2**(-k i) / c_0 (monic in u)
        k = round(_log2(coeffs[-1] / coeffs[0]) / n)
        scaled = [float(c * Fraction(2) ** (-k * i) / coeffs[0]) for i, c in enumerate(coeffs)]
        if not np.isfinite(scaled).all():
            raise ParameterError(
                "the regime boundaries of this method and point span more than a float's range"
            )
        real = np.sort([r.real for r in np.roots(scaled) if abs(r.imag) <= 1e-9 * abs(r)])
        # a double root comes out of np.roots as two close roots: one point
        real = real[np.concatenate([np.diff(real) > MERGE_RTOL * np.abs(real[1:]), [True]])]
        roots = [Fraction(float(r)) * Fraction(2) ** k for r in real]
    return [float(r) for r in roots if 0 < r < _FLOAT_MAX]


_FLOAT_MAX = Fraction(float(np.finfo(float).max))


def _sqrt(x: Fraction) -> Fraction:
    """The square root of a positive rational, to 64 bits (integer square roots, any size)."""
    p, q = x.numerator, x.denominator
    shift = max(0, 130 - (p * q).bit_length()) // 2 + 1
    return Fraction(math.isqrt(p * q << (2 * shift)), q << shift)


def _log2(q: Fraction) -> float:
    """log2 |q| for a nonzero rational of any size (no float overflow)."""
    q = abs(q)
    shift = q.numerator.bit_length() - q.denominator.bit_length()
    return shift + float(np.log2(float(q / Fraction(2) ** shift)))


def regime_boundaries(eta_value, beta_value=0.0, method="heavy_ball", **params):
    """The curvatures where Goh's regime changes, in increasing order.

    Parameters
    ----------
    eta_value, beta_value : float
        Step size (> 0) and momentum.
    method : str or Method
        Any method; for methods of more than two states only the stability
        edge is returned.
    **params
        The method's further parameters (``nu``, ``dampening``, ``weight_decay``).

    Returns
    -------
    tuple of RegimeBoundary
        The last one, when some curvature is stable, is the stability edge
        (``above == "divergent"``); empty when no curvature is stable.
    """
    e = real_number(eta_value, "eta")
    b = real_number(beta_value, "beta")
    if e <= 0:
        raise ParameterError(f"'eta' must be > 0: {e!r}")
    m = numeric_method(method)
    values = m.extra_scalars(params)  # none missing, none unknown, single numbers
    edge = float(max_stable_lam(e, b, m, **params))
    if not np.isfinite(edge):
        return ()
    candidates = [edge]
    for poly in _root_polynomials(m, e, b, values):
        candidates += [r for r in _positive_roots(poly) if r < edge * (1 - 1e-12)]
    points = np.unique(candidates)
    # the regime on each open interval between candidates, sampled at its middle, exactly
    lows = np.concatenate([[0.0], points[:-1]])
    mids = np.where(lows > 0, np.sqrt(lows) * np.sqrt(points), points / 2)  # no overflow
    labels = [exact.regime(m, e, b, float(x), values) for x in mids]
    if None in labels:  # three or more states: the float regime
        labels = [str(r) for r in np.atleast_1d(regime(e, b, mids, m, **params))]
    labels.append("divergent")
    return tuple(
        RegimeBoundary(float(p), labels[i], labels[i + 1])
        for i, p in enumerate(points)
        if labels[i] != labels[i + 1]
    )


def verdict(eta_value, beta_value, lam_value, method="heavy_ball", **params) -> Verdict:
    """The spectral radius at one point, its regime and whether it is stable.

    Where the float rho is 1 to within :data:`numerics.exact.MARGINAL_ULPS` ulps (at
    eta = lam = 1e-300 the true rho is 1 - 1e-600/(1 - beta), a float's 1),
    the regime and stability are decided exactly on the rationals of the
    inputs (:mod:`numerics.exact`), as the labels of :func:`regime_boundaries`
    are: a verdict never contradicts them.

    Examples
    --------
    >>> verdict(1e-300, 0.5, 1e-300)
    Verdict(spectral_radius=1.0, regime='monotone', stable=True, marginal=True)
    """
    e = real_number(eta_value, "eta")
    b = real_number(beta_value, "beta")
    lam = real_number(lam_value, "lam")
    m = numeric_method(method)
    values = m.extra_scalars(params)
    rho = float(spectral_radius(e, b, lam, m, **params))
    if not exact.marginal(rho):
        return Verdict(rho, str(regime(e, b, lam, m, **params)), rho < 1, False)
    label = exact.regime(m, e, b, lam, values)
    if label is None:  # three or more states: the interval of the exact boundaries holding lam
        bounds = regime_boundaries(e, b, m, **params)
        label = bounds[0].below if bounds else "divergent"
        for boundary in bounds:
            if lam >= boundary.lam:  # on the edge rho is 1: divergent, as the open region says
                label = boundary.above
    return Verdict(rho, label, label != "divergent", True)
