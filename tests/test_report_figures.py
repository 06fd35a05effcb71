"""The report's figures, drawn as the report draws them, show what their captions promise.

Checks that concern one report figure's composition (shared frames, the
legend of a 2x2 design, draw order) live here; the plotting functions'
own checks are in test_plots_curves, test_plots_maps, test_plots_noise and
test_plots_comparison.
"""

import numpy as np
import pytest

from momentum_cli.figures import render
from momentum_cli.report.figures import FIGURES
from tests.figure_checks import tick_labels_apart

SPECS = {spec.name: spec for spec in FIGURES}


@pytest.fixture(scope="module")
def drawn():
    """Each report figure rendered once for the module, by name."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = render(SPECS[name])
        return cache[name]

    return get


def test_d2l_traces_share_one_frame(drawn):
    fig = drawn("d2l_traces")
    axes = [ax for ax in fig.axes if ax.has_data()]
    assert len(axes) == 4
    frames = {(ax.get_xlim(), ax.get_ylim()) for ax in axes}
    assert len(frames) == 1, frames  # top and bottom rows compare by eye
    (x0, x1), (y0, y1) = frames.pop()
    for ax in axes:
        if "diverges" in ax.get_title():
            continue
        pts = ax.lines[0].get_xydata()  # the iterates
        assert x0 <= pts[:, 0].min() and pts[:, 0].max() <= x1
        assert y0 <= pts[:, 1].min() and pts[:, 1].max() <= y1


def test_exercise2_legend_explains_the_zero_markers(drawn):
    fig = drawn("exercise2")
    (legend,) = fig.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert any("no logarithm" in t for t in labels)
    right = fig.axes[1]
    assert "Heavy ball" in right.get_title()
    assert any(line.get_marker() == "v" for line in right.lines)  # the zeros, drawn


def test_exercise2_is_the_notebooks_run(drawn):
    """The report and examples/d2l_momentum.ipynb draw exercise 2 with the same settings: both
    call plot_exercise2 with its defaults, EXERCISE2, which the report's figure shows."""
    import json
    from pathlib import Path

    from numerics.plots.comparison import EXERCISE2

    fig = drawn("exercise2")
    left, right = fig.axes
    assert rf"\eta = {EXERCISE2['eta']:g}" in left.get_title()
    assert rf"\beta = {EXERCISE2['beta']:g}" in right.get_title()
    for ax in (left, right):
        lines = [line for line in ax.lines if line.get_marker() == "o"]
        assert len(lines) == EXERCISE2["eigenvalues"]
        assert all(line.get_xdata()[-1] == EXERCISE2["steps"] for line in lines)
    book = Path(__file__).resolve().parents[1] / "examples" / "d2l_momentum.ipynb"
    cells = ["".join(c["source"]) for c in json.loads(book.read_text())["cells"]]
    (at,) = [i for i, c in enumerate(cells) if c.startswith("**2. Many eigenvalues**")]
    assert "plot_exercise2()" in cells[at + 1]


def test_airfoil_losses_draws_the_seeds_spread_and_the_plateaus_intervals(drawn):
    import matplotlib.collections

    from momentum_cli.report.figures import PLATEAU_SEEDS, airfoil

    fig = drawn("airfoil_losses")
    left, right = fig.axes
    assert left.get_yscale() == "log"
    a = airfoil()
    shuffled = [pair[0] for pair in a.plateaus]
    assert all(r.seeds.size == PLATEAU_SEEDS >= 20 for r in shuffled)
    # left: each setting's median over the seeds, inside a band of the seeds' spread
    medians = [line for line in left.lines if line.get_linestyle() == "-"]
    bands = [c for c in left.collections if isinstance(c, matplotlib.collections.PolyCollection)]
    assert len(medians) == len(bands) == len(shuffled)
    for median, run in zip(medians, shuffled, strict=True):
        excess = run.losses - run.minimum
        np.testing.assert_allclose(median.get_ydata()[1:], np.median(excess, axis=0), rtol=1e-12)
    # right: per setting, one dot per seed and the mean's 99% interval around the mean
    for run in shuffled:
        plateau = run.plateau()
        dots = [
            line
            for line in right.lines
            if line.get_marker() == "." and np.allclose(line.get_ydata(), plateau.per_seed)
        ]
        assert len(dots) == 1 and len(dots[0].get_ydata()) == run.seeds.size
        assert plateau.interval[0] < plateau.mean < plateau.interval[1]
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any("99% interval" in t for t in labels) and any("one seed" in t for t in labels)
    # the right panel draws each prediction as a black bar; the key showed only the left's dashes
    bars = [line for line in right.lines if line.get_color() == "k" and line.get_lw() > 2]
    assert len(bars) == len(shuffled)
    (key,) = [t for t in labels if t.startswith("predicted")]
    assert "dashed" in key and "black bar" in key


