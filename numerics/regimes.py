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
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from numerics.methods import numeric_method
from numerics.rates import _as_float_array, max_stable_lam, regime
from theory.errors import ParameterError

if TYPE_CHECKING:
    from theory.methods import Method

__all__ = ["RegimeBoundary", "regime_boundaries"]

#: candidate boundaries closer than this (relative) are one boundary
MERGE_RTOL = 1e-7


@dataclass(frozen=True)
class RegimeBoundary:
    """The curvature ``lam`` at which the regime changes from ``below`` to ``above``."""

    lam: float
    below: str
    above: str


@lru_cache(maxsize=32)
def _root_polynomials(method: Method):
    """Coefficient functions (in lambda) of the discriminant and of the trace."""
    import sympy as sp  # on first use: importing numerics loads no SymPy

    from theory.methods import characteristic_polynomial
    from theory.symbols import beta, eta, lam, z

    extra = [p for p in method.parameters if p not in (eta, beta)]
    coeffs = sp.Poly(characteristic_polynomial(method).as_expr(), z).all_coeffs()
    if len(coeffs) == 2:  # one state: z - a(lambda); a changes sign where the regime does
        polys = [coeffs[1]]
    elif len(coeffs) == 3:
        a2, a1, a0 = coeffs
        polys = [a1**2 - 4 * a2 * a0, a1]
    else:  # three or more states: only the stability edge is located
        polys = []
    funcs = [
        sp.lambdify([eta, beta, *extra], sp.Poly(sp.expand(p), lam).all_coeffs(), "numpy")
        for p in polys
    ]
    return funcs, [str(p) for p in extra]


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
    funcs, extra = _root_polynomials(m.method)
    values = [float(params[p]) for p in extra] if set(extra) <= set(params) else []
    m.extra_values(params)  # none missing, none unknown
    candidates = [edge]
    for fn in funcs:
        with np.errstate(over="ignore", invalid="ignore"):
            # NumPy scalars: Python floats would raise OverflowError from inside the formula
            args = (np.float64(v) for v in (e, b, *values))
            coeffs = np.array([float(c) for c in fn(*args)])
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
