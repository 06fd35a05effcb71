r"""Heavy-ball momentum on f(x) = lambda/2 x^2: matrix, roots, rate, damping.

The update (D2L 11.6, Polyak 1964; ``torch.optim.SGD(momentum=beta)``)

.. math:: v_{t+1} = \beta v_t + \lambda x_t, \qquad x_{t+1} = x_t - \eta v_{t+1}

is linear in the state (v, x): ``(v, x)_{t+1} = R (v, x)_t`` with
``R = [[beta, lambda], [-eta beta, 1 - eta lambda]]``, derived here from the
update equations by :func:`theory.methods.state_matrix`. Its spectral radius
is the convergence rate.

Examples
--------
>>> from theory.momentum import spectral_radius_expr
>>> from theory.symbols import beta, eta, lam
>>> spectral_radius_expr().subs({eta: 1, beta: 0.25, lam: 1})
0.500000000000000
"""

from __future__ import annotations

import sympy as sp

from theory.engine.claims import agrees_at, fact, is_root, power_identity, roots_of
from theory.engine.derivation import Derivation, ge, identity, lt
from theory.engine.named import PM, Named, defined, pm
from theory.engine.printing import Written
from theory.engine.prose import say
from theory.methods import HEAVY_BALL, characteristic_polynomial, state_matrix
from theory.symbols import beta, eta, lam, t, z

__all__ = [
    "critical_damping",
    "derive_damping",
    "derive_momentum",
    "momentum_matrix",
    "roots",
    "spectral_radius_expr",
    "trace_term",
]


def momentum_matrix() -> sp.Matrix:
    """R(beta, eta, lambda), derived from the heavy-ball update equations."""
    return state_matrix(HEAVY_BALL)


def trace_term() -> sp.Expr:
    """``1 + beta - eta lambda`` (the trace of R), written in that order."""
    return sp.Add(1, beta, -eta * lam, evaluate=False)


def _disc() -> sp.Expr:
    return sp.Add(sp.Pow(trace_term(), 2, evaluate=False), -4 * beta, evaluate=False)


def roots() -> tuple[sp.Expr, sp.Expr]:
    """The two eigenvalues of R, ``(s + sqrt(s^2 - 4 beta))/2`` and the other."""
    s, d = trace_term(), sp.sqrt(_disc())
    return (s + d) / 2, (s - d) / 2


def spectral_radius_expr() -> sp.Piecewise:
    """The spectral radius of R as a Piecewise: sqrt(beta) when the roots are complex."""
    s, disc = trace_term(), _disc()
    return sp.Piecewise(
        (sp.sqrt(beta), disc < 0),
        ((sp.Abs(s) + sp.sqrt(disc)) / 2, True),
    )


def critical_damping() -> tuple[sp.Expr, sp.Expr]:
    """The two values of eta*lambda where R has a double root: (1 -+ sqrt(beta))^2."""
    return (1 - sp.sqrt(beta)) ** 2, (1 + sp.sqrt(beta)) ** 2


def critical_points() -> tuple[sp.Expr, sp.Expr]:
    """The two values of eta*lambda where R has a double root, as written: (1 -+ sqrt(beta))^2."""
    return tuple(
        sp.Pow(Written(sp.Add(1, sign * sp.sqrt(beta), evaluate=False)), 2, evaluate=False)
        for sign in (-1, 1)
    )


def _shown_matrix() -> sp.Matrix:
    return sp.Matrix([[beta, lam], [-eta * beta, sp.Add(1, -eta * lam, evaluate=False)]])


def _named() -> dict:
    """The named quantities of the heavy-ball derivation, each valued by its computation."""
    R = momentum_matrix()
    poly = characteristic_polynomial(HEAVY_BALL).as_expr()
    disc = Written(_disc())  # the discriminant of poly, as it is written (checked in a step)
    s = trace_term()
    zp, zm = roots()
    return {
        "R": R,
        "poly": poly,
        "tr": Named("tr R", R.trace(), latex=r"\operatorname{tr} R"),
        "det": Named("det R", R.det(), latex=r"\det R"),
        "p": Named("det(zI − R)", (z * sp.eye(2) - R).det(), latex=r"\det(zI - R)"),
        "disc": Named("Δ", disc, latex=r"\Delta"),
        "z+": Named("z_+", zp, latex="z_+"),
        "z-": Named("z_−", zm, latex="z_-"),
        "s": s,
    }