def test_exercise4_colours_show_the_batch_and_styles_the_momentum(drawn):
    import re

    fig = drawn("exercise4")
    for ax in fig.axes:
        runs = {}
        for line in ax.lines:
            m = re.search(r"momentum ([0-9.]+), batch (\d+)", line.get_label())
            runs[float(m[1]), int(m[2])] = (line.get_color(), line.get_linestyle())
        assert set(runs) == {(m, b) for m in (0.0, 0.4) for b in (1, 100)}
        # each pair compared at one effective step lr / (1 - momentum)
        steps = {}
        for line in ax.lines:
            m = re.search(r"lr ([0-9.]+), momentum ([0-9.]+), batch (\d+)", line.get_label())
            steps.setdefault(int(m[3]), set()).add(round(float(m[1]) / (1 - float(m[2])), 12))
        assert all(len(v) == 1 for v in steps.values()), steps
        # a colour per batch size, a line style per momentum: the 2x2 design
        assert runs[0.0, 1][0] == runs[0.4, 1][0] != runs[0.0, 100][0] == runs[0.4, 100][0]
        assert runs[0.0, 1][1] == runs[0.0, 100][1] != runs[0.4, 1][1] == runs[0.4, 100][1]
    title = fig.legends[0].get_title().get_text()
    assert "colour: batch size" in title and "momentum" in title
    for ax in fig.axes:  # counts as plain numbers, none running into the next
        tick_labels_apart(ax)
        assert all("times" not in t.get_text() for t in ax.get_xticklabels(which="both"))


def test_worst_case_star_shows_inside_the_ring(drawn):
    fig = drawn("worst_case")
    ax = fig.axes[0]
    marks = {line.get_marker(): line for line in ax.lines if line.get_marker() in ("*", "o")}
    star, ring = marks["*"], marks["o"]
    assert star.get_zorder() > ring.get_zorder()  # drawn over it
    # the star fits in the ring's hole, and they sit within a ring's radius of each other
    assert star.get_markersize() < ring.get_markersize() - 2 * ring.get_markeredgewidth()
    (sx, sy), (rx, ry) = (ax.transData.transform(m.get_xydata()[0]) for m in (star, ring))
    radius_px = ring.get_markersize() / 2 * fig.dpi / 72
    assert np.hypot(sx - rx, sy - ry) < radius_px


