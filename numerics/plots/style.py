"""The figures' shared conventions: colours, the divergent region, legends, names, fonts.

Every figure follows the same rules so that a reader learns them once:
divergence is a neutral hatched region with its own legend entry (never the
top colour of a map), curves use the Okabe-Ito colour-blind-safe palette
(no yellow), legends sit outside the data, and no text is under 9 pt.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "DASHES",
    "DIVERGENT",
    "FONT",
    "PALETTE",
    "axes_or_new",
    "dashed_key",
    "legend_keys",
    "legend_outside",
    "method_label",
    "plain_log_ticks",
    "rate_cmap",
    "shade_divergent",
    "stroked",
]

#: smallest font size (points) of any text in a figure, at its saved size
FONT = 9
#: Okabe & Ito's colour-blind-safe palette without its yellow (unreadable on white)
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000")
#: the look of "diverges here": neutral grey, hatched, in every figure
DIVERGENT = {"facecolor": "#d9d9d9", "edgecolor": "#8c8c8c", "hatch": "///", "linewidth": 0.0}
DIVERGENT_LABEL = r"divergent ($\rho \geq 1$)"

_NAMES = {
    "gd": "Gradient descent",
    "heavy_ball": "Heavy ball",
    "nesterov": "Nesterov",
    "nesterov_sutskever": "Nesterov (Sutskever)",
    "qhm": "QHM",
    "torch_sgd": "PyTorch SGD",
    "torch_sgd_nesterov": "PyTorch SGD (Nesterov)",
}


def axes_or_new(ax, figsize=(6.5, 4.8)):
    """``ax`` itself, or the axes of a new constrained-layout figure."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def method_label(method: str, params: dict | None = None) -> str:
    """A method's name for titles, with its extra parameters: ``QHM ($\\nu = 0.7$)``."""
    name = _NAMES.get(method, method.replace("_", " "))
    extra = {k: v for k, v in (params or {}).items() if k != "method"}
    if extra:
        name += (
            " ("
            + ", ".join(
                rf"$\{k} = {float(v):g}$" if k == "nu" else f"{k} = {float(v):g}"
                for k, v in extra.items()
            )
            + ")"
        )
    return name


def rate_cmap():
    """viridis for the stable rates; masked (divergent) cells take the neutral grey."""
    import matplotlib as mpl

    return mpl.colormaps["viridis"].with_extremes(bad=DIVERGENT["facecolor"])


def shade_divergent(ax, edge, y, right: float, *, label: str = DIVERGENT_LABEL):
    """Hatch the region right of the curve ``x = edge(y)`` up to ``x = right``.

    NaN edges (no stable step at that y) shade the whole row.
    """
    edge = np.where(np.isfinite(edge), np.minimum(edge, right), ax.get_xlim()[0])
    return ax.fill_betweenx(y, edge, right, zorder=1.5, label=label, **DIVERGENT)


def stroked(colour: str = "white", width: float = 3.0):
    """Path effects that outline a line in black, so a white line shows on any background."""
    from matplotlib import patheffects

    return [patheffects.Stroke(linewidth=width, foreground="black"), patheffects.Normal()]


#: dash and gap of the maps' stroked dashed lines, in line widths (legend keys show whole dashes)
DASHES = (3.5, 2.0)


def dashed_key(line, background):
    """A legend key that shows a white stroked dashed ``line`` as the map shows it.

    A white dash outlined in black reads as ``==`` on a white legend; drawn on
    a patch of the map's colour, with whole dashes only, it looks as it does
    on the map. Give the key to :func:`legend_keys`.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    dash = Line2D(
        [],
        [],
        color=line.get_color(),
        lw=line.get_linewidth(),
        dashes=DASHES,
        path_effects=line.get_path_effects(),
    )
    return (Patch(facecolor=background, edgecolor="none"), dash, line.get_label())


def legend_keys(handles) -> dict:
    """``handles``, ``labels`` and ``handler_map`` for a legend whose keys may be :func:`dashed_key`.

    The keys' length is a whole number of a dashed key's dashes (about the
    usual two font sizes), so no dash is cut short at the end.
    """
    from matplotlib.legend_handler import HandlerTuple

    keys, labels = [], []
    for h in handles:
        if isinstance(h, tuple):
            keys.append(h[:2])
            labels.append(h[2])
        else:
            keys.append(h)
            labels.append(h.get_label())
    widths = [k[1].get_linewidth() for k in keys if isinstance(k, tuple)]
    out = {"handles": keys, "labels": labels, "handler_map": {tuple: HandlerTuple(ndivide=1)}}
    if widths:
        period = (DASHES[0] + DASHES[1]) * max(widths)  # points
        dashes = max(2, round((2 * FONT + DASHES[1] * max(widths)) / period))
        out["handlelength"] = (dashes * period - DASHES[1] * max(widths)) / FONT  # font sizes
    return out


def legend_outside(ax, *, ncol: int = 2, handles=None, labels=None, where: str = "below", **extra):
    """A legend outside the axes (below or right), so it never covers data.

    ``extra`` goes to ``ax.legend`` (e.g. a ``handler_map``).
    """
    kwargs = {"fontsize": FONT, "frameon": False, **extra}
    if handles is not None:
        kwargs["handles"] = handles
    if labels is not None:
        kwargs["labels"] = labels
    if where == "right":
        return ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), ncol=1, **kwargs)
    return ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=ncol, borderaxespad=0.0, **kwargs
    )


def plain_log_ticks(axis, subs=(1.0, 2.0, 5.0)) -> None:
    """A log axis labelled at 1, 2, 5 per decade (or ``subs``) as plain numbers (200, 0.05).

    Matplotlib's default labels (3x10^2 4x10^2) run into each other.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    axis.set_major_locator(LogLocator(subs=subs))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())
