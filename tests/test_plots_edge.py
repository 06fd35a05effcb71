"""The edge-of-stability figure: the edge drawn at the run's own threshold, readable text.

It draws a short run (the figure does not train anything itself).
Skipped, visibly, where torch is not installed (``pip install '.[torch]'``).
"""

import numpy as np
import pytest

from numerics.edge_of_stability import edge_of_stability
from tests.figure_checks import fonts_readable, legends_clear

pytest.importorskip("torch", reason="torch not installed: pip install '.[torch]'")


@pytest.fixture(scope="module")
def short_run():
    # 400 steps: the sharpness passes 0.9 of the edge 2/0.1 = 20 early
    return edge_of_stability("gd", eta=0.1, steps=400, every=20)


def test_the_edge_is_the_runs_threshold_and_the_plateau_is_labelled(short_run):
    art = short_run.plot()
    assert short_run.rise is not None
    assert art["edge"].get_ydata()[0] == short_run.threshold == pytest.approx(20.0)
    assert np.all(art["plateau"].get_ydata() == short_run.plateau)
    assert (
        f"{short_run.plateau:.4g} = {short_run.plateau_ratio:.3f} x the edge"
        in art["plateau"].get_label()
    )
    assert "2/\\eta$ = 20 (numerics.max_stable_lam)" in art["edge"].get_label()
    np.testing.assert_array_equal(art["sharpness"].get_xdata(), short_run.measured_at)
    np.testing.assert_array_equal(art["loss"].get_ydata(), short_run.loss)
    assert art["axes"][1].get_yscale() == "log"


def test_the_figure_is_readable(short_run):
    art = short_run.plot()
    fig = art["axes"][0].figure
    fonts_readable(fig)
    legends_clear(fig)


def test_the_sharpness_panel_alone(short_run):
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    art = short_run.plot(ax=ax)
    assert "loss" not in art and art["axes"] == (ax, None)
