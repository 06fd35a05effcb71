"""Figures beyond quadratics: Lessard's cycle, its basin, and the regions of the class.

Each function takes ``ax=None`` and the result it draws (a run or basin of
:mod:`numerics.lessard`; the class's (mu, L) for the regions of
:mod:`numerics.class_regions`), and returns its artists.
"""

from __future__ import annotations

import numpy as np

from numerics.plots.style import (
    DIVERGENT,
    DIVERGENT_LABEL,
    FONT,
    PALETTE,
    axes_or_new,
    legend_outside,
)

__all__ = [
    "plot_class_regions",
    "plot_lessard_basin",
    "plot_lessard_phase",
    "plot_lessard_run",
    "plot_worst_case_steps",
]

_PIECES = r"pieces of $f'$: $25x$ | $x + 24$ | $25x - 24$"


def _number(value: float) -> str:
    """A short decimal as it is; 1/9 where the float is the one nearest such a fraction; else 4 digits.

    Polyak's tuning for [1, 25] is eta = 1/9, beta = 4/9, as the captions and the
    derivation write it; 0.1111 on a slide would disagree with them.
    """
    from fractions import Fraction

    if float(f"{value:.4g}") == value:  # a short decimal (0.3, 0.02) stays one
        return f"{value:g}"
    near = Fraction(value).limit_denominator(100)
    if float(near) == value:
        return f"{near.numerator}/{near.denominator}"
    return f"{value:.4g}"


def _params(run) -> str:
    return rf"$\eta = {_number(run.eta)}$, $\beta = {_number(run.beta)}$"


def plot_lessard_run(run, ax=None, index: int = 0) -> dict:
    """x_t against t, the cycle's points dashed, the gradient's breaks at x = 1 and 2 dotted.

    ``run`` is a :class:`numerics.lessard.LessardRun`.
    """
    from matplotlib.ticker import MaxNLocator

    ax = axes_or_new(ax)
    t = np.arange(run.steps + 1)
    (line,) = ax.plot(t, run.x[:, index], "o-", ms=2.5, lw=1.0, color=PALETTE[0], label=r"$x_t$")
    cycle = run.cycle(index, tol=1e-6)  # the picture's precision, not the test's
    levels = []
    if cycle is not None:
        for i, p in enumerate(cycle.points):
            levels.append(
                ax.axhline(
                    p,
                    color=PALETTE[1],
                    ls="--",
                    lw=1.2,
                    label=f"the {cycle.period}-cycle it settles on" if i == 0 else None,
                )
            )
    breaks = [ax.axhline(b, color="0.45", ls=":", lw=1.0) for b in (1.0, 2.0)]
    breaks[0].set_label(r"where $f'$ changes piece ($x = 1$, $x = 2$)")
    minimum = ax.axhline(0.0, color=PALETTE[2], lw=1.2, label=r"the minimizer $x^* = 0$")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(r"step $t$")
    ax.set_ylabel(r"$x_t$")
    ax.set_title(f"Heavy ball on Lessard's function, {_params(run)}")
    legend = legend_outside(ax, ncol=2)
    return {
        "ax": ax,
        "line": line,
        "cycle": levels,
        "breaks": breaks,
        "minimum": minimum,
        "legend": legend,
    }


def plot_lessard_phase(run, ax=None, index: int = 0, *, settled: int = 30) -> dict:
    """The orbit in the plane (x_{t-1}, x_t): the start's path, then the cycle as a closed polygon.

    The last ``settled`` steps are drawn as the cycle; the steps before them
    as the path that leads there.
    """
    ax = axes_or_new(ax, figsize=(5.2, 4.8))
    x = run.x[:, index]
    prev, now = x[:-1], x[1:]
    cut = max(0, prev.size - settled)
    (path,) = ax.plot(
        prev[: cut + 1], now[: cut + 1], "-", lw=0.9, color=PALETTE[4], label="the first steps"
    )
    start = ax.plot(
        prev[0],
        now[0],
        "s",
        ms=7,
        color=PALETTE[4],
        mec="black",
        mew=0.6,
        label=rf"start $(x_0, x_1)$, $x_0 = {x[0]:g}$",
    )[0]
    cycle = run.cycle(index, tol=1e-6)  # the picture's precision, not the test's
    polygon = None
    if cycle is not None:
        pts = np.array(cycle.points + cycle.points[:1])
        (polygon,) = ax.plot(
            pts[:-1],
            pts[1:],
            "o-",
            ms=7,
            lw=1.6,
            color=PALETTE[1],
            label=f"the {cycle.period}-cycle (repeats to {cycle.residual:.0e})",
        )
    star = ax.plot(
        0, 0, "*", ms=13, color=PALETTE[2], mec="black", mew=0.6, label=r"minimizer $(0, 0)$"
    )[0]
    ax.set_xlabel(r"$x_{t-1}$")
    ax.set_ylabel(r"$x_t$")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_title("The orbit in the plane of two iterates")
    legend = legend_outside(ax, ncol=2)
    return {
        "ax": ax,
        "path": path,
        "start": start,
        "cycle": polygon,
        "minimum": star,
        "legend": legend,
    }


