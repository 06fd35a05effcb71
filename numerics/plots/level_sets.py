"""Where the spectral radius is at most c, as a function without square roots.

The roots of z^2 - T z + D lie in the closed disk |z| <= c exactly when
(Jury's test applied to the polynomial in z/c)

    c^2 - D >= 0,   c^2 + D - c T >= 0   and   c^2 + D + c T >= 0

(:func:`radius_conditions`; their sum shows c^2 + D >= 0, so |D| <= c^2).
:func:`radius_margin` is the smallest of the three left-hand sides. Its sign
says whether rho <= c, like ``spectral_radius(...) - c`` does, but it is a
polynomial in T and D: for heavy ball (T = 1 + beta - eta lambda, D = beta)
it is piecewise linear in (eta, beta), so a contour of it drawn from a grid
is exact, where the rate itself has a square root at critical damping and
its sampled contours come out stepped.

Examples
--------
>>> float(radius_margin(0.5, 0.25, 1.0, 0.5))  # heavy ball: complex roots of modulus 1/2
0.0
>>> bool(radius_margin(0.5, 0.25, 1.0, 0.49) < 0)
True
"""

from __future__ import annotations

import numpy as np

from numerics.methods import numeric_method

__all__ = ["radius_conditions", "radius_margin"]


def radius_margin(eta, beta, lam, c: float, method="heavy_ball", **params) -> np.ndarray:
    """The smallest of :func:`radius_conditions`: >= 0 iff the spectral radius is <= c.

    Parameters
    ----------
    eta, beta, lam : array_like
        Step size, momentum and curvature, broadcast together.
    c : float
        The radius, positive.
    method : str or method, optional
        Any method with a 2 x 2 state matrix (every built-in one).

    Returns
    -------
    numpy.ndarray
        Zero on the level set rho = c, positive inside it, negative outside.
    """
    first, *rest = radius_conditions(eta, beta, lam, c, method, **params)
    for f in rest:
        first = np.minimum(first, f)
    return first


def radius_conditions(eta, beta, lam, c: float, method="heavy_ball", **params) -> tuple:
    """Jury's three conditions for rho <= c: ``(c^2 - D, c^2 + D - cT, c^2 + D + cT)``, each >= 0.

    Each is a polynomial in the trace T and determinant D of the state
    matrix (affine in eta and beta for heavy ball); a level set of the rate
    is where the smallest of them crosses zero.
    """
    T, D = numeric_method(method).trace_det(eta, beta, lam, **params)
    c = float(c)
    with np.errstate(invalid="ignore", over="ignore"):
        return c * c - D, c * c + D - c * T, c * c + D + c * T
