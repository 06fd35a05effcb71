"""The report's figures: what each shows, and how it is drawn on its axes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = ["D2L_AIRFOIL_RUNS", "FIGURES", "SAMPLE_SPECTRUM", "FigureSpec", "airfoil"]

SAMPLE_SPECTRUM = (1, 100)
#: momentum values of the full-batch divergence scan
DIVERGENCE_BETAS = (0.0, 0.5, 0.9)


@lru_cache(maxsize=1)
def airfoil():
    """The airfoil data, its quadratic, D2L's three runs and the divergence scans.

    Computed once per report: the figures and ``summary.json`` share them.
    """
    import numerics

    X, y = numerics.load_airfoil()
    quad = numerics.least_squares_quadratic(X, y)
    runs = tuple(numerics.train_sgd(X, y, lr, m) for lr, m in D2L_AIRFOIL_RUNS)
    edges = tuple(numerics.divergence_edge(quad, b) for b in DIVERGENCE_BETAS)
    return X, y, quad, runs, edges


@dataclass(frozen=True)
class FigureSpec:
    name: str
    title: str
    explanation: str
    ncols: int
    draw: object  # callable(list of axes) -> None


def _region(axes):
    import numerics

    numerics.rate_grid(np.linspace(0.01, 4, 300), np.linspace(0, 0.99, 150), 1.0).plot(ax=axes[0])


def _rate_map(axes):
    import numerics

    numerics.normalised_grid(np.linspace(0.001, 4, 400), np.linspace(0, 0.99, 200)).plot(ax=axes[0])


def _volume(axes):
    import numerics

    numerics.volume_grid(
        np.linspace(0.01, 4, 200), np.linspace(0, 0.99, 100), np.linspace(0.5, 2, 7)
    ).plot(ax=axes[0])


def _traces(axes):
    import numerics

    for ax, (method, eta, beta) in zip(
        axes,
        [("gd", 0.4, 0.0), ("gd", 0.6, 0.0), ("heavy_ball", 0.6, 0.5), ("heavy_ball", 0.6, 0.25)],
        strict=True,
    ):
        run = numerics.simulate_d2l(eta, beta, method=method)
        run.plot(ax=ax)
        ax.set_title(numerics.d2l_line(run), fontsize=9)


def _weights(axes):
    from numerics.plotting import plot_weights

    plot_weights(ax=axes[0])


def _gd_decay(axes):
    from numerics.plotting import plot_gd_decay

    plot_gd_decay(ax=axes[0])


def _exercise2(axes):
    from numerics.comparison_plots import plot_eigen_decay

    plot_eigen_decay("gd", eta=0.5, ax=axes[0])
    plot_eigen_decay("heavy_ball", eta=0.5, beta=0.5, ax=axes[1])


def _envelope(axes):
    import numerics
    from numerics.plotting import plot_envelope

    run = numerics.simulate(0.5, 0.5, lams=[1.5], x0=[1.0], steps=60)
    plot_envelope(run, 1.5, ax=axes[0])


def _kappa(axes):
    from numerics.comparison_plots import plot_rate_vs_kappa

    plot_rate_vs_kappa(ax=axes[0])


def _method_maps(axes):
    from numerics.comparison_plots import plot_method_rate_maps

    plot_method_rate_maps(axes)


D2L_AIRFOIL_RUNS = ((0.02, 0.5), (0.01, 0.9), (0.005, 0.9))


def _variance(axes):
    from numerics.noise_plots import plot_variance_vs_beta

    plot_variance_vs_beta(ax=axes[0])


def _airfoil_losses(axes):
    from numerics.noise_plots import plot_losses

    _, _, quad, runs, _ = airfoil()
    plot_losses(list(runs), ax=axes[0], minimum=quad.minimum)


def _divergence(axes):
    from numerics.noise_plots import plot_divergence

    plot_divergence(list(airfoil()[4]), ax=axes[0])


def _exercise4(axes):
    import numerics
    from numerics.noise_plots import plot_losses

    X, y = airfoil()[:2]
    runs = [
        numerics.train_sgd(X, y, lr, m, batch_size=bs, epochs=2)
        for bs, lr in ((1, 0.005), (100, 0.4))
        for m in (0.0, 0.4)
    ]
    art = plot_losses(runs, ax=axes[0], against="time")
    art["ax"].set_title("Seed exercise 4: SGD against minibatch SGD, with and without momentum")


def _worst_case(axes):
    import numerics

    numerics.worst_case_grid(
        np.linspace(0.005, 0.3, 300), np.linspace(0, 0.99, 200), *SAMPLE_SPECTRUM
    ).plot(ax=axes[0])


FIGURES = (
    FigureSpec(
        "region",
        "Stability region",
        "Green points converge; the black line is the derived edge eta = 2(1 + beta)/lambda, which the grid must match.",
        1,
        _region,
    ),
    FigureSpec(
        "rate_map",
        "Rate map",
        "The spectral radius over (eta*lambda, beta): ripples between the critical-damping curves (rate sqrt(beta)), monotone to the left, oscillating to the right, divergent past the red edge 2(1 + beta).",
        1,
        _rate_map,
    ),
    FigureSpec(
        "volume",
        "Stability volume",
        "The edge rho = 1 of the (eta, beta, lambda) volume at several curvatures: larger curvatures leave less room for the step size.",
        1,
        _volume,
    ),
    FigureSpec(
        "d2l_traces",
        "D2L's traces",
        "D2L's train_2d on f = 0.1 x1^2 + 2 x2^2 from (-5, -2): gradient descent at eta 0.4 and 0.6 (diverges in x2), momentum at eta 0.6 with beta 0.5 and 0.25. Titles are D2L's printed lines, reproduced.",
        4,
        _traces,
    ),
    FigureSpec(
        "weights",
        "Effective sample weights",
        "beta^t: the leaky average weighs past gradients geometrically; the weights sum to 1/(1 - beta).",
        1,
        _weights,
    ),
    FigureSpec(
        "gd_decay",
        "Gradient-descent decay",
        "(1 - eta lambda)^t at eta = 0.1: slow for small curvature, oscillating for eta lambda > 1, divergent past 2.",
        1,
        _gd_decay,
    ),
    FigureSpec(
        "exercise2",
        "Seed exercise 2",
        "lambda_i = 2^-i, x_i from 1: gradient descent (left) against momentum (right); momentum speeds up the flat directions. (The seed note's x -= x - eta*v is fixed to x -= eta*v.)",
        2,
        _exercise2,
    ),
    FigureSpec(
        "envelope",
        "Simulation against theory",
        "A simulated run stays under the envelope (t + 1) rho^t from the spectral radius.",
        1,
        _envelope,
    ),
    FigureSpec(
        "rate_vs_kappa",
        "Rate against conditioning",
        "Tuned worst-case rates: (kappa - 1)/(kappa + 1) for gradient descent, (sqrt(kappa) - 1)/(sqrt(kappa) + 1) for heavy ball, 1 - 2/sqrt(3 kappa + 1) for Nesterov; the dots are the worst case evaluated at the tuned parameters, the squares QHM (nu = 0.7) tuned numerically.",
        1,
        _kappa,
    ),
    FigureSpec(
        "method_rate_maps",
        "Rate maps of three methods",
        "Gradient descent, heavy ball and Nesterov side by side over (eta*lambda, beta): Nesterov's "
        "edge is (2 + 2 beta)/(1 + 2 beta), heavy ball's 2 + 2 beta, gradient descent's 2 whatever beta.",
        3,
        _method_maps,
    ),
    FigureSpec(
        "variance_vs_beta",
        "Variance against momentum",
        "The stationary variance of x under gradient noise: at a fixed step it grows like (1 + beta)/(1 - beta); "
        "at a fixed effective step eta/(1 - beta) it falls to a limit alpha sigma^2/(2 lambda).",
        1,
        _variance,
    ),
    FigureSpec(
        "airfoil_losses",
        "Airfoil: D2L's runs",
        "Minibatch SGD with momentum (batch 10, 2 epochs) on the airfoil data for D2L's (lr, momentum) "
        "= (0.02, 0.5), (0.01, 0.9), (0.005, 0.9); the dotted line is the least-squares minimum.",
        1,
        _airfoil_losses,
    ),
    FigureSpec(
        "divergence",
        "Predicted against observed divergence",
        "Full-batch runs on the airfoil quadratic around the edge 2(1 + beta)/lambda_max predicted from the "
        "Hessian's top eigenvalue: runs left of the bar converge, right of it diverge.",
        1,
        _divergence,
    ),
    FigureSpec(
        "exercise4",
        "Seed exercise 4",
        "Loss against training time (log scale): SGD (batch 1, lr 0.005) and minibatch SGD (batch 100, "
        "lr 0.4), each without and with momentum 0.4, as the seed's note compares them.",
        1,
        _exercise4,
    ),
    FigureSpec(
        "worst_case",
        "Worst case on a spectrum",
        "The worst-case rate over [1, 100] on an (eta, beta) grid; the star is the grid's best point, next to the tuned (4/121, 81/121).",
        1,
        _worst_case,
    ),
)
