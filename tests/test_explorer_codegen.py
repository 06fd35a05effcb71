"""The explorer's committed script is what the SymPy theory prints today.

``momentum explore`` reads ``momentum_cli/explorer/_generated.js`` instead of
deriving it; here it is regenerated from the theory and compared, so an edit
to a method's equations (or to the file by hand) fails until
``python -m momentum_cli.explorer.codegen`` is rerun. That the printed formulas agree with
:mod:`numerics` is checked in the browser by ``tests/test_explorer.py``.
"""

import functools

from momentum_cli.explorer import explorer_html
from momentum_cli.explorer.codegen import (
    EXPLORER_METHODS,
    GENERATED_SCRIPT,
    explorer_script,
    write_explorer_script,
)


@functools.cache
def script() -> str:
    return explorer_script()


def test_generated_script_is_the_generators_output():
    assert GENERATED_SCRIPT.read_text(encoding="utf-8") == script(), (
        "momentum_cli/explorer/_generated.js is stale: run python -m momentum_cli.explorer.codegen"
    )


def test_page_inlines_the_generated_script_once():
    page = explorer_html()
    assert page.count(script()) == 1
    assert "/*@GENERATED@*/" not in page
    assert all(f"  {key}: {{\n" in page for key, _ in EXPLORER_METHODS)


def test_write_explorer_script_writes_the_generators_output(tmp_path):
    path = write_explorer_script(tmp_path / "methods.js")
    assert path.read_text(encoding="utf-8") == script()
