"""Figures that compute what they draw: simulations per curvature, tuned rates, rate maps side by side.

Each function takes ``ax=None`` (or a list of axes) and returns its artists;
the drawing primitives come from :mod:`numerics.plotting`.
"""

from __future__ import annotations

import numpy as np

from numerics.grids import normalised_grid
from numerics.plotting import _axes
from numerics.rates import spectral_radius
from numerics.simulate import simulate
from numerics.tuning import tune_numeric

__all__ = ["plot_eigen_decay", "plot_method_rate_maps", "plot_rate_vs_kappa"]


def plot_eigen_decay(
    method: str = "heavy_ball",
    eta: float = 0.5,
    beta: float = 0.5,
    lams=None,
    steps: int = 40,
    ax=None,
) -> dict:
    """Seed exercise 2: x_i from 1 on lambda_i = 2^-i, one curve per eigen-direction.

    (The seed's note writes ``x -= x - eta * v``; the update is ``x -= eta * v``.)
    """
    ax = _axes(ax)
    lams = np.asarray(2.0 ** -np.arange(5) if lams is None else lams, float)
    run = simulate(eta, beta, lams=lams, x0=np.ones(lams.size), steps=steps, method=method)
    t = np.arange(steps + 1)
    lines = [
        ax.plot(t, run.x[:, 0, i], label=rf"$\lambda = 2^{{-{i}}}$")[0] for i in range(lams.size)
    ]
    ax.set_xlabel(r"step $t$")
    ax.set_ylabel(r"$x_i$")
    name = "gradient descent" if method == "gd" else method.replace("_", " ")
    ax.set_title(
        rf"{name}, $\eta = {eta:g}$" + (rf", $\beta = {beta:g}$" if method != "gd" else "")
    )
    legend = ax.legend(fontsize=8)
    return {"ax": ax, "lines": lines, "legend": legend}


def plot_rate_vs_kappa(kappas=None, ax=None, qhm_nu: float | None = 0.7) -> dict:
    """Tuned worst-case rate against the condition number, for every method.

    Curves are the closed forms (gradient descent, heavy ball, Nesterov); black
    dots are the worst case over [1, kappa] evaluated at the tuned parameters,
    computed independently; QHM (no closed form) is tuned numerically.
    """
    ax = _axes(ax)
    kappas = np.logspace(0, 4, 60) if kappas is None else np.asarray(kappas, float)
    sk = np.sqrt(kappas)
    curves = [
        ("gd", r"gradient descent $\frac{\kappa-1}{\kappa+1}$", (kappas - 1) / (kappas + 1)),
        (
            "heavy_ball",
            r"heavy ball $\frac{\sqrt{\kappa}-1}{\sqrt{\kappa}+1}$",
            (sk - 1) / (sk + 1),
        ),
        ("nesterov", r"Nesterov $1 - \frac{2}{\sqrt{3\kappa+1}}$", 1 - 2 / np.sqrt(3 * kappas + 1)),
    ]
    lines = [ax.semilogx(kappas, rate, label=label)[0] for _, label, rate in curves]
    sample = kappas[:: max(1, kappas.size // 12)]
    ss = np.sqrt(sample)
    s3 = np.sqrt(3 * sample + 1)
    tuned = {
        "heavy_ball": (4 / (ss + 1) ** 2, ((ss - 1) / (ss + 1)) ** 2),
        "nesterov": (4 / (3 * sample + 1), (s3 - 2) / (s3 + 2)),
    }
    # the worst case over [1, kappa] sits at an end of the spectrum (see numerics.grids)
    measured = [
        np.maximum(spectral_radius(eta, beta, 1.0, name), spectral_radius(eta, beta, sample, name))
        for name, (eta, beta) in tuned.items()
    ]
    (marks,) = ax.semilogx(
        np.tile(sample, 2), np.concatenate(measured), "k.", label="worst case at the tuned point"
    )
    artists = {"ax": ax, "lines": lines, "measured": marks}
    if qhm_nu is not None:
        few = np.array([2.0, 10.0, 100.0, 1000.0])
        rates = [tune_numeric(1.0, k, "qhm", nu=qhm_nu).rate for k in few]
        (artists["qhm"],) = ax.semilogx(
            few, rates, "s", mfc="none", label=rf"QHM $\nu = {qhm_nu:g}$, tuned numerically"
        )
    ax.set_xlabel(r"condition number $\kappa = L/\mu$")
    ax.set_ylabel(r"worst-case rate $\rho$")
    ax.set_title("Tuned rate against conditioning")
    artists["legend"] = ax.legend(fontsize=8)
    return artists


def plot_method_rate_maps(
    axes, methods=("gd", "heavy_ball", "nesterov"), eta_lam=None, beta=None
) -> list:
    """Rate maps of several methods side by side, one per axes; returns each map's artists."""
    eta_lam = np.linspace(0.001, 4, 300) if eta_lam is None else eta_lam
    beta = np.linspace(0, 0.99, 150) if beta is None else beta
    return [
        normalised_grid(eta_lam, beta, m).plot(ax=ax) for ax, m in zip(axes, methods, strict=True)
    ]
