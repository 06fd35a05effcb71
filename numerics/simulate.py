r"""Simulated iterations of a method on h(x) = 1/2 x^T Q x + c^T x + b, batched.

The update equations of the method (see :mod:`theory.methods`) run as they
are written, with the gradient ``g(y) = Q y + c``; heavy ball is D2L's

.. math:: v \leftarrow \beta v + g(x), \qquad x \leftarrow x - \eta v, \qquad v_0 = 0.

Many (eta, beta) pairs run at once, vectorised over the batch. Divergence is a
result, not a crash: a run whose distance to the minimizer grows past
``DIVERGENCE_GROWTH`` times its start (or overflows) is marked diverged at
that step; overflow produces no RuntimeWarning.

Examples
--------
>>> run = simulate_d2l(eta=0.6, beta=0.5)
>>> d2l_line(run)
'epoch 20, x1: 0.007188, x2: 0.002553'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numerics.checks import count, real_array
from numerics.methods import numeric_method
from numerics.reprs import array_repr
from theory.errors import NotSPDError, ParameterError, describe

__all__ = [
    "D2L_LAMS",
    "D2L_X0",
    "DIVERGENCE_GROWTH",
    "MAX_DENSE",
    "MAX_STEPS",
    "Trajectory",
    "d2l_line",
    "simulate",
    "simulate_d2l",
]

#: a run has diverged once max_i |x_t - x*|_i exceeds this many times max(max_i |x_0 - x*|_i, 1)
DIVERGENCE_GROWTH = 100.0
#: D2L's ill-conditioned f(x) = 0.1 x1^2 + 2 x2^2 has Hessian diag(0.2, 4)
D2L_LAMS = (0.2, 4.0)
D2L_X0 = (-5.0, -2.0)
#: a bound on steps x batch x dimension kept in memory
MAX_STEPS = 1_000_000
_MAX_ELEMENTS = 50_000_000
#: the largest dense Q accepted (its eigenvalues are checked, O(n^3)); diagonal ones go as lams
MAX_DENSE = 2000


@dataclass(frozen=True)
class Trajectory:
    """Iterates of a batch of runs.

    Attributes
    ----------
    x : ndarray, shape (steps + 1, batch, n)
        The iterates, x_0 first.
    diverged : ndarray of bool, shape (batch,)
    diverged_at : ndarray of int, shape (batch,)
        The first step at which the run counted as diverged; -1 if it did not.
    """

    __repr__ = array_repr  # arrays summarised, not printed in full

    method: str
    eta: np.ndarray
    beta: np.ndarray
    x: np.ndarray
    #: the quadratic's matrix, or its diagonal (shape (n,)) when it was given as ``lams``
    hessian: np.ndarray
    minimizer: np.ndarray
    diverged: np.ndarray
    diverged_at: np.ndarray

    @property
    def Q(self) -> np.ndarray:
        """The quadratic's matrix, (n, n) (built from the diagonal when it was given as ``lams``)."""
        return np.diag(self.hessian) if self.hessian.ndim == 1 else self.hessian

    @property
    def steps(self) -> int:
        return self.x.shape[0] - 1

    @property
    def final(self) -> np.ndarray:
        return self.x[-1]

    def errors(self) -> np.ndarray:
        """||x_t - x*|| for every step and run, shape (steps + 1, batch)."""
        with np.errstate(over="ignore", invalid="ignore"):
            return np.linalg.norm(self.x - self.minimizer, axis=-1)

    def plot(self, ax=None, **kwargs):
        from numerics.plots.curves import plot_trace_2d

        return plot_trace_2d(self, ax=ax, **kwargs)


def validate_problem(Q, c, x0):
    """Q (square, symmetric, positive definite), c and x0 as float arrays of matching size."""
    Q = np.atleast_2d(real_array(Q, "Q", finite=False))
    n = Q.shape[0]
    if Q.ndim != 2 or Q.shape != (n, n) or n == 0:
        raise NotSPDError(f"'Q' must be a non-empty square matrix: shape {Q.shape}")
    if n > MAX_DENSE:
        raise ParameterError(
            f"'Q' is {n} x {n}: at most {MAX_DENSE} x {MAX_DENSE} as a dense matrix "
            "(give a diagonal one as lams, which costs O(n) a step)"
        )
    if not np.isfinite(Q).all():
        raise NotSPDError("'Q' must be finite")
    if not np.allclose(Q, Q.T, rtol=1e-10, atol=1e-12 * max(1.0, np.abs(Q).max())):
        raise NotSPDError("'Q' must be symmetric")
    smallest = np.linalg.eigvalsh(Q).min()
    if smallest <= 0:
        raise NotSPDError(
            f"'Q' must be positive definite: its smallest eigenvalue is {smallest:.6g}"
        )
    c, x0 = _vectors(c, x0, n, "Q")
    return Q, c, x0


