"""The toolkit's maps over (eta, beta): region, rate, volume, worst case.

Each function takes ``ax=None`` and returns a dict of its artists; none calls
``plt.show()``. Each takes the result it draws (a grid of :mod:`numerics.grids`)
and imports nothing of the module that computed it: the results' ``.plot()``
methods import this module, so the arrow runs one way. Conventions shared by every figure are in :mod:`numerics.plots.style`: the
axes are framed on the stable region, divergence is a neutral hatched region
with its own legend entry, legends sit outside the data.
"""

from __future__ import annotations

import numpy as np

from numerics.methods import numeric_method
from numerics.plots.style import (
    DASHES,
    DIVERGENT,
    FONT,
    PALETTE,
    axes_or_new,
    dashed_key,
    legend_keys,
    legend_outside,
    method_label,
    plain_log_ticks,
    rate_cmap,
    shade_divergent,
    stroked,
)
from numerics.rates import max_stable_eta, regime

__all__ = [
    "RATE_LEVELS",
    "TIME_RANGE",
    "critical_curves",
    "plot_rate_map",
    "plot_region",
    "plot_volume",
    "plot_volume_surface",
    "plot_worst_case",
    "rate_colorbar",
    "rate_norm",
    "rate_time",
]

_LABELS = {
    "eta": r"step size $\eta$",
    "beta": r"momentum $\beta$",
    "eta_lam": r"$\eta\lambda$ (step size $\times$ curvature)",
}
#: rate contours drawn on the maps (and marked on their colour bars)
RATE_LEVELS = (0.25, 0.5, 0.75, 0.9, 0.97, 0.99)
#: the rate maps' colour range in steps to shrink by e, -1/ln rho: rho from 0.14 to 0.995
TIME_RANGE = (0.5, 200.0)
#: the frame extends this far past the largest stable step, to show the edge
MARGIN = 1.1
_BETA_CLIP = 0.999999


def _method_params(grid) -> tuple[object, dict]:
    params = dict(grid.params)
    return params.pop("method", grid.method), params


def _edge(grid, beta: np.ndarray, lam: float = 1.0) -> np.ndarray:
    """The largest stable step at curvature ``lam`` for the grid's own method and parameters."""
    method, params = _method_params(grid)
    return max_stable_eta(np.clip(beta, -_BETA_CLIP, _BETA_CLIP), lam, method, **params)


def _frame_right(x: np.ndarray, edge: np.ndarray) -> float:
    """Right end of the frame: a margin past the largest stable step, within the data."""
    top = np.nanmax(edge) if np.isfinite(edge).any() else x[-1]
    return float(min(x[-1], MARGIN * top))