def plot_lessard_basin(basin, ax=None, *, marks=(3.3,)) -> dict:
    """Where each start x0 (velocity 0) ends: at the minimizer, or on a cycle (its points drawn).

    ``basin`` is a :class:`numerics.lessard.LessardBasin`; for each start the
    limit is drawn above it: one dot at 0 where the run converges, the
    cycle's points where it does not.
    """
    ax = axes_or_new(ax, figsize=(7.0, 4.4))
    x0 = basin.x0
    conv = basin.converged
    dots = ax.scatter(
        x0[conv],
        np.zeros(conv.sum()),
        s=2,
        color=PALETTE[2],
        lw=0,
        label="converges to the minimizer",
        rasterized=True,
    )
    cyc = ~conv
    limits = None
    if cyc.any():
        period = max(int(basin.period[cyc].max()), 1)
        last = basin.tail[-period:, cyc]
        limits = ax.scatter(
            np.broadcast_to(x0[cyc], last.shape).ravel(),
            last.ravel(),
            s=2,
            color=PALETTE[1],
            lw=0,
            rasterized=True,
            label="settles on a cycle (its points)",
        )
    spans = [ax.axvspan(a, b, color=PALETTE[1], alpha=0.12, lw=0) for a, b in _runs(x0, cyc)]
    marked = [ax.axvline(m, color="black", ls="--", lw=1.0) for m in marks]
    if marked:
        marked[0].set_label(r"Lessard's start $x_0 = " + f"{marks[0]:g}$")
    share = cyc.mean()
    ax.set_xlabel(r"start $x_0$ (velocity 0)")
    ax.set_ylabel(r"where $x_t$ ends up")
    ax.set_xlim(x0.min(), x0.max())
    ax.margins(y=0.08)
    ax.set_title(f"Heavy ball, {_params(basin)}: {share:.0%} of these starts never converge")
    legend = legend_outside(ax, ncol=2, markerscale=4)
    return {
        "ax": ax,
        "converged": dots,
        "cycling": limits,
        "spans": spans,
        "marks": marked,
        "legend": legend,
    }