def derive_momentum() -> Derivation:
    """Derive R from the update, its characteristic polynomial, roots, rate and R^t."""
    from theory.linear import update_sentence, update_step

    n = _named()
    R, poly, s, disc = n["R"], n["poly"], n["s"], n["disc"]
    zp, zm = n["z+"], n["z-"]
    steps = [
        update_step(HEAVY_BALL, R, update_sentence(HEAVY_BALL), _shown_matrix()),
        identity(say("The trace of {R}", R=_R), n["tr"], s),
        identity(r"and its determinant.", n["det"], beta),
        identity(
            "The characteristic polynomial.",
            n["p"],
            Written(sp.Add(z**2, sp.Mul(-1, s, z, evaluate=False), beta, evaluate=False)),
            result="characteristic_polynomial",
        ),
        identity(r"Its discriminant.", disc, Written(_disc())),
    ]
    z_pm = Named("z_±", (s + PM * sp.sqrt(disc)) / 2, latex=r"z_\pm")
    steps.append(
        roots_of(
            say("Its roots, the eigenvalues of {R} (both checked to be roots).", R=_R),
            z_pm,
            sp.Poly(poly, z),
            sp.Mul(
                sp.Rational(1, 2),
                sp.Add(*s.args, PM * sp.sqrt(disc), evaluate=False),
                evaluate=False,
            ),
        )
    )
    rho = spectral_radius_expr()
    complex_point = _REGIME_POINTS[0]
    steps.append(
        identity(
            say(
                "Their product is {det}. When {complex} the roots are complex conjugates, so "
                "{modulus}, their product, and the rate is {rate} (not {goh}).",
                det=fact(n["det"], beta),
                complex=lt(disc, 0),
                modulus=fact(
                    sp.Pow(sp.Abs(z_pm), 2, evaluate=False),
                    beta,
                    points=[{**complex_point, pm: sign} for sign in (1, -1)],
                ),
                rate=rho.args[0].expr,
                goh=2 * sp.sqrt(beta),
            ),
            zp * zm,
            beta,
        )
    )
    size = Named("S", sp.Abs(s))
    both = sp.Add(*s.args, PM * sp.sqrt(disc), evaluate=False)
    steps.append(
        identity(
            say(
                "When {real} the roots are real, {moduli}; with {size} the larger is {larger} "
                "because",
                real=ge(disc, 0),
                moduli=fact(
                    sp.Abs(z_pm),
                    sp.Mul(sp.Rational(1, 2), sp.Abs(both), evaluate=False),
                    cases=({pm: 1}, {pm: -1}),
                ),
                size=fact(size, sp.Abs(s)),
                larger=sp.Mul(
                    sp.Rational(1, 2), sp.Add(size, sp.sqrt(disc), evaluate=False), evaluate=False
                ),
            ),
            sp.Add(
                sp.Pow(sp.Add(size, sp.sqrt(disc), evaluate=False), 2, evaluate=False),
                -sp.Pow(sp.Add(size, -sp.sqrt(disc), evaluate=False), 2, evaluate=False),
                evaluate=False,
            ),
            sp.Mul(4, size, sp.sqrt(disc), evaluate=False),
        )
    )
    shown_rho = sp.Piecewise(
        (sp.sqrt(beta), lt(disc, 0)),
        (
            sp.Mul(
                sp.Rational(1, 2),
                Written(sp.Add(sp.Abs(s), sp.sqrt(disc), evaluate=False)),
                evaluate=False,
            ),
            True,
        ),
    )
    steps.append(
        agrees_at(
            say(
                "So the spectral radius, the rate of convergence, is piecewise (checked against "
                "the larger root modulus at a point of each regime: complex, real positive, real "
                "negative, {negative}).",
                negative=lt(beta, 0),
            ),
            Named(
                "ρ(R)",
                # unevaluated: SymPy cannot order the two moduli symbolically, and trying is slow
                sp.Max(sp.Abs(zp.value), sp.Abs(zm.value), evaluate=False),
                latex=r"\rho(R)",
            ),
            shown_rho,
            _REGIME_POINTS,
            result="spectral_radius",
        )
    )
    steps.append(_power_step(R, zp, zm, n))
    return Derivation(
        title="Heavy-ball momentum on a scalar quadratic",
        steps=tuple(steps),
        results={"characteristic_polynomial": poly, "spectral_radius": rho},
        remarks=(
            say(
                "Goh (2017) prints the complex-regime rate as {goh}; the checked product of the "
                "roots gives {rate}.",
                goh=2 * sp.sqrt(beta),
                rate=rho.args[0].expr,
            ),
        ),
    )


