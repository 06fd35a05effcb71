r"""Spectral radius, eigenvalues, regimes and stability over arrays of (eta, beta, lambda).

Every function broadcasts over arrays of any shape and uses the closed form
of the roots of the characteristic polynomial, never an eigen-solver per
point. For a two-state method with ``R`` of trace ``T`` and determinant
``D`` the spectral radius is

.. math:: \rho = \max\left(\tfrac{1}{2}\left(|T| + \sqrt{\max(T^2 - 4D, 0)}\right),
          \sqrt{|D|}\right),

one formula for every regime: with complex roots ``|T|/2 < sqrt(D)`` and
both roots have modulus ``sqrt(D)``; with real roots the larger modulus is
``(|T| + sqrt(T^2 - 4D))/2``, which is at least ``sqrt(|D|)`` because the
product of the moduli is ``|D|``.

Examples
--------
>>> float(spectral_radius(0.5, 0.25, 1.0))
0.5
>>> float(spectral_radius(0.4, 0.0, 4.0, method="gd"))
0.6000000000000001
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import numerics.exact as exact
from numerics.checks import points, real_array
from numerics.methods import NumericMethod, numeric_method
from theory.errors import ParameterError

__all__ = [
    "REGIMES",
    "eigenvalues",
    "max_stable_eta",
    "max_stable_lam",
    "regime",
    "spectral_radius",
    "stable",
]

#: Goh's five regimes, in the order of the codes :func:`regime` can return
REGIMES = ("ripples", "monotone", "oscillating", "critical", "divergent")
#: relative size of the discriminant under which a double root is declared
CRITICAL_RTOL = 1e-9
#: elements per chunk: small enough that a chunk's temporaries stay in cache
CHUNK = 8192
#: arrays smaller than this are computed in one piece, without threads
_SMALL = 1 << 16
_THREADS = max(1, min(2, os.cpu_count() or 1))
_POOL: ThreadPoolExecutor | None = None
_LOCAL = threading.local()  # .serial: this thread is a pool worker, so do not use the pool
#: one heavy-ball evaluation this large loads the numba kernels (where numba is installed):
#: the NumPy kernels take about a second here, as long as importing numba and loading its
#: cached code; smaller ones use them only once loaded (see :func:`load_compiled`)
COMPILED_AUTO_POINTS: float = 1 << 26
_COMPILED = None  # the numerics.compiled module once imported; False without numba


def _as_float_array(value, name: str) -> np.ndarray:
    return real_array(value, name)


#: beyond this size of |T|/2 or sqrt|D| the closed form squares out of float range
_SQUARE_SAFE = 1e150


def _magnitude(e, b, lm) -> float:
    """A bound on |T|/2 and sqrt|D| for gd and heavy ball: 1 + |beta| + eta*lam."""
    if not (e.size and b.size and lm.size):
        return 0.0
    return 1.0 + float(np.abs(b).max()) + float(e.max()) * float(lm.max())


def _refuse_overflow(arrays, e, lm) -> None:
    """The state matrix's entries overflowed a float: say so, naming eta and lam."""
    if all(np.isfinite(a).all() for a in arrays):
        return
    with np.errstate(divide="ignore"):
        order = float(np.log10(e.max()) + np.log10(lm.max()))
    raise ParameterError(
        f"'eta' * 'lam' is too large: the state matrix overflows a float (eta*lam up to 1e{order:.0f})"
    )


def checked_inputs(
    eta, beta, lam, method
) -> tuple[NumericMethod, np.ndarray, np.ndarray, np.ndarray]:
    """The method and the three inputs as float arrays, checked: finite, eta > 0, lam > 0."""
    m = numeric_method(method)
    e = _as_float_array(eta, "eta")
    b = _as_float_array(beta, "beta")
    lm = _as_float_array(lam, "lam")
    if (e <= 0).any():
        raise ParameterError(f"'eta' must be > 0: min {e.min():g}")
    if (lm <= 0).any():
        raise ParameterError(f"'lam' must be > 0: min {lm.min():g}")
    return m, e, b, lm


