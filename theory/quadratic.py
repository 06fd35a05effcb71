r"""The convex quadratic h(x) = 1/2 x^T Q x + c^T x + b: minimizer and minimum.

.. math::
    x^* = -Q^{-1} c, \qquad h(x^*) = b - \tfrac{1}{2} c^\top Q^{-1} c, \qquad
    h(x) = \tfrac{1}{2} (x - x^*)^\top Q (x - x^*) + h(x^*).

For symbolic dimension n the derivation runs on SymPy matrix symbols; for a
concrete Q, c, b it runs on exact matrices (rationals in, rationals out;
floats accepted). Q must be symmetric positive definite.

Examples
--------
>>> d = derive_minimizer([[2, 1], [1, 3]], [1, -1], 2)
>>> d.results["minimizer"].T, d.results["minimum"]
(Matrix([[-4/5, 3/5]]), 13/10)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from theory.engine.claims import counterexample, fact
from theory.engine.derivation import Derivation, identity
from theory.engine.named import Named, NamedMatrix
from theory.engine.prose import say
from theory.errors import NotSPDError, ParameterError, describe

__all__ = [
    "MAX_DIGITS",
    "MAX_RESULT_DIGITS",
    "as_spd_matrix",
    "as_vector",
    "derive_minimizer",
    "minimizer",
    "minimum",
]

#: relative tolerance for the symmetry of a float matrix
SYMMETRY_RTOL = 1e-10
#: the largest Q an exact derivation accepts (larger ones could run unboundedly long)
MAX_EXACT_SIZE = 12
#: the most digits (numerator or denominator) of a number given to an exact derivation
MAX_DIGITS = 400
#: the most digits of a number an exact derivation makes: its text stays readable and printable
#: (Python prints integers of at most 4300 digits; a 12 x 12 minimizer at this limit prints
#: about 60 kB), and its time that of small numbers (seconds, not minutes)
MAX_RESULT_DIGITS = 1000


def _number(value: object, name: str) -> sp.Expr:
    if isinstance(value, float):
        number = sp.Float(value)
    else:
        try:
            number = sp.Rational(value) if isinstance(value, int | str) else sp.sympify(value)
        except (TypeError, ValueError, sp.SympifyError) as exc:
            raise ParameterError(f"'{name}' must hold numbers: {describe(value)}") from exc
    if not (isinstance(number, sp.Expr) and number.is_number):
        raise ParameterError(f"'{name}' must hold numbers: {describe(value)}")
    if not (number.is_real and number.is_finite):
        raise ParameterError(f"'{name}' must hold finite real numbers: {describe(value)}")
    if number.is_Rational and _digits(number) > MAX_DIGITS:
        raise ParameterError(
            f"'{name}' must hold numbers of at most {MAX_DIGITS} digits (numerator and "
            f"denominator): {describe(value)}"
        )
    return number


def _digits(q) -> int:
    """The digits of the longer of a rational's numerator and denominator (from their bits)."""
    top, bottom = (q.p, q.q) if isinstance(q, sp.Rational) else (q.numerator, q.denominator)
    return int(max(abs(top), bottom).bit_length() * 0.30103) + 1


