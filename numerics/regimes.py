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

from dataclasses import dataclass
from fractions import Fraction
from math import factorial

import numpy as np

from numerics.methods import numeric_method
from numerics.rates import _as_float_array, max_stable_lam, regime
from theory.errors import ParameterError

__all__ = ["RegimeBoundary", "regime_boundaries"]

#: candidate boundaries closer than this (relative) are one boundary
MERGE_RTOL = 1e-7


@dataclass(frozen=True)
class RegimeBoundary:
    """The curvature ``lam`` at which the regime changes from ``below`` to ``above``."""

    lam: float
    below: str
    above: str


#: exact evaluations of each polynomial in lambda (its degree must show itself well below this)
_SAMPLES = 9


def _exact(value) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(float(value))


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
    args = [_exact(v) for v in (e, b)]
    extra = [_exact(v) for v in values]
    samples = [m.coefficients_of(args[0], args[1], Fraction(k), *extra) for k in range(_SAMPLES)]
    width = len(samples[0])
    if width == 2:  # one state: z - a(lambda); a changes sign where the regime does
        polys = [[_exact(c[1]) for c in samples]]
    elif width == 3:
        polys = [
            [_exact(a1) ** 2 - 4 * _exact(a2) * _exact(a0) for a2, a1, a0 in samples],
            [_exact(c[1]) for c in samples],
        ]
    else:  # three or more states: only the stability edge is located
        polys = []
    return [_in_lambda(p) for p in polys]


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
    e = float(_as_float_array(eta_value, "eta"))
    b = float(_as_float_array(beta_value, "beta"))
    if e <= 0:
        raise ParameterError(f"'eta' must be > 0: {e!r}")
    m = numeric_method(method)
    edge = float(max_stable_lam(e, b, m, **params))
    if not np.isfinite(edge):
        return ()
    values = [float(v) for v in m.extra_values(params)]  # none missing, none unknown
    candidates = [edge]
    for exact in _root_polynomials(m, e, b, values):
        try:
            coeffs = np.array([float(c) for c in exact])
        except OverflowError:
            coeffs = np.array([np.inf])
        if not np.isfinite(coeffs).all():
            raise ParameterError(
                f"the regime boundaries overflow a float at eta={e:g}, beta={b:g}: "
                "use a smaller eta or beta"
            )
        nonzero = np.flatnonzero(coeffs)
        if nonzero.size == 0:
            continue
        for r in np.roots(coeffs[nonzero[0] :]):
            if abs(r.imag) <= 1e-9 * max(abs(r), 1.0) and 0 < r.real < edge * (1 - 1e-12):
                candidates.append(float(r.real))
    points = np.unique(candidates)
    # a double root of the discriminant comes out of np.roots as two close roots: one point
    points = points[np.concatenate([np.diff(points) > MERGE_RTOL * points[1:], [True]])]
    # the regime on each open interval between candidates, sampled at its middle
    lows = np.concatenate([[0.0], points[:-1]])
    mids = np.where(lows > 0, np.sqrt(lows) * np.sqrt(points), points / 2)  # no overflow
    labels = [str(r) for r in np.atleast_1d(regime(e, b, mids, m, **params))]
    labels.append("divergent")
    return tuple(
        RegimeBoundary(float(p), labels[i], labels[i + 1])
        for i, p in enumerate(points)
        if labels[i] != labels[i + 1]
    )
