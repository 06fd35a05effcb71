"""Checks of the values a caller passes in: real arrays, whole numbers, sizes.

Every refusal is a :class:`theory.errors.ParameterError` (a ``ValueError``)
naming the parameter, the allowed range and the value received; the value
is shown shortened, so a huge input never makes a huge (or failing) message.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from theory.errors import ParameterError, describe

__all__ = ["MAX_POINTS", "count", "points", "real_array", "real_number"]

#: the most points one call evaluates at once (a float64 array of them is 381 MiB); larger
#: requests are refused before anything is allocated (reductions over more stream in chunks)
MAX_POINTS = 50_000_000


def points(shape: tuple[int, ...], what: str) -> int:
    """The number of points of ``shape``, refused above :data:`MAX_POINTS` before any allocation."""
    n = math.prod(shape)
    if n > MAX_POINTS:
        raise ParameterError(
            f"{what} of shape {shape} is {n:,} points, {n * 8 / 2**30:,.1f} GiB a float64 "
            f"array: at most {MAX_POINTS:,} points in one call"
        )
    return n


def _detached(value):
    """Torch tensors (any device, requiring grad or not) as NumPy arrays; in lists too.

    A tensor's value is the number the toolkit computes with. Its results are
    NumPy arrays, which carry no gradient, so detaching loses nothing they
    could have held; refusing would make every caller write ``.detach()``.
    """
    if type(value).__module__.split(".")[0] == "torch" and hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    if isinstance(value, list | tuple):
        return [_detached(v) for v in value]
    return value


def real_array(value, name: str, *, finite: bool = True) -> np.ndarray:
    """``value`` as a float64 array; complex, non-numeric or (by default) non-finite values refused.

    Torch tensors are read by value (detached, on the CPU): see :func:`_detached`.
    """
    try:
        with warnings.catch_warnings():
            # a complex value would be truncated with a ComplexWarning: refuse it instead
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            value = _detached(value)
            if np.iscomplexobj(value):
                raise TypeError("complex")
            arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError, np.exceptions.ComplexWarning) as exc:
        raise ParameterError(
            f"'{name}' must be a real number or array of them: {describe(value)}"
        ) from exc
    if finite and not np.isfinite(arr).all():
        raise ParameterError(f"'{name}' must be finite: {describe(value)}")
    return arr


def real_number(value, name: str) -> float:
    """One finite real number as a float."""
    arr = real_array(value, name)
    if arr.ndim != 0:
        raise ParameterError(f"'{name}' must be a single number: {describe(value)}")
    return float(arr)


def count(value, name: str, lo: int, hi: int) -> int:
    """A whole number in ``[lo, hi]``; a bool, float with a fraction or text is refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real | np.integer):
        raise TypeError(f"'{name}' must be an integer in [{lo:,}, {hi:,}]: {describe(value)}")
    if isinstance(value, float | np.floating) and not (np.isfinite(value) and value == int(value)):
        raise ParameterError(f"'{name}' must be an integer in [{lo:,}, {hi:,}]: {describe(value)}")
    if not lo <= value <= hi:
        raise ParameterError(f"'{name}' must be an integer in [{lo:,}, {hi:,}]: {describe(value)}")
    return int(value)
