"""The toolkit's curve figures: D2L's traces, weights, decays, envelopes, rate against kappa.

Each function takes ``ax=None`` and returns a dict of its artists; none calls
``plt.show()``. Steps are discrete, so step-indexed quantities are drawn as
markers on integer ticks; rates are drawn on log scales.
"""

from __future__ import annotations

import numpy as np

from numerics.plots.style import (
    FONT,
    PALETTE,
    axes_or_new,
    legend_outside,
    method_label,
)

__all__ = [
    "plot_envelope",
    "plot_gd_decay",
    "plot_trace_2d",
    "plot_weights",
    "power_label",
    "trace_frame",
]

#: the frame of D2L's show_trace_2d: (x1 range, x2 range)
D2L_FRAME = ((-5.5, 1.0), (-3.0, 1.0))


def _integer_steps(ax) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))


def _params_text(method: str, eta: float, beta: float) -> str:
    return rf"$\eta = {eta:g}$" + (rf", $\beta = {beta:g}$" if method != "gd" else "")


def power_label(i: int) -> str:
    """``1``, ``1/2``, ``1/4``, ... for lambda = 2^-i (no ``2^{-0}``)."""
    return "1" if i == 0 else f"1/{2**i}"


def trace_frame(runs, index: int = 0, xlim=D2L_FRAME[0], ylim=D2L_FRAME[1]):
    """One (xlim, ylim) for several 2-D runs: the given frame, grown to hold every iterate
    of each converging run (a diverging run would stretch it to its blow-up).

    Panels drawn in this frame can be compared by eye.
    """
    for run in runs:
        if run.diverged[index]:
            continue
        pts = run.x[:, index, :]
        xlim = (min(xlim[0], pts[:, 0].min() - 0.2), max(xlim[1], pts[:, 0].max() + 0.2))
        ylim = (min(ylim[0], pts[:, 1].min() - 0.2), max(ylim[1], pts[:, 1].max() + 0.2))
    return xlim, ylim


def plot_trace_2d(
    run,
    ax=None,
    index: int = 0,
    xlim=D2L_FRAME[0],
    ylim=D2L_FRAME[1],
    *,
    subtitle: str | None = None,
    legend: bool = True,
) -> dict:
    """D2L's show_trace_2d: iterates over the contour lines of f, start and minimum marked.

    The frame is ``xlim`` x ``ylim``, grown to hold every iterate if the run
    converges (:func:`trace_frame`; pass its frame to several panels to share
    it). The title names the method and its parameters; ``subtitle`` (e.g.
    D2L's printed line ``epoch 20, x1: ..., x2: ...``) goes under it. ``run``
    is a two-dimensional :class:`numerics.Trajectory` (``numerics.simulate_d2l(...)``).
    """
    ax = axes_or_new(ax)
    pts = run.x[:, index, :]
    (path,) = ax.plot(
        pts[:, 0],
        pts[:, 1],
        "-o",
        color=PALETTE[1],
        ms=4,
        lw=1.2,
        # x1, x2 name the coordinates (as D2L does): the steps are counted, not subscripted
        label=f"iterates, steps 0 to {run.steps}",
    )
    (start,) = ax.plot(*pts[0], "s", color=PALETTE[0], ms=8, label="start (step 0)", zorder=4)
    (minimum,) = ax.plot(
        *run.minimizer, "*", color="black", ms=14, label=r"minimum $x^*$", zorder=5
    )
    xlim, ylim = trace_frame([run], index, xlim, ylim)
    x1, x2 = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    d1, d2 = x1 - run.minimizer[0], x2 - run.minimizer[1]
    Q = run.Q
    f = 0.5 * (Q[0, 0] * d1**2 + 2 * Q[0, 1] * d1 * d2 + Q[1, 1] * d2**2)
    contours = ax.contour(x1, x2, f, levels=12, colors="#9ecae1", linewidths=0.8, zorder=1)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel(r"$x_1$")
    ax.set_ylabel(r"$x_2$")
    params = _params_text(run.method, run.eta[index], run.beta[index])
    verdict = " (diverges)" if run.diverged[index] else ""
    title = f"{method_label(run.method)}, {params}{verdict}"
    ax.set_title(title + (f"\n{subtitle}" if subtitle else ""), fontsize=FONT + 1)
    return {
        "ax": ax,
        "contours": contours,
        "path": path,
        "start": start,
        "minimum": minimum,
        "legend": legend_outside(ax, ncol=3) if legend else None,
    }


