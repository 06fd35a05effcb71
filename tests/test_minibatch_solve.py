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


def test_a_pair_singular_to_rounding_diverges_instead_of_raising():
    # heavy ball at h = 0 has the eigenvalue 1 (x does not move), so the pair (0, 0)'s sum
    # of R^t q q^T R^t^T diverges and I - R (x) R is singular: numpy's LinAlgError escaped
    # (momentum edge --momentum 0.999999 was a traceback); the pair (1, 1) is finite and is
    # the plain loop's sum
    from numerics.minibatch import linear_step

    step = linear_step("heavy_ball", 0.1, 0.5)
    N = minibatch_solve.pair_sums(step, np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    assert not np.isfinite(N[0]).all()
    R, total, term = step.matrices(1.0)[0], 0.0, np.outer(step.q, step.q)
    for _ in range(3000):
        total, term = total + term, R @ term @ R.T
    np.testing.assert_allclose(N[1], total, rtol=1e-12)


def test_momentum_next_to_one_gives_an_edge_or_the_toolkits_refusal():
    # the airfoil's edge at momentum 0.999999 hit a pair singular to rounding near the
    # full-batch edge (a LinAlgError); the edge found is mean-square stable by the dense
    # second-moment operator's spectral radius, and 1.01 times it is not
    import numerics

    data = least_squares_data(*numerics.load_airfoil()[:2])
    lr = minibatch_max_stable_lr(data, 0.999999, 10)
    assert 0 < lr < 4.0 / data.eigenvalues[-1]
    below = second_moment(data, lr * 0.99, 0.999999, 10)
    above = second_moment(data, lr * 1.01, 0.999999, 10)
    assert below.spectral_radius < 1 < above.spectral_radius
