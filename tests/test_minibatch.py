"""numerics.minibatch: the exact second-moment theory, against references that share no code.

The references (tests/references.py) write each method's step from its source
and enumerate every batch: E[M kron M] and E[b b^T] exactly, for tiny data.
"""

from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numerics
from numerics import minibatch_solve
from numerics.minibatch import finite_population_factor, least_squares_data, second_moment
from numerics.minibatch_edge import (
    SCAN_RATIO,
    full_batch_max_stable_lr,
    minibatch_max_stable_lr,
    tune_minibatch,
)
from tests.references import (
    affine_step,
    enumerated_second_moment,
    gd_step,
    qhm_step,
    torch_sgd_step,
)
from theory.errors import ParameterError

#: relative agreement of two exact computations in floats
EXACT = 1e-9


def small_data(seed, n=7, p=2):
    """Features with unequal scales and heavy-ish tails (Student t, 4 degrees), a noisy target."""
    rng = np.random.default_rng(seed)
    X = rng.standard_t(4, (n, p)) * np.geomspace(1.0, 0.3, p)
    y = X @ rng.normal(size=p) + 0.5 * rng.normal(size=n) + 0.3
    return X, y


#: (library method and params, hand-written step with (lr, momentum) bound, states)
METHODS = {
    "gd": (("gd", {}), lambda lr, m: partial(gd_step, lr=lr), 1),
    "heavy_ball": (("heavy_ball", {}), lambda lr, m: partial(torch_sgd_step, lr=lr, momentum=m), 2),
    "nesterov": (
        ("nesterov", {}),
        lambda lr, m: partial(torch_sgd_step, lr=lr, momentum=m, nesterov=True),
        2,
    ),
    "qhm": (("qhm", {"nu": 0.7}), lambda lr, m: partial(qhm_step, lr=lr, beta=m, nu=0.7), 2),
    "torch_sgd": (
        ("torch_sgd", {"dampening": 0.3, "weight_decay": 0.05}),
        lambda lr, m: partial(torch_sgd_step, lr=lr, momentum=m, dampening=0.3, weight_decay=0.05),
        2,
    ),
    "torch_sgd_nesterov": (
        ("torch_sgd_nesterov", {"dampening": 0.0, "weight_decay": 0.2}),
        lambda lr, m: partial(torch_sgd_step, lr=lr, momentum=m, weight_decay=0.2, nesterov=True),
        2,
    ),
}


def reference(name, X, y, lr, momentum, batch_size, replacement=False):
    _, step, k = METHODS[name]
    A = np.column_stack([X, np.ones(len(y))])
    return enumerated_second_moment(step(lr, momentum), A, y, batch_size, k, replacement), A


def rho(T) -> float:
    return float(np.abs(np.linalg.eigvals(T)).max())


@pytest.mark.parametrize("name", METHODS)
@pytest.mark.parametrize("batch_size, replacement", [(1, False), (3, False), (2, True)])
def test_operator_noise_and_radius_equal_the_enumeration_of_all_batches(
    name, batch_size, replacement
):
    X, y = small_data(1)
    (method, params), _, k = METHODS[name]
    lr, momentum = 0.15, 0.6
    (T, zbar, noise), A = reference(name, X, y, lr, momentum, batch_size, replacement)
    op = second_moment(
        least_squares_data(X, y),
        lr,
        momentum,
        batch_size,
        method,
        replacement=replacement,
        **params,
    )
    d = A.shape[1]
    S = np.random.default_rng(2).normal(size=(k * d, k * d))
    S = S + S.T
    np.testing.assert_allclose(
        op.apply(S), (T @ S.reshape(-1)).reshape(k * d, k * d), rtol=EXACT, atol=1e-12
    )
    np.testing.assert_allclose(op.fixed_point.reshape(-1), zbar, rtol=EXACT, atol=1e-12)
    np.testing.assert_allclose(op.noise, noise, rtol=EXACT, atol=1e-14)
    assert op.spectral_radius == pytest.approx(rho(T), rel=EXACT)


