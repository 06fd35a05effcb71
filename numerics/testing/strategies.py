"""Hypothesis strategies for testing optimisers: valid inputs by construction, never filtered.

- :func:`inside_region` / :func:`outside_region`: (eta, beta, lam) a margin
  inside or outside a method's stability region (the region of any built-in
  method, PyTorch's options included, from its closed-form largest stable
  curvature);
- :func:`spectra`: (mu, L) with L = mu * kappa;
- :func:`spd_matrices`: symmetric positive definite matrices from a random
  rotation and positive eigenvalues, with the eigenvalues;
- :func:`floats`, :func:`vectors`: bounded finite numbers.

Hypothesis is a test-time dependency: importing this module without it
raises an ``ImportError`` that says how to install it.

Examples
--------
>>> from hypothesis import given
>>> @given(inside_region("torch_sgd", dampening=0.1, weight_decay=0.01))
... def test_converges(point):
...     eta, beta, lam = point
"""

from __future__ import annotations

import numpy as np

try:
    from hypothesis import assume
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised by a subprocess test
    raise ImportError(
        "numerics.testing.strategies needs Hypothesis, a test-time dependency: "
        "python -m pip install 'momentum-theory[test]' (or hypothesis itself)"
    ) from exc

__all__ = [
    "floats",
    "inside_region",
    "outside_region",
    "spd_matrices",
    "spectra",
    "vectors",
]


def floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Finite floats in [lo, hi]."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def _edge(method, eta: float, beta: float, params: dict) -> float:
    from numerics.rates import max_stable_lam

    return float(max_stable_lam(eta, beta, method, **params))


@st.composite
def inside_region(
    draw,
    method="heavy_ball",
    *,
    eta: tuple[float, float] = (1e-2, 1.0),
    beta: tuple[float, float] = (0.0, 0.95),
    margin: float = 0.02,
    **params,
):
    """(eta, beta, lam) strictly inside the method's stability region, a relative margin away.

    eta and beta are drawn from their ranges, then lam = f * lam_max(eta, beta)
    with f in [margin, 1 - margin], lam_max the method's largest stable
    curvature in closed form (:func:`numerics.max_stable_lam`). ``params``
    are the method's further parameters (``nu``, ``dampening``, ...). Points
    whose (eta, beta) admit no stable curvature (|beta| >= 1) are rejected,
    so keep the beta range inside the region.
    """
    e = draw(floats(*eta))
    b = draw(floats(*beta))
    edge = _edge(method, e, b, params)
    assume(np.isfinite(edge))
    return e, b, draw(floats(margin, 1 - margin)) * edge


@st.composite
def outside_region(
    draw,
    method="heavy_ball",
    *,
    eta: tuple[float, float] = (1e-2, 1.0),
    beta: tuple[float, float] = (0.0, 0.95),
    margin: float = 0.05,
    factor_max: float = 3.0,
    **params,
):
    """(eta, beta, lam) beyond the method's largest stable curvature by a relative margin.

    lam = f * lam_max(eta, beta) with f in [1 + margin, factor_max]; the
    stable curvatures of every built-in method form an interval (0, lam_max).
    """
    e = draw(floats(*eta))
    b = draw(floats(*beta))
    edge = _edge(method, e, b, params)
    assume(np.isfinite(edge))
    return e, b, draw(floats(1 + margin, factor_max)) * edge


@st.composite
def spectra(draw, kappa_max: float = 1e4, mu: tuple[float, float] = (1e-2, 10.0)):
    """(mu, L) with L = mu * kappa, kappa in [1, kappa_max]."""
    m = draw(floats(*mu))
    kappa = draw(floats(1.0, kappa_max))
    return m, m * kappa


@st.composite
def spd_matrices(
    draw, n_min: int = 1, n_max: int = 4, eigenvalues: tuple[float, float] = (0.1, 10.0)
):
    """(Q, eigenvalues): Q = O^T diag(eigenvalues) O, O a random rotation (QR of a Gaussian)."""
    n = draw(st.integers(n_min, n_max))
    eigs = np.array(draw(st.lists(floats(*eigenvalues), min_size=n, max_size=n)))
    seed = draw(st.integers(0, 2**31 - 1))
    A = np.random.default_rng(seed).standard_normal((n, n))
    O, _ = np.linalg.qr(A)
    Q = O.T @ np.diag(eigs) @ O
    return (Q + Q.T) / 2, eigs


def vectors(n: int, lo: float = -5.0, hi: float = 5.0) -> st.SearchStrategy[np.ndarray]:
    """Arrays of n finite floats in [lo, hi]."""
    return st.lists(floats(lo, hi), min_size=n, max_size=n).map(np.array)
