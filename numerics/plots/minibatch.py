"""Figures of the minibatch theory: the edge against batch size, the plateau, tuning by batch.

Each function takes ``ax=None`` (or a row of axes), draws what it is given
and returns a dict of its artists. The numbers come from
:mod:`numerics.minibatch_edge`, :mod:`numerics.minibatch` and
:func:`numerics.minibatch_runs.train_runs`; nothing is computed here.
"""

from __future__ import annotations

import numpy as np

from numerics.plots.style import FONT, PALETTE, axes_or_new, legend_outside, plain_log_ticks

__all__ = [
    "plot_edge_vs_batch",
    "plot_plateau_vs_lr",
    "plot_runs",
    "plot_tuned_vs_batch",
    "run_keys",
]

#: how an observed run's point is drawn: all settled, some grew, all grew
_SETTLED = {"marker": "o", "mfc": "white", "mew": 1.6, "ms": 7}
_MIXED = {"marker": "o", "fillstyle": "left", "mew": 1.2, "ms": 7}
_GREW = {"marker": "X", "mew": 0.6, "ms": 8}


def plot_runs(ax, x, y, grew: int, runs: int, colour: str):
    """One point of observed training runs: open if all settled, half filled if some grew,
    a black cross if all grew. Returns the line artist."""
    style = _SETTLED if grew == 0 else _GREW if grew == runs else _MIXED
    shown = colour if grew == 0 else "k"
    # not clipped: a point on the frame (momentum 0) shows whole
    return ax.plot(x, y, ls="none", color=shown, mec=shown, zorder=4, clip_on=False, **style)[0]


def run_keys(colour: str = "0.3") -> list:
    """Legend entries of :func:`plot_runs`'s three kinds of point."""
    from matplotlib.lines import Line2D

    return [
        Line2D([], [], ls="none", color=colour, **_SETTLED, label="runs all settled"),
        Line2D([], [], ls="none", color="k", **_MIXED, label="some runs grew"),
        Line2D([], [], ls="none", color="k", **_GREW, label="every run grew"),
    ]


def plot_edge_vs_batch(table, observed=None, axes=None) -> dict:
    """The largest stable lr against batch size: one panel per momentum, log axes.

    ``table`` is a :class:`numerics.minibatch_edge.EdgeTable`; ``observed`` a
    list of ``(momentum, batch_size, lr, grew, runs)``: training runs at that
    point, ``grew`` of ``runs`` of which grew by orders of magnitude. The
    full-batch edge is dashed, the mean-square edge solid, the region above
    it hatched.
    """
    import matplotlib.pyplot as plt

    from numerics.plots.style import DIVERGENT

    if axes is None:
        _, axes = plt.subplots(
            1, len(table.momenta), figsize=(6.9, 4.8), sharey=True, layout="constrained"
        )
    axes = np.atleast_1d(axes)
    b = np.asarray(table.batch_sizes, float)
    top = 2.0 * float(np.max(table.full))
    bottom = 0.5 * float(np.min(table.minibatch))
    artists: dict = {"axes": axes, "edges": [], "full": [], "points": []}
    for k, (ax, beta) in enumerate(zip(axes, table.momenta, strict=True)):
        colour = PALETTE[k % len(PALETTE)]
        edge = table.minibatch[k]
        ax.fill_between(b, edge, top, label="second moment grows", zorder=1, **DIVERGENT)
        artists["edges"].append(
            ax.plot(b, edge, "-", color=colour, lw=2.2, label="mean-square edge", zorder=3)[0]
        )
        artists["full"].append(
            ax.axhline(table.full[k], color="k", ls="--", lw=1.3, label="full-batch edge")
        )
        for beta_o, batch, lr, grew, runs in observed or ():
            if beta_o == beta:
                artists["points"].append(plot_runs(ax, batch, lr, grew, runs, colour))
        ax.set_xscale("log")
        ax.set_yscale("log")
        plain_log_ticks(ax.xaxis, subs=(1.0,))  # decades only: the panels are narrow
        plain_log_ticks(ax.yaxis)
        ax.set_xlim(b[0] / 1.3, b[-1] * 1.3)
        ax.set_ylim(bottom, top)
        ax.set_xlabel("batch size $B$")
        ax.set_title(rf"$\beta = {beta:g}$", fontsize=FONT + 1)
    axes[0].set_ylabel(r"learning rate $\eta$")
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Line2D([], [], color="0.3", lw=2.2, label="mean-square edge (exact theory)"),
        Line2D([], [], color="k", ls="--", lw=1.3, label="full-batch edge from the Hessian"),
        Patch(**DIVERGENT, label="second moment grows"),
        *run_keys(),
    ]
    # one legend for the row, below it (the figure's constrained layout makes room)
    artists["legend"] = axes[0].figure.legend(
        handles=handles, loc="outside lower center", ncol=2, fontsize=FONT, frameon=False
    )
    return artists


