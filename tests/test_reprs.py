"""Results that hold arrays print a summary, not every number (a notebook cell stays readable)."""

import dataclasses
import importlib
import pkgutil
import typing

import numpy as np

import numerics
from numerics.reprs import array_repr, array_summary


def test_a_rate_grid_prints_its_shape_and_range():
    grid = numerics.rate_grid(np.linspace(0.01, 4, 200), np.linspace(0, 0.99, 200))
    text = repr(grid)
    assert len(text) < 300, text
    assert "eta=array(200 in [0.01, 4])" in text and "rho=array(200x200 in [" in text
    assert f"{float(grid.rho.max()):.4g}" in text and "NumericMethod('heavy_ball')" in text


def test_summaries_say_what_is_not_finite_and_show_short_arrays_whole():
    assert array_summary(np.array([1.0, np.nan, 3.0] * 3)) == "array(9 in [1, 3], 3 not finite)"
    assert array_summary(np.array([0.5, 2.0])) == "array([0.5, 2.0])"
    assert array_summary(np.full(8, np.inf)) == "array(8, none finite)"
    assert array_summary(np.arange(10) > 4) == "array(10 bool, 5 true)"


def _result_classes():
    """Every dataclass of the numerics package with an array field."""
    for info in pkgutil.walk_packages(numerics.__path__, "numerics."):
        if info.name.startswith(("numerics.plots", "numerics._generated")):
            continue
        if info.name.endswith("__main__"):  # a script: importing it would run it
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if not (dataclasses.is_dataclass(obj) and isinstance(obj, type)):
                continue
            if obj.__module__ != module.__name__:
                continue
            hints = typing.get_type_hints(obj)
            if any("ndarray" in str(hints.get(f.name)) for f in dataclasses.fields(obj)):
                yield obj


#: results not yet summarised (none: a new one takes ``__repr__ = array_repr``)
_PENDING: set[str] = set()


def test_every_result_with_arrays_summarises_them():
    classes = list(_result_classes())
    assert {"RateGrid", "Trajectory", "WorstCaseGrid"} <= {c.__name__ for c in classes}
    for cls in classes:
        if f"{cls.__module__}.{cls.__qualname__}" in _PENDING:
            continue
        assert cls.__repr__ is array_repr, cls.__name__
