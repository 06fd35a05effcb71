"""Heavy ball against every smooth strongly convex function: guaranteed, cycles, undecided.

The cycle conic is checked against the class's interpolation conditions on
the cycle itself (tests/references.py), which share no code with it.
"""

from __future__ import annotations

import importlib
import math

import mpmath
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from numerics.class_regions import (
    class_regions,
    classify,
    cycle_lengths,
    cycle_margin,
    guaranteed_max_eta,
)
from tests.references import heavy_ball_cycle_interpolable
from tests.strategies import class_points, floats, near_unit, whole_range
from theory.errors import ParameterError

# the module (numerics.class_regions the attribute is the function of that name)
class_regions_module = importlib.import_module("numerics.class_regions")


@given(point=class_points())
def test_the_cycle_conic_is_the_interpolation_condition(point):
    # Goujaud, Taylor and Dieuleveut (2023): a K-cycle on a regular K-gon exists on some
    # L-smooth mu-strongly convex function iff the conic is <= 0
    eta, beta, mu, L, K = point
    margin = float(cycle_margin(eta, beta, mu, L, K))
    if abs(margin) < 1e-9 * (1 + (mu * eta) ** 2):  # on the boundary floats cannot decide
        return
    assert (margin <= 0) == heavy_ball_cycle_interpolable(eta, beta, mu, L, K)


def test_the_reference_sees_both_sides():
    # the property above is only worth something if the reference says yes and no
    rng = np.random.default_rng(1)
    seen = set()
    for _ in range(300):
        K, mu = int(rng.integers(3, 9)), rng.uniform(0.05, 1)
        L = mu + rng.uniform(0.5, 20)
        seen.add(
            heavy_ball_cycle_interpolable(rng.uniform(0.1, 2.2) / L, rng.uniform(0, 0.95), mu, L, K)
        )
    assert seen == {True, False}


def test_polyaks_tuning_for_lessards_class_has_a_three_cycle():
    # Lessard, Recht and Packard (2016): Polyak's tuning for [1, 25] (eta 1/9, beta 4/9) cycles
    assert heavy_ball_cycle_interpolable(1 / 9, 4 / 9, 1.0, 25.0, 3)
    assert cycle_margin(1 / 9, 4 / 9, 1.0, 25.0, 3) < 0
    assert int(cycle_lengths(1 / 9, 4 / 9, 1.0, 25.0)) == 3
    verdict = classify(1 / 9, 4 / 9, 1.0, 25.0)
    assert verdict.verdict == "cycles" and verdict.cycle_length == 3
    assert "3-cycle" in verdict.describe()


def test_two_cycles_are_the_quadratic_edges_own():
    # K = 2: the conic's roots are mu eta = 2 kappa (1 + beta) and 2 (1 + beta): the 2-cycles fill
    # 2(1 + beta)/L <= eta <= 2(1 + beta)/mu, beyond the quadratic edge at L
    mu, L, beta = 0.7, 9.0, 0.35
    lo, hi = 2 * (1 + beta) / L, 2 * (1 + beta) / mu
    eta = np.array([0.98 * lo, 1.02 * lo, 0.5 * (lo + hi), 0.98 * hi, 1.02 * hi])
    assert list(cycle_margin(eta, beta, mu, L, 2) <= 0) == [False, True, True, True, False]


def test_guaranteed_and_cycling_never_meet():
    # two results from the literature: a point cannot be both safe on every f and cycle on one
    for mu, L in [(1.0, 25.0), (0.1, 1.0), (1.0, 1000.0)]:
        r = class_regions(mu, L, points=300)
        assert not (r.guaranteed & r.cycles).any()
        assert r.guaranteed.any() and r.cycles.any() and r.undecided.any()
        assert not (r.guaranteed & ~r.stable).any() and not (r.cycles & ~r.stable).any()


def test_guaranteed_edge_is_ghadimis():
    # Ghadimi, Feyzmahdavian and Johansson (2015): eta < 2 (1 - beta) / L, for 0 <= beta < 1
    got = guaranteed_max_eta([0.0, 0.3, 0.9, -0.2, 1.0], 7.0)
    assert got[:3] == pytest.approx([2 / 7, 1.4 / 7, 0.2 / 7])
    assert np.isnan(got[3:]).all()