def plot_plateau_vs_lr(
    lrs, exact, additive, edge: float, observed=None, ax=None, *, title: str = ""
) -> dict:
    """Stationary excess loss against lr, log-log: exact, additive, training.

    ``exact`` is infinite at and above ``edge`` (drawn as a vertical line);
    ``observed`` maps a label to ``(lrs, mean, low, high)``: training runs'
    time-averaged excess loss and an interval for it (circles, then squares).
    """
    ax = axes_or_new(ax)
    lrs, exact, additive = (np.asarray(v, float) for v in (lrs, exact, additive))
    finite = np.isfinite(exact)
    artists = {"ax": ax, "observed": []}
    artists["exact"] = ax.plot(
        lrs[finite], exact[finite], "-", color=PALETTE[0], lw=2.2, label="exact (second moment)"
    )[0]
    artists["additive"] = ax.plot(
        lrs, additive, "--", color=PALETTE[1], lw=1.8, label="additive noise at the minimum"
    )[0]
    artists["edge"] = ax.axvline(
        edge, color="k", ls=":", lw=1.4, label=f"mean-square edge, lr {edge:.3g}"
    )
    for k, (label, (x, mean, lo, hi)) in enumerate((observed or {}).items()):
        x, mean, lo, hi = (np.asarray(v, float) for v in (x, mean, lo, hi))
        artists["observed"].append(
            ax.errorbar(
                x * (1.04 if k else 1.0),  # side by side, not on top of each other
                mean,
                yerr=[mean - lo, hi - mean],
                fmt="os"[k % 2],
                color=PALETTE[2 + k],
                mfc="white",
                mew=1.6,
                ms=6,
                capsize=3,
                label=label,
            )
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"learning rate $\eta$")
    ax.set_ylabel("stationary loss above the minimum (log scale)")
    if title:
        ax.set_title(title, fontsize=FONT + 1)
    artists["legend"] = legend_outside(ax, ncol=1)
    return artists


def plot_tuned_vs_batch(
    batch_sizes, gd_steps, momentum_steps, pays_at=None, ax=None, *, speedup: float = 1.5
) -> dict:
    """Steps to shrink the error by e at the tuned (lr, momentum), against batch size.

    ``pays_at`` (a batch size, interpolated) is marked where momentum starts to
    pay: where heavy ball needs ``speedup`` times fewer steps than plain SGD.
    """
    ax = axes_or_new(ax)
    b = np.asarray(batch_sizes, float)
    artists = {"ax": ax}
    artists["gd"] = ax.plot(
        b, gd_steps, "o-", color=PALETTE[1], lw=2, ms=5, label="plain SGD, lr tuned"
    )[0]
    artists["momentum"] = ax.plot(
        b,
        momentum_steps,
        "s-",
        color=PALETTE[0],
        lw=2,
        ms=5,
        label="heavy ball, lr and momentum tuned",
    )[0]
    if pays_at is not None:
        artists["pays"] = ax.axvline(
            pays_at,
            color="0.35",
            ls=":",
            lw=1.5,
            label=f"momentum pays ({speedup:g} times fewer steps) from batch {pays_at:.0f}",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    plain_log_ticks(ax.xaxis)
    plain_log_ticks(ax.yaxis)
    ax.set_xlabel("batch size $B$")
    ax.set_ylabel("steps to shrink the error by e")
    artists["legend"] = legend_outside(ax, ncol=1)
    return artists