@pytest.mark.parametrize("name", ["heavy_ball", "nesterov", "torch_sgd"])
def test_stationary_second_moment_and_excess_loss_solve_the_enumerated_recursion(name):
    X, y = small_data(3)
    (method, params), _, k = METHODS[name]
    lr, momentum, batch_size = 0.08, 0.5, 2
    (T, zbar, noise), A = reference(name, X, y, lr, momentum, batch_size)
    assert rho(T) < 1
    kd = T.shape[0] ** 0.5
    S = np.linalg.solve(np.eye(T.shape[0]) - T, noise.reshape(-1)).reshape(int(kd), int(kd))
    op = second_moment(least_squares_data(X, y), lr, momentum, batch_size, method, **params)
    np.testing.assert_allclose(op.stationary, S, rtol=1e-8, atol=1e-13)
    # the excess of the unregularised loss, about the least-squares minimizer w*
    d = A.shape[1]
    H = A.T @ A / len(y)
    wstar = np.linalg.lstsq(A, y, rcond=None)[0]
    wbar = zbar.reshape(k, d)[-1]
    excess = 0.5 * np.trace(H @ S[-d:, -d:]) + 0.5 * (wbar - wstar) @ H @ (wbar - wstar)
    assert op.excess_loss == pytest.approx(excess, rel=1e-8)


def test_operator_equals_the_kronecker_formula_on_larger_data():
    # too many batches to enumerate (C(40, 7)): E[M kron M] = Mbar kron Mbar +
    # f_B / n sum_i (M(K_i) - Mbar) kron (M(K_i) - Mbar), M affine in the batch Hessian
    X, y = small_data(4, n=40, p=3)
    lr, momentum, batch_size = 0.1, 0.7, 7
    A = np.column_stack([X, np.ones(40)])
    step = METHODS["heavy_ball"][1](lr, momentum)
    full = affine_step(step, A, y, list(range(40)), 2)[0]
    singles = [affine_step(step, A, y, [i], 2)[0] - full for i in range(40)]
    f = (40 - batch_size) / (batch_size * 39)
    T = np.kron(full, full) + f * np.mean([np.kron(D, D) for D in singles], axis=0)
    op = second_moment(least_squares_data(X, y), lr, momentum, batch_size)
    S = np.random.default_rng(5).normal(size=(8, 8))
    S = S @ S.T
    np.testing.assert_allclose(op.apply(S), (T @ S.reshape(-1)).reshape(8, 8), rtol=EXACT)
    assert op.spectral_radius == pytest.approx(rho(T), rel=EXACT)


def test_stationary_moment_is_a_fixed_point_of_the_matrix_free_operator():
    X, y = numerics.load_airfoil()
    op = second_moment(least_squares_data(X, y), 0.1, 0.9, 10)
    S = op.stationary
    np.testing.assert_allclose(S, op.apply(S) + op.noise, rtol=0, atol=1e-12 * np.abs(S).max())


@settings(max_examples=30)  # each example enumerates every batch at about 15 learning rates
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(4, 8),
    batch=st.integers(1, 7),
    momentum=st.sampled_from([0.0, 0.3, 0.6, 0.9]),
    replacement=st.booleans(),
)
def test_edge_is_where_the_enumerated_operator_reaches_one(seed, n, batch, momentum, replacement):
    batch = min(batch, n - 1, 3 if replacement else n)  # at most 8^3 ordered draws
    X, y = small_data(seed, n=n, p=1)
    data = least_squares_data(X, y)
    name = "gd" if momentum == 0 else "heavy_ball"
    edge = minibatch_max_stable_lr(data, momentum, batch, name, replacement=replacement)
    full = full_batch_max_stable_lr(data, momentum, name)

    def ref(lr):
        return rho(reference(name, X, y, lr, momentum, batch, replacement)[0][0])

    assert 0 < edge <= full
    if edge < full * (1 - 1e-9):
        assert ref(edge) == pytest.approx(1.0, abs=1e-7)
        assert ref(edge * (1 + 1e-4)) > 1
    assert ref(edge * (1 - 1e-4)) < 1
    # the scan's promise: every scanned lr above the edge is unstable (here the eight
    # nearest above it and every fifth beyond)
    scanned = full * SCAN_RATIO ** np.arange(1, 200)
    above = scanned[scanned > edge * (1 + 1e-9)][::-1]
    for lr in np.concatenate([above[:8], above[8::5]]):
        assert ref(lr) > 1


