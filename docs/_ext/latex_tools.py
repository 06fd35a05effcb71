"""What the docs' maths is drawn with (``sphinx.ext.imgmath``), and what to install when it is missing.

Used by ``docs/conf.py``, which stops the build with one line before any
formula is drawn (a missing ``dvisvgm`` or ``preview.sty`` would otherwise
show as a wall of TeX errors, one per formula), and by ``tests/test_docs.py``,
which skips the build where they are missing.
"""

from __future__ import annotations

import shutil
import subprocess

#: each program imgmath runs, and the Debian package that brings it
LATEX_TOOLS = {"latex": "texlive-latex-base", "dvisvgm": "dvisvgm", "kpsewhich": "texlive-binaries"}
#: the LaTeX package imgmath's preview mode needs, and its Debian package
PREVIEW = ("preview.sty", "preview-latex-style")


def missing_latex() -> str | None:
    """One line naming what is missing and the Debian package to install; None if nothing is."""
    for program, package in LATEX_TOOLS.items():
        if shutil.which(program) is None:
            return f"{program} is not installed (Debian: sudo apt-get install {package})"
    name, package = PREVIEW
    found = subprocess.run(["kpsewhich", name], capture_output=True, text=True)
    if not found.stdout.strip():
        return f"{name} is not installed (Debian: sudo apt-get install {package})"
    return None