def _shape(e, b, lm, m: NumericMethod | None = None, params=None) -> tuple[int, ...]:
    """The broadcast shape of the inputs (the method's further parameters too), checked.

    A ParameterError names them when they do not broadcast together, or when the
    result would pass :data:`numerics.checks.MAX_POINTS` (refused before it is allocated).
    """
    arrays = {"eta": e, "beta": b, "lam": lm}
    if m is not None:
        arrays |= dict(zip(m.extra, m.extra_values(params or {}), strict=True))
    names = ", ".join(f"'{n}'" for n in arrays)
    try:
        shape = np.broadcast_shapes(*(np.shape(a) for a in arrays.values()))
    except ValueError:
        shapes = ", ".join(str(np.shape(a)) for a in arrays.values())
        raise ParameterError(f"{names} must broadcast together: shapes {shapes}") from None
    points(shape, f"the broadcast of {names}")
    return shape


def _blocks(shape: tuple[int, ...], target: int = CHUNK):
    """Index tuples covering ``shape`` in blocks of about ``target`` elements."""
    if not shape:
        yield ()
        return
    inner = int(np.prod(shape[1:], dtype=np.int64))
    if inner <= target:
        step = max(1, target // max(inner, 1))
        for i in range(0, shape[0], step):
            yield (slice(i, min(i + step, shape[0])),)
    else:
        for i in range(shape[0]):
            for sub in _blocks(shape[1:], target):
                yield (i, *sub)


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=_THREADS, thread_name_prefix="rho")
    return _POOL


def _map_blocks(kernel, arrays: list[np.ndarray], out: np.ndarray) -> np.ndarray:
    """Run ``kernel(block_inputs, block_out, scratch)`` over cache-sized blocks.

    Inputs are broadcast views (no copies); each thread owns its scratch
    buffers, and NumPy releases the GIL inside the ufunc loops, so blocks run
    in parallel.
    """
    shape = out.shape
    views = [np.broadcast_to(a, shape) for a in arrays]
    if out.size <= _SMALL:
        with np.errstate(invalid="ignore", over="ignore"):
            kernel(views, out, [np.empty(shape), np.empty(shape)])
        return out
    blocks = list(_blocks(shape))

    def run(part: list) -> None:
        scratch = [np.empty(CHUNK * 2), np.empty(CHUNK * 2)]
        with np.errstate(invalid="ignore", over="ignore"):
            for idx in part:
                o = out[idx]
                bufs = [s[: o.size].reshape(o.shape) for s in scratch]
                kernel([v[idx] for v in views], o, bufs)

    if getattr(_LOCAL, "serial", False):
        run(blocks)
    else:
        in_parallel(run, blocks)
    return out


