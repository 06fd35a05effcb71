"""QHM against its paper and against a plain loop written here (issue 13, area 5).

Ma and Yarats, *Quasi-hyperbolic momentum and Adam for deep learning* (ICLR 2019),
Algorithm 1:

    g_{t+1} = beta g_t + (1 - beta) grad L(theta_t)
    theta_{t+1} = theta_t - alpha [(1 - nu) grad L(theta_t) + nu g_{t+1}]

and section 3: nu = 0 is plain SGD, nu = 1 is (normalised) momentum, and nu = beta
is Nesterov's accelerated gradient, in the normalised form whose step is alpha (1 - beta).
"""

import numpy as np
import pytest

from numerics.noise import stationary_variance
from numerics.rates import max_stable_eta, max_stable_lam, regime, spectral_radius
from numerics.regimes import regime_boundaries
from numerics.simulate import simulate
from tests.references import covariance_loop, qhm_matrix

Q = np.array([[2.5, 0.4], [0.4, 0.7]])
C = np.array([0.3, -1.1])
X0 = np.array([1.5, -2.0])
STEPS = 25


def qhm_loop(alpha, beta, nu, steps=STEPS):
    """Algorithm 1 of the QHM paper, step by step, on 1/2 x^T Q x + c^T x."""
    x, g = X0.copy(), np.zeros(2)
    out = [x.copy()]
    for _ in range(steps):
        grad = Q @ x + C
        g = beta * g + (1 - beta) * grad
        x = x - alpha * ((1 - nu) * grad + nu * g)
        out.append(x.copy())
    return np.array(out)


def heavy_ball_loop(lr, beta, steps=STEPS, nesterov=False):
    """torch.optim.SGD's update (PyTorch docs), buffer starting at 0: v = beta v + g."""
    x, v = X0.copy(), np.zeros(2)
    out = [x.copy()]
    for _ in range(steps):
        grad = Q @ x + C
        v = beta * v + grad
        x = x - lr * (grad + beta * v if nesterov else v)
        out.append(x.copy())
    return np.array(out)


def _run(method, eta, beta, **params):
    return simulate(eta, beta, Q=Q, c=C, x0=X0, steps=STEPS, method=method, **params).x[:, 0, :]


@pytest.mark.parametrize("nu", [0.35, 0.7, 0.0, 1.0])
def test_qhm_iterates_equal_the_papers_algorithm(nu):
    # nu = 0.35 is far from 1 - nu = 0.65: swapping the two weights shows
    np.testing.assert_allclose(_run("qhm", 0.4, 0.6, nu=nu), qhm_loop(0.4, 0.6, nu), rtol=1e-12)


def test_nu_zero_is_plain_gradient_descent():
    x = _run("qhm", 0.4, 0.6, nu=0.0)
    gd = [X0]
    for _ in range(STEPS):
        gd.append(gd[-1] - 0.4 * (Q @ gd[-1] + C))
    np.testing.assert_allclose(x, np.array(gd), rtol=1e-12)


def test_nu_one_is_normalised_momentum():
    # g = (1 - beta) v: heavy ball with step alpha (1 - beta)
    alpha, beta = 0.4, 0.6
    np.testing.assert_allclose(
        _run("qhm", alpha, beta, nu=1.0), heavy_ball_loop(alpha * (1 - beta), beta), rtol=1e-11
    )
    for lam in (0.3, 1.7, 4.0):
        assert float(spectral_radius(alpha, beta, lam, "qhm", nu=1.0)) == pytest.approx(
            float(spectral_radius(alpha * (1 - beta), beta, lam)), rel=1e-12
        )


def test_nu_equal_to_beta_is_nesterov():
    # Ma and Yarats (2019), section 3: QHM with nu = beta is NAG; with g = (1 - beta) v the
    # step is torch's Nesterov step with lr = alpha (1 - beta)
    alpha, beta = 0.4, 0.6
    np.testing.assert_allclose(
        _run("qhm", alpha, beta, nu=beta),
        heavy_ball_loop(alpha * (1 - beta), beta, nesterov=True),
        rtol=1e-11,
    )
    for lam in (0.3, 1.7, 4.0, 9.0):
        assert float(spectral_radius(alpha, beta, lam, "qhm", nu=beta)) == pytest.approx(
            float(spectral_radius(alpha * (1 - beta), beta, lam, "nesterov")), rel=1e-12
        )


