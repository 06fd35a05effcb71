import numpy as np
import pytest
import sympy as sp

from theory.engine.derivation import is_zero
from theory.methods import HEAVY_BALL, characteristic_polynomial
from theory.momentum import (
    critical_damping,
    derive_damping,
    derive_momentum,
    momentum_matrix,
    roots,
)
from theory.symbols import beta, eta, lam, z


def test_matrix_is_derived_from_the_update():
    # D2L 11.6 writes R = [[beta, lambda], [-eta beta, 1 - eta lambda]]
    expected = sp.Matrix([[beta, lam], [-eta * beta, 1 - eta * lam]])
    assert is_zero(momentum_matrix() - expected)


def test_characteristic_polynomial_and_roots():
    poly = characteristic_polynomial(HEAVY_BALL).as_expr()
    assert is_zero(poly - (z**2 - (1 + beta - eta * lam) * z + beta))
    for r in roots():
        assert sp.expand(poly.subs(z, r)) == 0


def test_derivation_results_and_remark():
    d = derive_momentum()
    rho = d.results["spectral_radius"]
    assert rho.subs({eta: 1, beta: sp.Rational(1, 4), lam: 1}) == sp.Rational(1, 2)
    assert any("2 \\sqrt{\\beta}" in r for r in d.remarks)
    assert len(d.steps) == 10


def test_closed_form_power_matches_numeric_power():
    d = derive_momentum()
    assert d.steps[-1].latex.startswith("R^{t} &=")
    vals = {eta: 0.3, beta: 0.6, lam: 2.0}
    R = np.array(momentum_matrix().subs(vals), dtype=float)
    zp, zm = (complex(r.subs(vals)) for r in roots())
    for t in (0, 1, 5, 17):
        closed = (zp**t * (R - zm * np.eye(2)) - zm**t * (R - zp * np.eye(2))) / (zp - zm)
        np.testing.assert_allclose(closed.real, np.linalg.matrix_power(R, t), atol=1e-12)


def test_critical_damping():
    low, high = critical_damping()
    assert low.subs(beta, sp.Rational(1, 4)) == sp.Rational(1, 4)
    assert high.subs(beta, sp.Rational(1, 4)) == sp.Rational(9, 4)
    d = derive_damping()
    assert set(d.results) == {"lower", "upper"}


@pytest.mark.parametrize(
    "point", [(0.5, 0.3, 1.0), (0.1, 0.3, 1.0), (3.0, 0.3, 1.0), (2.0, -0.5, 1.0)]
)
def test_piecewise_equals_max_root_modulus(point):
    e, b, m = point
    rho = float(derive_momentum().results["spectral_radius"].subs({eta: e, beta: b, lam: m}))
    R = np.array([[b, m], [-e * b, 1 - e * m]])
    assert rho == pytest.approx(np.abs(np.linalg.eigvals(R)).max(), rel=1e-12)
