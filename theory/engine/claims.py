"""Claims beyond identities and equivalences: solutions, roots, induction, checks at points.

Each constructor proves its claim before it returns a :class:`~theory.engine.derivation.Step`
that prints the very objects the proof read, and raises
:class:`~theory.errors.ClaimError` when the proof fails.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from theory.engine.checking import _checked_relation, _positive_part, checked, is_zero, zero_modulo
from theory.engine.derivation import Step, _basic, _refuse
from theory.engine.named import expand_names
from theory.engine.sympy_text import message_text
from theory.errors import ClaimError

__all__ = [
    "agrees_at",
    "counterexample",
    "equivalent_by_factor",
    "fact",
    "holds_for_all",
    "is_root",
    "power_identity",
    "roots_of",
    "solves",
]


def fact(lhs: object, rhs: object, *, points: list[dict] | None = None, **checks) -> sp.Eq:
    """``lhs = rhs`` as an equation to quote in a sentence, proven first; ClaimError if false.

    Proven as :func:`~theory.engine.derivation.identity` proves a step (its
    keyword options, such as ``cases``, ``where`` or ``symmetric``, apply), or
    with ``points`` at those points only (as :func:`agrees_at`: for a fact
    that holds in one regime, say so in the words around it).
    """
    from theory.engine.derivation import identity

    what = "a formula in a sentence"
    if points is not None:
        agrees_at(what, lhs, rhs, points)
    else:
        identity(what, lhs, rhs, **checks)
    return sp.Eq(_basic(lhs), _basic(rhs), evaluate=False)


def counterexample(lhs: object, rhs: object, at: Mapping) -> None:
    """Check that ``lhs = rhs`` is false: at the point ``at`` the two sides differ exactly.

    ``at`` gives symbols values (``n: 2``, ``b: 2``) and matrix symbols, by name,
    explicit matrices (``"Q": [[2, 1], [1, 3]]``). Raises ClaimError when the two
    sides agree there (the claim might hold: a remark that calls it false must not
    stand on that point).
    """
    scalars = {k: v for k, v in at.items() if not isinstance(k, str)}
    matrices = {k: sp.ImmutableMatrix(v) for k, v in at.items() if isinstance(k, str)}

    def value(side):
        side = sp.sympify(side).xreplace(scalars)
        named = {m: matrices[m.name] for m in side.atoms(sp.MatrixSymbol) if m.name in matrices}
        named |= {i: sp.ImmutableMatrix(sp.eye(i.rows)) for i in side.atoms(sp.Identity)}
        side = side.xreplace(named).doit()  # explicit matrices: SymPy multiplies them out
        return sp.ImmutableMatrix(side) if isinstance(side, sp.MatrixExpr) else side

    left, right = value(lhs), value(rhs)
    difference = (
        sp.Matrix(left) - sp.Matrix(right) if isinstance(left, sp.MatrixBase) else left - right
    )
    if is_zero(difference):
        raise ClaimError(
            f"{message_text(lhs)} = {message_text(rhs)} holds at {at}: no counterexample"
        )


def _proven_sign(expr: sp.Expr, strict: bool = True) -> bool:
    """Whether SymPy's assumptions decide ``expr > 0`` (``>= 0`` when not strict)."""
    # factored as it stands first (cheap); simplified then factored if that leaves the sign open
    for shape in (sp.factor, lambda e: sp.factor(sp.simplify(e))):
        form = shape(expr)
        if form.is_positive if strict else form.is_nonnegative:
            return True
    return False


