"""Write the README's gallery, ``docs/images/*.png``, from the report's own figures.

Run ``python docs/gallery.py`` from the project folder after changing one of
the figures it shows; ``tests/test_docs.py`` draws them again and fails when
the images here are out of date. Each is the report's figure drawn at
:data:`DPI` (its text about as large on a screen as in the report) with a
palette of 256 colours, so the images stay small.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
#: the report's figures the README shows
GALLERY = ("rate_map", "method_rate_maps", "d2l_traces")
#: dots per inch: a 6.9 in figure is 690 pixels wide
DPI = 100


def gallery_png(name: str) -> bytes:
    """One gallery image: the report's figure ``name`` at :data:`DPI`, 256 colours."""
    from PIL import Image

    from momentum_cli.figures import render
    from momentum_cli.report.figures import FIGURES

    (spec,) = [s for s in FIGURES if s.name == name]
    fig = render(spec)
    fig.set_dpi(DPI)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    image = Image.open(io.BytesIO(out.getvalue())).convert("RGB").quantize(colors=256)
    small = io.BytesIO()
    image.save(small, format="png", optimize=True)
    return small.getvalue()


def main() -> int:
    sys.path.insert(0, str(ROOT))
    for name in GALLERY:
        path = IMAGES / f"{name}.png"
        path.write_bytes(gallery_png(name))
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
