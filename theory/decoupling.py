r"""Eigen-decomposition and decoupling: each eigen-direction is a scalar problem.

With Q = O^T Lambda O (O orthogonal, Lambda diagonal and positive) and
z = O (x - x*), h(x) = 1/2 z^T Lambda z + h(x*), and gradient descent and
momentum act on each coordinate of z separately:

.. math::
    z_t = (I - \eta\Lambda) z_{t-1}, \qquad
    w_t = \beta w_{t-1} + \Lambda z_{t-1}, \quad z_t = z_{t-1} - \eta w_t.

Examples
--------
>>> O, eigenvalues, exact = eigen_decomposition([[2, 0], [0, 3]])
>>> eigenvalues, exact
([2, 3], True)
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from theory.engine.claims import counterexample, fact
from theory.engine.derivation import Derivation, identity
from theory.engine.named import NamedMatrix
from theory.engine.prose import Assign, Listed, Sentence, say
from theory.quadratic import as_spd_matrix
from theory.symbols import beta, eta

__all__ = ["EXACT_MAX_SIZE", "d2l_step_remark", "derive_decoupling", "eigen_decomposition"]

#: largest size whose eigen-decomposition is attempted in radicals
EXACT_MAX_SIZE = 4


def eigen_decomposition(Q, /) -> tuple[sp.Matrix, list[sp.Expr], bool]:
    """``(O, eigenvalues, exact)`` with ``Q = O^T diag(eigenvalues) O`` and O orthogonal.

    Exact (radicals) for exact matrices up to :data:`EXACT_MAX_SIZE`;
    otherwise numeric (``numpy.linalg.eigh``) and ``exact`` is False.
    """
    Qm = as_spd_matrix(Q)
    n = Qm.shape[0]
    if n <= EXACT_MAX_SIZE and all(e.is_Rational for e in Qm) and _solvable_in_square_roots(Qm):
        rows, values = [], []
        for value, _mult, vectors in sorted(Qm.eigenvects(), key=lambda t: float(t[0])):
            for vec in sp.GramSchmidt(vectors, orthonormal=True):
                rows.append([sp.radsimp(sp.simplify(e)) for e in vec])
                values.append(sp.simplify(value))
        if len(rows) == n:
            return sp.Matrix(rows), values, True
    w, V = np.linalg.eigh(np.array(Qm.evalf(), dtype=float))
    return sp.Matrix(V.T.tolist()), [sp.Float(v) for v in w], False


def _solvable_in_square_roots(Q: sp.Matrix) -> bool:
    """Every irreducible factor of the characteristic polynomial has degree <= 2.

    Cubic and quartic factors have radical roots too, but Cardano's and
    Ferrari's formulas (casus irreducibilis) make checks that SymPy cannot
    finish in bounded time, so those matrices get the numeric path.
    """
    _, factors = sp.factor_list(Q.charpoly().as_expr())
    return all(sp.degree(f) <= 2 for f, _ in factors)


def derive_decoupling(Q=None) -> Derivation:
    """Derive the decoupling, for symbolic n (Q = None) or for a concrete SPD Q."""
    if Q is None:
        return _derive_symbolic()
    Qm = as_spd_matrix(Q)
    O, values, exact = eigen_decomposition(Qm)
    n = Qm.shape[0]
    Lam = sp.diag(*values)
    y = sp.Matrix(sp.symbols(f"y1:{n + 1}", real=True))  # y = x - x*
    w = sp.Matrix(sp.symbols(f"v1:{n + 1}", real=True))
    On, Qn, Ln = NamedMatrix("O", O), NamedMatrix("Q", Qm), NamedMatrix("Λ", Lam, latex=r"\Lambda")
    yn = NamedMatrix("y", y)
    zn = NamedMatrix("z", O * y)
    wn = NamedMatrix("w", O * w)
    eye = sp.Identity(n)
    x, v = (sp.MatrixSymbol(name, n, 1) for name in ("x", "v"))
    steps = [
        identity(
            say("The rows of {O} are orthonormal eigenvectors of {Q},", O=On, Q=Qn),
            sp.MatMul(On, On.T),
            sp.eye(n),
            result="O",
            yields=O,
        ),
        identity(
            say("and {Q} is rebuilt from them and the eigenvalues {Lambda}.", Q=Qn, Lambda=Ln),
            sp.MatMul(On.T, Ln, On),
            Qn,
            result="eigenvalues",
            yields=sp.Tuple(*values),
        ),
        identity(
            say(
                "With {y} and {z} the quadratic is diagonal, {gap}: twice that is",
                y=sp.Eq(yn, sp.MatAdd(x, -_X_STAR(n)), evaluate=False),
                z=fact(zn, On * yn),
                gap=_gap(yn, Qn),
            ),
            yn.T * Qn * yn,
            zn.T * Ln * zn,
        ),
        identity(
            say(
                "A gradient step {before} becomes {after}:",
                before=Assign(yn, yn - eta * Qn * yn),
                after=Assign(zn, (eye - eta * Ln) * zn),
            ),
            On * (yn - eta * Qn * yn),
            (eye - eta * Ln) * zn,
        ),
        identity(
            say(
                "a momentum step {before} becomes {after} with {w}.",
                before=Assign(v, beta * v + Qn * yn),
                after=Assign(wn, beta * wn + Ln * zn),
                w=fact(wn, On * NamedMatrix("v", w)),
            ),
            On * (beta * NamedMatrix("v", w) + Qn * yn),
            beta * wn + Ln * zn,
        ),
    ]
    remarks = [
        say(
            "Each coordinate of {z} is the scalar problem {f}, the eigenvalues {lam} being "
            "{values}.",
            z=zn,
            f=_scalar_problem(),
            lam=_LAMBDA_I,
            values=Listed(*values),
        ),
        d2l_step_remark(),
    ]
    if not exact:
        remarks.insert(
            0,
            "The eigen-decomposition is numeric (numpy.linalg.eigh): the matrix is "
            f"larger than {EXACT_MAX_SIZE}x{EXACT_MAX_SIZE}, holds floats, or its eigenvalues "
            "need cube or fourth roots.",
        )
    return Derivation(
        title="Eigen-decomposition and decoupling",
        steps=tuple(steps),
        results={"O": O, "eigenvalues": sp.Tuple(*values)},
        remarks=tuple(remarks),
    )


def _derive_symbolic() -> Derivation:
    n = sp.Symbol("n", integer=True, positive=True)
    O = sp.MatrixSymbol("O", n, n)
    Lam = sp.MatrixSymbol("Lambda", n, n)
    y = sp.MatrixSymbol("y", n, 1)
    v = sp.MatrixSymbol("v", n, 1)
    Q = O.T * Lam * O
    eye = sp.Identity(n)
    orth = (O,)
    Qn = NamedMatrix("Q", Q)
    z = NamedMatrix("z", O * y)
    w = NamedMatrix("w", O * v)
    x = sp.MatrixSymbol("x", n, 1)
    steps = [
        identity(
            say(
                "Write {Q} with {O} orthogonal and {y}, {z}.",
                Q=fact(Qn, O.T * Lam * O),
                O=O,
                y=sp.Eq(y, sp.MatAdd(x, -_X_STAR(n)), evaluate=False),
                z=fact(z, O * y),
            ),
            y.T * Qn * y,
            z.T * Lam * z,
            orthogonal=orth,
        ),
        identity(
            say(
                "Gradient descent {update} in eigen-coordinates.",
                update=sp.Eq(_at("y", "t", n), (eye - eta * Qn) * _at("y", "t-1", n)),
            ),
            O * (eye - eta * Qn) * y,
            (eye - eta * Lam) * z,
            orthogonal=orth,
            result="gd_step",
            yields=eye - eta * Lam,
        ),
        identity(
            say(
                "Momentum {update} in eigen-coordinates, {w}.",
                update=sp.Eq(_at("v", "t", n), beta * _at("v", "t-1", n) + Qn * _at("y", "t-1", n)),
                w=fact(w, O * v),
            ),
            O * (beta * v + Qn * y),
            beta * w + Lam * z,
            orthogonal=orth,
        ),
    ]
    return Derivation(
        title="Eigen-decomposition and decoupling (dimension n)",
        steps=tuple(steps),
        results={"gd_step": eye - eta * Lam},
        remarks=(
            say(
                "Since {Lambda} is diagonal, each coordinate of {z} evolves alone: one scalar "
                "problem {f} per eigenvalue tells everything.",
                Lambda=Lam,
                z=z,
                f=_scalar_problem(),
            ),
            d2l_step_remark(),
        ),
    )


#: an eigenvalue and its coordinate, in words' company
_LAMBDA_I = sp.Symbol("lambda_i")
_Z_I = sp.Symbol("z_i")


def _X_STAR(n) -> NamedMatrix:
    return NamedMatrix("x*", sp.MatrixSymbol("x^*", n, 1), latex="x^*")


def _at(name: str, when: str, n) -> NamedMatrix:
    """The vector ``name`` at step ``when`` (``y_{t-1}``): a name, in words' company."""
    plain = f"{name}_{when}" if len(when) == 1 else f"{name}_({when.replace('-', '−')})"
    return NamedMatrix(plain, sp.MatrixSymbol(name, n, 1), latex=f"{name}_{{{when}}}")


