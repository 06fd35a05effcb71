"""How runs diverge: the growing direction, its onset and rate, against the theory's rho."""

import numpy as np
import pytest
from hypothesis import given

from numerics.divergence import growth
from numerics.simulate import simulate, simulate_d2l
from tests.strategies import floats


def test_gd_on_d2l_grows_from_the_first_step():
    # D2L's gd at eta = 0.6: x2 (lambda = 4) is multiplied by 1 - 0.6 * 4 = -1.4 every step
    g = growth(simulate_d2l(0.6, method="gd"))
    assert (g.component, g.lam, g.began_at) == (1, 4.0, 1)
    assert g.rate == pytest.approx(1.4, rel=1e-12)


def test_converging_run_has_no_growth():
    assert growth(simulate_d2l(0.6, 0.5)) is None


@given(beta=floats(0.0, 0.8), factor=floats(1.1, 2.0), lam=floats(0.5, 10.0))
def test_observed_rate_matches_the_top_root(beta, factor, lam):
    # heavy ball past its edge: the dominant root is real and negative, |z| from the quadratic
    eta = factor * 2 * (1 + beta) / lam
    run = simulate(eta, beta, lams=[0.05, lam], x0=[1.0, 1.0], steps=3000)
    g = growth(run)
    assert g is not None and g.lam == lam and g.component == 1
    t = 1 + beta - eta * lam
    rho = (abs(t) + np.sqrt(t * t - 4 * beta)) / 2  # real roots past the edge
    assert g.rate == pytest.approx(rho, rel=1e-3)
    assert 1 <= g.began_at <= run.diverged_at[0] <= g.until


def test_rotated_quadratic_names_the_eigenvalue():
    c, s = np.cos(0.3), np.sin(0.3)
    O = np.array([[c, -s], [s, c]])
    Q = O @ np.diag([0.5, 3.0]) @ O.T
    g = growth(simulate(0.8, 0.0, Q=Q, x0=[1.0, 2.0], steps=200, method="gd"))
    assert g.lam == pytest.approx(3.0) and g.rate == pytest.approx(1.4, rel=1e-9)


# --- issue 24: each diagnostic against a plain loop ---


def _gd_loop(eta, lams, x0, steps):
    """Gradient descent on diag(lams), coordinate by coordinate (D2L's train_2d, written out)."""
    xs = [list(map(float, x0))]
    for _ in range(steps):
        xs.append([x - eta * lam * x for x, lam in zip(xs[-1], lams, strict=True)])
    return np.array(xs)


def test_the_growing_coordinate_is_the_one_that_grew_most_over_its_start():
    # x1 starts a million times larger and grows by 1.3 a step, x2 by 1.4: x1 is the larger
    # when the run passes 100 times its start, but x2 grew the more over its own start
    run = simulate(1.0, 0.0, lams=[2.3, 2.4], x0=[1e6, 1.0], steps=40, method="gd")
    xs = _gd_loop(1.0, [2.3, 2.4], [1e6, 1.0], 40)
    at = int(run.diverged_at[0])
    assert np.argmax(np.abs(xs[at])) == 0
    over_start = np.abs(xs[at]) / np.abs(xs[0])
    g = growth(run)
    assert g.component == int(np.argmax(over_start)) == 1
    assert g.lam == 2.4


def _heavy_ball_loop(eta, beta, lam, steps):
    """Heavy ball on lam/2 x^2 from x = 1, v = 0 (Polyak 1964), written out."""
    x, v, xs = 1.0, 0.0, [1.0]
    for _ in range(steps):
        v = beta * v + lam * x
        x = x - eta * v
        xs.append(x)
    return np.array(xs)


def test_the_growth_rate_is_fitted_past_the_transient():
    # heavy ball just past its edge: the two roots -1.21 and -0.66 mix in the first steps;
    # over the later half of a 40-step run the mix is gone (0.55**20 = 6e-6), so the fitted
    # rate is the dominant root's modulus, which a plain loop's step ratios reach after 500
    eta, beta, lam = 1.02 * 2 * 1.8, 0.8, 1.0
    run = simulate(eta, beta, lams=[lam], x0=[1.0], steps=40)
    g = growth(run)
    long = _heavy_ball_loop(eta, beta, lam, 500)
    ratio = abs(long[500] / long[499])
    assert g.until == 40 and g.rate == pytest.approx(ratio, rel=1e-5)
