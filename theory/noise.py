r"""Noisy gradients: the stationary variance of a method under additive gradient noise.

With g = lambda x + eps, E eps = 0, Var eps = sigma^2, the state
s = (v, x) of heavy ball moves as s' = R s + b eps with b = (1, -eta)^T, and
its covariance tends to the solution of the discrete Lyapunov equation

.. math:: \Sigma = R \Sigma R^\top + \sigma^2 b b^\top,

whose x-entry is

.. math:: \operatorname{Var} x = \frac{\eta \sigma^2 (1 + \beta)}
          {\lambda (1 - \beta)(2 + 2\beta - \eta\lambda)},

(beta = 0: eta sigma^2 / (lambda (2 - eta lambda)), SGD's variance); the
expected excess loss is lambda/2 Var x.

Examples
--------
>>> derive_noise().results["sgd_variance"]
eta*sigma**2/(lambda*(-eta*lambda + 2))
"""

from __future__ import annotations

import sympy as sp

from theory.engine.claims import fact
from theory.engine.derivation import Derivation, identity
from theory.engine.named import Named, NamedMatrix
from theory.engine.printing import Written
from theory.engine.prose import Listed, Tends, say
from theory.methods import Method, get_method, state_matrix, step_map
from theory.symbols import beta, eta, lam

__all__ = ["derive_noise", "noise_input", "stationary_covariance", "variance_formula"]

sigma = sp.Symbol("sigma", positive=True)
alpha = sp.Symbol("alpha", positive=True)  # the effective step eta/(1 - beta)
_eps = sp.Symbol("epsilon", real=True)


def noise_input(method: Method | str = "heavy_ball") -> sp.Matrix:
    """b with s' = R s + b eps when every gradient the method takes carries the same eps."""
    m = get_method(method)
    new = step_map(m, gradient=lambda y: lam * y + _eps)
    return sp.Matrix([sp.diff(new[s], _eps) for s in m.state])


def stationary_covariance(method: Method | str = "heavy_ball") -> sp.Matrix:
    """The symmetric solution of Sigma = R Sigma R^T + sigma^2 b b^T, in closed form."""
    m = get_method(method)
    R, b = state_matrix(m), noise_input(m)
    n = R.shape[0]
    entries = {(i, j): sp.Symbol(f"S_{i}{j}") for i in range(n) for j in range(i, n)}
    S = sp.Matrix(n, n, lambda i, j: entries[(min(i, j), max(i, j))])
    eqs = list((S - R * S * R.T - sigma**2 * b * b.T).values())
    unknowns = list(entries.values())
    (solution,) = sp.linsolve(eqs, unknowns)  # linear: one solution, exact
    return S.subs(dict(zip(unknowns, solution, strict=True))).applyfunc(sp.factor)


def variance_formula() -> sp.Expr:
    """eta sigma^2 (1 + beta) / (lambda (1 - beta)(2 + 2 beta - eta lambda)), heavy ball."""
    return eta * sigma**2 * (1 + beta) / (lam * (1 - beta) * (2 + 2 * beta - eta * lam))


