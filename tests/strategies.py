"""Hypothesis strategies of the domain; valid inputs by construction.

The general ones (numbers, spectra, SPD matrices, vectors) are the public
:mod:`numerics.testing.strategies`. The heavy-ball region strategies here
stay in closed form on purpose: the tests of the rates and the region must
not draw their points from the code they check.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from numerics.testing.strategies import floats, spd_matrices, spectra, vectors

__all__ = [
    "MARGIN",
    "any_point",
    "class_points",
    "command_numbers",
    "curvature_sets",
    "floats",
    "huge_rationals",
    "mixed_scale_spd",
    "near_unit",
    "whole_range",
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
def class_points(draw, k_min: int = 2, k_max: int = 11):
    """(eta, beta, mu, L, K): heavy ball's step and momentum, a class of L-smooth
    mu-strongly convex functions (mu < L) and a cycle length; eta L in [0.01, 4.5],
    past the quadratic edge too."""
    K = draw(st.integers(k_min, k_max))
    mu = draw(st.floats(0.01, 1.0))
    L = mu + draw(st.floats(0.05, 20.0))
    beta = draw(st.floats(-0.5, 0.99))
    return draw(st.floats(0.01, 4.5)) / L, beta, mu, L, K


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


def whole_range(lo_exp: int = -1021, hi_exp: int = 1023) -> st.SearchStrategy[float]:
    """Positive normal floats with every binary exponent in [lo_exp, hi_exp] equally likely.

    ``st.floats`` over the whole range seldom reaches its two ends; here 1e-308
    and 1e308 are as likely as 1 (the fuzz that found the [1e-12, 1e12] search drew so).
    """
    mantissa = st.floats(1.0, 2.0, exclude_max=True)
    return st.tuples(mantissa, st.integers(lo_exp, hi_exp)).map(lambda me: math.ldexp(*me))


def command_numbers(numbers: st.SearchStrategy[float]) -> st.SearchStrategy[float]:
    """The numbers of ``numbers`` the command line takes: 0, or at least 1e-MAX in magnitude.

    It refuses a nonzero number below that (one line, exit 2), which a test of
    what a command answers does not ask about (5e-324 drawn as beta was such a refusal).
    """
    from momentum_cli.parsing import MAX_MAGNITUDE_EXP

    tiny = 10.0**-MAX_MAGNITUDE_EXP
    return numbers.filter(lambda x: x == 0 or abs(x) >= tiny)


def near_unit(sign: int = 1) -> st.SearchStrategy[float]:
    """``sign`` times a float a few ulps (or up to half) below 1: ``1 - k 2**-53``.

    k is small (1..64: np.nextafter(1, 0) and its neighbours) or any size up to
    2**52 (down to 1/2); every such float is exact.
    """
    k = st.one_of(st.integers(1, 64), st.integers(1, 2**52 - 1))
    return k.map(lambda k: sign * (1.0 - k * 2.0**-53))


@st.composite
def mixed_scale_spd(draw, n_max: int = 4, spread: float = 8.0, definite: bool = True):
    """(Q, n): D A D with A = O^T diag O (eigenvalues in [1, 3]) and D = 10**[-spread, spread].

    Symmetric positive definite by construction, with entries of every scale
    (1e-16 beside 1e16 for spread 8), and well conditioned once scaled: its
    floats are exactly symmetric and still positive definite. With
    ``definite=False`` one eigenvalue of A is -1: indefinite, at every scale.
    """
    A, _ = draw(spd_matrices(2, n_max, eigenvalues=(1.0, 3.0)))
    n = A.shape[0]
    if not definite:
        w, V = np.linalg.eigh(A)
        A = V @ np.diag(np.concatenate([[-1.0], w[1:]])) @ V.T
    exponents = draw(st.lists(floats(-spread, spread), min_size=n, max_size=n))
    D = np.diag(10.0 ** np.array(exponents))
    Q = D @ A @ D
    return (Q + Q.T) / 2, n


def huge_rationals(max_digits: int = 200) -> st.SearchStrategy:
    """Fractions p/q, p and q of up to ``max_digits`` digits, either sign (never 0)."""
    digits = st.integers(1, max_digits)
    whole = digits.flatmap(lambda d: st.integers(10 ** (d - 1), 10**d - 1))
    return st.tuples(whole, whole, st.sampled_from([1, -1])).map(
        lambda t: Fraction(t[2] * t[0], t[1])
    )


@st.composite
def curvature_sets(draw, max_examples: int = 6):
    """(h, B, replacement): 2..6 positive exact curvatures (Fractions, repeats allowed, so the
    variance may be 0), a batch size 1..n, and whether batches are drawn with replacement."""
    count = draw(st.integers(2, max_examples))
    h = [Fraction(draw(st.integers(1, 40)), draw(st.integers(1, 8))) for _ in range(count)]
    replacement = draw(st.booleans())
    size = draw(st.integers(1, 3 if replacement else count))  # n^B ordered draws: keep B small
    return h, size, replacement
