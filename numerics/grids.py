r"""Rate and stability grids over (eta, beta), (eta*lambda, beta) and (eta, beta, lambda).

Each grid is a small frozen dataclass of axes and arrays with a ``.plot()``
that calls :mod:`numerics.plots.maps`. Reductions over large volumes run in
chunks of bounded size.

Worst case over a spectrum
--------------------------
For heavy ball with fixed (eta, beta), ``rho(lambda) = g(|s(lambda)|)`` with
``s = 1 + beta - eta*lambda`` affine in lambda and
``g(a) = max((a + sqrt(max(a^2 - 4 beta, 0)))/2, sqrt|beta|)``
non-decreasing in ``a >= 0``. ``|s|`` is convex in lambda, so on ``[mu, L]``
it is largest at an endpoint, and so is ``rho``:

.. math:: \max_{\lambda \in [\mu, L]} \rho(\lambda) = \max(\rho(\mu), \rho(L)).

Gradient descent is the case ``beta = 0`` (``g(a) = a``). Nesterov's roots
depend on ``c = 1 - eta*lambda`` (affine in lambda) through
``z^2 - (1 + beta) c z + beta c``, and for beta in [0, 1) the spectral radius is
0 at c = 0 and non-decreasing in |c| on either side (complex regime: sqrt(beta c)
grows with c; real regime: the larger root's modulus grows with |c|), so again
the maximum is at an endpoint. For other methods the maximum is taken over a
dense sample of the spectrum instead.

Examples
--------
>>> import numpy as np
>>> round(float(worst_case_rate(4 / 9, 1 / 9, 1.0, 4.0)), 6)  # tuned for kappa = 4: rate 1/3
0.333333
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from numerics.checks import MAX_POINTS, real_array, real_number
from numerics.methods import numeric_method
from numerics.rates import (
    beta_terms,
    checked_inputs,
    compiled_kernels,
    in_parallel,
    spectral_radius,
)
from numerics.reprs import array_repr
from theory.errors import ParameterError, describe

__all__ = [
    "MAX_GRID_POINTS",
    "MAX_SPECTRUM_WORK",
    "NormalisedGrid",
    "RateGrid",
    "VolumeGrid",
    "VolumeSummary",
    "WorstCaseGrid",
    "axis",
    "best_for_spectrum",
    "normalised_grid",
    "rate_grid",
    "volume_grid",
    "volume_summary",
    "worst_case_grid",
    "worst_case_rate",
]

#: largest grid materialised in memory at once (points); larger volumes stream
MAX_GRID_POINTS = MAX_POINTS
#: points per chunk in streamed reductions (8 MiB of float64)
REDUCE_CHUNK = 1 << 20
#: spectrum samples for methods without a proven endpoint rule
SPECTRUM_SAMPLES = 2049
#: the most rate evaluations a sampled worst case may take (about a minute here)
MAX_SPECTRUM_WORK = 1_000_000_000
_ENDPOINT_METHODS = {"gd", "heavy_ball", "nesterov", "nesterov_sutskever"}


def axis(lo: float, hi: float, n: int, name: str = "axis") -> np.ndarray:
    """An inclusive grid of ``n`` points like ``numpy.linspace``, validated.

    ``n`` is at most :data:`MAX_GRID_POINTS` (a larger axis could not be
    gridded against anything anyway).
    """
    lo_v = real_array(lo, name, finite=False)
    hi_v = real_array(hi, name, finite=False)
    if lo_v.ndim or hi_v.ndim:
        raise ParameterError(
            f"'{name}' bounds must be single numbers: {describe(lo)}:{describe(hi)}"
        )
    if not (np.isfinite(lo_v) and np.isfinite(hi_v)):
        raise ParameterError(f"'{name}' bounds must be finite: {lo}:{hi}")
    if not lo_v < hi_v:
        raise ParameterError(f"'{name}' must have LO < HI: {lo}:{hi}")
    if isinstance(n, bool) or not isinstance(n, numbers.Real):
        raise TypeError(f"'{name}' must have an integer number of points: {describe(n)}")
    if not (np.isfinite(n) and int(n) == n and 2 <= n <= MAX_GRID_POINTS):
        raise ParameterError(
            f"'{name}' must have N in [2, {MAX_GRID_POINTS:,}] points: {describe(n)}"
        )
    return np.linspace(float(lo_v), float(hi_v), int(n))


def _axis_values(values, name: str) -> np.ndarray:
    """A non-empty 1-D axis of finite numbers (a single number is an axis of one)."""
    arr = real_array(values, name)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1 or arr.size == 0:
        raise ParameterError(
            f"'{name}' must be a non-empty 1-D array of numbers: shape {arr.shape}"
        )
    return arr


def _check_size(points: int, what: str) -> None:
    if points > MAX_GRID_POINTS:
        mib = points * 8 / 2**20
        raise ParameterError(
            f"{what} of {points:,} points would need {mib:,.0f} MiB; at most "
            f"{MAX_GRID_POINTS:,} points are held in memory (use volume_summary to stream)"
        )


@dataclass(frozen=True)
class RateGrid:
    """Spectral radius over an (eta, beta) grid at one curvature ``lam``."""

    __repr__ = array_repr  # arrays summarised, not printed in full

    method: str
    lam: float
    eta: np.ndarray
    beta: np.ndarray
    rho: np.ndarray  # shape (len(eta), len(beta))
    #: the method itself and its extra parameters, for plots and follow-up calls
    params: dict = field(default_factory=dict)

    @property
    def stable(self) -> np.ndarray:
        return self.rho < 1

    @property
    def stable_fraction(self) -> float:
        return float(self.stable.mean())

    def best(self) -> tuple[float, float, float]:
        """(eta, beta, rate) of the grid point with the smallest rate."""
        i, j = np.unravel_index(np.argmin(self.rho), self.rho.shape)
        return float(self.eta[i]), float(self.beta[j]), float(self.rho[i, j])

    def plot(self, ax=None, **kwargs):
        from numerics.plots.maps import plot_region

        return plot_region(self, ax=ax, **kwargs)


def rate_grid(eta, beta, lam: float = 1.0, method: str = "heavy_ball", **params) -> RateGrid:
    """Evaluate the rate on the outer product of ``eta`` and ``beta`` axes."""
    params = _single(method, params)
    e, b, lam = _axis_values(eta, "eta"), _axis_values(beta, "beta"), real_number(lam, "lam")
    _check_size(e.size * b.size, "the (eta, beta) grid")
    rho = spectral_radius(e[:, None], b[None, :], lam, method, **params)
    return RateGrid(numeric_method(method).name, lam, e, b, rho, params=_spec(method, params))


@dataclass(frozen=True)
class NormalisedGrid:
    """Spectral radius over the normalised plane (eta*lambda, beta); lambda = 1."""

    __repr__ = array_repr  # arrays summarised, not printed in full

    method: str
    eta_lam: np.ndarray
    beta: np.ndarray
    rho: np.ndarray
    #: the method itself and its extra parameters, for plots and follow-up calls
    params: dict = field(default_factory=dict)

    def plot(self, ax=None, **kwargs):
        from numerics.plots.maps import plot_rate_map

        return plot_rate_map(self, ax=ax, **kwargs)


def normalised_grid(eta_lam, beta, method: str = "heavy_ball", **params) -> NormalisedGrid:
    """The rate depends on eta and lambda only through eta*lambda: one plane for all."""
    grid = rate_grid(eta_lam, beta, 1.0, method, **params)
    return NormalisedGrid(grid.method, grid.eta, grid.beta, grid.rho, params=grid.params)


@dataclass(frozen=True)
class VolumeGrid:
    """Spectral radius over an (eta, beta, lambda) volume."""

    __repr__ = array_repr  # arrays summarised, not printed in full

    method: str
    eta: np.ndarray
    beta: np.ndarray
    lam: np.ndarray
    rho: np.ndarray  # shape (len(eta), len(beta), len(lam))
    #: the method itself and its extra parameters, for plots and follow-up calls
    params: dict = field(default_factory=dict)

    def plot(self, ax=None, **kwargs):
        from numerics.plots.maps import plot_volume

        return plot_volume(self, ax=ax, **kwargs)


def volume_grid(eta, beta, lam, method: str = "heavy_ball", **params) -> VolumeGrid:
    """Evaluate the rate on the outer product of three axes (bounded size)."""
    params = _single(method, params)
    e, b, lm = (_axis_values(a, n) for a, n in ((eta, "eta"), (beta, "beta"), (lam, "lam")))
    _check_size(e.size * b.size * lm.size, "the (eta, beta, lambda) volume")
    rho = spectral_radius(e[:, None, None], b[None, :, None], lm[None, None, :], method, **params)
    return VolumeGrid(numeric_method(method).name, e, b, lm, rho, params=_spec(method, params))


def worst_case_rate(eta, beta, mu: float, L: float, method: str = "heavy_ball", **params):
    """max over lambda in [mu, L] of the rate; exact (endpoints) for gd and heavy ball.

    Other methods sample the spectrum at ``SPECTRUM_SAMPLES`` points, in
    blocks of about ``REDUCE_CHUNK`` evaluations; at most
    ``MAX_SPECTRUM_WORK`` evaluations in all.
    """
    params = _single(method, params)
    mu, L = _check_spectrum(mu, L)
    name = numeric_method(method).name
    if name in _ENDPOINT_METHODS and not params:
        return np.maximum(
            spectral_radius(eta, beta, mu, method), spectral_radius(eta, beta, L, method)
        )
    return _sampled_worst_case(eta, beta, mu, L, method, SPECTRUM_SAMPLES, **params)


def _sampled_worst_case(eta, beta, mu, L, method, samples: int, **params):
    """max of the rate over ``samples`` evenly spaced curvatures of [mu, L]."""
    e, b = real_array(eta, "eta"), real_array(beta, "beta")
    shape = np.broadcast_shapes(e.shape, b.shape)
    size = int(np.prod(shape, dtype=np.int64))
    _check_work(size, numeric_method(method).name)
    lams = np.linspace(mu, L, samples)
    # flat copies: at most MAX_SPECTRUM_WORK / SPECTRUM_SAMPLES points, a few MiB
    e, b = (np.broadcast_to(a, shape).reshape(-1) for a in (e, b))
    out = np.empty(size)
    block = max(1, REDUCE_CHUNK // samples)
    for i in range(0, size, block):
        rho = spectral_radius(
            e[i : i + block, None], b[i : i + block, None], lams, method, **params
        )
        out[i : i + block] = rho.max(axis=-1)
    return out.reshape(shape)[()]


def _single(method, params: dict) -> dict:
    """The method's further parameters, each one number: a grid is over eta and beta alone."""
    m = numeric_method(method)
    return dict(zip(m.extra, m.extra_scalars(params), strict=True))


