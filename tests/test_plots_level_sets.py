"""radius_margin says where rho <= c, checked against eigenvalues of the matrices written out."""

import numpy as np
import pytest
from hypothesis import assume, given

from numerics.plots.level_sets import radius_margin
from tests.references import heavy_ball_matrix, nesterov_matrix, qhm_matrix, rho
from tests.strategies import any_point, floats

MATRICES = {
    "heavy_ball": lambda e, b, lam: heavy_ball_matrix(e, b, lam),
    "nesterov": lambda e, b, lam: nesterov_matrix(e, b, lam),
    "qhm": lambda e, b, lam: qhm_matrix(e, b, 0.7, lam),
}


@pytest.mark.parametrize("method", sorted(MATRICES))
@given(point=any_point(), c=floats(0.05, 1.5))
def test_property_margin_sign_is_rho_at_most_c(method, point, c):
    eta, beta, lam = point
    r = rho(MATRICES[method](eta, beta, lam))
    assume(abs(r - c) > 1e-6 * max(1.0, r))  # floats decide the side
    params = {"nu": 0.7} if method == "qhm" else {}
    margin = float(radius_margin(eta, beta, lam, c, method, **params))
    assert (margin >= 0) == (r <= c), (margin, r, c)


@given(beta=floats(0.05, 0.95), c=floats(0.3, 0.95), lam=floats(0.5, 20.0))
def test_heavy_ball_level_set_is_the_exact_lines(beta, c, lam):
    # rho = c on the real-root side where c^2 - (1 + beta - h) c + beta = 0 (root c) or
    # c^2 + (1 + beta - h) c + beta = 0 (root -c), h = eta lam; both lines solved by hand
    assume(beta < c * c - 1e-3)
    for h in ((1 - c) * (1 - beta / c), (1 + c) * (1 + beta / c)):
        assert radius_margin(h / lam, beta, lam, c) == pytest.approx(0.0, abs=1e-12)
        assert rho(heavy_ball_matrix(h / lam, beta, lam)) == pytest.approx(c, rel=1e-6)


def test_margin_broadcasts_over_a_grid():
    eta, beta = np.linspace(0.01, 3, 5)[:, None], np.linspace(0, 0.9, 4)[None, :]
    assert radius_margin(eta, beta, 1.0, 0.9).shape == (5, 4)
