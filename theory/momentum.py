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

from theory.engine.claims import agrees_at, is_root, power_identity, roots_of
from theory.engine.derivation import Derivation, identity, lt
from theory.engine.named import PM, Named, defined
from theory.engine.printing import Written
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


def _shown_matrix() -> sp.Matrix:
    return sp.Matrix([[beta, lam], [-eta * beta, sp.Add(1, -eta * lam, evaluate=False)]])


def _named() -> dict:
    """The named quantities of the heavy-ball derivation, each valued by its computation."""
    R = momentum_matrix()
    poly = characteristic_polynomial(HEAVY_BALL).as_expr()
    disc = sp.discriminant(poly, z)
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
    from theory.linear import update_step

    n = _named()
    R, poly, s, disc = n["R"], n["poly"], n["s"], n["disc"]
    zp, zm = n["z+"], n["z-"]
    steps = [
        update_step(
            HEAVY_BALL,
            R,
            r"The update $v \leftarrow \beta v + \lambda x$, $x \leftarrow x - \eta v$ "
            r"on $f(x) = \frac{\lambda}{2} x^2$ is linear in the state $(v, x)$: its matrix is $R$.",
            _shown_matrix(),
        ),
        identity(r"The trace of $R$", n["tr"], s),
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
            r"Its roots, the eigenvalues of $R$ (both checked to be roots).",
            z_pm,
            sp.Poly(poly, z),
            sp.Mul(
                sp.Rational(1, 2),
                sp.Add(*s.args, PM * sp.sqrt(disc), evaluate=False),
                evaluate=False,
            ),
        )
    )
    steps.append(
        identity(
            r"Their product is $\det R = \beta$. When $\Delta < 0$ the roots are complex "
            r"conjugates, so $|z_\pm|^2 = z_+ z_- = \beta$ and the rate is $\sqrt{\beta}$ "
            r"(not $2\sqrt{\beta}$).",
            zp * zm,
            beta,
        )
    )
    size = Named("S", sp.Abs(s))
    steps.append(
        identity(
            r"When $\Delta \ge 0$ the roots are real, $|z_\pm| = \frac{1}{2}|1 + \beta - \eta\lambda "
            r"\pm \sqrt{\Delta}|$; with $S = |1 + \beta - \eta\lambda|$ the larger is "
            r"$\frac{1}{2}(S + \sqrt{\Delta})$ because",
            sp.Add(
                sp.Pow(sp.Add(size, sp.sqrt(disc), evaluate=False), 2, evaluate=False),
                -sp.Pow(sp.Add(size, -sp.sqrt(disc), evaluate=False), 2, evaluate=False),
                evaluate=False,
            ),
            sp.Mul(4, size, sp.sqrt(disc), evaluate=False),
        )
    )
    rho = spectral_radius_expr()
    shown_rho = sp.Piecewise(
        (sp.sqrt(beta), lt(disc, 0)),
        (
            sp.Mul(
                sp.Rational(1, 2), sp.Add(sp.Abs(s), sp.sqrt(disc), evaluate=False), evaluate=False
            ),
            True,
        ),
    )
    steps.append(
        agrees_at(
            "So the spectral radius, the rate of convergence, is piecewise (checked against the "
            "larger root modulus at a point of each regime: complex, real positive, real "
            r"negative, $\beta < 0$).",
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
    steps.append(_power_step(R, zp, zm))
    return Derivation(
        title="Heavy-ball momentum on a scalar quadratic",
        steps=tuple(steps),
        results={"characteristic_polynomial": poly, "spectral_radius": rho},
        remarks=(
            r"Goh (2017) prints the complex-regime rate as $2\sqrt{\beta}$; the checked "
            r"product of the roots gives $\sqrt{\beta}$.",
        ),
    )


_REGIME_POINTS = [
    {eta: sp.Rational(1, 2), beta: sp.Rational(1, 4), lam: 1},  # complex
    {eta: sp.Rational(1, 10), beta: sp.Rational(1, 4), lam: 1},  # real, positive
    {eta: sp.Rational(7, 2), beta: sp.Rational(1, 4), lam: 1},  # real, negative
    {eta: 3, beta: sp.Rational(-1, 2), lam: 1},  # negative beta
]


def _power_step(R: sp.Matrix, zp: Named, zm: Named):
    """R^t in closed form (Sylvester's formula for distinct roots), proved by induction."""
    Rs = sp.MatrixSymbol("R", 2, 2)
    eye = sp.Identity(2)
    formula = sp.MatMul(
        sp.Pow(zp - zm, -1),
        sp.MatAdd(zp**t * (Rs - zm * eye), -(zm**t) * (Rs - zp * eye)),
    )
    return power_identity(
        r"After $t$ steps, for distinct roots (Sylvester's formula; proved by induction: "
        r"it holds at $t = 0, 1$ and satisfies "
        r"$R^{t+2} = (\operatorname{tr} R) R^{t+1} - (\det R) R^t$).",
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
    shown_low = sp.Pow(sp.Add(1, -sp.sqrt(beta), evaluate=False), 2, evaluate=False)
    shown_high = sp.Pow(sp.Add(1, sp.sqrt(beta), evaluate=False), 2, evaluate=False)
    steps = [
        identity(
            r"The discriminant of $\det(zI - R)$ is a quadratic in $u = \eta\lambda$,",
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
            r"It vanishes (a double root, critical damping) at $u = (1 - \sqrt{\beta})^2$",
            disc_u,
            shown_low,
            result="lower",
        ),
        is_root(r"and at $u = (1 + \sqrt{\beta})^2$.", disc_u, shown_high, result="upper"),
        identity(
            r"The double root $z(u) = \frac{1}{2}(1 + \beta - u)$ has modulus $\sqrt{\beta}$ "
            r"($\beta \ge 0$): at the lower point it is positive,",
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
            r"Between the two points the roots are complex (ripples, rate $\sqrt{\beta}$); "
            r"below the lower one they are real and positive (monotone); above the upper one "
            r"real and negative (oscillating).",
        ),
    )
