"""``derive counterexample``: Lessard, Recht and Packard's 3-cycle, against references that
share no code with the derivation (exact rationals in a plain loop, a float loop, NumPy)."""

import json
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

import theory.counterexample as counterexample
from momentum_cli.main import main
from theory.counterexample import derive_counterexample
from theory.errors import ClaimError

# Lessard, Recht and Packard (2016), section 4.6: mu = 1, L = 25, heavy ball at Polyak's
# tuning eta = 4/(sqrt L + sqrt mu)^2 = 1/9, beta = ((sqrt L - 1)/(sqrt L + 1))^2 = 4/9
ETA, BETA = Fraction(1, 9), Fraction(4, 9)


def gradient(x):
    """f'(x) as the paper writes it."""
    return 25 * x if x < 1 else x + 24 if x < 2 else 25 * x - 24


@pytest.fixture(scope="module")
def derived():
    return derive_counterexample()


def test_polyak_tuning_is_the_papers(derived):
    r = derived.results
    assert (r["eta"], r["beta"], r["quadratic_rate"]) == (
        sp.Rational(1, 9),
        sp.Rational(4, 9),
        sp.Rational(2, 3),
    )


def is_an_orbit(points) -> bool:
    """Three steps of the update in exact rationals from (p2, p0) give p1, p2, p0."""
    points = [Fraction(str(v)) for v in points]
    prev, x = points[2], points[0]
    seen = []
    for _ in range(3):
        prev, x = x, x - ETA * gradient(x) + BETA * (x - prev)
        seen.append(x)
    return seen == [points[1], points[2], points[0]] and 0 not in points


def test_the_cycle_is_an_exact_orbit_of_heavy_ball(derived):
    assert is_an_orbit(derived.results["cycle"])
    assert not is_an_orbit([Fraction(792, 1225), Fraction(-2208, 1225), Fraction(2591, 1225)])


def test_a_float_run_from_3_3_settles_on_the_cycle(derived):
    """The orbit from x0 = 3.3 (velocity 0) repeats the derived points to 1e-12."""
    prev = x = 3.3
    tail = []
    for t in range(400):
        prev, x = x, x - float(ETA) * gradient(x) + float(BETA) * (x - prev)
        if t >= 397:
            tail.append(x)
    exact = sorted(float(v) for v in derived.results["cycle"])
    assert sorted(tail) == pytest.approx(exact, abs=1e-12)


def test_the_cycle_attracts_with_the_rate_cubed(derived):
    """The product of the three steps' Jacobians (NumPy, floats) has the double eigenvalue
    -(2/3)^3: the orbits near the cycle are drawn to it, not to the minimizer."""
    eta, beta = float(ETA), float(BETA)
    points = [float(v) for v in derived.results["cycle"]]
    product = np.eye(2)
    for p in points:
        curvature = 1.0 if 1 <= p < 2 else 25.0
        product = np.array([[1 + beta - eta * curvature, -beta], [1, 0]]) @ product
    eig = np.linalg.eigvals(product)
    assert eig == pytest.approx([-8 / 27, -8 / 27], abs=1e-6)
    assert derived.results["contraction"] == sp.Rational(8, 27)


def test_the_derivations_function_is_lessards():
    from numerics.lessard import lessard_gradient

    f = counterexample.lessard_gradient()
    x = sp.Symbol("x", real=True)
    for value in (-3.5, 0.25, 1.0, 1.75, 2.0, 3.3):
        assert float(f.subs(x, sp.nsimplify(value))) == gradient(value)
        assert float(lessard_gradient(np.array([value]))[0]) == gradient(value)


def test_a_mistyped_piece_is_refused(monkeypatch):
    """f' discontinuous at 1: the derivation's continuity claim fails (a planted typo)."""
    monkeypatch.setattr(counterexample, "PIECES", ((25, 0), (1, 23), (25, -24)))
    with pytest.raises(ClaimError, match="continuous"):
        derive_counterexample()


def test_a_cycle_assumed_on_the_wrong_pieces_is_refused(monkeypatch):
    """The equations solved for points on pieces they are not on: a claim fails."""
    monkeypatch.setattr(counterexample, "CYCLE_PIECES", (0, 2, 2))
    with pytest.raises(ClaimError, match="piece"):
        derive_counterexample()


def test_json_carries_the_cycle_as_exact_strings(capsys):
    assert main(["derive", "counterexample", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["topic"] == "counterexample"
    cycle = sp.Matrix(sp.sympify(data["result"]["cycle"]["text"]))
    assert all(v.is_Rational for v in cycle) and is_an_orbit(cycle)


@pytest.mark.parametrize(
    "fmt, shown", [("text", "2592/1225"), ("latex", r"\frac{2592}{1225}"), ("markdown", "2592")]
)
def test_every_format_prints_the_cycle(capsys, fmt, shown):
    assert main(["derive", "counterexample", "--format", fmt]) == 0
    assert shown in capsys.readouterr().out


def test_the_latex_writes_named_matrices_powers_without_brackets(capsys):
    # the PDF and derivations.tex read "(M)^{-1} r" and "(J)^{3}": SymPy brackets the power of
    # any matrix expression that is not a MatrixSymbol; a named matrix is one letter, as the
    # text (M⁻¹ r) and the MathML (msup of M) write it
    assert main(["derive", "counterexample", "--format", "latex"]) == 0
    out = capsys.readouterr().out
    assert r"M^{-1} r &=" in out and r"J_{2} J_{1} J_{0} &= J^{3}" in out
    assert "(M)" not in out and "(J)" not in out
