r"""Lessard, Recht and Packard's counterexample: tuned for every quadratic, heavy ball cycles.

Heavy ball tuned by Polyak's rule for the spectrum [1, 25] converges at rate
2/3 on every quadratic whose Hessian's eigenvalues lie in [1, 25]. Lessard,
Recht and Packard (2016, section 4.6) give a function of the same class,
1-strongly convex and 25-smooth but not quadratic, on which it never
converges:

.. math:: f'(x) = \begin{cases} 25 x & x < 1 \\ x + 24 & 1 \le x < 2 \\
          25 x - 24 & x \ge 2. \end{cases}

From x0 = 3.3 (velocity 0) heavy ball falls onto a cycle of three points,
two on the first piece and one on the third. :func:`derive_counterexample`
solves the cycle's three linear equations exactly, checks that each point
lies on the piece it was assumed on, and that the cycle attracts the orbits
near it (the product of the three steps' Jacobians has spectral radius
8/27 < 1), so they never reach the minimizer 0. The numbers are in
:mod:`numerics.lessard` (``momentum simulate --function lessard``).

Examples
--------
>>> derive_counterexample().results["cycle"].T
Matrix([[792/1225, -2208/1225, 2592/1225]])
"""

from __future__ import annotations

import sympy as sp

from theory.engine.claims import holds_for_all
from theory.engine.derivation import Derivation, identity
from theory.engine.named import Named, NamedMatrix, defined
from theory.engine.prose import Listed, say
from theory.symbols import L, beta, eta, mu
from theory.tuning import tuned_formulas

__all__ = ["PIECES", "cycle_equations", "derive_counterexample", "lessard_gradient"]

#: f'(x) = slope x + offset on each piece: x < 1, 1 <= x < 2, x >= 2
PIECES = ((25, 0), (1, 24), (25, -24))
#: where the pieces meet
BREAKS = (1, 2)
#: the class: mu-strongly convex, L-smooth
CLASS = {mu: 1, L: 25}
#: the pieces the cycle's points p0, p1, p2 are on (found by running from 3.3; checked below)
CYCLE_PIECES = (0, 0, 2)

_x = sp.Symbol("x", real=True)
_z = sp.Symbol("z")
_t = sp.Symbol("t", integer=True)
_X = sp.IndexedBase("x")


def lessard_gradient() -> sp.Piecewise:
    """f'(x) as a Piecewise in x."""
    (s0, c0), (s1, c1), (s2, c2) = PIECES
    return sp.Piecewise(
        (s0 * _x + c0, _x < BREAKS[0]), (s1 * _x + c1, _x < BREAKS[1]), (s2 * _x + c2, True)
    )


def cycle_equations(step=eta, momentum=beta, pieces=CYCLE_PIECES) -> tuple[list[sp.Eq], tuple]:
    """Heavy ball's equations for a 3-cycle p0 -> p1 -> p2 -> p0 with p_k on ``pieces[k]``.

    x_{t+1} = x_t - eta f'(x_t) + beta (x_t - x_{t-1}), indices modulo 3; with
    the symbols eta and beta (the default) they are written as a person
    writes them.
    """
    p = sp.symbols("p0:3", real=True)
    equations = []
    for k in range(3):
        slope, offset = PIECES[pieces[k]]
        # written as a person writes them: -25 eta p0, -eta (25 p2 - 24)
        gradient_step = (
            sp.Mul(-1, step, sp.Add(slope * p[k], offset, evaluate=False), evaluate=False)
            if offset
            else -slope * step * p[k]
        )
        equations.append(
            sp.Eq(
                p[(k + 1) % 3],
                sp.Add(
                    p[k],
                    gradient_step,
                    sp.Mul(momentum, sp.Add(p[k], -p[k - 1], evaluate=False), evaluate=False),
                    evaluate=False,
                ),
                evaluate=False,
            )
        )
    return equations, p


