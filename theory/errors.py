"""Errors raised by the toolkit: every one is a ``ValueError``.

Messages name the parameter, the allowed range and the value received, in
the form ``"'beta' must be in (-1, 1): 1.2"``.
"""

from __future__ import annotations

__all__ = [
    "ClaimError",
    "DataError",
    "MomentumError",
    "NotSPDError",
    "ParameterError",
    "describe",
    "shortest",
]


class MomentumError(ValueError):
    """Base class of the toolkit's errors."""


class ParameterError(MomentumError):
    """A parameter is outside the range a function supports."""


class NotSPDError(ParameterError):
    """A matrix that must be symmetric positive definite is not."""


class DataError(MomentumError):
    """A data file cannot be read as regression data: the message says where and why."""


class ClaimError(MomentumError):
    """A derivation step claimed something that SymPy could not verify."""


def describe(value, limit: int = 60) -> str:
    """``repr(value)`` for a message, at most about ``limit`` characters.

    Python refuses to print integers of more than 4300 digits; such a value
    (and any long one) is shown by its start and its size instead.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * limit:
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    try:
        text = repr(value)
    except ValueError:  # an int too long for str() inside a container
        return f"a {type(value).__name__} too large to print"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def shortest(value) -> str:
    """A number for a message: the shortest text that reads back as the same double.

    ``0.3``, not ``0.29999999999999999`` (``%.17g``), ``np.float64(0.3)`` or
    ``0.300000000000000``; a whole number without its ``.0``.

    >>> shortest(0.1 * 3), shortest(0.3), shortest(39.0), shortest(1e-20)
    ('0.30000000000000004', '0.3', '39', '1e-20')
    """
    try:
        text = repr(float(value))
    except (TypeError, ValueError, OverflowError):
        return describe(value)
    return text.removesuffix(".0")
