"""The explorer page: self-contained, offline, and its numbers agree with numerics.

The browser tests open the page in headless Chromium (Debian's ``chromium``;
skipped, visibly, where it is missing). One browser for the session
(``tests/browser.py``) loads 240 random links one after the other and reads
every ``data-quantity``; the test compares each with
:mod:`numerics` and :mod:`theory`, which share no code with the page's
JavaScript (the page's formulas are SymPy expressions printed as JavaScript;
the generic algebra around them is written again in JavaScript).
"""

from __future__ import annotations

import functools
import math
import random
import re

import pytest

import numerics
import theory
from momentum_cli.explorer import explorer_html
from momentum_cli.main import main
from tests.browser import CHROMIUM, chromium_dom
from tests.explorer_reference import assert_agrees, library, shown_state

needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt)")
#: D2L 11.6's printed train_2d lines (f = 0.1 x1^2 + 2 x2^2 from (-5, -2), 20 epochs)
D2L_PRINTED = [
    ("method=gd&eta=0.4", "epoch 20, x1: -0.943467, x2: -0.000073"),
    ("method=gd&eta=0.6", "epoch 20, x1: -0.387814, x2: -1673.365109"),
    ("method=heavy-ball&eta=0.6&beta=0.5", "epoch 20, x1: 0.007188, x2: 0.002553"),
    ("method=heavy-ball&eta=0.6&beta=0.25", "epoch 20, x1: -0.126340, x2: -0.186632"),
]


@functools.cache
def page() -> str:
    return explorer_html()


# ---- the page as a file -------------------------------------------------------------------


def test_page_is_one_small_self_contained_file():
    html = page()
    assert len(html.encode()) < 100_000  # the README promises under 100 kB
    # the browser itself forbids every request the page could make
    assert "default-src 'none'" in html
    urls = set(re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"'<>)]*", html))
    assert urls <= {"http://www.w3.org/2000/svg"}  # an XML namespace name, never fetched
    for pattern in (
        r"\bsrc\s*=",
        r"<link\b",
        r"\bfetch\(",
        "XMLHttpRequest",
        r"@import",
        r"\bimport\(",
    ):
        assert not re.search(pattern, html), pattern


def test_page_formulas_are_printed_from_the_derivations():
    # the trace of Nesterov's R as SymPy derives it, printed by jscode, is in the page
    import sympy as sp

    from theory.methods import get_method, state_matrix

    trace = state_matrix(get_method("nesterov")).trace()
    printed = sp.jscode(trace.xreplace({theory.symbols.lam: sp.Symbol("lam")}))
    assert printed in page()


def test_explore_command_writes_the_page(tmp_path, capsys):
    out = tmp_path / "explorer.html"
    assert main(["explore", "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == page()
    assert "open it in a browser" in capsys.readouterr().out


def test_explore_to_standard_output(capsys):
    assert main(["explore", "--output", "-"]) == 0
    assert capsys.readouterr().out.startswith("<!doctype html>")


# ---- the page in a browser ----------------------------------------------------------------


def _fragments(n: int) -> list[dict]:
    """Random points across every method and option (fixed seed: deterministic)."""
    rng = random.Random(20171)
    out = []
    for i in range(n):
        method = ("gd", "heavy-ball", "nesterov", "qhm")[i % 4]
        lam = 10 ** rng.uniform(-2, 2)
        s: dict = {"method": method, "eta": rng.uniform(0.02, 5.0) / lam, "lam": lam}
        if method == "heavy-ball":
            s["beta"] = rng.uniform(-0.95, 0.995)
        elif method != "gd":
            s["beta"] = rng.uniform(0.0, 0.995)
        mu = 10 ** rng.uniform(-3, 1)
        s["mu"], s["L"] = mu, mu * 10 ** rng.uniform(0, 4)
        if method == "qhm":  # nu = 0 too: x runs alone, the buffer's mode unseen (issue 24)
            s["nu"] = rng.choice([0.0, rng.uniform(0, 1)])
        if method != "qhm" and rng.random() < 0.5:  # torch SGD's options (gd: weight decay)
            s["weight_decay"] = 10 ** rng.uniform(-4, 0)
            if method == "heavy-ball":
                s["dampening"] = rng.choice([0.0, rng.uniform(0, 0.9)])
        if i % 8 >= 4:  # every method: heavy ball's verdict on the class, a dash for the rest
            s["class"] = "smooth-strongly-convex"
        out.append(s)
    return out


def test_200_random_fragments_agree_with_numerics(explorer):
    states = _fragments(240)
    links = [{k: v if isinstance(v, str) else repr(v) for k, v in s.items()} for s in states]
    results = [explorer.show("&".join(f"{k}={v}" for k, v in link.items())) for link in links]
    # nothing but the pages was requested: the explorer itself asks for nothing
    assert all(q["resources"] == [] for q in results)
    assert {p for p in explorer.requested if p not in ("/next", "/favicon.ico")} == {
        "/harness.html",
        "/explorer.html",
    }
    assert len(results) == len(states) >= 200
    compared = 0
    for link, q in zip(states, results, strict=True):
        assert q["errors"] == [] and q["rendered"], (link, q["errors"])
        assert q["status"] == "", (link, q["status"])
        s = shown_state(q)
        assert {k: s[k] for k in link} == link
        compared += assert_agrees(s, q)
        # the tuned rate is the worst case over [mu, L] that numerics computes for it; the
        # tuning damps both ends critically (a double root), so rounding grows to sqrt(eps)
        if s["method"] != "qhm":
            method, params = library(s)
            tuned = [float(q[k][0]) for k in ("tuned_eta", "tuned_beta", "tuned_rate")]
            worst = numerics.worst_case_rate(*tuned[:2], s["mu"], s["L"], method, **params)
            assert math.isclose(float(worst), tuned[2], rel_tol=1e-6), link
    assert compared >= 200


@needs_chromium
@pytest.mark.parametrize("fragment, printed", D2L_PRINTED)
def test_d2l_links_show_d2l_printed_points(tmp_path, fragment, printed):
    # a real navigation to the link (location.hash), in a fresh browser
    path = tmp_path / "explorer.html"
    path.write_text(page(), encoding="utf-8")
    dom = chromium_dom(f"{path.as_uri()}#{fragment}", tmp_path / "profile")
    cell = re.search(r'data-quantity="d2l_line"[^>]*>([^<]*)<', dom)
    assert cell is not None and cell.group(1) == printed
