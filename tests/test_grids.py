import numpy as np
import pytest
from hypothesis import given

from numerics.grids import (
    axis,
    best_for_spectrum,
    normalised_grid,
    rate_grid,
    volume_grid,
    volume_summary,
    worst_case_grid,
    worst_case_rate,
)
from numerics.rates import spectral_radius
from tests.strategies import floats, spectra
from theory.errors import ParameterError


@given(spectra(kappa_max=1e3), floats(0.01, 2.0), floats(-0.9, 0.99))
def test_property_worst_case_is_max_over_dense_spectrum(spectrum, frac, beta):
    # property 8: a dense grid over [mu, L] never exceeds the library's value, and meets it
    mu, L = spectrum
    eta = frac / L
    for method, b in (("heavy_ball", beta), ("gd", 0.0)):
        lams = np.linspace(mu, L, 4001)
        dense = spectral_radius(eta, b, lams, method).max()
        worst = float(worst_case_rate(eta, b, mu, L, method))
        assert dense <= worst * (1 + 1e-12)
        assert dense == pytest.approx(worst, rel=1e-9)


def test_rate_grid_and_best():
    g = rate_grid(np.linspace(0.1, 4, 40), np.linspace(0, 0.9, 10), 1.0)
    assert g.rho.shape == (40, 10)
    e, b, r = g.best()
    assert r == g.rho.min() and 0 <= r < 1
    assert 0 < g.stable_fraction < 1


def test_normalised_plane_is_independent_of_lambda():
    el = np.linspace(0.1, 3.9, 30)
    b = np.linspace(0, 0.9, 7)
    plane = normalised_grid(el, b)
    at_lam = rate_grid(el / 2.5, b, 2.5)
    np.testing.assert_allclose(plane.rho, at_lam.rho, rtol=1e-12)


def test_volume_summary_matches_materialised_volume():
    e, b, m = np.linspace(0.05, 4, 37), np.linspace(-0.5, 0.99, 23), np.linspace(0.1, 2, 11)
    vol = volume_grid(e, b, m)
    s = volume_summary(e, b, m)
    assert s.stable_fraction == pytest.approx((vol.rho < 1).mean())
    np.testing.assert_array_equal(s.worst_over_lam, vol.rho.max(axis=2))
    assert s.points == 37 * 23 * 11


def test_best_for_spectrum_near_tuned():
    e, b, r = best_for_spectrum(np.linspace(0.01, 1.5, 600), np.linspace(0, 0.99, 500), 1.0, 4.0)
    assert r == pytest.approx(1 / 3, abs=5e-3)
    assert e == pytest.approx(4 / 9, abs=0.01) and b == pytest.approx(1 / 9, abs=0.01)
    wc = worst_case_grid(np.linspace(0.01, 1.5, 60), np.linspace(0, 0.99, 50), 1.0, 4.0)
    assert wc.best()[2] >= 1 / 3 - 1e-9


@pytest.mark.parametrize(
    "args, message",
    [((1, 0, 5), "LO < HI"), ((0, 1, 1), r"N in \[2, "), ((0, np.inf, 3), "finite")],
)
def test_axis_validation(args, message):
    with pytest.raises(ParameterError, match=message):
        axis(*args)


def test_huge_grid_refused_with_memory_estimate():
    with pytest.raises(ParameterError, match="MiB"):
        volume_grid(np.ones(1000), np.ones(1000), np.ones(1000))


def test_bad_spectrum():
    with pytest.raises(ParameterError, match="0 < mu <= L"):
        worst_case_rate(0.1, 0.5, 2.0, 1.0)
