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

from theory.engine.claims import fact, holds_for_all, is_root, solves
from theory.engine.derivation import Derivation, ge, gt, identity
from theory.engine.named import Named, defined
from theory.engine.printing import Written, polynomial
from theory.engine.prose import say
from theory.methods import NESTEROV, NESTEROV_SUTSKEVER, characteristic_polynomial
from theory.stability import derive_stability
from theory.symbols import L, beta, eta, kappa, lam, mu, z

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
    double = sp.Add(1, -1 / root_k, evaluate=False)
    return [
        identity(
            say(
                "The common choice {eta}, {beta} is critically damped at {at}: the discriminant "
                "of its polynomial {p} there vanishes (checked with {root}, {r}),",
                eta=sp.Eq(eta, 1 / L, evaluate=False),
                beta=sp.Eq(beta, _ratio(root_k), evaluate=False),
                at=sp.Eq(lam, mu, evaluate=False),
                p=p_common(z),
                root=sp.Eq(root_k, Written(sp.Add(1, _r, evaluate=False)), evaluate=False),
                r=ge(_r, 0),
            ),
            delta,
            0,
            where=where,
        ),
        identity(
            say("and the double root, of modulus {double}, is the rate.", double=double),
            p_common(double),
            0,
            where=where,
        ),
    ]


def _ratio(root: sp.Expr) -> sp.Expr:
    """(root - 1)/(root + 1), written so."""
    return sp.Mul(
        sp.Add(root, -1, evaluate=False),
        sp.Pow(sp.Add(root, 1, evaluate=False), -1),
        evaluate=False,
    )


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
    negative_root = sp.Mul(-1, Written(rate), evaluate=False)
    z1, z2 = sp.Symbol("z_1"), sp.Symbol("z_2")
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
            say(
                "Tuned on {spectrum} (Lessard, Recht and Packard 2016): the step size weighs "
                "the two ends of the spectrum as",
                spectrum=sp.Interval(mu, L),
            ),
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
            say(
                "and the momentum makes {at} critically damped: with {s} and {kappa} the "
                "discriminant there, as a function of {beta}, vanishes at",
                at=sp.Eq(lam, mu, evaluate=False),
                s=fact(s, sp.sqrt(3 * kappa + 1)),
                kappa=sp.Eq(kappa, L / mu, evaluate=False),
                beta=beta,
            ),
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
            say(
                "At {at} the polynomial {p} has the negative root {root}, of the same modulus,",
                at=sp.Eq(lam, L, evaluate=False),
                p=p_L(z),
                root=negative_root,
            ),
            p_L,
            negative_root,
        ),
        holds_for_all(
            say(
                "and its other root {other} is smaller in modulus, since {product} "
                "(checked with {s}, {q}):",
                other=z2,
                product=sp.Le(
                    sp.Eq(sp.Abs(z1 * z2), -p_L(0), evaluate=False), z1**2, evaluate=False
                ),
                s=sp.Eq(s, Written(sp.Add(2, _q, evaluate=False)), evaluate=False),
                q=gt(_q, 0),
            ),
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
            say(
                "The spectral radius is quasi-convex in {lam} (it falls to 0 at {zero} and rises "
                "on both sides), so the worst case over {spectrum} sits at an end: the two "
                "checked above.",
                lam=lam,
                zero=sp.Eq(eta * lam, 1, evaluate=False),
                spectrum=sp.Interval(mu, L),
            ),
        ),
    )