def _vectors(c, x0, n: int, against: str) -> tuple[np.ndarray, np.ndarray]:
    c = np.zeros(n) if c is None else real_array(c, "c").reshape(-1)
    x0 = real_array(x0, "x0").reshape(-1)
    for name, vec in (("c", c), ("x0", x0)):
        if vec.shape != (n,):
            raise ParameterError(f"'{name}' must have {n} entries to match {against}: {vec.size}")
    return c, x0


def _diagonal(lams, c, x0):
    """A diagonal quadratic given by its curvatures: checked in O(n), never made dense."""
    d = real_array(lams, "lams").reshape(-1)
    if d.size == 0 or not (d > 0).all():
        raise NotSPDError(f"'lams' must be a non-empty list of curvatures > 0: {describe(lams)}")
    c, x0 = _vectors(c, x0, d.size, "lams")
    return d, c, x0


def simulate(
    eta,
    beta=0.0,
    *,
    Q=None,
    c=None,
    lams=None,
    x0,
    steps: int = 20,
    method: str = "heavy_ball",
    **params,
) -> Trajectory:
    """Run a method from ``x0`` (auxiliary state 0) for ``steps`` steps.

    Parameters
    ----------
    eta, beta : float or 1-D array_like
        Broadcast to one batch of runs.
    Q, c : array_like, optional
        The quadratic's matrix (SPD) and linear term; or give ``lams`` for
        ``Q = diag(lams)``, ``c = 0``.
    x0 : array_like
        The start.
    steps : int
        Number of steps; the trajectory holds ``steps + 1`` iterates.
    """
    if (Q is None) == (lams is None):
        raise ParameterError("give exactly one of 'Q' and 'lams'")
    steps = count(steps, "steps", 0, MAX_STEPS)
    e, b = (real_array(a, n).reshape(-1) for a, n in ((eta, "eta"), (beta, "beta")))
    try:
        e, b = np.broadcast_arrays(e, b)
    except ValueError:
        raise ParameterError(
            f"'eta' and 'beta' must have one entry or the same number: {e.size} and {b.size}"
        ) from None
    if e.size == 0 or not (e > 0).all():
        raise ParameterError(f"'eta' must be > 0 (at least one run): {describe(eta)}")
    if lams is not None:
        hessian, c, x0 = _diagonal(lams, c, x0)
        xstar = -c / hessian

        def gradient(y):
            return y * hessian + c

    else:
        hessian, c, x0 = validate_problem(Q, c, x0)
        xstar = -np.linalg.solve(hessian, c)

        def gradient(y):
            return y @ hessian.T + c

    batch, n = e.size, x0.size
    if (steps + 1) * batch * n > _MAX_ELEMENTS:
        raise ParameterError(
            f"the trajectory would hold {(steps + 1) * batch * n:,} numbers (steps + 1 times "
            f"runs times dimension); at most {_MAX_ELEMENTS:,}"
        )
    m = numeric_method(method)

    state = {s: np.zeros((batch, n)) for s in m.state}
    state[m.position] = np.broadcast_to(x0, (batch, n)).copy()
    extra = m.extra_scalars(params)  # one method for the batch: its parameters are numbers
    ecol, bcol = e[:, None], b[:, None]
    xs = np.empty((steps + 1, batch, n))
    xs[0] = state[m.position]
    # the largest coordinate's distance (a max norm cannot overflow before the values do)
    with np.errstate(over="ignore"):
        start = max(float(np.abs(x0 - xstar).max()), 1.0)
    diverged_at = np.full(batch, -1)
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, steps + 1):
            for target, fn in m.first_updates if k == 1 and m.first_updates else m.updates:
                new = fn(*(state[s] for s in m.state), ecol, bcol, *extra, gradient)
                state[target] = np.broadcast_to(new, (batch, n))
            xs[k] = state[m.position]
            dist = np.abs(xs[k] - xstar).max(axis=-1)
            newly = (diverged_at < 0) & ~(dist <= DIVERGENCE_GROWTH * start)
            diverged_at[newly] = k
    return Trajectory(m.name, e, b, xs, hessian, xstar, diverged_at >= 0, diverged_at)


def simulate_d2l(
    eta: float, beta: float = 0.0, steps: int = 20, method: str = "heavy_ball"
) -> Trajectory:
    """D2L's ``train_2d`` on f = 0.1 x1^2 + 2 x2^2 from (-5, -2)."""
    return simulate(eta, beta, lams=D2L_LAMS, x0=D2L_X0, steps=steps, method=method)


def d2l_line(run: Trajectory, index: int = 0) -> str:
    """D2L's closing line, ``epoch 20, x1: %f, x2: %f``, for one run of a batch."""
    x = run.final[index]
    return f"epoch {run.steps}, " + ", ".join(f"x{i + 1}: {v:f}" for i, v in enumerate(x))
