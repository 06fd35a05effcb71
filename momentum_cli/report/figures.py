"""The report's figures: what each shows, and how it is drawn on its axes."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from numerics.edge_of_stability import RUNS as SHARPNESS_RUNS
from numerics.plots.style import FONT

__all__ = [
    "D2L_AIRFOIL_RUNS",
    "EXERCISE4_MOMENTA",
    "EXERCISE4_RUNS",
    "PLATEAU_EPOCHS",
    "PLATEAU_SEEDS",
    "Airfoil",
    "FIGURES",
    "SAMPLE_SPECTRUM",
    "WIDTH",
    "SECTIONS",
    "FigureSpec",
    "airfoil",
    "compute_airfoil",
    "in_section_order",
    "sections",
    "missing",
    "use_airfoil",
]

SAMPLE_SPECTRUM = (1, 100)
#: steps of the Lessard runs the report draws (the cycle is reached within about 30)
LESSARD_STEPS = 60
#: every figure's width in inches: the PDF's text width, at which both the PDF and the HTML
#: page show it (so its text is printed at the size it was drawn: 9 pt and up)
WIDTH = 6.9
#: momentum values of the full-batch divergence scan (and of the minibatch figures)
DIVERGENCE_BETAS = (0.0, 0.5, 0.9)
#: D2L's batch size: the minibatch runs of the divergence figure, the plateau figure's batch
D2L_BATCH = 10
#: the divergence figure's batch-10 runs: momenta (off the full-batch scans' rows, whose
#: markers they would cover at momentum 0, where the two edges are close), multiples of the edge
DIVERGENCE_RUN_BETAS = (0.25, 0.5, 0.75, 0.9)
DIVERGENCE_MULTIPLES = (0.8, 1.25)
#: batch sizes of the edge figure (divisors of 1500: every epoch has whole batches)
EDGE_BATCHES = (1, 2, 3, 5, 10, 20, 30, 50, 100, 150, 300, 500, 750, 1500)
#: (batch size, epochs) of its training runs: 3000, 1500, 405 and 100 steps, enough to tell
#: settling from growth; at these multiples of the mean-square edge, with this many seeds
EDGE_RUNS = ((1, 2), (10, 10), (100, 27), (750, 50))
EDGE_MULTIPLES = (0.8, 1.25, 1.6)
EDGE_SEEDS = 4
#: batch sizes of the tuning figure, and the speed-up that counts as momentum paying
TUNE_BATCHES = EDGE_BATCHES
PAYS = 1.5
#: the minibatch plateau's training: seeds per learning rate, epochs (the second half averaged),
#: and the learning rates as fractions of the mean-square edge
MINIBATCH_PLATEAU_SEEDS = 20
MINIBATCH_PLATEAU_EPOCHS = 30
MINIBATCH_PLATEAU_FRACTIONS = (0.01, 0.03, 0.1, 0.3, 0.6, 0.85)


#: the plateau's Monte Carlo: seeds per setting, and epochs (the second half is averaged)
PLATEAU_SEEDS = 20
PLATEAU_EPOCHS = 10


class Airfoil(NamedTuple):
    """What the airfoil figures and ``summary.json`` share, computed once per report."""

    X: np.ndarray
    y: np.ndarray
    quad: object  # numerics.airfoil.Quadratic
    #: D2L's three runs (seed 0, two epochs), as D2L prints them
    runs: tuple
    #: the full-batch divergence scans, one per momentum of DIVERGENCE_BETAS
    edges: tuple
    #: per D2L setting: (D2L's shuffled epochs, independent batches), each PLATEAU_SEEDS seeds
    plateaus: tuple


def compute_airfoil() -> Airfoil:
    """The airfoil data, its quadratic, D2L's three runs, the divergence scans and the plateaus."""
    import numerics

    X, y = numerics.load_airfoil()
    quad = numerics.least_squares_quadratic(X, y)
    runs = tuple(numerics.train_sgd(X, y, lr, m) for lr, m in D2L_AIRFOIL_RUNS)
    edges = tuple(numerics.divergence_edge(quad, b) for b in DIVERGENCE_BETAS)
    plateaus = tuple(
        tuple(
            numerics.train_seeds(
                X, y, lr, m, seeds=PLATEAU_SEEDS, epochs=PLATEAU_EPOCHS, sampling=sampling
            )
            for sampling in ("epochs", "independent")
        )
        for lr, m in D2L_AIRFOIL_RUNS
    )
    return Airfoil(X, y, quad, runs, edges, plateaus)


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
    #: the report's section the figure belongs to (a key of :data:`SECTIONS`)
    section: str = "quadratics"
    #: an optional package the figure needs (``"torch"``); without it the report says so
    needs: str | None = None


