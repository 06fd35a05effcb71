"""``momentum explore``: one self-contained, offline HTML page to explore momentum.

The page's maths are the closed forms the library derives, not a second
implementation typed by hand: for every method the trace and determinant of
its state matrix R, the curvature bounds of its stability region, its update
equations and (where one exists) its closed-form tuning are SymPy expressions
printed as JavaScript by :mod:`momentum_cli.explorer.codegen`, ahead of time,
into ``_generated.js`` (``python -m momentum_cli.explorer.codegen`` rewrites it; a
test regenerates it and compares). Writing the page therefore imports neither
SymPy nor :mod:`theory`. The page around them (``page.html``) holds only
the generic algebra of a 2x2 (or 1x1) matrix's spectrum, the drawing and the
controls, mirroring :mod:`numerics.rates` step for step so that the numbers
agree to rounding.

The page requests nothing from the network: it has no external reference and
its Content-Security-Policy forbids every fetch (``default-src 'none'``).
"""

from __future__ import annotations

from importlib import resources

__all__ = ["explorer_html"]

#: where the template takes the generated script
_MARKER = "/*@GENERATED@*/"


def explorer_html() -> str:
    """The whole page as one string: the template with the generated script inlined."""
    package = resources.files(__name__)
    template = package.joinpath("page.html").read_text("utf-8")
    if template.count(_MARKER) != 1:  # pragma: no cover - guards the packaged template
        raise RuntimeError("page.html must hold the generated-code marker exactly once")
    return template.replace(_MARKER, package.joinpath("_generated.js").read_text("utf-8"))
