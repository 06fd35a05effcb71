"""The toolkit's figures. Each function takes ``ax=None`` and returns a dict of its artists.

No function calls ``plt.show()``; when ``ax`` is None a new figure is made
with :func:`matplotlib.pyplot.subplots`. The result objects' ``.plot()``
methods call these functions, so this module imports no module that defines
a result (grids, simulations): it draws what it is given. Figures that
compute before they draw live in :mod:`numerics.comparison_plots`.
"""

from __future__ import annotations

import numpy as np

from numerics.rates import max_stable_eta, spectral_radius

__all__ = [
    "plot_envelope",
    "plot_gd_decay",
    "plot_rate_map",
    "plot_region",
    "plot_trace_2d",
    "plot_volume",
    "plot_weights",
    "plot_worst_case",
]

_LABELS = {
    "eta": r"step size $\eta$",
    "beta": r"momentum $\beta$",
    "eta_lam": r"$\eta\lambda$",
    "lam": r"curvature $\lambda$",
}


def _edge(grid, beta: np.ndarray, lam: float = 1.0) -> np.ndarray:
    """The largest stable step at curvature ``lam`` for the grid's own method and parameters."""
    params = dict(grid.params)
    method = params.pop("method", grid.method)
    return max_stable_eta(beta, lam, method, **params)


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 4.5))
    return ax


def plot_region(grid, ax=None) -> dict:
    """Stable region in (eta, beta) at one lambda, with the exact boundary overlaid."""
    ax = _axes(ax)
    extent = (grid.beta[0], grid.beta[-1], grid.eta[0], grid.eta[-1])
    image = ax.imshow(
        grid.stable.T.astype(float),
        origin="lower",
        aspect="auto",
        extent=(extent[2], extent[3], extent[0], extent[1]),
        cmap="Greens",
        vmin=0,
        vmax=1.6,
        interpolation="nearest",
    )
    beta = np.linspace(grid.beta[0], grid.beta[-1], 400)
    edge = _edge(grid, np.clip(beta, -0.999999, 0.999999), grid.lam)
    (boundary,) = ax.plot(
        edge,
        beta,
        "k-",
        lw=2,
        label=r"exact edge $\eta = 2(1+\beta)/\lambda$"
        if grid.method == "heavy_ball"
        else "exact edge",
    )
    ax.set_xlim(grid.eta[0], grid.eta[-1])
    ax.set_ylim(grid.beta[0], grid.beta[-1])
    ax.set_xlabel(_LABELS["eta"])
    ax.set_ylabel(_LABELS["beta"])
    ax.set_title(rf"Stable region of {grid.method.replace('_', ' ')} at $\lambda = {grid.lam:g}$")
    legend = ax.legend(loc="upper right")
    return {"ax": ax, "image": image, "boundary": boundary, "legend": legend}


def plot_rate_map(grid, ax=None) -> dict:
    """Heat map of rho over (eta*lambda, beta) with contours, damping curves, edge, regimes."""
    ax = _axes(ax)
    rho = np.minimum(grid.rho, 1.2)
    mesh = ax.pcolormesh(
        grid.eta_lam,
        grid.beta,
        rho.T,
        shading="auto",
        cmap="viridis",
        vmin=0,
        vmax=1.2,
        rasterized=True,
    )
    contours = ax.contour(
        grid.eta_lam,
        grid.beta,
        rho.T,
        levels=[0.2, 0.4, 0.6, 0.8, 0.9],
        colors="white",
        linewidths=0.7,
    )
    ax.clabel(contours, fontsize=7)
    beta = np.linspace(max(grid.beta[0], 0), grid.beta[-1], 400)
    lines = []
    if grid.method == "heavy_ball":
        (low,) = ax.plot(
            (1 - np.sqrt(beta)) ** 2,
            beta,
            "w--",
            lw=1.5,
            label=r"critical $\eta\lambda = (1 \pm \sqrt{\beta})^2$",
        )
        (high,) = ax.plot((1 + np.sqrt(beta)) ** 2, beta, "w--", lw=1.5)
        lines += [low, high]
        labels = {
            "ripples": (1.0, 0.75),
            "monotone": (0.04, 0.04),
            "oscillating": (1.5, 0.015),
        }
        for text, (x, y) in labels.items():
            ax.text(x, y, text, color="white", fontsize=9, ha="left")
    edge_beta = np.linspace(grid.beta[0], grid.beta[-1], 400)
    (edge,) = ax.plot(
        _edge(grid, np.clip(edge_beta, -0.999999, 0.999999)),
        edge_beta,
        "r-",
        lw=2,
        label="stability edge",
    )
    ax.text(
        min(grid.eta_lam[-1], 3.2) * 0.97,
        grid.beta[0] + 0.05 * (grid.beta[-1] - grid.beta[0]),
        "divergent",
        color="red",
        ha="right",
        fontsize=9,
    )
    ax.set_xlim(grid.eta_lam[0], grid.eta_lam[-1])
    ax.set_ylim(grid.beta[0], grid.beta[-1])
    colorbar = ax.figure.colorbar(mesh, ax=ax, label=r"spectral radius $\rho$")
    ax.set_xlabel(_LABELS["eta_lam"])
    ax.set_ylabel(_LABELS["beta"])
    ax.set_title(f"Rate of {grid.method.replace('_', ' ')} (normalised)")
    legend = ax.legend(loc="upper left", fontsize=8)
    return {
        "ax": ax,
        "mesh": mesh,
        "contours": contours,
        "critical": lines,
        "edge": edge,
        "colorbar": colorbar,
        "legend": legend,
    }


