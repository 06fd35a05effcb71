"""Figures that compute what they draw: simulations per curvature, tuned rates, maps side by side.

Each function takes ``ax=None`` (or a list of axes) and returns its artists;
the drawing itself follows :mod:`numerics.plots.style`.
"""

from __future__ import annotations

import numpy as np

from numerics.grids import normalised_grid
from numerics.plots.curves import _integer_steps, _params_text, power_label
from numerics.plots.maps import _BETA_CLIP, MARGIN, plot_rate_map, rate_colorbar
from numerics.plots.style import FONT, PALETTE, axes_or_new, legend_outside, method_label
from numerics.rates import max_stable_eta, spectral_radius
from numerics.simulate import simulate

__all__ = [
    "EXERCISE2",
    "plot_eigen_decay",
    "plot_exercise2",
    "plot_method_rate_maps",
    "plot_rate_vs_kappa",
    "plot_stability_edges",
]


def plot_eigen_decay(
    method: str = "heavy_ball",
    eta: float = 0.5,
    beta: float = 0.5,
    lams=None,
    steps: int = 40,
    ax=None,
    *,
    legend: bool = True,
) -> dict:
    """D2L's exercise 2 of section 11.6: |x_i| from 1 on lambda_i = 2^-i, one curve per direction, log scale.

    An exact zero (heavy ball lands on one every few steps) has no logarithm:
    the curve breaks there and a downward triangle in its colour marks the
    step on the bottom edge; ``zero_key`` is the legend entry that says so
    (None when no iterate is exactly zero).

    (The update is ``x -= eta * v``, not ``x -= x - eta * v`` as a published answer writes it.)
    """
    from matplotlib.lines import Line2D

    ax = axes_or_new(ax)
    lams = np.asarray(2.0 ** -np.arange(5) if lams is None else lams, float)
    run = simulate(eta, beta, lams=lams, x0=np.ones(lams.size), steps=steps, method=method)
    t = np.arange(steps + 1)
    lines, zeros = [], []
    for i, lam in enumerate(lams):
        k = int(round(-np.log2(lam)))
        label = (
            rf"$\lambda = {power_label(k)}$"
            if np.isclose(lam, 2.0**-k)
            else rf"$\lambda = {lam:g}$"
        )
        y = np.abs(run.x[:, 0, i])
        colour = PALETTE[i % len(PALETTE)]
        (line,) = ax.semilogy(
            t, np.where(y > 0, y, np.nan), "o-", ms=2.5, lw=1.2, color=colour, label=label
        )
        lines.append(line)
        if (y == 0).any():  # at the bottom edge (axes fraction), whatever the limits
            (mark,) = ax.plot(
                t[y == 0],
                np.full((y == 0).sum(), 0.025),
                "v",
                ms=6,
                color=colour,
                mec="black",
                mew=0.5,
                transform=ax.get_xaxis_transform(),
                clip_on=False,
                zorder=4,
            )
            zeros.append(mark)
    zero_key = (
        Line2D(
            [],
            [],
            ls="none",
            marker="v",
            ms=6,
            color="0.6",
            mec="black",
            mew=0.5,
            label=r"$x_i = 0$ exactly (no logarithm): on the bottom edge",
        )
        if zeros
        else None
    )
    _integer_steps(ax)
    ax.set_xlabel(r"step $t$")
    ax.set_ylabel(r"$|x_i|$ (log scale)")
    ax.set_title(f"{method_label(method)}, {_params_text(method, eta, beta)}")
    artists = {"ax": ax, "lines": lines, "zeros": zeros, "zero_key": zero_key}
    keys = lines + ([zero_key] if zero_key else [])
    artists["legend"] = legend_outside(ax, ncol=3, handles=keys) if legend else None
    return artists


#: D2L exercise 2 of section 11.6 as the report and the notebook draw it: lambda_i = 2^-i
#: for i < EIGENVALUES, x_i from 1, the same step for both methods
EXERCISE2 = {"eta": 0.5, "beta": 0.5, "eigenvalues": 5, "steps": 40}


