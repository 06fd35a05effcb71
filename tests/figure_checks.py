"""What a figure shows, checked from its artists: legends, fonts, frames, colours.

Shared by the figure tests (like ``strategies.py`` for Hypothesis): each
helper draws the figure without rendering and measures window extents.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.text import Text

MIN_FONT = 9


def drawn(fig):
    fig.draw_without_rendering()
    return fig.canvas.get_renderer()


def legend_labels(legend) -> list[str]:
    return [t.get_text() for t in legend.get_texts()]


def legends_clear(fig) -> None:
    """No legend (axes or figure) overlaps the data area of any axes."""
    renderer = drawn(fig)
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(
        fig.legends
    )
    assert legends, "the figure has no legend"
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            if getattr(ax, "name", "") == "3d" or ax.get_label() == "<colorbar>":
                continue
            assert not box.overlaps(ax.get_window_extent(renderer)), (
                f"legend {legend_labels(legend)} covers the axes {ax.get_title()!r}"
            )


def smallest_font(fig) -> float:
    """The size (points, at the figure's own size) of its smallest visible, non-empty text."""
    drawn(fig)
    return min(
        t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
    )


def fonts_readable(fig, minimum: float = MIN_FONT) -> None:
    """Every visible, non-empty text of the figure is at least ``minimum`` points."""
    drawn(fig)
    small = [
        (t.get_text(), t.get_fontsize())
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.get_fontsize() < minimum
    ]
    assert not small, f"texts under {minimum} pt: {small[:5]}"


def luminance(colour) -> float:
    """Relative luminance (WCAG) of a colour: yellow on white is close to 1."""
    rgb = np.array(to_rgb(colour))
    lin = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(lin @ [0.2126, 0.7152, 0.0722])


def contrast_on_white(colour) -> float:
    return 1.05 / (luminance(colour) + 0.05)


def stable_fraction_in_frame(ax, edge_fn, samples: int = 400) -> float:
    """Share of the frame (x < edge(y)) that is stable, by sampling the frame."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x, y = np.meshgrid(np.linspace(x0, x1, samples), np.linspace(y0, y1, samples))
    return float(np.mean(x < edge_fn(y)))


def inside(collection, x, y) -> np.ndarray:
    """Whether data points (x, y) lie in the filled region of a collection (e.g. the hatch)."""
    pts = np.column_stack([np.ravel(x), np.ravel(y)])
    return np.any([p.contains_points(pts) for p in collection.get_paths()], axis=0)


def tick_labels_apart(ax) -> None:
    """The x tick labels of ``ax`` in view keep half a font size (an en space) between them."""
    renderer = drawn(ax.figure)
    labels = [
        t for t in ax.get_xticklabels(which="both") if t.get_visible() and t.get_text().strip()
    ]
    frame = ax.get_window_extent(renderer)
    boxes = sorted(
        (t.get_window_extent(renderer) for t in labels),
        key=lambda b: b.x0,
    )
    boxes = [b for b in boxes if frame.x0 - 1 <= (b.x0 + b.x1) / 2 <= frame.x1 + 1]
    gap = 0.5 * max(t.get_fontsize() for t in labels) * ax.figure.dpi / 72
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert right.x0 - left.x1 >= gap, f"x tick labels {right.x0 - left.x1:.1f} px apart"
