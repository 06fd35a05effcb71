r"""Beyond quadratics: where heavy ball is safe on every smooth strongly convex function, and where it can cycle.

The quadratic theory's region (eta lambda < 2(1 + beta) for every lambda in
[mu, L]) promises convergence on every quadratic of the spectrum, not on
every L-smooth mu-strongly convex function. Two results from the literature
bound the truth for heavy ball (x_{t+1} = x_t - eta g_t + beta (x_t - x_{t-1}),
D2L's form with the velocity starting at 0):

- **Guaranteed** (Ghadimi, Feyzmahdavian and Johansson 2015, "Global
  convergence of the heavy-ball method for convex optimization"): for
  0 <= beta < 1 and 0 < eta < 2 (1 - beta) / L, heavy ball converges on every
  L-smooth convex function. :func:`guaranteed_max_eta`.
- **Cycles** (Goujaud, Taylor and Dieuleveut 2023, "Provable non-accelerations
  of the heavy-ball method"): heavy ball has a cycle of K points on a regular
  K-gon around the minimizer of some L-smooth mu-strongly convex function
  exactly when, with y = mu eta, kappa = mu / L and phi = cos(2 pi / K),

  .. math:: y^2 - 2 (\beta - \phi + \kappa (1 - \beta\phi))\, y
            + 2 \kappa (1 - \phi)(1 + \beta^2 - 2 \beta\phi) \le 0.

  :func:`cycle_margin` is the left side; the tests check it against the
  interpolation conditions of the class (Taylor, Hendrickx and Glineur 2017)
  on the polygon itself, a reference that shares no code with it. K = 2 is
  the quadratic edge's own 2-cycle (eta >= 2 (1 + beta) / L); K >= 3 cycles
  lie inside the quadratic region: there the quadratic promise breaks.

Between the two sets neither result decides (:func:`classify` says
"undecided"). Lessard, Recht and Packard's 3-cycle (:mod:`numerics.lessard`)
sits in the cycle region.

Examples
--------
>>> classify(1/9, 4/9, 1.0, 25.0).verdict  # Polyak's tuning for [1, 25]
'cycles'
>>> classify(0.02, 0.5, 1.0, 25.0).verdict
'guaranteed'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from numerics.checks import real_array, real_number
from numerics.reprs import array_repr
from theory.errors import ParameterError

__all__ = [
    "VERDICTS",
    "ClassRegions",
    "ClassVerdict",
    "class_regions",
    "classify",
    "cycle_lengths",
    "cycle_margin",
    "guaranteed_max_eta",
]

#: what :func:`classify` can say of a point, from safest to worst
VERDICTS = ("guaranteed", "undecided", "cycles", "diverges on a quadratic")


def guaranteed_max_eta(beta, L: float) -> np.ndarray:
    """2 (1 - beta) / L for 0 <= beta < 1 (NaN elsewhere): below it, convergence on every L-smooth convex f.

    Ghadimi, Feyzmahdavian and Johansson (2015), for heavy ball.
    """
    beta = real_array(beta, "beta")
    L = _positive(L, "L")
    with np.errstate(invalid="ignore"):
        return np.where((beta >= 0) & (beta < 1), 2 * (1 - beta) / L, np.nan)


def cycle_margin(eta, beta, mu: float, L: float, K) -> np.ndarray:
    """Goujaud, Taylor and Dieuleveut's conic for K-cycles: <= 0 exactly where a K-cycle exists.

    Broadcast over ``eta``, ``beta`` and ``K`` (integers >= 2).
    """
    eta, beta = real_array(eta, "eta"), real_array(beta, "beta")
    mu, L = _class(mu, L)
    K = np.asarray(K)
    if not np.issubdtype(K.dtype, np.integer) or (K < 2).any():
        raise ParameterError(f"'K' must be integers >= 2: {K!r}")
    phi = np.cos(2 * np.pi / K)
    kappa, y = mu / L, mu * eta
    # past y ~ 1e154 the square overflows to +inf (or inf - inf to NaN): both say "no cycle",
    # which is the conic's sign there (y * y dominates), so the overflow is not worth a warning
    with np.errstate(over="ignore", invalid="ignore"):
        return (
            y * y
            - 2 * (beta - phi + kappa * (1 - beta * phi)) * y
            + 2 * kappa * (1 - phi) * (1 + beta**2 - 2 * beta * phi)
        )


def _margin_over_mu(eta, beta, mu: float, L: float, K) -> np.ndarray:
    """:func:`cycle_margin` divided by mu: its sign, with no term underflowing.

    Every term of the conic carries mu (y = mu eta, kappa = mu / L): for a
    subnormal mu they all round to 0 and the conic to 0, read as a cycle (a
    2-cycle below the quadratic edge at mu = 5e-324). Divided by mu they are
    mu eta^2, -2 (beta - phi + kappa (1 - beta phi)) eta and
    (2 / L)(1 - phi)(1 + beta^2 - 2 beta phi), the last two of order one.
    """
    phi = np.cos(2 * np.pi / np.asarray(K))
    kappa = mu / L
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        return (
            mu * eta * eta
            - 2 * (beta - phi + kappa * (1 - beta * phi)) * eta
            + 2 / L * (1 - phi) * (1 + beta**2 - 2 * beta * phi)
        )


def _default_kmax(mu: float, L: float) -> int:
    # the K-cycle regions shrink as K grows; their union stops growing near K ~ pi sqrt(L/mu)
    # (checked in the tests against K up to 4 times this)
    # L/mu overflows to inf for a subnormal mu: no K past int64 is looked for anyway
    ratio = L / mu
    if not math.isfinite(ratio):
        return int(np.iinfo(np.int64).max)
    return int(max(64, min(math.ceil(4 * math.pi * math.sqrt(ratio)), np.iinfo(np.int64).max)))


#: K checked one by one up to here; past it, the shortest K comes from the conic's roots
LOOP_K = 4096


def _margin_in_s(eta, beta, mu, L, s):
    """The conic over mu with s = 1 - phi = 2 sin^2(pi/K): no 1 - cos cancelling at large K.

    A s^2 + B s + C, A = 4 beta / L, B = 2 (1 - beta)^2 / L - 2 eta (1 + kappa beta),
    C = mu eta^2 + 2 eta (1 - beta)(1 - kappa): :func:`cycle_margin` / mu multiplied out in s
    (divided by mu, as :func:`_margin_over_mu`, so that no term underflows).
    """
    kappa = mu / L
    a = 4 * beta / L
    b = 2 * (1 - beta) ** 2 / L - 2 * eta * (1 + kappa * beta)
    c = mu * eta * eta + 2 * eta * (1 - beta) * (1 - kappa)
    return (a * s + b) * s + c, a, b, c


def _shortest_past_loop(eta, beta, mu: float, L: float, kmax: int) -> np.ndarray:
    """The shortest K in (LOOP_K, kmax] with a K-cycle (0: none), from the roots in s.

    In s the conic is positive at s = 0 (C > 0), so where it is <= 0 for some
    small s (the large K) it is a convex parabola (beta > 0) negative on
    [r1, r2]: the shortest K is the first whose s_K = 2 sin^2(pi/K) falls to r2
    or below, a cycle when s_K >= r1 still. For beta <= 0 the set is s >= a
    root, so a cycle there has K = 2, which the loop has seen.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        _, a, b, c = _margin_in_s(eta, beta, mu, L, 0.0)
        disc = b * b - 4 * a * c
        root = np.sqrt(np.maximum(disc, 0.0))
        # the larger root without cancelling (-b > 0 where a root is positive)
        r2 = np.where((a > 0) & (b < 0) & (disc >= 0), (root - b) / (2 * a), np.nan)
        r2 = np.minimum(r2, 2.0)
        first = np.ceil(np.pi / np.arcsin(np.sqrt(r2 / 2)))  # s_K <= r2 from this K on
        first = np.maximum(first, LOOP_K + 1)
    out = np.zeros(np.shape(eta), dtype=np.int64)
    for step in (0, 1):  # the first K, and the next in case rounding put r2 a hair too high
        K = first + step
        ok = np.isfinite(K) & (K <= kmax) & (out == 0)
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            s = 2 * np.sin(np.pi / np.where(ok, K, 3.0)) ** 2
            margin = _margin_in_s(eta, beta, mu, L, s)[0]
        hit = ok & (margin <= 0)
        out[hit] = K[hit].astype(np.int64)
    return out


