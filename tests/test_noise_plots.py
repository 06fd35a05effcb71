import numpy as np

from numerics.airfoil import divergence_edge, least_squares_quadratic, load_airfoil, train_sgd
from numerics.noise_plots import plot_divergence, plot_losses, plot_variance_vs_beta


def test_variance_curves():
    art = plot_variance_vs_beta(eta=0.5)
    fixed, effective, limit = art["lines"]
    beta = fixed.get_xdata()
    np.testing.assert_allclose(
        fixed.get_ydata(), 0.5 * (1 + beta) / ((1 - beta) * (1.5 + 2 * beta))
    )
    assert (
        effective.get_ydata()[-1] < effective.get_ydata()[0]
    )  # falls towards alpha sigma^2/(2 lambda)
    np.testing.assert_allclose(limit.get_ydata(), 0.25)
    assert art["ax"].get_xlabel() and art["ax"].get_title()


def test_losses_against_epochs_and_time():
    X, y = load_airfoil()
    runs = [train_sgd(X, y, 0.01, 0.9), train_sgd(X, y, 0.02, 0.5)]
    art = plot_losses(runs, minimum=least_squares_quadratic(X, y).minimum)
    assert len(art["lines"]) == 3 and art["lines"][0].get_xdata()[-1] == 2.0
    art = plot_losses(runs, against="time")
    assert art["ax"].get_xscale() == "log"


def test_divergence_marks_and_prediction():
    q = least_squares_quadratic(*load_airfoil())
    edges = [divergence_edge(q, b, points=9, steps=1500) for b in (0.0, 0.9)]
    art = plot_divergence(edges)
    assert len(art["predicted"]) == 2
    assert art["predicted"][1].get_xdata()[0] == edges[1].predicted
