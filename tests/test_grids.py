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


# --- reductions over more than one chunk (issue 13, area 2) ---


def test_best_for_spectrum_finds_a_best_point_in_a_later_chunk():
    # 3000 x 500 points: two chunks of REDUCE_CHUNK; the tuned point (4/9, 1/9) for [1, 4]
    # (Polyak 1964: rate 1/3) lies in rows of the second chunk
    from numerics import grids

    etas, betas = np.linspace(0.01, 0.5, 3000), np.linspace(0, 0.99, 500)
    assert etas.size * betas.size > grids.REDUCE_CHUNK
    assert np.searchsorted(etas, 4 / 9) > grids.REDUCE_CHUNK // betas.size
    e, b, r = best_for_spectrum(etas, betas, 1.0, 4.0)
    assert e == pytest.approx(4 / 9, abs=0.01) and b == pytest.approx(1 / 9, abs=0.01)
    assert r == pytest.approx(1 / 3, abs=5e-3)
    assert np.searchsorted(etas, e) > grids.REDUCE_CHUNK // betas.size
    # the rate returned is the worst case at the point returned, and no grid point does better
    assert r == float(worst_case_rate(e, b, 1.0, 4.0))
    assert r == worst_case_grid(etas[2500:], betas, 1.0, 4.0).best()[2]


def test_best_for_spectrum_in_many_chunks_equals_one_piece(monkeypatch):
    from numerics import grids

    etas, betas = np.linspace(0.02, 1.2, 97), np.linspace(-0.3, 0.95, 41)
    whole = worst_case_grid(etas, betas, 0.5, 3.0).best()
    monkeypatch.setattr(grids, "REDUCE_CHUNK", 3 * 41 + 5)  # 3 rows a chunk: 33 chunks
    assert best_for_spectrum(etas, betas, 0.5, 3.0) == whole


@pytest.mark.parametrize("chunk", [2 * 13 * 7 + 3, 5])  # planes per chunk; or columns of one row
def test_volume_summary_in_small_chunks_equals_the_materialised_volume(monkeypatch, chunk):
    from numerics import grids

    e, b, m = np.linspace(0.05, 4, 19), np.linspace(-0.5, 0.99, 13), np.linspace(0.1, 2, 7)
    vol = volume_grid(e, b, m)
    monkeypatch.setattr(grids, "REDUCE_CHUNK", chunk)
    s = volume_summary(e, b, m)
    np.testing.assert_array_equal(s.worst_over_lam, vol.rho.max(axis=2))
    assert s.stable_fraction == (vol.rho < 1).sum() / vol.rho.size
    i, j = np.unravel_index(np.argmin(vol.rho.max(axis=2)), (19, 13))
    assert s.best == (e[i], b[j], vol.rho.max(axis=2)[i, j])


def test_volume_summary_counts_like_jury_off_the_edge():
    # dyadic axes put points exactly on eta lam = 2(1 + beta): off the edge the count is
    # Jury's, in exact rationals (Polyak 1964); on it, the point's own rate decides, and
    # a rate of exactly 1 is out
    from fractions import Fraction

    etas = [Fraction(k, 8) for k in range(1, 41)]
    betas = [Fraction(k, 8) for k in range(-7, 8)]
    lams = [Fraction(1, 2), Fraction(3, 4), Fraction(5, 2)]
    count, exactly_one = 0, 0
    for e in etas:
        for b in betas:
            for m in lams:
                if e * m != 2 * (1 + b):
                    count += 0 < e * m < 2 * (1 + b)
                else:
                    rho = float(spectral_radius(float(e), float(b), float(m)))
                    count += rho < 1
                    exactly_one += rho == 1.0
    assert exactly_one >= 5
    s = volume_summary(*([float(v) for v in axis_] for axis_ in (etas, betas, lams)))
    assert s.stable_fraction == count / (len(etas) * len(betas) * len(lams))


def test_worst_case_grid_says_when_it_is_exact_at_the_ends():
    axes = (np.linspace(0.01, 0.5, 4), np.linspace(0, 0.9, 3))
    assert worst_case_grid(*axes, 1.0, 4.0).exact_at_ends
    assert worst_case_grid(*axes, 1.0, 4.0, "nesterov").exact_at_ends
    assert not worst_case_grid(*axes, 1.0, 4.0, "qhm", nu=0.7).exact_at_ends
