r"""Heavy ball on every L-smooth mu-strongly convex function: the two closed forms beyond quadratics.

The quadratic theory's stability region holds on quadratics. On the whole
class of L-smooth, mu-strongly convex functions two results of the
literature bound where heavy ball (x_{t+1} = x_t - eta g_t + beta (x_t - x_{t-1}))
is safe:

- :func:`guaranteed_max_eta`: for 0 <= beta < 1 and eta below 2 (1 - beta) / L
  it converges on every such function (Ghadimi, Feyzmahdavian and Johansson
  2015). A result of the literature, stated here, not derived.
- :func:`cycle_conic`: Goujaud, Taylor and Dieuleveut (2023) give where it has
  a cycle on the regular K-gon around the minimizer of some such function.
  Here the conic is *derived*: the cycle's gradients are what heavy ball
  needs to step from x_t to x_{t+1}, and the interpolation inequality of the
  class (Taylor, Hendrickx and Glineur 2017, Theorem 4) between neighbours
  x_1 and x_0 of the polygon, times a positive factor, is

  .. math:: y^2 - 2 (\beta - \phi + \kappa (1 - \beta\phi))\, y
            + 2 \kappa (1 - \phi)(1 + \beta^2 - 2 \beta\phi),

  with y = mu eta, kappa = mu / L and phi = cos(2 pi / K). That this
  neighbours' inequality is the one that binds (every other pair's follows)
  is their theorem; :mod:`numerics.class_regions` types the conic in NumPy
  and its tests check it against every pair's inequality.

The explorer page prints both with SymPy's JavaScript printer
(:mod:`momentum_cli.explorer.codegen`).

Examples
--------
>>> from theory.symbols import L, beta, eta, mu
>>> conic = cycle_conic()
>>> sp.Poly(conic, eta).LC()  # monic in y = mu eta
mu**2
>>> # Polyak's tuning for [1, 25] and K = 3 (phi = -1/2): negative, a 3-cycle (Lessard et al.)
>>> polyak = {eta: sp.Rational(1, 9), beta: sp.Rational(4, 9), mu: 1, L: 25}
>>> conic.subs(polyak).subs(phi, -sp.Rational(1, 2))
-23/2025
"""

from __future__ import annotations

import functools

import sympy as sp

from theory.symbols import L, beta, eta, mu

__all__ = ["cycle_conic", "guaranteed_max_eta", "neighbour_inequality", "phi"]

#: cos(2 pi / K) for a cycle of K points: in [-1, 1)
phi = sp.Symbol("phi", real=True)


def guaranteed_max_eta() -> sp.Expr:
    """2 (1 - beta) / L: below it heavy ball converges on every L-smooth convex f (0 <= beta < 1).

    Ghadimi, Feyzmahdavian and Johansson (2015), "Global convergence of the
    heavy-ball method for convex optimization".
    """
    return 2 * (1 - beta) / L


def _point(k: int) -> sp.Matrix:
    """The cycle's k-th point on the unit circle: (cos k theta, sin k theta) with cos theta = phi."""
    c, s = phi, sp.sqrt(1 - phi**2)
    # cos and sin of k theta from theta's by the angle-addition formulas (k in -1..2 here)
    cos_k, sin_k = {-1: (c, -s), 0: (1, 0), 1: (c, s), 2: (2 * c**2 - 1, 2 * c * s)}[k]
    return sp.Matrix([cos_k, sin_k])


def _gradient(k: int) -> sp.Matrix:
    """The gradient heavy ball needs at x_k to step to x_{k+1}: (1 + beta) x_k - x_{k+1} - beta x_{k-1}, over eta."""
    return ((1 + beta) * _point(k) - _point(k + 1) - beta * _point(k - 1)) / eta


@functools.cache
def neighbour_inequality() -> sp.Expr:
    r"""The class's interpolation inequality between x_1 and x_0 of the cycle, as ``rhs - lhs``.

    Some L-smooth mu-strongly convex f takes the values f_i and gradients g_i
    at x_i only if, for every pair, :math:`f_0 \ge f_1 + \langle g_1, x_0 - x_1\rangle
    + \frac{1}{2(1 - \mu/L)} \big(\tfrac{1}{L}\|g_0 - g_1\|^2 + \mu \|x_0 - x_1\|^2
    - \tfrac{2\mu}{L} \langle g_1 - g_0, x_1 - x_0\rangle\big)` (Taylor, Hendrickx and
    Glineur 2017, Theorem 4). On the cycle every f_i is the same (a rotation
    maps the cycle onto itself), so this is <= 0 where the cycle can exist.
    """
    x0, x1, g0, g1 = _point(0), _point(1), _gradient(0), _gradient(1)
    dx, dg = x0 - x1, g0 - g1
    curvature = (dg.dot(dg) / L + mu * dx.dot(dx) - 2 * mu / L * dg.dot(dx)) / (2 * (1 - mu / L))
    return sp.cancel(g1.dot(dx) + curvature)


@functools.cache
def cycle_conic() -> sp.Expr:
    """Goujaud, Taylor and Dieuleveut's conic, derived: <= 0 exactly where the K-cycle exists.

    :func:`neighbour_inequality` times eta^2 mu (L - mu) / (L (1 - phi)),
    positive for mu < L and phi < 1, so of the same sign; expanded, a
    polynomial in eta, beta, mu, L and phi, monic in y = mu eta.
    """
    conic = sp.expand(sp.cancel(neighbour_inequality() * eta**2 * mu * (L - mu) / (L * (1 - phi))))
    if sp.Poly(conic, eta).LC() != mu**2:  # pragma: no cover - guards the derivation
        raise ArithmeticError(f"the neighbours' inequality did not reduce to a conic: {conic}")
    return conic
