r"""Nesterov's method on quadratics: one polynomial for two forms, its region and tuning.

PyTorch's ``nesterov=True`` (v <- beta v + g(x), x <- x - eta (g(x) + beta v))
and Sutskever et al.'s form (v <- beta v - eta g(x + beta v), x <- x + v)
share the characteristic polynomial

.. math:: z^2 - (1 + \beta)(1 - \eta\lambda) z + \beta (1 - \eta\lambda),

stable iff 0 < eta lambda < (2 + 2 beta)/(1 + 2 beta) for beta in [0, 1).
Tuned on [mu, L] (Lessard, Recht and Packard 2016):

.. math:: \eta = \frac{4}{3L + \mu}, \quad
    \beta = \frac{\sqrt{3\kappa + 1} - 2}{\sqrt{3\kappa + 1} + 2}, \quad
    \rho = 1 - \frac{2}{\sqrt{3\kappa + 1}};

the common choice eta = 1/L, beta = (sqrt(kappa) - 1)/(sqrt(kappa) + 1) has
rate 1 - 1/sqrt(kappa).

Examples
--------
>>> derive_nesterov().results["rate"]
1 - 2/sqrt(3*kappa + 1)
"""

from __future__ import annotations

import sympy as sp

from theory.derivation import Derivation, holds, identity
from theory.methods import NESTEROV, NESTEROV_SUTSKEVER, characteristic_polynomial
from theory.printing import Written
from theory.stability import derive_stability
from theory.symbols import beta, eta, kappa, lam, z

__all__ = ["derive_nesterov", "nesterov_polynomial"]

_s = sp.Symbol("s", positive=True)  # s = sqrt(3 kappa + 1)
_q = sp.Symbol("q", positive=True)  # s = 2 + q, since kappa > 1 means s > 2


def nesterov_polynomial() -> sp.Expr:
    """z^2 - (1 + beta)(1 - eta lambda) z + beta (1 - eta lambda), as written."""
    c = sp.Add(1, -eta * lam, evaluate=False)
    return sp.Add(
        z**2,
        sp.Mul(-1, sp.Add(1, beta, evaluate=False), c, z, evaluate=False),
        sp.Mul(beta, c, evaluate=False),
        evaluate=False,
    )


def _common_choice_step():
    """eta = 1/L, beta = (sqrt k - 1)/(sqrt k + 1): a double root at lambda = mu of modulus 1 - 1/sqrt k."""
    root_k = 1 + _q  # sqrt(kappa) >= 1
    b = (root_k - 1) / (root_k + 1)
    c = 1 - 1 / root_k**2  # 1 - eta mu with eta = 1/L
    poly = z**2 - (1 + b) * c * z + b * c
    return holds(
        r"The common choice $\eta = 1/L$, $\beta = (\sqrt{\kappa} - 1)/(\sqrt{\kappa} + 1)$ is "
        r"critically damped at $\lambda = \mu$ (checked with $\sqrt{\kappa} = 1 + q$), rate",
        r"\rho_{\mathrm{common}} &= 1 - \frac{1}{\sqrt{\kappa}}",
        lambda: (
            sp.simplify(sp.discriminant(poly, z)) == 0
            and sp.simplify(poly.subs(z, 1 - 1 / root_k)) == 0
        ),
    )


def derive_nesterov() -> Derivation:
    """Both forms share one polynomial; the region; Lessard et al.'s tuning, checked."""
    shown = nesterov_polynomial()
    region = derive_stability(NESTEROV)
    # tuned parameters in terms of s = sqrt(3 kappa + 1); on lambda/mu the problem is scale free
    beta_t = (_s - 2) / (_s + 2)
    c_mu = 1 - 4 / (3 * kappa + 1)  # 1 - eta mu with eta = 4/(3L + mu), L = kappa mu
    c_L = 1 - 4 * kappa / (3 * kappa + 1)
    kappa_of_s = (_s**2 - 1) / 3

    def poly_at(c):
        return (z**2 - (1 + beta_t) * c * z + beta_t * c).subs(kappa, kappa_of_s)

    rate = 1 - 2 / _s
    lower, upper = poly_at(c_mu), poly_at(c_L)
    steps = [
        identity(
            "PyTorch's form has the characteristic polynomial",
            characteristic_polynomial(NESTEROV).as_expr(),
            shown.doit(),
            display=(r"\det(zI - R_{\mathrm{torch}})", Written(shown)),
        ),
        identity(
            "and so has Sutskever et al.'s form: the same method, the same rates.",
            characteristic_polynomial(NESTEROV_SUTSKEVER).as_expr(),
            shown.doit(),
            display=(r"\det(zI - R_{\mathrm{Sutskever}})", Written(shown)),
        ),
        holds(
            r"Jury's conditions (see the stability derivation) give the region for "
            r"$\beta \in [0, 1)$.",
            r"0 < \eta\lambda &< \frac{2 + 2\beta}{1 + 2\beta}",
            lambda: (
                sp.simplify(
                    region.results["max_stable_lam"] - (2 + 2 * beta) / ((1 + 2 * beta) * eta)
                )
                == 0
            ),
        ),
        identity(
            r"Tuned (Lessard, Recht and Packard 2016), with $s = \sqrt{3\kappa + 1}$: at "
            r"$\lambda = \mu$ the discriminant vanishes, a double root at $1 - 2/s$.",
            sp.discriminant(lower, z),
            0,
            display=(r"\Delta(\mu)", 0),
        ),
        identity(
            "The double root is the rate.",
            sp.solve(lower, z)[0],
            rate,
            display=(r"z(\mu)", Written(sp.Add(1, -2 / _s, evaluate=False))),
        ),
        identity(
            r"At $\lambda = L$ the negative root $-(1 - 2/s)$ has the same modulus.",
            upper.subs(z, -rate),
            0,
            display=(
                r"z(L)",
                Written(sp.Mul(-1, sp.Add(1, -2 / _s, evaluate=False), evaluate=False)),
            ),
        ),
        holds(
            r"and the other root at $\lambda = L$ is smaller in modulus: "
            r"$z_1^2 - |z_1 z_2| \ge 0$ (with $s = 2 + q$, $q > 0$).",
            r"|z_2(L)| &\le 1 - 2/s",
            lambda: (
                sp.factor((rate**2 + sp.expand(upper.subs(z, 0))).subs(_s, 2 + _q)).is_nonnegative
                is True
            ),
        ),
        _common_choice_step(),
    ]
    return Derivation(
        title="Nesterov's method",
        steps=tuple(steps),
        results={
            "characteristic_polynomial": shown.doit(),
            "condition": region.results["condition"],
            "eta": 4 / (3 * sp.Symbol("L", positive=True) + sp.Symbol("mu", positive=True)),
            "beta": (sp.sqrt(3 * kappa + 1) - 2) / (sp.sqrt(3 * kappa + 1) + 2),
            "rate": 1 - 2 / sp.sqrt(3 * kappa + 1),
        },
        remarks=(
            "The spectral radius is quasi-convex in lambda (it falls to 0 at eta lambda = 1 and "
            "rises on both sides), so the worst case over [mu, L] sits at an end: the two checked "
            "above.",
        ),
    )
