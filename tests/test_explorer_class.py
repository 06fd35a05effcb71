"""The explorer's overlay beyond quadratics (issue 26): heavy ball on every smooth strongly convex f.

The page's own functions are evaluated in the session's headless Chromium
(``Browser.call``, tests/browser.py) at sample points and compared with
:mod:`numerics.class_regions`, which types Goujaud, Taylor and Dieuleveut's
conic in NumPy (and is checked against the class's interpolation conditions
in tests/test_class_regions.py); the page's conic is printed from
:mod:`theory.smooth_class`, where it is derived. The links' overlay, note and
verdict are read as a reader sees them.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from numerics.class_regions import (
    _default_kmax,
    class_regions,
    classify,
    cycle_lengths,
    cycle_margin,
    guaranteed_max_eta,
)
from tests.explorer_reference import shown_state

ON = "smooth-strongly-convex"
#: classes (mu, L) from Lessard's [1, 25] to a condition number of 10^4
SPECTRA = [(1.0, 25.0), (0.1, 1.0), (1.0, 100.0), (0.3, 3000.0)]


def show(explorer, link: dict[str, str]) -> dict:
    q = explorer.show("&".join(f"{k}={v}" for k, v in link.items()))
    assert q["errors"] == [] and q["rendered"], (link, q["errors"])
    assert q["resources"] == [], link  # nothing fetched: the page stays offline
    return q


def _scale(eta, beta, mu, L):
    """The size of the conic's terms: its rounding is a few ulps of this."""
    y = mu * eta
    return y * y + 4 * y * (1 + abs(beta)) + 8 * mu / L * (1 + abs(beta)) ** 2


# ---- the page's functions against numerics, point by point ---------------------------------


def test_guaranteed_edge_is_numerics(explorer):
    rng = np.random.default_rng(26)
    points = [
        (b, L)
        for b, L in zip(rng.uniform(-0.5, 1.2, 200), 10 ** rng.uniform(-3, 3, 200), strict=True)
    ]
    points += [(0.0, 7.0), (0.999, 7.0), (1.0, 7.0), (-1e-9, 7.0)]
    page = explorer.call("guaranteedMaxEta", points)
    for (b, L), got in zip(points, page, strict=True):
        expected = float(guaranteed_max_eta(b, L))
        if math.isnan(expected):
            assert got is None, (b, L, got)  # NaN through JSON
        else:
            assert math.isclose(got, expected, rel_tol=4e-16), (b, L, got, expected)


def test_cycle_margin_is_numerics(explorer):
    rng = np.random.default_rng(261)
    n = 400
    mu = 10 ** rng.uniform(-3, 1, n)
    L = mu * 10 ** rng.uniform(0.01, 4, n)
    beta = rng.uniform(-0.9, 0.999, n)
    eta = rng.uniform(0.01, 4.5, n) / L
    K = rng.integers(2, 300, n)
    page = explorer.call("cycleMargin", zip(eta, beta, mu, L, K.tolist(), strict=True))
    for i, got in enumerate(page):
        expected = float(cycle_margin(eta[i], beta[i], mu[i], L[i], int(K[i])))
        tol = 1e-14 * _scale(eta[i], beta[i], mu[i], L[i])
        assert abs(got - expected) <= tol, (eta[i], beta[i], mu[i], L[i], K[i], got, expected)


def _decidable(eta, beta, mu, L) -> bool:
    """No cycle's conic and no edge within rounding of the point: both sides must agree there."""
    margins = cycle_margin(eta, beta, mu, L, np.arange(2, _default_kmax(mu, L) + 1))
    edges = [2 * (1 + beta) / L, float(guaranteed_max_eta(beta, L))]
    near_edge = any(abs(eta - e) <= 1e-9 * e for e in edges if math.isfinite(e))
    return bool(np.min(np.abs(margins)) > 1e-9 * _scale(eta, beta, mu, L)) and not near_edge


@pytest.mark.parametrize("mu, L", SPECTRA)
def test_cycle_length_and_verdict_are_numerics(explorer, mu, L):
    rng = np.random.default_rng(int(L))
    beta = rng.uniform(-0.5, 0.995, 150)
    eta = rng.uniform(0.005, 1.1, 150) * 2 * (1 + beta) / L  # both sides of the quadratic edge
    points = [(e, b, mu, L) for e, b in zip(eta, beta, strict=True) if _decidable(e, b, mu, L)]
    assert len(points) >= 140
    lengths = explorer.call("cycleLength", points)
    verdicts = explorer.call("classVerdict", points)
    seen = set()
    for p, K, (verdict, safe, shortest) in zip(points, lengths, verdicts, strict=True):
        assert K == int(cycle_lengths(*p)), p
        expected = classify(*p)
        assert verdict == expected.verdict and shortest == expected.cycle_length, (p, expected)
        if safe is None:  # NaN through JSON: beta < 0
            assert math.isnan(expected.guaranteed_max_eta), p
        else:
            assert math.isclose(safe, expected.guaranteed_max_eta, rel_tol=4e-16), p
        seen.add(verdict)
    # the comparison is worth something only if every verdict occurs
    assert seen == {"guaranteed", "undecided", "cycles", "diverges on a quadratic"}


