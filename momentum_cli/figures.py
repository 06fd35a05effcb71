"""Rendering library figures to files with the Agg backend (no display needed)."""

from __future__ import annotations

__all__ = ["new_figure", "save_plot"]


def new_figure(ncols: int = 1, width: float = 6.0, height: float = 4.5):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * ncols, height), layout="constrained")
    axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    return fig, axes


def save_plot(plot, path) -> dict:
    """Call ``plot(ax=...)`` on a fresh figure and save it atomically to ``path``."""
    from numerics.files import save_figure

    fig, (ax,) = new_figure()
    artists = plot(ax=ax)
    save_figure(fig, path)
    return artists
