"""Methods as data: a first-order method is a list of update equations.

A :class:`Method` holds SymPy update equations in its state variables, run in
order as code runs them: on the right-hand side a state variable means its
current value, the new one if an earlier line already updated it. The
gradient is the undefined function ``g`` (:data:`theory.symbols.grad`), so
``g(x + beta*v)`` is the gradient at a look-ahead point. On the scalar
problem f(x) = lambda/2 x^2 the gradient is ``lambda * y``; from that the
state matrix, the characteristic polynomial and everything after are derived,
never typed in.

Examples
--------
>>> from theory.methods import HEAVY_BALL, state_matrix
>>> state_matrix(HEAVY_BALL).tolist()
[[beta, lambda], [-beta*eta, -eta*lambda + 1]]
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from theory.engine.derivation import gt, lt
from theory.engine.prose import Assign, say
from theory.errors import ParameterError
from theory.symbols import beta, eta, grad, lam, nu, z

__all__ = [
    "GRADIENT_DESCENT",
    "HEAVY_BALL",
    "NESTEROV",
    "NESTEROV_SUTSKEVER",
    "QHM",
    "TORCH_SGD",
    "TORCH_SGD_NESTEROV",
    "builtin_methods",
    "Method",
    "characteristic_polynomial",
    "get_method",
    "position_row",
    "state_matrix",
    "step_map",
    "torch_sgd",
]

x, v = sp.symbols("x v", real=True)


@dataclass(frozen=True)
class Method:
    """A linear first-order method with constant coefficients.

    Parameters
    ----------
    name : str
        The name users pass as ``method=`` (``"heavy_ball"``, ``"gd"``, ...).
    state : tuple of Symbol
        The state variables; the iterate itself is ``position``.
    updates : tuple of (Symbol, Expr)
        The update equations in the order they run.
    parameters : tuple of Symbol
        The hyper-parameters (``eta``, ``beta``, ...).
    position : Symbol
        The state variable that is the iterate x.
    description : str
        One line for people (a :class:`~theory.engine.prose.Sentence` when it holds maths).
    region : tuple of relations, optional
        The stability region as it is usually stated; never trusted: the
        stability derivation checks each relation against the Jury conditions.
    first_updates : tuple of (Symbol, Expr), optional
        Equations used instead of ``updates`` on the very first step (PyTorch
        starts its momentum buffer at the first gradient, undamped).
    """

    name: str
    state: tuple[sp.Symbol, ...]
    updates: tuple[tuple[sp.Symbol, sp.Expr], ...]
    parameters: tuple[sp.Symbol, ...]
    position: sp.Symbol = x
    description: str = ""
    region: tuple[sp.Basic, ...] = ()
    first_updates: tuple[tuple[sp.Symbol, sp.Expr], ...] | None = None

    def update_latex(self) -> str:
        """The update rule as LaTeX, one equation per line."""
        lines = [
            rf"{sp.latex(lhs)} &\leftarrow {sp.latex(rhs, order='none')}"
            for lhs, rhs in self.updates
        ]
        return r" \\ ".join(lines)


def step_map(method: Method | str, gradient=None) -> dict[sp.Symbol, sp.Expr]:
    """The new value of each state variable as an expression in the old state.

    ``gradient`` maps a point to the gradient there; by default the scalar
    quadratic's ``lambda * y``.
    """
    method = get_method(method)
    if gradient is None:

        def gradient(y):
            return lam * y

    values = {s: s for s in method.state}
    for lhs, rhs in method.updates:
        new = rhs.replace(grad, gradient).xreplace(values)
        values[lhs] = sp.expand(new)
    return {s: values[s] for s in method.state}


def state_matrix(method: Method | str) -> sp.Matrix:
    """The matrix R with ``state_{t+1} = R state_t`` on f(x) = lambda/2 x^2."""
    method = get_method(method)
    new = step_map(method)
    return sp.Matrix([[sp.diff(new[a], b) for b in method.state] for a in method.state])


def position_row(method: Method | str) -> tuple[sp.Expr, tuple[sp.Expr, ...]]:
    """The iterate's row of R: ``(R[x, x], (R[x, s] for every other state s))``.

    ``x' = R[x, x] x + sum_s R[x, s] s``. Where every ``R[x, s]`` vanishes, the
    other states do not move x: their modes cannot be seen in x (the pair
    ``(x, R[x, :])`` is then linearly dependent: R is not observable from x),
    x obeys ``x' = R[x, x] x`` alone and converges at the rate ``|R[x, x]|``,
    whatever the other modes do. QHM at nu = 0 is the case: x runs as gradient
    descent and the buffer's mode beta never reaches it.

    Examples
    --------
    >>> position_row("qhm")
    (beta*eta*lambda*nu - eta*lambda + 1, (-beta*eta*nu,))
    """
    method = get_method(method)
    R = state_matrix(method)
    i = method.state.index(method.position)
    others = tuple(R[i, j] for j in range(len(method.state)) if j != i)
    return R[i, i], others


def characteristic_polynomial(method: Method | str) -> sp.Poly:
    """``det(z I - R)`` as a polynomial in :data:`theory.symbols.z`."""
    return state_matrix(method).charpoly(z)


GRADIENT_DESCENT = Method(
    name="gd",
    state=(x,),
    updates=((x, x - eta * grad(x)),),
    parameters=(eta,),
    description=say("Gradient descent: {update}.", update=Assign(x, x - eta * grad(x))),
    region=(gt(eta * lam, 0), lt(eta * lam, 2)),
)

HEAVY_BALL = Method(
    name="heavy_ball",
    state=(v, x),
    updates=((v, beta * v + grad(x)), (x, x - eta * v)),
    parameters=(eta, beta),
    description=say(
        "Heavy ball, D2L's momentum and torch's SGD(momentum={beta}): {v}, {x}.",
        beta=beta,
        v=Assign(v, beta * v + grad(x)),
        x=Assign(x, x - eta * v),
    ),
    region=(gt(eta * lam, 0), lt(eta * lam, 2 * (1 + beta)), lt(beta, 1), gt(beta, -1)),
)

#: PyTorch's SGD options, as symbols so one method covers every setting
dampening = sp.Symbol("dampening", real=True)
weight_decay = sp.Symbol("weight_decay", real=True)
buf = sp.Symbol("b", real=True)  # PyTorch's momentum buffer / QHM's gradient average

_g_wd = grad(x) + weight_decay * x  # PyTorch adds weight decay to the gradient

NESTEROV = Method(
    name="nesterov",
    state=(v, x),
    updates=((v, beta * v + grad(x)), (x, x - eta * (grad(x) + beta * v))),
    parameters=(eta, beta),
    description=say(
        "Nesterov as torch's SGD(nesterov=True): {v}, {x}.",
        v=Assign(v, beta * v + grad(x)),
        x=Assign(x, x - eta * (grad(x) + beta * v)),
    ),
    region=(
        gt(eta * lam, 0),
        lt((1 + 2 * beta) * eta * lam, 2 + 2 * beta),
        lt(beta * (1 - eta * lam), 1),
        lt(beta * (eta * lam - 1), 1),
    ),
)

NESTEROV_SUTSKEVER = Method(
    name="nesterov_sutskever",
    state=(v, x),
    updates=((v, beta * v - eta * grad(x + beta * v)), (x, x + v)),
    parameters=(eta, beta),
    description=say(
        "Nesterov as in Sutskever et al. (2013): {v}, {x}.",
        v=Assign(v, beta * v - eta * grad(x + beta * v)),
        x=Assign(x, x + v),
    ),
)

QHM = Method(
    name="qhm",
    state=(buf, x),
    updates=(
        (buf, beta * buf + (1 - beta) * grad(x)),
        (x, x - eta * ((1 - nu) * grad(x) + nu * buf)),
    ),
    parameters=(eta, beta, nu),
    description="Quasi-hyperbolic momentum (Ma and Yarats 2019).",
)

TORCH_SGD = Method(
    name="torch_sgd",
    state=(v, x),
    updates=((v, beta * v + (1 - dampening) * _g_wd), (x, x - eta * v)),
    parameters=(eta, beta, dampening, weight_decay),
    description=say(
        "torch.optim.SGD(lr={eta}, momentum={beta}, dampening, weight_decay).", eta=eta, beta=beta
    ),
    first_updates=((v, _g_wd), (x, x - eta * v)),
)

TORCH_SGD_NESTEROV = Method(
    name="torch_sgd_nesterov",
    state=(v, x),
    updates=(
        (v, beta * v + (1 - dampening) * _g_wd),
        (x, x - eta * (_g_wd + beta * v)),
    ),
    parameters=(eta, beta, dampening, weight_decay),
    description=say(
        "torch.optim.SGD(lr={eta}, momentum={beta}, dampening, weight_decay, nesterov=True).",
        eta=eta,
        beta=beta,
    ),
    first_updates=((v, _g_wd), (x, x - eta * (_g_wd + beta * v))),
)

_BUILTIN = {
    m.name: m
    for m in (
        GRADIENT_DESCENT,
        HEAVY_BALL,
        NESTEROV,
        NESTEROV_SUTSKEVER,
        QHM,
        TORCH_SGD,
        TORCH_SGD_NESTEROV,
    )
}
_ALIASES = {
    "heavy-ball": "heavy_ball",
    "momentum": "heavy_ball",
    "nesterov-sutskever": "nesterov_sutskever",
}


def builtin_methods() -> tuple[str, ...]:
    """Names of the built-in methods."""
    return tuple(_BUILTIN)


def get_method(method: str | Method) -> Method:
    """Look a built-in method up by name (``gd``, ``heavy_ball`` / ``heavy-ball``)."""
    if isinstance(method, Method):
        return method
    key = _ALIASES.get(method, method)
    if key not in _BUILTIN:
        allowed = ", ".join(sorted(_BUILTIN))
        raise ParameterError(f"'method' must be one of {allowed}: {method!r}")
    return _BUILTIN[key]


def torch_sgd(
    momentum: float = 0.0, dampening: float = 0.0, nesterov: bool = False, weight_decay: float = 0.0
) -> tuple[Method, dict]:
    """The method and parameters of ``torch.optim.SGD(lr, momentum, dampening, nesterov, weight_decay)``.

    Pass ``lr`` as eta and ``momentum`` as beta to the numerics functions,
    with the returned parameters, e.g.
    ``spectral_radius(lr, momentum, lam, method, **params)``.

    Examples
    --------
    >>> method, params = torch_sgd(0.9, dampening=0.1, weight_decay=1e-4)
    >>> method.name, params
    ('torch_sgd', {'dampening': 0.1, 'weight_decay': 0.0001})
    """
    for name, value in (
        ("momentum", momentum),
        ("dampening", dampening),
        ("weight_decay", weight_decay),
    ):
        if not (isinstance(value, int | float) and value == value and abs(value) != float("inf")):
            raise ParameterError(f"'{name}' must be a finite number: {value!r}")
    if weight_decay < 0 or not 0 <= dampening <= 1 or momentum < 0:
        raise ParameterError(
            f"torch needs momentum >= 0, dampening in [0, 1], weight_decay >= 0: "
            f"{momentum}, {dampening}, {weight_decay}"
        )
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ParameterError("torch's Nesterov momentum requires a momentum and zero dampening")
    if momentum == 0:  # torch keeps no buffer: dampening does not apply
        dampening = 0.0
    method = TORCH_SGD_NESTEROV if nesterov else TORCH_SGD
    return method, {"dampening": float(dampening), "weight_decay": float(weight_decay)}