@pytest.mark.parametrize("mu, L", SPECTRA)
def test_the_drawn_cycle_region_is_numerics_cycle_region(explorer, mu, L):
    # the map shades, row by row, the steps below the quadratic edge with a cycle of 3 or more
    regions = class_regions(mu, L, points=120)
    spans = explorer.call("cycleIntervals", [(b, mu, L) for b in regions.beta])
    compared = 0
    for j, rows in enumerate(spans):
        ends = np.array(rows, dtype=float).reshape(-1, 2)
        # below the quadratic edge (the page's closed form and numerics' may differ by an ulp)
        assert (ends[:, 0] >= 0).all() and (
            ends[:, 1] <= regions.quadratic_edge[j] * (1 + 4e-16)
        ).all()
        assert (ends[1:, 0] > ends[:-1, 1]).all()  # sorted, disjoint
        inside = ((regions.eta[:, None] >= ends[:, 0]) & (regions.eta[:, None] <= ends[:, 1])).any(
            1
        )
        # a cell within rounding of an end may fall either way
        near = (np.abs(regions.eta[:, None] - ends.ravel()) <= 1e-9 * ends.ravel()).any(1)
        assert (inside == regions.cycles[:, j])[~near].all(), (regions.beta[j], rows)
        compared += int((~near).sum())
    assert regions.cycles.any() and compared > 0.99 * regions.cycles.size


# ---- what a reader sees ---------------------------------------------------------------------


def test_polyaks_tuning_for_lessards_class_shows_a_three_cycle(explorer):
    # Lessard, Recht and Packard (2016): heavy ball at Polyak's tuning for [1, 25] cycles
    link = {"method": "heavy-ball", "eta": "1/9", "beta": "4/9", "lam": "25", "mu": "1", "L": "25"}
    q = show(explorer, {**link, "class": ON})
    verdict, _, K = json.loads(q["class_verdict"][0])
    assert (verdict, K) == ("cycles", 3)
    assert q["class_verdict"][1].startswith("cycles: some f of the class has a 3-cycle")
    # the note says what the overlay is for; at lambda = L the map's edge is the class's
    assert "whole class" in q["class_note"] and "at \u03bb = L = 25" in q["class_note"]
    assert "a cycle on some f of the class" in q["map_key"]
    assert "converges on every f" in q["map_key"]
    assert "edge on every quadratic" not in q["map_key"]  # one line with the map's own edge
    # at another curvature the class's quadratic edge is drawn apart, with its key entry
    q = show(explorer, {**link, "lam": "1", "class": ON})
    assert "edge on every quadratic" in q["map_key"] and "press \u03bb = L" in q["class_note"]


def test_the_overlay_is_off_by_default_and_old_links_show_what_they_showed(explorer):
    q = show(explorer, {"method": "nesterov", "eta": "0.3", "beta": "0.8", "colour": "regime"})
    assert q["status"] == "" and q["class_control"] is False and q["class_note"] is None
    assert "class=" not in q["state"] and "a cycle on some" not in q["map_key"]


@pytest.mark.parametrize("lam", ["25", "2.5"])
def test_the_class_is_kept_in_the_link(explorer, lam):
    link = {"method": "heavy-ball", "eta": "0.05", "beta": "0.7", "lam": lam, "mu": "1", "L": "25"}
    q = show(explorer, {**link, "class": ON})
    assert q["status"] == "" and q["class_control"] is True
    assert shown_state(q)["class"] == ON
    # the page's own link reproduces the view
    again = show(explorer, dict(p.split("=") for p in q["state"].split("&")))
    assert again["state"] == q["state"] and again["class_control"] is True
    assert again["class_verdict"] == q["class_verdict"] and again["map_key"] == q["map_key"]


def test_an_unknown_class_is_noted_and_the_rest_of_the_link_kept(explorer):
    q = show(explorer, {"method": "heavy-ball", "eta": "0.05", "class": "convex"})
    assert "unknown class 'convex'" in q["status"] and "smooth-strongly-convex" in q["status"]
    assert q["class_control"] is False and shown_state(q)["eta"] == 0.05


@pytest.mark.parametrize(
    "link, why",
    [
        ({"method": "nesterov", "beta": "0.5"}, "heavy ball"),
        ({"method": "gd"}, "heavy ball"),
        ({"method": "qhm", "beta": "0.5", "nu": "0.7"}, "heavy ball"),
        ({"method": "heavy-ball", "dampening": "0.1"}, "without dampening or weight decay"),
        ({"method": "heavy-ball", "weight_decay": "0.001"}, "without dampening or weight decay"),
        ({"method": "heavy-ball", "mu": "3", "L": "3"}, "\u03bc < L"),
    ],
)
def test_where_the_overlay_does_not_apply_the_page_says_why(explorer, link, why):
    q = show(explorer, {"eta": "0.2", **link, "class": ON})
    assert q["status"] == "" and q["class_control"] is True
    assert q["class_note"].startswith("Not drawn:") and why in q["class_note"], q["class_note"]
    assert "a cycle on some" not in q["map_key"]
    assert q["class_verdict"][0] == "null" and q["class_verdict"][1].startswith("\u2014")
