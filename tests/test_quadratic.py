import numpy as np
import pytest
import sympy as sp
from hypothesis import given

from numerics.simulate import simulate
from tests.strategies import spd_matrices, vectors
from theory.engine.derivation import identity
from theory.errors import ClaimError, NotSPDError, ParameterError
from theory.quadratic import derive_minimizer, minimizer, minimum


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
