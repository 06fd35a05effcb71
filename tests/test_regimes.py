"""Regime boundaries along lambda against eigenvalues of hand-written state matrices."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numerics.regimes import regime_boundaries
from tests.strategies import floats

#: a relative step off a boundary that decides its side in floats
SIDE = 1e-5


def _matrix(method: str, eta: float, beta: float, lam: float, wd: float = 0.0, d: float = 0.0):
    """State matrices written out by hand from the update rules (not from the library)."""
    if method == "heavy_ball":  # v <- beta v + lam x; x <- x - eta v
        return np.array([[beta, lam], [-eta * beta, 1 - eta * lam]])
    if method == "nesterov":  # v <- beta v + lam x; x <- x - eta (lam x + beta v)
        return np.array([[beta, lam], [-eta * beta * beta, 1 - eta * lam - eta * beta * lam]])
    if method == "torch_sgd":  # v <- beta v + (1 - d)(lam + wd) x; x <- x - eta v
        k = (1 - d) * (lam + wd)
        return np.array([[beta, k], [-eta * beta, 1 - eta * k]])
    raise AssertionError(method)


def _goh(eigs: np.ndarray) -> str:
    """Goh's regime from eigenvalues: the reference the boundaries must separate."""
    top = eigs[np.argmax(np.abs(eigs))]
    if np.abs(eigs).max() >= 1:
        return "divergent"
    if abs(eigs[0].imag) > 1e-12:
        return "ripples"
    return "monotone" if top.real > 0 else "oscillating"


def test_heavy_ball_closed_form():
    # eta lam = (1 -+ sqrt(beta))^2 and 2 (1 + beta): values where every term shows (sqrt 0.36 = 0.6)
    eta, beta = 0.3, 0.36
    got = regime_boundaries(eta, beta)
    want = [(0.16 / eta, "monotone", "ripples"), (2.56 / eta, "ripples", "oscillating")]
    want.append((2.72 / eta, "oscillating", "divergent"))
    assert [(b.below, b.above) for b in got] == [w[1:] for w in want]
    np.testing.assert_allclose([b.lam for b in got], [w[0] for w in want], rtol=1e-12)


def test_no_stable_curvature_gives_no_boundaries():
    assert regime_boundaries(0.3, 1.0) == ()


@pytest.mark.parametrize(
    "method, params",
    [
        ("heavy_ball", {}),
        ("nesterov", {}),
        ("torch_sgd", {"dampening": 0.3, "weight_decay": 0.7}),
    ],
)
@given(eta=floats(0.01, 3.0), beta=floats(0.01, 0.95))
def test_boundaries_separate_the_regimes(method, params, eta, beta):
    bounds = regime_boundaries(eta, beta, method, **params)
    assert bounds and bounds[-1].above == "divergent"
    wd, d = params.get("weight_decay", 0.0), params.get("dampening", 0.0)
    for b in bounds:
        assert b.below != b.above
        for lam, label in ((b.lam * (1 - SIDE), b.below), (b.lam * (1 + SIDE), b.above)):
            eigs = np.linalg.eigvals(_matrix(method, eta, beta, lam, wd, d))
            assert _goh(eigs) == label, (b, lam, eigs)
    lams = [b.lam for b in bounds]
    assert lams == sorted(lams)


@given(eta=floats(0.01, 3.0), beta=st.sampled_from([-0.5, -0.1]))
def test_negative_beta_has_no_ripples(eta, beta):
    # (1 + beta - eta lam)^2 - 4 beta > 0 for beta < 0: the roots are real for every lambda
    bounds = regime_boundaries(eta, beta)
    assert [(b.below, b.above) for b in bounds] == [
        ("monotone", "oscillating"),
        ("oscillating", "divergent"),
    ]
    np.testing.assert_allclose(bounds[0].lam, (1 + beta) / eta, rtol=1e-9)
