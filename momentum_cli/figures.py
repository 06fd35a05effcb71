"""Rendering figures to files with the Agg backend (no display needed), reproducibly.

Saved figures carry no date and a fixed SVG hash salt, so two runs write
identical files.
"""

from __future__ import annotations

__all__ = ["DPI", "METADATA", "new_figure", "render", "save_plot", "save_spec"]

DPI = 150
#: no creation date or software version in the files: the same figure gives the same bytes
METADATA = {
    "svg": {"Date": None, "Creator": None},
    "png": {"Software": None},
    "pdf": {"CreationDate": None, "Creator": None, "Producer": None},
}
_SALT = "momentum-theory"


def _agg() -> None:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = _SALT


def new_figure(ncols: int = 1, width: float = 6.0, height: float = 4.5):
    _agg()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * ncols, height), layout="constrained")
    axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    return fig, axes


def render(spec):
    """A report figure (a ``FigureSpec``) drawn on a fresh constrained-layout figure."""
    _agg()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=spec.size, layout="constrained")
    FigureCanvasAgg(fig)  # a renderer to measure text with, as pyplot's figures have
    spec.draw(fig)
    return fig


def save_plot(plot, path) -> dict:
    """Call ``plot(ax=...)`` on a fresh figure and save it atomically to ``path``."""
    from numerics.files import save_figure

    fig, (ax,) = new_figure(width=6.5, height=4.8)
    artists = plot(ax=ax)
    save_figure(fig, path, metadata=METADATA.get(str(path).rsplit(".", 1)[-1].lower()))
    return artists


def save_spec(spec, folder, suffixes=("png", "svg")) -> list:
    """Render one report figure and save it in each format; returns the paths written."""
    from pathlib import Path

    from numerics.files import save_figure

    fig = render(spec)
    return [
        save_figure(
            fig,
            Path(folder) / f"{spec.name}.{s}",
            dpi=DPI,
            metadata=METADATA.get(s),
            bbox_inches=None,
        )
        for s in suffixes
    ]