def test_full_batch_edge_is_the_closed_form_and_the_search_approaches_it():
    X, y = numerics.load_airfoil()
    data = least_squares_data(X, y)
    A = np.column_stack([X, np.ones(1500)])
    lam_max = np.linalg.eigvalsh(A.T @ A / 1500)[-1]
    for beta in (0.0, 0.5, 0.9):
        full = 2 * (1 + beta) / data.eigenvalues[-1]
        assert minibatch_max_stable_lr(data, beta, 1500) == full
        assert full == pytest.approx(2 * (1 + beta) / lam_max, rel=1e-13)
        # at B = n the operator is M kron M: rho(T) = rho(M)^2, 1 at the edge
        op = second_moment(data, full * 0.999, beta, 1500)
        M = affine_step(METHODS["heavy_ball"][1](full * 0.999, beta), A, y, list(range(1500)), 2)[0]
        assert op.spectral_radius == pytest.approx(rho(M) ** 2, rel=1e-12)
        # the search itself, at batches just short of n, closes in on the full-batch edge
        near = [minibatch_max_stable_lr(data, beta, b) for b in (1000, 1400, 1490, 1499)]
        assert all(np.diff(near) > 0) and near[-1] < full
        assert near[-1] == pytest.approx(full, rel=1e-4)


def test_batch_one_gd_with_replacement_in_one_dimension_is_2_mean_h_over_mean_h2():
    # one feature, no bias: per-example curvature h_i = x_i^2; E(1 - eta h)^2 < 1 iff
    # eta < 2 E[h] / E[h^2]; without replacement E[h_B^2] = E[h]^2 + f_B Var h
    X, y = small_data(8, n=50, p=1)
    data = least_squares_data(X, y, bias=False)
    h = X[:, 0] ** 2
    edge = minibatch_max_stable_lr(data, 0.0, 1, "gd", replacement=True)
    assert edge == pytest.approx(2 * h.mean() / np.mean(h**2), rel=1e-12)
    for batch in (1, 5, 49):
        f = (50 - batch) / (batch * 49)
        expected = 2 * h.mean() / (h.mean() ** 2 + f * h.var())
        assert minibatch_max_stable_lr(data, 0.0, batch, "gd") == pytest.approx(expected, rel=1e-12)


def test_finite_population_factor():
    assert finite_population_factor(10, 10) == 0
    assert finite_population_factor(10, 1) == 1
    assert finite_population_factor(10, 4) == pytest.approx(6 / 36)
    assert finite_population_factor(10, 4, replacement=True) == 0.25


def test_exact_plateau_tends_to_the_additive_one_at_small_lr_and_exceeds_it_near_the_edge():
    X, y = numerics.load_airfoil()
    data = least_squares_data(X, y)
    edge = minibatch_max_stable_lr(data, 0.9, 10)
    ratios = []
    for fraction in (1e-4, 1e-3, 1e-2, 0.5, 0.95):
        lr = fraction * edge
        exact = second_moment(data, lr, 0.9, 10).excess_loss
        ratios.append(exact / numerics.predicted_plateau(X, y, lr, 0.9, 10))
    assert all(np.diff(ratios) > 0)  # the multiplicative noise only adds
    assert 1 < ratios[0] < 1 + 1e-3 and ratios[1] < 1 + 1e-2  # O(lr): the small-lr limit
    assert ratios[-2] > 1.5 and ratios[-1] > 10
    assert second_moment(data, 1.01 * edge, 0.9, 10).excess_loss == np.inf


