"""Methods as NumPy functions: the numeric view of a method's SymPy theory.

:func:`numeric_method` gives a :class:`NumericMethod`: the trace and
determinant of the method's state matrix (from which :mod:`numerics.rates`
gets the spectral radius in closed form), the curvatures where stability is
lost, the update equations the simulator runs, and R and the noise input as
polynomials in lambda. The built-in methods come from
:mod:`numerics._generated_methods`, written ahead of time by
:mod:`numerics.codegen` (so this path imports no SymPy); a
:class:`theory.Method` of your own is compiled by :mod:`numerics.codegen` on
first use.

Examples
--------
>>> m = numeric_method("heavy_ball")
>>> m.state, m.position, [float(c) for c in m.coefficients(0.5, 0.25, 1.0)]
(('v', 'x'), 'x', [1.0, -0.75, 0.25])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import numpy as np

from numerics._generated_methods import METHODS
from numerics.checks import real_array
from theory.errors import ParameterError, describe

if TYPE_CHECKING:
    from theory.methods import Method

__all__ = ["PARAMETER_RANGES", "NumericMethod", "iterate", "numeric_method"]

#: the built-in methods' further parameters: (low, high, as a message says it), both ends in
#: (QHM's weight nu in [0, 1], Ma and Yarats 2019; PyTorch's dampening in [0, 1], weight decay
#: >= 0, as theory.torch_sgd and the command line hold them)
PARAMETER_RANGES = {
    "nu": (0.0, 1.0, "in [0, 1]"),
    "dampening": (0.0, 1.0, "in [0, 1]"),
    "weight_decay": (0.0, np.inf, ">= 0"),
}

#: names users may pass for the built-in methods (kept in step with theory.methods)
_ALIASES = {
    "heavy-ball": "heavy_ball",
    "momentum": "heavy_ball",
    "nesterov-sutskever": "nesterov_sutskever",
}


@dataclass(frozen=True, eq=False)
class NumericMethod:
    """NumPy functions of one method; build with :func:`numeric_method`.

    ``state`` names the state variables (``position`` is the iterate x),
    ``extra`` the parameters besides (eta, beta). Each update is
    ``(target, f)`` with ``f(*state, eta, beta, *extra, g)``, ``g`` the
    gradient function.
    """

    name: str
    state: tuple[str, ...]
    position: str
    extra: tuple[str, ...]
    trace: Callable
    det: Callable
    coefficients_of: Callable
    lam_bounds_of: Callable
    updates: tuple[tuple[str, Callable], ...]
    first_updates: tuple[tuple[str, Callable], ...] | None
    noise_R: Callable
    noise_b: Callable
    #: the theory.Method it was compiled from (None for the built-ins: see .method)
    source: object = None
    #: ``f(beta, lam, *extra)``: the step sizes where a stability condition changes at
    #: curvature lam (None when they have no closed form)
    eta_bounds_of: Callable | None = None
    #: ``f(eta, beta, lam, *extra)``: R[x, x], and the list of R[x, s] for the other states
    own_of: Callable | None = None
    coupling_of: Callable | None = None
    #: the characteristic polynomial depends on (eta, lam) through eta*lam alone, so the
    #: spectrum may be scaled by s and the step by 1/s (every built-in but weight decay's)
    scale_free: bool = False

    def __repr__(self) -> str:  # its fields are compiled functions: the name says which
        return f"NumericMethod({self.name!r})"

    @property
    def states(self) -> int:
        return len(self.state)

    @property
    def method(self) -> Method:
        """The :class:`theory.Method` (imports SymPy for the built-ins)."""
        if self.source is not None:
            return self.source
        from theory.methods import get_method

        return get_method(self.name)

    def extra_values(self, params: dict) -> list[np.ndarray]:
        """The method's extra parameters (e.g. nu) in order, checked: none missing, none unknown."""
        missing = [p for p in self.extra if p not in params]
        unknown = [p for p in params if p not in self.extra]
        if missing or unknown:
            wanted = ", ".join(self.extra) or "none"
            raise ParameterError(
                f"method {self.name} takes the parameters ({wanted}): "
                f"missing {missing or 'none'}, unknown {unknown or 'none'}"
            )
        values = []
        for name in self.extra:
            # complex, text, 10**400, NaN: refused as eta and beta are, naming the parameter
            value = real_array(params[name], name)
            allowed = PARAMETER_RANGES.get(name)
            if allowed is not None and not ((value >= allowed[0]) & (value <= allowed[1])).all():
                raise ParameterError(f"'{name}' must be {allowed[2]}: {describe(params[name])}")
            values.append(value)
        return values

    def extra_scalars(self, params: dict) -> list[float]:
        """As :meth:`extra_values`, each a single number (for one point's computations)."""
        values = self.extra_values(params)
        for name, value in zip(self.extra, values, strict=True):
            if value.ndim:
                raise ParameterError(f"'{name}' must be a single number: {describe(params[name])}")
        return [float(v) for v in values]

    def trace_det(self, e, b, lm, **params) -> tuple[np.ndarray, np.ndarray]:
        """Trace and determinant of R, broadcast over the inputs."""
        args = [e, b, lm, *self.extra_values(params)]
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray(self.trace(*args), float), np.asarray(self.det(*args), float)

    def coefficients(self, e, b, lm, **params) -> list[np.ndarray]:
        """Coefficients of det(z I - R), highest power first, broadcast over the inputs."""
        args = [e, b, lm, *self.extra_values(params)]
        shape = np.broadcast_shapes(*(np.shape(a) for a in args))
        return [np.broadcast_to(np.asarray(c, float), shape) for c in self.coefficients_of(*args)]

    def alone(self, e, b, lm, **params) -> tuple[np.ndarray, np.ndarray]:
        """(mask, R[x, x]): where no other state moves x, and x's own factor there.

        Where the mask holds, x obeys x' = R[x, x] x by itself (the other modes
        are not seen in x: QHM at nu = 0), so its rate is |R[x, x]|.
        """
        args = [e, b, lm, *self.extra_values(params)]
        shape = np.broadcast_shapes(*(np.shape(a) for a in args))
        if self.states == 1 or self.coupling_of is None:
            return np.zeros(shape, bool), np.zeros(shape)
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            mask = np.ones(shape, bool)
            # a coupling is zero where a factor is (QHM's -beta eta nu at nu = 0), not where a
            # product of tiny factors underflows (nu = 5e-324): judged in long double, whose
            # range holds products of a dozen subnormal doubles
            wide = [np.asarray(a, dtype=np.longdouble) for a in args]
            for c in self.coupling_of(*wide):
                mask &= np.asarray(c) == 0
            own = np.broadcast_to(np.asarray(self.own_of(*args), float), shape)
        return mask, own

    def lam_bounds(self, e, b, **params) -> list[np.ndarray]:
        """Candidate curvatures where stability is lost (from the derived Jury conditions)."""
        args = [e, b, *self.extra_values(params)]
        shape = np.broadcast_shapes(*(np.shape(a) for a in args))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return [np.broadcast_to(np.asarray(c, float), shape) for c in self.lam_bounds_of(*args)]

    def eta_bounds(self, b, lm, **params) -> list[np.ndarray] | None:
        """Candidate step sizes where stability is lost at curvature lm; None without a closed form."""
        if self.eta_bounds_of is None:
            return None
        # in long double (where it is wider): lam (2 beta + 1) and the like cannot overflow
        # for any float lam, so an edge inside the float range is found inside it
        args = [np.asarray(a, np.longdouble) for a in (b, lm, *self.extra_values(params))]
        shape = np.broadcast_shapes(*(a.shape for a in args))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            return [
                np.broadcast_to(np.asarray(c, np.longdouble).astype(float), shape)
                for c in self.eta_bounds_of(*args)
            ]


