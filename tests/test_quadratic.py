import json
import random
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st

from numerics.simulate import simulate
from tests.strategies import huge_rationals, mixed_scale_spd, spd_matrices, vectors
from theory.engine.derivation import identity
from theory.errors import ClaimError, NotSPDError, ParameterError
from theory.quadratic import as_spd_matrix, derive_minimizer, minimizer, minimum


def test_spot_check_exact():
    # issue 2's spot check: Q = [[2,1],[1,3]], c = (1,-1), b = 2
    d = derive_minimizer([[2, 1], [1, 3]], [1, -1], 2)
    assert d.results["minimizer"] == sp.Matrix([sp.Rational(-4, 5), sp.Rational(3, 5)])
    assert d.results["minimum"] == sp.Rational(13, 10)
    assert minimizer([[2, 1], [1, 3]], [1, -1]) == d.results["minimizer"]
    assert minimum([[2, 1], [1, 3]], [1, -1], 2) == sp.Rational(13, 10)


def test_fractions_and_floats():
    d = derive_minimizer([["1/2", 0], [0, 2]], ["1/3", 1], "1/7")
    assert d.results["minimizer"] == sp.Matrix([sp.Rational(-2, 3), sp.Rational(-1, 2)])
    f = derive_minimizer([[2.0, 1.0], [1.0, 3.0]], [1.0, -1.0], 2.0)
    assert abs(float(f.results["minimum"]) - 1.3) < 1e-12


def test_symbolic_dimension_n():
    d = derive_minimizer()
    assert str(d.results["minimizer"]) == "-Q**(-1)*c"
    assert len(d.steps) == 4


def test_the_minimum_is_a_scalar():
    # b - 1/2 c^T Q^{-1} c, not the 1x1 matrix b I - 1/2 c^T Q^{-1} c
    from theory.engine.reader_text import plain

    d = derive_minimizer()
    minimum = d.results["minimum"]
    assert not isinstance(minimum, sp.MatrixExpr) and minimum.is_commutative
    assert plain(minimum) == plain(d.shown("minimum")) == "b − 1/2 cᵀ Q⁻¹ c"
    assert (minimum - sp.Symbol("b", real=True)).could_extract_minus_sign()


def test_d2l_sign_is_rejected():
    # D2L 11.6 completes the square around +Q^{-1}c; the checker must refuse it.
    Q = sp.Matrix([[2, 1], [1, 3]])
    c = sp.Matrix([1, -1])
    x = sp.Matrix(sp.symbols("x1 x2"))
    h = (x.T * Q * x)[0, 0] / 2 + (c.T * x)[0, 0] + 2
    wrong = x - Q.inv() * c
    hstar = 2 - (c.T * Q.inv() * c)[0, 0] / 2
    with pytest.raises(ClaimError):
        identity("D2L's square", (wrong.T * Q * wrong)[0, 0] / 2 + hstar, h)


@pytest.mark.parametrize(
    "Q, message",
    [
        ([[1, 2], [3, 4]], r"symmetric: Q\[0,1\] = 2 but Q\[1,0\] = 3"),
        ([[1, 2], [2, 1]], "positive definite: its smallest eigenvalue is -1"),
        ([[1, 2, 3]], "square"),
    ],
)
def test_not_spd_says_why(Q, message):
    with pytest.raises(NotSPDError, match=message):
        derive_minimizer(Q, [1] * len(Q[0]), 0)


def test_size_mismatch():
    with pytest.raises(ParameterError, match="'c' must have 2 entries"):
        minimizer([[2, 1], [1, 3]], [1, 2, 3])


