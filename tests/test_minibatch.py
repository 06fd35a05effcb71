"""numerics.minibatch: the exact second-moment operator, against references that share no code.

The references (tests/references.py) write each method's step from its source
and enumerate every batch: E[M kron M] and E[b b^T] exactly, for tiny data.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import numerics
from numerics.minibatch import finite_population_factor, least_squares_data, second_moment
from numerics.minibatch_edge import minibatch_max_stable_lr
from tests.references import (
    MINIBATCH_METHODS,
    affine_step,
    enumerated,
    rho,
    small_regression,
)
from tests.strategies import floats, whole_range
from theory.errors import ParameterError

#: relative agreement of two exact computations in floats
EXACT = 1e-9


@pytest.mark.parametrize("name", MINIBATCH_METHODS)
@pytest.mark.parametrize("batch_size, replacement", [(1, False), (3, False), (2, True)])
def test_operator_noise_and_radius_equal_the_enumeration_of_all_batches(
    name, batch_size, replacement
):
    X, y = small_regression(1)
    (method, params), _, k = MINIBATCH_METHODS[name]
    lr, momentum = 0.15, 0.6
    (T, zbar, noise), A = enumerated(name, X, y, lr, momentum, batch_size, replacement)
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
    X, y = small_regression(3)
    (method, params), _, k = MINIBATCH_METHODS[name]
    lr, momentum, batch_size = 0.08, 0.5, 2
    (T, zbar, noise), A = enumerated(name, X, y, lr, momentum, batch_size)
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
    X, y = small_regression(4, n=40, p=3)
    lr, momentum, batch_size = 0.1, 0.7, 7
    A = np.column_stack([X, np.ones(40)])
    step = MINIBATCH_METHODS["heavy_ball"][1](lr, momentum)
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


def test_weight_decay_moves_the_fixed_point_and_adds_its_own_excess():
    X, y = small_regression(12, n=30, p=2)
    data = least_squares_data(X, y)
    A = data.design
    wd = 0.3
    op = second_moment(data, 0.05, 0.5, 30, "torch_sgd", dampening=0.0, weight_decay=wd)
    wbar = np.linalg.solve(A.T @ A / 30 + wd * np.eye(3), A.T @ y / 30)
    np.testing.assert_allclose(op.fixed_point[1], wbar, rtol=1e-12)
    # full batch: no noise, the excess is the shifted minimizer's alone
    delta = wbar - data.minimizer
    assert op.excess_loss == pytest.approx(0.5 * delta @ (A.T @ A / 30) @ delta, rel=1e-10)


def test_refusals():
    X, y = small_regression(13, n=10, p=2)
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
        second_moment(least_squares_data(*small_regression(14)), 0.1, 0.5, 2, extra)


# lr past 1e154: rho(L) = rho(R)^2 was a float's ** 2, which raises OverflowError (not a
# ValueError) from .spectral_radius, .stable and .excess_loss; nesterov's q = (1, -lr (1 + beta))
# overflowed at lr 1e308 and 0 * inf / inf reached a RuntimeWarning and a wrong refusal; and at
# lr 2**-29 .spectral_radius was 1.00000000002 while .stable was True (the search's floor 1e-9
# above rho(L) passed 1); a momentum of 1e300 overflowed beta**2 in Python floats: OverflowError
@settings(max_examples=60)
@given(
    lr=whole_range(-30, 1023),
    momentum=floats(0.0, 0.99) | whole_range(-10, 1023),  # beyond 1 too: unstable, or refused
    method=st.sampled_from(["heavy_ball", "nesterov", "gd", "qhm"]),
    batch=st.integers(1, 6),
)
@example(lr=2**-29, momentum=0.0, method="heavy_ball", batch=1)
@example(lr=1e300, momentum=0.9, method="gd", batch=2)
@example(lr=1e308, momentum=0.9, method="nesterov", batch=2)
@example(lr=1e6, momentum=1e300, method="nesterov", batch=2)  # beta**2: OverflowError
@example(lr=2.0, momentum=math.ldexp(1.5, 511), method="nesterov", batch=1)  # LinAlgError: NaN
@example(lr=2.0, momentum=6.703903964971299e153, method="nesterov", batch=1)
def test_any_lr_has_a_radius_or_a_parameter_error(lr, momentum, method, batch):
    X, y = small_regression(2, n=7, p=1)
    data = least_squares_data(X, y)
    params = {"nu": 0.7} if method == "qhm" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            op = second_moment(data, lr, momentum, batch, method, **params)
        except ParameterError as exc:
            assert "overflows" in str(exc)
            return
        rho_T, stable, excess = op.spectral_radius, op.stable, op.excess_loss
    assert rho_T >= 0 and stable == (rho_T < 1)
    assert (excess == np.inf) == (not stable)
    if method == "heavy_ball":  # rho(T) >= rho(R(lambda_max))^2, R written out (D2L's form)
        h = data.eigenvalues[-1]
        with np.errstate(all="ignore"):
            R = np.array([[1 + momentum - lr * h, -momentum], [1.0, 0.0]])
            ref = np.abs(np.linalg.eigvals(R)).max() ** 2 if np.isfinite(R).all() else np.inf
        assert rho_T >= ref * (1 - 1e-9)