def plot_exercise2(axes=None, **settings) -> dict:
    """D2L's exercise 2 of section 11.6: gradient descent (left) against heavy ball (right).

    Both from x_i = 1 on lambda_i = 2^-i, at the same step, on a shared log
    axis, with one legend under the figure (for a constrained-layout figure).
    ``settings`` override :data:`EXERCISE2` (``eta``, ``beta``, ``eigenvalues``,
    ``steps``); the report and the example notebook draw it with none, so
    they show the same runs. ``axes`` is two axes, or None for a new figure.
    Returns ``{"gd": ..., "heavy_ball": ..., "legend": ...}``, the first two
    :func:`plot_eigen_decay`'s artists.
    """
    unknown = set(settings) - set(EXERCISE2)
    if unknown:
        from theory.errors import ParameterError

        raise ParameterError(
            f"exercise 2 takes {', '.join(EXERCISE2)}: not {', '.join(sorted(unknown))}"
        )
    s = {**EXERCISE2, **settings}
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=(6.9, 4.0), sharey=True, layout="constrained")
    left, right = axes
    lams = 2.0 ** -np.arange(s["eigenvalues"])
    run = {"eta": s["eta"], "lams": lams, "steps": s["steps"], "legend": False}
    gd = plot_eigen_decay("gd", ax=left, **run)
    hb = plot_eigen_decay("heavy_ball", beta=s["beta"], ax=right, **run)
    right.label_outer()  # the shared log axis is labelled once, on the left
    keys = gd["lines"] + [k for k in (gd["zero_key"] or hb["zero_key"],) if k is not None]
    legend = left.figure.legend(
        handles=keys,
        loc="outside lower center",
        ncol=3,
        frameon=False,
        fontsize=FONT,
        title=r"eigenvalue $\lambda_i = 2^{-i}$, start $x_i = 1$",
        title_fontsize=FONT,
    )
    return {"gd": gd, "heavy_ball": hb, "legend": legend}


def plot_method_rate_maps(
    axes,
    methods=("gd", "heavy_ball", "nesterov"),
    eta_lam=None,
    beta=None,
    *,
    points: int = 300,
    legend: bool = True,
    orientation: str = "vertical",
) -> list:
    """Rate maps of several methods, one per axes, on one shared frame and colour scale.

    ``eta_lam`` (default: up to 1.1 times the largest stable eta*lambda of
    any of the methods) and ``beta`` (default [0, 0.99]) set the grids; every
    map shows the same range of eta*lambda, so they compare at a glance. One
    colour bar (:func:`numerics.plots.maps.rate_colorbar`) and, with
    ``legend``, one legend under the figure (constrained layout) serve all
    maps (``orientation`` is the colour bar's); each map is titled with its
    method's name. Returns each map's artists.
    """
    beta = np.linspace(0, 0.99, 150) if beta is None else np.asarray(beta, float)
    if eta_lam is None:
        top = max(
            float(np.nanmax(max_stable_eta(np.clip(beta, 0, _BETA_CLIP), 1.0, m))) for m in methods
        )
        eta_lam = np.linspace(0.005, MARGIN * top, points)
    h = np.asarray(eta_lam, float)
    maps = [
        plot_rate_map(
            normalised_grid(h, beta, m), ax=ax, colorbar=False, legend=False, xmax=float(h[-1])
        )
        for ax, m in zip(axes, methods, strict=True)
    ]
    for art, m in zip(maps, methods, strict=True):
        art["ax"].set_title(method_label(m))
    fig = axes[0].figure
    bar = rate_colorbar(maps[0]["mesh"], list(axes), orientation=orientation, shrink=0.9)
    shared = None
    if legend:
        # one key for all: the map with the most entries (the others' are among them)
        keys = max((art["keys"] for art in maps), key=lambda k: len(k["handles"]))
        shared = fig.legend(
            loc="outside lower center",
            ncol=len(keys["handles"]),
            frameon=False,
            fontsize=FONT,
            **keys,
        )
    for art in maps:
        art["colorbar"] = bar
        art["legend"] = shared
    return maps


