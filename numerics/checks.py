"""Checks of the values a caller passes in: real arrays, whole numbers, sizes.

Every refusal is a :class:`theory.errors.ParameterError` (a ``ValueError``)
naming the parameter, the allowed range and the value received; the value
is shown shortened, so a huge input never makes a huge (or failing) message.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from theory.errors import ParameterError, describe

__all__ = ["count", "real_array", "real_number"]


def real_array(value, name: str, *, finite: bool = True) -> np.ndarray:
    """``value`` as a float64 array; complex, non-numeric or (by default) non-finite values refused."""
    try:
        with warnings.catch_warnings():
            # a complex value would be truncated with a ComplexWarning: refuse it instead
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
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
