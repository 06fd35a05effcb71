"""Short reprs for results that hold arrays: each array summarised by its shape and range.

A dataclass's own repr prints every array in full (a 200 x 200 rate grid is
forty thousand numbers in a notebook cell); :func:`array_repr` prints the
scalar fields as they are and each array as ``array(41x50 in [0.1, 2.3])``.
A result class takes it with ``__repr__ = array_repr`` in its body (the
dataclass keeps a ``__repr__`` its class defines).

Examples
--------
>>> import numpy as np
>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Grid:
...     lam: float
...     rho: np.ndarray
...     __repr__ = array_repr
>>> Grid(1.0, np.linspace(0.1, 2.3, 2050).reshape(41, 50))
Grid(lam=1.0, rho=array(41x50 in [0.1, 2.3]))
>>> Grid(2.0, np.array([0.5, np.inf]))
Grid(lam=2.0, rho=array([0.5, inf]))
"""

from __future__ import annotations

import dataclasses

import numpy as np

__all__ = ["array_repr", "array_summary"]

#: arrays of at most this many values print in full
SHOWN_IN_FULL = 6


def array_summary(values: np.ndarray) -> str:
    """``array(41x50 in [0.1, 2.3])``: shape and range (finite values), or the values if few."""
    a = np.asarray(values)
    if a.size <= SHOWN_IN_FULL:
        return f"array({a.tolist()!r})"
    shape = "x".join(str(n) for n in a.shape)
    if a.dtype == bool:
        return f"array({shape} bool, {int(a.sum())} true)"
    if a.dtype.kind not in "iuf":
        return f"array({shape} {a.dtype})"
    finite = a[np.isfinite(a)]
    if not finite.size:
        return f"array({shape}, none finite)"
    lo, hi = (float(f"{v:.4g}") for v in (finite.min(), finite.max()))
    text = f"array({shape} in [{lo:g}, {hi:g}]"
    if finite.size < a.size:
        text += f", {a.size - finite.size} not finite"
    return text + ")"


def array_repr(self) -> str:
    """A dataclass's repr with every array field summarised by :func:`array_summary`."""
    fields = []
    for f in dataclasses.fields(self):
        if not f.repr:
            continue
        value = getattr(self, f.name)
        shown = array_summary(value) if isinstance(value, np.ndarray) else repr(value)
        fields.append(f"{f.name}={shown}")
    return f"{type(self).__name__}({', '.join(fields)})"
