import numpy as np
import pytest

from numerics.airfoil import divergence_edge, least_squares_quadratic, load_airfoil, train_sgd
from numerics.noise import stationary_variance
from numerics.plots.noise import (
    plot_divergence,
    plot_divergence_overview,
    plot_losses,
    plot_variance_vs_beta,
)
from tests.figure_checks import fonts_readable, legend_labels, legends_clear


def test_variance_curves_and_monte_carlo_points():
    art = plot_variance_vs_beta(eta=0.5, chains=200, mc_betas=(0.0, 0.6))
    fixed, effective, limit = art["lines"]
    beta = fixed.get_xdata()
    np.testing.assert_allclose(
        fixed.get_ydata(), 0.5 * (1 + beta) / ((1 - beta) * (1.5 + 2 * beta))
    )
    assert effective.get_ydata()[-1] < effective.get_ydata()[0]  # falls towards the limit
    np.testing.assert_allclose(limit.get_ydata(), 0.25)
    # the Monte-Carlo points sit where the (Lyapunov) theory puts them, within their intervals
    steps = (lambda b: 0.5, lambda b: 0.5 * (1 - b))
    for container, step in zip(art["monte_carlo"], steps, strict=True):
        xs, ys = container.lines[0].get_data()
        theory = [stationary_variance(step(b), b, 1.0, 1.0) for b in xs]
        np.testing.assert_allclose(ys, theory, rtol=0.15)
    assert len(art["ax"].get_yticklabels()) >= 4  # more than two labelled ticks
    assert any("Monte Carlo" in t for t in legend_labels(art["legend"]))
    legends_clear(art["ax"].figure)
    fonts_readable(art["ax"].figure)


def test_losses_start_at_epoch_zero_and_count_not_time():
    X, y = load_airfoil()
    runs = [train_sgd(X, y, 0.01, 0.9), train_sgd(X, y, 0.02, 0.5)]
    art = plot_losses(runs, minimum=least_squares_quadratic(X, y).minimum)
    first = art["lines"][0]
    assert first.get_xdata()[0] == 0.0 and first.get_ydata()[0] == runs[0].initial_loss
    assert len(art["lines"]) == 3 and first.get_xdata()[-1] == 2.0
    for against in ("examples", "updates"):
        art = plot_losses(runs, against=against)
        assert art["ax"].get_xscale() == "log" and "time" not in art["ax"].get_xlabel()
    np.testing.assert_allclose(art["lines"][0].get_xdata(), np.ceil(runs[0].examples / 10))
    with pytest.raises(ValueError, match="against"):
        plot_losses(runs, against="time")
    legends_clear(art["ax"].figure)


def test_losses_as_the_gap_to_the_minimum_with_predicted_plateaus():
    X, y = load_airfoil()
    runs = [train_sgd(X, y, 0.01, 0.9), train_sgd(X, y, 0.02, 0.5)]
    minimum = least_squares_quadratic(X, y).minimum
    plateaus = [0.0081, 0.0033]
    art = plot_losses(runs, minimum=minimum, excess=True, plateaus=plateaus)
    ax = art["ax"]
    assert ax.get_yscale() == "log" and "minimum" in ax.get_ylabel()
    for line, run in zip(art["lines"], runs, strict=True):
        expected = np.concatenate([[run.initial_loss], run.losses]) - minimum
        np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-12)
    assert len(art["lines"]) == 2  # no dotted minimum: it is the axis' zero, off a log scale
    for dashed, line, p in zip(art["plateaus"], art["lines"], plateaus, strict=True):
        np.testing.assert_allclose(dashed.get_ydata(), p)
        assert dashed.get_linestyle() == "--" and dashed.get_color() == line.get_color()
    assert "plateau" in legend_labels(art["legend"])[-1]
    y0, y1 = ax.get_ylim()
    assert y0 < min(plateaus) and max(plateaus) < y1  # the gaps are in view
    legends_clear(ax.figure)
    fonts_readable(ax.figure)
    with pytest.raises(ValueError, match="minimum"):
        plot_losses(runs, excess=True)
    with pytest.raises(ValueError, match="plateaus"):
        plot_losses(runs, minimum=minimum, excess=True, plateaus=[0.1])
    with pytest.raises(ValueError, match="plateaus"):
        plot_losses(runs, minimum=minimum, plateaus=plateaus)


def test_losses_of_a_design_colour_the_batch_and_style_the_momentum():
    X, y = load_airfoil()
    runs = [
        train_sgd(X, y, lr, m, batch_size=bs, epochs=1)
        for bs, lr in ((5, 0.01), (50, 0.1))
        for m in (0.0, 0.6)
    ]
    art = plot_losses(runs, design=True)
    by_run = dict(zip([(r.batch_size, r.momentum) for r in runs], art["lines"], strict=True))
    colour = {k: line.get_color() for k, line in by_run.items()}
    style = {k: line.get_linestyle() for k, line in by_run.items()}
    assert colour[5, 0.0] == colour[5, 0.6] != colour[50, 0.0] == colour[50, 0.6]
    assert style[5, 0.0] == style[50, 0.0] == "-" and style[5, 0.6] == style[50, 0.6] == "--"
    # the momentum shows twice: open markers for the larger one
    assert by_run[5, 0.6].get_markerfacecolor() == "white" != by_run[5, 0.0].get_markerfacecolor()
    title = art["legend"].get_title().get_text()
    assert "colour: batch size" in title and "0.6: dashed" in title and "0: solid" in title
    legends_clear(art["ax"].figure)
    fonts_readable(art["ax"].figure)
    plain = plot_losses(runs)  # without the design, one colour per run
    assert len({line.get_color() for line in plain["lines"]}) == 4
    assert not plain["legend"].get_title().get_text()


def test_divergence_edge_as_a_curve_and_the_scans():
    q = least_squares_quadratic(*load_airfoil())
    edges = [divergence_edge(q, b, points=9, steps=1500) for b in (0.0, 0.9)]
    lam_max = float(q.eigenvalues.max())
    art = plot_divergence_overview(edges, lam_max)
    x, b = art["edge"].get_data()
    np.testing.assert_allclose(x, 2 * (1 + b) / lam_max)
    assert b.size > 50  # a curve in beta, not ticks
    np.testing.assert_allclose(art["diverging"].get_xdata(), [e.smallest_diverging for e in edges])
    legends_clear(art["ax"].figure)
    fonts_readable(art["ax"].figure)
    art = plot_divergence(edges)
    conv, edge = art["marks"][0].get_xdata(), art["marks"][1].get_xdata()
    np.testing.assert_allclose(conv, edges[0].etas[edges[0].converged] / edges[0].predicted)
    # the run at the predicted edge (rho = 1) is drawn as neither converged nor diverged
    np.testing.assert_allclose(edge, [1.0])
    assert art["predicted"][0].get_xdata()[0] == 1.0
    assert any("diverged" in t for t in legend_labels(art["legend"]))
    legends_clear(art["ax"].figure)
    fonts_readable(art["ax"].figure)
