"""numerics.minibatch_edge: the largest mean-square stable lr, and tuning at a batch size."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numerics
from numerics.minibatch import least_squares_data, second_moment
from numerics.minibatch_edge import (
    SCAN_RATIO,
    full_batch_max_stable_lr,
    minibatch_max_stable_lr,
    tune_minibatch,
)
from tests.references import MINIBATCH_METHODS, affine_step, enumerated, rho, small_regression
from tests.strategies import near_unit
from theory.errors import ParameterError


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
    X, y = small_regression(seed, n=n, p=1)
    data = least_squares_data(X, y)
    name = "gd" if momentum == 0 else "heavy_ball"
    edge = minibatch_max_stable_lr(data, momentum, batch, name, replacement=replacement)
    full = full_batch_max_stable_lr(data, momentum, name)

    def ref(lr):
        return rho(enumerated(name, X, y, lr, momentum, batch, replacement)[0][0])

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
        M = affine_step(
            MINIBATCH_METHODS["heavy_ball"][1](full * 0.999, beta), A, y, list(range(1500)), 2
        )[0]
        assert op.spectral_radius == pytest.approx(rho(M) ** 2, rel=1e-12)
        # the search itself, at batches just short of n, closes in on the full-batch edge
        near = [minibatch_max_stable_lr(data, beta, b) for b in (1000, 1400, 1490, 1499)]
        assert all(np.diff(near) > 0) and near[-1] < full
        assert near[-1] == pytest.approx(full, rel=1e-4)


@pytest.mark.parametrize("name", ["torch_sgd", "torch_sgd_nesterov"])
def test_with_weight_decay_the_edges_are_where_the_enumerated_steps_reach_one(name):
    # weight decay adds wd to every curvature, so the rate no longer depends on lr h alone:
    # the full-batch edge is the worst curvature's, found here by bisecting the hand-written
    # step's own spectral radius (every row in one batch), and a batch short of n reaches
    # rho(T) = 1 at its edge
    X, y = small_regression(6)
    n = len(y)
    data = least_squares_data(X, y)
    (method, params), _, _ = MINIBATCH_METHODS[name]
    momentum = 0.6

    def ref(lr, batch):
        return rho(enumerated(name, X, y, lr, momentum, batch)[0][0])

    lo, hi = 1e-3, 1e-3
    while ref(hi, n) < 1:
        lo, hi = hi, 2 * hi
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if ref(mid, n) < 1 else (lo, mid)
    full = full_batch_max_stable_lr(data, momentum, method, **params)
    assert full == pytest.approx(lo, rel=1e-9)
    assert minibatch_max_stable_lr(data, momentum, n, method, **params) == full
    edge = minibatch_max_stable_lr(data, momentum, 3, method, **params)
    assert edge < full
    assert ref(edge, 3) == pytest.approx(1.0, abs=1e-7)
    assert ref(edge * (1 - 1e-4), 3) < 1 < ref(edge * (1 + 1e-4), 3)


def test_batch_one_gd_with_replacement_in_one_dimension_is_2_mean_h_over_mean_h2():
    # one feature, no bias: per-example curvature h_i = x_i^2; E(1 - eta h)^2 < 1 iff
    # eta < 2 E[h] / E[h^2]; without replacement E[h_B^2] = E[h]^2 + f_B Var h
    X, y = small_regression(8, n=50, p=1)
    data = least_squares_data(X, y, bias=False)
    h = X[:, 0] ** 2
    edge = minibatch_max_stable_lr(data, 0.0, 1, "gd", replacement=True)
    assert edge == pytest.approx(2 * h.mean() / np.mean(h**2), rel=1e-12)
    for batch in (1, 5, 49):
        f = (50 - batch) / (batch * 49)
        expected = 2 * h.mean() / (h.mean() ** 2 + f * h.var())
        assert minibatch_max_stable_lr(data, 0.0, batch, "gd") == pytest.approx(expected, rel=1e-12)


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


def test_edge_table_is_each_points_edge_the_full_batch_beside():
    X, y = small_regression(11, n=9, p=2)
    data = least_squares_data(X, y)
    table = numerics.edge_table(data, [0.0, 0.4, 0.8], [1, 3, 9], "nesterov")
    assert table.method == "nesterov" and table.minibatch.shape == (3, 3)
    for i, beta in enumerate((0.0, 0.4, 0.8)):
        assert table.full[i] == full_batch_max_stable_lr(data, beta, "nesterov")
        for j, batch in enumerate((1, 3, 9)):
            edge = minibatch_max_stable_lr(data, beta, batch, "nesterov")
            assert table.minibatch[i, j] == edge
    assert (table.minibatch[:, -1] == table.full).all()  # B = n: the full-batch edge
    assert (np.diff(table.minibatch, axis=1) > 0).all()  # larger batches, larger edges


@pytest.mark.parametrize("method", ["gd", "heavy_ball"])
def test_tune_by_batch_finds_what_tuning_each_batch_afresh_finds(method):
    # 1 -> 39 moves gd's tuned lr over 3 times (beyond the warm start's bracket), 39 -> 2 back
    X, y = small_regression(3, n=40, p=3)
    data = least_squares_data(X, y)
    sizes = (1, 39, 2, 20, 40)
    tuned = numerics.tune_by_batch(data, sizes, method)
    assert [t.batch_size for t in tuned] == list(sizes)
    for t, batch in zip(tuned, sizes, strict=True):
        alone = tune_minibatch(data, batch, method)
        assert t.rate == pytest.approx(alone.rate, rel=1e-9, abs=1e-12)
        assert t.eta == pytest.approx(alone.eta, rel=1e-3)


# momentum within rounding of 1 (np.nextafter(1, 0) and its neighbours, and 1 - 1e-6): at the
# full-batch edge R(lambda_max)'s two eigenvalues sit together near -1 and the pair's 4 x 4
# Stein system is singular in floats; np.linalg.inv raised LinAlgError out of the search
# (`momentum edge --momentum 0.999999` and `momentum train --momentum 0.9999999999999999`
# ended in a traceback)
@settings(max_examples=25)
@given(
    seed=st.integers(0, 10**6),
    momentum=near_unit() | st.sampled_from([1 - 1e-6, 1 - 1e-10]),
    method=st.sampled_from(["heavy_ball", "nesterov"]),
    batch=st.integers(1, 5),
)
def test_momentum_within_rounding_of_one_gives_an_edge_or_a_parameter_error(
    seed, momentum, method, batch
):
    X, y = small_regression(seed, n=6, p=2)
    data = least_squares_data(X, y)
    full = full_batch_max_stable_lr(data, momentum, method)
    try:
        edge = minibatch_max_stable_lr(data, momentum, batch, method)
    except ParameterError:
        return  # the edge lies below the scan's reach: said, not guessed
    assert 0 < edge <= full


# a batch-size list was converted with int: edge_table(data, m, [5.7]) answered for batch 5, and
# [2**70] raised OverflowError (not a ValueError); tune_by_batch truncated alike
@settings(max_examples=30)
@given(
    bad=st.sampled_from([5.7, 2**70, 0, 8, -1, float("nan"), float("inf"), 1e300, 2.5]),
    where=st.integers(0, 2),
)
def test_a_batch_size_list_refuses_what_one_batch_size_refuses(bad, where):
    X, y = small_regression(3, n=7, p=1)
    data = least_squares_data(X, y)
    sizes = [2, 3]
    sizes.insert(where, bad)
    with pytest.raises(ParameterError, match="'batch_size' must be an integer in \\[1, 7\\]"):
        minibatch_max_stable_lr(data, 0.5, bad)  # the single-size refusal, the reference
    with pytest.raises(ParameterError, match="'batch_size' must be an integer in \\[1, 7\\]"):
        numerics.edge_table(data, [0.5], sizes)
    with pytest.raises(ParameterError, match="'batch_size' must be an integer in \\[1, 7\\]"):
        numerics.tune_by_batch(data, sizes)


def test_whole_float_batch_sizes_are_their_integers():
    X, y = small_regression(3, n=7, p=1)
    data = least_squares_data(X, y)
    table = numerics.edge_table(data, [0.5], [2.0, np.int64(3)])
    assert table.batch_sizes.tolist() == [2, 3]
    assert table.minibatch[0].tolist() == [minibatch_max_stable_lr(data, 0.5, b) for b in (2, 3)]