def test_matrix_free_path_agrees_with_the_dense_one(monkeypatch):
    X, y = small_data(11, n=60, p=4)
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


def test_weight_decay_moves_the_fixed_point_and_adds_its_own_excess():
    X, y = small_data(12, n=30, p=2)
    data = least_squares_data(X, y)
    A = data.design
    wd = 0.3
    op = second_moment(data, 0.05, 0.5, 30, "torch_sgd", dampening=0.0, weight_decay=wd)
    wbar = np.linalg.solve(A.T @ A / 30 + wd * np.eye(3), A.T @ y / 30)
    np.testing.assert_allclose(op.fixed_point[1], wbar, rtol=1e-12)
    # full batch: no noise, the excess is the shifted minimizer's alone
    delta = wbar - data.minimizer
    assert op.excess_loss == pytest.approx(0.5 * delta @ (A.T @ A / 30) @ delta, rel=1e-10)


def test_tuning_at_full_batch_is_the_deterministic_optimum():
    # at B = n the mean-square rate is the deterministic one: heavy ball's tuned rate on
    # [lambda_min, lambda_max] is (sqrt(kappa) - 1)/(sqrt(kappa) + 1) (Polyak 1964)
    X, y = numerics.load_airfoil()
    data = least_squares_data(X, y)
    lo, hi = data.eigenvalues[0], data.eigenvalues[-1]
    tuned = tune_minibatch(data, 1500)
    r = np.sqrt(hi / lo)
    assert tuned.rate == pytest.approx((r - 1) / (r + 1), rel=1e-6)
    assert tuned.numeric and tuned.batch_size == 1500
    gd = tune_minibatch(data, 1500, "gd")
    assert gd.rate == pytest.approx((hi - lo) / (hi + lo), rel=1e-6) and gd.beta == 0


def test_tuning_at_batch_ten_beats_its_neighbours():
    X, y = numerics.load_airfoil()
    data = least_squares_data(X, y)
    tuned = tune_minibatch(data, 10)
    assert tuned.rate == pytest.approx(
        np.sqrt(second_moment(data, tuned.eta, tuned.beta, 10).spectral_radius)
    )
    for dlr, dbeta in ((1.02, 0), (0.98, 0), (1, 0.01), (1, -0.01)):
        other = second_moment(data, tuned.eta * dlr, tuned.beta + dbeta, 10).spectral_radius
        assert np.sqrt(other) >= tuned.rate
    assert tuned.rate <= tune_minibatch(data, 10, "gd").rate


def test_refusals():
    X, y = small_data(13, n=10, p=2)
    with pytest.raises(ParameterError, match="linearly dependent"):
        least_squares_data(np.column_stack([X, X[:, 0]]), y)
    with pytest.raises(ParameterError, match="linearly dependent"):
        least_squares_data(np.column_stack([X, np.full(10, 3.0)]), y)
    with pytest.raises(ParameterError, match="'lr'"):
        second_moment(least_squares_data(X, y), 0.0, 0.5, 2)
    with pytest.raises(ParameterError, match="'batch_size'"):
        second_moment(least_squares_data(X, y), 0.1, 0.5, 11)
    op = second_moment(least_squares_data(X, y), 50.0, 0.5, 2)
    with pytest.raises(ParameterError, match="above the mean-square edge"):
        op.stationary  # noqa: B018


def test_a_method_with_two_gradients_a_step_is_refused():
    # an extragradient-like step reads the gradient at a point that depends on the gradient:
    # its state matrix is quadratic in the curvature
    from dataclasses import replace

    from numerics.methods import numeric_method

    extra = replace(
        numeric_method("gd"), name="extragradient", noise_R=lambda e, b: [[[1, -e, e * b]]]
    )
    with pytest.raises(ParameterError, match="not affine in the curvature"):
        second_moment(least_squares_data(*small_data(14)), 0.1, 0.5, 2, extra)


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