def cycle_lengths(eta, beta, mu: float, L: float, kmax: int | None = None) -> np.ndarray:
    """The shortest K in [2, kmax] with a K-cycle at each (eta, beta); 0 where there is none.

    K up to :data:`LOOP_K` are checked one by one; past it the shortest K is
    solved from the conic's roots (the default kmax, 4 pi sqrt(L/mu), has no
    bound: L/mu = 1e300 asked for 1e151 of them, a loop that never ended).
    """
    mu, L = _class(mu, L)
    kmax = _default_kmax(mu, L) if kmax is None else int(kmax)
    if kmax > np.iinfo(np.int64).max:  # a K-cycle longer than this is no cycle anyone runs
        kmax = int(np.iinfo(np.int64).max)
    eta, beta = np.broadcast_arrays(real_array(eta, "eta"), real_array(beta, "beta"))
    shortest = np.zeros(eta.shape, dtype=np.int64)
    for K in range(2, min(kmax, LOOP_K) + 1):  # over K, not points: each K is one array operation
        new = (shortest == 0) & (_margin_over_mu(eta, beta, mu, L, K) <= 0)
        shortest[new] = K
    if kmax > LOOP_K:
        shortest = np.where(shortest == 0, _shortest_past_loop(eta, beta, mu, L, kmax), shortest)
    return shortest


