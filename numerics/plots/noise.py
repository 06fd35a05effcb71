"""Figures of the noisy, data-driven half: variance against beta, loss curves, divergence.

Each function takes ``ax=None`` and returns a dict of its artists.
"""

from __future__ import annotations

import numpy as np

from numerics.airfoil import DivergenceEdge, TrainResult
from numerics.plots.style import (
    FONT,
    PALETTE,
    axes_or_new,
    legend_outside,
    plain_log_ticks,
    shade_divergent,
)

__all__ = [
    "plot_divergence",
    "plot_divergence_overview",
    "plot_losses",
    "plot_plateaus",
    "plot_seed_band",
    "plot_variance_vs_beta",
    "variance_curves",
]

#: line styles of a design's momentum levels (plot_losses), and their names for the legend
_DESIGN_STYLES = ("-", "--", ":", "-.")
_DESIGN_NAMES = ("solid, filled", "dashed, open", "dotted, open", "dash-dot, open")
#: momentum values where the Monte-Carlo points are drawn
MC_BETAS = (0.0, 0.3, 0.6, 0.8, 0.9)


def variance_curves(beta, eta: float, lam: float, sigma: float) -> dict:
    """Heavy ball's stationary Var x at a fixed step, at a fixed effective step, and its limit."""
    beta = np.asarray(beta, float)
    alpha = eta  # the effective step eta/(1 - beta) kept at eta: the step is eta (1 - beta)
    return {
        "fixed": eta * sigma**2 * (1 + beta) / (lam * (1 - beta) * (2 + 2 * beta - eta * lam)),
        "effective": alpha
        * sigma**2
        * (1 + beta)
        / (lam * (2 + 2 * beta - alpha * lam * (1 - beta))),
        "limit": np.full_like(beta, alpha * sigma**2 / (2 * lam)),
    }


def plot_variance_vs_beta(
    eta: float = 0.5,
    lam: float = 1.0,
    sigma: float = 1.0,
    ax=None,
    *,
    chains: int = 400,
    mc_betas=MC_BETAS,
) -> dict:
    """Stationary Var x against beta: at a fixed step eta, and at a fixed effective step.

    Curves are the closed form; the markers with 99% intervals are
    Monte-Carlo estimates from ``chains`` noisy chains each (seeded), so the
    theory is seen to hold. ``chains=0`` draws the curves only.
    """
    from matplotlib.ticker import FixedLocator, FormatStrFormatter, NullFormatter

    ax = axes_or_new(ax)
    beta = np.linspace(0.0, 0.95, 200)
    v = variance_curves(beta, eta, lam, sigma)
    (a,) = ax.semilogy(
        beta, v["fixed"], color=PALETTE[0], lw=2, label=rf"fixed step $\eta = {eta:g}$"
    )
    (b,) = ax.semilogy(
        beta,
        v["effective"],
        color=PALETTE[1],
        lw=2,
        label=rf"fixed effective step $\eta/(1-\beta) = {eta:g}$",
    )
    (c,) = ax.semilogy(beta, v["limit"], "k:", label=r"limit $\alpha\sigma^2/(2\lambda)$")
    artists = {"ax": ax, "lines": [a, b, c], "monte_carlo": []}
    if chains:
        from numerics.noise import monte_carlo_variance

        mc = np.asarray(mc_betas, float)
        for k, (step, colour) in enumerate(
            ((eta + 0 * mc, PALETTE[0]), (eta * (1 - mc), PALETTE[1]))
        ):
            est = [
                monte_carlo_variance(s, bb, lam, sigma, chains=chains, seed=7 + i)
                for i, (s, bb) in enumerate(zip(step, mc, strict=True))
            ]
            mean = np.array([e.mean for e in est])
            err = np.abs(np.array([e.interval for e in est]).T - mean)
            artists["monte_carlo"].append(
                ax.errorbar(
                    mc,
                    mean,
                    yerr=err,
                    fmt="o",
                    color=colour,
                    mec="black",
                    ms=6,
                    capsize=3,
                    zorder=4,
                    label=f"Monte Carlo, {chains} chains (99% interval)" if k == 0 else None,
                )
            )
    ax.yaxis.set_major_locator(
        FixedLocator([0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7, 1, 2, 3, 5, 10, 20, 50])
    )
    ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(r"momentum $\beta$")
    ax.set_ylabel(r"stationary $\mathrm{Var}\,x$ (log scale)")
    ax.set_title(rf"Heavy ball with gradient noise: $\lambda = {lam:g}$, $\sigma = {sigma:g}$")
    artists["legend"] = legend_outside(ax, ncol=2)
    return artists