def _scalar_problem() -> sp.Basic:
    """``f = lambda_i/2 z_i^2``: one eigen-direction's problem."""
    half = sp.Mul(sp.Rational(1, 2), _LAMBDA_I, evaluate=False)
    return sp.Eq(sp.Symbol("f"), sp.Mul(half, _Z_I**2, evaluate=False), evaluate=False)


def _gap(y: sp.MatrixExpr, Q: sp.MatrixExpr) -> sp.Basic:
    """``h(x) - h(x^*) = 1/2 y^T Q y``, as the minimizer's derivation completes the square."""
    from sympy.matrices.expressions.matexpr import MatrixElement

    h = sp.Function("h")
    half = sp.Mul(sp.Rational(1, 2), MatrixElement(sp.MatMul(y.T, Q, y), 0, 0), evaluate=False)
    at = (sp.Symbol("x"), sp.Symbol("x^*"))
    return sp.Eq(sp.Add(h(at[0]), -h(at[1]), evaluate=False), half, evaluate=False)


@functools.cache  # gradient descent's derivation makes the same remark
def d2l_step_remark() -> Sentence:
    """D2L's decoupled gradient step, refused by the checker, and the step it should be."""
    n = sp.Symbol("n", integer=True, positive=True)
    O, Lam = sp.MatrixSymbol("O", n, n), sp.MatrixSymbol("Lambda", n, n)
    y = sp.MatrixSymbol("y", n, 1)
    eye = sp.Identity(n)
    # D2L's form against the gradient step in eigen-coordinates, refused by a rotation
    # O, eigenvalues 2 and 5 and a step 1/10 where the two differ
    counterexample(
        O * (eye - eta * O.T * Lam * O) * y,
        (eye - Lam) * O * y,
        {
            n: 2,
            eta: sp.Rational(1, 10),
            "O": sp.Matrix([[3, -4], [4, 3]]) / 5,  # orthogonal
            "Lambda": [[2, 0], [0, 5]],
            "y": [1, 1],
        },
    )

    def step(matrix):
        return sp.Eq(_at("z", "t", n), sp.MatMul(matrix, _at("z", "t-1", n)), evaluate=False)

    return say(
        "D2L writes the decoupled update as {wrong}; the step size {eta} is missing: it is "
        "{right}.",
        wrong=step(sp.MatAdd(eye, -Lam)),
        eta=eta,
        right=step(sp.MatAdd(eye, -eta * Lam)),
    )
