"""numerics.minibatch_solve: the Stein sums in closed form, and the matrix-free path."""

import numpy as np
import pytest

from numerics import minibatch_solve
from numerics.minibatch import least_squares_data, second_moment
from numerics.minibatch_edge import minibatch_max_stable_lr
from tests.references import small_regression


@pytest.mark.parametrize("k", [1, 2, 3])
def test_pair_sums_solve_the_stein_equation_and_give_its_slope(k):
    # the closed forms (one and two states) and the k^2 solve, against the Kronecker system
    # written out, and the slope against a central difference
    from numerics.minibatch import LinearStep
    from numerics.minibatch_solve import pair_sums

    rng = np.random.default_rng(k)
    R0 = rng.normal(size=(k, k)) * 0.3
    step = LinearStep(R0, rng.normal(size=k), rng.normal(size=k) * 0.2, k - 1)
    hi, hj = rng.uniform(0, 1, 50), rng.uniform(0, 1, 50)
    theta = 1.3
    N, dN = pair_sums(step, hi, hj, theta, slope=True)
    for p in range(50):
        Ri = R0 + hi[p] * np.outer(step.q, step.e)
        Rj = R0 + hj[p] * np.outer(step.q, step.e)
        vec = np.linalg.solve(
            theta * np.eye(k * k) - np.kron(Ri, Rj), np.outer(step.q, step.q).ravel()
        )
        np.testing.assert_allclose(N[p], vec.reshape(k, k), rtol=1e-10, atol=1e-13)
    h = 1e-6
    central = (pair_sums(step, hi, hj, theta + h) - pair_sums(step, hi, hj, theta - h)) / (2 * h)
    np.testing.assert_allclose(dN, central, rtol=1e-6, atol=1e-9)


def test_matrix_free_path_agrees_with_the_dense_one(monkeypatch):
    X, y = small_regression(11, n=60, p=4)
    dense = least_squares_data(X, y)
    answers = [
        minibatch_max_stable_lr(dense, 0.8, 3),
        minibatch_max_stable_lr(dense, 0.0, 1, "gd", replacement=True),
        second_moment(dense, 0.05, 0.8, 3).spectral_radius,
        second_moment(dense, 0.05, 0.8, 3).excess_loss,
    ]
    monkeypatch.setattr(minibatch_solve, "DENSE_MAX", 0)
    free = least_squares_data(X, y)
    assert minibatch_solve.fourth_moment(free).dense is None
    again = [
        minibatch_max_stable_lr(free, 0.8, 3),
        minibatch_max_stable_lr(free, 0.0, 1, "gd", replacement=True),
        second_moment(free, 0.05, 0.8, 3).spectral_radius,
        second_moment(free, 0.05, 0.8, 3).excess_loss,
    ]
    np.testing.assert_allclose(again, answers, rtol=1e-10)