def holds_for_all(text: str, claim: sp.Basic, *, where: Mapping | None = None) -> Step:
    """A step claiming the inequality ``claim`` (``e >= 0`` or ``e > 0`` form) holds everywhere.

    Proved when SymPy's assumptions decide the sign of the factored difference
    (after ``where``, e.g. a reparametrisation that makes a sign visible).
    """

    def proof() -> bool:
        expr, strict = _positive_part(_checked_relation(claim))
        return _proven_sign(expr.subs(where or {}), strict)

    if not proof():
        raise _refuse(text, f"{message_text(claim)} is not proven")
    lhs, rhs = claim.args
    rel = {
        sp.StrictGreaterThan: ">",
        sp.GreaterThan: ">=",
        sp.StrictLessThan: "<",
        sp.LessThan: "<=",
    }
    return Step(text, lhs, rel[type(claim)], rhs, proof, None)


def equivalent_by_factor(
    text: str,
    derived: sp.Basic,
    claimed: sp.Basic,
    factor: object,
    *,
    where: Mapping | None = None,
    result: str | None = None,
) -> Step:
    """A step claiming the inequality ``derived`` is the same condition as ``claimed``
    because one is the other multiplied by a positive ``factor``.

    Both are brought to the form ``e > 0`` (strict) or ``e >= 0`` (weak); proved when
    the strictness agrees, ``e_derived = factor * e_claimed`` identically, and SymPy's
    assumptions decide that ``factor`` is positive (after ``where``, a
    reparametrisation that makes the sign visible, e.g. ``beta = (1 - r)/(1 + r)``
    for ``|beta| < 1``; the identity is checked as it stands). Prints
    ``derived <=> claimed``; :func:`equivalent` is the case of a constant factor.
    """

    def proof() -> bool:
        a, strict_a = _positive_part(_checked_relation(derived))
        b, strict_b = _positive_part(_checked_relation(claimed))
        if strict_a != strict_b or not is_zero(a - checked(factor) * b):
            return False
        return _proven_sign(checked(factor, where))

    if not proof():
        raise _refuse(
            text,
            f"{message_text(derived)} is not {message_text(factor)} > 0 times "
            f"{message_text(claimed)}",
        )
    return Step(text, derived, "<=>", claimed, proof, result)


def solves(
    text: str,
    equation: sp.Eq,
    var: sp.Symbol,
    solution: object,
    *,
    where: Mapping | None = None,
    result: str | tuple[str, ...] | None = None,
) -> Step:
    """A step claiming ``equation`` holds iff ``var = solution``; prints ``equation <=> var = solution``.

    Checked: the solution satisfies the equation, and it is the only one
    because the equation is linear in ``var`` or strictly monotone in it.
    """

    def proof() -> bool:
        unknown = (where or {}).get(var, var)
        gap = checked(equation.lhs, where) - checked(equation.rhs, where)
        if not is_zero(gap.subs(unknown, checked(solution, where))):
            return False
        try:
            if sp.Poly(gap, unknown).degree() == 1:
                return True
        except sp.PolynomialError:
            pass
        slope = sp.simplify(sp.diff(gap, unknown))
        return bool(slope.is_positive or slope.is_negative)

    if not proof():
        raise _refuse(
            text,
            f"{message_text(equation)} is not solved by {var} = {message_text(solution)} alone",
        )
    shown = sp.Eq(var, solution, evaluate=False)
    return Step(text, equation, "<=>", shown, proof, result, _basic(solution))


def roots_of(text: str, name: sp.Basic, poly: sp.Poly, formula: sp.Expr) -> Step:
    """A step claiming ``formula`` (holding ``±``) gives the two roots of the quadratic ``poly``.

    Checked: each sign gives a root, and the two are not identically equal.
    """
    from theory.engine.named import pm

    (var,) = poly.gens

    def proof() -> bool:
        if poly.degree() != 2:
            return False
        plus, minus = (checked(formula, {pm: c}) for c in (1, -1))
        return all(is_zero(poly.as_expr().subs(var, r)) for r in (plus, minus)) and not is_zero(
            plus - minus
        )

    if not proof():
        raise _refuse(text, f"{name} = {formula} are not the roots of {poly.as_expr()}")
    return Step(text, name, "=", formula, proof, None)


