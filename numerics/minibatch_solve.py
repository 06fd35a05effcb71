r"""The d x d reduction of the minibatch second-moment operator, dense or matrix-free.

In H's eigenbasis T = L + f_B G with L(S) = Mbar S Mbar^T acting on each
pair of modes alone and G(S) = q q^T (x) C(X), C(X) = K(X) - H X H. Both keep
the cone of positive semi-definite matrices, so for theta > rho(L)

.. math:: \rho(T) < \theta \iff \rho\bigl(f_B\,\Phi(\theta)\,C\bigr) < 1,

Phi(theta) the Hadamard product with phi_ij(theta) = e^T N_ij e, N_ij from
:func:`pair_sums` (Damm 2004, Theorem 3.2.3). C is
self-adjoint in the Frobenius product; where every phi_ij > 0 (every
built-in method; checked) rho(Phi C) is the largest eigenvalue of the
symmetric pencil (C, Phi^{-1}), so a Rayleigh-Ritz projection never
overestimates it. Symmetric matrices are packed as their upper triangle
(off-diagonal entries times sqrt 2, so the Frobenius product is the dot
product): m = d(d+1)/2 coordinates.

Up to ``DENSE_MAX`` coordinates C is a dense m x m matrix (airfoil: 21).
Beyond, C is applied matrix-free (two n x d x d products) to a growing
orthonormal basis: each crossing (an edge in lr, a radius in theta) is
solved in the projection, the Ritz vector's residual is checked there and
the basis grows by the preconditioned residual Phi r until it is below
``RESIDUAL_RTOL``. Each application of C is kept, so one basis serves
every lr and theta of a search.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np

from theory.errors import ParameterError

__all__ = [
    "CLOSED_FORM_PAIRS",
    "DENSE_MAX",
    "MAX_BASIS",
    "RESIDUAL_RTOL",
    "FourthMoment",
    "Top",
    "converged_top",
    "fourth_moment",
    "gains",
    "is_stable",
    "operator_radius",
    "pair_sums",
    "stationary_input",
    "stein_2x2",
]

#: packed size up to which C is a dense matrix (d <= 24)
DENSE_MAX = 300
#: the matrix-free solver stops growing its basis here and says it did not converge
MAX_BASIS = 400
#: the Ritz residual, relative to |Phi^{-1} x|, at which a matrix-free crossing is accepted
RESIDUAL_RTOL = 1e-9
#: pairs of curvatures beyond which two-state Stein equations are solved in closed form
CLOSED_FORM_PAIRS = 1000


class FourthMoment:
    """C(X) = (1/n) sum_i (a_i^T X a_i) a_i a_i^T - H X H in H's eigenbasis, packed coordinates."""

    def __init__(self, data) -> None:
        d = data.d
        self.data = data
        self.rows, self.cols = np.triu_indices(d)
        self.scale = np.where(self.rows == self.cols, 1.0, math.sqrt(2.0))
        lam = data.eigenvalues
        self.lam_rows, self.lam_cols = lam[self.rows], lam[self.cols]
        self.size = self.rows.size
        self.dense = self._dense() if self.size <= DENSE_MAX else None

    def pack(self, X: np.ndarray) -> np.ndarray:
        return self.scale * X[self.rows, self.cols]

    def unpack(self, x: np.ndarray) -> np.ndarray:
        d = self.data.d
        X = np.zeros((d, d))
        X[self.rows, self.cols] = x / self.scale
        X[self.cols, self.rows] = x / self.scale
        return X

    def _dense(self) -> np.ndarray:
        At, n = self.data.rotated, self.data.n
        C = np.zeros((self.size, self.size))
        for start in range(0, n, 4096):  # the n x m matrix of packed a a^T, a block at a time
            block = At[start : start + 4096]
            P = block[:, self.rows] * block[:, self.cols] * self.scale
            C += P.T @ P
        C /= n
        C[np.diag_indices(self.size)] -= self.lam_rows * self.lam_cols
        return (C + C.T) / 2

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """C applied to packed symmetric matrices x (m,) or (m, r)."""
        if self.dense is not None:
            return self.dense @ x
        At, n = self.data.rotated, self.data.n
        if x.ndim == 2:
            return np.column_stack([self(col) for col in x.T])
        X = self.unpack(x)
        weights = np.einsum("ni,ni->n", At @ X, At)
        # sum_i w_i a_i a_i^T as B+^T B+ - B-^T B-: NumPy hands B^T B to BLAS's syrk, several
        # times faster here than the general product with a scaled copy
        plus = weights > 0
        Bp = np.sqrt(weights[plus])[:, None] * At[plus]
        Bm = np.sqrt(-weights[~plus])[:, None] * At[~plus]
        K = Bp.T @ Bp - Bm.T @ Bm
        return self.pack(K) / n - self.lam_rows * self.lam_cols * x


