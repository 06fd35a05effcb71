"""The report's figures: what each shows, and how it is drawn on its axes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "D2L_AIRFOIL_RUNS",
    "FIGURES",
    "SAMPLE_SPECTRUM",
    "FigureSpec",
    "airfoil",
    "compute_airfoil",
    "use_airfoil",
]

SAMPLE_SPECTRUM = (1, 100)
#: momentum values of the full-batch divergence scan
DIVERGENCE_BETAS = (0.0, 0.5, 0.9)


def compute_airfoil():
    """The airfoil data, its quadratic, D2L's three runs and the divergence scans."""
    import numerics

    X, y = numerics.load_airfoil()
    quad = numerics.least_squares_quadratic(X, y)
    runs = tuple(numerics.train_sgd(X, y, lr, m) for lr, m in D2L_AIRFOIL_RUNS)
    edges = tuple(numerics.divergence_edge(quad, b) for b in DIVERGENCE_BETAS)
    return X, y, quad, runs, edges


_SHARED: dict = {}


def use_airfoil(value) -> None:
    """Hand :func:`airfoil` its value (None forgets it): the report computes it once per run
    and gives it to every process that draws figures."""
    if value is None:
        _SHARED.pop("airfoil", None)
    else:
        _SHARED["airfoil"] = value


def airfoil():
    """The shared airfoil computation: the value handed over by :func:`use_airfoil`, or computed now.

    The figures and ``summary.json`` share it.
    """
    if "airfoil" not in _SHARED:
        _SHARED["airfoil"] = compute_airfoil()
    return _SHARED["airfoil"]


@dataclass(frozen=True)
class FigureSpec:
    """One report figure: its file name, heading, caption, size (inches) and drawing function.

    ``draw(fig)`` makes its own axes on the empty figure; it reads no state
    but its arguments (and the shared airfoil computation), so figures can be
    drawn in any order or in separate processes.
    """

    name: str
    title: str
    explanation: str
    size: tuple[float, float]
    draw: object  # callable(Figure) -> None
    #: whether ``draw`` reads the shared airfoil computation (:func:`airfoil`)
    uses_airfoil: bool = False


def _region(fig):
    import numerics

    ax = fig.subplots()
    numerics.rate_grid(np.linspace(0.01, 4.4, 300), np.linspace(0, 0.99, 150), 1.0).plot(ax=ax)


def _rate_map(fig):
    import numerics

    ax = fig.subplots()
    numerics.normalised_grid(np.linspace(0.001, 4.4, 400), np.linspace(0, 0.99, 200)).plot(ax=ax)


def _volume(fig):
    import numerics
    from numerics.plots.maps import plot_volume_surface

    grid = numerics.volume_grid(
        np.linspace(0.01, 4, 60), np.linspace(0, 0.99, 40), np.linspace(0.5, 2, 7)
    )
    left = fig.add_subplot(1, 2, 1)
    right = fig.add_subplot(1, 2, 2, projection="3d")
    grid.plot(ax=left, slices=4)
    plot_volume_surface(grid, right, slices=4)


#: D2L's four train_2d runs: (method, eta, beta)
D2L_TRACES = (
    ("gd", 0.4, 0.0),
    ("gd", 0.6, 0.0),
    ("heavy_ball", 0.6, 0.5),
    ("heavy_ball", 0.6, 0.25),
)


def _traces(fig):
    import numerics
    from numerics.plots.curves import trace_frame

    runs = [numerics.simulate_d2l(eta, beta, method=method) for method, eta, beta in D2L_TRACES]
    xlim, ylim = trace_frame(runs)  # one frame: the four panels are compared by eye
    for ax, run in zip(fig.subplots(2, 2).flat, runs, strict=True):
        art = run.plot(ax=ax, xlim=xlim, ylim=ylim, subtitle=numerics.d2l_line(run), legend=False)
    handles = [art["path"], art["start"], art["minimum"]]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False, fontsize=10)


def _weights(fig):
    from numerics.plots.curves import plot_weights

    plot_weights(ax=fig.subplots())


def _gd_decay(fig):
    from numerics.plots.curves import plot_gd_decay

    plot_gd_decay(ax=fig.subplots())