def plot_losses(
    results: list[TrainResult],
    ax=None,
    *,
    against: str = "epoch",
    minimum: float | None = None,
    excess: bool = False,
    plateaus=None,
    design: bool = False,
) -> dict:
    """Loss curves of training runs against epochs, examples seen or updates (log scale).

    Every axis is a count, never the wall clock, so the figure is the same on
    every run and every machine. Against epochs, a run that records its
    starting loss starts at epoch 0 (log axes of counts have no 0).

    With ``excess`` the curves are the loss minus ``minimum`` on a log axis,
    so the gap between a run's plateau and the minimum shows; ``plateaus``
    (one predicted excess loss per run, e.g. :func:`numerics.predicted_plateau`)
    are then dashed lines in the runs' colours, and ``plateau_key`` their one
    legend entry.

    With ``design`` the runs are read as a factorial design: the colour
    follows the batch size and the line style (and marker fill) the momentum,
    solid and filled for the smallest momentum; the legend's title says so.
    """
    from theory.errors import ParameterError

    if against not in ("epoch", "examples", "updates"):
        raise ParameterError(f"'against' must be one of epoch, examples, updates: {against!r}")
    if excess and minimum is None:
        raise ParameterError("'minimum' must be given with excess=True: None")
    if plateaus is not None and (not excess or len(plateaus) != len(results)):
        raise ParameterError(
            f"'plateaus' needs excess=True and one value per run ({len(results)}): "
            f"{len(plateaus)} values, excess={excess}"
        )
    ax = axes_or_new(ax)
    lines = []
    batches = sorted({r.batch_size for r in results})
    momenta = sorted({r.momentum for r in results})
    for k, r in enumerate(results):
        if design:
            colour = PALETTE[batches.index(r.batch_size) % len(PALETTE)]
            kind = momenta.index(r.momentum)
            style = {"ls": _DESIGN_STYLES[kind % len(_DESIGN_STYLES)]}
            style["mfc"] = colour if kind == 0 else "white"
        else:
            colour, style = PALETTE[k % len(PALETTE)], {"ls": "-"}
        per_epoch = r.examples[-1] / r.epochs if r.examples.size else 1
        x = {
            "epoch": r.examples / per_epoch,
            "examples": r.examples.astype(float),
            "updates": np.ceil(r.examples / r.batch_size),
        }[against]
        y = r.losses
        initial = getattr(r, "initial_loss", None)
        if against == "epoch" and initial is not None and np.isfinite(initial):
            x = np.concatenate([[0.0], x])
            y = np.concatenate([[initial], y])
        if excess:  # the loss never falls below the minimum; an exact tie has no logarithm
            y = y - minimum
            y = np.where(y > 0, y, np.nan)
        label = f"lr {r.lr:g}, momentum {r.momentum:g}, batch {r.batch_size}"
        lines.append(
            ax.plot(
                x,
                y,
                marker="o" if x.size < 40 else None,
                ms=4 if design else 3,
                color=colour,
                lw=1.5,
                label=label,
                **style,
            )[0]
        )
    artists = {"ax": ax}
    if excess:
        ax.set_yscale("log")
        ax.set_ylabel("loss minus the least-squares minimum (log scale)")
    elif minimum is not None:
        lines.append(ax.axhline(minimum, color="k", ls=":", label="least-squares minimum"))
    if plateaus is not None:
        from matplotlib.lines import Line2D

        artists["plateaus"] = [
            ax.axhline(p, color=line.get_color(), ls="--", lw=1.2)
            for p, line in zip(plateaus, lines, strict=True)
        ]
        artists["plateau_key"] = Line2D(
            [],
            [],
            color="0.4",
            ls="--",
            lw=1.2,
            label=r"predicted plateau $\frac{1}{2}\,\mathrm{tr}(Q\Sigma)$, in each run's colour",
        )
    if against == "epoch":
        ax.set_xlabel("epoch")
    else:
        ax.set_xscale("log")
        # counts as plain numbers at 1, 2, 5 per decade (labels like "3x10^2 4x10^2" collide);
        # over more than two decades, at the powers of 10 only
        xs = np.concatenate([line.get_xdata() for line in lines if line.get_xdata().size])
        decades = np.log10(xs[xs > 0].max() / xs[xs > 0].min()) if (xs > 0).any() else 0
        plain_log_ticks(ax.xaxis, (1.0, 2.0, 5.0) if decades <= 2 else (1.0,))
        ax.set_xlabel(
            "examples seen (gradient evaluations, log scale)"
            if against == "examples"
            else "updates (minibatch steps, log scale)"
        )
    if not excess:
        ax.set_ylabel("loss over the full data")
    ax.set_title("Airfoil: minibatch SGD with momentum")
    keys = lines + ([artists["plateau_key"]] if plateaus is not None else [])
    title = None
    if design:
        title = "colour: batch size; momentum " + "; ".join(
            f"{m:g}: {_DESIGN_NAMES[i % len(_DESIGN_NAMES)]}" for i, m in enumerate(momenta)
        )
    artists.update(
        lines=lines,
        legend=legend_outside(ax, ncol=1, handles=keys, title=title, title_fontsize=FONT),
    )
    return artists