def fourth_moment(data) -> FourthMoment:
    """The data's :class:`FourthMoment`, built once per data set (kept on it)."""
    cached = data.__dict__.get("_fourth_moment")
    if cached is None:
        cached = FourthMoment(data)
        data.__dict__["_fourth_moment"] = cached
    return cached


class Top:
    """rho(Phi C) for weights phi (packed): exact (dense) or in a growing subspace (matrix-free)."""

    def __init__(self, fourth: FourthMoment) -> None:
        self.C = fourth
        self.basis = np.zeros((fourth.size, 0))
        self.images = np.zeros((fourth.size, 0))  # C applied to the basis
        if fourth.dense is None:
            top = np.argmax(fourth.lam_rows * (fourth.rows == fourth.cols))
            start = np.zeros((fourth.size, 2))
            start[fourth.rows == fourth.cols, 0] = 1.0  # the identity: positive definite
            start[top, 1] = 1.0  # the stiffest mode alone: it carries the edge near full batch
            self._grow(start)

    @property
    def applications(self) -> int:
        """How many times C was applied (the matrix-free cost)."""
        return self.basis.shape[1]

    def _grow(self, vectors: np.ndarray) -> int:
        """Add the vectors' parts orthogonal to the basis; returns how many were new."""
        before = self.applications
        for v in vectors.T:
            for _ in range(2):  # Gram-Schmidt twice: orthogonal to float precision
                v = v - self.basis @ (self.basis.T @ v)
            norm = np.linalg.norm(v)
            if norm > 1e-12:
                v = v / norm
                self.basis = np.column_stack([self.basis, v])
                self.images = np.column_stack([self.images, self.C(v)])
        return self.applications - before

    def pencil(self, phi: np.ndarray) -> tuple[float, np.ndarray]:
        """The largest eigenvalue of (C, Phi^{-1}) and its vector, exact or projected."""
        if (phi <= 0).any() or not np.isfinite(phi).all():
            raise _not_positive()
        if self.C.dense is not None:
            s = np.sqrt(phi)
            vals, vecs = np.linalg.eigh(s[:, None] * self.C.dense * s[None, :])
            return float(vals[-1]), s * vecs[:, -1]
        from scipy.linalg import eigh

        U, CU = self.basis, self.images
        A = U.T @ CU
        B = (U / phi[:, None]).T @ U
        vals, vecs = eigh((A + A.T) / 2, (B + B.T) / 2)
        return float(vals[-1]), U @ vecs[:, -1]

    def __call__(self, phi: np.ndarray) -> float:
        """rho(Phi C) (a lower bound in a subspace that has not converged)."""
        if self.C.dense is None:
            return self.pencil(phi)[0]
        if not np.isfinite(phi).all():
            return math.inf
        if (phi <= 0).any():  # not similar to a symmetric matrix: the general eigenvalues
            return float(np.abs(np.linalg.eigvals(phi[:, None] * self.C.dense)).max())
        s = np.sqrt(phi)
        return float(np.linalg.eigvalsh(s[:, None] * self.C.dense * s[None, :])[-1])

    def converged(self, phi: np.ndarray) -> bool:
        """True if the Ritz pair at ``phi`` is an eigenpair; else the basis grows by one vector."""
        if self.C.dense is not None:
            return True
        theta, x = self.pencil(phi)
        y = self.images @ (self.basis.T @ x)  # C x, from the kept images
        r = y - theta * x / phi
        if np.linalg.norm(r) <= RESIDUAL_RTOL * theta * np.linalg.norm(x / phi):
            return True
        if self.applications >= MAX_BASIS or not self._grow((phi * r)[:, None]):
            raise ParameterError(
                f"the matrix-free eigen-solver did not converge ({self.applications} "
                "applications of the fourth-moment operator; relative residual "
                f"{np.linalg.norm(r) / (theta * np.linalg.norm(x / phi)):.2g})"
            )
        return False


