"""Checked derivations: ordered steps whose claims SymPy verifies before printing.

A :class:`Step` is a sentence plus a claim held as SymPy objects; it is only
built by a checking constructor (:func:`identity`, :func:`equivalent`,
:func:`solves`, :func:`agrees_at`, :func:`power_identity`), which proves the
claim first and raises :class:`~theory.errors.ClaimError` when it fails. The
claim prints from the same objects the proof read: named quantities
(:mod:`theory.named`) print as their name and are checked as their value,
and a display form is accepted only when it is proven equal to the checked
one. A :class:`Derivation` is an ordered tuple of steps, results (each the
right-hand side of the step that names it) and remarks, printable as LaTeX,
Markdown and reader's text.

Examples
--------
>>> import sympy as sp
>>> x = sp.Symbol("x")
>>> s = identity("Expand the square.", (x + 1) ** 2, x**2 + 2 * x + 1)
>>> s.latex
'(x + 1)^{2} &= x^{2} + 2 x + 1'
>>> identity("A slip.", (x + 1) ** 2, x**2 + 1)
Traceback (most recent call last):
...
theory.errors.ClaimError: step 'A slip.' does not hold: (x + 1)**2 = x**2 + 1
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from theory.errors import ClaimError
from theory.named import expand_names
from theory.printing import escape_text, latex, plain, to_plain

__all__ = [
    "Derivation",
    "Step",
    "agrees_at",
    "equivalent",
    "ge",
    "holds_for_all",
    "is_root",
    "roots_of",
    "gt",
    "identity",
    "is_zero",
    "le",
    "lt",
    "power_identity",
    "solves",
]

_RELATIONS = {"=": "=", "<": "<", ">": ">", "<=": r"\le", ">=": r"\ge", "<=>": r"\iff"}
_PLAIN_RELATIONS = {"=": "=", "<": "<", ">": ">", "<=": "≤", ">=": "≥", "<=>": "⟺"}


def _canonical_scalars(expr: MatrixExpr) -> sp.Basic:
    """Rewrite each 1x1 term of a matrix sum in one canonical orientation.

    A 1x1 matrix equals its transpose, so ``x.T*c`` and ``c.T*x`` are the same
    scalar; SymPy does not know this, so choose the lexicographically smaller
    of a term and its transpose.
    """
    expr = expr.doit()
    if not isinstance(expr, sp.MatAdd) or expr.shape != (1, 1):
        return expr
    terms = []
    for term in expr.args:
        flipped = term.T.doit()
        terms.append(min(term, flipped, key=sp.srepr))
    return sp.MatAdd(*terms).doit()


def is_zero(
    expr: object,
    symmetric: tuple[sp.MatrixSymbol, ...] = (),
    orthogonal: tuple[sp.MatrixSymbol, ...] = (),
) -> bool:
    """Whether SymPy can prove ``expr`` is identically zero.

    Works for scalars, explicit matrices (entrywise) and matrix expressions;
    matrix symbols named in ``symmetric`` may be replaced by their transpose,
    and those in ``orthogonal`` satisfy ``O O^T = O^T O = I``.
    Cheap canonical forms are tried before :func:`sympy.simplify`.
    """
    if isinstance(expr, sp.MatrixBase):
        return all(is_zero(entry) for entry in expr)
    if isinstance(expr, MatrixExpr):
        for sym in symmetric:
            expr = expr.subs(sym.T, sym).subs(sym.I.T, sym.I)
        expr = expr.expand()
        if orthogonal:
            expr = sp.refine(expr, sp.And(*(sp.Q.orthogonal(o) for o in orthogonal))).doit()
        expr = _canonical_scalars(expr)
        if expr == sp.ZeroMatrix(*expr.shape) or expr == 0:
            return True
        simplified = sp.simplify(expr)
        return isinstance(simplified, sp.ZeroMatrix) or simplified == 0
    expr = sp.sympify(expr).doit()
    if expr == 0:
        return True
    if expr.has(sp.Float):
        return _float_zero(expr)
    for transform in (sp.expand, sp.cancel):
        expr = transform(expr)
        if expr == 0:
            return True
    if _algebraic_numbers_zero(expr):
        return True
    return sp.simplify(expr) == 0 or bool(expr.equals(0))


#: digits to which coefficients that are nested radicals are compared with zero
RADICAL_DIGITS = 60


def _algebraic_numbers_zero(expr: sp.Expr) -> bool:
    """For a polynomial whose coefficients are explicit algebraic numbers (nested
    radicals SymPy's simplifier cannot denest), compare each coefficient with zero
    to :data:`RADICAL_DIGITS` digits."""
    free = sorted(expr.free_symbols, key=str)
    try:
        coeffs = sp.Poly(expr, *free).coeffs() if free else [expr]
    except sp.PolynomialError:
        return False
    if not all(c.is_number and c.is_algebraic for c in coeffs):
        return False
    tol = sp.Float(10) ** (10 - RADICAL_DIGITS)
    return all(abs(sp.N(c, RADICAL_DIGITS)) < tol for c in coeffs)


#: absolute tolerance on each coefficient when a claim holds floats
FLOAT_ATOL = 1e-9


def _float_zero(expr: sp.Expr) -> bool:
    """Zero up to rounding: every coefficient of the expanded expression is tiny."""
    expr = sp.expand(expr)
    free = sorted(expr.free_symbols, key=str)
    try:
        coeffs = sp.Poly(expr, *free).coeffs() if free else [expr]
    except sp.PolynomialError:
        return bool(expr.equals(0))
    return all(abs(complex(sp.N(c))) <= FLOAT_ATOL for c in coeffs)


def checked(obj: object, where: Mapping | None = None, given: tuple = ()) -> object:
    """The form the checker compares: names replaced by their values, everything evaluated.

    ``where`` substitutes before and after evaluation; ``given`` lists conditions
    (such as ``|beta| < 1``) that pick a branch of any Piecewise the evaluation makes.
    """
    obj = sp.sympify(obj) if not isinstance(obj, sp.MatrixBase) else sp.ImmutableMatrix(obj)
    if where:
        obj = obj.subs(where)
    obj = expand_names(obj)
    if isinstance(obj, sp.MatrixBase):
        out = obj.applyfunc(lambda e: sp.sympify(e).doit())
    else:
        out = obj.doit()
    if given:
        out = out.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: _branch(e, given))
    if where:
        out = out.subs(where)
    return out


def _branch(pw: sp.Piecewise, given: tuple) -> sp.Basic:
    for value, cond in pw.args:
        if cond is sp.true or cond in given:
            return value
        if not any(cond == sp.Not(g) for g in given):
            break
    return pw


@dataclass(frozen=True)
class Step:
    """One verified step: a sentence and a claim ``lhs relation rhs`` held as SymPy objects.

    The claim prints from the very objects the checker verified; build steps
    with :func:`identity`, :func:`equivalent`, :func:`solves`,
    :func:`agrees_at` or :func:`power_identity`, which check first.
    ``result`` names the derivation result this step yields (its right-hand side).
    """

    text: str
    lhs: sp.Basic
    relation: str
    rhs: sp.Basic
    proof: Callable[[], bool] = field(repr=False, compare=False)
    result: str | tuple[str, ...] | None = None
    yields: sp.Basic | None = None

    @property
    def latex(self) -> str:
        """The claim as one ``align*`` row, aligned at the relation."""
        return f"{latex(self.lhs)} &{_RELATIONS[self.relation]} {latex(self.rhs)}"

    @property
    def display(self) -> str:
        """The claim as display maths, without the alignment mark."""
        return self.latex.replace(" &", " ", 1)

    @property
    def plain(self) -> str:
        """The claim as one line of reader's text."""
        return f"{plain(self.lhs)} {_PLAIN_RELATIONS[self.relation]} {plain(self.rhs)}"

    @property
    def value(self) -> sp.Basic:
        """What the step yields as a result: its checked right-hand side, unless it says otherwise."""
        target = self.yields if self.yields is not None else self.rhs
        if isinstance(target, sp.core.relational.Relational):
            return _checked_relation(target)
        return checked(target)

    def names(self, name: str) -> bool:
        """Whether this step yields the result ``name``."""
        return name == self.result or (isinstance(self.result, tuple) and name in self.result)

    def verify(self) -> bool:
        """Run the proof again on the stored (printed) objects."""
        return bool(self.proof())


def _refuse(text: str, claim: str) -> ClaimError:
    return ClaimError(f"step {text!r} does not hold: {claim}")


def identity(
    text: str,
    lhs: object,
    rhs: object,
    *,
    symmetric: tuple[sp.MatrixSymbol, ...] = (),
    orthogonal: tuple[sp.MatrixSymbol, ...] = (),
    display: tuple[object, object] | None = None,
    where: Mapping | None = None,
    cases: tuple[Mapping, ...] = ({},),
    given: tuple = (),
    result: str | None = None,
    yields: object = None,
) -> Step:
    """A step claiming ``lhs = rhs``; raises ClaimError unless it is proven.

    Named quantities are replaced by their values and everything is
    evaluated before the comparison (``where`` then substitutes, e.g. a
    reparametrisation ``{L: mu (1 + q)^2}`` that makes ``L >= mu`` visible).
    ``display`` gives the two sides as they should print (a person's order,
    unevaluated, named); each printed side must be proven equal to its
    checked side, else ClaimError. A claim holding ``±`` is checked in
    every one of ``cases`` (e.g. ``({pm: 1}, {pm: -1})``).
    """
    options = {"symmetric": symmetric, "orthogonal": orthogonal}
    left, right = display if display is not None else (lhs, rhs)
    sides = [(lhs, rhs)] + ([(lhs, left), (rhs, right)] if display is not None else [])

    def proof() -> bool:
        return all(
            is_zero(
                _difference(
                    checked(a, {**(where or {}), **case}, given),
                    checked(b, {**(where or {}), **case}, given),
                ),
                **options,
            )
            for a, b in sides
            for case in cases
        )

    if not proof():
        raise _refuse(
            text,
            f"{sp.sstr(lhs)} = {sp.sstr(rhs)}"
            + (f" (printed as {plain(left)} = {plain(right)})" if display is not None else ""),
        )
    shown = None if yields is None else _basic(yields)
    return Step(text, _basic(left), "=", _basic(right), proof, result, shown)


def _basic(obj: object) -> sp.Basic:
    if isinstance(obj, sp.MatrixBase):
        return sp.ImmutableMatrix(obj)
    return sp.sympify(obj)


def _difference(lhs: object, rhs: object) -> object:
    if isinstance(lhs, sp.MatrixBase) or isinstance(rhs, sp.MatrixBase):
        return sp.Matrix(lhs) - sp.Matrix(rhs)
    return lhs - rhs


def _positive_part(rel: sp.Basic) -> tuple[sp.Expr, bool]:
    """Write a strict or weak inequality as ``expr > 0`` (or ``>= 0``): (expr, strict)."""
    if isinstance(rel, sp.StrictGreaterThan):
        return rel.lhs - rel.rhs, True
    if isinstance(rel, sp.StrictLessThan):
        return rel.rhs - rel.lhs, True
    if isinstance(rel, sp.GreaterThan):
        return rel.lhs - rel.rhs, False
    if isinstance(rel, sp.LessThan):
        return rel.rhs - rel.lhs, False
    raise ClaimError(f"not an inequality: {rel}")


def gt(a: object, b: object) -> sp.StrictGreaterThan:
    """``a > b`` as an unevaluated relation (assumptions must not turn it into True)."""
    return sp.StrictGreaterThan(a, b, evaluate=False)


def lt(a: object, b: object) -> sp.StrictLessThan:
    """``a < b`` as an unevaluated relation."""
    return sp.StrictLessThan(a, b, evaluate=False)


def ge(a: object, b: object) -> sp.GreaterThan:
    """``a >= b`` as an unevaluated relation."""
    return sp.GreaterThan(a, b, evaluate=False)


def le(a: object, b: object) -> sp.LessThan:
    """``a <= b`` as an unevaluated relation."""
    return sp.LessThan(a, b, evaluate=False)


def _same_condition(derived: sp.Basic, claimed: sp.Basic) -> bool:
    """Both inequalities as ``e > 0`` (or ``>= 0``): the same strictness, and a positive
    constant ratio of the two sides."""
    a, strict_a = _positive_part(_checked_relation(derived))
    b, strict_b = _positive_part(_checked_relation(claimed))
    if strict_a != strict_b:
        return False
    ratio = sp.simplify(a / b)
    return bool(ratio.is_number and ratio.is_positive)


def _checked_relation(rel: sp.Basic) -> sp.Basic:
    return type(rel)(checked(rel.lhs), checked(rel.rhs), evaluate=False)


def equivalent(
    text: str, derived: sp.Basic, claimed: sp.Basic, *, result: str | None = None
) -> Step:
    """A step claiming the inequality ``derived`` is the same condition as ``claimed``.

    Both are brought to the form ``e > 0`` (strict) or ``e >= 0`` (weak); they
    are equivalent when the strictness agrees and the quotient of the two
    sides is a positive constant. Prints ``derived <=> claimed``.
    """

    def proof() -> bool:
        return _same_condition(derived, claimed)

    if not proof():
        raise _refuse(text, f"{derived} is not equivalent to {claimed}")
    return Step(text, derived, "<=>", claimed, proof, result)


def holds_for_all(text: str, claim: sp.Basic, *, where: Mapping | None = None) -> Step:
    """A step claiming the inequality ``claim`` (``e >= 0`` or ``e > 0`` form) holds everywhere.

    Proved when SymPy's assumptions decide the sign of the factored difference
    (after ``where``, e.g. a reparametrisation that makes a sign visible).
    """

    def proof() -> bool:
        expr, strict = _positive_part(_checked_relation(claim))
        expr = sp.factor(sp.simplify(expr.subs(where or {})))
        return bool(expr.is_positive if strict else expr.is_nonnegative)

    if not proof():
        raise _refuse(text, f"{claim} is not proven")
    lhs, rhs = claim.args
    rel = {
        sp.StrictGreaterThan: ">",
        sp.GreaterThan: ">=",
        sp.StrictLessThan: "<",
        sp.LessThan: "<=",
    }
    return Step(text, lhs, rel[type(claim)], rhs, proof, None)


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
        raise _refuse(text, f"{equation} is not solved by {var} = {solution} alone")
    shown = sp.Eq(var, solution, evaluate=False)
    return Step(text, equation, "<=>", shown, proof, result, _basic(solution))


def roots_of(text: str, name: sp.Basic, poly: sp.Poly, formula: sp.Expr) -> Step:
    """A step claiming ``formula`` (holding ``±``) gives the two roots of the quadratic ``poly``.

    Checked: each sign gives a root, and the two are not identically equal.
    """
    from theory.named import pm

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
        for p in points:
            a, b = sp.N(left.subs(p), 30), sp.N(right.subs(p), 30)
            if not abs(a - b) < sp.Float("1e-25"):
                return False
        return True

    if not proof():
        raise _refuse(text, f"{sp.sstr(lhs)} = {sp.sstr(rhs)} at {points}")
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

    from theory.named import Named

    roots = sorted(formula.atoms(Named), key=str)
    symbols = {r: sp.Dummy(f"r{i}") for i, r in enumerate(roots)}
    values = {symbols[r]: expand_names(r) for r in roots}
    bare = formula.xreplace(symbols)

    def at(k):
        f = bare.subs(t, k).subs(name, matrix).doit()
        return sp.Matrix(f)

    def proof() -> bool:
        if matrix.shape != (2, 2):
            return False
        eye = sp.eye(2)
        base = [(at(0) - eye).subs(values), (at(1) - matrix).subs(values)]
        if not all(is_zero(b) for b in base):
            return False
        rec = at(t + 2) - matrix.trace() * at(t + 1) + matrix.det() * at(t)
        return is_zero(rec.applyfunc(lambda e: _powers_as_symbols(e, t, values)))

    if not proof():
        raise _refuse(text, f"{name}**{t} = {formula}")
    return Step(text, sp.MatPow(name, t), "=", formula, proof, None)


def _powers_as_symbols(e: sp.Expr, t: sp.Symbol, values: dict) -> sp.Expr:
    """Split r**(t + k) into r**t r**k, keep each r**t as a symbol, then use the values of r."""
    e = sp.expand(e)
    bases = {p.base for p in e.atoms(sp.Pow) if (p.exp - t).is_Integer}
    symbol = {b: sp.Dummy("P") for b in bases}
    powers = {
        p: symbol[p.base] * p.base ** (p.exp - t) for p in e.atoms(sp.Pow) if (p.exp - t).is_Integer
    }
    return sp.together(sp.expand(e.xreplace(powers).subs(values)))


def _results_check(steps: tuple[Step, ...], results: Mapping[str, sp.Basic]) -> None:
    """Every result is the right-hand side of the step(s) it names, else ClaimError."""
    for name, value in results.items():
        named = [s for s in steps if s.names(name)]
        if not named:
            raise ClaimError(f"result {name!r} names no step of the derivation")
        several = len(named) > 1 or (
            isinstance(value, sp.Tuple) and not isinstance(named[0].value, sp.Tuple)
        )
        if isinstance(value, sp.And) or several:
            # a conjunction or a tuple gathered from several steps, in any order
            parts = list(value.args) if isinstance(value, sp.And | sp.Tuple) else [value]
            values = [s.value for s in named]
            matched = all(any(_same_value(p, v) for v in values) for p in parts) and all(
                any(_same_value(p, v) for p in parts) for v in values
            )
            if not matched:
                raise ClaimError(f"result {name!r} is not what its steps derived: {value}")
        elif not _same_value(value, named[0].value):
            raise ClaimError(
                f"result {name!r} is not the right-hand side of its step: {value} "
                f"against {named[0].value}"
            )


def _same_value(a: sp.Basic, b: sp.Basic) -> bool:
    if isinstance(a, sp.core.relational.Relational) or isinstance(b, sp.core.relational.Relational):
        if isinstance(a, sp.Equality) and isinstance(b, sp.Equality):
            return _same_value(a.rhs, b.rhs)
        return type(a) is type(b) and _same_condition(a, b)
    if isinstance(a, sp.Tuple) or isinstance(b, sp.Tuple):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, sp.MatrixBase | sp.MatrixExpr) or isinstance(b, sp.MatrixBase | sp.MatrixExpr):
        if isinstance(a, sp.MatrixBase) != isinstance(b, sp.MatrixBase):
            return False
        return is_zero(_difference(a, b) if isinstance(a, sp.MatrixBase) else a - b)
    if isinstance(a, sp.Piecewise) or isinstance(b, sp.Piecewise):
        if not (isinstance(a, sp.Piecewise) and isinstance(b, sp.Piecewise)) or len(a.args) != len(
            b.args
        ):
            return False
        return all(
            is_zero(ea - eb)
            and (ca == cb or (ca is not sp.true and cb is not sp.true and _same_condition(ca, cb)))
            for (ea, ca), (eb, cb) in zip(a.args, b.args, strict=True)
        )
    return is_zero(sp.sympify(a) - sp.sympify(b))


