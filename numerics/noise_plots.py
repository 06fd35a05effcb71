"""Figures of the noisy, data-driven half: variance against beta, loss curves, divergence.

Each function takes ``ax=None`` and returns a dict of its artists.
"""

from __future__ import annotations

import numpy as np

from numerics.airfoil import DivergenceEdge, TrainResult
from numerics.plotting import _axes

__all__ = ["plot_divergence", "plot_losses", "plot_variance_vs_beta"]


def plot_variance_vs_beta(eta: float = 0.5, lam: float = 1.0, sigma: float = 1.0, ax=None) -> dict:
    """Stationary Var x against beta: at a fixed step eta, and at a fixed effective step eta/(1 - beta)."""
    ax = _axes(ax)
    beta = np.linspace(0.0, 0.98, 200)
    fixed = eta * sigma**2 * (1 + beta) / (lam * (1 - beta) * (2 + 2 * beta - eta * lam))
    alpha = eta  # effective step kept at eta: the step is eta (1 - beta)
    effective = alpha * sigma**2 * (1 + beta) / (lam * (2 + 2 * beta - alpha * lam * (1 - beta)))
    (a,) = ax.semilogy(beta, fixed, label=rf"fixed step $\eta = {eta:g}$")
    (b,) = ax.semilogy(beta, effective, label=rf"fixed effective step $\eta/(1-\beta) = {alpha:g}$")
    (c,) = ax.semilogy(
        beta,
        np.full_like(beta, alpha * sigma**2 / (2 * lam)),
        "k:",
        label=r"limit $\alpha\sigma^2/(2\lambda)$",
    )
    ax.set_xlabel(r"momentum $\beta$")
    ax.set_ylabel(r"stationary $\mathrm{Var}\,x$")
    ax.set_title(rf"Gradient noise: $\lambda = {lam:g}$, $\sigma = {sigma:g}$")
    legend = ax.legend(fontsize=8)
    return {"ax": ax, "lines": [a, b, c], "legend": legend}


def plot_losses(
    results: list[TrainResult], ax=None, *, against: str = "epoch", minimum: float | None = None
) -> dict:
    """Loss curves of training runs, against epochs or (log scale) training time."""
    ax = _axes(ax)
    lines = []
    for r in results:
        n_per_epoch = r.examples[-1] / r.epochs if r.examples.size else 1
        x = r.seconds if against == "time" else r.examples / n_per_epoch
        label = f"lr {r.lr:g}, momentum {r.momentum:g}, batch {r.batch_size}"
        lines.append(ax.plot(x, r.losses, label=label)[0])
    if minimum is not None:
        lines.append(ax.axhline(minimum, color="k", ls=":", label="least-squares minimum"))
    if against == "time":
        ax.set_xscale("log")
        ax.set_xlabel("training time (s, log scale)")
    else:
        ax.set_xlabel("epoch")
    ax.set_ylabel("loss over the full data")
    ax.set_title("Airfoil: minibatch SGD with momentum")
    legend = ax.legend(fontsize=7)
    return {"ax": ax, "lines": lines, "legend": legend}


def plot_divergence(edges: list[DivergenceEdge], ax=None) -> dict:
    """Full-batch runs near the Hessian's predicted edge: diverged (x) or not (o)."""
    ax = _axes(ax)
    marks, lines = [], []
    for k, e in enumerate(edges):
        y = np.full(e.etas.size, e.beta)
        marks.append(
            ax.plot(
                e.etas[~e.diverged],
                y[~e.diverged],
                "o",
                color="tab:green",
                label="converged" if k == 0 else None,
            )[0]
        )
        marks.append(
            ax.plot(
                e.etas[e.diverged],
                y[e.diverged],
                "x",
                color="tab:red",
                label="diverged" if k == 0 else None,
            )[0]
        )
        lines.append(
            ax.plot(
                [e.predicted] * 2,
                [e.beta - 0.03, e.beta + 0.03],
                "k-",
                lw=2,
                label=r"predicted $2(1+\beta)/\lambda_{\max}$" if k == 0 else None,
            )[0]
        )
    ax.set_xlabel(r"full-batch learning rate $\eta$")
    ax.set_ylabel(r"momentum $\beta$")
    ax.set_title("Predicted against observed divergence (airfoil)")
    legend = ax.legend(fontsize=8)
    return {"ax": ax, "marks": marks, "predicted": lines, "legend": legend}