#: the report's sections of figures, in order: heading and the sentence that opens it
SECTIONS = {
    "quadratics": (
        "On quadratics",
        "Everything in this section is exact for quadratic losses, where the momentum method is "
        "a linear iteration and its rate is the spectral radius of a 2 × 2 matrix per curvature.",
    ),
    "minibatch": (
        "Training with minibatches",
        "Minibatch SGD with momentum on D2L's airfoil regression. The loss is least squares, so "
        "the quadratic theory holds for its mean; the batches add noise, which leaves a plateau "
        "above the minimum and moves the edge where training becomes unreliable.",
    ),
    "beyond": (
        "Beyond quadratics",
        "Where the quadratic theory stops. Heavy ball tuned by Polyak's rule for the quadratics "
        "of [μ, L] can cycle forever on a smooth strongly convex function (Lessard, Recht and "
        "Packard 2016); a smaller region of (η, β) is safe on every such function (Ghadimi, "
        "Feyzmahdavian and Johansson 2015); and the worst case over the class after N steps is "
        "a small semidefinite program (performance estimation: Drori and Teboulle 2014, Taylor, "
        "Hendrickx and Glineur 2017).",
    ),
    "networks": (
        "Real networks",
        "A network's loss is not quadratic and its Hessian changes as it trains. Its extreme "
        "eigenvalues, computed from Hessian-vector products, connect it to the theory above.",
    ),
}


def sections(figures) -> list[tuple[str, str, list]]:
    """The figures grouped by section, in :data:`SECTIONS`' order: (heading, opening, specs)."""
    unknown = {f.section for f in figures} - set(SECTIONS)
    if unknown:
        raise ValueError(
            f"figures name unknown sections {sorted(unknown)}; known: {list(SECTIONS)}"
        )
    return [
        (heading, opening, [f for f in figures if f.section == key])
        for key, (heading, opening) in SECTIONS.items()
        if any(f.section == key for f in figures)
    ]


def in_section_order(figures) -> list:
    """The figures as the report numbers them: section by section (see :func:`sections`)."""
    return [spec for _, _, specs in sections(figures) for spec in specs]


#: what to install for an optional package a figure needs
_INSTALL = {"torch": "PyTorch (python -m pip install 'momentum-theory[torch]')"}


def missing(spec: FigureSpec) -> str | None:
    """Why ``spec`` cannot be drawn on this machine (an optional package missing), or None."""
    if spec.needs is None:
        return None
    import importlib.util

    if importlib.util.find_spec(spec.needs) is not None:
        return None
    return f"this figure needs {_INSTALL.get(spec.needs, spec.needs)}, which is not installed"


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

    # slices at four curvatures: a 3-D surface of the same edge could not be read off
    grid = numerics.volume_grid(
        np.linspace(0.01, 4, 60), np.linspace(0, 0.99, 40), np.linspace(0.5, 2, 7)
    )
    grid.plot(ax=fig.subplots(), slices=4)


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
    axes = fig.subplots(2, 2, sharex=True, sharey=True)
    for ax, run in zip(axes.flat, runs, strict=True):
        art = run.plot(ax=ax, xlim=xlim, ylim=ylim, subtitle=numerics.d2l_line(run), legend=False)
        ax.label_outer()  # the shared frame's ticks and labels once, on the outer edges
    handles = [art["path"], art["start"], art["minimum"]]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False, fontsize=FONT)


def _weights(fig):
    from numerics.plots.curves import plot_weights

    plot_weights(ax=fig.subplots())


def _gd_decay(fig):
    from numerics.plots.curves import plot_gd_decay

    plot_gd_decay(ax=fig.subplots())


def _exercise2(fig):
    from numerics.plots.comparison import plot_exercise2

    # the settings the example notebook draws too (numerics.plots.comparison.EXERCISE2)
    plot_exercise2(fig.subplots(1, 2, sharey=True))


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

    grid = fig.subplots(2, 2, sharex=True, sharey=True)
    axes = grid.flat
    # one colour bar across the figure and one legend under it
    plot_method_rate_maps(axes[:3], orientation="horizontal")
    plot_stability_edges(axes[3])
    for ax in axes:
        ax.label_outer()
        ax.set_xlabel(ax.get_xlabel() and r"$\eta\lambda$")


D2L_AIRFOIL_RUNS = ((0.02, 0.5), (0.01, 0.9), (0.005, 0.9))


