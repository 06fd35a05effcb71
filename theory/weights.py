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
from theory.engine.prose import say
from theory.errors import ParameterError, describe
from theory.symbols import beta, eta, t, tau

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
    gap = beta**T / (1 - beta)
    recurrence = sp.Eq(v(t), sp.Add(beta * v(t - 1), g[t], evaluate=False), evaluate=False)
    steps = [
        identity(
            say(
                "Unrolling {recurrence} from {start} gives the leaky average (checked by running "
                "the recurrence for {t} from 1 to 8)",
                recurrence=recurrence,
                start=sp.Eq(v(0), 0, evaluate=False),
                t=t,
            ),
            v(t),
            expanded,
            cases=tuple({t: k} for k in range(1, 9)),
        ),
        identity(
            say(
                "and for every {t} by induction: if it holds at {t}, then {next} is the same sum "
                "at {t1} (the {first} term split off, the index shifted).",
                t=t,
                next=sp.Add(beta * v(t), g[t + 1], evaluate=False),
                t1=sp.Add(t, 1, evaluate=False),
                first=sp.Eq(tau, 0, evaluate=False),
            ),
            sp.Add(g[t + 1], shifted, evaluate=False),
            sp.Add(g[t + 1], beta * v_t, evaluate=False),
        ),
        identity(
            say("The weights sum to a geometric series, for {inside},", inside=inside[0]),
            geometric,
            weight,
            given=inside,
            result="effective_weight",
        ),
        identity(
            say("which the sum after {T} steps approaches: the gap is {gap}.", T=T, gap=gap),
            sp.Add(weight, -partial, evaluate=False),
            gap,
            given=inside,
        ),
    ]
    return Derivation(
        title="Leaky average and effective sample weight",
        steps=tuple(steps),
        results={"effective_weight": weight},
        remarks=(
            say(
                "Momentum takes the effective step {step} in directions where consecutive "
                "gradients agree: the step times the weights' sum, {weight}.",
                step=sp.Mul(eta, weight, evaluate=False),
                weight=weight,
            ),
        ),
    )