def derive_noise() -> Derivation:
    """Solve the Lyapunov equation for heavy ball; beta = 0; fixed effective step."""
    R = state_matrix(get_method("heavy_ball"))
    b = noise_input("heavy_ball")
    Sigma = stationary_covariance("heavy_ball")
    var = variance_formula()
    sgd = eta * sigma**2 / (lam * (2 - eta * lam))
    var.subs(eta, alpha * (1 - beta))
    Rn = NamedMatrix("R", R)
    bn = NamedMatrix("b", b)
    Sn = NamedMatrix("Σ", Sigma, latex=r"\Sigma")
    variance = Named("Var x", Sigma[1, 1], latex=r"\operatorname{Var} x")

    x, v = get_method("heavy_ball").state[::-1]
    s_now, s_next = sp.MatrixSymbol("s", 2, 1), NamedMatrix("s'", sp.MatrixSymbol("s", 2, 1))
    effective = sp.Mul(eta, sp.Pow(sp.Add(1, -beta, evaluate=False), -1), evaluate=False)
    limit = alpha * sigma**2 / (2 * lam)
    steps = [
        identity(
            say(
                "With {g} the state {s} moves as {motion}, where",
                g=sp.Eq(
                    sp.Symbol("g"), Written(sp.Add(lam * x, _eps, evaluate=False)), evaluate=False
                ),
                s=sp.Eq(sp.Symbol("s"), Listed(v, x), evaluate=False),
                motion=sp.Eq(s_next, sp.MatAdd(Rn * s_now, bn * _eps), evaluate=False),
            ),
            bn,
            sp.Matrix([1, -eta]),
        ),
        identity(
            say(
                "The stationary covariance solves the discrete Lyapunov equation {lyapunov} "
                "(checked by substitution).",
                lyapunov=sp.Eq(Sn, sp.MatAdd(Rn * Sn * Rn.T, sigma**2 * bn * bn.T), evaluate=False),
            ),
            sp.MatAdd(Sn, -Rn * Sn * Rn.T, -(sigma**2) * bn * bn.T),
            sp.ZeroMatrix(2, 2),
        ),
        identity(
            "Its x-entry is the stationary variance of x,",
            variance,
            _written_variance(),
            result="variance",
        ),
        identity(
            say("at {zero} SGD's variance,", zero=sp.Eq(beta, 0, evaluate=False)),
            sp.Subs(variance, beta, 0),
            sp.Mul(
                eta,
                sigma**2,
                sp.Pow(sp.Mul(lam, sp.Add(2, -eta * lam, evaluate=False), evaluate=False), -1),
                evaluate=False,
            ),
            result="sgd_variance",
        ),
        identity(
            say(
                "and the expected excess loss is {loss}.",
                loss=sp.Mul(sp.Mul(lam, sp.Rational(1, 2)), variance, evaluate=False),
            ),
            Named("E f(x) − f(x*)", lam / 2 * Sigma[1, 1], latex=r"\mathbb{E}\, f(x) - f(x^*)"),
            sp.Mul(
                eta,
                sigma**2,
                sp.Add(1, beta, evaluate=False),
                sp.Pow(
                    sp.Mul(
                        2,
                        sp.Add(1, -beta, evaluate=False),
                        sp.Add(2, 2 * beta, -eta * lam, evaluate=False),
                        evaluate=False,
                    ),
                    -1,
                ),
                evaluate=False,
            ),
            result="expected_excess_loss",
        ),
        identity(
            say(
                "At a fixed effective step {alpha},",
                alpha=sp.Eq(alpha, effective, evaluate=False),
            ),
            sp.Subs(variance, eta, alpha * (1 - beta)),
            alpha * sigma**2 * (1 + beta) / (lam * (2 + 2 * beta - alpha * lam * (1 - beta))),
        ),
        identity(
            say(
                "which tends to {limit} as {to}: momentum at a fixed effective step does not "
                "remove the noise, it trades the curvature term for a constant.",
                limit=limit,
                to=Tends(beta, 1),
            ),
            sp.Limit(sp.Subs(variance, eta, alpha * (1 - beta)), beta, 1, "-"),
            limit,
        ),
    ]
    return Derivation(
        title="Stationary variance under gradient noise",
        steps=tuple(steps),
        results={
            "variance": var,
            "expected_excess_loss": sp.factor(lam / 2 * var),
            "sgd_variance": sgd,
        },
        remarks=(
            say(
                "At a fixed step {eta} the variance grows like {growth}: momentum amplifies "
                "gradient noise by the effective-step factor.",
                eta=eta,
                growth=_growth(),
            ),
        ),
    )


def _growth() -> sp.Expr:
    """(1 + beta)/(1 - beta): how the variance grows with beta at a fixed step, checked."""
    growth = sp.Mul(
        Written(sp.Add(1, beta, evaluate=False)),
        sp.Pow(sp.Add(1, -beta, evaluate=False), -1),
        evaluate=False,
    )
    # the variance over SGD's, apart from the factor that moves the stability edge
    fact(
        variance_formula() / variance_formula().subs(beta, 0),
        growth * (2 - eta * lam) / (2 + 2 * beta - eta * lam),
    )
    return growth


def _written_variance() -> sp.Expr:
    """eta sigma^2 (1 + beta) / (lambda (1 - beta)(2 + 2 beta - eta lambda)), as a person writes it."""
    return sp.Mul(
        eta,
        sigma**2,
        sp.Add(1, beta, evaluate=False),
        sp.Pow(
            sp.Mul(
                lam,
                sp.Add(1, -beta, evaluate=False),
                sp.Add(2, 2 * beta, -eta * lam, evaluate=False),
                evaluate=False,
            ),
            -1,
        ),
        evaluate=False,
    )
