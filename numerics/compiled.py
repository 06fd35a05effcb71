r"""Heavy ball's spectral radius as one fused loop compiled by numba (optional).

Imported by :mod:`numerics.rates` only for large evaluations, and only where
numba is installed (``pip install '.[fast]'``); without it the NumPy kernels
in :mod:`numerics.rates` run instead, with the same formula. Per point,
with ``h = eta*lam``, ``c = (1 + beta)/2`` and ``s_b = sqrt|beta|``,

.. math:: \rho = \max\left(|h/2 - c| + \sqrt{d},\ s_b\right) \ (d \ge 0), \qquad
          \rho = s_b \ (d < 0), \qquad
          d = \begin{cases}
              \tfrac14 (h - (1 - s_b)^2)(h - (1 + s_b)^2) & \beta \ge 0 \\
              (h/2 - c)^2 - \beta & \beta < 0,
          \end{cases}

the discriminant in factored form. The terms of beta (``(1 -+ s_b)^2/2``,
``c``, ``s_b``) are computed once per beta by :func:`numerics.rates.beta_terms`
(in long double where the platform has one), so the kernels take them as
inputs and do a handful of flops per point.

Compiled code is cached (``cache=True``) beside this file or, where that is
read-only, in numba's per-user cache; where neither can be written, each
process compiles on first use (about a second).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["hb_rows", "hb_volume"]


def _jit(**options):
    """``njit`` with an on-disk cache where one can be written, else without."""

    def wrap(fn):
        try:
            return njit(cache=True, **options)(fn)
        except RuntimeError:  # no writable cache location: compile per process
            return njit(**options)(fn)

    return wrap


@_jit(inline="always")
def _rho(hh, lo, lo_err, up, up_err, extra, c, sb):
    """rho from hh = eta*lam/2 and the per-beta terms of :func:`numerics.rates.beta_terms`."""
    d = ((hh - lo) - lo_err) * ((hh - up) - up_err) + extra
    if d < 0.0:  # a complex pair: its modulus, as the NumPy kernel (|hh - c| may round above it)
        return sb
    return max(abs(hh - c) + math.sqrt(d), sb)


@_jit(inline="always")
def _row(x2, o, buf):
    """Row ``o`` of a compact input as a contiguous vector of the output row's length."""
    if x2.shape[1] == buf.size:
        return x2[o % x2.shape[0]]
    buf[:] = x2[o % x2.shape[0], 0]
    return buf


@_jit(nogil=True)
def hb_rows(eta2, lam2, lo2, lo_err2, up2, up_err2, extra2, c2, sb2, out2):
    """Fill ``out2`` (rows, m): each input is (1 or rows, 1 or m), C-contiguous."""
    rows, m = out2.shape
    bufs = np.empty((9, m))
    for o in range(rows):
        er, lr = _row(eta2, o, bufs[0]), _row(lam2, o, bufs[1])
        lo, lo_err = _row(lo2, o, bufs[2]), _row(lo_err2, o, bufs[3])
        up, up_err = _row(up2, o, bufs[4]), _row(up_err2, o, bufs[5])
        ex, c, sb = _row(extra2, o, bufs[6]), _row(c2, o, bufs[7]), _row(sb2, o, bufs[8])
        row = out2[o]
        for k in range(m):
            hh = 0.5 * er[k] * lr[k]
            row[k] = _rho(hh, lo[k], lo_err[k], up[k], up_err[k], ex[k], c[k], sb[k])


@_jit()
def _fill(e, lam, lo, lo_err, up, up_err, extra, c, sb, buf):
    for k in range(lam.size):
        buf[k] = _rho(0.5 * e * lam[k], lo, lo_err, up, up_err, extra, c, sb)


@_jit(fastmath={"nnan", "ninf", "reassoc"})
def _max_and_count(buf):
    """max and the number below 1 of finite values (reassociation lets it vectorise)."""
    top, stable = 0.0, 0
    for k in range(buf.size):
        top = max(top, buf[k])
        stable += buf[k] < 1.0
    return top, stable


@_jit(nogil=True)
def hb_volume(eta, lam, lo, lo_err, up, up_err, extra, c, sb, worst):
    """Over eta x beta x lam (beta through its terms): ``worst[i, j]`` = max over lam; the stable count."""
    buf = np.empty(lam.size)
    stable = 0
    for i in range(eta.size):
        for j in range(lo.size):
            _fill(eta[i], lam, lo[j], lo_err[j], up[j], up_err[j], extra[j], c[j], sb[j], buf)
            worst[i, j], count = _max_and_count(buf)
            stable += count
    return stable
