"""Lessard, Recht and Packard's counterexample, run: the function, the 3-cycle, the basin.

References: a plain loop of heavy ball in Lessard's two-step form
(tests/references.py), and the cycle solved in exact rationals here.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from numerics.lessard import (
    MU,
    POLYAK,
    L,
    lessard_basin,
    lessard_gradient,
    lessard_loss,
    run_lessard,
)
from tests.references import lessard_loop


def exact_cycle() -> list[Fraction]:
    """The 3-cycle p0 -> p1 -> p2 -> p0 with p0, p1 < 1 and p2 >= 2, by Cramer's rule in rationals."""
    a, b = Fraction(1, 9), Fraction(4, 9)
    # p_{k+1} = p_k - a (s_k p_k + c_k) + b (p_k - p_{k-1}): linear in p with slopes s, offsets c
    s, c = [25, 25, 25], [0, 0, -24]
    # rows: (1 + b - a s_k) p_k - b p_{k-1} - p_{k+1} = a c_k
    M = [[Fraction(0)] * 3 for _ in range(3)]
    rhs = [a * c[k] for k in range(3)]
    for k in range(3):
        M[k][k] += 1 + b - a * s[k]
        M[k][(k - 1) % 3] += -b
        M[k][(k + 1) % 3] += -1

    def det(m):
        return (
            m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        )

    d = det(M)
    return [
        det([[rhs[r] if j == k else M[r][j] for j in range(3)] for r in range(3)]) / d
        for k in range(3)
    ]


def test_the_function_is_smooth_and_strongly_convex_with_minimizer_zero():
    x = np.linspace(-5, 5, 100_001)
    g = lessard_gradient(x)
    slopes = np.diff(g) / np.diff(x)
    assert slopes.min() >= MU * (1 - 1e-9) and slopes.max() <= L * (1 + 1e-9)
    assert np.max(np.abs(np.diff(g))) < 30 * (x[1] - x[0])  # continuous: no jump at 1 or 2
    # f' is the derivative of f (central differences), and f(0) = 0 is the minimum
    h = 1e-6
    for p in (-2.3, 0.4, 1.5, 2.7, 0.999999, 2.000001):
        fd = (lessard_loss(p + h) - lessard_loss(p - h)) / (2 * h)
        assert fd == pytest.approx(float(lessard_gradient(p)), rel=1e-6)
    assert lessard_loss(0.0) == 0 and (lessard_loss(x) >= 0).all()


def test_polyaks_tuning_is_the_papers():
    # Lessard, Recht and Packard (2016), section 4.6: alpha = 1/9, beta = 4/9 for [1, 25]
    assert POLYAK == pytest.approx((1 / 9, 4 / 9), rel=1e-15)


def test_heavy_ball_from_3_3_settles_on_the_exact_cycle():
    run = run_lessard(*POLYAK, 3.3, steps=300)
    reference = lessard_loop(1 / 9, 4 / 9, 3.3, 300)
    assert np.allclose(run.x[:, 0], reference, rtol=1e-12, atol=1e-12)
    cycle = run.cycle()
    assert cycle is not None and cycle.period == 3 and cycle.residual < 1e-12
    exact = [float(p) for p in exact_cycle()]
    assert exact_cycle() == [Fraction(792, 1225), Fraction(-2208, 1225), Fraction(2592, 1225)]
    assert cycle.points == pytest.approx(exact, abs=1e-12)
    # consistent with the pieces it assumed: two points below 1, one above 2
    assert exact[0] < 1 and exact[1] < 1 and exact[2] >= 2


def test_starts_that_converge_and_starts_that_cycle():
    starts = np.array([3.3, 0.5, -1.0, 2.0, 6.1, -7.7])
    basin = lessard_basin(*POLYAK, starts)
    for i, x0 in enumerate(starts):
        tail = lessard_loop(1 / 9, 4 / 9, x0, 600)[-6:]
        converged = bool(np.abs(tail).max() < 1e-9)
        assert basin.converged[i] == converged, x0
        assert basin.period[i] == (0 if converged else 3), x0
    assert basin.converged[1] and not basin.converged[0]


def test_a_smaller_step_converges_from_the_same_start():
    run = run_lessard(1 / 25, 0.0, 3.3, steps=400, method="gd")
    assert run.cycle() is None and abs(run.x[-1, 0]) < 1e-12


def test_bad_input():
    from theory.errors import ParameterError

    with pytest.raises(ParameterError, match="'eta' must be > 0"):
        run_lessard(0.0, 0.5, 3.3)
    with pytest.raises(ParameterError, match="'x0' must be a real number"):
        run_lessard(0.1, 0.5, "three")
    with pytest.raises(ParameterError, match="'steps' must be an integer"):
        run_lessard(0.1, 0.5, 3.3, steps=0)
