"""Figures that compute before they draw: exercise 2, rate against kappa, maps side by side."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from numerics.plots import comparison
from tests.figure_checks import fonts_readable, legend_labels, legends_clear
from tests.references import heavy_ball_trajectory


def test_exercise2_shared_log_axis_and_labels():
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.8), sharey=True, layout="constrained")
    gd = comparison.plot_eigen_decay("gd", eta=0.5, ax=a)
    hb = comparison.plot_eigen_decay("heavy_ball", eta=0.5, beta=0.5, ax=b)
    assert len(gd["lines"]) == len(hb["lines"]) == 5
    assert a.get_yscale() == "log" and a.get_shared_y_axes().joined(a, b)
    labels = legend_labels(gd["legend"])
    assert labels[0] == r"$\lambda = 1$" and labels[1] == r"$\lambda = 1/2$"
    assert not any("2^{-0}" in t for t in labels)
    # x -= eta*v, not the seed note's x -= x - eta*v: the first GD step on lambda=1 is 1 - 0.5
    assert gd["lines"][0].get_ydata()[1] == pytest.approx(0.5)
    # the last step of gradient descent on lambda = 2^-i is (1 - eta 2^-i)^40
    np.testing.assert_allclose(
        [line.get_ydata()[-1] for line in gd["lines"]], (1 - 0.5 * 2.0 ** -np.arange(5)) ** 40
    )
    assert "Gradient descent" in a.get_title() and "Heavy ball" in b.get_title()
    fonts_readable(fig)


def test_exercise2_exact_zeros_are_marked_on_the_bottom_edge():
    art = comparison.plot_eigen_decay("heavy_ball", eta=0.5, beta=0.5)
    # a plain loop: heavy ball on lambda = 1 lands exactly on 0 (dyadic arithmetic)
    xs = np.array(heavy_ball_trajectory(0.5, 0.5)(1.0, 1.0, 40))
    steps = np.flatnonzero(xs == 0)
    assert steps.size >= 5
    (mark,) = art["zeros"]  # only lambda = 1 has exact zeros
    np.testing.assert_array_equal(mark.get_xdata(), steps)
    assert mark.get_color() == art["lines"][0].get_color()
    # drawn on the bottom edge in axes units, whatever the y limits
    np.testing.assert_allclose(mark.get_ydata(), 0.025)
    assert mark.get_transform() == art["ax"].get_xaxis_transform()
    assert np.isnan(art["lines"][0].get_ydata()[steps]).all()  # the curve breaks there
    labels = legend_labels(art["legend"])
    assert "no logarithm" in labels[-1]
    assert art["legend"].legend_handles[-1].get_marker() == mark.get_marker()
    legends_clear(art["ax"].figure)
    gd = comparison.plot_eigen_decay("gd", eta=0.5)
    assert gd["zeros"] == [] and gd["zero_key"] is None
    assert not any("no logarithm" in t for t in legend_labels(gd["legend"]))


def test_rate_vs_kappa_log_progress_and_tuned_dots():
    art = comparison.plot_rate_vs_kappa()
    ax = art["ax"]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert len(art["lines"]) == 3 and len(art["qhm"].get_xdata()) == 3
    # the worst case at each tuned point lies on its closed-form curve, gradient descent included
    closed = {
        "gd": lambda k: (k - 1) / (k + 1),
        "heavy_ball": lambda k: (np.sqrt(k) - 1) / (np.sqrt(k) + 1),
        "nesterov": lambda k: 1 - 2 / np.sqrt(3 * k + 1),
    }
    for name, rate in closed.items():
        k, progress = art["measured"][name].get_data()
        np.testing.assert_allclose(progress, 1 - rate(k), rtol=1e-6)
    assert any("tuned" in t for t in legend_labels(art["legend"]))
    legends_clear(ax.figure)
    fonts_readable(ax.figure)


def test_method_rate_maps_framed_each_with_its_edge():
    fig, axes = plt.subplots(2, 2, figsize=(11, 9.6), layout="constrained")
    maps = comparison.plot_method_rate_maps(
        list(axes.flat[:3]), beta=np.linspace(0, 0.9, 20), points=40
    )
    edges = [m["edge"].get_data() for m in maps]
    np.testing.assert_allclose(edges[0][0], 2.0)
    np.testing.assert_allclose(edges[1][0], 2 + 2 * edges[1][1], rtol=1e-6)
    np.testing.assert_allclose(
        edges[2][0], (2 + 2 * edges[2][1]) / (1 + 2 * edges[2][1]), rtol=1e-6
    )
    # one frame for all three, the widest method's (heavy ball) with a 10% margin
    frames = {m["ax"].get_xlim() for m in maps}
    assert len(frames) == 1
    assert frames.pop()[1] == pytest.approx(1.1 * edges[1][0].max(), rel=1e-3)
    assert maps[0]["colorbar"] is maps[1]["colorbar"] is maps[2]["colorbar"]  # one colour bar
    assert len(maps[2]["critical"]) == 2  # Nesterov's critical curves are drawn
    titles = [m["ax"].get_title() for m in maps]
    assert titles[0].startswith("Gradient descent") and titles[2].startswith("Nesterov")
    art = comparison.plot_stability_edges(axes.flat[3])
    assert [line.get_label() for line in art["lines"]] == [
        "Gradient descent",
        "Heavy ball",
        "Nesterov",
    ]
    legends_clear(fig)
    fonts_readable(fig)