def _variance(fig):
    from numerics.plots.noise import plot_variance_vs_beta

    plot_variance_vs_beta(ax=fig.subplots())


def _airfoil_losses(fig):
    from matplotlib.lines import Line2D

    import numerics
    from numerics.plots.noise import plot_plateaus, plot_seed_band

    a = airfoil()
    shuffled = [pair[0] for pair in a.plateaus]
    independent = [pair[1] for pair in a.plateaus]
    # the noise theory's plateaus: a Lyapunov solve each, no training
    predicted = [numerics.predicted_plateau(a.X, a.y, r.lr, r.momentum, 10) for r in shuffled]
    left, right = fig.subplots(1, 2, width_ratios=(1.25, 1))
    band = plot_seed_band(shuffled, ax=left, plateaus=predicted)
    marks = plot_plateaus(shuffled, predicted, ax=right, independent=independent)
    fig.suptitle("Airfoil: minibatch SGD with momentum (batch 10), D2L's three settings")
    mean = {"ls": "none", "color": "0.6", "mec": "black", "ms": 7}  # the grey key of a mean
    keys = [
        *band["lines"],
        Line2D(
            [],
            [],
            color="0.3",
            ls="--",
            lw=1.2,
            label=r"predicted $\frac{1}{2}\,\mathrm{tr}(Q\Sigma)$: dashed (left), black bar (right)",
        ),
        Line2D([], [], marker="o", label="mean, 99% interval: D2L's shuffled epochs", **mean),
        Line2D([], [], marker="s", label="mean, 99% interval: independent batches", **mean),
        Line2D([], [], ls="none", marker=".", color="0.4", ms=5, label="one seed"),
    ]
    fig.legend(
        handles=keys,
        loc="outside lower center",
        ncol=2,
        frameon=False,
        fontsize=FONT,
        columnspacing=1.2,
    )
    return marks


def _runs_either_side(X, y, momenta, edges, batch, epochs, multiples):
    """D2L's training at ``multiples`` of each momentum's edge, ``EDGE_SEEDS`` seeds each:
    ``(momentum, lr, how many grew, of how many)``."""
    import numerics

    out = []
    for f in multiples:
        for m, edge in zip(momenta, edges, strict=True):
            runs = numerics.train_seeds(
                X, y, f * edge, m, seeds=EDGE_SEEDS, batch_size=batch, epochs=epochs
            )
            out.append((float(m), float(f * edge), int(runs.grew.sum()), EDGE_SEEDS))
    return out


def _divergence(fig):
    import numerics
    from numerics.plots.minibatch import run_keys
    from numerics.plots.noise import plot_divergence, plot_divergence_overview

    shared = airfoil()
    quad, edges = shared.quad, shared.edges
    data = numerics.least_squares_data(shared.X, shared.y)
    # with D2L's batch 10 the edge is the mean-square one; runs a fifth below and a quarter above
    betas = np.linspace(0.0, 0.99, 16)
    curve = numerics.edge_table(data, betas, (D2L_BATCH,)).minibatch[:, 0]
    at = numerics.edge_table(data, DIVERGENCE_RUN_BETAS, (D2L_BATCH,)).minibatch[:, 0]
    runs = _runs_either_side(
        shared.X, shared.y, DIVERGENCE_RUN_BETAS, at, D2L_BATCH, 10, DIVERGENCE_MULTIPLES
    )
    left, right = fig.subplots(1, 2)
    lam_max = float(quad.eigenvalues.max())
    whole = plot_divergence_overview(
        list(edges), lam_max, ax=left, legend=False, minibatch=(D2L_BATCH, betas, curve, runs)
    )
    zoom = plot_divergence(list(edges), ax=right, legend=False)
    fig.suptitle("Airfoil: predicted against observed divergence")
    # one legend: the panels share their markers (largest converging run: a converged one)
    batch_keys = run_keys(whole["minibatch_edge"].get_color())
    keys = [
        whole["stable"],
        zoom["divergent"],
        whole["edge"],
        *zoom["marks"][:3],
        whole["minibatch_edge"],
        *batch_keys,
    ]
    labels = [
        "predicted stable (full batch)",
        "predicted divergent (full batch)",
        r"predicted edge $\eta = 2(1+\beta)/\lambda_{\max}$",
        "run converged (left: the largest of a scan)",
        r"run on the edge ($\rho = 1$): neither",
        "run diverged (left: the smallest of a scan)",
        f"mean-square edge at batch {D2L_BATCH}",
        *(f"batch {D2L_BATCH}: {key.get_label()}" for key in batch_keys),
    ]
    fig.legend(
        handles=keys,
        labels=labels,
        loc="outside lower center",
        ncol=2,
        frameon=False,
        fontsize=FONT,
    )


