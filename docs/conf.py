"""Sphinx configuration: the API reference from the docstrings, and the example notebooks.

Offline, to build and to read: no intersphinx, no remote theme assets, and the maths
typeset at build time by LaTeX into SVG images (``sphinx.ext.imgmath``: ``latex``,
``dvisvgm`` and ``preview.sty``), so no page loads a script from the network. Build with
warnings as errors: ``sphinx-build -W docs docs/_build/html`` (``tests/test_docs.py``
does, where Sphinx and LaTeX are installed).
"""

from __future__ import annotations

import inspect
import os
import re
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))
# momentum_cli_docs: the command-line page, generated from the parser; latex_tools
sys.path.insert(0, str(DOCS / "_ext"))

from latex_tools import missing_latex  # noqa: E402 (docs/_ext is on the path from here)

_MISSING = missing_latex()
if _MISSING is not None:  # said first, in one line; the build stops before any formula
    from sphinx.errors import ConfigError

    _LINE = f"the docs draw their maths with LaTeX at build time: {_MISSING}"
    print(_LINE, file=sys.stderr, flush=True)
    raise ConfigError(_LINE)

project = "momentum-theory"
author = "The momentum-theory authors"
copyright = "2026, The momentum-theory authors"
release = version = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.imgmath",
    "numpydoc",
    "myst_nb",
    "momentum_cli_docs",
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
# a member without a docstring of its own is left out, not given its base class's (SymPy's)
autodoc_inherit_docstrings = False
try:  # numerics.compiled needs numba (the fast extra); without it, its page is read from a mock
    import numba  # noqa: F401

    autodoc_mock_imports: list[str] = []
except ImportError:
    autodoc_mock_imports = ["numba"]
autodoc_typehints = "none"  # numpydoc's Parameters sections say the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

html_theme = "alabaster"
html_static_path: list[str] = []

# maths as SVG drawn by LaTeX at build time: readable offline, with no script at all
imgmath_image_format = "svg"
imgmath_use_preview = True  # reports each formula's depth, so inline maths sits on the baseline
# the notebooks write $...$ and $$...$$, as Jupyter does
myst_enable_extensions = ["dollarmath", "amsmath"]

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


_DOLLARS = re.compile(r"\$([^$]+)\$")


def _constant_docstring(app, what, name, obj, options, lines) -> None:
    """A constant without a docstring of its own reads as the docs say, not as its type.

    autodoc gives ``.. autodata::`` of, say, a tuple the docstring of ``tuple``; the
    directive's content (in ``docs/api``) describes it instead. A method constant reads
    as its own ``description``.
    """
    from theory.methods import Method

    if what != "data":
        return
    if isinstance(obj, Method):
        # "\ " separates a role from a word it touches ("momentum=$\beta$")
        text = _DOLLARS.sub(lambda m: "\\ :math:`" + m.group(1) + "`\\ ", obj.description)
        lines[:] = [text, ""]
    elif (
        inspect.getdoc(type(obj)) and "\n".join(lines).strip() == inspect.getdoc(type(obj)).strip()
    ):
        lines[:] = []


def _without_anyfontsize() -> None:
    """Drop ``anyfontsize`` from imgmath's LaTeX preamble.

    It only quiets size-substitution warnings, and none arise at the default 12 pt; it lives
    in texlive-latex-extra (80 MB), which nothing else needs. (A template of our own in
    ``templates_path`` would do the same, but Sphinx 9.0 fails to load one.)
    """
    from sphinx.ext import imgmath

    original = imgmath.generate_latex_macro
    if getattr(original, "without_anyfontsize", False):
        return

    def generate_latex_macro(*args, **kwargs):
        return original(*args, **kwargs).replace("\\usepackage{anyfontsize}\n", "")

    generate_latex_macro.without_anyfontsize = True
    imgmath.generate_latex_macro = generate_latex_macro


def setup(app):
    app.connect("autodoc-process-docstring", _constant_docstring, priority=400)  # before numpydoc
    app.connect("autodoc-process-docstring", _escape_bars)
    _without_anyfontsize()