def in_parallel(fn, items: list) -> list:
    """``fn`` on contiguous shares of ``items``, one share per thread; returns each share's result.

    Inside ``fn`` the rate kernels run single-threaded (no nested use of the pool).
    """
    if _THREADS == 1:
        return [_serially(fn, items)]
    step = -(-len(items) // _THREADS)
    parts = [items[i : i + step] for i in range(0, len(items), step)]
    return list(_pool().map(lambda part: _serially(fn, part), parts))


def _serially(fn, part):
    _LOCAL.serial = True
    try:
        return fn(part)
    finally:
        _LOCAL.serial = False


def _rho_kernel(inputs, out, bufs) -> None:
    """rho from (minus half the trace, det, sqrt|det|); seven in-place ufuncs."""
    neg_half_trace, det, root_abs_det = inputs
    t, d = bufs
    np.abs(neg_half_trace, out=t)
    np.multiply(t, t, out=d)
    np.subtract(d, det, out=d)
    np.sqrt(d, out=d)  # NaN where the roots are complex: fmax then picks sqrt|det|
    np.add(d, t, out=d)
    np.fmax(d, root_abs_det, out=out)


def _hb_kernel(inputs, out, bufs) -> None:
    """Heavy ball with the discriminant factored (see :mod:`numerics.compiled`), per block.

    With hh = eta*lam/2 and c = (1 + beta)/2 the quarter discriminant is
    (hh - lo)(hh - up) + extra: lo, up = (1 -+ sqrt(beta))^2/2 (each a double
    and its rounding error, subtracted in turn) and extra = 0 for beta >= 0;
    lo = up = c and extra = -beta for beta < 0.
    """
    hh, lo, lo_err, up, up_err, extra, c, root_abs_beta = inputs
    t, d = bufs
    np.subtract(hh, lo, out=t)
    np.subtract(t, lo_err, out=t)
    np.subtract(hh, up, out=d)
    np.subtract(d, up_err, out=d)
    np.multiply(d, t, out=d)
    np.add(d, extra, out=d)
    np.sqrt(d, out=d)  # NaN where the roots are complex: fmax then picks sqrt|beta|
    np.subtract(hh, c, out=t)
    np.abs(t, out=t)
    np.add(d, t, out=d)
    np.fmax(d, root_abs_beta, out=out)


def beta_terms(b: np.ndarray) -> list[np.ndarray]:
    """Heavy ball's terms of beta: lo, its error, up, its error, extra, c, sqrt|beta|.

    The critical points ``(1 -+ sqrt(beta))^2/2`` are computed in long double
    (where the platform's is wider) and kept as a double plus the double
    nearest its rounding error: ``hh - lo`` is then accurate even where it is
    tiny (near critical damping, and at the stability edge, where the
    discriminant is small beside ``hh``). sqrt|beta|, the complex pair's modulus, is the double square root,
    rounded once: the long double one rounded again to a double can land on
    1.0 for beta = nextafter(1, 0), whose rate is below 1.
    """
    wide = np.asarray(b, np.longdouble)
    root = np.sqrt(np.abs(wide))
    c = 0.5 * (1.0 + b)
    real = b >= 0
    terms = []
    for point in (0.5 * (1 - root) ** 2, 0.5 * (1 + root) ** 2):
        high = point.astype(float)
        terms += [np.where(real, high, c), np.where(real, (point - high).astype(float), 0.0)]
    return [*terms, np.where(real, 0.0, -b), c, np.sqrt(np.abs(b))]


def _compact(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``x`` as a C-contiguous (1 or rows, 1 or m) array for an output viewed as (rows, m)."""
    x = x.reshape((1,) * (len(shape) - x.ndim) + x.shape)
    inner = x.shape[-1]
    if all(n == 1 for n in x.shape[:-1]):
        return np.ascontiguousarray(x.reshape(1, inner))
    return np.ascontiguousarray(np.broadcast_to(x, (*shape[:-1], inner))).reshape(-1, inner)


def load_compiled() -> bool:
    """Load the numba kernels now (import, and compile or load cached code); False without numba.

    Once loaded, heavy-ball evaluations of more than ``2**16`` points use them.
    Call it first in a session that evaluates many large grids: the one-time
    cost (about 1-2 s, more on the very first compile) then buys about 3x.
    """
    return compiled_kernels(load=True) is not None


def compiled_kernels(points: float = 0, load: bool = False):
    """The loaded numba kernels, loading them for ``points >= COMPILED_AUTO_POINTS``; else None."""
    global _COMPILED
    if _COMPILED is None and (load or points >= COMPILED_AUTO_POINTS):
        try:
            import numerics.compiled as compiled

            compiled.hb_rows(*(np.ones((1, 1)) for _ in range(9)), np.empty((1, 1)))
            compiled.hb_volume(*(np.ones(1) for _ in range(9)), np.empty((1, 1)))
        except ImportError:
            compiled = False
        _COMPILED = compiled
    return _COMPILED or None


def _hb_compiled(e, b, lm, out) -> bool:
    """Heavy ball by the compiled kernel when it is loaded (or worth loading); False if not run."""
    if out.size <= _SMALL or not out.flags.c_contiguous:
        return False
    kernels = compiled_kernels(out.size)
    if kernels is None:
        return False
    shape = out.shape
    inputs = [e, lm, *beta_terms(b)]
    kernels.hb_rows(*(_compact(x, shape) for x in inputs), out.reshape(-1, shape[-1]))
    return True


def _gd_kernel(inputs, out, bufs) -> None:
    eta_lam, _ = inputs
    np.subtract(eta_lam, 1.0, out=out)
    np.abs(out, out=out)


def spectral_radius(
    eta, beta=0.0, lam=1.0, method="heavy_ball", *, out: np.ndarray | None = None, **params
) -> np.ndarray:
    """Spectral radius of the method's state matrix on f(x) = lam/2 x^2.

    Parameters
    ----------
    eta, beta, lam : array_like
        Step size (> 0), momentum, curvature (> 0); broadcast together.
    method : str
        ``"heavy_ball"`` (default), ``"gd"``, or another method's name.
    out : numpy.ndarray, optional
        A float64 array of the broadcast shape to write into (saves the
        allocation when a grid is evaluated repeatedly).
    **params
        Further parameters of the method (e.g. ``nu`` for QHM).

    Returns
    -------
    numpy.ndarray of float64
        The rate: after t steps the error shrinks like rho^t. Never NaN for
        finite input.
    """
    m, e, b, lm = checked_inputs(eta, beta, lam, method)
    shape = _shape(e, b, lm, m, params)
    if out is None:
        out = np.empty(shape)
    elif out.shape != shape or out.dtype != np.float64:
        raise ParameterError(
            f"'out' must be a float64 array of shape {shape}: {out.dtype} {out.shape}"
        )
    if m.name in ("gd", "heavy_ball") and _magnitude(e, b, lm) > _SQUARE_SAFE:
        # rare, absurd sizes: the scaled eigenvalues, which cannot overflow before the entries do
        out[...] = np.abs(eigenvalues(e, b, lm, m, **params)).max(axis=-1)
        return out[()]
    if m.name == "gd":
        return _map_blocks(_gd_kernel, [np.multiply(e, lm), b], out)[()]
    if m.name == "heavy_ball" and not params:
        if _hb_compiled(e, b, lm, out):
            return out[()]
        return _map_blocks(_hb_kernel, [0.5 * e * lm, *beta_terms(b)], out)[()]
    if m.states == 1:
        trace, _ = m.trace_det(e, b, lm, **params)
        out[...] = np.abs(trace)
        return out[()]
    if m.states > 2:
        out[...] = np.abs(_companion_roots(m, e, b, lm, params)).max(axis=-1)
    else:
        trace, det = m.trace_det(e, b, lm, **params)
        _refuse_overflow((trace, det), e, lm)
        half, root = float(np.abs(trace).max(initial=0)) / 2, float(np.abs(det).max(initial=0))
        if max(half, root**0.5) > _SQUARE_SAFE:
            out[...] = np.abs(eigenvalues(e, b, lm, m, **params)).max(axis=-1)
        else:
            _map_blocks(_rho_kernel, [-0.5 * trace, det, np.sqrt(np.abs(det))], out)
    # the rate is x's: where no other state moves x (QHM at nu = 0) it is |R[x, x]|, the
    # other modes unseen in x (heavy ball's coupling -eta beta vanishes only where its other
    # mode is 0, so its fast kernels above need no such step)
    alone, own = m.alone(e, b, lm, **params)
    if alone.any():
        np.copyto(out, np.abs(own), where=alone)
    return out[()]


def _companion_roots(m: NumericMethod, e, b, lm, params) -> np.ndarray:
    """Roots of det(z I - R) for methods of three or more states: batched companion eigenvalues."""
    with np.errstate(over="ignore", invalid="ignore"):
        coeffs = m.coefficients(e, b, lm, **params)
    _refuse_overflow(coeffs, e, lm)
    lead = coeffs[0]
    shape = lead.shape
    k = len(coeffs) - 1
    comp = np.zeros((*shape, k, k))
    for i, c in enumerate(coeffs[1:]):
        comp[..., 0, i] = -c / lead
    comp[..., np.arange(1, k), np.arange(k - 1)] = 1.0
    return np.linalg.eigvals(comp)


def eigenvalues(eta, beta=0.0, lam=1.0, method="heavy_ball", **params) -> np.ndarray:
    """The eigenvalues of R, shape ``broadcast + (states,)``, largest modulus first."""
    m, e, b, lm = checked_inputs(eta, beta, lam, method)
    _shape(e, b, lm, m, params)
    if m.states == 1:
        trace, _ = m.trace_det(e, b, lm, **params)
        _refuse_overflow((trace,), e, lm)
        return (trace + 0.0 * e * b * lm)[..., None].astype(np.complex128)
    if m.states > 2:
        roots = _companion_roots(m, e, b, lm, params)
        return np.take_along_axis(roots, np.argsort(-np.abs(roots), axis=-1), axis=-1)
    trace, det = m.trace_det(e, b, lm, **params)
    _refuse_overflow((trace, det), e, lm)
    trace, det = np.broadcast_arrays(trace, det)
    # scaled by s = max(|T|/2, sqrt|D|): the squares cannot overflow whatever the entries' size
    scale = np.maximum(np.abs(0.5 * trace), np.sqrt(np.abs(det)))
    scale = np.where(scale > 0, scale, 1.0)
    half = 0.5 * trace / scale
    with np.errstate(under="ignore"):
        det_s = det / scale / scale
    disc = half * half - det_s
    root = np.sqrt(disc.astype(np.complex128))
    # q is the root of larger modulus; the other is det/q (no cancellation)
    sign = np.where(half >= 0, 1.0, -1.0)
    q = half + sign * root
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        other = np.where(q != 0, det_s / np.where(q != 0, q, 1.0), 0.0)
    complex_pair = disc < 0
    other = np.where(complex_pair, np.conj(q), other)
    return np.stack([q * scale, other * scale], axis=-1)


def stable(eta, beta=0.0, lam=1.0, method="heavy_ball", **params) -> np.ndarray:
    """Boolean mask: the iteration converges (spectral radius < 1)."""
    return spectral_radius(eta, beta, lam, method, **params) < 1.0


def regime(eta, beta=0.0, lam=1.0, method="heavy_ball", **params) -> np.ndarray:
    """Goh's regime of each point, as strings from :data:`REGIMES`.

    ``ripples``: complex roots (modulus sqrt(beta)); ``monotone``: real roots,
    the dominant one positive; ``oscillating``: real, the dominant one
    negative; ``critical``: a double root; ``divergent``: rho >= 1.
    """
    m, e, b, lm = checked_inputs(eta, beta, lam, method)
    rho = spectral_radius(e, b, lm, m, **params)
    if m.states != 2:
        top = eigenvalues(e, b, lm, m, **params)[..., 0]
        real = np.abs(top.imag) <= CRITICAL_RTOL * np.maximum(np.abs(top), 1e-300)
        codes = np.select([rho >= 1, top == 0, ~real, top.real > 0], [4, 3, 0, 1], default=2)
    else:
        trace, det = m.trace_det(e, b, lm, **params)
        trace, det = np.broadcast_arrays(trace, det)
        with np.errstate(over="ignore", invalid="ignore"):
            disc = 0.25 * trace * trace - det
            scale = np.maximum(0.25 * trace * trace, np.abs(det))
        critical = np.abs(disc) <= CRITICAL_RTOL * np.where(scale > 0, scale, 1.0)
        codes = np.select(
            [rho >= 1, critical, disc < 0, trace > 0],
            [4, 3, 0, 1],
            default=2,
        )
    alone, own = m.alone(e, b, lm, **params)
    if alone.any():  # x obeys x' = R[x, x] x by itself: the regime of that one-state recursion
        codes = np.where(
            alone, np.select([rho >= 1, own == 0, own > 0], [4, 3, 1], default=2), codes
        )
    return np.asarray(REGIMES)[codes]


def max_stable_lam(eta, beta=0.0, method="heavy_ball", **params) -> np.ndarray:
    """The largest curvature the iteration survives: 2(1 + beta)/eta for heavy ball.

    NaN where no curvature is stable (|beta| >= 1).
    """
    m, e, b, _ = checked_inputs(eta, beta, 1.0, method)
    _shape(e, b, np.empty(()), m, params)
    # the stable curvatures form an interval (0, lam_max): the smallest positive boundary;
    # no condition changes inside it, so one point decides whether it is stable: its middle,
    # where rho keeps away from 1 (next to the edge it is 1 to a float's precision for beta
    # next to -1, whose edge 2(1 + beta)/eta is tiny)
    cands = m.lam_bounds(e, b, **params)
    stack = np.stack([np.where(np.isfinite(c) & (c > 0), c, np.inf) for c in cands])
    value = stack.min(axis=0)
    ok = np.isfinite(value)
    probe = np.where(ok, value, 1.0)
    ok &= _stable_at(m, e, b, probe * 0.5, params)
    return np.where(ok, value, np.nan)[()]


#: how far from 1 a closed-form rho may be when the truth is 1: the square root of a few
#: ulps, at a double root
_ROOT_PRECISION = float(np.sqrt(4 * exact.MARGINAL_ULPS * 2.0**-52))


def _stable_at(m: NumericMethod, e, b, lm, params: dict) -> np.ndarray:
    """rho < 1 at each point; where rho is 1 to its closed form's precision, decided exactly.

    That precision is a float's, but the square root of it at a double root (the
    trace's rounding moves a double root by its square root: dampening 1 with beta
    next to 1 has the roots 1 and beta, and rho came out 1 - 1e-15). Jury's
    conditions on the rationals of the inputs (:mod:`numerics.exact`) decide those:
    a few points at most, one at a time.
    """
    rho = np.asarray(spectral_radius(e, b, lm, m, **params))
    out = np.array(rho < 1)
    unsure = np.flatnonzero(np.abs(rho - 1.0) <= _ROOT_PRECISION)
    if unsure.size:
        inputs = [np.broadcast_to(x, rho.shape) for x in (e, b, lm, *m.extra_values(params))]
        for i in unsure:
            e_i, b_i, lm_i, *rest = (x.flat[i] for x in inputs)
            coeffs = exact.coefficients(m, e_i, b_i, lm_i, rest)
            out.flat[i] = exact.schur_stable(coeffs)
    return out


def max_stable_eta(beta, lam, method="heavy_ball", **params) -> np.ndarray:
    """The largest stable step size for each (beta, lam): 2(1 + beta)/lam for heavy ball.

    In closed form: at curvature lam the region's conditions change only at the
    step sizes ``eta_bounds`` (the derived boundaries in lambda solved for eta,
    generated from the theory), so the stable steps are (0, smallest positive
    one), checked just inside it. A method whose boundaries cannot be solved
    for eta is bisected on its largest stable curvature, over the whole float
    range of eta. NaN where no step size is stable; inf where every step a
    float holds is (the edge lies beyond the largest float).
    """
    m = numeric_method(method)
    b = _as_float_array(beta, "beta")
    lm = _as_float_array(lam, "lam")
    if (lm <= 0).any():
        raise ParameterError(f"'lam' must be > 0: min {lm.min():g}")
    shape = _shape(np.empty(()), b, lm, m, params)
    b, lm = np.broadcast_to(b, shape), np.broadcast_to(lm, shape)
    cands = m.eta_bounds(b, lm, **params)
    if cands is None:
        return _max_stable_eta_search(b, lm, m, params)
    stack = np.stack([np.where(np.isnan(c) | (c <= 0), np.inf, c) for c in cands])
    value = stack.min(axis=0)
    # checked at the middle, as max_stable_lam; an infinite candidate overflowed (the edge
    # is beyond the largest float) or there is none: no condition changes below the largest
    # float, so any step decides, and eta = 1/lam keeps the state matrix's entries finite
    # (at the largest float, eta*lam overflows where dampening = 1 multiplies it by 0)
    with np.errstate(over="ignore"):
        anywhere = np.minimum(1.0 / lm, _ETA_MAX)
    probe = np.where(np.isfinite(value), value * 0.5, anywhere)
    ok = _stable_at(m, probe, b, lm, params)
    return np.where(ok, value, np.nan)[()]


#: the search's range of eta: every normal positive float
_ETA_MIN, _ETA_MAX = float(np.finfo(float).tiny), float(np.finfo(float).max) / 2


def _max_stable_eta_search(b, lm, m, params) -> np.ndarray:
    """Bisection in log eta, vectorised, on the closed-form largest stable curvature.

    The largest stable curvature falls as eta grows, so the stable steps at lam
    are those where it exceeds lam; 100 halvings of the log range reach float
    precision.
    """
    lo = np.full(b.shape, np.log(_ETA_MIN))
    hi = np.full(b.shape, np.log(_ETA_MAX))

    def inside(log_eta):
        with np.errstate(invalid="ignore"):
            return max_stable_lam(np.exp(log_eta), b, m, **params) > lm

    ok = inside(lo)  # stable for the smallest step?
    top = inside(hi)  # stable for the largest?
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        is_in = inside(mid)
        new_lo, new_hi = np.where(is_in, mid, lo), np.where(is_in, hi, mid)
        if np.array_equal(new_lo, lo) and np.array_equal(new_hi, hi):
            break  # at float precision everywhere (about 60 halvings): more would change nothing
        lo, hi = new_lo, new_hi
    value = np.where(top, np.inf, np.exp(0.5 * (lo + hi)))
    return np.where(ok, value, np.nan)[()]