def _minibatch_edges(fig):
    import numerics
    from numerics.plots.minibatch import plot_edge_vs_batch

    X, y = airfoil().X, airfoil().y
    data = numerics.least_squares_data(X, y)
    table = numerics.edge_table(data, DIVERGENCE_BETAS, EDGE_BATCHES)
    observed = []
    for batch, epochs in EDGE_RUNS:
        edges = table.minibatch[:, EDGE_BATCHES.index(batch)]
        for m, lr, grew, of in _runs_either_side(
            X, y, table.momenta, edges, batch, epochs, EDGE_MULTIPLES
        ):
            observed.append((m, batch, lr, grew, of))
    plot_edge_vs_batch(table, observed, axes=fig.subplots(1, len(DIVERGENCE_BETAS), sharey=True))
    fig.suptitle("Airfoil, heavy ball: the largest stable learning rate by batch size")


def _minibatch_plateau(fig):
    import numerics
    from numerics.plots.minibatch import plot_plateau_vs_lr

    X, y = airfoil().X, airfoil().y
    data = numerics.least_squares_data(X, y)
    beta = DIVERGENCE_BETAS[-1]
    edge = numerics.minibatch_max_stable_lr(data, beta, D2L_BATCH)
    # even in log lr, then even in log distance to the edge, where the plateau turns upward
    lrs = edge * np.concatenate([np.geomspace(3e-3, 0.5, 30), 1 - np.geomspace(0.49, 0.005, 40)])
    exact = [numerics.second_moment(data, lr, beta, D2L_BATCH).excess_loss for lr in lrs]
    additive = [numerics.predicted_plateau(X, y, lr, beta, D2L_BATCH) for lr in lrs]
    trained = edge * np.array(MINIBATCH_PLATEAU_FRACTIONS)
    observed = {}
    for sampling, label in (
        ("epochs", "training, D2L's shuffled epochs"),
        ("independent", "training, every batch drawn afresh (the theory's)"),
    ):
        plateaus = [
            numerics.train_seeds(
                X,
                y,
                lr,
                beta,
                seeds=MINIBATCH_PLATEAU_SEEDS,
                batch_size=D2L_BATCH,
                epochs=MINIBATCH_PLATEAU_EPOCHS,
                sampling=sampling,
            ).plateau()
            for lr in trained
        ]
        observed[label + ": mean, 99% interval"] = (
            trained,
            [p.mean for p in plateaus],
            [max(p.interval[0], p.mean / 10) for p in plateaus],  # a log axis: no negative end
            [p.interval[1] for p in plateaus],
        )
    plot_plateau_vs_lr(
        lrs,
        exact,
        additive,
        edge,
        observed,
        ax=fig.subplots(),
        title=f"Airfoil, heavy ball, batch {D2L_BATCH}, momentum {beta:g}",
    )


def _minibatch_tuning(fig):
    import numerics
    from numerics.plots.minibatch import plot_tuned_vs_batch

    data = numerics.least_squares_data(airfoil().X, airfoil().y)
    gd = numerics.tune_by_batch(data, TUNE_BATCHES, "gd")
    hb = numerics.tune_by_batch(data, TUNE_BATCHES)
    gd_steps = np.array([t.steps_per_e for t in gd])
    hb_steps = np.array([t.steps_per_e for t in hb])
    speedup = gd_steps / hb_steps
    # where the speed-up first reaches PAYS, interpolated in log batch size
    pays = None
    if (speedup >= PAYS).any() and speedup[0] < PAYS:
        k = int(np.argmax(speedup >= PAYS))
        lo, hi = np.log(TUNE_BATCHES[k - 1]), np.log(TUNE_BATCHES[k])
        w = (PAYS - speedup[k - 1]) / (speedup[k] - speedup[k - 1])
        pays = float(np.exp(lo + w * (hi - lo)))
    art = plot_tuned_vs_batch(TUNE_BATCHES, gd_steps, hb_steps, pays, fig.subplots(), speedup=PAYS)
    art["ax"].set_title("Airfoil: the fastest mean-square rate at each batch size")


#: D2L exercise 4: (batch size, learning rate without momentum) as a study note runs them
EXERCISE4_RUNS = ((1, 0.005), (100, 0.4))
#: the momenta compared; each at the learning rate that keeps lr / (1 - momentum) the same
EXERCISE4_MOMENTA = (0.0, 0.4)