def test_longer_cycles_add_nothing_past_the_default_length():
    # the union over K stops growing: the default K range gives the same cells as 4 times it
    mu, L = 1.0, 1000.0
    r = class_regions(mu, L, points=200)
    E, B = np.meshgrid(r.eta, r.beta, indexing="ij")
    kmax = int(max(64, np.ceil(4 * np.pi * np.sqrt(L / mu))))
    assert ((cycle_lengths(E, B, mu, L, kmax=4 * kmax) >= 3) & r.stable == r.cycles).all()


@pytest.mark.parametrize(
    "eta, beta, verdict",
    [
        (0.02, 0.5, "guaranteed"),  # 2(1 - 0.5)/25 = 0.04
        (0.09, 0.3, "undecided"),
        (1 / 9, 4 / 9, "cycles"),
        (0.11, 0.3, "diverges on a quadratic"),  # 2(1.3)/25 = 0.104
    ],
)
def test_classify(eta, beta, verdict):
    assert classify(eta, beta, 1.0, 25.0).verdict == verdict


@pytest.mark.parametrize(
    "args, match",
    [
        ((0.1, 0.5, 2.0, 1.0), "'mu' must be < 'L'"),
        ((0.1, 0.5, 0.0, 1.0), "'mu' must be > 0"),
        ((-0.1, 0.5, 1.0, 2.0), "'eta' must be > 0"),
        ((0.1, 1.0, 1.0, 2.0), r"'beta' must be in \(-1, 1\)"),
    ],
)
def test_bad_input(args, match):
    with pytest.raises(ParameterError, match=match):
        classify(*args)


def test_cycle_margin_refuses_a_length_below_two():
    with pytest.raises(ParameterError, match="'K' must be integers >= 2"):
        cycle_margin(0.1, 0.5, 1.0, 2.0, 1)


@pytest.mark.parametrize("eta", [1e160, 1e300, float(np.finfo(float).max)])
def test_a_huge_step_is_classified_without_warnings(eta):
    """Past y = mu eta ~ 1e154 the conic's square overflows: the verdict stays the quadratic
    edge's, and nothing is printed on the way (a user saw a screen of RuntimeWarnings)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        verdict = classify(eta, 0.5, 1.0, 25.0)
        margin = cycle_margin(eta, 0.5, 1.0, 25.0, np.arange(2, 50))
    assert verdict.verdict == "diverges on a quadratic" and verdict.cycle_length is None
    assert not (margin <= 0).any()


@pytest.mark.parametrize(
    "mu, L, beta, K",
    [(1.0, 25.0, 4 / 9, 3), (1.0, 25.0, 0.8, 5), (0.3, 7.0, 0.5, 4), (0.05, 2.0, 0.9, 9)]
    + [(0.5, 3.0, 0.3, 3)],  # here the 3-cycles begin past the quadratic edge
)
def test_the_cycle_conics_edges_are_where_the_interpolation_condition_changes(mu, L, beta, K):
    # the property above samples (eta, beta) uniformly, so a conic off by a few percent passed it
    # (planted: 1.9 for the 2 in 1 + beta^2 - 2 beta phi); here each edge of the K-cycle set along
    # eta is found from the reference alone, by bisection, and the conic must change sign there
    etas = np.linspace(1e-3, 4.5, 801) / L  # eta L as in the property's strategy
    inside = np.array([heavy_ball_cycle_interpolable(e, beta, mu, L, K) for e in etas])
    changes = np.flatnonzero(inside[1:] != inside[:-1])
    assert changes.size >= 1  # the reference sees an edge here, or the test proves nothing
    for i in changes:
        lo, hi = etas[i], etas[i + 1]
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            if heavy_ball_cycle_interpolable(mid, beta, mu, L, K) == inside[i]:
                lo = mid
            else:
                hi = mid
        edge = 0.5 * (lo + hi)
        before, after = cycle_margin(edge * np.array([1 - 1e-6, 1 + 1e-6]), beta, mu, L, K) <= 0
        assert (before, after) == (inside[i], not inside[i])


@given(point=class_points(k_min=2, k_max=2))
def test_the_shortest_cycle_is_the_first_length_whose_conic_is_not_positive(point):
    # the plain loop over K of the conic (itself checked against the interpolation conditions)
    eta, beta, mu, L, _ = point
    kmax = int(max(64, np.ceil(4 * np.pi * np.sqrt(L / mu))))
    margins = [float(cycle_margin(eta, beta, mu, L, K)) for K in range(2, kmax + 1)]
    if min(abs(m) for m in margins) < 1e-9 * (1 + (mu * eta) ** 2):
        return  # a length on the boundary: floats cannot decide which is first
    loop = next((K for K, m in zip(range(2, kmax + 1), margins, strict=True) if m <= 0), 0)
    assert int(cycle_lengths(eta, beta, mu, L)) == loop


def _conic_mp(eta, beta, mu, L, K):
    """The conic at K in 60-digit arithmetic (1 - cos(2 pi / K) = 2 sin^2(pi / K)), and the sum
    of its terms' sizes (what its rounding is relative to)."""
    with mpmath.workdps(60):
        eta, beta, mu, L = (mpmath.mpf(v) for v in (eta, beta, mu, L))
        kappa, y, s = mu / L, mu * eta, 2 * mpmath.sin(mpmath.pi / K) ** 2
        terms = [
            y * y,
            -2 * ((beta - 1) * (1 - kappa) + s * (1 + kappa * beta)) * y,
            2 * kappa * s * ((1 - beta) ** 2 + 2 * beta * s),
        ]
        return sum(terms), sum(abs(x) for x in terms)


