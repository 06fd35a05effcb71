"""The worst case over a function class: the exact quadratic one, and the SDP (PEPit, Clarabel).

References share no code with what they check: a plain loop of the method on
f = lambda/2 x^2 over a fine grid of lambda, and closed forms from the
literature.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentum_cli.main import main
from numerics.performance import (
    MAX_STEPS,
    PEP_MISSING,
    polyak_table,
    quadratic_worst_case,
    stored_polyak_table,
    worst_case,
)
from theory.errors import ParameterError

#: the SDP is solved to Clarabel's default tolerances (about 1e-8); a status
#: "optimal_inaccurate" on the quadratic class at a few steps still lands within this
SDP_REL = 1e-4
#: ... and within this up to the ten steps of the stored table (1.9e-4 at N = 9 here)
SDP_REL_LONG = 1e-3


def plain_loop_worst(eta, beta, mu, L, steps, method="heavy_ball", points=200_001, nu=0.7):
    """max over a grid of lambda in [mu, L] of (x_N / x_0)^2, each method written out by hand."""
    lam = np.linspace(mu, L, points)
    x = np.ones_like(lam)
    v = np.zeros_like(lam)
    for _ in range(steps):
        g = lam * x
        if method == "gd":
            x = x - eta * g
        elif method == "heavy_ball":  # D2L: v <- beta v + g, x <- x - eta v
            v = beta * v + g
            x = x - eta * v
        elif method == "nesterov":  # torch nesterov=True: x <- x - eta (g + beta v')
            v = beta * v + g
            x = x - eta * (g + beta * v)
        elif method == "qhm":
            # Ma and Yarats: b <- beta b + (1 - beta) g, x <- x - eta ((1 - nu) g + nu b)
            v = beta * v + (1 - beta) * g
            x = x - eta * ((1 - nu) * g + nu * v)
    return float(np.max(x**2))


@pytest.mark.parametrize(
    "method, eta, beta, mu, L, steps",
    [
        (
            "heavy_ball",
            1 / 9,
            4 / 9,
            1.0,
            25.0,
            5,
        ),  # Polyak's tuning on [1, 25] (Lessard's example)
        ("heavy_ball", 0.3, 0.37, 0.7, 5.3, 4),
        ("heavy_ball", 0.3, -0.37, 0.7, 5.3, 7),
        ("nesterov", 0.21, 0.62, 0.45, 7.9, 6),
        ("gd", 0.27, 0.0, 0.6, 6.1, 3),
    ],
)
def test_quadratic_worst_case_against_a_plain_loop(method, eta, beta, mu, L, steps):
    exact = quadratic_worst_case(eta, beta, mu, L, steps, method)
    grid = plain_loop_worst(eta, beta, mu, L, steps, method)
    # the grid's maximum is attained by a quadratic: the exact one is at least it, and the grid
    # (spacing about 3e-5) misses the true maximum by a second-order amount
    assert grid <= exact * (1 + 1e-12)
    assert exact == pytest.approx(grid, rel=1e-7)


@given(
    eta=st.floats(0.01, 1.5),
    beta=st.floats(-0.9, 0.95),
    mu=st.floats(0.05, 2.0),
    gap=st.floats(0.1, 8.0),
    steps=st.integers(1, 12),
    method=st.sampled_from(["gd", "heavy_ball", "nesterov"]),
)
def test_quadratic_worst_case_is_the_largest_ratio_on_the_spectrum(
    eta, beta, mu, gap, steps, method
):
    L = mu + gap
    exact = quadratic_worst_case(eta, 0.0 if method == "gd" else beta, mu, L, steps, method)
    grid = plain_loop_worst(eta, 0.0 if method == "gd" else beta, mu, L, steps, method, 20_001)
    assert grid <= exact * (1 + 1e-9) + 1e-300
    assert exact <= grid * (1 + 1e-3) + 1e-300


def test_quadratic_worst_case_at_one_step_is_the_worse_end():
    # one step of gd: x_1 = (1 - eta lambda) x_0, so the worst is at mu or at L
    eta, mu, L = 0.27, 0.6, 6.1
    expected = max((1 - eta * mu) ** 2, (1 - eta * L) ** 2)
    assert quadratic_worst_case(eta, 0.0, mu, L, 1, "gd") == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"eta": -0.1}, "'eta' must be finite and > 0"),
        ({"beta": 1.0}, r"'beta' must be in \(-1, 1\)"),
        ({"mu": 3.0, "L": 2.0}, "'mu' and 'L' must satisfy"),
        ({"steps": 0}, "'steps' must be an integer"),
        ({"steps": MAX_STEPS + 1}, "'steps' must be an integer"),
        ({"function_class": "convex"}, "'function_class' must be one of"),
    ],
)
def test_bad_input_is_refused_before_any_solver(kwargs, match):
    args = {"eta": 0.1, "beta": 0.5, "mu": 1.0, "L": 10.0, "steps": 3} | kwargs
    with pytest.raises(ParameterError, match=match):
        worst_case(**args)


def test_without_the_extra_the_error_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "PEPit", None)  # import PEPit now raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'momentum-theory\[pep\]'"):
        worst_case(0.1, 0.5, 1.0, 10.0, 2)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(
            [
                "worst-case",
                "--eta",
                "0.1",
                "--beta",
                "0.5",
                "--mu",
                "1",
                "--L",
                "10",
                "--steps",
                "2",
            ]
        )
    assert code == 2
    assert err.getvalue().count("\n") == 1 and PEP_MISSING in err.getvalue()


# -- the SDP (needs the [pep] extra) --------------------------------------------------------

pep = pytest.mark.skipif(
    not all(__import__("importlib").util.find_spec(m) for m in ("PEPit", "clarabel")),
    reason="pip install '.[pep]' to solve performance-estimation programs",
)


@pep
@pytest.mark.parametrize(
    "method, eta, beta, steps",
    [
        ("heavy_ball", 1 / 9, 4 / 9, 1),
        ("heavy_ball", 1 / 9, 4 / 9, 4),
        ("heavy_ball", 0.083, 0.31, 3),
        ("nesterov", 0.061, 0.55, 3),
        ("gd", 0.057, 0.0, 3),
    ],
)
def test_the_sdp_on_quadratics_is_the_exact_worst_case(method, eta, beta, steps):
    result = worst_case(eta, beta, 1.0, 25.0, steps, method, function_class="quadratic")
    assert result.theory == pytest.approx(
        plain_loop_worst(eta, beta, 1.0, 25.0, steps, method), rel=1e-7
    )
    assert result.tau == pytest.approx(result.theory, rel=SDP_REL)
    assert result.solver == "Clarabel" and result.function_class == "quadratic"


# every PEP of qhm ended in PEPit's TypeError: the extra parameter nu reached the program as a
# 0-d NumPy array, and a PEPit Point multiplies by Python numbers only
# (`momentum worst-case --method qhm --nu 0.5 --eta 0.1 --beta 0.5 --mu 1 --L 10 --steps 3`)
@pep
@settings(max_examples=10, deadline=None)  # each example solves an SDP
@given(
    nu=st.floats(0.0, 1.0),
    beta=st.floats(0.0, 0.9),
    eta=st.floats(0.005, 0.07),
    steps=st.integers(1, 3),
    function_class=st.sampled_from(["quadratic", "smooth-strongly-convex"]),
)
def test_qhm_has_a_worst_case_and_on_quadratics_it_is_the_plain_loops(
    nu, beta, eta, steps, function_class
):
    result = worst_case(eta, beta, 1.0, 25.0, steps, "qhm", function_class=function_class, nu=nu)
    loop = plain_loop_worst(eta, beta, 1.0, 25.0, steps, "qhm", points=20_001, nu=nu)
    if function_class == "quadratic":
        assert result.theory == pytest.approx(loop, rel=1e-6)
        assert result.tau == pytest.approx(loop, rel=SDP_REL)
    else:  # every quadratic of the class is in it: the worst case is at least the quadratics'
        assert result.tau >= loop * (1 - SDP_REL)


@pep
def test_gradient_descent_on_smooth_strongly_convex_functions_matches_the_literature():
    # Taylor, Hendrickx and Glineur (2018, "Exact worst-case convergence rates of the proximal
    # gradient method for composite convex minimization", Theorem 3.3): for gd with step h in
    # (0, 2/L), f(x_N) - f* <= max((1 - h mu)^2, (1 - h L)^2)^N (f(x_0) - f*), and it is tight
    mu, L, h, n = 0.7, 9.0, 0.19, 3
    expected = max((1 - h * mu) ** 2, (1 - h * L) ** 2) ** n
    assert worst_case(h, 0.0, mu, L, n, "gd").tau == pytest.approx(expected, rel=SDP_REL)


@pep
def test_polyaks_tuning_is_no_promise_beyond_quadratics():
    # Lessard, Recht and Packard (2016): heavy ball tuned by Polyak's rule for [1, 25] converges
    # at rate 2/3 on every quadratic of the class, but not on every smooth strongly convex
    # function. The worst case over the class grows with N; over the quadratics it shrinks.
    eta, beta = 1 / 9, 4 / 9
    sc = [worst_case(eta, beta, 1.0, 25.0, n).tau for n in (2, 4, 6)]
    quad = [quadratic_worst_case(eta, beta, 1.0, 25.0, n) for n in (2, 4, 6, 12)]
    assert sc[0] < sc[1] < sc[2] and sc[2] > 1
    assert quad[-1] < 0.05 and quad[-1] < quad[0]
    # the class holds every quadratic: its worst case is never smaller
    assert all(s >= q * (1 - SDP_REL) for s, q in zip(sc, quad, strict=False))


@pep
def test_the_command_prints_the_worst_case_and_its_keys():
    out = io.StringIO()
    argv = ["worst-case", "--eta", "1/9", "--beta", "4/9", "--mu", "1", "--L", "25"]
    with contextlib.redirect_stdout(out):
        assert main([*argv, "--steps", "3", "--class", "quadratic", "--json"]) == 0
    data = json.loads(out.getvalue())
    assert {"tau", "steps", "class", "solver", "theory"} <= set(data)
    assert data["steps"] == 3 and data["class"] == "quadratic" and data["solver"] == "Clarabel"
    assert data["theory"] == pytest.approx(quadratic_worst_case(1 / 9, 4 / 9, 1, 25, 3))
    assert data["tau"] == pytest.approx(data["theory"], rel=SDP_REL)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([*argv, "--steps", "3", "--json"]) == 0
    data = json.loads(out.getvalue())
    assert data["class"] == "smooth-strongly-convex" and "theory" not in data


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--mu", "25", "--L", "1", "--steps", "3"], "--mu must be < --L"),
        (["--mu", "1", "--L", "25", "--steps", "41"], "--steps must be in [1, 40]"),
        (["--mu", "1", "--L", "25", "--steps", "3", "--class", "convex"], "invalid choice"),
    ],
)
def test_the_command_refuses_bad_input_in_one_line(extra, message):
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["worst-case", "--eta", "0.1", "--beta", "0.5", *extra])
    assert code == 2 and message in err.getvalue() and err.getvalue().count("\n") == 1


def test_the_stored_table_on_quadratics_is_the_exact_worst_case():
    # the report draws the stored SDP values: on the quadratics they must be the exact answer
    table = stored_polyak_table()
    assert (table["eta"], table["beta"]) == pytest.approx((1 / 9, 4 / 9), rel=1e-15)
    assert table["quadratic"] == pytest.approx(table["quadratic_exact"], rel=SDP_REL_LONG)
    assert table["quadratic_exact"][-1] == pytest.approx(
        plain_loop_worst(1 / 9, 4 / 9, 1.0, 25.0, table["steps"][-1]), rel=1e-7
    )
    # the class holds the quadratics, and its worst case grows at Polyak's tuning (Lessard et al.)
    sc = table["smooth-strongly-convex"]
    assert all(s >= q * (1 - SDP_REL_LONG) for s, q in zip(sc, table["quadratic"], strict=True))
    assert sc[-1] > 2 * sc[2] > 1


@pep
def test_the_stored_table_is_what_the_solver_gives_now():
    steps = (1, 6, 10)
    stored = stored_polyak_table()
    fresh = polyak_table(steps)
    for cls in ("quadratic", "smooth-strongly-convex"):
        want = [stored[cls][stored["steps"].index(n)] for n in steps]
        assert fresh[cls] == pytest.approx(want, rel=SDP_REL_LONG)


# -- every method the command offers, and the parameters it takes ---------------------------


def plain_loop_qhm_worst(eta, beta, nu, mu, L, steps, points=200_001):
    """QHM written out by hand (Ma and Yarats 2019): b <- beta b + (1 - beta) g, x <- x - eta ((1 - nu) g + nu b)."""
    lam = np.linspace(mu, L, points)
    x, b = np.ones_like(lam), np.zeros_like(lam)
    for _ in range(steps):
        g = lam * x
        b = beta * b + (1 - beta) * g
        x = x - eta * ((1 - nu) * g + nu * b)
    return float(np.max(x**2))


@pep
def test_qhm_has_a_worst_case_and_on_quadratics_it_is_the_exact_one():
    # qhm's extra parameter came to PEPit's points as a 0-d NumPy array, which a point refuses
    # to be multiplied by: `momentum worst-case --method qhm` ended in a TypeError traceback
    result = worst_case(0.09, 0.6, 1.0, 25.0, 3, "qhm", function_class="quadratic", nu=0.7)
    assert result.theory == pytest.approx(
        plain_loop_qhm_worst(0.09, 0.6, 0.7, 1.0, 25.0, 3), rel=1e-7
    )
    assert result.tau == pytest.approx(result.theory, rel=SDP_REL)
    err, out = io.StringIO(), io.StringIO()
    argv = ["worst-case", "--method", "qhm", "--nu", "0.7", "--eta", "0.09", "--beta", "0.6"]
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main([*argv, "--mu", "1", "--L", "25", "--steps", "3", "--json"])
    assert (code, err.getvalue()) == (0, "")
    assert json.loads(out.getvalue())["tau"] > 0


def test_weight_decay_is_refused_with_the_class_to_ask_for_instead():
    # decay pulls the iterates to the minimizer of f + wd/2 |x|^2, not f's: f's gap has no worst
    # case (the program is unbounded), and the command said "Clarabel could not solve ...
    # fewer steps" after a solve, which no number of steps mends
    with pytest.raises(ParameterError, match=r"\[mu \+ wd, L \+ wd\]"):
        worst_case(0.1, 0.5, 1.0, 10.0, 2, "torch_sgd", dampening=0.0, weight_decay=0.01)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(
            ["worst-case", "--eta", "0.1", "--beta", "0.5", "--mu", "1", "--L", "10"]
            + ["--steps", "2", "--weight-decay", "0.01"]
        )
    assert code == 2 and err.getvalue().count("\n") == 1
    assert "--weight-decay" in err.getvalue() and "Clarabel" not in err.getvalue()


def test_a_program_clarabel_cannot_solve_is_one_line_with_the_exact_answer_on_quadratics(
    monkeypatch,
):
    # past about N = 10 on the quadratic class Clarabel fails; the command's line then named a
    # library function ("quadratic_worst_case") to a command-line user, without its value
    import numerics.performance as performance

    def fails(*args, function_class, **kwargs):
        raise performance.SolverError(f"Clarabel could not solve the {function_class} program")

    monkeypatch.setattr(performance, "worst_case", fails)
    argv = ["worst-case", "--eta", "1/9", "--beta", "4/9", "--mu", "1", "--L", "25", "--steps"]
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main([*argv, "20", "--class", "quadratic"])
    line = err.getvalue()
    assert code == 2 and line.count("\n") == 1 and line.startswith("momentum worst-case: ")
    exact = plain_loop_worst(1 / 9, 4 / 9, 1.0, 25.0, 20)
    assert f"{quadratic_worst_case(1 / 9, 4 / 9, 1.0, 25.0, 20):.6g}" in line
    assert quadratic_worst_case(1 / 9, 4 / 9, 1.0, 25.0, 20) == pytest.approx(exact, rel=1e-7)
    assert "quadratic_worst_case" not in line
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main([*argv, "20"])
    assert code == 2 and err.getvalue().startswith("momentum worst-case: ")
    assert "fewer --steps" in err.getvalue()
