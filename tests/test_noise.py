import numpy as np
import pytest
import sympy as sp
from hypothesis import given

from numerics.noise import monte_carlo_variance, stationary_covariance, stationary_variance
from tests.references import covariance_loop, heavy_ball_matrix
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


# --- sigma other than 1, and seeds (issue 13, area 3) ---


def test_variance_with_sigma_other_than_one():
    # sigma = 0.3, lambda = 3: a variance drawn with std sigma^2, or sigma for sigma^2, is off
    e, b, m, s = 0.1, 0.6, 3.0, 0.3
    closed = e * s**2 * (1 + b) / (m * (1 - b) * (2 + 2 * b - e * m))
    loop = covariance_loop(heavy_ball_matrix(e, b, m), np.array([1.0, -e]), s)  # v' = .. + eps
    assert loop[1, 1] == pytest.approx(closed, rel=1e-12)
    assert stationary_variance(e, b, m, s) == pytest.approx(closed, rel=1e-10)
    mc = monte_carlo_variance(e, b, m, s, chains=3000, seed=2)
    assert mc.interval[0] <= closed <= mc.interval[1]
    assert mc.interval[1] - mc.interval[0] < 0.1 * closed
    assert mc.interval[0] < mc.mean < mc.interval[1] and mc.chains == 3000


def test_monte_carlo_seeds():
    same = [monte_carlo_variance(0.1, 0.5, 3.0, 0.3, chains=50, steps=100, seed=7) for _ in "ab"]
    other = monte_carlo_variance(0.1, 0.5, 3.0, 0.3, chains=50, steps=100, seed=8)
    assert same[0] == same[1]
    assert other.mean != same[0].mean
    assert same[0].steps == 100


def test_monte_carlo_averages_after_the_burn_in():
    # with steps = 1 a chain runs 2 steps from (v, x) = 0 and its estimate is x_2^2 alone:
    # v1 = eps1, x1 = -e eps1, v2 = (b - e m) eps1 + eps2, x2 = -e (1 + b - e m) eps1 - e eps2
    e, b, m, s = 0.1, 0.6, 3.0, 0.3
    mc = monte_carlo_variance(e, b, m, s, chains=200000, steps=1, seed=0)
    expected = s**2 * e**2 * ((1 + b - e * m) ** 2 + 1)
    assert mc.interval[0] <= expected <= mc.interval[1]


def test_full_state_covariance_for_a_matrix_problem():
    # heavy ball on 1/2 x^T Q x with noise covariance S: state (v, x) stacked, each of size 2;
    # v' = beta v + Q x + eps, x' = x - eta v'
    Q = np.array([[2.5, 0.4], [0.4, 0.7]])
    S = np.array([[0.09, 0.02], [0.02, 0.25]])
    e, b = 0.3, 0.6
    eye = np.eye(2)
    R = np.block([[b * eye, Q], [-e * b * eye, eye - e * Q]])
    B = np.vstack([eye, -e * eye])
    ref = np.zeros((4, 4))
    for _ in range(20000):
        ref = R @ ref @ R.T + B @ S @ B.T
    full = stationary_covariance(e, b, Q, S, full=True)
    np.testing.assert_allclose(full, ref, rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(stationary_covariance(e, b, Q, S), ref[2:, 2:], rtol=1e-9)