def is_root(text: str, function: type, argument: object, *, result: str | None = None) -> Step:
    """A step claiming ``function(argument) = 0``; as a result it yields the argument."""
    applied = function(argument)

    def proof() -> bool:
        return is_zero(checked(applied))

    if not proof():
        raise _refuse(text, f"{applied} = 0")
    return Step(text, applied, "=", sp.Integer(0), proof, result, yields=sp.sympify(argument))


def agrees_at(
    text: str, lhs: object, rhs: object, points: list[dict], *, result: str | None = None
) -> Step:
    """A step claiming ``lhs = rhs`` checked exactly (to 30 digits) at the given points.

    For claims SymPy cannot prove symbolically (a case split); the sentence
    must say it is checked at points, one at least in every case.
    """

    def proof() -> bool:
        left, right = checked(lhs), checked(rhs)
        for point in points:
            # every symbol at once (xreplace): ``subs`` goes one symbol at a time, and a
            # Max or Piecewise half-substituted re-evaluates symbolically (slowly)
            p = {sp.sympify(k): sp.sympify(v) for k, v in point.items()}
            a, b = sp.N(left.xreplace(p), 30), sp.N(right.xreplace(p), 30)
            if not abs(a - b) < sp.Float("1e-25"):
                return False
        return True

    if not proof():
        raise _refuse(text, f"{message_text(lhs)} = {message_text(rhs)} at {message_text(points)}")
    return Step(text, _basic(lhs), "=", _basic(rhs), proof, result)


def power_identity(
    text: str,
    name: sp.MatrixSymbol,
    matrix: sp.Matrix,
    t: sp.Symbol,
    formula: sp.Basic,
) -> Step:
    """A step claiming ``name**t = formula(t)`` for every integer t >= 0, ``name`` standing for ``matrix``.

    Proved by induction: the formula is ``I`` at t = 0 and ``matrix`` at t = 1, and
    it satisfies Cayley-Hamilton's recurrence ``F(t+2) = tr M F(t+1) - det M F(t)``,
    which the powers of a 2x2 matrix satisfy.
    """

    from theory.engine.named import Named

    roots = sorted(formula.atoms(Named), key=str)
    symbols = {r: sp.Dummy(f"r{i}") for i, r in enumerate(roots)}
    bare = formula.xreplace(symbols)
    var = sp.Dummy("z")

    def at(k):
        return sp.Matrix(bare.xreplace({t: k, name: sp.ImmutableMatrix(matrix)}).doit())

    def proof() -> bool:
        if matrix.shape != (2, 2):
            return False
        # the named quantities of the formula are roots of det(zI - M) ...
        char = sp.expand((var * sp.eye(2) - matrix).det())
        if not all(is_zero(char.subs(var, expand_names(r))) for r in roots):
            return False
        if not (is_zero(at(0) - sp.eye(2)) and is_zero(at(1) - matrix)):
            return False
        # ... so the recurrence holds once each r**2 is reduced by r**2 = tr M r - det M
        # (in the numerator over the common denominator)
        relations = [(x, char.subs(var, x)) for x in symbols.values()]
        rec = at(t + 2) - matrix.trace() * at(t + 1) + matrix.det() * at(t)
        return all(
            zero_modulo(_powers_as_symbols(e.as_numer_denom()[0], t), relations) for e in rec
        )

    if not proof():
        raise _refuse(text, f"{name}**{t} = {formula}")
    return Step(text, sp.MatPow(name, t), "=", formula, proof, None)


def _powers_as_symbols(e: sp.Expr, t: sp.Symbol) -> sp.Expr:
    """Split r**(t + k) into r**t r**k and keep each r**t as a symbol of its own."""
    shifted = [p for p in e.atoms(sp.Pow) if (p.exp - t).is_Integer]
    symbol = {b: sp.Dummy("P") for b in {p.base for p in shifted}}
    return e.xreplace({p: symbol[p.base] * p.base ** (p.exp - t) for p in shifted})