def _from_spec(spec: dict, source=None) -> NumericMethod:
    return NumericMethod(
        name=spec["name"],
        state=spec["state"],
        position=spec["position"],
        extra=spec["extra"],
        trace=spec["trace"],
        det=spec["det"],
        coefficients_of=spec["coefficients"],
        lam_bounds_of=spec["lam_bounds"],
        updates=spec["updates"],
        first_updates=spec["first_updates"],
        noise_R=spec["noise_R"],
        noise_b=spec["noise_b"],
        source=source,
        eta_bounds_of=spec.get("eta_bounds"),
        own_of=spec.get("own"),
        coupling_of=spec.get("coupling"),
        scale_free=spec.get("scale_free", False),
    )


@cache
def _builtin(name: str) -> NumericMethod:
    return _from_spec(METHODS[name])


@lru_cache(maxsize=32)
def _compiled(method: Method) -> NumericMethod:
    from numerics.codegen import compile_method

    return _from_spec(compile_method(method), source=method)


def numeric_method(method: str | Method | NumericMethod) -> NumericMethod:
    """The NumPy view of a method given by name or as a :class:`theory.Method`."""
    if isinstance(method, NumericMethod):
        return method
    if isinstance(method, str):
        key = _ALIASES.get(method, method)
        if key not in METHODS:
            allowed = ", ".join(sorted(METHODS))
            raise ParameterError(f"'method' must be one of {allowed}: {method!r}")
        return _builtin(key)
    from theory.methods import Method, get_method

    if not isinstance(method, Method):
        get_method(method)  # raises the ParameterError naming the allowed methods
    if method.name in METHODS and method == get_method(method.name):
        return _builtin(method.name)
    return _compiled(method)


def iterate(method, x0, eta, beta, gradient: Callable, steps: int, **params) -> list:
    """x_0, ..., x_steps of the method's own update equations, the auxiliary state starting at 0.

    Any arithmetic serves: floats, NumPy arrays (a batch of starts or of
    parameters, broadcast), polynomials in lambda, or a performance-estimation
    program's symbolic points; ``gradient(y)`` returns the gradient at ``y`` in
    the same arithmetic. PyTorch's first step (the buffer starts at the
    undamped gradient) is taken where the method has one. No checks: callers
    validate their parameters.
    """
    m = numeric_method(method)
    # one value as a Python float: a 0-d array does not multiply every arithmetic's numbers
    # (a performance-estimation program's points refuse it)
    extra = [float(v) if v.ndim == 0 else v for v in m.extra_values(params)]
    state = {s: 0 * x0 for s in m.state}
    state[m.position] = x0
    xs = [x0]
    for k in range(1, steps + 1):
        for target, fn in m.first_updates if k == 1 and m.first_updates else m.updates:
            state[target] = fn(*(state[s] for s in m.state), eta, beta, *extra, gradient)
        xs.append(state[m.position])
    return xs