def plot_volume(grid, ax=None, slices: int = 5) -> dict:
    """The (eta, beta, lambda) stability volume as boundary slices at several lambda."""
    ax = _axes(ax)
    import matplotlib as mpl

    idx = np.unique(np.linspace(0, grid.lam.size - 1, slices).round().astype(int))
    cmap = mpl.colormaps["plasma"]
    curves = []
    for k, i in enumerate(idx):
        colour = cmap(k / max(len(idx) - 1, 1))
        cs = ax.contour(grid.eta, grid.beta, grid.rho[:, :, i].T, levels=[1.0], colors=[colour])
        curves.append(cs)
        ax.plot([], [], color=colour, label=rf"$\lambda = {grid.lam[i]:.3g}$")
    ax.set_xlabel(_LABELS["eta"])
    ax.set_ylabel(_LABELS["beta"])
    ax.set_title(r"Stability volume: the edge $\rho = 1$ at several $\lambda$")
    legend = ax.legend(loc="upper right", fontsize=8)
    return {"ax": ax, "slices": curves, "legend": legend}


def plot_worst_case(grid, ax=None) -> dict:
    """Worst-case rate over [mu, L] on an (eta, beta) grid, with the best point marked."""
    ax = _axes(ax)
    mesh = ax.pcolormesh(
        grid.eta,
        grid.beta,
        np.minimum(grid.rho, 1.2).T,
        shading="auto",
        cmap="magma",
        vmin=0,
        vmax=1.2,
        rasterized=True,
    )
    e, b, r = grid.best()
    (marker,) = ax.plot([e], [b], "c*", ms=14, label=rf"best $\rho = {r:.3f}$")
    colorbar = ax.figure.colorbar(mesh, ax=ax, label=r"worst-case $\rho$ on $[\mu, L]$")
    ax.set_xlabel(_LABELS["eta"])
    ax.set_ylabel(_LABELS["beta"])
    ax.set_title(rf"Worst-case rate, $\mu = {grid.mu:g}$, $L = {grid.L:g}$")
    legend = ax.legend(loc="upper right")
    return {"ax": ax, "mesh": mesh, "best": marker, "colorbar": colorbar, "legend": legend}


def plot_trace_2d(
    run, ax=None, index: int = 0, xlim=(-5.5, 1.0), ylim=(-3.0, 1.0)
) -> dict:
    """D2L's show_trace_2d: iterates over the contour lines of f = 1/2 x^T diag(lams) x."""
    ax = _axes(ax)
    x1, x2 = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    d1, d2 = x1 - run.minimizer[0], x2 - run.minimizer[1]
    Q = run.Q
    f = 0.5 * (Q[0, 0] * d1**2 + 2 * Q[0, 1] * d1 * d2 + Q[1, 1] * d2**2)
    contours = ax.contour(x1, x2, f, levels=12, colors="#1f77b4", linewidths=0.8)
    pts = run.x[:, index, :]
    label = rf"$\eta = {run.eta[index]:g}$" + (
        rf", $\beta = {run.beta[index]:g}$" if run.method != "gd" else ""
    )
    (path,) = ax.plot(pts[:, 0], pts[:, 1], "-o", color="#ff7f0e", ms=3, label=label)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel(r"$x_1$")
    ax.set_ylabel(r"$x_2$")
    ax.set_title(f"{run.method.replace('_', ' ')}: {run.steps} steps")
    legend = ax.legend(loc="lower right", fontsize=8)
    return {"ax": ax, "contours": contours, "path": path, "legend": legend}


def plot_weights(betas=(0.95, 0.9, 0.6, 0.0), T: int = 40, ax=None) -> dict:
    """Effective sample weights beta^t, t = 0..T-1 (D2L 11.6)."""
    ax = _axes(ax)
    t = np.arange(T)
    lines = [ax.plot(t, b**t, label=rf"$\beta = {b:.2f}$")[0] for b in betas]
    ax.set_xlabel(r"time $t$")
    ax.set_ylabel(r"weight $\beta^t$")
    ax.set_title("Effective sample weights")
    legend = ax.legend()
    return {"ax": ax, "lines": lines, "legend": legend}


def plot_gd_decay(eta: float = 0.1, lams=(0.1, 1.0, 10.0, 19.0), T: int = 20, ax=None) -> dict:
    """Gradient descent's decay (1 - eta*lambda)^t for several curvatures (D2L 11.6)."""
    ax = _axes(ax)
    t = np.arange(T)
    lines = [ax.plot(t, (1 - eta * lam) ** t, label=rf"$\lambda = {lam:g}$")[0] for lam in lams]
    ax.set_xlabel(r"time $t$")
    ax.set_ylabel(r"$(1 - \eta\lambda)^t$")
    ax.set_title(rf"Gradient descent decay, $\eta = {eta:g}$")
    legend = ax.legend()
    return {"ax": ax, "lines": lines, "legend": legend}


def plot_envelope(run, lam: float, ax=None, index: int = 0) -> dict:
    """||x_t - x*|| of a scalar run against the theory envelope rho^t (log scale)."""
    ax = _axes(ax)
    err = run.errors()[:, index]
    rho = float(spectral_radius(run.eta[index], run.beta[index], lam, run.method))
    t = np.arange(err.size)
    (sim,) = ax.semilogy(t, err, "o", ms=3, label=r"simulated $|x_t - x^*|$")
    (env,) = ax.semilogy(
        t, err[0] * (t + 1) * rho**t, "k--", label=rf"$(t+1)\rho^t |x_0|$, $\rho = {rho:.3f}$"
    )
    ax.set_xlabel(r"step $t$")
    ax.set_ylabel(r"$|x_t - x^*|$")
    ax.set_title("Simulation against the theory's rate")
    legend = ax.legend()
    return {"ax": ax, "simulated": sim, "envelope": env, "legend": legend}