def plot_divergence(
    edges: list[DivergenceEdge], ax=None, *, lam_max: float | None = None, legend: bool = True
) -> dict:
    """Full-batch runs near the Hessian's predicted edge, in (eta / predicted edge, beta).

    The predicted edge 2(1 + beta)/lambda_max is the vertical line at 1 in
    these units, the same for every beta; each scanned run is a marker,
    converged (o), on the edge (square: rho = 1, neither converging nor
    diverging) or diverged (x). ``lam_max`` is printed in the title. Without
    ``legend`` the artists keep their labels for a legend of the figure.
    """
    ax = axes_or_new(ax)
    marks = []
    ys = np.array([e.beta for e in edges])
    gap = np.min(np.diff(np.sort(ys))) if ys.size > 1 else 1.0
    for k, e in enumerate(edges):
        ratio = e.etas / e.predicted
        y = np.full(e.etas.size, e.beta)
        marks.append(
            ax.plot(
                ratio[e.converged],
                y[e.converged],
                "o",
                mfc="none",
                mec=PALETTE[0],
                mew=1.5,
                ms=7,
                label="run converged" if k == 0 else None,
            )[0]
        )
        marks.append(
            ax.plot(
                ratio[e.on_edge],
                y[e.on_edge],
                "s",
                mfc="none",
                mec="0.35",
                mew=1.5,
                ms=8,
                label=r"run on the edge ($\rho = 1$): neither" if k == 0 else None,
            )[0]
        )
        marks.append(
            ax.plot(
                ratio[e.diverged],
                y[e.diverged],
                "x",
                color=PALETTE[1],
                mew=2,
                ms=7,
                label="run diverged" if k == 0 else None,
            )[0]
        )
    lo = min(float((e.etas / e.predicted).min()) for e in edges)
    hi = max(float((e.etas / e.predicted).max()) for e in edges)
    pad = 0.1 * (hi - lo)
    ybot, ytop = ys.min() - 0.5 * gap, ys.max() + 0.5 * gap
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_ylim(ybot, ytop)
    yy = np.array([ybot, ytop])
    hatch = shade_divergent(
        ax,
        np.ones(2),
        yy,
        hi + pad,
        label=r"predicted divergent: $\eta > 2(1+\beta)/\lambda_{\max}$",
    )
    (line,) = ax.plot(
        [1, 1], yy, "k-", lw=2, label=r"predicted edge $\eta = 2(1+\beta)/\lambda_{\max}$"
    )
    ax.set_yticks(ys)
    ax.set_xlabel("learning rate / predicted edge")
    ax.set_ylabel(r"momentum $\beta$")
    title = "Around the edge: every run"
    if lam_max is not None:
        title += "\n" + rf"(Hessian's $\lambda_{{\max}} = {lam_max:.4g}$)"
    ax.set_title(title, fontsize=FONT + 1)
    key = legend_outside(ax, ncol=2) if legend else None
    return {"ax": ax, "marks": marks, "predicted": [line], "divergent": hatch, "legend": key}


