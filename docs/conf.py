"""Sphinx configuration: the API reference from the docstrings, and the example notebooks.

Offline: no intersphinx, no remote theme assets. Build with warnings as errors:
``sphinx-build -W docs docs/_build/html`` (``tests/test_docs.py`` does, where Sphinx
is installed).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

project = "momentum-theory"
author = "The momentum-theory authors"
copyright = "2026, The momentum-theory authors"
release = version = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
]
# the notebooks live in examples/ (run by the tests); a copy is rendered here
NOTEBOOKS = DOCS / "examples"
NOTEBOOKS.mkdir(exist_ok=True)
for notebook in sorted((ROOT / "examples").glob("*.ipynb")):
    shutil.copyfile(notebook, NOTEBOOKS / notebook.name)

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
nb_execution_mode = "force"
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_in_temp = True

autodoc_default_options = {"members": True, "undoc-members": False}
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # numpydoc's Parameters sections say the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

html_theme = "alabaster"
html_static_path: list[str] = []
# MathJax from a CDN is the only online piece; the pages read fine without it
mathjax_path = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"

# the notebooks' kernel imports the toolkit from this checkout when it is not installed
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))

_LITERAL = re.compile(r"(``.*?``|:math:`[^`]*`)")


def _escape_bars(app, what, name, obj, options, lines) -> None:
    """Docstrings write |x| for an absolute value; reST reads |x| as a substitution.

    Bars are escaped outside literals, inline maths and ``.. math::`` blocks.
    """
    in_math, indent = False, 0
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        depth = len(line) - len(stripped)
        if in_math and stripped and depth <= indent:
            in_math = False
        if stripped.startswith(".. math::"):
            in_math, indent = True, depth
            if stripped.strip() != ".. math::":
                continue
        if in_math or "|" not in line:
            continue
        parts = _LITERAL.split(line)
        lines[i] = "".join(p if k % 2 else p.replace("|", r"\|") for k, p in enumerate(parts))


def setup(app):
    app.connect("autodoc-process-docstring", _escape_bars)