def _not_positive() -> ParameterError:
    return ParameterError(
        "this method's pair gains phi_ij are not all positive here, which the matrix-free "
        f"solver needs: use data with at most {DENSE_MAX} packed coordinates "
        "(d(d+1)/2, with the bias)"
    )


def pair_sums(step, hi, hj, theta: float = 1.0, *, slope: bool = False):
    """N = sum_t theta^-(t+1) R(hi)^t q q^T (R(hj)^t)^T for each pair of curvatures: (..., k, k).

    Each solves the k x k Stein equation theta N - R(hi) N R(hj)^T = q q^T
    (finite when rho(R(hi)) rho(R(hj)) < theta); ``hi`` and ``hj`` broadcast.
    With ``slope=True`` also dN/dtheta, which solves the same equation with -N on the right.
    One state is a division; two states (every built-in method but gd), past
    ``CLOSED_FORM_PAIRS`` pairs, the closed form :func:`stein_2x2` (its
    sixty-odd array operations cost less than a solve per pair only then);
    otherwise the k^2 x k^2 Kronecker system, inverted once per pair.
    """
    hi, hj = np.broadcast_arrays(np.asarray(hi, float), np.asarray(hj, float))
    shape, k = hi.shape, step.k
    A, B = step.matrices(hi) / theta, np.swapaxes(step.matrices(hj), -1, -2)
    Q = np.broadcast_to(np.outer(step.q, step.q) / theta, A.shape)
    with np.errstate(all="ignore"):
        if k == 1:
            N = Q / (1 - A * B)
            dN = -N / theta / (1 - A * B) if slope else None
        elif k == 2 and A.shape[0] > CLOSED_FORM_PAIRS:
            N = stein_2x2(A, B, Q)
            dN = stein_2x2(A, B, -N / theta) if slope else None
        else:
            kron = np.einsum("pac,pdb->pabcd", A, B).reshape(-1, k * k, k * k)
            inverse = _inverses(np.eye(k * k) - kron)
            N = (inverse @ Q.reshape(-1, k * k, 1)).reshape(A.shape)
            dN = -(inverse @ N.reshape(-1, k * k, 1)).reshape(A.shape) / theta if slope else None
    if not slope:
        return N.reshape(*shape, k, k)
    return N.reshape(*shape, k, k), dN.reshape(*shape, k, k)


def _inverses(systems: np.ndarray) -> np.ndarray:
    """Each system's inverse; inf for one singular to rounding.

    Singular means rho(R(hi)) rho(R(hj)) = theta within rounding: the pair's sum
    diverges, which the one-state division and :func:`stein_2x2` say with inf;
    numpy's LinAlgError said it for the whole batch (heavy ball at momentum
    0.999999 next to the full-batch edge).
    """
    try:
        return np.linalg.inv(systems)
    except np.linalg.LinAlgError:
        out = np.full(systems.shape, np.inf)
        for i, system in enumerate(systems):
            with contextlib.suppress(np.linalg.LinAlgError):
                out[i] = np.linalg.inv(system)
        return out


