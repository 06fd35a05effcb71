r"""The leaky average behind momentum and its effective sample weight.

.. math::
    v_t = \beta v_{t-1} + g_t = \sum_{\tau=0}^{t-1} \beta^\tau g_{t-\tau}, \qquad
    \sum_{\tau \ge 0} \beta^\tau = \frac{1}{1 - \beta} \quad (|\beta| < 1).

Examples
--------
>>> derive_weights().results["effective_weight"]
1/(1 - beta)
"""

from __future__ import annotations

import numbers

import sympy as sp

from theory.engine.derivation import Derivation, identity
from theory.engine.named import Named, defined
from theory.errors import ParameterError, describe
from theory.symbols import beta, t, tau

__all__ = ["MAX_LEAKY_STEPS", "derive_weights", "leaky_average"]

g = sp.IndexedBase("g")


#: the most steps :func:`leaky_average` unrolls (about a second; the expression grows with it)
MAX_LEAKY_STEPS = 10_000


def leaky_average(steps: int) -> sp.Expr:
    """v_t from v_0 = 0 by running the recurrence ``steps`` times (0 to ``MAX_LEAKY_STEPS``)."""
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral):
        raise TypeError(f"'steps' must be an integer: {describe(steps)}")
    if not 0 <= steps <= MAX_LEAKY_STEPS:
        raise ParameterError(
            f"'steps' must be in [0, {MAX_LEAKY_STEPS:,}]: {describe(steps)} "
            "(the unrolled expression grows with every step)"
        )
    v = sp.Integer(0)
    for k in range(1, steps + 1):
        v = beta * v + g[k]
    return v


def _unrolled(k):
    """v_k by running the recurrence, at a whole number k; None at a symbolic one."""
    return leaky_average(int(k)) if k.is_Integer and k >= 0 else None


def derive_weights() -> Derivation:
    """Derive the expanded leaky average and the effective sample weight 1/(1 - beta)."""
    T = sp.Symbol("T", integer=True, positive=True)
    expanded = sp.Sum(beta**tau * g[t - tau], (tau, 0, t - 1))
    shifted = sp.Sum(beta ** (tau + 1) * g[t - tau], (tau, 0, t - 1))
    v = defined("v", t, _unrolled, subscript=True)
    v_t = Named("v_t", expanded)
    geometric = sp.Sum(beta**tau, (tau, 0, sp.oo))
    partial = sp.Sum(beta**tau, (tau, 0, T - 1))
    inside = (sp.Abs(beta) < 1, sp.Ne(beta, 1))
    weight = 1 / (1 - beta)
    steps = [
        identity(
            r"Unrolling $v_t = \beta v_{t-1} + g_t$ from $v_0 = 0$ gives the leaky average "
            r"(checked by running the recurrence for $t = 1, \dots, 8$)",
            v(t),
            expanded,
            cases=tuple({t: k} for k in range(1, 9)),
        ),
        identity(
            r"and for every $t$ by induction: if it holds at $t$, then $\beta v_t + g_{t+1}$ is "
            r"the same sum at $t + 1$ (the $\tau = 0$ term split off, the index shifted).",
            sp.Add(g[t + 1], shifted, evaluate=False),
            sp.Add(g[t + 1], beta * v_t, evaluate=False),
        ),
        identity(
            r"The weights sum to a geometric series, for $|\beta| < 1$,",
            geometric,
            weight,
            given=inside,
            result="effective_weight",
        ),
        identity(
            r"which the sum after $T$ steps approaches: the gap is $\beta^T/(1 - \beta)$.",
            sp.Add(weight, -partial, evaluate=False),
            beta**T / (1 - beta),
            given=inside,
        ),
    ]
    return Derivation(
        title="Leaky average and effective sample weight",
        steps=tuple(steps),
        results={"effective_weight": weight},
        remarks=(
            r"Momentum takes the effective step $\eta/(1 - \beta)$ in directions where "
            r"consecutive gradients agree.",
        ),
    )
