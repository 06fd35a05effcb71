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