def _exercise4(fig):
    import numerics
    from numerics.plots.noise import plot_losses

    X, y = airfoil().X, airfoil().y
    # equal effective step lr / (1 - momentum): momentum is compared at the same long-run
    # step, not handed a larger one (the note ran lr 0.005 and 0.4 with and without it)
    runs = [
        numerics.train_sgd(X, y, lr * (1 - m), m, batch_size=bs, epochs=2)
        for bs, lr in EXERCISE4_RUNS
        for m in EXERCISE4_MOMENTA
    ]
    left, right = fig.subplots(1, 2, sharey=True)
    plot_losses(runs, ax=left, against="examples", design=True)["legend"].remove()
    art = plot_losses(runs, ax=right, against="updates", design=True)
    art["legend"].remove()
    right.label_outer()
    left.set_title("against examples seen", fontsize=FONT + 1)
    right.set_title("against updates", fontsize=FONT + 1)
    fig.suptitle("D2L exercise 4: SGD (batch 1) and minibatch SGD (batch 100)")
    # two columns, one per batch size; the rows are the momenta (the runs' order)
    fig.legend(
        handles=art["lines"],
        loc="outside lower center",
        ncol=2,
        frameon=False,
        fontsize=FONT,
        title=art["legend"].get_title().get_text(),
        title_fontsize=FONT,
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


def _lessard_run(fig):
    from numerics.lessard import POLYAK, run_lessard
    from numerics.plots.beyond import plot_lessard_run

    plot_lessard_run(run_lessard(*POLYAK, 3.3, steps=LESSARD_STEPS), ax=fig.subplots())


def _lessard_phase(fig):
    from numerics.lessard import POLYAK, run_lessard
    from numerics.plots.beyond import plot_lessard_phase

    plot_lessard_phase(run_lessard(*POLYAK, 3.3, steps=LESSARD_STEPS), ax=fig.subplots())


def _lessard_basin(fig):
    from numerics.lessard import POLYAK, lessard_basin
    from numerics.plots.beyond import plot_lessard_basin

    plot_lessard_basin(lessard_basin(*POLYAK, np.linspace(-10, 10, 2001)), ax=fig.subplots())


def _class_regions(fig):
    from numerics.class_regions import class_regions
    from numerics.lessard import POLYAK
    from numerics.plots.beyond import plot_class_regions

    plot_class_regions(class_regions(1.0, 25.0), ax=fig.subplots(), point=POLYAK)


def _worst_case_steps(fig):
    from numerics.performance import stored_polyak_table
    from numerics.plots.beyond import plot_worst_case_steps

    plot_worst_case_steps(stored_polyak_table(), ax=fig.subplots())


#: the edge-of-stability runs the report draws, per method (numerics.edge_of_stability.RUNS)
EDGE_METHODS = ("gd", "heavy_ball")
#: their (eta, beta, steps), named in the captions
_GD, _HB = SHARPNESS_RUNS["gd"], SHARPNESS_RUNS["heavy_ball"]


@functools.cache
def _sharpness_run(method: str):
    """The edge-of-stability run of ``method``, computed once per process (a few seconds)."""
    from numerics.edge_of_stability import edge_of_stability

    return edge_of_stability(method)


def _edge(method: str, fig) -> None:
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    _sharpness_run(method).plot(ax=top, loss_ax=bottom)


FIGURES = (
    FigureSpec(
        "region",
        "Stability region",
        "Heavy ball at curvature λ = 1: blue points of the grid converge, the hatched grey side "
        "diverges; the black line is the derived edge η = 2(1 + β)/λ, which the grid must match.",
        (WIDTH, 5.0),
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
        (WIDTH, 5.2),
        _rate_map,
    ),
    FigureSpec(
        "volume",
        "Stability volume",
        "The (η, β, λ) stability volume, sliced at four curvatures: the stable step sizes "
        "η < 2(1 + β)/λ, nested (the darker, the more curvatures are stable); each line is the "
        "closed-form edge at its λ.",
        (WIDTH, 4.6),
        _volume,
    ),
    FigureSpec(
        "d2l_traces",
        "D2L's traces",
        "D2L's train_2d on f = 0.1 x₁² + 2 x₂² from (−5, −2), 20 steps: gradient descent at η = "
        "0.4 and 0.6 (diverges in x₂), heavy ball at η = 0.6 with β = 0.5 and 0.25. The subtitles "
        "are D2L's printed lines, reproduced. The four panels share one frame, which holds every "
        "converging run; the divergent one leaves it.",
        (WIDTH, 6.6),
        _traces,
    ),
    FigureSpec(
        "weights",
        "Effective sample weights",
        "The velocity is a leaky average of past gradients: the gradient t steps back has weight "
        "βᵗ (stems); the weights sum to 1/(1 − β), the dashed window.",
        (WIDTH, 4.8),
        _weights,
    ),
    FigureSpec(
        "gd_decay",
        "Gradient-descent decay",
        "Gradient descent multiplies the error along curvature λ by (1 − ηλ) each step (η = 0.1): "
        "slow for small curvature, oscillating for ηλ > 1, divergent past 2 (dashed, λ = 20.5).",
        (WIDTH, 4.8),
        _gd_decay,
    ),
    FigureSpec(
        "exercise2",
        "D2L exercise 2 of section 11.6",
        "λᵢ = 2⁻ⁱ, xᵢ from 1: gradient descent (left) against heavy ball (right) on a shared log "
        "axis; momentum speeds up the flat directions. Heavy ball lands exactly on 0 at some "
        "steps, which have no logarithm: the curve breaks there and a triangle marks the step on "
        "the bottom edge. (The update is x ← x − ηv; a study note's x -= x - eta*v is a slip.)",
        (WIDTH, 4.0),
        _exercise2,
    ),
    FigureSpec(
        "envelope",
        "Simulation against theory",
        "Heavy ball (η = 0.5, β = 0.5) on f = 1.5/2 x² from x₀ = 1 (velocity 0) against its tight "
        "envelope C ρᵗ: ρ is the spectral radius of the iteration matrix R and C the sum of the "
        "error's amplitudes along R's eigenvectors, computed from the start, not fitted to the run. "
        "The run stays under it and touches it within 1% whenever the rotation's phase lines up.",
        (WIDTH, 4.6),
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
        (WIDTH, 5.2),
        _kappa,
    ),
    FigureSpec(
        "method_rate_maps",
        "Rate maps of three methods",
        "Gradient descent, heavy ball and Nesterov over (ηλ, β), each framed on its own stable "
        "region, with the critical-damping curves where the method has them (Nesterov: ηλ = ((1 − "
        "β)/(1 + β))² and 1). Bottom right: the three stability edges together: Nesterov's (2 + "
        "2β)/(1 + 2β), heavy ball's 2 + 2β, gradient descent's 2 whatever β.",
        (WIDTH, 7.4),
        _method_maps,
    ),
    FigureSpec(
        "variance_vs_beta",
        "Variance against momentum",
        "The stationary variance of x under gradient noise (λ = 1, σ = 1): at a fixed step η = 0.5 "
        "it grows like (1 + β)/(1 − β); at a fixed effective step α = η/(1 − β) = 0.5 it falls to "
        "a limit ασ²/(2λ). The markers are Monte-Carlo estimates with 99% intervals.",
        (WIDTH, 5.0),
        _variance,
    ),
    FigureSpec(
        "airfoil_losses",
        "Airfoil: D2L's runs over many seeds",
        "Minibatch SGD with momentum (batch 10) on the airfoil data at D2L's (lr, momentum) = "
        "(0.02, 0.5), (0.01, 0.9), (0.005, 0.9), each trained from 20 seeds for 10 epochs. Left: "
        "the gap to the least-squares minimum (log scale), the median over the seeds and the band "
        "that holds 80% of them; dashed, each setting's plateau predicted by the noise theory, "
        "½ tr(QΣ) with Σ the stationary covariance of the weights under the minibatch gradient "
        "noise. Right: the plateau (the gap averaged over the last 5 epochs), one dot per seed, "
        "the mean over the seeds with its 99% interval, and the prediction as a black bar. With "
        "every step's batch drawn on its own (squares), the noise the theory assumes, the "
        "prediction lies in each interval; D2L's shuffled epochs (circles) settle lower, because "
        "the batches of one epoch partition the data and their noise partly cancels.",
        (WIDTH, 4.8),
        _airfoil_losses,
        uses_airfoil=True,
        section="minibatch",
    ),
    FigureSpec(
        "divergence",
        "Predicted against observed divergence",
        "Full-batch runs on the airfoil quadratic. Left: the edge 2(1 + β)/λₘₐₓ predicted from the "
        "Hessian's top eigenvalue, a curve in β, with the largest converging and smallest "
        "diverging run of each scan; with D2L's batch 10 the edge is the mean-square one "
        "(dashed), far lower at large momentum: D2L's minibatch runs (four seeds each, 10 "
        "epochs) a fifth below it all settle, a quarter above it some or all grow. Right: every "
        "scanned full-batch run, the learning rate in units of the predicted edge.",
        (WIDTH, 5.6),
        _divergence,
        uses_airfoil=True,
        section="minibatch",
    ),
    FigureSpec(
        "minibatch_edges",
        "The largest stable learning rate by batch size",
        "Least squares on the airfoil data, batches drawn without replacement; momentum 0 is "
        "gradient descent. Solid: the largest learning rate at which the second moment of the "
        "error stays bounded (the exact mean-square edge, where the second-moment operator's "
        "spectral radius is 1); dashed: the full-batch edge from the Hessian, which it reaches "
        "at B = n. The markers are D2L's training (shuffled epochs) at 0.8, 1.25 and 1.6 times "
        "the edge, four seeds each, at batch 1 (3000 steps), 10 (1500), 100 (405) and 750 "
        "(100): open if every run settled, filled on the left if some grew, a cross if all grew "
        "(the loss passed 100 times its start). Above the edge runs grow unevenly: the second "
        "moment is carried by rare runs (heavy tails), so at 1.25 times the edge some seeds "
        "still look fine, at batch 1 most of them.",
        (WIDTH, 5.2),
        _minibatch_edges,
        uses_airfoil=True,
        section="minibatch",
    ),
    FigureSpec(
        "minibatch_plateau",
        "The loss plateau of minibatch training, exactly",
        "The loss above the least-squares minimum that heavy ball (momentum 0.9, batch 10) "
        "settles to, against the learning rate. Solid: the exact theory, the fixed point of the "
        "second-moment recursion, whose batch Hessian is random too; it grows without bound at "
        "the mean-square edge (dotted). Dashed: additive noise at the minimizer "
        "(numerics.predicted_plateau), its small-lr limit, several times too low near the edge. "
        f"Markers: training from {MINIBATCH_PLATEAU_SEEDS} seeds, {MINIBATCH_PLATEAU_EPOCHS} "
        "epochs, each seed's excess loss averaged over the second half, with 99% Student "
        "intervals (wide near the edge, where the loss is heavy-tailed): every batch drawn "
        "afresh (the noise the theory assumes) agrees with it; D2L's shuffled epochs settle "
        "lower at small learning rates (an epoch's batches partition the data, so their noise partly cancels).",
        (WIDTH, 5.6),
        _minibatch_plateau,
        uses_airfoil=True,
        section="minibatch",
    ),
    FigureSpec(
        "minibatch_tuning",
        "When momentum pays",
        "Steps to shrink the root-mean-square error by e, 1/(−log r) with r the square root of "
        "the second-moment operator's spectral radius, at the (lr, momentum) that minimise it "
        "at each batch size (numeric: a grid, then Nelder-Mead; at B = n the closed-form "
        "tuning), for plain SGD and heavy ball on the airfoil data. At batch 1 momentum buys "
        "almost nothing; from the dotted line on it needs two thirds of SGD's steps or fewer, "
        "and at the full batch under a third (√κ against κ). Compare Kidambi et al. (2018) and "
        "Lee, Cheng, Paquette and Paquette (2022).",
        (WIDTH, 5.0),
        _minibatch_tuning,
        uses_airfoil=True,
        section="minibatch",
    ),
    FigureSpec(
        "exercise4",
        "D2L exercise 4 of section 11.6",
        "Loss against examples seen (left: gradient evaluations) and against updates (right: "
        "parameter steps), both log scale: SGD (batch 1) and minibatch SGD (batch 100), each "
        "without momentum and with momentum 0.4 at the same effective step lr/(1 − momentum) "
        "(0.005 for batch 1, 0.4 for batch 100), so momentum is not handed a larger step: the "
        "colour is the batch size, the line the momentum (solid with filled markers 0, dashed with "
        "open markers 0.4). The runs of a batch size share their seed, so they see the same "
        "batches in the same order and differ only by the momentum: at batch 1 the two nearly "
        "coincide. Counts, not seconds, so the figure is the same on every machine.",
        (WIDTH, 4.8),
        _exercise4,
        uses_airfoil=True,
        section="minibatch",
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
        (WIDTH, 5.2),
        _worst_case,
    ),
    FigureSpec(
        "lessard_run",
        "Lessard's counterexample",
        "Heavy ball at Polyak's tuning for the spectrum [1, 25] (η = 1/9, β = 4/9, rate 2/3 on "
        "every quadratic of that spectrum) on Lessard, Recht and Packard's function, which is "
        "1-strongly convex and 25-smooth: its gradient is 25x below 1, x + 24 between 1 and 2, "
        "25x − 24 above 2 (dotted lines). From x₀ = 3.3 (velocity 0) the iterates settle onto a "
        "3-cycle that visits each piece once and never reach the minimizer 0.",
        (WIDTH, 4.4),
        _lessard_run,
        section="beyond",
    ),
    FigureSpec(
        "lessard_phase",
        "The cycle in the plane of two iterates",
        "The same run drawn as the points (xₜ₋₁, xₜ), the state heavy ball carries from step to "
        "step: after a few turns the orbit closes on a triangle whose corners are the 3-cycle "
        "(the legend says how closely its last turn repeats). The minimizer, the star, is a fixed "
        "point the orbit circles without approaching.",
        (WIDTH, 5.6),
        _lessard_phase,
        section="beyond",
    ),
    FigureSpec(
        "lessard_basin",
        "Which starts cycle",
        "The same method and function from 2001 starts x₀ between −10 and 10 (velocity 0), 600 "
        "steps each: below each start, where its iterates end up. Most starts converge to the "
        "minimizer (the line at 0); bands of starts, Lessard's 3.3 among them, settle on the "
        "3-cycle instead (its three points drawn above them). The title gives the share.",
        (WIDTH, 4.6),
        _lessard_basin,
        section="beyond",
    ),
    FigureSpec(
        "class_regions",
        "Three nested regions",
        "Heavy ball's (η, β) for μ = 1, L = 25. Left of the black line every quadratic of the "
        "spectrum converges (the toolkit's edge 2(1 + β)/L). Left of the green line every "
        "L-smooth, μ-strongly convex function converges (η < 2(1 − β)/L, Ghadimi, Feyzmahdavian "
        "and Johansson 2015). In the orange region some function of the class makes heavy ball "
        "cycle (the closed-form cycle conditions of Goujaud, Taylor and Dieuleveut 2023, each "
        "checked against the class's interpolation conditions); in between, neither result "
        "decides. The star, Polyak's tuning, lies in the cycle region: Lessard's function is one "
        "such cycle.",
        (WIDTH, 5.6),
        _class_regions,
        section="beyond",
    ),
    FigureSpec(
        "worst_case_steps",
        "Worst case after N steps",
        "The worst ratio of the gap to the minimum after N steps to the gap at the start, for "
        "heavy ball at Polyak's tuning, over every 1-strongly convex 25-smooth function (circles) and over the quadratics "
        "of the same class (squares), each the value of a performance-estimation semidefinite "
        "program (PEPit with the Clarabel solver, solved ahead of time and shipped; a test solves "
        "them again). On the quadratics the programs agree with the toolkit's exact worst case "
        "(the line), which falls as the quadratic rate 2/3 says. Over the whole class the ratio "
        "grows with N instead: at this tuning nothing of the kind is guaranteed.",
        (WIDTH, 4.6),
        _worst_case_steps,
        section="beyond",
    ),
    FigureSpec(
        "edge_of_stability_gd",
        "The edge of stability: gradient descent",
        "A tanh network (1-30-30-30-1) trained full batch on the Chebyshev polynomial T₄ at 60 "
        "points with fixed noise (standard deviation 0.2), by gradient descent at "
        f"η = {_GD[0]:g}. Top: the sharpness, the Hessian's top eigenvalue by Lanczos every 20 "
        "steps, rises until it reaches the edge 2/η of the quadratic theory "
        "(numerics.max_stable_lam) and then hovers there; the dashed line is its median from the "
        "rise (the first measurement at 0.9 of the edge) on, beside the edge. Bottom: the loss "
        "keeps falling, though not monotonically: its spikes are the steps where the sharpness "
        "had crossed the edge (Cohen et al. 2021).",
        (WIDTH, 6.2),
        functools.partial(
            _edge, "gd"
        ),  # a partial of a module's function pickles: a worker draws it
        needs="torch",
        section="networks",
    ),
    FigureSpec(
        "edge_of_stability_heavy_ball",
        "The edge of stability: heavy ball",
        "The same network and data, trained full batch by heavy ball (PyTorch's SGD with "
        f"momentum) at η = {_HB[0]:g}, β = {_HB[1]:g}. Top: the sharpness rises to just under "
        "heavy ball's edge 2(1 + β)/η (numerics.max_stable_lam) and stays under it, creeping "
        "closer; the dashed line is its median from the rise on, beside the edge. Bottom: the "
        "loss keeps falling, here monotonically. Just under the edge heavy ball still damps the "
        "top direction at the rate √β, and just over it the top direction grows fast: at a "
        "larger step (η = 0.025, 0.03) the sharpness crossed the edge by a few percent and was "
        "thrown far back (a spike in the loss), then rose again.",
        (WIDTH, 6.2),
        functools.partial(_edge, "heavy_ball"),
        needs="torch",
        section="networks",
    ),
)
