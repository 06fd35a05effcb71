import numpy as np
import pytest
import sympy as sp
from hypothesis import given

from numerics.noise import monte_carlo_variance, stationary_covariance, stationary_variance
from tests.strategies import floats, inside_region, spd_matrices
from theory.errors import ParameterError
from theory.noise import (
    derive_noise,
    sigma,
    variance_formula,
)
from theory.noise import (
    stationary_covariance as symbolic_covariance,
)
from theory.symbols import beta, eta, lam


def _closed(e, b, m, s):
    return float(variance_formula().subs({eta: e, beta: b, lam: m, sigma: s}))


def test_literature_sgd_variance():
    # beta = 0 recovers SGD's stationary variance eta sigma^2 / (lambda (2 - eta lambda))
    # (e.g. Mandt, Hoffman and Blei 2017, for the scalar quadratic with additive noise)
    d = derive_noise()
    sgd = eta * sigma**2 / (lam * (2 - eta * lam))
    assert sp.simplify(d.results["variance"].subs(beta, 0) - sgd) == 0
    assert stationary_variance(0.1, 0.0, 2.0, 1.0, "gd") == pytest.approx(0.1 / (2 * 1.8))


def test_symbolic_covariance_solves_lyapunov_for_other_methods():
    cov = symbolic_covariance("nesterov")
    assert cov.shape == (2, 2) and cov[0, 1] == cov[1, 0]


@given(inside_region(beta_lo=0.0, beta_hi=0.95), floats(0.1, 3.0))
def test_property_lyapunov_equals_closed_form(point, s):
    e, b, m = point
    assert stationary_variance(e, b, m, s) == pytest.approx(_closed(e, b, m, s), rel=1e-8)


@pytest.mark.parametrize(
    "method, e, b",
    [("heavy_ball", 0.1, 0.5), ("heavy_ball", 0.02, 0.9), ("gd", 0.3, 0.0), ("nesterov", 0.1, 0.5)],
)
def test_monte_carlo_within_its_interval(method, e, b):
    # seeded, so deterministic: the closed form (Lyapunov) lies in the 99% interval
    mc = monte_carlo_variance(e, b, 2.0, 1.0, chains=4000, seed=1, method=method)
    exact = stationary_variance(e, b, 2.0, 1.0, method)
    lo, hi = mc.interval
    assert lo <= exact <= hi, (mc, exact)
    assert hi - lo < 0.1 * exact


def test_monte_carlo_detects_a_wrong_variance():
    # the interval is tight enough to reject the 2 sqrt(beta)-style slip of a factor (1 + beta)
    mc = monte_carlo_variance(0.1, 0.5, 2.0, 1.0, chains=4000, seed=1)
    wrong = _closed(0.1, 0.5, 2.0, 1.0) / 1.5
    assert not (mc.interval[0] <= wrong <= mc.interval[1])


@given(spd_matrices(n_max=3), floats(0.05, 0.9), floats(0.0, 0.9))
def test_property_decoupled_covariance(problem, frac, b):
    # with isotropic noise the covariance is diagonal in Q's eigenbasis, each entry the scalar formula
    Q, _ = problem
    w, V = np.linalg.eigh(Q)
    e = frac * 2 * (1 + b) / w.max()
    cov = stationary_covariance(e, b, Q, np.eye(Q.shape[0]))
    scalar = [_closed(e, b, float(m), 1.0) for m in w]
    np.testing.assert_allclose(V.T @ cov @ V, np.diag(scalar), rtol=1e-7, atol=1e-10 * max(scalar))


def test_unstable_has_no_stationary_distribution():
    with pytest.raises(ParameterError, match="no stationary distribution"):
        stationary_variance(3.0, 0.5, 2.0, 1.0)
    with pytest.raises(ParameterError, match="no stationary distribution"):
        monte_carlo_variance(3.0, 0.5, 2.0, 1.0)
    with pytest.raises(ParameterError, match="'chains'"):
        monte_carlo_variance(0.1, 0.5, 2.0, 1.0, chains=1)