def plot_divergence_overview(
    edges: list[DivergenceEdge], lam_max: float, ax=None, *, legend: bool = True, minibatch=None
) -> dict:
    """The predicted edge eta = 2(1 + beta)/lambda_max as a curve in beta, with the scans on it.

    Each scan's largest converging and smallest diverging run are marked; at
    this scale they sit on the curve (the zoom is :func:`plot_divergence`).
    ``minibatch`` is ``(batch_size, betas, edge, runs)``: the mean-square edge
    at that batch size as a dashed curve over ``betas``, and ``runs`` a list
    of ``(beta, lr, grew, of)`` training runs drawn as
    :func:`numerics.plots.minibatch.plot_runs` draws them.
    """
    ax = axes_or_new(ax)
    beta = np.linspace(0.0, 0.99, 200)
    edge = 2 * (1 + beta) / lam_max
    right = 1.1 * edge.max()
    ax.set_xlim(0, right)
    ax.set_ylim(beta[0], beta[-1])
    stable = ax.fill_betweenx(
        beta, 0, edge, color=PALETTE[4], alpha=0.35, lw=0, label=r"predicted stable"
    )
    hatch = shade_divergent(ax, edge, beta, right, label="predicted divergent")
    (curve,) = ax.plot(edge, beta, "k-", lw=2, label=r"$\eta = 2(1+\beta)/\lambda_{\max}$")
    # the markers of plot_divergence, so that one legend serves both
    conv = ax.plot(
        [e.largest_converging for e in edges],
        [e.beta for e in edges],
        "o",
        mfc="white",
        mec=PALETTE[0],
        mew=1.5,
        ms=7,
        label="largest converging run",
        zorder=4,
        clip_on=False,  # a scan at beta = 0 sits on the frame
    )[0]
    div = ax.plot(
        [e.smallest_diverging for e in edges],
        [e.beta for e in edges],
        "x",
        color=PALETTE[1],
        mew=2,
        ms=7,
        label="smallest diverging run",
        zorder=5,
        clip_on=False,
    )[0]
    artists = {
        "ax": ax,
        "edge": curve,
        "converging": conv,
        "diverging": div,
        "divergent": hatch,
        "stable": stable,
    }
    if minibatch is not None:
        from numerics.plots.minibatch import plot_runs

        batch, betas, mb_edge, runs = minibatch
        (artists["minibatch_edge"],) = ax.plot(
            mb_edge, betas, "--", color=PALETTE[3], lw=2, label=f"mean-square edge, batch {batch}"
        )
        artists["runs"] = [plot_runs(ax, lr, b, g, of, PALETTE[3]) for b, lr, g, of in runs]
        ax.set_xlabel(r"learning rate $\eta$")
    else:
        ax.set_xlabel(r"full-batch learning rate $\eta$")
    ax.set_ylabel(r"momentum $\beta$")
    ax.set_title(
        rf"Predicted edge, Hessian's $\lambda_{{\max}} = {lam_max:.4g}$", fontsize=FONT + 1
    )
    artists["legend"] = legend_outside(ax, ncol=2) if legend else None
    return artists


def _setting(run) -> str:
    return f"lr {run.lr:g}, momentum {run.momentum:g}"


