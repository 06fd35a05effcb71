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

from theory.engine.claims import solves
from theory.engine.derivation import Derivation, equivalent, gt, identity, lt
from theory.engine.named import Named, defined
from theory.methods import GRADIENT_DESCENT, state_matrix
from theory.symbols import L, eta, kappa, lam, mu, t

__all__ = ["derive_gd"]


def derive_gd() -> Derivation:
    """Derive gradient descent's rate, stability, best step and tuned rate on [mu, L]."""
    (x,) = GRADIENT_DESCENT.state
    R = state_matrix(GRADIENT_DESCENT)[0, 0]
    factor = sp.Add(1, -eta * lam, evaluate=False)
    x_t, x0 = sp.Symbol("x_t"), sp.Symbol("x_0")
    # x_{t+1} is the update applied to x_t; x_t the closed form, checked through its step
    x_next = Named("x_{t+1}", R.subs(x, x_t) * x_t)
    closed = sp.Mul(sp.Pow(factor, t, evaluate=False), x0, evaluate=False)
    ratio = defined("x", t, closed.doit(), subscript=True)
    steps = [
        identity(
            r"One step of $x \leftarrow x - \eta g(x)$ with $g(x) = \lambda x$ multiplies $x$ by "
            r"$1 - \eta\lambda$.",
            x_next,
            sp.Mul(factor, x_t, evaluate=False),
        ),
        identity(
            r"So after $t$ steps $x_t = (1 - \eta\lambda)^t x_0$: this closed form takes the "
            r"same step from $t$ to $t + 1$,",
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
            sp.Abs(factor),
            result="rate",
        ),
        equivalent(
            r"It converges iff $|1 - \eta\lambda| < 1$, that is $1 - \eta\lambda < 1$",
            lt(factor, 1),
            gt(eta * lam, 0),
            result="condition",
        ),
        equivalent(
            r"and $1 - \eta\lambda > -1$.",
            gt(factor, -1),
            lt(eta * lam, 2),
            result="condition",
        ),
        solves(
            r"The rate $|1 - \eta\lambda|$ is smallest, zero, at one step size:",
            sp.Eq(factor, 0),
            eta,
            1 / lam,
        ),
    ]
    eta_opt = 2 / (mu + L)
    steps += [
        solves(
            r"On a spectrum $[\mu, L]$ the worst rate $\max(|1 - \eta\mu|, |1 - \eta L|)$ is "
            r"smallest where the two ends balance:",
            sp.Eq(
                sp.Add(1, -eta * mu, evaluate=False),
                sp.Add(sp.Mul(eta, L, evaluate=False), -1, evaluate=False),
            ),
            eta,
            eta_opt,
            result="eta_opt",
        ),
        identity(
            r"There the rate is, with $\kappa = L/\mu$,",
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
        remarks=(
            r"D2L writes the decoupled update as "
            r"$z_t = (I - \Lambda) z_{t-1}$; the step size is missing: it is "
            r"$z_t = (I - \eta\Lambda) z_{t-1}$.",
        ),
    )