# L/mu past 1e10 made the loop over K = 2 .. 4 pi sqrt(L/mu) run for hours (`momentum rate
# --class smooth-strongly-convex --eta 1e-3 --beta 0.5 --mu 1 --L 1e10` never answered), and
# past 1e308 its length overflowed: OverflowError, a traceback (--mu 1e-300 --L 1e300); and
# there mu / L and mu eta underflowed to 0, the conic with them: "a 2-cycle" inside the quadratic
# edge (eta 1e-300, beta 1 - 2**-53, mu 1e-300, L 1e300)
@given(
    mu=whole_range(),
    L=whole_range(),
    eta_mu=whole_range(-1000, 3),
    beta=floats(-0.99, 0.99) | near_unit(),
)
@example(mu=1.0, L=1e10, eta_mu=1e-3, beta=0.5)  # the hours-long loop
def test_any_condition_number_gives_a_cycle_length_the_exact_conic_confirms(mu, L, eta_mu, beta):
    if not L > mu:
        mu, L = L, mu
    if L == mu:
        return
    eta = eta_mu / mu  # mu eta = eta_mu: the conic's own variable, at every scale
    if not (math.isfinite(eta) and eta > 0):  # past a float's range, or below it (refused)
        return
    _assert_shortest_cycle(eta, beta, mu, L)


@pytest.mark.parametrize(
    "eta, beta, mu, L",
    [
        (1e-300, 1 - 2**-53, 1e-300, 1e300),  # mu/L and mu eta underflow: was "a 2-cycle"
        (1e-300, 0.5, 1e-300, 1e300),
        (1.0, 0.9, 1e-300, 1e300),
        (4e-300, 0.3, 1e-300, 1e300),
    ],
)
def test_underflowing_conic_terms_do_not_make_a_cycle(eta, beta, mu, L):
    _assert_shortest_cycle(eta, beta, mu, L)


def _assert_shortest_cycle(eta, beta, mu, L):
    K = int(cycle_lengths(eta, beta, mu, L))
    if K == 0:  # then no length up to 64 has a cycle either (past it, the closed form decides)
        for k in range(2, 65):
            value, size = _conic_mp(eta, beta, mu, L, k)
            assert value >= -1e-9 * size, k
    verdict = classify(eta, beta, mu, L)  # no overflow, no loop of 1e150 lengths
    assert verdict.cycle_length == (K or None)
    if K:  # a K-cycle, and none shorter (60 digits: rounding's own ties allowed for)
        value, size = _conic_mp(eta, beta, mu, L, K)
        assert value <= 1e-9 * size
        if K > 2:
            value, size = _conic_mp(eta, beta, mu, L, K - 1)
            assert value >= -1e-9 * size


# --- audit of issue 24: L/mu past a loop over every K ---


