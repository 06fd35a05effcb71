import numpy as np
import pytest
import sympy as sp

from theory.engine.derivation import gt, lt
from theory.errors import ClaimError, ParameterError
from theory.methods import HEAVY_BALL, Method
from theory.stability import derive_stability, schur_cohn_conditions
from theory.symbols import beta, eta, lam, z


def test_heavy_ball_region_is_derived():
    d = derive_stability("heavy_ball")
    cond = d.results["condition"]
    assert cond.subs({eta: 1, lam: 1, beta: sp.Rational(1, 2)}) is sp.true
    assert cond.subs({eta: 3.1, lam: 1, beta: sp.Rational(1, 2)}) is sp.false
    assert sp.simplify(d.results["max_stable_lam"] - 2 * (1 + beta) / eta) == 0


def test_gd_region():
    d = derive_stability("gd")
    assert sp.simplify(d.results["max_stable_lam"] - 2 / eta) == 0


def test_wrong_stated_region_is_refused():
    # the mutation "2 + 2 beta -> 2 + beta" in the stated region must not pass
    wrong = Method(
        name="heavy_ball_wrong",
        state=HEAVY_BALL.state,
        updates=HEAVY_BALL.updates,
        parameters=HEAVY_BALL.parameters,
        region=(gt(eta * lam, 0), lt(eta * lam, 2 + beta), lt(beta, 1), gt(beta, -1)),
    )
    with pytest.raises(ClaimError, match="not derived"):
        derive_stability(wrong)


def _roots_inside(coeffs):
    return np.abs(np.roots(coeffs)).max() < 1


@pytest.mark.parametrize("degree", [1, 2, 3])
def test_jury_conditions_agree_with_roots(degree):
    a = sp.symbols(f"a0:{degree}", real=True)
    poly = sp.Poly(z**degree + sum(a[i] * z**i for i in range(degree)), z)
    conds = schur_cohn_conditions(poly)
    rng = np.random.default_rng(degree)
    agree = 0
    for _ in range(400):
        vals = rng.uniform(-2.5, 2.5, degree)
        coeffs = [1.0, *vals[::-1]]
        inside = _roots_inside(coeffs)
        derived = all(
            float((c.lhs - c.rhs).subs(dict(zip(a, vals, strict=True)))) > 0 for c in conds
        )
        agree += inside == derived
    assert agree == 400


def test_degree_out_of_range():
    with pytest.raises(ParameterError, match="degree 1, 2 or 3"):
        schur_cohn_conditions(sp.Poly(z**4 + 1, z))
