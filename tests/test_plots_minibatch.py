"""numerics.plots.minibatch: what each figure draws, its legend off the data, its text readable."""

import matplotlib.pyplot as plt
import numpy as np

from numerics.minibatch_edge import EdgeTable
from numerics.plots.minibatch import (
    plot_edge_vs_batch,
    plot_plateau_vs_lr,
    plot_runs,
    plot_tuned_vs_batch,
)
from tests.figure_checks import fonts_readable, legend_labels, legends_clear


def table():
    batches = np.array([1, 10, 100, 1000])
    return EdgeTable(
        "heavy_ball",
        np.array([0.0, 0.9]),
        batches,
        np.array([[0.2, 0.8, 0.95, 0.96], [0.02, 0.2, 1.3, 1.8]]),
        np.array([0.96, 1.81]),
    )


def test_edge_vs_batch_draws_each_momentum_in_its_panel():
    fig, axes = plt.subplots(1, 2, figsize=(6.9, 4.8), layout="constrained")
    observed = [(0.0, 10, 0.6, 0, 4), (0.0, 10, 1.0, 2, 4), (0.9, 10, 0.3, 4, 4)]
    art = plot_edge_vs_batch(table(), observed, axes=axes)
    np.testing.assert_array_equal(art["edges"][1].get_ydata(), [0.02, 0.2, 1.3, 1.8])
    assert [line.get_ydata()[0] for line in art["full"]] == [0.96, 1.81]
    markers = [(p.get_marker(), p.get_fillstyle()) for p in art["points"]]
    assert markers == [("o", "full"), ("o", "left"), ("X", "full")]
    assert art["points"][0].get_mfc() == "white"  # settled: open
    assert all(ax.get_xscale() == ax.get_yscale() == "log" for ax in axes)
    labels = legend_labels(art["legend"])
    assert "mean-square edge (exact theory)" in labels and "every run grew" in labels
    legends_clear(fig)
    fonts_readable(fig)


def test_plateau_vs_lr_leaves_the_exact_curve_out_above_the_edge():
    lrs = np.array([0.01, 0.05, 0.1, 0.2, 0.3])
    exact = np.array([0.001, 0.006, 0.02, 0.5, np.inf])
    observed = {
        "training": ([0.05], [0.006], [0.005], [0.007]),
        "other": ([0.1], [0.02], [0.01], [0.03]),
    }
    art = plot_plateau_vs_lr(lrs, exact, lrs / 10, 0.22, observed)
    assert [e.get_label() for e in art["observed"]] == ["training", "other"]
    np.testing.assert_array_equal(art["exact"].get_xdata(), lrs[:4])
    assert art["edge"].get_xdata()[0] == 0.22 and "0.22" in art["edge"].get_label()
    legends_clear(art["ax"].figure)
    fonts_readable(art["ax"].figure)


def test_tuned_vs_batch_marks_where_momentum_pays():
    art = plot_tuned_vs_batch([1, 10, 100], [40, 8, 6], [39, 6, 2.4], 13.2, speedup=2)
    assert art["pays"].get_xdata()[0] == 13.2
    assert art["pays"].get_label() == "momentum pays (2 times fewer steps) from batch 13"
    np.testing.assert_array_equal(art["momentum"].get_ydata(), [39, 6, 2.4])
    legends_clear(art["ax"].figure)
    fonts_readable(art["ax"].figure)


def test_run_points_on_the_frame_are_not_clipped():
    _, ax = plt.subplots()
    point = plot_runs(ax, 1.0, 0.0, 0, 4, "C0")
    assert point.get_clip_on() is False
