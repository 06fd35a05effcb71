"""Errors raised by the toolkit: every one is a ``ValueError``.

Messages name the parameter, the allowed range and the value received, in
the form ``"'beta' must be in (-1, 1): 1.2"``.
"""

from __future__ import annotations

__all__ = ["ClaimError", "MomentumError", "NotSPDError", "ParameterError"]


class MomentumError(ValueError):
    """Base class of the toolkit's errors."""


class ParameterError(MomentumError):
    """A parameter is outside the range a function supports."""


class NotSPDError(ParameterError):
    """A matrix that must be symmetric positive definite is not."""


class ClaimError(MomentumError):
    """A derivation step claimed something that SymPy could not verify."""
