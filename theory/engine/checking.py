"""The checker's comparisons: what is zero, what is the same condition, the checked form.

:func:`checked` turns what is printed into what is compared: named
quantities replaced by their values (:mod:`theory.engine.named`), everything
evaluated. :func:`is_zero` decides identities (scalars, explicit matrices,
matrix expressions with symmetric or orthogonal symbols); inequalities are
compared in the form ``e > 0`` or ``e >= 0``, strictness included.

Exact polynomial arithmetic comes first (a common numerator, each square
root a symbol, :func:`zero_modulo` in SymPy's sparse polynomials; an exact
nonzero value at one admissible point for a claim that is false);
:func:`sympy.simplify` only where that leaves the answer open.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement, MatrixExpr
from sympy.polys.orderings import lex
from sympy.polys.rings import PolyRing

from theory.engine.named import expand_names
from theory.errors import ClaimError

__all__ = [
    "checked",
    "float_scale",
    "ge",
    "gt",
    "is_zero",
    "le",
    "lt",
    "same_condition",
    "zero_modulo",
]


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
    *,
    scale: float = 1.0,
) -> bool:
    """Whether SymPy can prove ``expr`` is identically zero.

    Works for scalars, explicit matrices (entrywise) and matrix expressions;
    matrix symbols named in ``symmetric`` may be replaced by their transpose,
    and those in ``orthogonal`` satisfy ``O O^T = O^T O = I``.
    Cheap canonical forms are tried before :func:`sympy.simplify`. An
    expression holding floats is zero to ``FLOAT_ATOL * scale``, ``scale`` the
    size of the numbers it was computed from (:func:`float_scale`).
    """
    if isinstance(expr, sp.MatrixBase):
        return all(is_zero(entry, scale=scale) for entry in expr)
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
    if expr.has(sp.Abs):  # |x/2 + y/2| and |x + y|/2: the common factor out, then compare
        expr = expr.replace(lambda e: isinstance(e, sp.Abs), _abs_content)
        if expr == 0:
            return True
    if expr.has(sp.Float):
        return _float_zero(expr, scale)
    if _numerator_zero(expr):
        return True
    if _nonzero_somewhere(expr):
        return False  # not identically zero: no simplification could make it so
    expanded = sp.expand(expr)
    if expanded == 0:
        return True
    expr = sp.cancel(expanded)
    if expr == 0 or _algebraic_numbers_zero(expr):
        return True
    return sp.simplify(expr) == 0 or bool(expr.equals(0))


def _abs_content(e: sp.Abs) -> sp.Expr:
    """|c p| as |c| |p|, c the rational content of the argument: |x/2 + y/2| = |x + y|/2."""
    content, primitive = e.args[0].as_content_primitive()
    return abs(content) * sp.Abs(primitive) if content.is_Rational else e


def _square_roots(expr: sp.Expr) -> set[sp.Pow]:
    return {p for p in expr.atoms(sp.Pow) if p.exp.is_Rational and p.exp.q == 2}


def _numerator_zero(expr: sp.Expr) -> bool:
    """Zero by polynomial arithmetic: the numerator over a common denominator is zero,
    each square root ``sqrt(b)`` in it a new symbol ``s`` reduced modulo ``s**2 - b``.

    Cheaper than :func:`sympy.cancel` (no polynomial gcd). Sound whatever the
    branch (``sqrt(b)**2 = b`` always); inconclusive (False) when a remainder
    is left, e.g. for nested roots or ``sqrt(a) sqrt(b)`` against ``sqrt(a b)``.
    """
    roots = _square_roots(expr)
    if any(_square_roots(p.base) for p in roots):
        return False
    symbol = {b: sp.Dummy("s") for b in {p.base for p in roots}}
    bare = expr.xreplace({p: symbol[p.base] ** p.exp.p for p in roots})
    return zero_modulo(bare.as_numer_denom()[0], [(s, s**2 - b) for b, s in symbol.items()])


def zero_modulo(poly: sp.Expr, relations: list[tuple[sp.Symbol, sp.Expr]]) -> bool:
    """Whether the polynomial ``poly`` is zero modulo the relations ``p(x) = 0``.

    Each relation ``(x, p)`` is monic of degree 2 in its own symbol ``x``, and no
    ``x`` appears in another relation; the remainder of ``poly`` is then unique
    (the relations' leading terms ``x**2`` are coprime). Computed with SymPy's
    sparse polynomials over the rationals, else (other coefficients, functions)
    by expanding and dividing by one relation at a time.
    """
    xs = [x for x, _ in relations]
    others = set().union(poly.free_symbols, *(p.free_symbols for _, p in relations)) - set(xs)
    try:
        # the relation symbols first: lex then makes each x**2 the leading term of its relation
        ring = PolyRing([*xs, *sorted(others, key=str)], sp.QQ, lex)
        return not ring.from_expr(poly).rem([ring.from_expr(p) for _, p in relations])
    except (ValueError, sp.PolynomialError):
        pass  # not a polynomial in symbols over the rationals
    remainder = sp.expand(poly)
    try:
        for x, p in relations:
            remainder = sp.rem(remainder, p, x)
    except sp.PolynomialError:
        return False
    return sp.expand(remainder) == 0


#: the kinds of node a rational function of symbols and their square roots is built of
_ARITHMETIC = (sp.Add, sp.Mul, sp.Pow, sp.Symbol, sp.Rational)


def _nonzero_somewhere(expr: sp.Expr) -> bool:
    """Whether ``expr`` is finite and nonzero at one exact rational point that
    satisfies its symbols' assumptions: then it is not identically zero.

    Only for rational functions of symbols and their roots (a point value
    SymPy decides exactly); True is a proof, False says nothing.
    """
    if not all(isinstance(e, _ARITHMETIC) for e in sp.preorder_traversal(expr)):
        return False
    point = _sample_point(expr.free_symbols)
    if point is None:
        return False
    value = expr.xreplace(point)
    if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or not value.is_number:
        return False
    return value.is_zero is False and value.is_finite is True


#: values a sample point draws from: no two alike, none a small integer that might
#: sit on a pole or a special case
_SAMPLES = tuple(sp.Rational(p, q) for p, q in ((23, 7), (31, 11), (41, 13), (53, 17), (61, 19)))
_INTEGER_SAMPLES = (7, 11, 13, 17, 19)


def _sample_point(symbols: set) -> dict | None:
    point = {}
    for k, sym in enumerate(sorted(symbols, key=str)):
        facts = sym.assumptions0
        pool = _INTEGER_SAMPLES if facts.get("integer") else _SAMPLES
        values = [sp.Rational(v) * sign for v in pool for sign in (1, -1)]
        values = values[2 * k :] + values[: 2 * k]  # a different value for each symbol
        for value in values:
            if all(getattr(value, f"is_{fact}") == holds for fact, holds in facts.items()):
                point[sym] = value
                break
        else:
            return None
    return point


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


def _float_zero(expr: sp.Expr, scale: float = 1.0) -> bool:
    """Zero up to rounding: every coefficient of the expanded expression is tiny beside ``scale``."""
    expr = sp.expand(expr)
    free = sorted(expr.free_symbols, key=str)
    try:
        coeffs = sp.Poly(expr, *free).coeffs() if free else [expr]
    except sp.PolynomialError:
        return bool(expr.equals(0))
    return all(abs(complex(sp.N(c))) <= FLOAT_ATOL * scale for c in coeffs)


def float_scale(*objs: object) -> float:
    """The size of the numbers in a claim holding floats: the largest |number| in it, at least 1.

    Floats round relative to the numbers they are computed from: a product
    O^T Lambda O whose entries reach 1e9 reproduces Q to about 1e-7, not
    1e-9, however small an entry of Q is. 1 when nothing holds a float (an
    exact claim is exact).
    """
    numbers = []
    for obj in objs:
        basic = sp.ImmutableMatrix(obj) if isinstance(obj, sp.MatrixBase) else sp.sympify(obj)
        if basic.has(sp.Float):
            numbers += [abs(float(a)) for a in basic.atoms(sp.Number) if a.is_finite]
    return max([1.0, *numbers]) if numbers else 1.0


def _lift(expr: sp.Expr) -> sp.Basic:
    """A scalar built from the entries (or traces) of 1x1 matrix expressions, as the 1x1
    matrix expression it equals (``b - c^T Q^{-1} c / 2`` as ``b I - c^T Q^{-1} c / 2``).

    SymPy would expand each entry into a sum over indices; as a matrix
    expression the checker's matrix algebra compares it (symmetric and
    orthogonal symbols, a 1x1 term equal to its transpose).
    """
    if isinstance(expr, MatrixElement | sp.Trace) and _entry_of(expr).shape == (1, 1):
        parent = _entry_of(expr)  # a 1x1 matrix's one entry is its trace too
        if not parent.atoms(sp.MatrixSymbol):  # explicit matrices: the entry is a number
            return sp.ImmutableMatrix(parent.doit())[0, 0]
        return parent
    if not expr.has(MatrixElement, sp.Trace):
        return expr
    if expr.is_Add:
        terms = [_lift(a) for a in expr.args]
        if not any(isinstance(t, MatrixExpr) for t in terms):
            return sp.Add(*terms)
        return sp.MatAdd(*(_one_by_one(t) for t in terms))
    if expr.is_Mul:
        factors = [_lift(a) for a in expr.args]
        matrices = [f for f in factors if isinstance(f, MatrixExpr)]
        scalar = sp.Mul(*(f for f in factors if not isinstance(f, MatrixExpr)))
        return sp.MatMul(scalar, *matrices) if matrices else scalar
    if expr.is_Pow and expr.exp.is_Integer and expr.exp > 0:
        return sp.MatPow(_lift(expr.base), expr.exp)
    raise ClaimError(f"cannot compare the scalar {expr}: an entry of a matrix inside {expr.func}")


def _entry_of(expr: sp.Basic) -> sp.MatrixExpr:
    return expr.parent if isinstance(expr, MatrixElement) else expr.arg


def _one_by_one(term: sp.Basic) -> sp.Basic:
    return term if isinstance(term, MatrixExpr) else term * sp.Identity(1)


def lifted(obj: object) -> object:
    """``obj``, a scalar holding 1x1 matrix entries lifted to its 1x1 matrix expression."""
    scalar = isinstance(obj, sp.Expr) and not isinstance(obj, MatrixExpr)
    if scalar and obj.has(MatrixElement, sp.Trace):
        return _lift(obj)
    return obj


def checked(obj: object, where: Mapping | None = None, given: tuple = ()) -> object:
    """The form the checker compares: names replaced by their values, everything evaluated.

    ``where`` substitutes before and after evaluation; ``given`` lists conditions
    (such as ``|beta| < 1``) that pick a branch of any Piecewise the evaluation makes.
    """
    obj = sp.sympify(obj) if not isinstance(obj, sp.MatrixBase) else sp.ImmutableMatrix(obj)
    if where:
        obj = obj.subs(where)
    obj = lifted(expand_names(obj))
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


def _difference(lhs: object, rhs: object) -> object:
    if isinstance(lhs, sp.MatrixBase) or isinstance(rhs, sp.MatrixBase):
        return sp.Matrix(lhs) - sp.Matrix(rhs)
    if isinstance(lhs, MatrixExpr) != isinstance(rhs, MatrixExpr):  # a scalar against a 1x1
        return _one_by_one(lhs) - _one_by_one(rhs)
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


def same_condition(derived: sp.Basic, claimed: sp.Basic) -> bool:
    """Both inequalities as ``e > 0`` (or ``>= 0``): the same strictness, and a positive
    constant ratio of the two sides."""
    a, strict_a = _positive_part(_checked_relation(derived))
    b, strict_b = _positive_part(_checked_relation(claimed))
    if strict_a != strict_b:
        return False
    ratio = _rational_ratio(a, b)
    if ratio is not NotImplemented:
        return ratio is not None and bool(ratio > 0)
    ratio = sp.cancel(a / b)
    if not ratio.is_number and not (a.is_polynomial() and b.is_polynomial()):
        ratio = sp.simplify(ratio)  # radicals or absolute values: cancel alone may not see it
    return bool(ratio.is_number and ratio.is_positive)


def _rational_ratio(a: sp.Expr, b: sp.Expr):
    """``a / b`` when it is a rational constant, None when it is not (or ``b`` is 0);
    ``NotImplemented`` unless both are polynomials in symbols over the rationals.

    Exact, with SymPy's sparse polynomials: ``a = c b`` for the ``c`` that matches
    their leading coefficients, or for none.
    """
    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    if not symbols:
        return NotImplemented
    try:
        ring = PolyRing(symbols, sp.QQ, lex)
        pa, pb = ring.from_expr(a), ring.from_expr(b)
    except (ValueError, sp.PolynomialError):
        return NotImplemented
    if not pb:
        return None
    c = pa.LC / pb.LC
    return sp.Rational(c.numerator, c.denominator) if pa == pb * c else None


def _checked_relation(rel: sp.Basic) -> sp.Basic:
    return type(rel)(checked(rel.lhs), checked(rel.rhs), evaluate=False)
