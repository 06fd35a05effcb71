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

from theory.derivation import Derivation, holds, identity
from theory.methods import HEAVY_BALL, characteristic_polynomial, state_matrix
from theory.printing import Written
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


def derive_momentum() -> Derivation:
    """Derive R from the update, its characteristic polynomial, roots, rate and R^t."""
    R = momentum_matrix()
    v, x = HEAVY_BALL.state
    new = {"v": beta * v + lam * x}
    steps = [
        identity(
            r"The update $v \leftarrow \beta v + \lambda x$, $x \leftarrow x - \eta v$ "
            r"on $f(x) = \frac{\lambda}{2} x^2$ is linear in the state $(v, x)$.",
            R * sp.Matrix([v, x]),
            sp.Matrix([new["v"], x - eta * new["v"]]),
            display=(
                sp.Matrix([sp.Symbol("v_{t+1}"), sp.Symbol("x_{t+1}")]),
                Written(
                    sp.MatMul(
                        _shown_matrix(),
                        sp.Matrix([sp.Symbol("v_t"), sp.Symbol("x_t")]),
                        evaluate=False,
                    )
                ),
            ),
        ),
        identity(
            r"The trace of $R$.",
            R.trace(),
            trace_term(),
            display=(r"\operatorname{tr} R", Written(trace_term())),
        ),
        identity(r"The determinant of $R$.", R.det(), beta, display=(r"\det R", beta)),
    ]
    poly = characteristic_polynomial(HEAVY_BALL).as_expr()
    shown = sp.Add(z**2, sp.Mul(-1, trace_term(), z, evaluate=False), beta, evaluate=False)
    steps.append(
        identity(
            "The characteristic polynomial.",
            poly,
            shown,
            display=(r"\det(z I - R)", Written(shown)),
        )
    )
    zp, zm = roots()
    steps.append(
        holds(
            r"Its roots (the eigenvalues of $R$); both satisfy $\det(zI - R) = 0$.",
            r"z_\pm &= \frac{1}{2}\left(1 + \beta - \eta\lambda \pm "
            r"\sqrt{(1 + \beta - \eta\lambda)^2 - 4\beta}\right)",
            lambda: all(sp.expand(poly.subs(z, r)) == 0 for r in (zp, zm)),
            plain="z_pm = (1 + beta - eta*lambda +- sqrt((1 + beta - eta*lambda)**2 - 4*beta))/2",
        )
    )
    steps.append(
        identity(
            r"Their product is $\det R = \beta$. When the discriminant is negative the "
            r"roots are complex conjugates, so $|z_\pm|^2 = z_+ z_- = \beta$ and the rate is "
            r"$\sqrt{\beta}$ (not $2\sqrt{\beta}$).",
            zp * zm,
            beta,
            display=("z_+ z_-", beta),
        )
    )
    S, d = sp.symbols("S d", nonnegative=True)
    steps.append(
        holds(
            r"When the roots are real, with $S = |1 + \beta - \eta\lambda| \ge 0$ and "
            r"$d = \sqrt{(1 + \beta - \eta\lambda)^2 - 4\beta} \ge 0$, the larger modulus is "
            r"$(S + d)/2$ because $(S + d)^2 - (S - d)^2 = 4 S d \ge 0$.",
            r"\max(|z_+|, |z_-|) &= \frac{1}{2}\left(|1 + \beta - \eta\lambda| + "
            r"\sqrt{(1 + \beta - \eta\lambda)^2 - 4\beta}\right)",
            lambda: sp.expand((S + d) ** 2 - (S - d) ** 2).is_nonnegative is True,
            plain="max(|z_+|, |z_-|) = (|1 + beta - eta*lambda| + sqrt((1 + beta - eta*lambda)**2 - 4*beta))/2",
        )
    )
    rho = spectral_radius_expr()
    steps.append(
        holds(
            "So the spectral radius, the rate of convergence, is piecewise (checked against the "
            "exact roots at a point of each regime).",
            r"\rho(R) &= \begin{cases} \sqrt{\beta} & (1 + \beta - \eta\lambda)^2 < 4\beta \\ "
            r"\frac{1}{2}\left(|1 + \beta - \eta\lambda| + \sqrt{(1 + \beta - \eta\lambda)^2 "
            r"- 4\beta}\right) & \text{otherwise} \end{cases}",
            lambda: _piecewise_matches_roots(rho, zp, zm),
            plain=f"rho = {sp.sstr(rho, order='none')}",
        )
    )
    steps.append(_power_step(R))
    return Derivation(
        title="Heavy-ball momentum on a scalar quadratic",
        steps=tuple(steps),
        results={
            "matrix": R,
            "characteristic_polynomial": poly,
            "eigenvalues": sp.Tuple(zp, zm),
            "spectral_radius": rho,
        },
        remarks=(
            r"Goh (2017) prints the complex-regime rate as $2\sqrt{\beta}$; the checked "
            r"product of the roots gives $\sqrt{\beta}$.",
        ),
    )