def plot_seed_band(runs, ax=None, *, plateaus=None, quantiles=(0.1, 0.9)) -> dict:
    """The excess loss of several settings, each trained from many seeds, against epochs (log).

    ``runs`` are :class:`numerics.SeedRuns` (``numerics.train_seeds``): for
    each, the median over its seeds is a line and the band between the
    ``quantiles`` the spread of single runs. ``plateaus`` (one predicted
    excess loss per setting) are dashed lines in the settings' colours.
    """
    ax = axes_or_new(ax)
    lines, bands = [], []
    for k, r in enumerate(runs):
        colour = PALETTE[k % len(PALETTE)]
        per_epoch = r.examples[-1] / r.epochs
        epoch = np.concatenate([[0.0], r.examples / per_epoch])
        excess = np.column_stack([r.initial_losses, r.losses]) - r.minimum
        excess = np.where(excess > 0, excess, np.nan)  # an exact tie has no logarithm
        low, mid, high = np.nanquantile(excess, [quantiles[0], 0.5, quantiles[1]], axis=0)
        bands.append(ax.fill_between(epoch, low, high, color=colour, alpha=0.22, lw=0))
        (line,) = ax.plot(epoch, mid, color=colour, lw=1.6, label=_setting(r))
        lines.append(line)
    artists = {"ax": ax, "lines": lines, "bands": bands}
    if plateaus is not None:
        artists["plateaus"] = [
            ax.axhline(p, color=line.get_color(), ls="--", lw=1.2)
            for p, line in zip(plateaus, lines, strict=True)
        ]
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss minus the minimum (log scale)")
    seeds = runs[0].seeds.size
    ax.set_title(
        f"{seeds} seeds: median, {100 * quantiles[0]:g}-{100 * quantiles[1]:g}% band",
        fontsize=FONT + 1,
    )
    return artists


def plot_plateaus(shuffled, predicted, ax=None, *, independent=None) -> dict:
    """Each setting's plateau over seeds against the noise theory's prediction.

    ``shuffled`` (and ``independent``, optional) are :class:`numerics.SeedRuns`
    of the same settings, with D2L's shuffled epochs and with batches drawn
    independently; each is drawn as its seeds' tail averages (small dots, the
    spread) and their mean with its 99% interval (:meth:`SeedRuns.plateau`).
    ``predicted`` (one value per setting) is a black bar.
    """
    ax = axes_or_new(ax)
    kinds = [("shuffled", shuffled, "o", -0.17)]
    if independent is not None:
        kinds.append(("independent", independent, "s", 0.17))
    artists = {"ax": ax, "means": {}, "seeds": {}}
    for name, runs, marker, shift in kinds:
        means, dots = [], []
        for k, r in enumerate(runs):
            colour = PALETTE[k % len(PALETTE)]
            est = r.plateau()
            spread = np.linspace(-0.07, 0.07, est.per_seed.size)  # side by side, not random
            dots.append(
                ax.plot(k + shift + spread, est.per_seed, ".", color=colour, ms=3, alpha=0.6)[0]
            )
            means.append(
                ax.errorbar(
                    [k + shift],
                    [est.mean],
                    yerr=[[est.mean - est.interval[0]], [est.interval[1] - est.mean]],
                    fmt=marker,
                    color=colour,
                    mec="black",
                    ms=7,
                    capsize=4,
                    zorder=4,
                )
            )
        artists["means"][name], artists["seeds"][name] = means, dots
    artists["predicted"] = [
        ax.plot([k - 0.4, k + 0.4], [p, p], "k-", lw=2.2, zorder=5)[0]
        for k, p in enumerate(predicted)
    ]
    ax.set_xticks(range(len(shuffled)))
    ax.set_xticklabels([f"({r.lr:g}, {r.momentum:g})" for r in shuffled], fontsize=FONT)
    ax.set_xlim(-0.6, len(shuffled) - 0.4)
    ax.set_xlabel("setting (lr, momentum)")
    ax.set_ylabel("plateau: loss minus the minimum")
    first = shuffled[0].plateau().start / (shuffled[0].examples[-1] / shuffled[0].epochs)
    ax.set_title(f"plateau, epochs {first:.0f}-{shuffled[0].epochs}", fontsize=FONT + 1)
    return artists