@pytest.mark.parametrize("eta, beta, nu, lam", [(0.3, 0.8, 0.7, 2.5), (0.9, 0.5, 0.35, 3.0)])
def test_qhm_rate_equals_eigvals_of_the_hand_written_matrix(eta, beta, nu, lam):
    ref = np.abs(np.linalg.eigvals(qhm_matrix(eta, beta, nu, lam))).max()
    assert float(spectral_radius(eta, beta, lam, "qhm", nu=nu)) == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("nu", [0.25, 0.7])
def test_qhm_stability_edge(nu):
    # Jury on z^2 - (1 + beta - eta lam (1 - nu beta)) z + beta (1 - eta lam (1 - nu)):
    # p(-1) > 0 gives eta lam < 2 (1 + beta) / (1 + beta - 2 nu beta)
    eta, beta = 0.3, 0.6
    edge = 2 * (1 + beta) / (eta * (1 + beta - 2 * nu * beta))
    assert float(max_stable_lam(eta, beta, "qhm", nu=nu)) == pytest.approx(edge, rel=1e-12)
    for lam, inside in ((edge * 0.999, True), (edge * 1.001, False)):
        rho = np.abs(np.linalg.eigvals(qhm_matrix(eta, beta, nu, lam))).max()
        assert (rho < 1) == inside


def test_qhm_stationary_variance_equals_a_covariance_loop():
    # both gradients of a step carry the same noise eps: g' = ... + (1 - beta) eps,
    # x' = ... - eta ((1 - nu) + nu (1 - beta)) eps
    eta, beta, nu, lam, sigma = 0.3, 0.8, 0.35, 2.5, 0.4
    R = qhm_matrix(eta, beta, nu, lam)
    b = np.array([1 - beta, -eta * ((1 - nu) + nu * (1 - beta))])
    S = covariance_loop(R, b, sigma, steps=5000)
    got = stationary_variance(eta, beta, lam, sigma, "qhm", nu=nu)
    assert got == pytest.approx(S[1, 1], rel=1e-10)


def test_qhm_tuned_at_the_papers_special_cases():
    # nu = 1: heavy ball's tuning in the normalised step (Polyak 1964: rate 9/11 for kappa 100,
    # alpha (1 - beta) = 4/121, beta = 81/121); nu = 0: gradient descent's rate 99/101
    from numerics.tuning import tune_numeric

    t = tune_numeric(1.0, 100.0, "qhm", nu=1.0)
    assert t.rate == pytest.approx(9 / 11, abs=1e-8)
    assert t.beta == pytest.approx(81 / 121, abs=1e-6)
    assert t.eta * (1 - t.beta) == pytest.approx(4 / 121, rel=1e-6)
    g = tune_numeric(1.0, 100.0, "qhm", nu=0.0)
    assert g.rate == pytest.approx(99 / 101, abs=1e-8) and g.eta == pytest.approx(2 / 101, rel=1e-6)


# --- issue 24: at nu = 0 the rate is x's, not the buffer's ---


@pytest.mark.parametrize("nu", [0.0, 0.35, 0.7])
@pytest.mark.parametrize("eta, beta, lam", [(0.5, 0.9, 1.0), (1.7, 0.8, 1.0), (0.2, 0.95, 3.0)])
def test_rate_is_the_growth_of_x_in_the_papers_loop(eta, beta, lam, nu):
    # the rate is what x does: |x_t|^(1/t) over a long run of Ma and Yarats' Algorithm 1, a
    # plain loop; at nu = 0 x runs as gradient descent, x_t = (1 - eta lam)^t x_0, and the
    # buffer's mode beta (larger here) never reaches it
    g, x, xs = 0.0, 1.0, [1.0]
    for _ in range(600):
        grad = lam * x
        g = beta * g + (1 - beta) * grad
        x = x - eta * ((1 - nu) * grad + nu * g)
        xs.append(x)
    observed = (abs(xs[600]) / abs(xs[300])) ** (1 / 300)
    rho = float(spectral_radius(eta, beta, lam, "qhm", nu=nu))
    assert rho == pytest.approx(observed, rel=2e-2)
    if nu == 0.0:
        assert rho == abs(1 - eta * lam) < beta
        assert regime(eta, beta, lam, "qhm", nu=0.0) == regime(eta, 0.0, lam, "gd")


def test_nu_zero_regimes_and_edge_are_gradient_descents():
    # x alone: monotone below eta lam = 1, oscillating to the edge eta lam = 2 (beta unseen)
    bounds = regime_boundaries(0.1, 0.9, "qhm", nu=0.0)
    assert [(b.lam, b.below, b.above) for b in bounds] == [
        (10.0, "monotone", "oscillating"),
        (20.0, "oscillating", "divergent"),
    ]
    assert float(max_stable_eta(0.9, 1.0, "qhm", nu=0.0)) == 2.0
