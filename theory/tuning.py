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

from theory.engine.claims import fact, is_root, solves
from theory.engine.derivation import Derivation, ge, identity
from theory.engine.named import Named, defined
from theory.engine.printing import Written
from theory.engine.prose import say
from theory.errors import ParameterError, describe
from theory.methods import get_method
from theory.momentum import _disc, critical_points, trace_term
from theory.symbols import L, beta, eta, kappa, lam, mu

__all__ = ["Tuning", "derive_tuning", "optimal_parameters", "tuned_formulas"]


@dataclass(frozen=True)
class Tuning:
    """Tuned parameters and the worst-case rate they reach on [mu, L].

    Displays in Jupyter as a table of the exact values in their collected form
    (:func:`theory.engine.forms.collected`, proven equal) and their decimals.
    """

    method: str
    eta: sp.Expr
    beta: sp.Expr
    rate: sp.Expr

    def _repr_markdown_(self) -> str:
        from theory.engine.forms import collected
        from theory.engine.printing import latex

        rows = [
            (r"\eta", self.eta, "step size (torch: lr)"),
            (r"\beta", self.beta, "momentum (torch: momentum)"),
            (r"\rho", self.rate, "worst-case rate on the spectrum"),
        ]
        lines = [
            f"**{self.method.replace('_', ' ')}, tuned**",
            "",
            "| | exact | decimal | |",
            "| --- | --- | --- | --- |",
        ]
        for name, value, what in rows:
            decimal = f"{float(value):.10g}" if sp.sympify(value).is_number else ""
            lines.append(f"| ${name}$ | ${latex(collected(value))}$ | {decimal} | {what} |")
        return "\n".join(lines) + "\n"


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
        *(e.subs(values) for e in (formulas.eta, formulas.beta, formulas.rate)),
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
_beta_positive = sp.Symbol("beta", positive=True)


def _root(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    """sqrt(a b), written so (SymPy would split it into sqrt(a) sqrt(b))."""
    return sp.Pow(sp.Mul(a, b, evaluate=False), sp.S.Half, evaluate=False)


def _ratio(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    """(a - b)/(a + b), written so."""
    return sp.Mul(
        sp.Add(a, -b, evaluate=False), sp.Pow(sp.Add(a, b, evaluate=False), -1), evaluate=False
    )


def derive_tuning() -> Derivation:
    """Derive heavy ball's optimal (eta, beta) by damping both ends critically, and check it."""
    tuned = tuned_formulas("heavy_ball")
    eta_star = Named("η*", tuned.eta, latex=r"\eta^*")
    beta_star = Named("β*", tuned.beta, latex=r"\beta^*")
    at_opt = {eta: tuned.eta, beta: tuned.beta}
    disc = defined("Δ", lam, _disc().doit().subs(at_opt), latex=r"\Delta")
    root_k = sp.sqrt(kappa)
    shown_eta = sp.Mul(
        4,
        sp.Pow(sp.Pow(sp.Add(sp.sqrt(L), sp.sqrt(mu), evaluate=False), 2, evaluate=False), -1),
        evaluate=False,
    )
    shown_beta = sp.Pow(_ratio(sp.sqrt(L), sp.sqrt(mu)), 2, evaluate=False)
    low, high = critical_points()  # as the critical damping derivation writes them
    steps = [
        solves(
            say(
                "Ask the smallest curvature to sit at the lower critical point, {low}, and the "
                "largest at the upper one, {high}. Adding their square roots,",
                low=sp.Eq(sp.Mul(eta, mu, evaluate=False), low, evaluate=False),
                high=sp.Eq(sp.Mul(eta, L, evaluate=False), high, evaluate=False),
            ),
            sp.Eq(sp.Add(_root(eta, L), _root(eta, mu), evaluate=False), 2),
            eta,
            shown_eta,
            result="eta",
        ),
        solves(
            say(
                "and subtracting them (checked with {L}, {q}, since {order}),",
                L=sp.Eq(
                    L,
                    sp.Mul(
                        mu,
                        sp.Pow(Written(sp.Add(1, _q, evaluate=False)), 2, evaluate=False),
                        evaluate=False,
                    ),
                    evaluate=False,
                ),
                q=ge(_q, 0),
                order=ge(L, mu),
            ),
            sp.Eq(
                sp.Add(
                    _root(eta_star, L),
                    sp.Mul(-1, _root(eta_star, mu), evaluate=False),
                    evaluate=False,
                ),
                2 * sp.sqrt(beta),
            ),
            beta,
            shown_beta,
            where={L: _above_mu, beta: _beta_positive},
            result="beta",
        ),
        is_root(
            say("Check: the discriminant vanishes at {at}", at=sp.Eq(lam, mu, evaluate=False)),
            disc,
            mu,
        ),
        is_root(say("and at {at}.", at=sp.Eq(lam, L, evaluate=False)), disc, L),
        identity(
            say(
                "It is a quadratic in {lam} with roots {mu} and {L}, so it is negative between "
                "them: every curvature in {inside} is in the complex regime.",
                lam=lam,
                mu=mu,
                L=L,
                inside=sp.Interval.open(mu, L),
            ),
            disc(lam),
            sp.Mul(
                eta_star**2,
                sp.Add(lam, -mu, evaluate=False),
                sp.Add(lam, -L, evaluate=False),
                evaluate=False,
            ),
        ),
        identity(
            say(
                "So the spectral radius is {rate} on all of {spectrum} (at the ends the double "
                "root has modulus {double}); with {kappa} the rate is",
                rate=sp.sqrt(beta_star),
                spectrum=sp.Interval(mu, L),
                double=fact(  # at the ends eta lambda is a critical point (beta >= 0)
                    sp.Mul(sp.Rational(1, 2), sp.Abs(trace_term()), evaluate=False),
                    sp.sqrt(beta),
                    where={beta: _beta_positive},
                    cases=tuple({eta: point / lam} for point in (low, high)),
                ),
                kappa=sp.Eq(kappa, L / mu, evaluate=False),
            ),
            Named(
                "ρ*",
                (trace_term().doit() / 2).subs(at_opt).subs(lam, mu).subs(L, kappa * mu),
                latex=r"\rho^*",
            ),
            _ratio(root_k, 1),
            result="rate",
        ),
        identity(
            say("and {beta} in terms of {kappa}:", beta=beta_star, kappa=kappa),
            Named("β*", tuned.beta.subs(L, kappa * mu), latex=r"\beta^*"),
            sp.Pow(_ratio(root_k, 1), 2, evaluate=False),
        ),
    ]

    return Derivation(
        title=say(
            "Optimal heavy-ball tuning on a spectrum {spectrum}", spectrum=sp.Interval(mu, L)
        ),
        steps=tuple(steps),
        results={
            "eta": tuned.eta,
            "beta": tuned.beta,
            "rate": (root_k - 1) / (root_k + 1),
        },
        remarks=(
            say(
                "Gradient descent's best rate on the same spectrum is {gd}: momentum replaces "
                "{kappa} by {root}.",
                gd=sp.factor(tuned_formulas("gd").rate.subs(L, kappa * mu)),
                kappa=kappa,
                root=root_k,
            ),
            say(
                "The critical damping points used are {low} and {high} (see the critical damping "
                "derivation).",
                low=sp.Eq(eta * lam, low, evaluate=False),
                high=sp.Eq(eta * lam, high, evaluate=False),
            ),
        ),
    )
