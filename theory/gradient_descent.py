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

from theory.derivation import Derivation, equivalent, gt, identity, lt
from theory.methods import GRADIENT_DESCENT, state_matrix
from theory.printing import Written
from theory.stability import schur_cohn_conditions
from theory.symbols import L, eta, kappa, lam, mu, t, z

__all__ = ["derive_gd"]


def derive_gd() -> Derivation:
    """Derive gradient descent's rate, stability, best step and tuned rate on [mu, L]."""
    (x,) = GRADIENT_DESCENT.state
    R = state_matrix(GRADIENT_DESCENT)[0, 0]
    factor = sp.Add(1, -eta * lam, evaluate=False)
    x0 = sp.Symbol("x_0")
    closed = factor.doit() ** t * x0
    steps = [
        identity(
            r"One step of $x \leftarrow x - \eta g(x)$ with $g(x) = \lambda x$ multiplies $x$ by "
            r"$1 - \eta\lambda$.",
            R * x,
            (1 - eta * lam) * x,
            display=("x_{t+1}", Written(sp.Mul(factor, sp.Symbol("x_t"), evaluate=False))),
        ),
        identity(
            r"So after $t$ steps (checked: the closed form satisfies the step).",
            closed.subs(t, t + 1) / closed,
            R,
            display=("x_t", Written(sp.Mul(sp.Pow(factor, t, evaluate=False), x0, evaluate=False))),
        ),
    ]
    cond_hi, cond_lo = schur_cohn_conditions(sp.Poly(z - R, z))
    steps += [
        equivalent(
            r"It converges iff $|1 - \eta\lambda| < 1$: first half.", cond_lo, gt(eta * lam, 0)
        ),
        equivalent(r"Second half.", cond_hi, lt(eta * lam, 2)),
        identity(
            r"The rate $|1 - \eta\lambda|$ is smallest, zero, at $\eta = 1/\lambda$.",
            R.subs(eta, 1 / lam),
            0,
            display=(r"1 - \eta\lambda \big|_{\eta = 1/\lambda}", 0),
        ),
    ]
    eta_opt = 2 / (mu + L)
    steps += [
        identity(
            r"On a spectrum $[\mu, L]$ the worst rate $\max(|1 - \eta\mu|, |1 - \eta L|)$ is "
            r"smallest where the two ends balance, $1 - \eta\mu = \eta L - 1$.",
            (1 - eta * mu - (eta * L - 1)).subs(eta, eta_opt),
            0,
            display=(r"\eta^*", eta_opt),
        ),
        identity(
            r"There the rate is, with $\kappa = L/\mu$,",
            (1 - eta_opt * mu).subs(L, kappa * mu),
            (kappa - 1) / (kappa + 1),
            display=(r"\rho^*", (kappa - 1) / (kappa + 1)),
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
            r"D2L writes the decoupled update as $z_t = (I - \Lambda) z_{t-1}$; the step size "
            r"is missing: it is $z_t = (I - \eta\Lambda) z_{t-1}$.",
        ),
    )