def _exercise2(fig):
    from numerics.plots.comparison import plot_eigen_decay

    left, right = fig.subplots(1, 2, sharey=True)
    art = plot_eigen_decay("gd", eta=0.5, ax=left, legend=False)
    hb = plot_eigen_decay("heavy_ball", eta=0.5, beta=0.5, ax=right, legend=False)
    keys = art["lines"] + [k for k in (art["zero_key"] or hb["zero_key"],) if k is not None]
    fig.legend(
        handles=keys,
        loc="outside lower center",
        ncol=len(keys),
        frameon=False,
        fontsize=10,
        title=r"eigenvalue $\lambda_i = 2^{-i}$, start $x_i = 1$",
    )


def _envelope(fig):
    import numerics
    from numerics.plots.curves import plot_envelope

    run = numerics.simulate(0.5, 0.5, lams=[1.5], x0=[1.0], steps=60)
    plot_envelope(run, 1.5, ax=fig.subplots())


def _kappa(fig):
    from numerics.plots.comparison import plot_rate_vs_kappa

    plot_rate_vs_kappa(ax=fig.subplots())


def _method_maps(fig):
    from numerics.plots.comparison import plot_method_rate_maps, plot_stability_edges

    axes = fig.subplots(2, 2).flat
    plot_method_rate_maps(axes[:3])  # with one legend under the figure
    plot_stability_edges(axes[3])


D2L_AIRFOIL_RUNS = ((0.02, 0.5), (0.01, 0.9), (0.005, 0.9))


def _variance(fig):
    from numerics.plots.noise import plot_variance_vs_beta

    plot_variance_vs_beta(ax=fig.subplots())


def _airfoil_losses(fig):
    import numerics
    from numerics.plots.noise import plot_losses

    X, y, quad, runs, _ = airfoil()
    left, right = fig.subplots(1, 2)
    art = plot_losses(list(runs), ax=left, minimum=quad.minimum)
    art["legend"].remove()
    # the noise theory's plateaus: a Lyapunov solve each, no training
    plateaus = [numerics.predicted_plateau(X, y, r.lr, r.momentum, r.batch_size) for r in runs]
    gap = plot_losses(list(runs), ax=right, minimum=quad.minimum, excess=True, plateaus=plateaus)
    gap["legend"].remove()
    left.set_title("loss")
    right.set_title("gap to the minimum, and the noise theory's plateaus")
    fig.suptitle("Airfoil: minibatch SGD with momentum (batch 10), D2L's three (lr, momentum) runs")
    fig.legend(
        handles=art["lines"] + [gap["plateau_key"]],
        loc="outside lower center",
        ncol=2,
        frameon=False,
        fontsize=10,
    )


def _divergence(fig):
    from numerics.plots.noise import plot_divergence, plot_divergence_overview

    _, _, quad, _, edges = airfoil()
    left, right = fig.subplots(1, 2)
    lam_max = float(quad.eigenvalues.max())
    plot_divergence_overview(list(edges), lam_max, ax=left)
    plot_divergence(list(edges), ax=right)


def _exercise4(fig):
    import numerics
    from numerics.plots.noise import plot_losses

    X, y = airfoil()[:2]
    runs = [
        numerics.train_sgd(X, y, lr, m, batch_size=bs, epochs=2)
        for bs, lr in ((1, 0.005), (100, 0.4))
        for m in (0.0, 0.4)
    ]
    left, right = fig.subplots(1, 2, sharey=True)
    plot_losses(runs, ax=left, against="examples", design=True)["legend"].remove()
    art = plot_losses(runs, ax=right, against="updates", design=True)
    art["legend"].remove()
    left.set_title("against examples seen (gradient evaluations)")
    right.set_title("against updates (parameter steps)")
    fig.suptitle(
        "D2L exercise 4 of section 11.6: SGD (batch 1) and minibatch SGD (batch 100), momentum 0 and 0.4"
    )
    # two columns, one per batch size; the rows are the momenta (the runs' order)
    fig.legend(
        handles=art["lines"],
        loc="outside lower center",
        ncol=2,
        frameon=False,
        fontsize=10,
        title=art["legend"].get_title().get_text(),
        title_fontsize=10,
    )


