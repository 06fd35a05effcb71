r"""Gradient descent on f(x) = lambda/2 x^2 and on a spectrum [mu, L].

.. math:: x_{t+1} = x_t - \eta \lambda x_t = (1 - \eta\lambda) x_t

Examples
--------
>>> from theory.gradient_descent import derive_gd
>>> derive_gd().results["eta_opt"]
2/(L + mu)
"""

from __future__ import annotations

import sympy as sp

from theory.decoupling import d2l_step_remark
from theory.engine.claims import solves
from theory.engine.derivation import Derivation, equivalent, gt, identity, lt
from theory.engine.named import Named, defined
from theory.engine.printing import Written
from theory.engine.prose import Assign, say
from theory.methods import GRADIENT_DESCENT, state_matrix
from theory.symbols import L, eta, grad, kappa, lam, mu, t

__all__ = ["derive_gd"]


def derive_gd() -> Derivation:
    """Derive gradient descent's rate, stability, best step and tuned rate on [mu, L]."""
    (x,) = GRADIENT_DESCENT.state
    R = state_matrix(GRADIENT_DESCENT)[0, 0]
    factor = sp.Add(1, -eta * lam, evaluate=False)
    rate = sp.Abs(Written(factor))  # |1 - eta lambda|, as written
    ((_, update),) = GRADIENT_DESCENT.updates
    x_t, x0 = sp.Symbol("x_t"), sp.Symbol("x_0")
    # x_{t+1} is the update applied to x_t; x_t the closed form, checked through its step
    x_next = Named("x_(t+1)", R.subs(x, x_t) * x_t, latex="x_{t+1}")
    closed = sp.Mul(sp.Pow(factor, t, evaluate=False), x0, evaluate=False)
    ratio = defined("x", t, closed.doit(), subscript=True)
    steps = [
        identity(
            say(
                "One step of {update} with {gradient} multiplies {x} by {factor}.",
                update=Assign(x, update),
                gradient=sp.Eq(grad(x), lam * x, evaluate=False),
                x=x,
                factor=factor,
            ),
            x_next,
            sp.Mul(factor, x_t, evaluate=False),
        ),
        identity(
            say(
                "So after {t} steps {closed}: this closed form takes the same step from {t} to "
                "{next},",
                t=t,
                closed=sp.Eq(ratio(t), closed, evaluate=False),
                next=sp.Add(t, 1, evaluate=False),
            ),
            ratio(sp.Add(t, 1, evaluate=False)) / ratio(t),
            factor,
            display=(
                sp.Mul(ratio(sp.Add(t, 1, evaluate=False)), sp.Pow(ratio(t), -1), evaluate=False),
                factor,
            ),
        ),
    ]
    steps += [
        identity(
            "Its rate is the modulus of the factor.",
            Named("ρ", sp.Abs(R), latex=r"\rho"),
            rate,
            result="rate",
        ),
        equivalent(
            say(
                "It converges iff {both}, that is {below}",
                both=lt(rate, 1),
                below=lt(factor, 1),
            ),
            lt(factor, 1),
            gt(eta * lam, 0),
            result="condition",
        ),
        equivalent(
            say("and {above}.", above=gt(factor, -1)),
            gt(factor, -1),
            lt(eta * lam, 2),
            result="condition",
        ),
        solves(
            say("The rate {rate} is smallest, zero, at one step size:", rate=rate),
            sp.Eq(factor, 0),
            eta,
            1 / lam,
        ),
    ]
    eta_opt = 2 / (mu + L)
    steps += [
        solves(
            say(
                "On a spectrum {spectrum} the worst rate {worst} is smallest where the two ends "
                "balance:",
                spectrum=sp.Interval(mu, L),
                worst=sp.Max(
                    *(
                        sp.Abs(
                            Written(sp.Add(1, sp.Mul(-1, eta, e, evaluate=False), evaluate=False))
                        )
                        for e in (mu, L)
                    ),
                    evaluate=False,
                ),
            ),
            sp.Eq(
                sp.Add(1, -eta * mu, evaluate=False),
                sp.Add(sp.Mul(eta, L, evaluate=False), -1, evaluate=False),
            ),
            eta,
            eta_opt,
            result="eta_opt",
        ),
        identity(
            say("There the rate is, with {kappa},", kappa=sp.Eq(kappa, L / mu, evaluate=False)),
            Named("ρ*", (1 - eta_opt * mu).subs(L, kappa * mu), latex=r"\rho^*"),
            (kappa - 1) / (kappa + 1),
            result="rate_opt",
        ),
    ]
    return Derivation(
        title="Gradient descent",
        steps=tuple(steps),
        results={
            "rate": sp.Abs(R),
            "condition": sp.And(gt(eta * lam, 0), lt(eta * lam, 2)),
            "eta_opt": eta_opt,
            "rate_opt": (kappa - 1) / (kappa + 1),
        },
        remarks=(d2l_step_remark(),),
    )