@dataclass(frozen=True)
class ClassVerdict:
    """What is known of heavy ball at (eta, beta) on every L-smooth mu-strongly convex function."""

    eta: float
    beta: float
    mu: float
    L: float
    verdict: str  # one of VERDICTS
    guaranteed_max_eta: float  # 2 (1 - beta) / L, or NaN for beta outside [0, 1)
    quadratic_max_eta: float  # 2 (1 + beta) / L: the quadratic edge at L
    cycle_length: int | None  # the shortest K with a K-cycle, None if none

    def describe(self) -> str:
        """One sentence for a reader."""
        where = f"{self.L:g}-smooth, {self.mu:g}-strongly convex function"
        if self.verdict == "guaranteed":
            return (
                f"guaranteed: eta < 2(1 - beta)/L = {self.guaranteed_max_eta:.6g}, so heavy ball "
                f"converges on every {where} (Ghadimi et al. 2015)"
            )
        if self.verdict == "diverges on a quadratic":
            return (
                f"diverges on a quadratic of the class: eta >= 2(1 + beta)/L = "
                f"{self.quadratic_max_eta:.6g}"
            )
        if self.verdict == "cycles":
            return (
                f"cycles: some {where} has a {self.cycle_length}-cycle on which heavy ball never "
                "converges (Goujaud, Taylor and Dieuleveut 2023), though it converges on every "
                "quadratic of the class"
            )
        return (
            f"undecided: stable on every quadratic of the class, but neither the guarantee "
            f"(eta < {self.guaranteed_max_eta:.6g}) nor a known cycle applies"
        )


def classify(eta: float, beta: float, mu: float, L: float) -> ClassVerdict:
    """Heavy ball's point (eta, beta) against the class of L-smooth mu-strongly convex functions."""
    eta, beta = real_number(eta, "eta"), real_number(beta, "beta")
    if not eta > 0:
        raise ParameterError(f"'eta' must be > 0: {eta!r}")
    if not -1 < beta < 1:
        raise ParameterError(f"'beta' must be in (-1, 1): {beta!r}")
    mu, L = _class(mu, L)
    safe = float(guaranteed_max_eta(beta, L))
    edge = 2 * (1 + beta) / L
    shortest = int(cycle_lengths(eta, beta, mu, L))
    if eta >= edge:
        verdict = "diverges on a quadratic"
    elif shortest:
        verdict = "cycles"
    elif eta < safe:
        verdict = "guaranteed"
    else:
        verdict = "undecided"
    return ClassVerdict(eta, beta, mu, L, verdict, safe, edge, shortest or None)


@dataclass(frozen=True)
class ClassRegions:
    """Heavy ball's (eta, beta) grid against the class: each cell's set, and the edges.

    ``stable``: on every quadratic of [mu, L] (eta below the quadratic edge);
    ``guaranteed`` and ``cycles`` (K >= 3) lie inside it; the rest of it is
    undecided. Masks are (eta, beta)-indexed.
    """

    __repr__ = array_repr  # arrays summarised, not printed in full

    mu: float
    L: float
    eta: np.ndarray
    beta: np.ndarray
    stable: np.ndarray
    guaranteed: np.ndarray
    cycles: np.ndarray
    quadratic_edge: np.ndarray  # 2 (1 + beta) / L along beta (the toolkit's max_stable_eta)
    guaranteed_edge: np.ndarray  # 2 (1 - beta) / L along beta

    @property
    def undecided(self) -> np.ndarray:
        return self.stable & ~self.guaranteed & ~self.cycles

    def plot(self, ax=None, **kwargs):
        from numerics.plots.beyond import plot_class_regions

        return plot_class_regions(self, ax=ax, **kwargs)


def class_regions(mu: float, L: float, eta=None, beta=None, *, points: int = 400) -> ClassRegions:
    """The three sets over an (eta, beta) grid (default: beta in [0, 0.995], eta to past the edge)."""
    from numerics.rates import max_stable_eta

    mu, L = _class(mu, L)
    beta = np.linspace(0.0, 0.995, points) if beta is None else real_array(beta, "beta")
    edge = max_stable_eta(beta, L, "heavy_ball")
    if eta is None:
        right = 1.12 * float(np.nanmax(edge))
        eta = np.linspace(right / (2 * points), right, points)
    eta = real_array(eta, "eta")
    if eta.ndim != 1 or beta.ndim != 1 or eta.size * beta.size > 4_000_000:
        raise ParameterError(
            f"'eta' and 'beta' must be 1-D grids of at most 4,000,000 points in all: "
            f"{eta.shape} and {beta.shape}"
        )
    E, B = np.meshgrid(eta, beta, indexing="ij")
    stable = E < edge[None, :]
    cycles = (cycle_lengths(E, B, mu, L) >= 3) & stable
    guaranteed = (E < guaranteed_max_eta(B, L)) & stable
    return ClassRegions(
        mu, L, eta, beta, stable, guaranteed, cycles, edge, guaranteed_max_eta(beta, L)
    )


def _positive(value, name: str) -> float:
    value = real_number(value, name)
    if not value > 0:
        raise ParameterError(f"'{name}' must be > 0: {value!r}")
    return value


def _class(mu, L) -> tuple[float, float]:
    mu, L = _positive(mu, "mu"), _positive(L, "L")
    if not mu < L:
        raise ParameterError(f"'mu' must be < 'L': mu={mu!r}, L={L!r}")
    return mu, L