def stein_2x2(A: np.ndarray, B: np.ndarray, C: np.ndarray) -> np.ndarray:
    """X with X - A X B = C for stacks of 2 x 2 matrices, in closed form.

    B^2 = tau B - delta I (Cayley-Hamilton) turns A^2 X B^2 = A X B - A C B into
    (tau A - delta A^2 - I) X = tau A C - C - A C B, a 2 x 2 system whose
    matrix has the eigenvalues -(1 - a b1)(1 - a b2): singular exactly when
    the Stein equation is. Entry by entry, vectorised over the stack.
    """

    def entries(M):
        return M[..., 0, 0], M[..., 0, 1], M[..., 1, 0], M[..., 1, 1]

    def mul(P, R):
        return (
            P[0] * R[0] + P[1] * R[2],
            P[0] * R[1] + P[1] * R[3],
            P[2] * R[0] + P[3] * R[2],
            P[2] * R[1] + P[3] * R[3],
        )

    a, b, c = entries(A), entries(B), entries(C)
    tau, delta = b[0] + b[3], b[0] * b[3] - b[1] * b[2]
    aa, ac = mul(a, a), mul(a, c)
    acb = mul(ac, b)
    L = [tau * a[i] - delta * aa[i] - (1.0 if i in (0, 3) else 0.0) for i in range(4)]
    rhs = [tau * ac[i] - c[i] - acb[i] for i in range(4)]
    det = L[0] * L[3] - L[1] * L[2]
    x = mul((L[3] / det, -L[1] / det, -L[2] / det, L[0] / det), rhs)
    return np.stack([np.stack(x[:2], axis=-1), np.stack(x[2:], axis=-1)], axis=-2)


def gains(op, theta: float = 1.0, *, fourth: FourthMoment | None = None, slope: bool = False):
    """phi_ij(theta) packed: the gradient-point block of N_ij (:func:`pair_sums`).

    With ``slope=True`` also d phi / d theta.
    """
    fourth = fourth or fourth_moment(op.data)
    e = op.step.e
    if not slope:
        N = pair_sums(op.step, fourth.lam_rows, fourth.lam_cols, theta)
        return np.einsum("a,pab,b->p", e, N, e)
    N, dN = pair_sums(op.step, fourth.lam_rows, fourth.lam_cols, theta, slope=True)
    return np.einsum("a,pab,b->p", e, N, e), np.einsum("a,pab,b->p", e, dN, e)


def converged_top(top: Top, phi: np.ndarray) -> float:
    """rho(Phi C), the matrix-free basis grown until its Ritz pair at ``phi`` is an eigenpair."""
    while not top.converged(phi):
        pass
    return top(phi)


def is_stable(op) -> bool:
    """rho(T) < 1: every mode stable (rho(L) < 1) and f_B rho(Phi(1) C) < 1."""
    if not float(op.step.radius(op.data.eigenvalues).max()) < 1:
        return False
    if op.factor == 0:
        return True
    fourth = fourth_moment(op.data)
    phi = gains(op, fourth=fourth)
    return op.factor * converged_top(Top(fourth), phi) < 1 if np.isfinite(phi).all() else False


def operator_radius(op, guess: float | None = None) -> float:
    """rho(T) = max(rho(L), the theta > rho(L) where f_B rho(Phi(theta) C) = 1).

    log(f_B rho) falls with theta; its root is found by Newton's method on
    the pencil's eigenvalue, whose slope the eigenvector gives
    (d rho / d theta = rho sum x^2 phi' / phi^2 / sum x^2 / phi), kept inside a
    bracket that bisects when a step would leave it. ``guess`` starts it.
    """
    lam = op.data.eigenvalues
    radius = float(op.step.radius(lam).max())
    floor = radius * radius  # rho(L); inf past 1e154 (a float's ** 2 raised OverflowError)
    if op.factor == 0 or not math.isfinite(floor):
        return floor
    fourth = fourth_moment(op.data)
    top = Top(fourth)
    lo = floor * (1 + 1e-9) if floor > 0 else 1e-300
    theta = max(guess or 1.0, 2 * lo if guess is None else lo)
    while True:
        # where f_B rho(Phi C) < 1 already just above rho(L), the deterministic part dominates:
        # the search then closes in on lo from above
        root = _newton(op, top, fourth, lo, theta)
        if fourth.dense is not None or top.converged(gains(op, root, fourth=fourth)):
            value = max(floor, float(root))
            if floor < 1 <= value and is_stable(op):
                # the root lies in (rho(L), lo], the search's floor 1e-9 above rho(L), and lo
                # passed 1 (lr 1e-10): rho(T) < 1 as is_stable decides, and rho(L) is within
                # 1e-9 of it (it had said 1.0000000007 for a stable operator)
                return floor
            return value
        theta = root


