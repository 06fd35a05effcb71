import hashlib
from importlib import resources

import numpy as np
import pytest

from numerics.airfoil import (
    divergence_edge,
    gradient_noise_covariance,
    least_squares_quadratic,
    load_airfoil,
    noise_plateau,
    train_sgd,
)
from theory.errors import ParameterError


def test_data_is_d2ls():
    # ../shared/data/README.md: with CRLF line endings the SHA-1 is the one D2L's get_data_ch11 expects
    raw = resources.files("numerics.data").joinpath("airfoil_self_noise.dat").read_bytes()
    assert (
        hashlib.sha1(raw.replace(b"\n", b"\r\n")).hexdigest()
        == "76e5be1548fd8222e5074cf0faae75edff8cf93f"
    )


def test_loader_shape_and_standardisation():
    X, y = load_airfoil()
    assert X.shape == (1500, 5) and y.shape == (1500,)
    Xa, ya = load_airfoil(1503)
    full = np.column_stack([Xa, ya])
    np.testing.assert_allclose(full.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(full.std(axis=0), 1, rtol=1e-12)  # population std, as D2L
    np.testing.assert_array_equal(X, Xa[:1500])


def test_quadratic_is_the_loss():
    X, y = load_airfoil()
    q = least_squares_quadratic(X, y)
    w = np.random.default_rng(0).normal(size=6)
    direct = np.mean((X @ w[:5] + w[5] - y) ** 2) / 2
    assert float(q.loss(w)) == pytest.approx(direct, rel=1e-12)
    assert (q.eigenvalues > 0).all()


@pytest.mark.parametrize("lr, momentum", [(0.02, 0.5), (0.01, 0.9), (0.005, 0.9)])
def test_d2l_runs_reach_d2ls_loss_level(lr, momentum):
    # D2L 11.6 prints losses of about 0.24-0.26 after 2 epochs with batch 10
    r = train_sgd(*load_airfoil(), lr, momentum, batch_size=10, epochs=2, seed=0)
    assert 0.24 <= r.final_loss <= 0.26
    assert r.examples.tolist() == list(range(200, 3001, 200))
    assert r.d2l_line().startswith("loss: 0.2") and r.d2l_line().endswith("sec/epoch")


def test_hessian_predicts_divergence():
    q = least_squares_quadratic(*load_airfoil())
    for beta in (0.0, 0.9):
        edge = divergence_edge(q, beta)
        # a run exactly on the edge (rho = 1) neither converges nor diverges
        assert edge.largest_converging < edge.predicted
        assert (
            edge.etas[10] == edge.predicted
            and edge.on_edge.tolist() == [False] * 10 + [True] + [False] * 10
        )
        assert (
            edge.smallest_diverging <= edge.predicted * 1.01
        )  # the next grid point above diverges


def test_plateau_matches_noise_theory():
    X, y = load_airfoil()
    p = noise_plateau(X, y, 0.01, 0.9, 10, epochs=30, seeds=3)
    assert 0.67 < p.observed / p.predicted < 1.5


def test_noise_covariance_scales_with_batch():
    X, y = load_airfoil()
    c1, c10 = gradient_noise_covariance(X, y, 1), gradient_noise_covariance(X, y, 10)
    np.testing.assert_allclose(c10, c1 / 10 * (1500 - 10) / (1500 - 1))


@pytest.mark.parametrize(
    "kw, message",
    [({"lr": -1}, "'lr'"), ({"momentum": 1.0}, "'momentum'"), ({"batch_size": 0}, "'batch_size'")],
)
def test_bad_training_input(kw, message):
    args = {"lr": 0.01, "momentum": 0.9, "batch_size": 10} | kw
    with pytest.raises(ParameterError, match=message):
        train_sgd(*load_airfoil(), args["lr"], args["momentum"], batch_size=args["batch_size"])
