r"""The exact mean-square theory of minibatch SGD with momentum on least squares.

Least squares on a design A (n x d; :func:`least_squares_data` adds the bias
column) is f(w) = 1/(2n) sum_i (a_i^T w - y_i)^2 with Hessian H = A^T A / n.
A minibatch of B rows, drawn uniformly at every step without replacement
(the per-step law of D2L's shuffled epochs) or with it, gives the gradient

.. math:: g = H_B (w - \bar w) + \xi_B, \qquad H_B = \tfrac1B \textstyle\sum_{i \in
   \text{batch}} a_i a_i^T,

random in H_B as well as in the noise xi_B (mean 0). A built-in method is,
per curvature h, the state matrix R(h) = R0 + h q e^T: its gradient is read
at the point e^T state and fed to the state by q (:class:`LinearStep`, taken
from the method's own numeric form, so gd, heavy ball, Nesterov, QHM and
torch's dampening and weight decay share one path). In d dimensions the
error state z moves as z' = M(H_B) z + (q (x) I) xi_B with
M(H_B) = R0 (x) I + q e^T (x) H_B, and its second moment S = E[z z^T] as
S' = T(S) + E[b b^T] with

.. math:: T(S) = \bar M S \bar M^T + q q^T \otimes f_B \bigl(K(X) - H X H\bigr),
   \qquad K(X) = \tfrac1n \textstyle\sum_i (a_i^T X a_i)\, a_i a_i^T,

X the gradient-point block of S and f_B = (n - B) / (B (n - 1)) the
finite-population factor (1/B with replacement). Only K needs the data's
fourth moments; it costs O(n d^2) and is applied matrix-free
(:meth:`SecondMoment.apply`).

The spectral radius, the stability edge and the stationary second moment
are found through a d x d reduction. In H's eigenbasis the deterministic
part L(S) = Mbar S Mbar^T acts on each pair of modes (i, j) alone, so
(theta - L)^{-1} (q q^T (x) Y) has the gradient-point block phi(theta) o Y
(Hadamard product), with phi_ij = sum_t theta^{-t-1} (e^T R_i^t q)(e^T R_j^t q).
Both parts of T keep the cone of positive semi-definite matrices, so
(Damm 2004, Theorem 3.2.3; Krein-Rutman)

.. math:: \rho(T) < \theta \iff \rho(L) < \theta \text{ and }
   \rho\bigl(f_B\, \Phi(\theta)\, C\bigr) < 1, \qquad C(X) = K(X) - H X H,

an eigenvalue problem on symmetric d x d matrices: dense for small d, by a
growing subspace of C applied to symmetric matrices for large d
(:mod:`numerics.minibatch_solve`).

The edge is where the *second moment* starts to grow: above it E|w - w*|^2
grows without bound, but a single run can look fine for a while (the
moments are carried by rare runs: heavy tails), so the edge is where
training becomes unreliable, not where every run explodes at once.

References: T. Damm, *Rational Matrix Equations in Stochastic Control*
(2004), chapter 3 (positive operators); P. Jain, S. Kakade, R. Kidambi,
P. Netrapalli, A. Sidford, *Parallelizing stochastic gradient descent for
least squares regression* (JMLR 2018; batch size and the fourth moment);
K. Lee, A. Cheng, E. Paquette, C. Paquette, *Trajectory of mini-batch
momentum* (NeurIPS 2022).

Examples
--------
>>> import numerics
>>> data = least_squares_data(*numerics.load_airfoil())
>>> op = second_moment(data, 0.3, 0.9, 10)  # D2L's batch 10, momentum 0.9
>>> bool(op.spectral_radius > 1)  # grows in mean square at lr 0.3
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from numerics.checks import count, real_array, real_number
from numerics.methods import NumericMethod, numeric_method
from numerics.minibatch_solve import is_stable, operator_radius, pair_sums, stationary_input
from numerics.reprs import array_repr
from theory.errors import ParameterError

__all__ = [
    "RANK_RTOL",
    "LeastSquaresData",
    "LinearStep",
    "SecondMoment",
    "finite_population_factor",
    "least_squares_data",
    "linear_step",
    "second_moment",
]

#: the design must have full column rank: its Hessian's smallest eigenvalue above this
#: fraction of its largest (otherwise the minimizer is not unique)
RANK_RTOL = 1e-10


@dataclass(frozen=True, eq=False)
class LeastSquaresData:
    """A design A (n x d) and target y, with the Hessian H = A^T A / n in its eigenbasis.

    ``rotated`` is A V for H = V diag(eigenvalues) V^T, ``rotated_target``
    is V^T A^T y / n; the minimizer w* solves H w = A^T y / n.
    """

    design: np.ndarray
    target: np.ndarray
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    rotated: np.ndarray
    rotated_target: np.ndarray
    __repr__ = array_repr  # arrays summarised, not printed in full

    @property
    def n(self) -> int:
        return self.design.shape[0]

    @property
    def d(self) -> int:
        return self.design.shape[1]

    @cached_property
    def hessian(self) -> np.ndarray:
        return self.design.T @ self.design / self.n

    @cached_property
    def minimizer(self) -> np.ndarray:
        return self.eigenvectors @ (self.rotated_target / self.eigenvalues)

    @cached_property
    def minimum(self) -> float:
        return float(np.mean((self.design @ self.minimizer - self.target) ** 2) / 2)

    def loss(self, w) -> np.ndarray:
        """The mean squared loss (halved) at each row of ``w``."""
        w = np.asarray(w, float)
        return np.mean((w @ self.design.T - self.target) ** 2, axis=-1) / 2


def least_squares_data(X, y, *, bias: bool = True) -> LeastSquaresData:
    """Least squares on features X (n, p) and target y (n,); ``bias`` adds the column of ones.

    Refused: non-finite values, fewer than two rows, and a design whose
    columns are linearly dependent (a constant feature beside the bias, a
    repeated column), where the minimizer is not unique.
    """
    X, y = real_array(X, "X"), real_array(y, "y")
    if X.ndim != 2 or y.shape != (X.shape[0],) or X.shape[0] < 2:
        raise ParameterError(
            f"'X' must be (n, p) and 'y' (n,) with n >= 2: shapes {X.shape} and {y.shape}"
        )
    A = np.hstack([X, np.ones((X.shape[0], 1))]) if bias else X
    if A.shape[1] == 0:
        raise ParameterError("'X' has no columns and no bias was asked for")
    n = A.shape[0]
    lam, V = np.linalg.eigh(A.T @ A / n)
    if not lam[-1] > 0 or lam[0] <= RANK_RTOL * lam[-1]:
        raise ParameterError(
            f"the design's columns are linearly dependent (Hessian eigenvalues from {lam[0]:.3g} "
            f"to {lam[-1]:.3g}): a constant or repeated column, or fewer rows than columns; "
            "the least-squares minimizer is not unique"
        )
    At = A @ V
    return LeastSquaresData(A, y, lam, V, At, At.T @ y / n)


def finite_population_factor(n: int, batch_size: int, *, replacement: bool = False) -> float:
    """f_B: a batch mean of B of n values has variance f_B times theirs.

    (n - B) / (B (n - 1)) without replacement (0 at B = n), 1/B with it.

    >>> finite_population_factor(1500, 10) == 1490 / 14990
    True
    """
    n = count(n, "n", 2, 10**12)
    batch_size = count(batch_size, "batch_size", 1, n)
    return 1.0 / batch_size if replacement else (n - batch_size) / (batch_size * (n - 1))


@dataclass(frozen=True)
class LinearStep:
    """One step of a linear method on a curvature h: state' = (R0 + h q e^T) state + q xi.

    ``q`` feeds the gradient (and its noise xi) to the state, ``e`` reads the
    point where the gradient is taken, ``position`` indexes the iterate x.
    """

    R0: np.ndarray
    q: np.ndarray
    e: np.ndarray
    position: int
    __repr__ = array_repr  # arrays summarised, not printed in full

    @property
    def k(self) -> int:
        return self.q.size

    def matrices(self, h) -> np.ndarray:
        """R(h) for each curvature in ``h``: shape (len(h), k, k)."""
        h = np.asarray(h, float).reshape(-1)
        return self.R0 + h[:, None, None] * np.outer(self.q, self.e)

    def radius(self, h) -> np.ndarray:
        """The spectral radius of R(h) for each curvature."""
        return np.abs(np.linalg.eigvals(self.matrices(h))).max(axis=-1)


def linear_step(method, lr: float, momentum: float, **params) -> LinearStep:
    """R0, q, e of a method at (lr, momentum), from its numeric form (:func:`numeric_method`).

    The state matrix the method derives, R(h), must be affine in h with a
    rank-one h part (one gradient per step, at one point): true of every
    built-in method; a method that takes two gradients is refused.
    """
    m: NumericMethod = numeric_method(method)
    lr, momentum = real_number(lr, "lr"), real_number(momentum, "momentum")
    values = [lr, momentum, *m.extra_scalars(params)]
    try:  # the generated forms compute in Python floats: beta**2 at beta 1e300 raises
        rows, b_rows = m.noise_R(*values), m.noise_b(*values)
    except OverflowError as exc:
        raise ParameterError(
            f"lr {lr!r} and momentum {momentum!r} are too large: method {m.name}'s step overflows"
        ) from exc
    k = len(rows)

    def coefficient(poly, power):
        return float(poly[power]) if len(poly) > power else 0.0

    if any(len(poly) > 2 for row in rows for poly in row):
        raise ParameterError(
            f"method {m.name}: its state matrix is not affine in the curvature "
            "(more than one gradient per step); the minibatch theory needs one"
        )
    R0 = np.array([[coefficient(p, 0) for p in row] for row in rows])
    R1 = np.array([[coefficient(p, 1) for p in row] for row in rows])
    q = np.array([coefficient(p, 0) for p in b_rows])
    if not np.isfinite(q).all():  # nesterov's lr (1 + momentum) past a float's range
        raise ParameterError(f"'lr' is too large: method {m.name}'s step overflows at lr {lr!r}")
    # q is scaled to its largest entry first: at lr = 1e155 the plain q @ q overflows
    size = float(np.abs(q).max(initial=0.0))
    unit = q / size if size > 0 else q
    e = R1.T @ unit / (unit @ unit) / size if size > 0 else np.zeros(k)
    with np.errstate(over="ignore"):
        rank_one = np.outer(q, e)
    if not np.isfinite(rank_one).all():  # entries past a float's square root (nesterov, beta 1e153)
        raise ParameterError(
            f"lr {lr!r} and momentum {momentum!r} are too large: method {m.name}'s step overflows"
        )
    if size == 0 or not np.allclose(rank_one, R1, rtol=1e-12, atol=1e-14 * np.abs(R1).max()):
        raise ParameterError(
            f"method {m.name}: its gradient does not enter as one vector at one point "
            "(R(h) - R(0) is not q e^T); the minibatch theory needs that"
        )
    return LinearStep(R0, q, e, m.state.index(m.position))


#: entries of R(h) above this square past a float's range, with room for the sums over pairs
_ROOT_HUGE = 1e150


@dataclass(frozen=True, eq=False)
class SecondMoment:
    """The second-moment recursion S' = T(S) + E[b b^T] of one method, step and batch size.

    Build with :func:`second_moment`. ``S`` is (k d, k d), the method's state
    variables in order, each a block of d, in the original coordinates of
    the error z = state - its mean fixed point.
    """

    data: LeastSquaresData
    step: LinearStep
    lr: float
    momentum: float
    batch_size: int
    factor: float  # f_B

    @cached_property
    def fixed_point(self) -> np.ndarray:
        """The state the mean gradient leaves fixed, (k, d); its position is w-bar.

        With weight decay w-bar solves (H + wd I) w = A^T y / n, not w*.
        """
        R = self.step.matrices(self.data.eigenvalues)  # z' = R_i z - q c_i, mode by mode
        k = self.step.k
        rhs = -self.step.q[None, :] * self.data.rotated_target[:, None]
        try:
            z = np.linalg.solve(np.eye(k) - R, rhs[..., None])[..., 0]
        except np.linalg.LinAlgError:
            raise ParameterError(
                "the method has no fixed point on this data (I - R(h) is singular)"
            ) from None
        return z.T @ self.data.eigenvectors.T

    @cached_property
    def gradient_noise(self) -> np.ndarray:
        """Cov xi_B (d x d): f_B times the covariance of the per-example gradients at the fixed point."""
        point = self.step.e @ self.fixed_point
        A = self.data.design
        u = A * (A @ point - self.data.target)[:, None]
        u -= u.mean(axis=0)
        return self.factor * (u.T @ u) / self.data.n

    @property
    def noise(self) -> np.ndarray:
        """E[b b^T] = q q^T (x) Cov xi_B, (k d, k d)."""
        return np.kron(np.outer(self.step.q, self.step.q), self.gradient_noise)

    def apply(self, S) -> np.ndarray:
        """T(S) = E[M(H_B) S M(H_B)^T], matrix-free: O(n d^2 k^2), never the (kd)^2 matrix."""
        d, k = self.data.d, self.step.k
        S = real_array(S, "S").reshape(k, d, k, d)
        H, A = self.data.hessian, self.data.design
        R0, q, e = self.step.R0, self.step.q, self.step.e

        def left(Z):  # Mbar Z for Z of shape (k, d, ...)
            return (
                np.einsum("ac,cj...->aj...", R0, Z)
                + q[:, None, None, None] * np.einsum("im,cmbl,c->ibl", H, Z, e)[None]
            )

        MS = left(S)
        MSM = left(MS.transpose(2, 3, 0, 1)).transpose(2, 3, 0, 1)
        X = np.einsum("a,aibj,b->ij", e, S, e)
        weights = np.einsum("ni,ij,nj->n", A, X, A)
        fourth = A.T @ (weights[:, None] * A) / self.data.n - H @ X @ H
        out = MSM + self.factor * np.einsum("a,b,ij->aibj", q, q, fourth)
        return out.reshape(k * d, k * d)

    @cached_property
    def spectral_radius(self) -> float:
        """rho(T): the second moment grows like rho(T)^t; mean-square stable iff below 1."""
        return operator_radius(self)

    @cached_property
    def stable(self) -> bool:
        """rho(T) < 1, decided without computing rho(T) itself."""
        return is_stable(self)

    @cached_property
    def noise_input(self) -> np.ndarray:
        """Y (d x d, H's eigenbasis): the stationary noise the gradient feeds in, additive
        (Cov xi_B) and multiplicative (f_B C(X)); ParameterError when not stable."""
        return stationary_input(self)

    @cached_property
    def stationary(self) -> np.ndarray:
        """The stationary S = T(S) + E[b b^T] (k d, k d); ParameterError when not stable."""
        Y = self.noise_input
        lam = self.data.eigenvalues
        N = pair_sums(self.step, lam[:, None], lam[None, :])
        V = self.data.eigenvectors
        S = np.einsum("ijab,ij->aibj", N, Y)
        S = np.einsum("pi,aibj,qj->apbq", V, S, V)
        d, k = self.data.d, self.step.k
        return S.reshape(k * d, k * d)

    @cached_property
    def excess_loss(self) -> float:
        """The stationary E f(w) - f(w*): 1/2 tr(H S_xx) plus the fixed point's own excess.

        Infinite above the edge. The second part is 0 without weight decay.
        """
        if not self.stable:
            return float("inf")
        Y = self.noise_input
        lam = self.data.eigenvalues
        p = self.step.position
        psi = pair_sums(self.step, lam, lam)[:, p, p]
        bias = self.data.eigenvectors.T @ (self.fixed_point[p] - self.data.minimizer)
        return float(0.5 * np.sum(lam * psi * np.diagonal(Y)) + 0.5 * np.sum(lam * bias**2))


def second_moment(
    data: LeastSquaresData,
    lr: float,
    momentum: float,
    batch_size: int,
    method="heavy_ball",
    *,
    replacement: bool = False,
    **params,
) -> SecondMoment:
    """The second-moment recursion of ``method`` at (lr, momentum) with batches of ``batch_size``.

    ``method`` is any built-in name or :class:`theory.Method` whose gradient
    enters once per step (``torch_sgd`` with ``dampening=``, ``weight_decay=``
    for torch's options); ``replacement=True`` draws batches with replacement.
    """
    if not isinstance(data, LeastSquaresData):
        raise ParameterError(f"'data' must be least_squares_data(X, y): {type(data).__name__}")
    lr = real_number(lr, "lr")
    if not lr > 0:
        raise ParameterError(f"'lr' must be > 0: {lr}")
    step = linear_step(method, lr, momentum, **params)
    with np.errstate(over="ignore", invalid="ignore"):
        at_the_spectrum = step.matrices(data.eigenvalues)
        largest = float(np.abs(at_the_spectrum).max())
        # the second moment multiplies the step's entries in pairs: past a float's square root
        # they overflow, and where rho(R)^2 is still a float (nesterov at momentum 1e153) its
        # radius cannot be computed; where rho(R)^2 overflows too, it is inf (unstable)
        squared = float(np.square(step.radius(data.eigenvalues).max())) if largest < np.inf else 0
    if not largest < np.inf or (largest > _ROOT_HUGE and squared < np.inf):
        raise ParameterError(
            f"lr {lr!r} and momentum {momentum!r} are too large: the step overflows in the "
            "second moment's products of its entries"
        )
    factor = finite_population_factor(data.n, batch_size, replacement=replacement)
    return SecondMoment(data, step, lr, float(momentum), int(batch_size), factor)
