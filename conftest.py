"""Doctests of modules that need an optional extra are skipped, visibly, where it is missing."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
#: module file -> (the package its examples import, the extra that installs it)
NEEDS = {"numerics/hessian.py": ("torch", "torch")}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if type(item).__name__ != "DoctestItem":
            continue
        need = NEEDS.get(Path(item.path).resolve().relative_to(ROOT).as_posix())
        if need is not None and importlib.util.find_spec(need[0]) is None:
            reason = f"{need[0]} not installed: pip install '.[{need[1]}]'"
            item.add_marker(pytest.mark.skip(reason=reason))
