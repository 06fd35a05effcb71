"""Heavy ball's kernels: compiled (numba, optional) against NumPy, eigvals and mpmath.

Both paths compute the same formula (the discriminant factored); here the
compiled one is forced on small inputs of every broadcast pattern and
compared with the NumPy one, with batched ``numpy.linalg.eigvals`` and, at
critical damping, with mpmath at 50 digits.
"""

import mpmath
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from numerics import grids, rates
from tests.strategies import near_unit, whole_range


@pytest.fixture
def compiled(monkeypatch):
    """Heavy ball runs the numba kernel on any input of more than one point."""
    pytest.importorskip("numba")
    assert rates.load_compiled()
    monkeypatch.setattr(rates, "_SMALL", 1)


def _numpy_only(monkeypatch):
    monkeypatch.setattr(rates, "_COMPILED", False)


def _kernel(path: str, patch) -> None:
    """Heavy ball by the numba kernel on any input of more than one point, or by NumPy's."""
    if path == "compiled":
        pytest.importorskip("numba")
        assert rates.load_compiled()
        patch.setattr(rates, "_SMALL", 1)
    else:
        _numpy_only(patch)


def _eigvals_rho(eta, beta, lam):
    e, b, lm = np.broadcast_arrays(eta, beta, lam)
    R = np.empty((*e.shape, 2, 2))
    R[..., 0, 0], R[..., 0, 1], R[..., 1, 0], R[..., 1, 1] = b, lm, -e * b, 1 - e * lm
    return np.abs(np.linalg.eigvals(R)).max(axis=-1)


SHAPES = [
    ((7, 1), (1, 9), ()),  # the usual (eta, beta) grid at one lambda
    ((5,), (5,), (5,)),  # three vectors
    ((3, 1, 1), (1, 4, 1), (1, 1, 6)),  # a volume
    ((3, 4, 1), (4, 1), (6,)),  # mixed
    ((), (8,), (2, 1)),  # eta a scalar
    ((4, 1, 5), (1, 3, 1), ()),  # an input varying inside and outside the last axis
]


@pytest.mark.parametrize("shapes", SHAPES)
def test_compiled_equals_numpy_and_eigvals(shapes, compiled, monkeypatch):
    rng = np.random.default_rng(len(str(shapes)))
    eta = rng.uniform(0.01, 3.0, shapes[0])
    beta = rng.uniform(-0.9, 0.99, shapes[1])
    lam = rng.uniform(0.1, 2.5, shapes[2])
    got = rates.spectral_radius(eta, beta, lam)
    _numpy_only(monkeypatch)
    want = rates.spectral_radius(eta, beta, lam)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)
    np.testing.assert_allclose(got, _eigvals_rho(eta, beta, lam), rtol=1e-12)


def test_compiled_writes_into_out(compiled):
    eta, beta = np.linspace(0.1, 4, 30), np.linspace(0, 0.99, 20)
    out = np.full((30, 20), -1.0)
    rates.spectral_radius(eta[:, None], beta[None, :], 1.7, out=out)
    np.testing.assert_allclose(out, _eigvals_rho(eta[:, None], beta[None, :], 1.7), rtol=1e-12)


@pytest.mark.parametrize("path", ["compiled", "numpy"])
def test_near_critical_damping_beats_the_unfactored_formula(path, monkeypatch):
    """Next to the double roots h = (1 -+ sqrt(beta))^2, against mpmath at 50 digits.

    The unfactored t + sqrt(t^2 - beta) loses up to 1e-8 there; the factored
    discriminant with critical points rounded once stays within 1e-11 at
    relative distances down to 1e-9 (and is never worse than the unfactored).
    """
    _kernel(path, monkeypatch)
    mpmath.mp.dps = 50
    rng = np.random.default_rng(7)
    for distance in (1e-3, 1e-6, 1e-9, 1e-12):
        ours, unfactored = [], []
        for beta in rng.uniform(0.01, 0.99, 40):
            root = np.sqrt(beta)
            for critical in ((1 - root) ** 2, (1 + root) ** 2):
                h = critical * (1 + distance * rng.choice([-1.0, 1.0]))
                s = 1 + mpmath.mpf(beta) - mpmath.mpf(h)
                disc = s * s - 4 * mpmath.mpf(beta)
                exact = max((abs(s) + mpmath.sqrt(max(disc, 0))) / 2, mpmath.sqrt(mpmath.mpf(beta)))
                got = rates.spectral_radius(np.array([h, h]), beta, 1.0)[0]
                t = abs(h / 2 - (1 + beta) / 2)
                plain = max(t + np.sqrt(max(t * t - beta, 0.0)), root)
                ours.append(abs(got - float(exact)) / float(exact))
                unfactored.append(abs(plain - float(exact)) / float(exact))
        assert max(ours) <= max(unfactored), distance
        if distance >= 1e-9:
            assert max(ours) < 1e-11, distance


