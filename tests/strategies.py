"""Hypothesis strategies of the domain; valid inputs by construction.

The general ones (numbers, spectra, SPD matrices, vectors) are the public
:mod:`numerics.testing.strategies`. The heavy-ball region strategies here
stay in closed form on purpose: the tests of the rates and the region must
not draw their points from the code they check.
"""

from __future__ import annotations

from hypothesis import strategies as st

from numerics.testing.strategies import floats, spd_matrices, spectra, vectors

__all__ = [
    "MARGIN",
    "any_point",
    "floats",
    "inside_region",
    "outside_region",
    "spd_matrices",
    "spectra",
    "vectors",
]

#: how far from a boundary a point must lie for floats to decide its side
MARGIN = 1e-3


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
