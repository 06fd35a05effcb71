"""Rendering figures to files with the Agg backend (no display needed), reproducibly.

Saved figures carry no date and a fixed SVG hash salt, so two runs write
identical files.
"""

from __future__ import annotations

__all__ = ["DPI", "METADATA", "figure_bytes", "new_figure", "render", "save_plot", "save_spec"]

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
    """A report figure (a ``FigureSpec``) drawn on a fresh constrained-layout figure at :data:`DPI`."""
    _agg()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=spec.size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)  # a renderer to measure text with, as pyplot's figures have
    spec.draw(fig)
    return fig


def save_plot(plot, path) -> dict:
    """Call ``plot(ax=...)`` on a fresh figure and save it atomically to ``path``."""
    from numerics.output.files import save_figure

    fig, (ax,) = new_figure(width=6.5, height=4.8)
    artists = plot(ax=ax)
    save_figure(fig, path, metadata=METADATA.get(str(path).rsplit(".", 1)[-1].lower()))
    return artists


def _png(fig) -> bytes:
    """The Agg canvas's pixels as an RGB PNG.

    Opaque RGB, not matplotlib's RGBA: the figures have no transparency to
    keep, and pdflatex copies an RGB PNG's data as it is but must split an
    alpha channel pixel by pixel (1.9 s against 0.2 s for the report's PDF).
    """
    import io

    import numpy as np
    from PIL import Image

    rgba = np.asarray(fig.canvas.buffer_rgba())
    alpha = rgba[..., 3:].astype(np.float64) / 255.0
    if alpha.min() < 1.0:  # a see-through pixel shows the white page under it
        rgb = np.rint(rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)
    else:
        rgb = rgba[..., :3]
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb), "RGB").save(out, format="png", dpi=(DPI, DPI))
    return out.getvalue()


def _svg(fig) -> bytes:
    """The figure as SVG, drawn with the layout it already has."""
    import io

    from matplotlib.backends.backend_svg import FigureCanvasSVG

    out = io.BytesIO()
    # savefig would lay the figure out again (a full drawing pass) before it draws
    FigureCanvasSVG(fig).print_svg(out, metadata=METADATA["svg"])
    return out.getvalue()


def figure_bytes(spec, formats=("png", "svg")) -> dict[str, bytes]:
    """Draw one report figure once and return its file contents in each format.

    The constrained layout is computed once, by the Agg drawing that also
    gives the PNG's pixels; the SVG is drawn with that layout frozen.
    """
    unknown = set(formats) - {"png", "svg"}
    if unknown:
        raise ValueError(f"report figures are png or svg, not {', '.join(sorted(unknown))}")
    fig = render(spec)
    fig.canvas.draw()
    fig.set_layout_engine("none")  # keeps the positions the layout just computed
    return {f: _png(fig) if f == "png" else _svg(fig) for f in formats}


def save_spec(spec, folder, suffixes=("png", "svg")) -> list:
    """Render one report figure and write it in each format into ``folder``; returns the paths.

    ``folder`` is the report's own temporary folder (moved into place whole
    when the report is complete), so the files are written directly.
    """
    from pathlib import Path

    paths = []
    for fmt, data in figure_bytes(spec, suffixes).items():
        path = Path(folder) / f"{spec.name}.{fmt}"
        path.write_bytes(data)
        paths.append(path)
    return paths