def plot_rate_vs_kappa(kappas=None, ax=None, qhm_nu: float | None = 0.7) -> dict:
    """Tuned worst-case rate against the condition number: 1 - rho on log-log axes.

    Curves are the closed forms (gradient descent, heavy ball, Nesterov);
    dots are the worst case over [1, kappa] evaluated at each method's tuned
    parameters, computed independently; QHM (no closed form) is tuned
    numerically. On these axes the slopes show the speed-up: 1 - rho falls
    like 2/kappa for gradient descent and 2/sqrt(kappa) with momentum.
    """
    ax = axes_or_new(ax)
    kappas = np.logspace(0.3, 4, 60) if kappas is None else np.asarray(kappas, float)
    sk = np.sqrt(kappas)
    curves = [
        ("gd", r"gradient descent $\rho = (\kappa-1)/(\kappa+1)$", (kappas - 1) / (kappas + 1)),
        (
            "heavy_ball",
            r"heavy ball $\rho = (\sqrt{\kappa}-1)/(\sqrt{\kappa}+1)$",
            (sk - 1) / (sk + 1),
        ),
        ("nesterov", r"Nesterov $\rho = 1 - 2/\sqrt{3\kappa+1}$", 1 - 2 / np.sqrt(3 * kappas + 1)),
    ]
    lines = [
        ax.loglog(kappas, 1 - rate, color=PALETTE[k], lw=2, label=label)[0]
        for k, (_, label, rate) in enumerate(curves)
    ]
    sample = np.array([3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0])
    ss, s3 = np.sqrt(sample), np.sqrt(3 * sample + 1)
    tuned = {
        "gd": (2 / (1 + sample), 0.0 * sample),
        "heavy_ball": (4 / (ss + 1) ** 2, ((ss - 1) / (ss + 1)) ** 2),
        "nesterov": (4 / (3 * sample + 1), (s3 - 2) / (s3 + 2)),
    }
    measured = {}
    # the worst case over [1, kappa] sits at an end of the spectrum (see numerics.grids)
    for k, (name, (eta, beta)) in enumerate(tuned.items()):
        worst = np.maximum(
            spectral_radius(eta, beta, 1.0, name), spectral_radius(eta, beta, sample, name)
        )
        (measured[name],) = ax.loglog(
            sample,
            1 - worst,
            "o",
            color=PALETTE[k],
            mec="black",
            ms=7,
            zorder=4,
            label="worst case at the tuned point" if k == 0 else None,
        )
    artists = {"ax": ax, "lines": lines, "measured": measured}
    if qhm_nu is not None:
        from numerics.tuning import tune_numeric

        few = np.array([10.0, 100.0, 1000.0])
        rates = np.array([tune_numeric(1.0, k, "qhm", nu=qhm_nu).rate for k in few])
        (artists["qhm"],) = ax.loglog(
            few,
            1 - rates,
            "s",
            mfc="none",
            mec=PALETTE[3],
            mew=2,
            ms=10,
            zorder=5,
            label=rf"QHM $\nu = {qhm_nu:g}$, tuned numerically",
        )
    ax.set_xlabel(r"condition number $\kappa = L/\mu$")
    ax.set_ylabel(r"$1 - \rho$ (progress per step, log scale)")
    ax.set_title(r"Tuned rates against conditioning: momentum gains $\sqrt{\kappa}$")
    artists["legend"] = legend_outside(ax, ncol=2)
    return artists


def plot_stability_edges(ax=None, methods=("gd", "heavy_ball", "nesterov"), beta=None) -> dict:
    """The largest stable eta*lambda of several methods against beta, on one axes.

    Each method is stable left of its curve; the region right of the largest
    edge, where every method diverges, is hatched.
    """
    from numerics.plots.style import shade_divergent

    ax = axes_or_new(ax)
    beta = np.linspace(0, 0.99, 300) if beta is None else np.asarray(beta, float)
    edges = {m: max_stable_eta(np.clip(beta, 0, _BETA_CLIP), 1.0, m) for m in methods}
    right = MARGIN * max(float(np.nanmax(e)) for e in edges.values())
    lines = [
        ax.plot(e, beta, color=PALETTE[k], lw=2.5, label=method_label(m))[0]
        for k, (m, e) in enumerate(edges.items())
    ]
    ax.set_xlim(0, right)
    ax.set_ylim(beta[0], beta[-1])
    outer = np.nanmax(np.stack(list(edges.values())), axis=0)
    hatch = shade_divergent(ax, outer, beta, right, label="every method diverges")
    ax.set_xlabel(r"largest stable $\eta\lambda$")
    ax.set_ylabel(r"momentum $\beta$")
    ax.set_title("Stability edges (stable left of each)")
    legend = legend_outside(ax, ncol=2)
    return {"ax": ax, "lines": lines, "divergent": hatch, "legend": legend}
