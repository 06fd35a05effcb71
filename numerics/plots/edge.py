"""The edge of stability drawn: sharpness against step with the method's edge, and the loss.

Takes a :class:`numerics.edge_of_stability.SharpnessRun` (it does not train
anything); ``ax=None`` makes a figure; returns the artists; never shows.
"""

from __future__ import annotations

import numpy as np

from numerics.plots.style import FONT, PALETTE, legend_outside, method_label

__all__ = ["EDGE_FORMULAS", "plot_edge_of_stability"]

#: how each method's edge is written in the legend (its value is the run's own threshold,
#: computed by numerics.max_stable_lam)
EDGE_FORMULAS = {
    "gd": r"$2/\eta$",
    "heavy_ball": r"$2(1 + \beta)/\eta$",
    "nesterov": r"$(2 + 2\beta)/(\eta(1 + 2\beta))$",
}


def plot_edge_of_stability(run, ax=None, loss_ax=None) -> dict:
    """Sharpness against step on ``ax`` (the edge, the rise, the plateau), the loss on ``loss_ax``.

    With ``ax=None`` a figure with both panels is made; with ``ax`` alone only
    the sharpness is drawn.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, (ax, loss_ax) = plt.subplots(
            2, 1, figsize=(6.5, 6.4), sharex=True, layout="constrained", height_ratios=(3, 2)
        )
    params = rf"$\eta = {run.eta:g}$" + (rf", $\beta = {run.beta:g}$" if run.method != "gd" else "")
    ax.set_title(f"{method_label(run.method)}, full batch, {params}", fontsize=FONT + 2)
    (sharp,) = ax.plot(
        run.measured_at,
        run.sharpness,
        color=PALETTE[0],
        marker="o",
        markersize=2.5,
        linewidth=1.2,
        label=f"sharpness (top Hessian eigenvalue, Lanczos, every {_every(run)} steps)",
    )
    formula = EDGE_FORMULAS.get(run.method, "edge")
    edge = ax.axhline(
        run.threshold,
        color="black",
        linewidth=1.4,
        label=f"the method's edge {formula} = {run.threshold:.4g} (numerics.max_stable_lam)",
    )
    artists = {"sharpness": sharp, "edge": edge, "plateau": None, "rise": None}
    if run.rise is not None:
        artists["rise"] = ax.axvline(run.rise, color="0.45", linestyle=":", linewidth=1.2)
        after = run.measured_at >= run.rise
        artists["plateau"] = ax.plot(
            run.measured_at[after],
            np.full(np.count_nonzero(after), run.plateau),
            color=PALETTE[1],
            linestyle="--",
            linewidth=1.6,
            zorder=1.9,  # under the measurements it summarises
            label=f"median from the rise (dotted, step {run.rise}) on: {run.plateau:.4g} "
            f"= {run.plateau_ratio:.3f} x the edge",
        )[0]
    top = max(float(np.nanmax(run.sharpness)), run.threshold) * 1.12
    ax.set_ylim(0, top)
    ax.set_ylabel("sharpness", fontsize=FONT + 1)
    ax.tick_params(labelsize=FONT)
    handles = [h for h in (sharp, edge, artists["plateau"]) if h is not None]
    if loss_ax is not None:
        steps = np.arange(run.loss.size)
        rises = run.loss_rises
        note = (
            f"after the rise it went up at {rises} of {run.steps - run.rise} steps"
            if run.rise is not None
            else "the sharpness never reached the edge"
        )
        (artists["loss"],) = loss_ax.plot(
            steps, run.loss, color=PALETTE[2], linewidth=0.9, label=f"full-batch loss; {note}"
        )
        loss_ax.set_title("full-batch loss, every step", fontsize=FONT + 1)
        loss_ax.set_yscale("log")
        _plain_log_ticks(loss_ax.yaxis)
        loss_ax.set_xlabel("step", fontsize=FONT + 1)
        loss_ax.set_ylabel("loss (mean squared error)", fontsize=FONT + 1)
        loss_ax.tick_params(labelsize=FONT)
        if run.rise is not None:
            loss_ax.axvline(run.rise, color="0.45", linestyle=":", linewidth=1.2)
        handles.append(artists["loss"])
        # one legend for both panels, under them: off the data of either
        artists["legend"] = loss_ax.figure.legend(
            handles=handles, loc="outside lower center", ncol=1, fontsize=FONT, frameon=False
        )
    else:
        artists["legend"] = legend_outside(ax, ncol=1, handles=handles)
    artists["axes"] = (ax, loss_ax)
    return artists


def _every(run) -> int:
    gaps = np.diff(run.measured_at)
    return int(gaps[0]) if gaps.size else 0


def _plain_log_ticks(axis) -> None:
    """Ticks at 1, 2 and 5 times the powers of ten, written 0.05, 0.1, 0.2 (not 5 x 10^-2).

    A loss that falls less than a decade would otherwise get matplotlib's minor labels in
    scientific notation, crowded.
    """
    from matplotlib import ticker

    axis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(ticker.NullFormatter())