def _spec(method, params: dict) -> dict:
    """The method object and extra parameters, kept with a grid: ``{"method": ..., **params}``."""
    return {"method": numeric_method(method), **params}


def _check_work(points: int, name: str) -> None:
    if points * SPECTRUM_SAMPLES > MAX_SPECTRUM_WORK:
        raise ParameterError(
            f"the worst case of {points:,} (eta, beta) points over {SPECTRUM_SAMPLES} curvatures "
            f"each is too much work: at most {MAX_SPECTRUM_WORK // SPECTRUM_SAMPLES:,} points "
            f"for method {name}"
        )


def _check_spectrum(mu: float, L: float) -> tuple[float, float]:
    mu_v, L_v = real_number(mu, "mu"), real_number(L, "L")
    if not 0 < mu_v <= L_v:
        raise ParameterError(
            f"the spectrum must satisfy 0 < mu <= L: mu={describe(mu)}, L={describe(L)}"
        )
    return mu_v, L_v


@dataclass(frozen=True)
class WorstCaseGrid:
    """Worst-case rate over a spectrum [mu, L] on an (eta, beta) grid."""

    __repr__ = array_repr  # arrays summarised, not printed in full

    method: str
    mu: float
    L: float
    eta: np.ndarray
    beta: np.ndarray
    rho: np.ndarray
    #: the method itself and its extra parameters, for plots and follow-up calls
    params: dict = field(default_factory=dict)

    @property
    def exact_at_ends(self) -> bool:
        """Whether ``rho`` is the larger rate at mu and L (exact), not a sampled maximum."""
        return self.method in _ENDPOINT_METHODS and set(self.params) <= {"method"}

    def best(self) -> tuple[float, float, float]:
        """(eta, beta, worst-case rate) of the best grid point."""
        i, j = np.unravel_index(np.argmin(self.rho), self.rho.shape)
        return float(self.eta[i]), float(self.beta[j]), float(self.rho[i, j])

    def plot(self, ax=None, **kwargs):
        from numerics.plots.maps import plot_worst_case

        return plot_worst_case(self, ax=ax, **kwargs)


