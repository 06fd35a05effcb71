"""The tight envelope of a one-curvature run: |x_t - x*| <= C rho^t, with C from its start.

Along one curvature a linear method's state matrix R has eigenvalues z_k
(:func:`numerics.eigenvalues`), and the error of the iterate is a sum of
their powers, ``e_t = sum_k a_k z_k^t``: the amplitudes ``a_k`` are the
coordinates of the starting state in R's eigenvectors, read off the first
iterates (a Vandermonde system). Then ``|e_t| <= C rho^t`` with
``C = sum_k |a_k|`` and rho the spectral radius, for every step. For a
complex pair the bound is reached whenever the phase lines up, so the run
touches it; a textbook's ``(t + 1) rho^t`` is the bound for the worst start
and is loose by up to the number of steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numerics.checks import real_number
from numerics.methods import numeric_method
from numerics.rates import eigenvalues
from numerics.reprs import array_repr
from theory.errors import ParameterError

__all__ = ["Envelope", "envelope"]

#: roots closer than this (relative to the spectral radius) count as one double root
DOUBLE_ROOT = 1e-7


@dataclass(frozen=True)
class Envelope:
    """``|x_t - x*| <= (constant + slope (t - start)) rho^(t - start)`` for every ``t >= start``.

    ``slope`` is 0 unless R has a double eigenvalue (critical damping), where
    the error is ``(a + b t) z^t``. ``start`` is 1 for methods whose first step
    differs from the rest (PyTorch's first momentum step), else 0.
    """

    __repr__ = array_repr  # arrays summarised, not printed in full

    rho: float
    constant: float
    slope: float
    start: int
    #: the eigenvalues of R and the error's amplitude along each
    roots: np.ndarray
    amplitudes: np.ndarray

    def bound(self, t) -> np.ndarray:
        """The envelope at steps ``t`` (NaN before ``start``)."""
        t = np.asarray(t, float)
        k = t - self.start
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            value = (self.constant + self.slope * k) * self.rho**k
        return np.where(k >= 0, value, np.nan)


def envelope(run, lam: float, index: int = 0, **params) -> Envelope:
    """The tight envelope of run ``index`` of a one-coordinate :class:`numerics.Trajectory`.

    ``lam`` is the run's curvature; ``params`` are the method's extra
    parameters (e.g. ``nu`` for QHM), which a trajectory does not record.

    Examples
    --------
    >>> import numerics
    >>> run = numerics.simulate(0.5, 0.5, lams=[1.5], x0=[1.0], steps=60)
    >>> env = envelope(run, 1.5)
    >>> round(env.rho, 4), round(env.constant, 4)
    (0.7071, 1.0215)
    """
    if run.x.shape[2] != 1:
        raise ParameterError(
            f"the envelope is for a run along one curvature (one coordinate): "
            f"this run has {run.x.shape[2]}"
        )
    m = numeric_method(run.method)
    params = dict(zip(m.extra, m.extra_scalars(params), strict=True))  # one run: single numbers
    eta, beta = float(run.eta[index]), float(run.beta[index])
    lam = real_number(lam, "lam")  # complex, a list, 10**400: the toolkit's error, not float()'s
    z = eigenvalues(eta, beta, lam, run.method, **params).reshape(-1)
    rho = float(np.abs(z).max())
    start = 1 if m.first_updates else 0
    n = z.size
    e = run.x[start : start + n, index, 0] - run.minimizer[0]
    if e.size < n:
        raise ParameterError(
            f"the envelope needs {start + n} steps of the run to read its start: it has {run.steps}"
        )
    if n == 2 and abs(z[0] - z[1]) <= DOUBLE_ROOT * max(rho, np.finfo(float).tiny):
        root = z.mean()
        a = complex(e[0])
        b = e[1] / root - a if root != 0 else 0.0  # e_t = (a + b t) z^t
        amplitudes = np.array([a, b])
        return Envelope(rho, abs(a), abs(b), start, z, amplitudes)
    vandermonde = z[None, :] ** np.arange(n)[:, None]
    amplitudes = np.linalg.solve(vandermonde, e.astype(np.complex128))
    return Envelope(rho, float(np.abs(amplitudes).sum()), 0.0, start, z, amplitudes)