@dataclass(frozen=True)
class Derivation:
    """An ordered list of verified steps with named results and remarks.

    Each result must be the right-hand side of the step that names it
    (``Step.result``), else ClaimError. Prints as LaTeX (:meth:`to_latex`,
    one ``align*`` block), Markdown (:meth:`to_markdown`) and reader's text
    (``str``); displays in Jupyter as Markdown with maths.
    """

    title: str
    steps: tuple[Step, ...]
    results: Mapping[str, sp.Basic] = field(default_factory=dict)
    remarks: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _results_check(self.steps, self.results)

    def to_latex(self) -> str:
        """The derivation as a LaTeX fragment: a title, one ``align*`` block, remarks."""
        lines = []
        for i, step in enumerate(self.steps, 1):
            lines.append(rf"\intertext{{{i}. {escape_text(step.text)}}}")
            lines.append(step.latex + (r" \\" if i < len(self.steps) else ""))
        body = "\n".join(lines)
        remarks = "".join(f"\n\n\\paragraph{{Remark.}} {escape_text(r)}" for r in self.remarks)
        return (
            f"\\subsection*{{{escape_text(self.title)}}}\n"
            f"\\begin{{align*}}\n{body}\n\\end{{align*}}{remarks}\n"
        )

    def to_markdown(self) -> str:
        """The derivation as Markdown: sentences with ``$...$`` maths, claims in ``$$...$$``."""
        parts = [f"### {to_plain(self.title)}", ""]
        for i, step in enumerate(self.steps, 1):
            parts += [f"{i}. {step.text}", "", f"$$ {step.display} $$", ""]
        parts += [f"> **Remark.** {r}\n" for r in self.remarks]
        return "\n".join(parts).rstrip() + "\n"

    def to_text(self) -> str:
        """The derivation as reader's text (Unicode maths, no Python syntax)."""
        title = to_plain(self.title)
        parts = [title, "=" * len(title)]
        for i, step in enumerate(self.steps, 1):
            parts += [f"{i}. {to_plain(step.text)}", f"     {step.plain}"]
        if self.results:
            parts.append("Results:")
            parts += [f"  {name}: {plain(value)}" for name, value in self.results.items()]
        parts += [f"Remark: {to_plain(r)}" for r in self.remarks]
        return "\n".join(parts) + "\n"

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"<Derivation {to_plain(self.title)!r}: {len(self.steps)} checked steps>"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()