def test_minibatch_edges_draw_the_library_edges_and_the_runs_on_either_side(drawn):
    import numerics
    from momentum_cli.report.figures import (
        DIVERGENCE_BETAS,
        EDGE_BATCHES,
        EDGE_MULTIPLES,
        EDGE_RUNS,
        airfoil,
    )

    fig = drawn("minibatch_edges")
    data = numerics.least_squares_data(airfoil().X, airfoil().y)
    table = numerics.edge_table(data, DIVERGENCE_BETAS, EDGE_BATCHES)
    axes = [ax for ax in fig.axes if ax.has_data()]
    assert len(axes) == len(DIVERGENCE_BETAS)
    for k, ax in enumerate(axes):
        solid = [line for line in ax.lines if line.get_linestyle() == "-"]
        np.testing.assert_allclose(solid[0].get_ydata(), table.minibatch[k], rtol=1e-12)
        dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
        assert dashed[0].get_ydata()[0] == table.full[k]
        points = [line for line in ax.lines if line.get_linestyle() == "None"]
        assert len(points) == len(EDGE_RUNS) * len(EDGE_MULTIPLES)
        for point in points:
            batch, lr = point.get_xdata()[0], point.get_ydata()[0]
            ratio = lr / table.minibatch[k][list(EDGE_BATCHES).index(batch)]
            if np.isclose(ratio, EDGE_MULTIPLES[0]):  # below the edge: every seed settled
                assert point.get_marker() == "o" and point.get_fillstyle() == "full"
            if np.isclose(ratio, EDGE_MULTIPLES[-1]):  # well above: every seed grew
                assert point.get_marker() == "X"
        tick_labels_apart(ax)


def test_minibatch_plateau_exact_above_additive_and_the_theorys_training_on_it(drawn):
    fig = drawn("minibatch_plateau")
    ax = fig.axes[0]
    exact, additive = ax.lines[0], ax.lines[1]
    edge = ax.lines[2].get_xdata()[0]
    n = exact.get_ydata().size
    assert exact.get_xdata().max() < edge
    assert (exact.get_ydata() >= additive.get_ydata()[:n]).all()
    assert exact.get_ydata()[-1] > 20 * additive.get_ydata()[n - 1]
    # the training with every batch drawn afresh (the theory's noise): the exact theory inside
    # each 99% interval, read off the figure (interpolated in log-log between its samples)
    independent = [c for c in ax.containers if "afresh" in c.get_label()][0]
    x = independent.lines[0].get_xdata() / 1.04
    segments = independent.lines[2][0].get_segments()
    for xi, segment in zip(x, segments, strict=True):
        lo, hi = segment[0][1], segment[1][1]
        theory = np.exp(np.interp(np.log(xi), np.log(exact.get_xdata()), np.log(exact.get_ydata())))
        assert lo <= theory <= hi, (xi, lo, theory, hi)


def test_minibatch_tuning_momentum_pays_between_batch_10_and_30(drawn):
    ax = drawn("minibatch_tuning").axes[0]
    gd, hb, pays = ax.lines[0], ax.lines[1], ax.lines[2]
    speedup = gd.get_ydata() / hb.get_ydata()
    assert speedup[0] < 1.1 and speedup[-1] > 3  # airfoil: batch 1 against the full batch
    assert 10 < pays.get_xdata()[0] < 30
    tick_labels_apart(ax)


def test_divergence_overview_gains_the_minibatch_edge_and_runs(drawn):
    import numerics
    from momentum_cli.report.figures import airfoil

    fig = drawn("divergence")
    left = fig.axes[0]
    dashed = [line for line in left.lines if line.get_linestyle() == "--"]
    data = numerics.least_squares_data(airfoil().X, airfoil().y)
    betas = dashed[0].get_ydata()
    expected = numerics.edge_table(data, betas, (10,)).minibatch[:, 0]
    np.testing.assert_allclose(dashed[0].get_xdata(), expected, rtol=1e-12)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "mean-square edge at batch 10" in labels
    assert "batch 10: every run grew" in labels
    # the batch-10 runs (one point each): below the mean-square edge every seed settled
    # (an open circle), above it some or all grew
    runs = [line for line in left.lines if line.get_xdata().size == 1]
    assert len(runs) >= 6
    for run in runs:
        (lr,), (beta,) = run.get_xdata(), run.get_ydata()
        edge = numerics.minibatch_max_stable_lr(data, float(beta), 10)
        settled = run.get_marker() == "o" and run.get_mfc() == "white"
        assert settled == (lr < edge), (beta, lr, edge)
        assert not np.isclose(lr, edge, rtol=0.1)  # clearly on one side