def critical_curves(
    method="heavy_ball", beta=None, **params
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Critical damping (a double root) in the normalised plane: curves ``(eta*lambda, beta)``.

    For methods whose trace and determinant are affine in eta*lambda the
    discriminant T^2 - 4D is a quadratic in eta*lambda; its roots at each
    beta are the critical curves: (1 -+ sqrt(beta))^2 for heavy ball,
    ((1 - beta)/(1 + beta))^2 and 1 for Nesterov. One-state methods and
    methods not affine in eta*lambda have none here.
    """
    m = numeric_method(method)
    beta = np.linspace(0, 0.99, 400) if beta is None else np.asarray(beta, float)
    if m.states != 2:
        return []

    def disc(h):
        t, d = m.trace_det(h, beta, 1.0, **params)
        return t * t - 4 * d

    d0, d1, d2 = disc(0.0), disc(1.0), disc(2.0)
    a, b, c = (d2 - 2 * d1 + d0) / 2, (4 * d1 - 3 * d0 - d2) / 2, d0
    if not np.allclose(a * 9 + b * 3 + c, disc(3.0), rtol=1e-9, atol=1e-12):
        return []  # not quadratic in eta*lambda: no closed-form curves to draw
    with np.errstate(invalid="ignore", divide="ignore"):
        root = np.sqrt(np.maximum(b * b - 4 * a * c, 0.0))
        curves = [(-b - root) / (2 * a), (-b + root) / (2 * a)]
    return [(np.where(h >= 0, h, np.nan), beta) for h in curves if np.isfinite(h).any()]


def _label_regimes(ax, h, beta, names) -> list:
    """Name each regime once, as deep inside its region as it can sit clear of the others' names.

    Depth is the distance to the region's border in fractions of the frame, so
    wide and tall regions are judged alike. Each name takes the deepest point
    of its region where its box (estimated from the axes' size) overlaps no
    name placed before it; a narrow strip's name moves along the strip.
    """
    from scipy.ndimage import distance_transform_edt

    texts, boxes = [], []
    sampling = (
        np.ptp(h) / h.size / np.ptp(ax.get_xlim()),
        np.ptp(beta) / beta.size / np.ptp(ax.get_ylim()),
    )
    # the frame in points, to size a name's box in frame fractions (1.6 line heights tall)
    frame = ax.get_position()  # in fractions of the figure
    width_pt = 72 * frame.width * ax.figure.get_figwidth()
    height_pt = 72 * frame.height * ax.figure.get_figheight()
    x = (h - ax.get_xlim()[0]) / np.ptp(ax.get_xlim())
    y = (beta - ax.get_ylim()[0]) / np.ptp(ax.get_ylim())
    for name in ("monotone", "ripples", "oscillating"):
        inside = names == name
        if inside.sum() < 20:
            continue
        depth = distance_transform_edt(np.pad(inside, 1), sampling=sampling)[1:-1, 1:-1]
        half_w = 0.3 * FONT * (len(name) + 1) / width_pt  # about 0.6 em a letter
        half_h = 0.8 * FONT / height_pt
        clear = np.ones(depth.shape, bool)
        for bx, by, bw, bh in boxes:
            clear &= ~(
                (np.abs(x[:, None] - bx) < half_w + bw) & (np.abs(y[None, :] - by) < half_h + bh)
            )
        score = np.where(clear & inside, depth, -1.0)
        if score.max() < 0:  # nowhere clear: the deepest point after all
            score = depth
        i, j = np.unravel_index(np.argmax(score), score.shape)
        boxes.append((x[i], y[j], half_w, half_h))
        texts.append(
            ax.text(
                h[i],
                beta[j],
                name,
                ha="center",
                va="center",
                fontsize=FONT,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85},
                zorder=4,
            )
        )
    return texts


def plot_region(grid, ax=None) -> dict:
    """Stable region in (eta, beta) at one lambda, with the exact edge and the divergent side hatched.

    ``grid`` is a :class:`numerics.RateGrid` (``numerics.rate_grid(...)``).
    """
    import matplotlib as mpl
    from matplotlib.patches import Patch

    ax = axes_or_new(ax)
    beta = np.linspace(grid.beta[0], grid.beta[-1], 400)
    edge = _edge(grid, beta, grid.lam)
    right = _frame_right(grid.eta, edge)
    stable = np.ma.masked_where(~grid.stable, np.ones(grid.rho.shape))
    cmap = mpl.colors.ListedColormap([PALETTE[4]]).with_extremes(bad=DIVERGENT["facecolor"])
    image = ax.pcolormesh(
        grid.eta, grid.beta, stable.T, cmap=cmap, shading="nearest", rasterized=True
    )
    ax.set_xlim(0.0, right)
    ax.set_ylim(grid.beta[0], grid.beta[-1])
    hatch = shade_divergent(ax, edge, beta, right)
    method, params = _method_params(grid)
    edge_label = (
        r"exact edge $\eta = 2(1+\beta)/\lambda$" if grid.method == "heavy_ball" else "exact edge"
    )
    (boundary,) = ax.plot(edge, beta, "k-", lw=2, label=edge_label, zorder=3)
    ax.set_xlabel(_LABELS["eta"])
    ax.set_ylabel(_LABELS["beta"])
    ax.set_title(
        f"{method_label(grid.method, params)}: stable region at " + rf"$\lambda = {grid.lam:g}$"
    )
    handles = [Patch(facecolor=PALETTE[4], label=r"stable ($\rho < 1$)"), hatch, boundary]
    legend = legend_outside(ax, handles=handles, ncol=3)
    return {"ax": ax, "image": image, "divergent": hatch, "boundary": boundary, "legend": legend}


def rate_time(rho) -> np.ndarray:
    """The steps the error takes to shrink by e, -1/ln rho: it separates rates near 1.

    0.9 and 0.99 are 9.5 and 99.5 steps, where a colour linear in rho shows one
    shade. rho = 0 gives 0; rho >= 1 (no shrinking) gives inf.
    """
    rho = np.asarray(rho, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(rho < 1, -1.0 / np.log(np.where(rho > 0, rho, 0.0)), np.inf)


def rate_norm():
    """The maps' colour scale: -1/ln rho on a log scale over :data:`TIME_RANGE`."""
    from matplotlib.colors import LogNorm

    return LogNorm(*TIME_RANGE, clip=False)


def rate_colorbar(mesh, ax, levels=RATE_LEVELS, *, orientation: str = "vertical", **extra):
    """The colour bar of the rate maps: steps to shrink by e on one side, the rate on the other.

    The white contours at ``levels`` (rates) are marked on the bar at their
    -1/ln rho, and labelled with their rate on the bar's other side (left of
    a vertical bar, above a horizontal one); ``extra`` goes to
    ``Figure.colorbar`` (e.g. ``shrink``).
    """
    from matplotlib.ticker import FixedLocator, FuncFormatter

    bar = _figure_of(ax).colorbar(
        mesh,
        ax=ax,
        extend="both",
        orientation=orientation,
        label=r"steps to shrink the error by $e$: $-1/\ln\rho$ (log scale)",
        **extra,
    )
    times = rate_time(levels)
    bar.add_lines(times, ["white"] * len(levels), [1.5] * len(levels))
    axis = bar.ax.yaxis if orientation == "vertical" else bar.ax.xaxis
    plain_log_ticks(axis)
    bar.ax.tick_params(labelsize=FONT)
    # the rate itself, at the contours, on the bar's other side (same positions)
    same = (lambda t: t, lambda t: t)
    if orientation == "vertical":
        rates = bar.ax.secondary_yaxis("left", functions=same)
        other, name = rates.yaxis, rates.set_ylabel
    else:
        rates = bar.ax.secondary_xaxis("top", functions=same)
        other, name = rates.xaxis, rates.set_xlabel
    other.set_major_locator(FixedLocator(times))
    other.set_major_formatter(FuncFormatter(lambda v, _: f"{np.exp(-1 / v):.2g}" if v > 0 else ""))
    other.set_minor_locator(FixedLocator([]))
    rates.tick_params(labelsize=FONT)
    name(r"rate $\rho$ (white contours)", fontsize=FONT + 1)
    return bar


def _figure_of(ax):
    """The figure of an axes or of the first of a list of axes."""
    return (ax[0] if isinstance(ax, (list, tuple, np.ndarray)) else ax).figure


def plot_rate_map(
    grid, ax=None, *, colorbar: bool = True, legend: bool = True, xmax: float | None = None
) -> dict:
    """Heat map of rho over (eta*lambda, beta): contours, critical damping, edge, regimes.

    ``grid`` is a :class:`numerics.NormalisedGrid` (``numerics.normalised_grid(...)``).

    The rate depends on eta and lambda only through their product, so one
    map serves every curvature. The colour is -1/ln rho, the steps the error
    takes to shrink by e (:func:`rate_time`), on a log scale, so rates near 1
    (beta near 1) are told apart; white contours mark rates. Divergent points
    are hatched grey. The frame ends at ``xmax`` (default: 1.1 times the
    largest stable eta*lambda).
    """
    ax = axes_or_new(ax)
    method, params = _method_params(grid)
    beta = np.linspace(grid.beta[0], grid.beta[-1], 400)
    edge_x = _edge(grid, beta)
    right = _frame_right(grid.eta_lam, edge_x) if xmax is None else float(xmax)
    keep = grid.eta_lam <= right * 1.001
    h, rho = grid.eta_lam[keep], grid.rho[keep]
    # rho = 0 exactly (a step that lands on the minimum) is below the scale, not missing
    time = np.maximum(rate_time(rho), np.finfo(float).tiny)
    mesh = ax.pcolormesh(
        h,
        grid.beta,
        np.ma.masked_where(~(rho < 1), time).T,
        shading="nearest",
        cmap=rate_cmap(),
        norm=rate_norm(),
        rasterized=True,
    )
    contours = ax.contour(
        h,
        grid.beta,
        np.where(rho < 1, rho, np.nan).T,
        levels=RATE_LEVELS,
        colors="white",
        linewidths=0.8,
    )
    ax.set_xlim(0.0, right)
    ax.set_ylim(grid.beta[0], grid.beta[-1])
    hatch = shade_divergent(ax, edge_x, beta, right)
    lines = []
    for k, (ch, cb) in enumerate(critical_curves(method, beta[beta >= 0], **params)):
        (line,) = ax.plot(
            ch,
            cb,
            color="white",
            dashes=DASHES,
            lw=1.6,
            path_effects=stroked(),
            zorder=3,
            label="critical damping (double root)" if k == 0 else None,
        )
        lines.append(line)
    (edge,) = ax.plot(edge_x, beta, "k-", lw=2, label="stability edge", zorder=3)
    names = regime(h[:, None], grid.beta[None, :], 1.0, method, **params)
    texts = _label_regimes(ax, h, grid.beta, names)
    bar = rate_colorbar(mesh, ax) if colorbar else None
    handles = [hatch, *([dashed_key(lines[0], mesh.cmap(0.45))] if lines else []), edge]
    keys = legend_keys(handles)
    ax.set_xlabel(_LABELS["eta_lam"])
    ax.set_ylabel(_LABELS["beta"])
    ax.set_title(
        f"{method_label(grid.method, params)}: rate " + r"$\rho$ for every curvature $\lambda$"
    )
    return {
        "ax": ax,
        "mesh": mesh,
        "contours": contours,
        "critical": lines,
        "edge": edge,
        "divergent": hatch,
        "regimes": texts,
        "colorbar": bar,
        "keys": keys,
        "legend": legend_outside(ax, ncol=len(keys), **keys) if legend else None,
    }


def _coefficient(value: float) -> str:
    """``4``, ``4/3``, ``""`` (for 1): a small fraction when there is one, else 3 digits."""
    from fractions import Fraction

    f = Fraction(value).limit_denominator(12)
    if abs(float(f) - value) > 1e-9 * abs(value):
        return f"{value:.3g}"
    return "" if f == 1 else str(f) if f.denominator == 1 else f"({f})"


def _slices(grid, slices: int) -> tuple[np.ndarray, np.ndarray]:
    """The lambda values of the slices and their colours (the same in 2-D and 3-D)."""
    import matplotlib as mpl

    lams = grid.lam[np.unique(np.linspace(0, grid.lam.size - 1, slices).round().astype(int))]
    # dark (viridis' low end) for the largest lambda, never its yellow end
    return lams, mpl.colormaps["viridis"](np.linspace(0.7, 0.0, lams.size))


def plot_volume(grid, ax=None, slices: int = 5) -> dict:
    """The (eta, beta, lambda) stability volume as nested regions, one per lambda.

    ``grid`` is a :class:`numerics.VolumeGrid` (``numerics.volume_grid(...)``).

    Each region ``eta < eta_max(beta, lambda)`` is filled (darker where more
    curvatures are stable) and bounded by the closed-form edge, so the stable
    side is the filled side; the frame holds every slice.
    """
    ax = axes_or_new(ax)

    method, params = _method_params(grid)
    lams, colours = _slices(grid, slices)
    beta = np.linspace(grid.beta[0], grid.beta[-1], 400)
    edges = [_edge(grid, beta, lam) for lam in lams]
    right = MARGIN * max(float(np.nanmax(e)) for e in edges)
    curves, fills = [], []
    for lam, e, colour in zip(lams, edges, colours, strict=True):
        fills.append(ax.fill_betweenx(beta, 0, e, color=colour, alpha=0.18, lw=0))
        label = rf"$\lambda = {lam:.3g}$"
        if grid.method == "heavy_ball":
            label += rf": $\eta < {_coefficient(2 / lam)}(1+\beta)$"
        (line,) = ax.plot(e, beta, color=colour, lw=2, label=label)
        curves.append(line)
    ax.set_xlim(0, right)
    ax.set_ylim(grid.beta[0], grid.beta[-1])
    hatch = shade_divergent(
        ax, edges[0], beta, right, label=rf"divergent for every $\lambda \geq {lams[0]:.3g}$"
    )
    ax.text(
        0.02,
        0.97,
        "stable for\nevery $\\lambda$\nshown",
        transform=ax.transAxes,
        fontsize=FONT + 1,
        va="top",
        color="white",
    )
    ax.set_xlabel(_LABELS["eta"])
    ax.set_ylabel(_LABELS["beta"])
    ax.set_title(
        f"{method_label(grid.method, params)}: stable step sizes shrink as " + r"$\lambda$ grows"
    )
    legend = legend_outside(ax, where="right")
    return {"ax": ax, "slices": curves, "fills": fills, "divergent": hatch, "legend": legend}


def plot_volume_surface(grid, ax, slices: int = 5) -> dict:
    """The stability volume in 3-D: the surface eta = eta_max(beta, lambda); stable below it.

    The slices of :func:`plot_volume` (same lambdas, same colours) are drawn
    on the surface. ``ax`` must be a 3-D axes (``projection="3d"``).
    """
    method, params = _method_params(grid)
    beta = np.linspace(grid.beta[0], grid.beta[-1], 60)
    lam = np.linspace(grid.lam[0], grid.lam[-1], 40)
    B, Lm = np.meshgrid(beta, lam)
    E = max_stable_eta(np.clip(B, -_BETA_CLIP, _BETA_CLIP), Lm, method, **params)
    surface = ax.plot_surface(B, Lm, E, color=PALETTE[4], linewidth=0, shade=True, alpha=0.75)
    lines = []
    for value, colour in zip(*_slices(grid, slices), strict=True):
        edge = max_stable_eta(np.clip(beta, -_BETA_CLIP, _BETA_CLIP), value, method, **params)
        lines.append(ax.plot(beta, np.full_like(beta, value), edge, color=colour, lw=2.5)[0])
    ax.set_xlabel(r"$\beta$", fontsize=FONT + 1)
    ax.set_ylabel(r"$\lambda$", fontsize=FONT + 1)
    ax.set_zlabel(r"largest stable $\eta$", fontsize=FONT + 1)
    ax.tick_params(labelsize=FONT)
    ax.view_init(elev=25, azim=-130)
    ax.set_title("The stable volume lies under the surface", fontsize=FONT + 2)
    return {"ax": ax, "surface": surface, "slices": lines}


def _worst_case_contours(ax, grid, eta, rho, levels) -> list:
    """White lines where the worst-case rate equals each level.

    Where the worst case is exact at the spectrum's ends, rho <= c is where
    Jury's conditions (:func:`~numerics.plots.level_sets.radius_conditions`) hold
    at both ends: polynomials, with no square root at critical damping
    (where the rate's own sampled contours come out stepped), and straight
    lines for heavy ball. Each is scaled to a distance in grid cells before
    the smallest is taken, so only the corners, within a cell, are cut.
    Other methods get the contours of the sampled rate.
    """
    from numerics.plots.level_sets import radius_conditions

    style = {"colors": "white", "linewidths": 0.8}
    method, _ = _method_params(grid)
    if not grid.exact_at_ends:
        stable = np.where(rho < 1, rho, np.nan)
        return [ax.contour(eta, grid.beta, stable.T, levels=levels, **style)]
    e, b = eta[:, None], grid.beta[None, :]
    sets = []
    for c in levels:
        margin = np.full(np.broadcast_shapes(e.shape, b.shape), np.inf)
        for lam in (grid.mu, grid.L):
            for f in radius_conditions(e, b, lam, c, method):
                f = np.broadcast_to(f, margin.shape)
                slope = np.hypot(*np.gradient(f))  # per cell
                with np.errstate(divide="ignore", invalid="ignore"):
                    margin = np.fmin(margin, np.where(slope > 0, f / slope, np.sign(f) * np.inf))
        sets.append(ax.contour(eta, grid.beta, margin.T, levels=[0.0], **style))
    return sets


def plot_worst_case(grid, ax=None, *, tuned=None) -> dict:
    """Worst-case rate over [mu, L] on an (eta, beta) grid, framed on the stable region.

    ``grid`` is a :class:`numerics.WorstCaseGrid` (``numerics.worst_case_grid(...)``).

    The colour scale spans the rates that occur where the iteration is stable;
    the grid's best point is a star and ``tuned`` (eta, beta), if given, a
    ring, so the two can be compared.
    """
    ax = axes_or_new(ax)
    method, params = _method_params(grid)
    beta = np.linspace(grid.beta[0], grid.beta[-1], 400)
    edge_x = _edge(grid, beta, grid.L)
    right = _frame_right(grid.eta, edge_x)
    keep = grid.eta <= right * 1.001
    eta, rho = grid.eta[keep], grid.rho[keep]
    ok = rho < 1
    low = np.floor(20 * rho[ok].min()) / 20 if ok.any() else 0.0
    mesh = ax.pcolormesh(
        eta,
        grid.beta,
        np.ma.masked_where(~ok, rho).T,
        shading="nearest",
        cmap=rate_cmap(),
        vmin=low,
        vmax=1.0,
        rasterized=True,
    )
    levels = [v for v in (0.85, 0.9, 0.95, 0.98, 0.99) if v > low]
    contours = _worst_case_contours(ax, grid, eta, rho, levels)
    ax.set_xlim(0.0, right)
    ax.set_ylim(grid.beta[0], grid.beta[-1])
    hatch = shade_divergent(ax, edge_x, beta, right, label=r"divergent at $\lambda = L$")
    (edge,) = ax.plot(
        edge_x,
        beta,
        "k-",
        lw=2,
        label=r"edge $\eta = 2(1+\beta)/L$" if grid.method == "heavy_ball" else "edge at $L$",
        zorder=3,
    )
    e, b, r = grid.best()
    # the star is drawn last and small enough to sit inside the ring's hole when they agree
    (marker,) = ax.plot(
        [e],
        [b],
        "*",
        color=PALETTE[1],
        mec="black",
        mew=0.8,
        ms=12,
        zorder=7,
        label=rf"best grid point $\rho = {r:.3f}$",
    )
    artists = {
        "ax": ax,
        "mesh": mesh,
        "contours": contours,
        "levels": levels,
        "edge": edge,
        "divergent": hatch,
        "best": marker,
    }
    if tuned is not None:
        te, tb = (float(v) for v in tuned[:2])
        label = rf"tuned $(\eta^*, \beta^*) = ({te:.4g}, {tb:.3g})$"
        (artists["tuned"],) = ax.plot(
            [te],
            [tb],
            "o",
            mfc="none",
            mec="white",
            mew=2.5,
            ms=24,
            zorder=6,
            label=label,
            path_effects=stroked(width=4.5),
        )
    bar = ax.figure.colorbar(
        mesh, ax=ax, label=rf"worst-case $\rho$ over $[{grid.mu:g}, {grid.L:g}]$"
    )
    bar.add_lines(levels, ["white"] * len(levels), [0.8] * len(levels))
    bar.ax.tick_params(labelsize=FONT)
    ax.set_xlabel(_LABELS["eta"])
    ax.set_ylabel(_LABELS["beta"])
    ax.set_title(
        f"{method_label(grid.method, params)}: worst-case rate, "
        + rf"$\lambda \in [{grid.mu:g}, {grid.L:g}]$"
    )
    artists["colorbar"] = bar
    artists["legend"] = legend = legend_outside(ax, ncol=2)
    for handle in legend.legend_handles:  # the ring at the star's size, not the plot's
        if getattr(handle, "get_marker", lambda: None)() == "o":
            handle.set_markersize(12)
    return artists