_PIECE_WORDS = ("the first piece", "the second piece", "the third piece")


def _on_pieces(points, pieces) -> list:
    """One claim per bound: each point of the cycle lies on the piece it was assumed on."""
    claims = []
    for k, (point, piece) in enumerate(zip(points, pieces, strict=True)):
        low = BREAKS[piece - 1] if piece > 0 else None
        high = BREAKS[piece] if piece < len(BREAKS) else None
        bounds = ([sp.Ge(point, low, evaluate=False)] if low is not None else []) + (
            [sp.Lt(point, high, evaluate=False)] if high is not None else []
        )
        lead = "Each point is on the piece it was assumed on: " if k == 0 else ""
        for i, bound in enumerate(bounds):
            words = f"{lead}p{k} on {_PIECE_WORDS[piece]}" if i == 0 else "and"
            claims.append(holds_for_all(words + ("," if i + 1 < len(bounds) else ";"), bound))
            lead = ""
    return claims


def derive_counterexample() -> Derivation:
    """Polyak's tuning for [1, 25], Lessard's function, and the 3-cycle heavy ball settles on."""
    tuned = tuned_formulas("heavy_ball")
    step, momentum, rate = (
        sp.nsimplify(e.subs(CLASS)) for e in (tuned.eta, tuned.beta, tuned.rate)
    )
    gradient = lessard_gradient()
    pieces = CYCLE_PIECES
    written, p = cycle_equations(pieces=pieces)
    # the equations at Polyak's numbers as M p = r: exact; M is invertible (checked below)
    values = {eta: step, beta: momentum}
    M, r = sp.linear_eq_to_matrix([(e.lhs - e.rhs).subs(values) for e in written], p)
    solution = M.LUsolve(r)
    # each step's Jacobian on the state (x_t, x_{t-1}) is set by f'' = the slope at x_t
    jacobians = [
        sp.Matrix([[1 + momentum - step * PIECES[k][0], -momentum], [1, 0]]) for k in pieces
    ]
    J = jacobians[0]
    around = jacobians[2] * jacobians[1] * jacobians[0]
    root = -(rate**3)  # the double root the last steps claim

    pn = NamedMatrix("p", sp.Matrix(p), latex="p")
    Mn, rn = NamedMatrix("M", M), NamedMatrix("r", r)
    Jn = NamedMatrix("J", J)
    steps = [
        identity(
            "Lessard, Recht and Packard's function has the gradient",
            defined("f'", _x, gradient)(_x),
            gradient,
        ),
        identity(
            say(
                "It is continuous where the pieces meet: at {x1} the first two pieces agree,",
                x1=sp.Eq(_x, BREAKS[0], evaluate=False),
            ),
            sp.Integer(PIECES[0][0] * BREAKS[0] + PIECES[0][1]),
            sp.Add(PIECES[1][0] * BREAKS[0], PIECES[1][1], evaluate=False),
        ),
        identity(
            say("and at {x2} the last two,", x2=sp.Eq(_x, BREAKS[1], evaluate=False)),
            sp.Add(PIECES[1][0] * BREAKS[1], PIECES[1][1], evaluate=False),
            sp.Add(PIECES[2][0] * BREAKS[1], PIECES[2][1], evaluate=False),
        ),
        identity(
            say(
                "Its slopes {slopes} are the curvatures it has: the least is {mu}",
                slopes=Listed(*(s for s, _ in PIECES)),
                mu=mu,
            ),
            sp.Min(*(s for s, _ in PIECES), evaluate=False),
            CLASS[mu],
        ),
        identity(
            say(
                "and the largest {L}: f is 1-strongly convex and 25-smooth, a function of the "
                "class whose quadratics heavy ball is tuned for.",
                L=L,
            ),
            sp.Max(*(s for s, _ in PIECES), evaluate=False),
            CLASS[L],
        ),
        *(
            identity(words, sp.Subs(formula, (mu, L), (CLASS[mu], CLASS[L])), value, result=name)
            for words, formula, value, name in (
                (
                    "Polyak's tuning for that spectrum (the toolkit's closed form) is the step",
                    tuned.eta,
                    step,
                    "eta",
                ),
                ("and the momentum", tuned.beta, momentum, "beta"),
                (
                    "with the rate on every quadratic of the class",
                    tuned.rate,
                    rate,
                    "quadratic_rate",
                ),
            )
        ),
        identity(
            say(
                "Suppose heavy ball, {update}, runs around a cycle {cycle} with two points on the "
                "first piece and one on the third. Its three equations {equations} are, at "
                "Polyak's step and momentum, {system} with",
                update=sp.Eq(
                    _X[_t + 1],
                    sp.Add(
                        _X[_t],
                        -eta * sp.Function("f'")(_X[_t]),
                        sp.Mul(beta, sp.Add(_X[_t], -_X[_t - 1], evaluate=False), evaluate=False),
                        evaluate=False,
                    ),
                    evaluate=False,
                ),
                cycle=Listed(*p),
                equations=Listed(*written),
                system=sp.Eq(sp.MatMul(Mn, pn), rn, evaluate=False),
            ),
            Mn,
            M,
        ),
        identity(
            "and",
            rn,
            r,
        ),
        identity("M is invertible:", Named("det M", M.det(), latex=r"\det M"), M.det()),
        identity(
            "so there is exactly one such cycle, its points the solution",
            sp.MatMul(Mn.I, rn),
            solution,
            result="cycle",
        ),
        *_on_pieces(solution, pieces),
        identity(
            say(
                "On those pieces every step of the cycle has the Jacobian {J} on the state "
                "{state}, f'' being 25 on the first piece and on the third:",
                J=Jn,
                state=Listed(_X[_t], _X[_t - 1]),
            ),
            Jn,
            J,
        ),
        identity(
            "so once around the cycle the orbits near it are mapped by the three steps' "
            "product, its cube,",
            sp.MatMul(
                *(
                    NamedMatrix(f"J{k}", m, latex=f"J_{{{k}}}")
                    for k, m in ((2, jacobians[2]), (1, jacobians[1]), (0, jacobians[0]))
                )
            ),
            sp.MatPow(Jn, 3),
        ),
        identity(
            "whose characteristic polynomial is",
            Named("det(zI - J³)", (_z * sp.eye(2) - around).det(), latex=r"\det(zI - J^3)"),
            sp.Pow(sp.Add(_z, -root, evaluate=False), 2, evaluate=False),
        ),
        identity(
            say(
                "Its one eigenvalue has a modulus below 1, the quadratic rate cubed: the cycle "
                "attracts the orbits that come near it, and the minimizer {minimizer} is not on "
                "it. Heavy ball, tuned to converge on every quadratic of the class, never "
                "converges from them.",
                minimizer=sp.Eq(Named("x*", 0, latex="x^*"), 0, evaluate=False),
            ),
            sp.Abs(root, evaluate=False),
            sp.Pow(rate, 3, evaluate=False),
            result="contraction",
        ),
    ]
    return Derivation(
        title="Lessard's counterexample: a 3-cycle of tuned heavy ball",
        steps=tuple(steps),
        results={
            "eta": step,
            "beta": momentum,
            "quadratic_rate": rate,
            "cycle": solution,
            "contraction": rate**3,
        },
        remarks=(
            say(
                "Started at {x0} with velocity 0 heavy ball settles on this cycle "
                "(momentum simulate --function lessard). Its contraction per round is "
                "{contraction}, the quadratic rate cubed: on the slope-25 pieces heavy ball is "
                "critically damped, as Polyak's tuning makes it at both ends of the spectrum.",
                x0=sp.Eq(sp.Symbol("x_0"), sp.Rational(33, 10), evaluate=False),
                contraction=sp.Pow(rate, 3, evaluate=False),
            ),
        ),
    )