def worst_case_grid(eta, beta, mu: float, L: float, method="heavy_ball", **params) -> WorstCaseGrid:
    """The worst-case rate over [mu, L] at every (eta, beta) of a grid."""
    params = _single(method, params)
    e, b = _axis_values(eta, "eta"), _axis_values(beta, "beta")
    mu, L = _check_spectrum(mu, L)
    _check_size(e.size * b.size, "the (eta, beta) grid")
    rho = worst_case_rate(e[:, None], b[None, :], mu, L, method, **params)
    return WorstCaseGrid(
        numeric_method(method).name, mu, L, e, b, rho, params=_spec(method, params)
    )


def best_for_spectrum(eta, beta, mu: float, L: float, method="heavy_ball", **params):
    """(eta, beta, rate) on the grid with the smallest worst-case rate, in chunks.

    Rows of the grid are reduced a block at a time (about ``REDUCE_CHUNK``
    points, or that many curvature evaluations for sampled methods), so
    memory stays bounded whatever the grid's size.
    """
    params = _single(method, params)
    e, b = _axis_values(eta, "eta"), _axis_values(beta, "beta")
    mu, L = _check_spectrum(mu, L)
    name = numeric_method(method).name
    per_point = 1 if name in _ENDPOINT_METHODS and not params else SPECTRUM_SAMPLES
    if per_point > 1:
        _check_work(e.size * b.size, name)
    best = (np.nan, np.nan, np.inf)
    rows = max(1, REDUCE_CHUNK // (b.size * per_point))
    for i in range(0, e.size, rows):
        rho = worst_case_rate(e[i : i + rows, None], b[None, :], mu, L, method, **params)
        k, j = np.unravel_index(np.argmin(rho), rho.shape)
        if rho[k, j] < best[2]:
            best = (float(e[i + k]), float(b[j]), float(rho[k, j]))
    return best


@dataclass(frozen=True)
class VolumeSummary:
    """Reductions of the rate over an (eta, beta, lambda) volume, computed in chunks."""

    __repr__ = array_repr  # arrays summarised, not printed in full

    method: str
    points: int
    stable_fraction: float
    worst_over_lam: np.ndarray  # (len(eta), len(beta)): max over the lambda axis
    best: tuple[float, float, float]  # (eta, beta, worst-case rate over the lambda axis)


def volume_summary(eta, beta, lam, method: str = "heavy_ball", **params) -> VolumeSummary:
    """Stable fraction, worst rate over lambda, and the best (eta, beta), in bounded memory.

    The volume is never materialised: blocks of about ``REDUCE_CHUNK`` points
    (8 MiB) are evaluated and reduced, one block per thread at a time.
    """
    params = _single(method, params)
    e, b, lm = (_axis_values(a, n) for a, n in ((eta, "eta"), (beta, "beta"), (lam, "lam")))
    _check_size(e.size * b.size, "the (eta, beta) face")
    worst = np.empty((e.size, b.size))
    kernels = compiled_kernels(e.size * b.size * lm.size)
    if kernels is not None and numeric_method(method).name == "heavy_ball" and not params:
        # one fused pass, no buffers: rho, the stable count and the max over lambda together
        _, e, b, lm = checked_inputs(e.ravel(), b.ravel(), lm.ravel(), method)
        terms = beta_terms(b)

        def fused(part: list) -> int:
            rows = slice(part[0], part[-1] + 1)
            return kernels.hb_volume(e[rows], lm, *terms, worst[rows])

        stable = sum(in_parallel(fused, list(range(e.size))))
        return _summary(method, e, b, lm, worst, stable)
    plane = b.size * lm.size
    if plane <= REDUCE_CHUNK:
        blocks = [
            (slice(i, i + max(1, REDUCE_CHUNK // plane)), slice(None))
            for i in range(0, e.size, max(1, REDUCE_CHUNK // plane))
        ]
    else:
        cols = max(1, REDUCE_CHUNK // lm.size)
        blocks = [
            (slice(i, i + 1), slice(j, j + cols))
            for i in range(e.size)
            for j in range(0, b.size, cols)
        ]

    def reduce(part: list) -> int:
        buf = np.empty(REDUCE_CHUNK + plane)
        count = 0
        for rows, cols in part:
            eb, bb = e[rows], b[cols]
            shape = (eb.size, bb.size, lm.size)
            out = buf[: np.prod(shape)].reshape(shape)
            spectral_radius(
                eb[:, None, None], bb[None, :, None], lm[None, None, :], method, out=out, **params
            )
            count += int(np.count_nonzero(out < 1))
            out.max(
                axis=2, out=worst[rows, cols]
            )  # blocks are disjoint: no two threads share a cell
        return count

    stable = sum(in_parallel(reduce, blocks))
    return _summary(method, e, b, lm, worst, stable)


def _summary(method, e, b, lm, worst, stable) -> VolumeSummary:
    i, j = np.unravel_index(np.argmin(worst), worst.shape)
    return VolumeSummary(
        numeric_method(method).name,
        e.size * b.size * lm.size,
        stable / (e.size * b.size * lm.size),
        worst,
        (float(e[i]), float(b[j]), float(worst[i, j])),
    )
