"""Regime boundaries along lambda against eigenvalues of hand-written state matrices."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from numerics.regimes import Verdict, regime_boundaries, verdict
from tests.references import goh_regime, heavy_ball_matrix
from tests.strategies import floats, near_unit, whole_range

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


# --- issue 24: exact boundaries over the whole float range, and verdicts that agree ---


def _closed_form(method: str, eta: float, beta: float) -> list[tuple[float, str, str]]:
    """Gd's and heavy ball's boundaries in closed form (Polyak 1964; Goh 2017), mpmath at
    300 bits from the exact inputs, each rounded once to a float."""
    with mpmath.workprec(300):
        e, b = mpmath.mpf(eta), mpmath.mpf(beta)
        if method == "gd" or b == 0:
            out = [(1 / e, "monotone", "oscillating"), (2 / e, "oscillating", "divergent")]
        elif b < 0:  # real roots for every lambda: only the trace changes sign
            out = [((1 + b) / e, "monotone", "oscillating")]
            out.append((2 * (1 + b) / e, "oscillating", "divergent"))
        else:
            root = mpmath.sqrt(b)
            out = [((1 - root) ** 2 / e, "monotone", "ripples")]
            out.append(((1 + root) ** 2 / e, "ripples", "oscillating"))
            out.append((2 * (1 + b) / e, "oscillating", "divergent"))
        return [(float(lam), below, above) for lam, below, above in out]


@given(
    method=st.sampled_from(["gd", "heavy_ball"]),
    eta=whole_range(-1000, 1000),
    beta=floats(0.01, 0.99) | floats(-0.99, -0.01) | st.just(0.0),
)
@example(method="gd", eta=1e-300, beta=0.0)
@example(method="heavy_ball", eta=1e-300, beta=0.5)  # the leading coefficient eta**2 underflowed
@example(method="heavy_ball", eta=1e-160, beta=0.5)  # a traceback (LinAlgError)
def test_property_boundaries_equal_the_closed_form_over_the_float_range(method, eta, beta):
    if method == "gd":
        beta = 0.0
    got = regime_boundaries(eta, beta, method)
    want = _closed_form(method, eta, beta)
    assert [(b.below, b.above) for b in got] == [w[1:] for w in want], (eta, beta)
    np.testing.assert_allclose([b.lam for b in got], [w[0] for w in want], rtol=4e-16)


@pytest.mark.parametrize("k", [20, 30, 40, 52, 53])
def test_boundaries_next_to_unit_beta(k):
    # beta = 1 - 2**-k: the lower critical point ((1 - beta)/(1 + sqrt(beta)))**2 falls to 1e-33
    # while the upper one meets the edge within a float (their gap is (1 - sqrt(beta))**2)
    beta = 1 - 2.0**-k
    got = regime_boundaries(1.0, beta)
    low, up, edge = (lam for lam, _, _ in _closed_form("heavy_ball", 1.0, beta))
    assert got[0].lam == pytest.approx(low, rel=4e-16)
    assert (got[0].below, got[0].above) == ("monotone", "ripples")
    assert got[-1].lam == pytest.approx(edge, rel=4e-16) and got[-1].above == "divergent"
    if up == edge:  # no float between: the oscillating interval is empty
        assert len(got) == 2 and got[-1].below == "ripples"


def _exact_regime(eta: float, beta: float, lam: float) -> str:
    return goh_regime(heavy_ball_matrix(*map(Fraction, (eta, beta, lam))))


@given(
    eta=whole_range(-20, 20),
    beta=floats(-0.99, 0.99) | near_unit(1) | near_unit(-1),
    h=whole_range(-990, 2),
)
@example(eta=1e-6, beta=0.5, h=1e-300)  # rho = 1 - 2e-300, "unstable, divergent" before
@example(eta=1.0, beta=float(np.nextafter(1, 0)), h=1e-20)
def test_property_verdict_never_contradicts_the_exact_regimes(eta, beta, h):
    # Goh's regime and stability decided exactly on the rationals of the inputs (Jury's
    # conditions and the discriminant's sign, tests/references.py): a verdict agrees, also
    # where rho is 1 to a float's precision ("marginal")
    lam = h / eta
    v = verdict(eta, beta, lam)
    exact = _exact_regime(eta, beta, lam)
    edge = 2 * (1 + beta) / eta
    if abs(lam / edge - 1) > 1e-12:  # a float edge may sit an ulp to either side
        assert v.stable == (exact != "divergent"), (eta, beta, lam, v, exact)
    if v.marginal and v.regime != "divergent":
        assert v.regime == exact, (eta, beta, lam, v)
    assert v.marginal == (abs(v.spectral_radius - 1) <= 4 * np.finfo(float).eps)


def test_verdict_of_the_issue():
    v = verdict(1e-300, 0.5, 1e-300)
    assert (v.spectral_radius, v.regime, v.stable, v.marginal) == (1.0, "monotone", True, True)
    v = verdict(2.0, 0.0, 1.0, "gd")  # on the edge: rho is 1 exactly, the open region leaves it out
    assert (v.spectral_radius, v.stable, v.marginal) == (1.0, False, True)
    assert verdict(0.5, 0.25, 1.0) == Verdict(0.5, "ripples", True, False)
