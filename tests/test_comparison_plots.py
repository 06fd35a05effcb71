import matplotlib.pyplot as plt
import numpy as np
import pytest

from numerics import comparison_plots


def test_exercise2_both_methods():
    fig, (a, b) = plt.subplots(1, 2)
    gd = comparison_plots.plot_eigen_decay("gd", eta=0.5, ax=a)
    hb = comparison_plots.plot_eigen_decay("heavy_ball", eta=0.5, beta=0.5, ax=b)
    assert len(gd["lines"]) == len(hb["lines"]) == 5
    # x -= eta*v, not the seed note's x -= x - eta*v: the first GD step on lambda=1 is 1 - 0.5
    assert gd["lines"][0].get_ydata()[1] == pytest.approx(0.5)


def test_rate_vs_kappa_on_the_closed_forms():
    art = comparison_plots.plot_rate_vs_kappa()
    assert len(art["lines"]) == 3 and len(art["qhm"].get_xdata()) == 4
    # the worst case at the tuned points lies on the closed-form curves
    xs, ys = art["measured"].get_data()
    n = xs.size // 2
    sk = np.sqrt(xs[:n])
    np.testing.assert_allclose(ys[:n], (sk - 1) / (sk + 1), atol=1e-7)
    np.testing.assert_allclose(ys[n:], 1 - 2 / np.sqrt(3 * xs[n:] + 1), atol=1e-7)


def test_method_rate_maps_side_by_side():
    fig, axes = plt.subplots(1, 3)
    maps = comparison_plots.plot_method_rate_maps(
        axes, eta_lam=np.linspace(0.01, 4, 40), beta=np.linspace(0, 0.9, 20)
    )
    edges = [m["edge"].get_data() for m in maps]
    np.testing.assert_allclose(edges[0][0], 2.0)
    np.testing.assert_allclose(edges[1][0], 2 + 2 * edges[1][1], rtol=1e-6)
    np.testing.assert_allclose(
        edges[2][0], (2 + 2 * edges[2][1]) / (1 + 2 * edges[2][1]), rtol=1e-6
    )