_REGIME_POINTS = [
    {eta: sp.Rational(1, 2), beta: sp.Rational(1, 4), lam: 1},  # complex
    {eta: sp.Rational(1, 10), beta: sp.Rational(1, 4), lam: 1},  # real, positive
    {eta: sp.Rational(7, 2), beta: sp.Rational(1, 4), lam: 1},  # real, negative
    {eta: 3, beta: sp.Rational(-1, 2), lam: 1},  # negative beta
]


#: R in formulas that hold for the matrix whatever its entries
_R = sp.MatrixSymbol("R", 2, 2)


def _power_step(R: sp.Matrix, zp: Named, zm: Named, named: dict):
    """R^t in closed form (Sylvester's formula for distinct roots), proved by induction."""
    Rs = _R
    eye = sp.Identity(2)
    formula = sp.MatMul(
        sp.Pow(zp - zm, -1),
        sp.MatAdd(zp**t * (Rs - zm * eye), -(zm**t) * (Rs - zp * eye)),
    )
    # Cayley-Hamilton's recurrence, which the induction checks the formula against
    recurrence = sp.Eq(
        sp.MatPow(Rs, t + 2),
        sp.MatAdd(
            sp.MatMul(named["tr"], sp.MatPow(Rs, t + 1)), -sp.MatMul(named["det"], sp.MatPow(Rs, t))
        ),
        evaluate=False,
    )
    return power_identity(
        say(
            "After {t} steps, for distinct roots (Sylvester's formula; proved by induction: it "
            "holds at {first} and {second} and satisfies {recurrence}).",
            t=t,
            first=sp.Eq(t, 0, evaluate=False),
            second=sp.Eq(t, 1, evaluate=False),
            recurrence=recurrence,
        ),
        Rs,
        R,
        t,
        formula,
    )


def derive_damping() -> Derivation:
    """Critical damping: where the discriminant vanishes, and the regimes around it."""
    u = sp.Symbol("u", positive=True)  # u stands for eta*lambda
    low, high = critical_damping()
    bp = sp.Symbol("beta", nonnegative=True)
    disc_u = defined("Δ", u, _disc().subs(eta, u / lam).doit(), latex=r"\Delta")
    double = defined("z", u, (trace_term() / 2).subs(eta, u / lam).doit())
    shown_low, shown_high = critical_points()
    named = _named()
    steps = [
        identity(
            say(
                "The discriminant of {p} is a quadratic in {u},",
                p=named["p"],
                u=sp.Eq(u, eta * lam, evaluate=False),
            ),
            disc_u(u),
            Written(
                sp.Add(
                    sp.Pow(sp.Add(1, beta, -u, evaluate=False), 2, evaluate=False),
                    -4 * beta,
                    evaluate=False,
                )
            ),
        ),
        identity(
            "which factors:",
            disc_u(u),
            sp.Mul(
                Written(sp.Add(u, -shown_low, evaluate=False)),
                Written(sp.Add(u, -shown_high, evaluate=False)),
                evaluate=False,
            ),
        ),
        is_root(
            say(
                "It vanishes (a double root, critical damping) at {u}",
                u=sp.Eq(u, shown_low, evaluate=False),
            ),
            disc_u,
            shown_low,
            result="lower",
        ),
        is_root(
            say("and at {u}.", u=sp.Eq(u, shown_high, evaluate=False)),
            disc_u,
            shown_high,
            result="upper",
        ),
        identity(
            say(
                "The double root {double} has modulus {modulus} ({nonnegative}): at the lower "
                "point it is positive,",
                double=fact(
                    double(u),
                    sp.Mul(sp.Rational(1, 2), sp.Add(1, beta, -u, evaluate=False), evaluate=False),
                ),
                modulus=sp.sqrt(beta),
                nonnegative=ge(beta, 0),
            ),
            double(shown_low),
            sp.sqrt(beta),
            where={beta: bp},
        ),
        identity(
            "and at the upper point negative.",
            double(shown_high),
            -sp.sqrt(beta),
            where={beta: bp},
        ),
    ]
    return Derivation(
        title="Critical damping",
        steps=tuple(steps),
        results={"lower": low, "upper": high},
        remarks=(
            say(
                "Between the two points the roots are complex (ripples, rate {rate}); below the "
                "lower one they are real and positive (monotone); above the upper one real and "
                "negative (oscillating).",
                rate=spectral_radius_expr().args[0].expr,
            ),
        ),
    )