def _newton(op, top: Top, fourth: FourthMoment, lo: float, theta: float) -> float:
    """The theta in (lo, inf) where f_B rho(Phi(theta) C) = 1, given it exceeds 1 at lo.

    Newton on h = 1 / (f_B rho) - 1, which is nearly linear in theta both near
    rho(L) (phi has a simple pole there) and far above it (phi ~ 1/theta).
    """
    hi = math.inf
    theta = theta if theta > lo else 2 * lo
    for _ in range(200):
        phi, dphi = gains(op, theta, fourth=fourth, slope=True)
        slope = None
        if (phi <= 0).any() or not np.isfinite(phi).all():
            rho = top(phi)
        else:
            rho, x = top.pencil(phi)
            weights = x * x / phi
            # d rho / d theta = rho sum x^2 phi' / phi^2 / sum x^2 / phi; h' = -rho' / (f rho^2)
            slope = -float(np.sum(weights * dphi / phi) / np.sum(weights)) / (op.factor * rho)
        value = 1 / (op.factor * rho) - 1 if rho > 0 else math.inf
        if value < 0:
            lo = theta
        else:
            hi = theta
        if value == 0 or (hi < math.inf and hi - lo <= 1e-15 * hi):
            return theta
        step = theta - value / slope if slope and slope > 0 else math.nan
        if abs(step - theta) <= 1e-14 * theta:
            return theta  # converged (rounding may put the last step outside the bracket)
        if not lo < step < hi:
            step = 2 * theta if hi == math.inf else (lo + hi) / 2
        theta = step
    return theta


def stationary_input(op) -> np.ndarray:
    """Y (d x d, mode basis): the noise the state receives, additive and multiplicative.

    Y = Cov xi_B + f_B C(phi o Y); the stationary S has blocks N_ij Y_ij.
    ParameterError above the edge.
    """
    if not op.stable:
        raise ParameterError(
            f"no stationary second moment: lr {op.lr:g} is above the mean-square edge "
            f"(rho(T) = {op.spectral_radius:.6g} >= 1)"
        )
    fourth = fourth_moment(op.data)
    V = op.data.eigenvectors
    sigma = fourth.pack(V.T @ op.gradient_noise @ V)
    phi = gains(op, fourth=fourth)
    f = op.factor
    if fourth.dense is not None:
        system = np.eye(fourth.size) - f * fourth.dense * phi[None, :]
        return fourth.unpack(np.linalg.solve(system, sigma))
    if (phi <= 0).any():
        raise _not_positive()
    from scipy.sparse.linalg import LinearOperator, cg

    # with X = phi o Y: (Phi^{-1} - f_B C) X = sigma, symmetric positive definite when stable
    system = LinearOperator((fourth.size,) * 2, matvec=lambda x: x / phi - f * fourth(x))
    precondition = LinearOperator((fourth.size,) * 2, matvec=lambda x: phi * x)
    X, info = cg(system, sigma, rtol=1e-12, atol=0.0, maxiter=10 * fourth.size, M=precondition)
    if info != 0:
        raise ParameterError("the stationary second moment did not converge (too near the edge)")
    return fourth.unpack(X / phi)