@given(spd_matrices(n_max=3), vectors(3), vectors(1))
def test_property_minimizer_matches_numpy(problem, cvec, bvec):
    # property 5: SymPy's minimizer = np.linalg.solve's; gradient 0; minimum formula
    Q, _ = problem
    n = Q.shape[0]
    c, b = cvec[:n], float(bvec[0])
    d = derive_minimizer(Q.tolist(), c.tolist(), b)
    xs = np.array(d.results["minimizer"], dtype=float).ravel()
    np.testing.assert_allclose(xs, np.linalg.solve(Q, -c), rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(Q @ xs + c, 0, atol=1e-8)
    h = 0.5 * xs @ Q @ xs + c @ xs + b
    assert float(d.results["minimum"]) == pytest.approx(
        b - 0.5 * c @ np.linalg.solve(Q, c), abs=1e-8
    )
    assert h == pytest.approx(float(d.results["minimum"]), abs=1e-8)


@given(spd_matrices(n_max=4), vectors(4))
def test_property_iterates_converge_to_minimizer(problem, cvec):
    # property 5: GD and tuned momentum reach x* when the step is stable
    Q, eigs = problem
    n = Q.shape[0]
    c = cvec[:n]
    mu, L = eigs.min(), eigs.max()
    sk = np.sqrt(L / mu)
    runs = [
        ("gd", 2 / (mu + L), 0.0, (L - mu) / (L + mu)),
        (
            "heavy_ball",
            4 / (np.sqrt(L) + np.sqrt(mu)) ** 2,
            ((sk - 1) / (sk + 1)) ** 2,
            (sk - 1) / (sk + 1),
        ),
    ]
    xstar = np.linalg.solve(Q, -c)
    for method, eta, beta, rate in runs:
        steps = int(min(4000, max(50, 40 / max(1 - rate, 1e-3))))
        run = simulate(eta, beta, Q=Q, c=c, x0=np.zeros(n), steps=steps, method=method)
        err = np.linalg.norm(run.final[0] - xstar)
        assert err <= 1e-6 * max(1.0, np.linalg.norm(xstar)), (method, err)


# --- issue 24: definiteness decided exactly at every scale; numbers too long to print ---


GRADED = [
    [0.00021460923420461668, 4.524054332007661e-10, 0.08919089165646428],
    [4.524054332007661e-10, 2.229426010066556e-14, -2.970194738428914e-06],
    [0.08919089165646428, -2.970194738428914e-06, 11347.668148005157],
]


@given(mixed_scale_spd(), st.sampled_from(["float", "decimal", "fraction"]))
# D A D, D = diag(1e-2, 1e-7, 1e2): numpy's eigvalsh says -1e-9 < 0, so it was refused
@example((np.array(GRADED), 3), "float")
def test_property_mixed_scales_spd_accepted_indefinite_refused(q_n, given_as):
    # D A D is positive definite by construction whatever D's scales (1e-16 beside 1e16);
    # with one eigenvalue of A negative it is indefinite at every scale
    Q, n = q_n
    entries = {
        "float": Q.tolist(),
        "decimal": [[repr(float(v)) for v in row] for row in Q],
        "fraction": [[Fraction(float(v)) for v in row] for row in Q],
    }[given_as]
    as_spd_matrix(entries)


@given(mixed_scale_spd(definite=False))
def test_property_mixed_scales_indefinite_refused(q_n):
    Q, _ = q_n
    with pytest.raises(NotSPDError, match="positive definite"):
        as_spd_matrix(Q.tolist())


def _twelve_by_twelve(digits: int, seed: int = 0):
    """A 12 x 12 SPD matrix of rationals p/q (p of ``digits`` digits, q of one less) and a c."""
    rng = random.Random(seed)

    def number():
        return Fraction(
            rng.randint(10 ** (digits - 1), 10**digits),
            rng.randint(10 ** (digits - 2), 10 ** (digits - 1)),
        )

    Q = [[Fraction(0)] * 12 for _ in range(12)]
    for i in range(12):
        for j in range(i, 12):
            Q[i][j] = Q[j][i] = number()
        Q[i][i] = Fraction(10 ** (digits + 2))  # dominant diagonal: positive definite
    return Q, [number() for _ in range(12)]


def test_thirty_digit_twelve_by_twelve_is_refused_not_a_traceback():
    # issue 24: its minimizer's numbers pass Python's 4300-digit printing limit; the numbers'
    # size is measured by fraction-free elimination before SymPy starts (seconds, not minutes)
    Q, c = _twelve_by_twelve(30)
    with pytest.raises(ParameterError, match="more than 1,000 digits"):
        derive_minimizer(Q, c, Fraction(1, 3))


def _cramer(Q, c):
    """x* = -Q^{-1} c by Cramer's rule in Python's fractions (2 x 2)."""
    (a, b), (_, d) = Q
    det = a * d - b * b
    return [-(d * c[0] - b * c[1]) / det, -(a * c[1] - b * c[0]) / det]


RATIONALS = huge_rationals(60) | huge_rationals(1500)


@given(RATIONALS, RATIONALS, RATIONALS, RATIONALS)
@settings(max_examples=30)
def test_property_huge_rationals_print_exactly_or_are_refused(a, b, c0, c1):
    # [[|a| + |b| + 1, b], [b, |a| + |b| + 2]] is diagonally dominant, so positive definite;
    # the printed minimizer, read back, is Cramer's (or the derivation says the numbers are
    # too long)
    Q = [[abs(a) + abs(b) + 1, b], [b, abs(a) + abs(b) + 2]]
    try:
        d = derive_minimizer(Q, [c0, c1], 1)
    except ParameterError as exc:
        assert "digits" in str(exc)
        return
    text = json.dumps({k: str(v) for k, v in d.results.items()})
    printed = sp.sympify(json.loads(text)["minimizer"])
    assert [Fraction(str(v)) for v in printed] == _cramer(Q, [c0, c1])
    assert d.to_text() and d.to_latex()


@pytest.mark.parametrize("b", [[0], "x+1", None.__class__, 10**500])
def test_derive_refuses_a_b_that_is_not_one_number(b):
    with pytest.raises(ParameterError, match="'b' must hold"):
        derive_minimizer([[2, 1], [1, 3]], [1, -1], b)
