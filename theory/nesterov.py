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

from theory.engine.claims import holds_for_all, is_root, solves
from theory.engine.derivation import Derivation, ge, identity
from theory.engine.named import Named, defined
from theory.engine.printing import polynomial
from theory.methods import NESTEROV, NESTEROV_SUTSKEVER, characteristic_polynomial
from theory.stability import derive_stability
from theory.symbols import L, beta, eta, kappa, mu, z

__all__ = ["derive_nesterov", "nesterov_polynomial"]

_q = sp.Symbol("q", positive=True)  # s = 2 + q, since kappa > 1 means s > 2
_r = sp.Symbol("r", nonnegative=True)  # sqrt(kappa) = 1 + r


def nesterov_polynomial() -> sp.Expr:
    """z^2 - (1 + beta)(1 - eta lambda) z + beta (1 - eta lambda), as written."""
    return polynomial(characteristic_polynomial(NESTEROV))


def _poly(b, c):
    """The Nesterov polynomial with beta = b and 1 - eta lambda = c."""
    return z**2 - (1 + b) * c * z + b * c


def _common_choice_steps() -> list:
    """eta = 1/L, beta = (sqrt k - 1)/(sqrt k + 1): a double root at lambda = mu of modulus 1 - 1/sqrt k."""
    root_k = sp.sqrt(kappa)
    b = (root_k - 1) / (root_k + 1)
    c = 1 - 1 / kappa  # 1 - eta mu with eta = 1/L, L = kappa mu
    where = {kappa: (1 + _r) ** 2}
    p_common = defined("p_c", z, _poly(b, c), latex=r"p_{\mathrm{c}}")
    # sqrt(kappa) held as a symbol r: the discriminant is a polynomial in the coefficients,
    # so r = sqrt(kappa) may be put back after; SymPy's expression domain is slow at it
    r = sp.Dummy("r")
    disc = sp.discriminant(_poly(b, c).xreplace({root_k: r}), z).xreplace({r: root_k})
    delta = Named("Δ_c", disc, latex=r"\Delta_{\mathrm{c}}")
    return [
        identity(
            r"The common choice $\eta = 1/L$, $\beta = (\sqrt{\kappa} - 1)/(\sqrt{\kappa} + 1)$ "
            r"is critically damped at $\lambda = \mu$: the discriminant of its polynomial "
            r"$p_{\mathrm{c}}$ there vanishes (checked with $\sqrt{\kappa} = 1 + r$, $r \ge 0$),",
            delta,
            0,
            where=where,
        ),
        identity(
            r"and the double root, of modulus $1 - 1/\sqrt{\kappa}$, is the rate.",
            p_common(sp.Add(1, -1 / root_k, evaluate=False)),
            0,
            where=where,
        ),
    ]


def derive_nesterov() -> Derivation:
    """Both forms share one polynomial; the region; Lessard et al.'s tuning, checked."""
    shown = nesterov_polynomial()
    region = derive_stability(NESTEROV)
    s = Named("s", sp.sqrt(3 * kappa + 1))
    c_mu = 1 - 4 / (3 * kappa + 1)  # 1 - eta mu with eta = 4/(3L + mu), L = kappa mu
    c_L = 1 - 4 * kappa / (3 * kappa + 1)
    beta_t = (s - 2) / (s + 2)
    rate = sp.Add(1, -2 / s, evaluate=False)
    disc_mu = defined("Δ_μ", beta, sp.discriminant(_poly(beta, c_mu), z), latex=r"\Delta_\mu")
    p_L = defined("p_L", z, _poly(beta_t, c_L), latex="p_L")
    where_s = {kappa: ((2 + _q) ** 2 - 1) / 3}
    steps = [
        identity(
            "PyTorch's form has the characteristic polynomial",
            Named(
                "det(zI − R_torch)",
                characteristic_polynomial(NESTEROV).as_expr(),
                latex=r"\det(zI - R_{\mathrm{torch}})",
            ),
            shown,
            result="characteristic_polynomial",
        ),
        identity(
            "and so has Sutskever et al.'s form: the same method, the same rates.",
            Named(
                "det(zI − R_Sutskever)",
                characteristic_polynomial(NESTEROV_SUTSKEVER).as_expr(),
                latex=r"\det(zI - R_{\mathrm{Sutskever}})",
            ),
            shown,
        ),
        *region.steps[1:],
        solves(
            r"Tuned on $[\mu, L]$ (Lessard, Recht and Packard 2016): the step size weighs the "
            r"two ends of the spectrum as",
            sp.Eq(
                sp.Add(1, -eta * mu, evaluate=False),
                sp.Mul(
                    3, sp.Add(sp.Mul(eta, L, evaluate=False), -1, evaluate=False), evaluate=False
                ),
            ),
            eta,
            4 / (3 * L + mu),
            result="eta",
        ),
        is_root(
            r"and the momentum makes $\lambda = \mu$ critically damped: with "
            r"$s = \sqrt{3\kappa + 1}$ and $\kappa = L/\mu$ the discriminant there, as a "
            r"function of $\beta$, vanishes at",
            disc_mu,
            beta_t,
            result="beta",
        ),
        identity(
            "The double root is the rate:",
            Named("z(μ)", (1 + beta_t) * c_mu / 2, latex=r"z(\mu)"),
            rate,
            result="rate",
        ),
        is_root(
            r"At $\lambda = L$ the polynomial $p_L$ has the negative root $-(1 - 2/s)$, of the "
            r"same modulus,",
            p_L,
            sp.Mul(-1, rate, evaluate=False),
        ),
        holds_for_all(
            r"and its other root $z_2$ is smaller in modulus, since $|z_1 z_2| = -p_L(0) \le "
            r"z_1^2$ (checked with $s = 2 + q$, $q > 0$):",
            ge(sp.Add(sp.Pow(rate, 2, evaluate=False), p_L(0), evaluate=False), 0),
            where=where_s,
        ),
        *_common_choice_steps(),
    ]
    return Derivation(
        title="Nesterov's method",
        steps=tuple(steps),
        results={
            "characteristic_polynomial": characteristic_polynomial(NESTEROV).as_expr(),
            "condition": region.results["condition"],
            "eta": 4 / (3 * L + mu),
            "beta": (sp.sqrt(3 * kappa + 1) - 2) / (sp.sqrt(3 * kappa + 1) + 2),
            "rate": 1 - 2 / sp.sqrt(3 * kappa + 1),
        },
        remarks=(
            r"The spectral radius is quasi-convex in $\lambda$ (it falls to 0 at "
            r"$\eta\lambda = 1$ and rises on both sides), so the worst case over $[\mu, L]$ "
            "sits at an end: the two checked above.",
        ),
    )
