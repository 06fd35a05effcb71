"""The one bridge from a method's SymPy theory to NumPy functions.

:func:`numeric_method` turns a :class:`theory.Method` into fast NumPy
callables: the trace and determinant of its state matrix (from which
:mod:`numerics.rates` gets the spectral radius in closed form), the largest
stable curvature, and the compiled update equations the simulator runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from theory.errors import ParameterError

if TYPE_CHECKING:
    from theory.methods import Method

__all__ = ["NumericMethod", "compile_updates", "numeric_method"]


@dataclass(frozen=True)
class NumericMethod:
    """NumPy callables for one method; build with :func:`numeric_method`."""

    method: Method
    _trace: object
    _det: object
    _lam_bounds: object
    _extra: tuple[str, ...]
    _coeffs: object = None

    @property
    def name(self) -> str:
        return self.method.name

    @property
    def states(self) -> int:
        return len(self.method.state)

    def extra_values(self, params: dict) -> list[np.ndarray]:
        """The method's extra parameters (e.g. nu) in order, checked: none missing, none unknown."""
        missing = [p for p in self._extra if p not in params]
        unknown = [p for p in params if p not in self._extra]
        if missing or unknown:
            wanted = ", ".join(self._extra) or "none"
            raise ParameterError(
                f"method {self.name} takes the parameters ({wanted}): "
                f"missing {missing or 'none'}, unknown {unknown or 'none'}"
            )
        values = [np.asarray(params[p], dtype=float) for p in self._extra]
        for name, value in zip(self._extra, values, strict=True):
            if not np.isfinite(value).all():
                raise ParameterError(f"'{name}' must be finite: {params[name]!r}")
        return values

    def _args(self, e, b, lm, params: dict) -> list:
        return [e, b, lm, *self.extra_values(params)]

    def trace_det(self, e, b, lm, **params) -> tuple[np.ndarray, np.ndarray]:
        """Trace and determinant of R, broadcast over the inputs."""
        args = self._args(e, b, lm, params)
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray(self._trace(*args), float), np.asarray(self._det(*args), float)

    def coefficients(self, e, b, lm, **params) -> list[np.ndarray]:
        """Coefficients of det(z I - R), highest power first, broadcast over the inputs."""
        args = self._args(e, b, lm, params)
        shape = np.broadcast_shapes(*(np.shape(a) for a in args))
        return [np.broadcast_to(np.asarray(c, float), shape) for c in self._coeffs(*args)]

    def lam_bounds(self, e, b, **params) -> list[np.ndarray]:
        """Candidate curvatures where stability is lost (from the derived Jury conditions)."""
        args = self._args(e, b, 1.0, params)
        del args[2]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return [np.asarray(c, float) + 0.0 * e + 0.0 * b for c in self._lam_bounds(*args)]


@lru_cache(maxsize=32)
def _compile(method: Method) -> NumericMethod:
    import sympy as sp

    from theory.methods import characteristic_polynomial, state_matrix
    from theory.stability import derive_stability
    from theory.symbols import beta, eta, lam

    R = state_matrix(method)
    extra = tuple(p for p in method.parameters if p not in (eta, beta))
    symbols = [eta, beta, lam, *extra]
    trace = sp.lambdify(symbols, R.trace(), "numpy")
    det = sp.lambdify(symbols, R.det(), "numpy")
    bounds = derive_stability(method).results["lam_bounds"]
    lam_fn = sp.lambdify([eta, beta, *extra], list(bounds) or [sp.oo], "numpy")
    coeffs = sp.lambdify(symbols, characteristic_polynomial(method).all_coeffs(), "numpy")
    return NumericMethod(method, trace, det, lam_fn, tuple(str(p) for p in extra), coeffs)


def numeric_method(method: str | Method | NumericMethod) -> NumericMethod:
    """The NumPy view of a method given by name or as a :class:`theory.Method`."""
    if isinstance(method, NumericMethod):
        return method
    from theory.methods import get_method

    return _compile(get_method(method))


def compile_updates(method: Method, gradient, *, first: bool = False) -> list:
    """Each update equation as ``(target, f)``, f a NumPy function of (state..., eta, beta, extra...).

    ``gradient(y)`` is called wherever the equations write ``g(y)``; with
    ``first=True`` the method's first-step equations (if any) are compiled.
    """
    import sympy as sp

    from theory.symbols import beta, eta

    extra = [p for p in method.parameters if p not in (eta, beta)]
    args = [*method.state, eta, beta, *extra]
    updates = method.first_updates if first and method.first_updates else method.updates
    return [
        (target, sp.lambdify(args, rhs, modules=[{"g": gradient}, "numpy"]))
        for target, rhs in updates
    ]