def _runs(x, mask) -> list[tuple[float, float]]:
    """The intervals of ``x`` (sorted) where ``mask`` holds, as (first, last) pairs."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(int), [0]])))
    return [(float(x[a]), float(x[b - 1])) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def plot_class_regions(regions, ax=None, *, point=None) -> dict:
    """Heavy ball's (eta, beta) against every L-smooth mu-strongly convex function.

    ``regions`` is a :class:`numerics.class_regions.ClassRegions`. Three sets:
    stable on every quadratic of [mu, L] (left of the quadratic edge eta =
    2(1 + beta)/L, the toolkit's own); inside it, guaranteed on every
    function of the class (eta < 2(1 - beta)/L, Ghadimi et al. 2015) and
    where some function of the class has a cycle (Goujaud, Taylor and
    Dieuleveut 2023); between them neither result decides. ``point`` (eta,
    beta) is marked (e.g. Polyak's tuning).
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    ax = axes_or_new(ax, figsize=(6.5, 5.2))
    r = regions
    right = float(r.eta[-1])
    # one image: 0 undecided, 1 guaranteed, 2 cycles; the divergent side is hatched over it
    code = np.where(r.guaranteed, 1.0, np.where(r.cycles, 2.0, 0.0))
    code[~r.stable] = np.nan
    colours = ["#f0f0f0", PALETTE[2], PALETTE[1]]
    cmap = ListedColormap(colours).with_extremes(bad="white")
    image = ax.pcolormesh(
        r.eta,
        r.beta,
        code.T,
        cmap=cmap,
        vmin=-0.5,
        vmax=2.5,
        shading="nearest",
        rasterized=True,
        alpha=0.55,
    )
    edge = np.minimum(r.quadratic_edge, right)
    hatch = ax.fill_betweenx(r.beta, edge, right, zorder=1.5, label=DIVERGENT_LABEL, **DIVERGENT)
    (quad,) = ax.plot(edge, r.beta, "k-", lw=1.8, label=r"quadratic edge $\eta = 2(1+\beta)/L$")
    (safe_edge,) = ax.plot(
        r.guaranteed_edge,
        r.beta,
        "-",
        color=PALETTE[2],
        lw=1.8,
        label=r"$\eta = 2(1-\beta)/L$ (Ghadimi et al.)",
    )
    marker = None
    if point is not None:
        marker = ax.plot(
            *point,
            "*",
            ms=14,
            color="white",
            mec="black",
            mew=1.0,
            label=rf"$\eta = {_number(point[0])}$, $\beta = {_number(point[1])}$",
            zorder=5,
        )[0]
    ax.set_xlim(0, right)
    ax.set_ylim(r.beta[0], r.beta[-1])
    ax.set_xlabel(r"step size $\eta$")
    ax.set_ylabel(r"momentum $\beta$")
    ax.set_title(
        rf"Heavy ball on every $L$-smooth, $\mu$-strongly convex $f$ ($\mu = {r.mu:g}$, $L = {r.L:g}$)",
        fontsize=FONT + 1,
    )
    handles = [
        Patch(facecolor=colours[1], alpha=0.55, label="converges on every such f (guaranteed)"),
        Patch(facecolor=colours[2], alpha=0.55, label="some such f has a cycle"),
        Patch(facecolor=colours[0], edgecolor="0.6", label="neither result decides"),
        hatch,
        quad,
        safe_edge,
    ] + ([marker] if marker is not None else [])
    legend = legend_outside(ax, handles=handles, ncol=2)
    return {
        "ax": ax,
        "image": image,
        "divergent": hatch,
        "quadratic_edge": quad,
        "guaranteed_edge": safe_edge,
        "point": marker,
        "legend": legend,
    }


def plot_worst_case_steps(table, ax=None) -> dict:
    """tau(N) = worst (f(x_N) - f*) / (f(x_0) - f*) against N, over both classes (log scale).

    ``table`` is :func:`numerics.performance.stored_polyak_table` (or
    :func:`~numerics.performance.polyak_table`): the SDP's values for every
    smooth strongly convex function and for the quadratics, with the exact
    quadratic worst case beside them.
    """
    from matplotlib.ticker import MaxNLocator

    ax = axes_or_new(ax, figsize=(6.5, 4.6))
    n = np.asarray(table["steps"])
    (sc,) = ax.semilogy(
        n,
        table["smooth-strongly-convex"],
        "o-",
        color=PALETTE[1],
        lw=1.6,
        ms=6,
        label="every smooth strongly convex f (SDP)",
    )
    (quad,) = ax.semilogy(
        n,
        table["quadratic"],
        "s",
        color=PALETTE[0],
        ms=7,
        mfc="none",
        mew=1.4,
        label="every quadratic of the class (SDP)",
    )
    exact = None
    if "quadratic_exact" in table:
        (exact,) = ax.semilogy(
            n,
            table["quadratic_exact"],
            "-",
            color=PALETTE[0],
            lw=1.2,
            label=r"the toolkit's exact quadratic worst case $\max p_N(\lambda)^2$",
        )
    one = ax.axhline(1.0, color="0.4", ls=":", lw=1.0, label="no progress (ratio 1)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(r"steps $N$")
    ax.set_ylabel(r"worst $(f(x_N) - f^*)\,/\,(f(x_0) - f^*)$")
    ax.set_title(
        rf"Heavy ball at Polyak's tuning ($\eta = {_number(table['eta'])}$, "
        rf"$\beta = {_number(table['beta'])}$), "
        rf"$\mu = {table['mu']:g}$, $L = {table['L']:g}$",
        fontsize=FONT + 1,
    )
    legend = legend_outside(ax, ncol=2)
    return {
        "ax": ax,
        "smooth_strongly_convex": sc,
        "quadratic": quad,
        "exact": exact,
        "one": one,
        "legend": legend,
    }
