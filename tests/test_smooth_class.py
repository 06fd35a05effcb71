"""theory.smooth_class: the cycle conic derived from the class's interpolation inequality.

References share no code with the derivation: Goujaud, Taylor and
Dieuleveut's conic as they print it, a plain float computation of the
inequality on the polygon, and tests/references.py's check of every pair.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from hypothesis import given

from tests.references import heavy_ball_cycle_interpolable
from tests.strategies import class_points
from theory.smooth_class import cycle_conic, guaranteed_max_eta, neighbour_inequality, phi
from theory.symbols import L, beta, eta, mu


def test_the_derived_conic_is_goujaud_taylor_and_dieuleveuts():
    # Goujaud, Taylor and Dieuleveut (2023), "Provable non-accelerations of the heavy-ball
    # method": with y = mu eta, kappa = mu / L, phi = cos(2 pi / K), a K-cycle exists iff
    # y^2 - 2 (beta - phi + kappa (1 - beta phi)) y + 2 kappa (1 - phi)(1 + beta^2 - 2 beta phi) <= 0
    y, kappa = mu * eta, mu / L
    printed = (
        y**2
        - 2 * (beta - phi + kappa * (1 - beta * phi)) * y
        + 2 * kappa * (1 - phi) * (1 + beta**2 - 2 * beta * phi)
    )
    assert sp.expand(cycle_conic() - printed) == 0


def test_ghadimis_guarantee():
    # Ghadimi, Feyzmahdavian and Johansson (2015), heavy ball on L-smooth convex f: eta in
    # (0, 2 (1 - beta) / L) for 0 <= beta < 1
    assert guaranteed_max_eta().subs({beta: sp.Rational(1, 3), L: 7}) == sp.Rational(4, 21)
    assert guaranteed_max_eta().subs(beta, 0) == 2 / L  # gradient descent's 2 / L


def _plain_neighbour_inequality(eta_, beta_, mu_, L_, K):
    """Taylor, Hendrickx and Glineur's inequality for the pair (x_0, x_1) of heavy ball's K-gon."""
    x = [
        np.array([math.cos(2 * math.pi * k / K), math.sin(2 * math.pi * k / K)])
        for k in range(-1, 3)
    ]
    xm1, x0, x1, x2 = x
    g0 = ((1 + beta_) * x0 - x1 - beta_ * xm1) / eta_
    g1 = ((1 + beta_) * x1 - x2 - beta_ * x0) / eta_
    dx, dg = x0 - x1, g0 - g1
    q = (dg @ dg / L_ + mu_ * dx @ dx - 2 * mu_ / L_ * dg @ dx) / (2 * (1 - mu_ / L_))
    return g1 @ dx + q


@given(point=class_points(k_min=3, k_max=40))
def test_the_neighbour_inequality_is_the_plain_computation(point):
    eta_, beta_, mu_, L_, K = point
    values = {eta: eta_, beta: beta_, mu: mu_, L: L_, phi: math.cos(2 * math.pi / K)}
    derived = float(neighbour_inequality().subs(values))
    plain = _plain_neighbour_inequality(eta_, beta_, mu_, L_, K)
    size = (1 + abs(beta_)) ** 2 * (4 / eta_**2 / L_ + mu_) + 4 / eta_
    assert math.isclose(derived, plain, rel_tol=1e-9, abs_tol=1e-12 * size)
    # and the conic has its sign (it is the inequality times a positive factor)
    conic = float(cycle_conic().subs(values))
    if abs(conic) > 1e-12:
        assert (conic < 0) == (derived < 0)


def test_lessards_point_is_a_three_cycle_on_both_sides():
    # Lessard, Recht and Packard (2016): Polyak's tuning for [1, 25] cycles (with 3 points)
    point = {eta: sp.Rational(1, 9), beta: sp.Rational(4, 9), mu: 1, L: 25, phi: -sp.Rational(1, 2)}
    assert cycle_conic().subs(point) < 0
    assert heavy_ball_cycle_interpolable(1 / 9, 4 / 9, 1.0, 25.0, 3)
