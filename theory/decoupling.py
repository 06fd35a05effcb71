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

import numpy as np
import sympy as sp

from theory.engine.derivation import Derivation, identity
from theory.engine.named import NamedMatrix
from theory.engine.printing import latex
from theory.quadratic import as_spd_matrix
from theory.symbols import beta, eta

__all__ = ["EXACT_MAX_SIZE", "derive_decoupling", "eigen_decomposition"]

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
    steps = [
        identity(
            "The rows of $O$ are orthonormal eigenvectors of $Q$,",
            sp.MatMul(On, On.T),
            sp.eye(n),
            result="O",
            yields=O,
        ),
        identity(
            r"and $Q$ is rebuilt from them and the eigenvalues $\Lambda$.",
            sp.MatMul(On.T, Ln, On),
            Qn,
            result="eigenvalues",
            yields=sp.Tuple(*values),
        ),
        identity(
            r"With $y = x - x^*$ and $z = O y$ the quadratic is diagonal: "
            r"$h(x) - h(x^*) = \frac{1}{2} y^\top Q y = \frac{1}{2} z^\top \Lambda z$.",
            yn.T * Qn * yn,
            zn.T * Ln * zn,
        ),
        identity(
            r"A gradient step $y \leftarrow y - \eta Q y$ becomes $z \leftarrow (I - \eta\Lambda) z$:",
            On * (yn - eta * Qn * yn),
            (eye - eta * Ln) * zn,
        ),
        identity(
            r"a momentum step $v \leftarrow \beta v + Q y$ becomes $w \leftarrow \beta w + \Lambda z$ "
            r"with $w = O v$.",
            On * (beta * NamedMatrix("v", w) + Qn * yn),
            beta * wn + Ln * zn,
        ),
    ]
    remarks = [
        r"Each coordinate of $z$ is the scalar problem $f = \frac{\lambda_i}{2} z_i^2$, with "
        r"$\lambda_i = " + ", ".join(latex(v) for v in values) + "$.",
        r"D2L writes $z_t = (I - \Lambda) z_{t-1}$; the step size $\eta$ is missing.",
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
    steps = [
        identity(
            r"Write $Q = O^\top \Lambda O$ with $O$ orthogonal and $y = x - x^*$, $z = O y$.",
            y.T * Qn * y,
            z.T * Lam * z,
            orthogonal=orth,
        ),
        identity(
            r"Gradient descent $y_t = (I - \eta Q) y_{t-1}$ in eigen-coordinates.",
            O * (eye - eta * Qn) * y,
            (eye - eta * Lam) * z,
            orthogonal=orth,
            result="gd_step",
            yields=eye - eta * Lam,
        ),
        identity(
            r"Momentum $v_t = \beta v_{t-1} + Q y_{t-1}$ in eigen-coordinates, $w = O v$.",
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
            r"Since $\Lambda$ is diagonal, each coordinate of $z$ evolves alone: one scalar "
            r"problem $\frac{\lambda_i}{2} z_i^2$ per eigenvalue tells everything.",
            r"D2L writes $z_t = (I - \Lambda) z_{t-1}$; the step size $\eta$ is missing.",
        ),
    )