def plot_weights(betas=(0.95, 0.9, 0.6, 0.0), T: int = 40, ax=None) -> dict:
    """Effective sample weights beta^t, t = 0..T-1 (D2L 11.6), as stems.

    Each beta's window 1/(1 - beta) (the sum of its weights) is a dashed
    vertical line; the stems of different betas are set side by side. Each
    legend entry shows both: the stem's dot, then its dashed window.
    """
    from matplotlib.legend_handler import HandlerTuple

    ax = axes_or_new(ax)
    t = np.arange(T)
    width = 0.7 / len(betas)
    stems, windows = [], []
    for k, b in enumerate(betas):
        colour = PALETTE[k % len(PALETTE)]
        x = t + (k - (len(betas) - 1) / 2) * width
        w = b**t
        ax.vlines(x, 0, w, color=colour, lw=1.2)
        window = 1 / (1 - b)
        (dots,) = ax.plot(
            x,
            w,
            "o",
            color=colour,
            ms=3.5,
            label=rf"$\beta = {b:g}$: window $1/(1-\beta) = {window:g}$",
        )
        stems.append(dots)
        windows.append(ax.axvline(window, color=colour, ls="--", lw=1.2))
    ax.set_xlim(-0.8, T - 0.2)
    ax.set_ylim(0, 1.05)
    _integer_steps(ax)
    ax.set_xlabel(r"steps back $t$")
    ax.set_ylabel(r"weight $\beta^t$ of the gradient $t$ steps back")
    ax.set_title(r"Momentum's weights on past gradients: $\beta^t$, summing to $1/(1-\beta)$")
    legend = legend_outside(
        ax,
        ncol=2,
        handles=list(zip(stems, windows, strict=True)),
        labels=[s.get_label() for s in stems],
        handler_map={tuple: HandlerTuple(ndivide=None, pad=0.6)},
        handlelength=3.5,
        title=r"weights $\beta^t$ (dots) and window $1/(1-\beta)$ (dashed line), for each $\beta$",
        title_fontsize=FONT,
    )
    return {"ax": ax, "lines": stems, "windows": windows, "legend": legend}


def plot_gd_decay(
    eta: float = 0.1, lams=(0.1, 1.0, 10.0, 19.0, 20.5), T: int = 20, ax=None
) -> dict:
    """Gradient descent's factor (1 - eta*lambda)^t per curvature (D2L 11.6), as markers.

    Curvatures with eta*lambda > 2 diverge and are drawn dashed.
    """
    ax = axes_or_new(ax)
    t = np.arange(T + 1)
    lines = []
    for k, lam in enumerate(lams):
        h = eta * lam
        verdict = (
            "diverges"
            if h > 2
            else "oscillates"
            if h > 1
            else "gone in one step"
            if h == 1
            else "monotone"
        )
        (line,) = ax.plot(
            t,
            (1 - eta * lam) ** t,
            "o--" if h > 2 else "o-",
            color=PALETTE[k % len(PALETTE)],
            ms=4,
            lw=1,
            label=rf"$\lambda = {lam:g}$, $\eta\lambda = {h:g}$: {verdict}",
        )
        lines.append(line)
    ax.axhline(0, color="0.5", lw=0.8)
    _integer_steps(ax)
    ax.set_xlim(-0.5, T + 0.5)
    ax.set_xlabel(r"step $t$")
    ax.set_ylabel(r"$(1 - \eta\lambda)^t$")
    ax.set_title(rf"Gradient descent, $\eta = {eta:g}$: one factor per curvature")
    legend = legend_outside(ax, ncol=2)
    return {"ax": ax, "lines": lines, "legend": legend}


def plot_envelope(run, lam: float, ax=None, index: int = 0, **params) -> dict:
    """|x_t - x*| of a one-curvature run against its tight envelope C rho^t (log scale).

    ``run`` is a one-coordinate :class:`numerics.Trajectory`
    (``numerics.simulate(..., lams=[lam], ...)``); the envelope is
    ``envelope`` (a :class:`numerics.envelope.Envelope`): rho is R's spectral
    radius at ``lam`` and C the sum of the error's amplitudes along R's
    eigenvectors, read off the run's start. ``params`` are the method's extra
    parameters (e.g. ``nu``).
    """
    from numerics.envelope import envelope

    ax = axes_or_new(ax)
    env = envelope(run, lam, index, **params)
    err = np.abs(run.x[:, index, 0] - run.minimizer[0])
    eta, beta = float(run.eta[index]), float(run.beta[index])
    t = np.arange(err.size)
    (sim,) = ax.semilogy(
        t, err, "o", ms=3.5, color=PALETTE[0], zorder=3, label=r"simulated $|x_t - x^*|$"
    )
    step = "t" if env.start == 0 else f"t-{env.start}"
    if env.slope:  # a double root: the error is (a + b t) z^t
        shape, values = r"(C + S\,t)", rf"$C = {env.constant:.3g}$, $S = {env.slope:.3g}$"
    else:
        shape, values = "C", rf"$C = {env.constant:.3g}$"
    (bound,) = ax.semilogy(
        t,
        env.bound(t),
        "k--",
        label=rf"envelope ${shape}\,\rho^{{{step}}}$: {values} from the start and the "
        rf"eigenvectors of $R$, $\rho = {env.rho:.3f}$",
    )
    _integer_steps(ax)
    ax.set_xlabel(r"step $t$")
    ax.set_ylabel(r"$|x_t - x^*|$ (log scale)")
    ax.set_title(
        f"{method_label(run.method)}, {_params_text(run.method, eta, beta)}, "
        + rf"$\lambda = {lam:g}$: the run touches its envelope"
    )
    legend = legend_outside(ax, ncol=1)
    return {"ax": ax, "simulated": sim, "envelope": bound, "bound": env, "legend": legend}