def test_compiled_volume_summary_equals_numpy(monkeypatch):
    eta, beta, lam = np.linspace(0.01, 4, 17), np.linspace(-0.5, 0.99, 13), np.linspace(0.1, 2, 11)
    pytest.importorskip("numba")
    assert rates.load_compiled()
    monkeypatch.setattr(rates, "COMPILED_AUTO_POINTS", 0)
    got = grids.volume_summary(eta, beta, lam)
    _numpy_only(monkeypatch)
    want = grids.volume_summary(eta, beta, lam)
    assert got.stable_fraction == want.stable_fraction and got.best == want.best
    np.testing.assert_allclose(got.worst_over_lam, want.worst_over_lam, rtol=1e-15)
    rho = _eigvals_rho(eta[:, None, None], beta[None, :, None], lam[None, None, :])
    np.testing.assert_allclose(got.worst_over_lam, rho.max(axis=-1), rtol=1e-12)
    assert got.stable_fraction == np.mean(rho < 1)


def _mp_rho(h: float, beta: float):
    """Heavy ball's rate at eta*lam = h, from the exact double inputs, at 300 bits (mpmath)."""
    with mpmath.workprec(300):
        s = 1 + mpmath.mpf(beta) - mpmath.mpf(h)
        disc = s * s - 4 * mpmath.mpf(beta)
        if disc < 0:  # a complex pair of modulus sqrt(beta)
            return mpmath.sqrt(mpmath.mpf(beta)), True
        return (abs(s) + mpmath.sqrt(disc)) / 2, False


@pytest.mark.parametrize("path", ["compiled", "numpy"])
@given(
    beta=near_unit(1) | near_unit(-1),
    h=whole_range(-1021, 1) | st.floats(0.25, 4.0),
)
@example(beta=float(np.nextafter(1, 0)), h=0.5)  # printed rho 1, "unstable": sqrt rounded twice
@example(beta=float(np.nextafter(-1, 0)), h=1e-8)
@example(beta=1 - 2.0**-52, h=2.0**-200)
@example(beta=float(np.nextafter(1, 0)), h=2.0**-53)  # numba: |hh - c| rounded up to 1 > sqrt(beta)
def test_property_rho_within_two_ulps_next_to_unit_beta(path, beta, h):
    """|beta| within a few ulps of 1, against mpmath at 300 bits (eta*lam = h exact: lam = 1).

    Both kernels: the complex pair's modulus is sqrt(beta) rounded once, so below 1
    for every beta below 1; elsewhere rho is within two ulps of the exact value, unless
    h sits within 1e-6 of a double root (there the exact value is ill-conditioned).
    """
    with pytest.MonkeyPatch.context() as patch:
        _kernel(path, patch)
        got = float(rates.spectral_radius(np.array([h, h]), beta, 1.0)[0])
    exact, complex_pair = _mp_rho(h, beta)
    if complex_pair:
        assert got == np.sqrt(beta) < 1, (beta, h, got)
        return
    root = mpmath.sqrt(abs(mpmath.mpf(beta)))
    near_double = beta > 0 and any(
        abs(h / c - 1) < 1e-6 for c in ((1 - root) ** 2, (1 + root) ** 2)
    )
    if not near_double:
        assert abs(got - exact) <= 2 * np.spacing(float(exact)), (beta, h, got, float(exact))