def _piecewise_matches_roots(rho: sp.Piecewise, zp: sp.Expr, zm: sp.Expr) -> bool:
    """Spot-check the Piecewise against the exact roots at rational points of each regime."""
    points = [
        {eta: sp.Rational(1, 2), beta: sp.Rational(1, 4), lam: 1},  # complex
        {eta: sp.Rational(1, 10), beta: sp.Rational(1, 4), lam: 1},  # real, positive
        {eta: sp.Rational(7, 2), beta: sp.Rational(1, 4), lam: 1},  # real, negative
        {eta: 3, beta: sp.Rational(-1, 2), lam: 1},  # negative beta
    ]
    for p in points:
        exact = sp.Max(sp.Abs(sp.N(zp.subs(p), 30)), sp.Abs(sp.N(zm.subs(p), 30)))
        if abs(sp.N(rho.subs(p), 30) - exact) > sp.Float("1e-25"):
            return False
    return True


def _power_step(R: sp.Matrix):
    """R^t in closed form (Sylvester's formula for distinct roots), checked by recurrence."""
    r1, r2 = sp.symbols("z_+ z_-")
    eye = sp.eye(2)

    def power(k):
        return (r1**k * (R - r2 * eye) - r2**k * (R - r1 * eye)) / (r1 - r2)

    # R's trace is r1 + r2 and its determinant r1 r2: write eta, beta through the roots.
    roots_of_R = {beta: r1 * r2}
    eta_from_trace = sp.solve(sp.Eq(R.trace().subs(roots_of_R), r1 + r2), eta)[0]
    sub = {**roots_of_R, eta: eta_from_trace}

    def check() -> bool:
        base = [sp.simplify((power(k) - R**k).subs(sub)) for k in (0, 1)]
        step = (power(t + 2) - R.trace() * power(t + 1) + R.det() * power(t)).subs(sub)
        step = step.applyfunc(lambda e: sp.expand(sp.expand_power_exp(sp.expand(e))))
        return all(m.is_zero_matrix for m in base) and step.applyfunc(sp.simplify).is_zero_matrix

    return holds(
        r"After $t$ steps, for distinct roots (Sylvester's formula; checked at "
        r"$t = 0, 1$ and through $R^{t+2} = \operatorname{tr}R\,R^{t+1} - \det R\,R^t$).",
        r"R^t &= \frac{z_+^t (R - z_- I) - z_-^t (R - z_+ I)}{z_+ - z_-}",
        check,
        plain="R**t = (z_+**t (R - z_- I) - z_-**t (R - z_+ I))/(z_+ - z_-)",
    )


def derive_damping() -> Derivation:
    """Critical damping: where the discriminant vanishes, and the regimes around it."""
    disc = _disc()
    u = sp.Symbol("u", positive=True)  # u stands for eta*lambda
    low, high = critical_damping()
    bp = sp.Symbol("beta", nonnegative=True)
    disc_u = disc.subs(eta, u / lam).doit()
    steps = [
        identity(
            r"The discriminant of $\det(zI - R)$ factors in $u = \eta\lambda$.",
            disc_u,
            (u - low) * (u - high),
            display=(
                Written(disc),
                Written(
                    sp.Mul(
                        sp.Add(u, -low, evaluate=False),
                        sp.Add(u, -high, evaluate=False),
                        evaluate=False,
                    )
                ),
            ),
        ),
        identity(
            r"It vanishes (a double root, critical damping) at $\eta\lambda = (1 - \sqrt{\beta})^2$.",
            disc_u.subs(u, low),
            0,
            display=(r"\eta\lambda", low),
        ),
        identity(
            r"and at $\eta\lambda = (1 + \sqrt{\beta})^2$.",
            disc_u.subs(u, high),
            0,
            display=(
                r"\eta\lambda",
                Written(sp.Pow(sp.Add(1, sp.sqrt(beta), evaluate=False), 2, evaluate=False)),
            ),
        ),
        identity(
            r"At a double root $z = \frac{1}{2}(1 + \beta - \eta\lambda)$ has modulus $\sqrt\beta$ "
            r"($\beta \ge 0$): at the lower point.",
            (trace_term().doit() / 2).subs(eta, low / lam).subs(beta, bp),
            sp.sqrt(bp),
            display=(r"z_{\mathrm{double}}", sp.sqrt(beta)),
        ),
        identity(
            r"and at the upper point, where the double root is negative.",
            (trace_term().doit() / 2).subs(eta, high / lam).subs(beta, bp),
            -sp.sqrt(bp),
            display=(r"z_{\mathrm{double}}", -sp.sqrt(beta)),
        ),
    ]
    return Derivation(
        title="Critical damping",
        steps=tuple(steps),
        results={"lower": low, "upper": high},
        remarks=(
            r"Between the two points the roots are complex (ripples, rate $\sqrt\beta$); "
            r"below the lower one they are real and positive (monotone); above the upper one "
            r"real and negative (oscillating).",
        ),
    )
