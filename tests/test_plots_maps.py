"""The maps show what their captions say: framed on the stable region, divergence hatched, points marked."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from numerics import plots
from numerics.grids import normalised_grid, rate_grid, volume_grid, worst_case_grid
from numerics.output.files import OutputError, save_figure
from numerics.plots import maps
from numerics.rates import regime
from tests.figure_checks import (
    contrast_on_white,
    fonts_readable,
    inside,
    legend_labels,
    legends_clear,
    stable_fraction_in_frame,
)


def _labelled(ax):
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


def test_region_is_framed_hatched_and_in_the_legend():
    lam = 2.0
    g = rate_grid(np.linspace(0.01, 4, 120), np.linspace(0, 0.99, 60), lam)
    art = g.plot()
    ax = art["ax"]
    _labelled(ax)
    assert "Heavy ball" in ax.get_title() and r"\lambda = 2" in ax.get_title()
    x, y = art["boundary"].get_data()
    np.testing.assert_allclose(x, 2 * (1 + y) / lam, rtol=1e-6)
    # framed on the stable region: a 10% margin past the largest stable step, no more
    assert ax.get_xlim()[1] == pytest.approx(1.1 * 2 * (1 + 0.99) / lam, rel=1e-3)
    assert stable_fraction_in_frame(ax, lambda b: 2 * (1 + b) / lam) > 0.6  # most of the plot
    # the hatch lies right of the exact edge, not left of it
    b = np.linspace(0.05, 0.95, 7)
    assert inside(art["divergent"], 2 * (1 + b) / lam * 1.02, b).all()
    assert not inside(art["divergent"], 2 * (1 + b) / lam * 0.98, b).any()
    labels = legend_labels(art["legend"])
    assert any("stable" in t for t in labels) and any("divergent" in t for t in labels)
    assert any("edge" in t for t in labels)
    legends_clear(ax.figure)
    fonts_readable(ax.figure)


def test_rate_map_critical_curves_regimes_and_scale():
    art = normalised_grid(np.linspace(0.01, 4.4, 120), np.linspace(0, 0.99, 80)).plot()
    ax = art["ax"]
    _labelled(ax)
    assert "every curvature" in ax.get_title()  # what "normalised" means, said
    assert art["mesh"].get_clim() == maps.TIME_RANGE
    assert np.ma.getmaskarray(art["mesh"].get_array()).any()  # divergent cells are masked
    low, high = art["critical"]
    for line, sign in ((low, -1), (high, 1)):
        x, b = line.get_data()
        ok = np.isfinite(x)
        np.testing.assert_allclose(x[ok], (1 + sign * np.sqrt(b[ok])) ** 2, atol=1e-9)
    x, y = art["edge"].get_data()
    np.testing.assert_allclose(x, 2 * (1 + y), rtol=1e-6)
    # each regime label sits inside its own regime
    names = {t.get_text(): t.get_position() for t in art["regimes"]}
    assert set(names) == {"ripples", "monotone", "oscillating"}
    for name, (h, b) in names.items():
        assert regime(h, b, 1.0) == name
    labels = legend_labels(art["legend"])
    assert any("critical" in t for t in labels) and any("divergent" in t for t in labels)
    legends_clear(ax.figure)
    fonts_readable(ax.figure)


def test_rate_map_colours_tell_rates_near_one_apart():
    """beta = 0.9 and 0.99 in the ripples (rate sqrt(beta)) get clearly different colours."""
    beta = np.array([0.5, 0.81, 0.9, 0.9801, 0.99])
    art = normalised_grid(np.array([0.9, 1.0, 1.1]), beta).plot(legend=False)
    rgba = art["mesh"].to_rgba(art["mesh"].get_array()).reshape(beta.size, 3, 4)[:, 1, :3]
    rate = np.sqrt(beta)  # heavy ball's rate in the ripples, at eta*lambda = 1
    np.testing.assert_allclose(
        art["mesh"].get_array().reshape(beta.size, 3)[:, 1], -1 / np.log(rate), rtol=1e-6
    )
    # rho 0.949 against 0.995: a linear colour in rho gives them 5% of the scale (one shade)
    far = np.linalg.norm(rgba[2] - rgba[4])
    assert far > 0.3, far
    assert all(np.linalg.norm(a - b) > 0.05 for a, b in zip(rgba, rgba[1:], strict=False))
    bar = art["colorbar"]
    assert "steps" in bar.ax.get_ylabel() and r"\ln" in bar.ax.get_ylabel()
    # the rate's own ticks on the bar's other side, at the contours' levels
    (rates,) = [c for c in bar.ax.child_axes if "rate" in c.get_ylabel()]
    shown = [t.get_text() for t in rates.get_yticklabels()]
    assert shown == [f"{v:.2g}" for v in maps.RATE_LEVELS]


def test_the_legend_key_of_a_white_dashed_line_shows_it_as_drawn():
    """The critical curve is white dashes outlined in black: its key is that, on the map's colour,
    with whole dashes (no ``==:``)."""
    from matplotlib.colors import to_rgb
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    from numerics.plots.style import DASHES, FONT

    art = normalised_grid(np.linspace(0.01, 4.4, 60), np.linspace(0, 0.99, 40)).plot()
    legend = art["legend"]
    (line,) = [h for h in legend.findobj(Line2D) if h.get_color() == "white"]
    assert line.get_path_effects()  # outlined
    width = line.get_linewidth()
    dash, gap = (v * width for v in DASHES)
    dashes = (legend.handlelength * FONT + gap) / (dash + gap)
    assert dashes == pytest.approx(round(dashes)) and round(dashes) >= 2  # whole dashes only
    under = [r for r in legend.findobj(Rectangle) if r.get_facecolor()[:3] != (1.0, 1.0, 1.0)]
    map_colour = [r for r in under if to_rgb(r.get_facecolor()) not in (to_rgb("#d9d9d9"),)]
    assert map_colour, "the dashed key is drawn on white"


def test_nesterov_critical_curves():
    beta = np.linspace(0.05, 0.95, 19)
    curves = maps.critical_curves("nesterov", beta)
    found = sorted(np.nanmean(h) for h, _ in curves)
    assert len(curves) == 2
    low = [h for h, _ in curves if np.nanmean(h) == found[0]][0]
    high = [h for h, _ in curves if np.nanmean(h) == found[1]][0]
    np.testing.assert_allclose(low, ((1 - beta) / (1 + beta)) ** 2, atol=1e-9)
    np.testing.assert_allclose(high, 1.0, atol=1e-9)
    assert maps.critical_curves("gd", beta) == []


def test_volume_edges_frame_colours_and_legend():
    lams = np.array([0.5, 1.0, 2.0])
    art = volume_grid(np.linspace(0.01, 4, 30), np.linspace(0, 0.99, 20), lams).plot(slices=3)
    ax = art["ax"]
    assert len(art["slices"]) == 3
    for line, lam in zip(art["slices"], lams, strict=True):
        x, b = line.get_data()
        np.testing.assert_allclose(x, 2 * (1 + b) / lam, rtol=1e-6)  # closed form, not jagged
        assert x.max() <= ax.get_xlim()[1]  # every slice inside the frame
        assert contrast_on_white(line.get_color()) > 2.0  # no yellow on white
    labels = legend_labels(art["legend"])
    assert len(labels) == 4 and any("divergent" in t for t in labels)
    legends_clear(ax.figure)
    fonts_readable(ax.figure)


def test_worst_case_frame_scale_and_marks():
    mu, L = 1, 100
    g = worst_case_grid(np.linspace(0.0002, 0.045, 120), np.linspace(0, 0.99, 100), mu, L)
    art = g.plot(tuned=(4 / 121, 81 / 121))
    ax = art["ax"]
    assert ax.get_xlim()[1] == pytest.approx(1.1 * 2 * (1 + 0.99) / L, rel=1e-3)
    vmin, vmax = art["mesh"].get_clim()
    stable = g.rho[g.rho < 1]
    assert vmax == 1.0 and stable.min() - 0.05 <= vmin <= stable.min()
    assert art["best"].get_xydata().tolist() == [list(g.best()[:2])]
    np.testing.assert_allclose(art["tuned"].get_xydata(), [[4 / 121, 81 / 121]])
    labels = legend_labels(art["legend"])
    assert any("best" in t for t in labels) and any("tuned" in t for t in labels)
    assert any("divergent" in t for t in labels)
    # the star is drawn over the ring and fits in its hole, so both show where they agree
    star, ring = art["best"], art["tuned"]
    assert star.get_zorder() > ring.get_zorder()
    assert star.get_markersize() < ring.get_markersize() - 2 * ring.get_markeredgewidth()
    legends_clear(ax.figure)
    fonts_readable(ax.figure)


def test_worst_case_contours_lie_on_their_level():
    """Heavy ball's level sets {worst-case rho = c} over [mu, L] are straight lines, solved by
    hand: beta = c^2 (complex roots), eta mu = (1 - c)(1 - beta/c) (root c at mu) and
    eta L = (1 + c)(1 + beta/c) (root -c at L). The contours lie on them, with no steps where
    the rate has a square root (critical damping); only the corners, within a cell, are cut."""
    mu, L = 1, 100
    eta, beta = np.linspace(0.0002, 0.045, 120), np.linspace(0, 0.99, 100)
    cell = np.array([eta[1] - eta[0], beta[1] - beta[0]])
    art = worst_case_grid(eta, beta, mu, L).plot()
    assert art["levels"] == [0.85, 0.9, 0.95, 0.98, 0.99]
    for c, cs in zip(art["levels"], art["contours"], strict=True):
        pts = np.concatenate([p.vertices for p in cs.get_paths()])
        e, b = pts[:, 0], pts[:, 1]
        # each line's residual as a distance in grid cells
        lines = [
            np.abs(b - c * c) / cell[1],
            np.abs(e - (1 - c) * (1 - b / c) / mu) / cell[0],
            np.abs(e - (1 + c) * (1 + b / c) / L) / cell[0],
        ]
        off = np.min(lines, axis=0)
        assert len(pts) > 3 and off.max() < 1.0, (c, off.max())
        assert np.mean(off < 1e-6) > 0.85, (c, np.mean(off < 1e-6))  # exact, but at the corners


def test_volume_surface_is_the_edge():
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    g = volume_grid(np.linspace(0.01, 4, 10), np.linspace(0, 0.9, 10), np.linspace(0.5, 2, 4))
    art = maps.plot_volume_surface(g, ax, slices=2)
    assert art["surface"] is not None and "surface" in ax.get_title()
    for line, lam in zip(art["slices"], (0.5, 2.0), strict=True):
        b, lm, eta = line.get_data_3d()
        np.testing.assert_allclose(lm, lam)
        np.testing.assert_allclose(eta, 2 * (1 + b) / lam, rtol=1e-6)


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_save_formats(tmp_path, suffix):
    art = plots.plot_weights()
    path = save_figure(art["ax"].figure, tmp_path / f"w.{suffix}")
    assert path.stat().st_size > 1000


def test_save_unknown_format_leaves_nothing(tmp_path):
    art = plots.plot_weights()
    with pytest.raises(OutputError, match="unsupported figure format"):
        save_figure(art["ax"].figure, tmp_path / "w.xyz")
    assert list(tmp_path.iterdir()) == []


# --- geometry located, not counted (issue 13, area 2) ---


def test_critical_curves_are_located():
    # critical damping where (1 + beta - eta lam)^2 = 4 beta: eta lam = (1 -+ sqrt(beta))^2
    art = normalised_grid(np.linspace(0.01, 4, 60), np.linspace(0.1, 0.9, 40)).plot()
    low, high = art["critical"]
    for line, sign in ((low, -1), (high, 1)):
        x, y = line.get_data()
        assert y.min() == pytest.approx(0.1) and y.max() == pytest.approx(0.9)
        np.testing.assert_allclose(x, (1 + sign * np.sqrt(y)) ** 2, rtol=1e-12)
        # the discriminant of z^2 - (1 + beta - eta lam) z + beta vanishes on it
        np.testing.assert_allclose((1 + y - x) ** 2, 4 * y, atol=1e-12)


def test_regime_labels_sit_in_their_regimes():
    from numerics.rates import REGIMES, regime

    art = normalised_grid(np.linspace(0.01, 4, 60), np.linspace(0, 0.99, 40)).plot()
    labels = [t for t in art["ax"].texts if t.get_text() in REGIMES]
    assert len(labels) >= 3
    for t in labels:
        x, y = t.get_position()
        assert regime(x, y, 1.0) == t.get_text(), (t.get_text(), x, y)
