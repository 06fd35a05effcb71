r"""Optimal tuning of heavy-ball momentum (and gradient descent) on a spectrum [mu, L].

Heavy ball is tuned by damping both ends of the spectrum critically
(Polyak 1964; Goh 2017, "Why Momentum Really Works"):

.. math::
    \eta^* = \frac{4}{(\sqrt{L} + \sqrt{\mu})^2}, \quad
    \beta^* = \left(\frac{\sqrt{\kappa} - 1}{\sqrt{\kappa} + 1}\right)^2, \quad
    \rho^* = \frac{\sqrt{\kappa} - 1}{\sqrt{\kappa} + 1}.

Examples
--------
>>> optimal_parameters(1, 4)
Tuning(method='heavy_ball', eta=4/9, beta=1/9, rate=1/3)
>>> optimal_parameters(1, 4, method="gd")
Tuning(method='gd', eta=2/5, beta=0, rate=3/5)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from theory.derivation import Derivation, identity
from theory.errors import ParameterError, describe
from theory.methods import get_method
from theory.momentum import _disc, critical_damping, trace_term
from theory.symbols import L, beta, eta, kappa, lam, mu

__all__ = ["Tuning", "derive_tuning", "optimal_parameters", "tuned_formulas"]


@dataclass(frozen=True)
class Tuning:
    """Tuned parameters and the worst-case rate they reach on [mu, L]."""

    method: str
    eta: sp.Expr
    beta: sp.Expr
    rate: sp.Expr


def tuned_formulas(method: str = "heavy_ball") -> Tuning:
    """The tuned (eta, beta, rate) as expressions in mu and L."""
    name = get_method(method).name
    root_k = sp.sqrt(L / mu)
    if name == "gd":
        return Tuning(name, 2 / (mu + L), sp.Integer(0), (L - mu) / (L + mu))
    if name == "heavy_ball":
        return Tuning(
            name,
            4 / (sp.sqrt(L) + sp.sqrt(mu)) ** 2,
            ((sp.sqrt(L) - sp.sqrt(mu)) / (sp.sqrt(L) + sp.sqrt(mu))) ** 2,
            (root_k - 1) / (root_k + 1),
        )
    if name in ("nesterov", "nesterov_sutskever"):
        s = sp.sqrt(3 * L / mu + 1)
        return Tuning(name, 4 / (3 * L + mu), (s - 2) / (s + 2), 1 - 2 / s)
    raise ParameterError(
        f"'method' must be gd, heavy_ball or nesterov for closed-form tuning: {method!r} "
        "(numerics.tune_numeric tunes any method numerically)"
    )


def optimal_parameters(mu_value, L_value, /, *, method: str = "heavy_ball") -> Tuning:
    """Exact tuned parameters for a spectrum [mu, L].

    Integers, fractions (``"1/2"``) and SymPy numbers give exact results;
    floats give floats.
    """
    m, big = _spectrum(mu_value, L_value)
    formulas = tuned_formulas(method)
    values = {mu: m, L: big}
    return Tuning(
        formulas.method,
        *(sp.radsimp(e.subs(values)) for e in (formulas.eta, formulas.beta, formulas.rate)),
    )


#: exact inputs have numerators and denominators of at most this many digits (bounded work)
MAX_DIGITS = 400


def _number(value, name: str) -> sp.Expr:
    """An exact Rational from ints, strings and Fractions; a Float from floats. Never evaluates text."""
    if isinstance(value, str) and (
        len(value) > 2 * MAX_DIGITS + 1
        or any(abs(int(e)) > MAX_DIGITS for e in re.findall(r"[eE]\s*([+-]?\d{1,12})", value))
    ):
        # checked on the text: SymPy would build 10**exponent first
        raise ParameterError(
            f"'{name}' is too long or its exponent too large (at most {MAX_DIGITS} digits): "
            f"{describe(value)}"
        )
    if isinstance(value, complex):
        raise ParameterError(f"'{name}' must be a real number: {describe(value)}")
    try:
        number = sp.Float(value) if isinstance(value, float) else sp.Rational(value)
    except (TypeError, ValueError) as exc:
        raise ParameterError(
            f"'{name}' must be a number (integer, decimal or fraction): {describe(value)}"
        ) from exc
    if not number.is_finite:
        raise ParameterError(f"'{name}' must be finite: {describe(value)}")
    if number.is_Rational and max(abs(number.p), number.q).bit_length() > MAX_DIGITS * 3.33:
        raise ParameterError(
            f"'{name}' has too many digits: numerator and denominator at most "
            f"{MAX_DIGITS} digits each: {describe(value)}"
        )
    return number


def _spectrum(mu_value, L_value) -> tuple[sp.Expr, sp.Expr]:
    m, big = _number(mu_value, "mu"), _number(L_value, "L")
    if not (m > 0 and big >= m):
        raise ParameterError(
            f"the spectrum must satisfy 0 < mu <= L: mu={describe(mu_value)}, L={describe(L_value)}"
        )
    return m, big


_q = sp.Symbol("q", nonnegative=True)
_above_mu = mu * (1 + _q) ** 2


def derive_tuning() -> Derivation:
    """Derive heavy ball's optimal (eta, beta) by damping both ends critically, and check it."""
    tuned = tuned_formulas("heavy_ball")
    low, high = critical_damping()
    at_opt = {eta: tuned.eta, beta: tuned.beta}
    disc = _disc().doit()
    steps = [
        identity(
            r"Ask the smallest curvature to sit at the lower critical point, "
            r"$\eta\mu = (1 - \sqrt{\beta})^2$, and the largest at the upper one, "
            r"$\eta L = (1 + \sqrt{\beta})^2$. Then $\sqrt{\eta L} + \sqrt{\eta\mu} = 2$, so",
            sp.sqrt(tuned.eta * L) + sp.sqrt(tuned.eta * mu),
            2,
            display=(r"\eta^*", tuned.eta),
        ),
        identity(
            r"and $\sqrt{\eta L} - \sqrt{\eta\mu} = 2\sqrt{\beta}$ gives (checked with "
            r"$L = \mu (1 + q)^2$, $q \ge 0$, since $L \ge \mu$)",
            (sp.sqrt(tuned.eta * L) - sp.sqrt(tuned.eta * mu)).subs(L, _above_mu),
            (2 * sp.sqrt(tuned.beta)).subs(L, _above_mu),
            display=(r"\beta^*", tuned.beta),
        ),
        identity(
            r"Check: the discriminant vanishes at $\lambda = \mu$,",
            disc.subs(at_opt).subs(lam, mu),
            0,
            display=(r"\Delta(\mu)", 0),
        ),
        identity(
            r"and at $\lambda = L$.",
            disc.subs(at_opt).subs(lam, L),
            0,
            display=(r"\Delta(L)", 0),
        ),
        identity(
            r"The discriminant is a quadratic in $\lambda$ with roots $\mu$ and $L$, so it is "
            r"negative between them: every curvature in $(\mu, L)$ is in the complex regime.",
            disc.subs(at_opt),
            tuned.eta**2 * (lam - mu) * (lam - L),
            display=(
                r"\Delta(\lambda)",
                sp.Mul(sp.Symbol(r"\eta^{*2}"), lam - mu, lam - L, evaluate=False),
            ),
        ),
        identity(
            r"So the spectral radius is $\sqrt{\beta^*}$ on all of $[\mu, L]$ (at the ends the "
            r"double root has modulus $\frac{1}{2}|1 + \beta - \eta\lambda| = \sqrt{\beta}$); "
            r"with $\kappa = L/\mu$ the rate is",
            (trace_term().doit() / 2).subs(at_opt).subs(lam, mu).subs(L, kappa * mu),
            tuned.rate.subs(L, kappa * mu),
            display=(r"\rho^*", (sp.sqrt(kappa) - 1) / (sp.sqrt(kappa) + 1)),
        ),
        identity(
            r"and $\beta^*$ in terms of $\kappa$,",
            tuned.beta.subs(L, kappa * mu),
            ((sp.sqrt(kappa) - 1) / (sp.sqrt(kappa) + 1)) ** 2,
            display=(r"\beta^*", ((sp.sqrt(kappa) - 1) / (sp.sqrt(kappa) + 1)) ** 2),
        ),
    ]
    return Derivation(
        title="Optimal heavy-ball tuning on a spectrum [mu, L]",
        steps=tuple(steps),
        results={"eta": tuned.eta, "beta": tuned.beta, "rate": tuned.rate},
        remarks=(
            r"Gradient descent's best rate on the same spectrum is $(\kappa - 1)/(\kappa + 1)$: "
            r"momentum replaces $\kappa$ by $\sqrt{\kappa}$.",
            f"Critical damping points used: {sp.sstr(low)} and {sp.sstr(high)} (in eta*lambda).",
        ),
    )
