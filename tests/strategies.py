"""Hypothesis strategies of the domain; valid inputs by construction."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

#: how far from a boundary a point must lie for floats to decide its side
MARGIN = 1e-3


def floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def inside_region(draw, beta_lo: float = -0.95, beta_hi: float = 0.95):
    """(eta, beta, lam) strictly inside 0 < eta*lam < 2(1 + beta), a margin away."""
    beta = draw(floats(beta_lo, beta_hi))
    lam = draw(floats(0.05, 20.0))
    frac = draw(floats(0.02, 0.98))
    eta = frac * 2 * (1 + beta) / lam
    return eta, beta, lam


@st.composite
def outside_region(draw):
    """(eta, beta, lam) with eta*lam beyond 2(1 + beta) by a margin, |beta| < 1."""
    beta = draw(floats(-0.9, 0.95))
    lam = draw(floats(0.05, 20.0))
    factor = draw(floats(1.05, 3.0))
    eta = factor * 2 * (1 + beta) / lam
    return eta, beta, lam


@st.composite
def any_point(draw):
    """Any (eta, beta, lam) in a broad box, beta possibly outside (-1, 1)."""
    return draw(floats(1e-3, 10.0)), draw(floats(-1.5, 1.5)), draw(floats(1e-3, 10.0))


@st.composite
def spectra(draw, kappa_max: float = 1e4):
    """(mu, L) with L = mu * kappa, kappa >= 1."""
    mu = draw(floats(1e-2, 10.0))
    kappa = draw(floats(1.0, kappa_max))
    return mu, mu * kappa


@st.composite
def spd_matrices(draw, n_min: int = 1, n_max: int = 4):
    """(Q, eigenvalues): Q = O^T diag(eigenvalues) O from a random rotation."""
    n = draw(st.integers(n_min, n_max))
    eigs = np.array(draw(st.lists(floats(0.1, 10.0), min_size=n, max_size=n)))
    seed = draw(st.integers(0, 2**31 - 1))
    A = np.random.default_rng(seed).standard_normal((n, n))
    O, _ = np.linalg.qr(A)
    Q = O.T @ np.diag(eigs) @ O
    return (Q + Q.T) / 2, eigs


def vectors(n: int, lo: float = -5.0, hi: float = 5.0):
    return st.lists(floats(lo, hi), min_size=n, max_size=n).map(np.array)