def _integer_rows(columns: list[sp.Matrix]) -> list[list[int]]:
    """The rows of the rational matrix (columns side by side), each times its denominators' lcm.

    A positive factor per row: a leading principal minor keeps its sign, and the
    solution of a linear system its value.
    """
    table = sp.Matrix.hstack(*columns)
    rows = []
    for i in range(table.rows):
        entries = [sp.Rational(e) for e in table.row(i)]  # a Float is a dyadic rational
        scale = math.lcm(*(int(e.q) for e in entries))
        rows.append([int(e.p) * (scale // int(e.q)) for e in entries])
    return rows


def _bareiss(
    rows: list[list[int]], *, jordan: bool = False, limit_bits: int | None = None
) -> list[int] | None:
    """Fraction-free elimination (Bareiss 1968) of the first n columns, in place.

    Returns the pivots, the leading principal minors of the n x n part in
    order, up to the first that is not positive (elimination stops there).
    Every entry made is a minor and every division exact. Forward only by
    default (the minors are all a definiteness test needs); with ``jordan``
    the rows above each pivot are cleared too, so after the last pivot d row
    i reads d e_i and d x_i, x the solution. None as soon as an entry passes
    ``limit_bits``: the work is bounded by the size of the numbers.
    """
    n = len(rows)
    pivots, prev = [], 1
    for k in range(n):
        pivot = rows[k][k]
        pivots.append(pivot)
        if pivot <= 0:
            break
        for i in range(0 if jordan else k + 1, n):
            if i == k:
                continue
            f, row = rows[i][k], rows[i]
            head = row[:k] if not jordan else []
            tail = zip(row[len(head) :], rows[k][len(head) :], strict=True)
            rows[i] = head + [(pivot * a - f * q) // prev for a, q in tail]
            if limit_bits is not None and max(map(abs, rows[i])).bit_length() > limit_bits:
                return None
        prev = pivot
    return pivots


def as_vector(values: Sequence, name: str = "c") -> sp.Matrix:
    """A column vector of exact (or float) SymPy numbers."""
    return sp.Matrix([_number(v, name) for v in values])


def as_spd_matrix(rows: Sequence[Sequence] | sp.Matrix, name: str = "Q") -> sp.Matrix:
    """Q as a SymPy matrix, checked square, symmetric and positive definite.

    Raises
    ------
    NotSPDError
        Naming the asymmetric entry, or the smallest eigenvalue when Q is not
        positive definite.
    """
    if isinstance(rows, sp.MatrixBase):
        rows = rows.tolist()
    try:
        Q = sp.Matrix([[_number(v, name) for v in row] for row in rows])
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ParameterError):
            raise
        raise NotSPDError(f"'{name}' must be a list of rows of numbers: {rows!r}") from exc
    n, m = Q.shape
    if n != m or n == 0:
        raise NotSPDError(f"'{name}' must be a non-empty square matrix: shape {n}x{m}")
    if n > MAX_EXACT_SIZE:
        raise ParameterError(
            f"'{name}' is {n}x{n}: exact derivations take at most {MAX_EXACT_SIZE}x{MAX_EXACT_SIZE} "
            "(use numerics.simulate or numpy for larger problems)"
        )
    scale = max((abs(e) for e in Q), default=1) or 1
    for i in range(n):
        for j in range(i + 1, n):
            gap = abs(Q[i, j] - Q[j, i])
            exact = Q[i, j].is_Rational and Q[j, i].is_Rational
            if (exact and gap != 0) or (not exact and gap > SYMMETRY_RTOL * scale):
                raise NotSPDError(
                    f"'{name}' must be symmetric: {name}[{i},{j}] = {Q[i, j]} but "
                    f"{name}[{j},{i}] = {Q[j, i]}"
                )
    if not _positive_definite(Q):
        import numpy as np

        smallest = float(np.linalg.eigvalsh(np.array(Q.evalf(), dtype=float)).min())
        raise NotSPDError(
            f"'{name}' must be positive definite: its smallest eigenvalue is {smallest:.6g}"
        )
    return Q


def _positive_definite(Q: sp.Matrix) -> bool:
    """Exact test: every leading principal minor is positive (Sylvester).

    Decided on the rationals: a float is the dyadic rational it holds, so a
    valid SPD matrix with entries of mixed scales (1e-3 beside 1e3, or far
    wider) is never refused for rounding, as an eigenvalue in floats can be.
    The minors come from fraction-free elimination in Python's integers
    (:func:`_bareiss`); other exact numbers (radicals) by SymPy's LDL^T.
    """
    n = Q.shape[0]
    if all(e.is_Rational or e.is_Float for e in Q):
        symmetric = (Q.applyfunc(sp.Rational) + Q.T.applyfunc(sp.Rational)) / 2
        pivots = _bareiss(_integer_rows([symmetric]))
        return len(pivots) == n and pivots[-1] > 0
    A = [[Q[i, j] for j in range(n)] for i in range(n)]
    for k in range(n):  # symmetric Gaussian elimination; a pivot <= 0 means not PD
        pivot = A[k][k]
        if pivot <= 0:
            return False
        for i in range(k + 1, n):
            factor = A[i][k] / pivot
            for j in range(k + 1, n):
                A[i][j] -= factor * A[k][j]
    return True


def minimizer(Q, c) -> sp.Matrix:
    """x* = -Q^{-1} c, exact for exact input."""
    Q = as_spd_matrix(Q)
    return -Q.LUsolve(_sized(as_vector(c, "c"), Q, "c"))


def minimum(Q, c, b) -> sp.Expr:
    """h(x*) = b - 1/2 c^T Q^{-1} c, exact for exact input."""
    Q = as_spd_matrix(Q)
    cv = _sized(as_vector(c, "c"), Q, "c")
    return _number(b, "b") - (cv.T * Q.LUsolve(cv))[0, 0] / 2


def _sized(vec: sp.Matrix, Q: sp.Matrix, name: str) -> sp.Matrix:
    if vec.shape[0] != Q.shape[0]:
        raise ParameterError(f"'{name}' must have {Q.shape[0]} entries to match Q: {vec.shape[0]}")
    return vec


def derive_minimizer(Q=None, c=None, b=None) -> Derivation:
    """Derive the minimizer and minimum of h, symbolically or for a concrete Q, c, b.

    With no arguments the derivation is for symbolic dimension n (matrix
    symbols); with Q, c and b it is for those numbers.
    """
    if Q is None:
        return _derive_symbolic()
    if c is None or b is None:
        raise ParameterError("'Q', 'c' and 'b' must be given together")
    Qm = as_spd_matrix(Q)
    cv = _sized(as_vector(c, "c"), Qm, "c")
    bv = _number(b, "b")
    # the exact solution's numbers are minors of the scaled system: over the limit, the
    # elimination stops early and the derivation is refused before SymPy starts
    limit_bits = int(MAX_RESULT_DIGITS / 0.30103)
    if all(e.is_Rational for e in (*Qm, *cv)) and (
        _bareiss(_integer_rows([Qm, cv]), jordan=True, limit_bits=limit_bits) is None
    ):
        raise ParameterError(
            f"the exact minimizer of this Q and c needs numbers of more than "
            f"{MAX_RESULT_DIGITS:,} digits: too long to derive and print; give Q and c with "
            "fewer digits, or as floats"
        )
    n = Qm.shape[0]
    x = sp.Matrix(sp.symbols(f"x1:{n + 1}", real=True))
    h = (x.T * Qm * x)[0, 0] / 2 + (cv.T * x)[0, 0] + bv
    xstar = -Qm.LUsolve(cv)
    hstar = bv - (cv.T * Qm.LUsolve(cv))[0, 0] / 2
    grad = sp.Matrix([sp.diff(h, xi) for xi in x])
    Qn, cn, bn = NamedMatrix("Q", Qm), NamedMatrix("c", cv), Named("b", bv)
    xn, xs = NamedMatrix("x", x), NamedMatrix("x*", xstar, latex="x^*")
    h_star = Named("h(x*)", h.subs(dict(zip(x, xstar, strict=True))), latex="h(x^*)")
    # written as products of the named matrices: checked as their values
    square = _half_square(xn - xs, Qn)
    gradient = sp.MatAdd(sp.MatMul(Qn, xn), cn)
    steps = [
        identity(
            say("The gradient of {h} is {gradient}.", h=_h, gradient=gradient),
            NamedMatrix("∇h(x)", grad, latex=r"\nabla h(x)"),
            gradient,
        ),
        identity(
            say("It vanishes at {xs}:", xs=fact(xs, -Qn.I * cn)),
            -Qn.I * cn,
            xstar,
            result="minimizer",
        ),
        identity("indeed", sp.MatAdd(sp.MatMul(Qn, xs), cn), sp.zeros(n, 1)),
        identity(
            say("The minimum, {minimum}.", minimum=fact(h_star, _minimum(bn, Qn, cn))),
            h_star,
            hstar,
            result="minimum",
        ),
        identity(
            say(
                "Completing the square: {square}.",
                square=fact(Named("h(x)", h), sp.Add(square, h_star, evaluate=False)),
            ),
            sp.Add(square, h_star, evaluate=False),
            sp.expand(h),
        ),
    ]
    return Derivation(
        title="Minimizer and minimum of a quadratic",
        steps=tuple(steps),
        results={"minimizer": xstar, "minimum": hstar},
        remarks=(_d2l_sign(),),
    )


#: h, the quadratic, in words' company
_h = sp.Symbol("h")


def _entry(product: sp.MatrixExpr) -> MatrixElement:
    """The one entry of a 1x1 matrix product (``c^T Q^{-1} c``): a scalar, written as the product."""
    return MatrixElement(product, 0, 0)


def _half_square(y: sp.MatrixExpr, Q: sp.MatrixExpr) -> sp.Expr:
    """``1/2 y^T Q y`` as written (SymPy's product would distribute the transpose)."""
    return sp.Mul(sp.Rational(1, 2), _entry(sp.MatMul(sp.Transpose(y), Q, y)), evaluate=False)


def _minimum(b: sp.Expr, Q: sp.MatrixExpr, c: sp.MatrixExpr) -> sp.Expr:
    """``b - 1/2 c^T Q^{-1} c``, a scalar, in the order it is written."""
    half = sp.Mul(sp.Rational(-1, 2), _entry(c.T * Q.I * c), evaluate=False)
    return sp.Add(b, half, evaluate=False)


def _d2l_sign():
    """D2L's completed square, refused by the checker, and the minimizer that corrects it."""
    n = sp.Symbol("n", integer=True, positive=True)
    Q, c = sp.MatrixSymbol("Q", n, n), sp.MatrixSymbol("c", n, 1)
    x, b = sp.MatrixSymbol("x", n, 1), sp.Symbol("b", real=True)
    shift = sp.MatAdd(x, -Q.I * c)
    d2l = sp.Add(_half_square(shift, Q), *_minimum(b, Q, c).args, evaluate=False)
    h = x.T * Q * x / 2 + c.T * x + b * sp.Identity(1)
    # refused: the two sides differ by 2 c^T x, here 2
    counterexample(_entry(h), d2l, {n: 2, b: 2, "Q": [[2, 1], [1, 3]], "c": [1, -1], "x": [1, 0]})
    return say(
        "D2L writes {d2l}; the sign is wrong: the minimizer is {xs}, so the square is of {right} "
        "(the checker rejects D2L's form).",
        d2l=sp.Eq(sp.Function("h")(sp.Symbol("x")), d2l, evaluate=False),
        xs=-Q.I * c,
        right=sp.MatAdd(x, Q.I * c),
    )


def _derive_symbolic() -> Derivation:
    n = sp.Symbol("n", integer=True, positive=True)
    Q = sp.MatrixSymbol("Q", n, n)
    x = sp.MatrixSymbol("x", n, 1)
    c = sp.MatrixSymbol("c", n, 1)
    b = sp.Symbol("b", real=True)
    h = x.T * Q * x / 2 + c.T * x + b * sp.Identity(1)  # a 1x1 matrix: the gradient reads it
    xstar = -Q.I * c
    hstar = b - _entry(c.T * Q.I * c) / 2  # a scalar
    sym = (Q,)
    xs = NamedMatrix("x*", xstar, latex="x^*")
    shown_min = _minimum(b, Q, c)
    square = _half_square(x - xs, Q)
    steps = [
        identity(
            say(
                "The gradient of {h}; {Q} is symmetric so {symmetric}.",
                h=_h,
                Q=Q,
                symmetric=fact(
                    sp.MatMul(sp.Rational(1, 2), sp.MatAdd(Q, Q.T), x), Q * x, symmetric=sym
                ),
            ),
            NamedMatrix("∇h(x)", h.diff(x), latex=r"\nabla h(x)"),
            Q * x + c,
            symmetric=sym,
        ),
        identity(
            say("It vanishes at {xs}.", xs=fact(xs, xstar)),
            Q * xs + c,
            sp.ZeroMatrix(n, 1),
            symmetric=sym,
            yields=xstar,
            result="minimizer",
        ),
        identity(
            "The minimum, a scalar (each product of one row and one column equals its transpose).",
            Named("h(x*)", _entry(h.subs(x, xstar)), latex="h(x^*)"),
            shown_min,
            symmetric=sym,
            result="minimum",
        ),
        identity(
            say("Completing the square around {xs}.", xs=fact(xs, xstar)),
            sp.Add(square, *shown_min.args, evaluate=False),
            Named("h(x)", _entry(h)),
            symmetric=sym,
        ),
    ]
    return Derivation(
        title="Minimizer and minimum of a quadratic (dimension n)",
        steps=tuple(steps),
        results={"minimizer": xstar, "minimum": hstar},
        remarks=(_d2l_sign(),),
    )