def _worst_case(fig):
    import numerics
    from numerics.tuning import tune_closed_form

    mu, L = SAMPLE_SPECTRUM
    # the closed form generated from theory's derivation: no SymPy in the process that draws
    tuned = tune_closed_form(mu, L)
    numerics.worst_case_grid(
        np.linspace(0.0002, 0.045, 300), np.linspace(0, 0.99, 200), mu, L
    ).plot(ax=fig.subplots(), tuned=(tuned.eta, tuned.beta))


FIGURES = (
    FigureSpec(
        "region",
        "Stability region",
        "Heavy ball at curvature λ = 1: blue points of the grid converge, the hatched grey side "
        "diverges; the black line is the derived edge η = 2(1 + β)/λ, which the grid must match.",
        (6.5, 5.0),
        _region,
    ),
    FigureSpec(
        "rate_map",
        "Rate map",
        "The spectral radius ρ (the factor by which the error shrinks per step) of heavy ball over "
        "(ηλ, β); it depends on η and λ only through their product, so this one map holds every "
        "curvature. Ripples between the dashed critical-damping curves (ηλ = (1 ∓ √β)², rate √β), "
        "monotone to their left, oscillating to their right, divergent (hatched) past the edge ηλ "
        "= 2(1 + β). White lines are the rate contours marked on the colour bar.",
        (7.5, 5.6),
        _rate_map,
    ),
    FigureSpec(
        "volume",
        "Stability volume",
        "The (η, β, λ) stability volume. Left: the stable step sizes η < 2(1 + β)/λ at four "
        "curvatures, nested (the darker, the more curvatures are stable). Right: the same edge as "
        "a surface; the stable volume lies under it.",
        (12.0, 5.0),
        _volume,
    ),
    FigureSpec(
        "d2l_traces",
        "D2L's traces",
        "D2L's train_2d on f = 0.1 x₁² + 2 x₂² from (−5, −2), 20 steps: gradient descent at η = "
        "0.4 and 0.6 (diverges in x₂), heavy ball at η = 0.6 with β = 0.5 and 0.25. The subtitles "
        "are D2L's printed lines, reproduced. The four panels share one frame, which holds every "
        "converging run; the divergent one leaves it.",
        (10.0, 8.4),
        _traces,
    ),
    FigureSpec(
        "weights",
        "Effective sample weights",
        "The velocity is a leaky average of past gradients: the gradient t steps back has weight "
        "βᵗ (stems); the weights sum to 1/(1 − β), the dashed window.",
        (7.5, 5.0),
        _weights,
    ),
    FigureSpec(
        "gd_decay",
        "Gradient-descent decay",
        "Gradient descent multiplies the error along curvature λ by (1 − ηλ) each step (η = 0.1): "
        "slow for small curvature, oscillating for ηλ > 1, divergent past 2 (dashed, λ = 20.5).",
        (7.5, 5.2),
        _gd_decay,
    ),
    FigureSpec(
        "exercise2",
        "D2L exercise 2 of section 11.6",
        "λᵢ = 2⁻ⁱ, xᵢ from 1: gradient descent (left) against heavy ball (right) on a shared log "
        "axis; momentum speeds up the flat directions. Heavy ball lands exactly on 0 at some "
        "steps, which have no logarithm: the curve breaks there and a triangle marks the step on "
        "the bottom edge. (The update is x ← x − ηv; a study note's x -= x - eta*v is a slip.)",
        (11.0, 4.8),
        _exercise2,
    ),
    FigureSpec(
        "envelope",
        "Simulation against theory",
        "Heavy ball (η = 0.5, β = 0.5) on f = 1.5/2 x² from x₀ = 1 (velocity 0) against its tight "
        "envelope C ρᵗ: ρ is the spectral radius of the iteration matrix R and C the sum of the "
        "error's amplitudes along R's eigenvectors, computed from the start, not fitted to the run. "
        "The run stays under it and touches it within 1% whenever the rotation's phase lines up.",
        (7.0, 5.0),
        _envelope,
    ),
    FigureSpec(
        "rate_vs_kappa",
        "Rate against conditioning",
        "Tuned worst-case rates as 1 − ρ (the progress per step) on log-log axes: (κ − 1)/(κ + 1) "
        "for gradient descent, (√κ − 1)/(√κ + 1) for heavy ball, 1 − 2/√(3κ + 1) for Nesterov; the "
        "dots are the worst case evaluated at each method's tuned parameters, the squares QHM (ν = "
        "0.7) tuned numerically. The slopes are the story: −1 without momentum, −1/2 with it. QHM "
        "with ν fixed at 0.7 keeps part of every step a plain gradient step and loses the speed-up "
        "as κ grows (its slope is about −0.9 between κ = 100 and 1000; a dense grid search agrees "
        "with the numeric tuning).",
        (7.5, 5.6),
        _kappa,
    ),
    FigureSpec(
        "method_rate_maps",
        "Rate maps of three methods",
        "Gradient descent, heavy ball and Nesterov over (ηλ, β), each framed on its own stable "
        "region, with the critical-damping curves where the method has them (Nesterov: ηλ = ((1 − "
        "β)/(1 + β))² and 1). Bottom right: the three stability edges together: Nesterov's (2 + "
        "2β)/(1 + 2β), heavy ball's 2 + 2β, gradient descent's 2 whatever β.",
        (11.0, 9.6),
        _method_maps,
    ),
    FigureSpec(
        "variance_vs_beta",
        "Variance against momentum",
        "The stationary variance of x under gradient noise (λ = 1, σ = 1): at a fixed step η = 0.5 "
        "it grows like (1 + β)/(1 − β); at a fixed effective step α = η/(1 − β) = 0.5 it falls to "
        "a limit ασ²/(2λ). The markers are Monte-Carlo estimates with 99% intervals.",
        (7.5, 5.4),
        _variance,
    ),
    FigureSpec(
        "airfoil_losses",
        "Airfoil: D2L's runs",
        "Minibatch SGD with momentum (batch 10, 2 epochs, from the same start at epoch 0) on the "
        "airfoil data for D2L's (lr, momentum) = (0.02, 0.5), (0.01, 0.9), (0.005, 0.9). Left: the "
        "loss; the dotted line is the least-squares minimum. Right: the same runs as the gap to "
        "that minimum, on a log axis; the dashed lines are each run's plateau predicted by the "
        "noise theory, ½ tr(QΣ) with Σ the stationary covariance of the weights under the "
        "minibatch gradient noise: the runs settle around their plateau, not at the minimum.",
        (12.0, 5.4),
        _airfoil_losses,
        uses_airfoil=True,
    ),
    FigureSpec(
        "divergence",
        "Predicted against observed divergence",
        "Full-batch runs on the airfoil quadratic. Left: the edge 2(1 + β)/λₘₐₓ predicted from the "
        "Hessian's top eigenvalue, a curve in β, with the largest converging and smallest "
        "diverging run of each scan. Right: every scanned run, the learning rate in units of the "
        "predicted edge.",
        (12.0, 5.2),
        _divergence,
        uses_airfoil=True,
    ),
    FigureSpec(
        "exercise4",
        "D2L exercise 4 of section 11.6",
        "Loss against examples seen (left) and against updates (right), both log scale: SGD (batch 1, lr 0.005) "
        "and minibatch SGD (batch 100, lr 0.4), each without and with momentum 0.4, as a study note on D2L compares "
        "them: the colour is the batch size, the line the momentum (solid with filled markers 0, dashed "
        "with open markers 0.4). Counts, not seconds, so the figure is the same on every machine.",
        (12.0, 5.4),
        _exercise4,
        uses_airfoil=True,
    ),
    FigureSpec(
        "worst_case",
        "Worst case on a spectrum",
        "Heavy ball's worst-case rate over the spectrum [1, 100] on an (η, β) grid framed on its "
        "stable region: the star is the grid's best point, the ring the tuned (4/121, 81/121) of "
        "the closed form, rate 9/11 (the star sits in the ring: they agree); past the black edge "
        "2(1 + β)/100 the largest curvature diverges. The white rate contours, marked on the "
        "colour bar, are drawn from Jury's conditions at both ends of the spectrum, so they are "
        "the exact straight lines of the level sets.",
        (7.5, 5.6),
        _worst_case,
    ),
)