def _scan(eta, beta, mu, L, kmax):
    """The shortest K-cycle by trying every K in the paper's form (phi = cos(2 pi / K))."""
    K = np.arange(2, kmax + 1)
    phi = np.cos(2 * np.pi / K)
    kappa, y = mu / L, mu * eta
    margin = (
        y * y
        - 2 * (beta - phi + kappa * (1 - beta * phi)) * y
        + 2 * kappa * (1 - phi) * (1 + beta**2 - 2 * beta * phi)
    )
    scale = y * y + 4 * y * (1 + abs(beta)) + 8 * kappa * (1 + abs(beta)) ** 2
    hits = np.flatnonzero(margin <= 0)
    first = int(K[hits[0]]) if hits.size else 0
    # whether a rounding could move the answer: some K's margin within rounding of 0
    close = bool((np.abs(margin) < 1e-9 * scale).any())
    return first, close


@given(
    st.floats(1e-3, 1.0),
    st.floats(2.0, 1e5),
    st.floats(0.0, 3.0),
    st.floats(-0.95, 0.999),
)
def test_property_cycles_past_the_loop_are_the_scan_over_every_k(mu, ratio, where, beta):
    # the shortest K from the conic's roots, against a scan over every K in the paper's own form
    L = mu * ratio
    eta = where * (1 + beta) / L  # up to 1.5 times the quadratic edge
    if not eta > 0:
        return
    kmax = int(max(64, np.ceil(4 * np.pi * np.sqrt(L / mu))))
    expected, close = _scan(eta, beta, mu, L, kmax)
    if close:
        return
    got = int(cycle_lengths(eta, beta, mu, L))
    assert got == expected, (eta, beta, mu, L)


def test_the_scan_above_sees_long_cycles():
    # the property is worth something only if the solved lengths include cycles past 3,
    # long ones among them
    rng = np.random.default_rng(3)
    mu, L = 1.0, 1e4
    eta = rng.uniform(0, 4 / L, 20000)
    beta = rng.uniform(0.0, 0.999, 20000)
    K = cycle_lengths(eta, beta, mu, L)
    assert (K >= 4).sum() > 1000 and (K > 20).any()
    assert (K == _scan_many(eta, beta, mu, L)).mean() > 0.999  # all but a rounding's few


def _scan_many(eta, beta, mu, L):
    kmax = int(max(64, np.ceil(4 * np.pi * np.sqrt(L / mu))))
    return np.array([_scan(e, b, mu, L, kmax)[0] for e, b in zip(eta, beta, strict=True)])


@pytest.mark.parametrize("mu, L", [(1e-300, 10.0), (1.0, 1e300), (1e-10, 10.0)])
def test_a_huge_condition_number_is_classified(mu, L):
    # kmax = 4 pi sqrt(L/mu): 1e151 for L/mu = 1e300, a loop over K that never ended
    # (momentum rate --class smooth-strongly-convex --mu 1e-300 hung)
    verdict = classify(0.5 * 2 / L, 0.5, mu, L)
    assert verdict.verdict in ("guaranteed", "undecided", "cycles")
    # and on the command line: an answer, exit 0
    from momentum_cli.main import main

    argv = ["rate", "--eta", repr(0.5 * 2 / L), "--beta", "0.5", "--mu", repr(mu), "--L", repr(L)]
    assert main([*argv, "--class", "smooth-strongly-convex"]) == 0


@pytest.mark.parametrize("mu", [5e-324, 1e-320])
def test_a_subnormal_strong_convexity_is_classified_as_its_limit(mu):
    # audit of issue 24: L/mu = inf made the default K range int(inf), an OverflowError; and
    # every term of the conic carries mu, so at mu = 5e-324 they all rounded to 0, read as a
    # 2-cycle below the quadratic edge. As mu -> 0 the conic over mu tends to a limit that
    # mu = 1e-300 (no term underflowing) already shows: the answers must be that limit's
    assert classify(0.05, 0.5, mu, 10.0).verdict == "guaranteed"  # 0.05 < 2(1 - 0.5)/10
    assert classify(0.2, 0.5, mu, 10.0).verdict == "undecided"  # below 2(1.5)/10 = 0.3
    # beta = 0.9, eta = 0.3: a 3-cycle in the limit, (1 - phi)(1 + beta^2 - 2 beta phi) /
    # (L (beta - phi)) = 1.5 * 2.71 / 14 = 0.29 < 0.3 (phi = -1/2), below the edge 0.38
    assert classify(0.3, 0.9, mu, 10.0).cycle_length == 3
    np.testing.assert_array_equal(
        class_regions(mu, 10.0, points=9).cycles, class_regions(1e-300, 10.0, points=9).cycles
    )
