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

from collections.abc import Sequence

import sympy as sp

from theory.engine.derivation import Derivation, identity
from theory.engine.named import Named, NamedMatrix
from theory.errors import NotSPDError, ParameterError

__all__ = ["as_spd_matrix", "as_vector", "derive_minimizer", "minimizer", "minimum"]

#: relative tolerance for the symmetry of a float matrix
SYMMETRY_RTOL = 1e-10
#: the largest Q an exact derivation accepts (larger ones could run unboundedly long)
MAX_EXACT_SIZE = 12


def _number(value: object, name: str) -> sp.Expr:
    if isinstance(value, float):
        number = sp.Float(value)
    else:
        try:
            number = sp.Rational(value) if isinstance(value, int | str) else sp.sympify(value)
        except (TypeError, ValueError, sp.SympifyError) as exc:
            raise ParameterError(f"'{name}' must hold numbers: {value!r}") from exc
    if not (number.is_number and number.is_real and number.is_finite):
        raise ParameterError(f"'{name}' must hold finite real numbers: {value!r}")
    return number


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
    """Exact test: the LDL^T factorisation's pivots are all positive (O(n^3))."""
    if any(e.is_Float for e in Q):
        import numpy as np

        return bool(np.linalg.eigvalsh(np.array(Q.evalf(), dtype=float)).min() > 0)
    n = Q.shape[0]
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
    n = Qm.shape[0]
    x = sp.Matrix(sp.symbols(f"x1:{n + 1}", real=True))
    h = (x.T * Qm * x)[0, 0] / 2 + (cv.T * x)[0, 0] + bv
    xstar = -Qm.LUsolve(cv)
    hstar = bv - (cv.T * Qm.LUsolve(cv))[0, 0] / 2
    grad = sp.Matrix([sp.diff(h, xi) for xi in x])
    Qn, cn = NamedMatrix("Q", Qm), NamedMatrix("c", cv)
    xn, xs = NamedMatrix("x", x), NamedMatrix("x*", xstar, latex="x^*")
    h_star = Named("h(x*)", h.subs(dict(zip(x, xstar, strict=True))), latex="h(x^*)")
    square = Named(
        "½(x − x*)ᵀQ(x − x*)",
        ((x - xstar).T * Qm * (x - xstar))[0, 0] / 2,
        latex=r"\tfrac{1}{2}(x - x^*)^\top Q (x - x^*)",
    )
    steps = [
        identity(
            r"The gradient of $h$ is $Q x + c$.",
            NamedMatrix("∇h(x)", grad, latex=r"\nabla h(x)"),
            sp.MatAdd(sp.MatMul(Qn, xn), cn),
        ),
        identity(r"It vanishes at $x^* = -Q^{-1} c$:", -Qn.I * cn, xstar, result="minimizer"),
        identity(r"indeed", sp.MatAdd(sp.MatMul(Qn, xs), cn), sp.zeros(n, 1)),
        identity(
            r"The minimum, $h(x^*) = b - \frac{1}{2} c^\top Q^{-1} c$.",
            h_star,
            hstar,
            result="minimum",
        ),
        identity(
            r"Completing the square: $h(x) = \frac{1}{2}(x - x^*)^\top Q (x - x^*) + h(x^*)$.",
            sp.Add(square, h_star, evaluate=False),
            sp.expand(h),
        ),
    ]
    return Derivation(
        title="Minimizer and minimum of a quadratic",
        steps=tuple(steps),
        results={"minimizer": xstar, "minimum": hstar},
        remarks=(_D2L_SIGN,),
    )


_D2L_SIGN = (
    r"D2L writes $h(x) = \frac{1}{2}(x - Q^{-1}c)^\top Q (x - Q^{-1}c) + b - "
    r"\frac{1}{2} c^\top Q^{-1} c$; the sign is wrong: the minimizer is $-Q^{-1}c$, so the "
    r"square is of $x + Q^{-1} c$ (the checker rejects D2L's form)."
)


def _derive_symbolic() -> Derivation:
    n = sp.Symbol("n", integer=True, positive=True)
    Q = sp.MatrixSymbol("Q", n, n)
    x = sp.MatrixSymbol("x", n, 1)
    c = sp.MatrixSymbol("c", n, 1)
    b = sp.Symbol("b", real=True)
    B = b * sp.Identity(1)
    h = x.T * Q * x / 2 + c.T * x + B
    xstar = -Q.I * c
    hstar = B - c.T * Q.I * c / 2
    sym = (Q,)
    xs = NamedMatrix("x*", xstar, latex="x^*")
    Bn = NamedMatrix("b", B)
    shown_min = sp.MatAdd(Bn, -c.T * Q.I * c / 2)
    steps = [
        identity(
            r"The gradient of $h$; $Q$ is symmetric so $\frac{1}{2}(Q + Q^\top) x = Q x$.",
            NamedMatrix("∇h(x)", h.diff(x), latex=r"\nabla h(x)"),
            Q * x + c,
            symmetric=sym,
        ),
        identity(
            r"It vanishes at $x^* = -Q^{-1} c$.",
            Q * xs + c,
            sp.ZeroMatrix(n, 1),
            symmetric=sym,
            yields=xstar,
            result="minimizer",
        ),
        identity(
            r"The minimum (each $1 \times 1$ term equals its transpose).",
            NamedMatrix("h(x*)", h.subs(x, xstar), latex="h(x^*)"),
            shown_min,
            symmetric=sym,
            result="minimum",
        ),
        identity(
            r"Completing the square around $x^* = -Q^{-1}c$.",
            sp.MatAdd((x - xs).T * Q * (x - xs) / 2, shown_min),
            NamedMatrix("h(x)", h),
            symmetric=sym,
        ),
    ]
    return Derivation(
        title="Minimizer and minimum of a quadratic (dimension n)",
        steps=tuple(steps),
        results={"minimizer": xstar, "minimum": hstar},
        remarks=(_D2L_SIGN,),
    )
