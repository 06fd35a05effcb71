"""The tight envelope C rho^t: it bounds the run, it is the eigen-decomposition's, and it is touched.

The reference is heavy ball as a 2 x 2 matrix (tests/references.py) with
numpy's eigenvectors: the start (v, x) = (0, x0) written in R's eigenbasis,
each mode's share of x summed in modulus. Nothing of the toolkit's
computation is shared.
"""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from numerics.envelope import envelope
from numerics.simulate import simulate
from tests.references import heavy_ball_matrix
from tests.strategies import floats, inside_region


def _reference_constant(eta, beta, lam, x0) -> float:
    """sum_k |a_k| with x_t = sum_k a_k z_k^t, from numpy's eigenvectors of R."""
    R = heavy_ball_matrix(eta, beta, lam)
    _, U = np.linalg.eig(R)
    coords = np.linalg.solve(U, np.array([0.0, x0], complex))  # the start in the eigenbasis
    return float(np.abs(coords * U[1]).sum())


def _loop(eta, beta, lam, x0, steps):
    x, v, xs = x0, 0.0, [x0]
    for _ in range(steps):
        v = beta * v + lam * x
        x = x - eta * v
        xs.append(x)
    return np.abs(np.array(xs))


@given(inside_region(beta_lo=0.0), floats(-3.0, 3.0).filter(lambda v: abs(v) > 0.01))
def test_the_envelope_bounds_the_run_and_is_the_eigenvectors(point, x0):
    eta, beta, lam = point
    R = heavy_ball_matrix(eta, beta, lam)
    z = np.linalg.eigvals(R)
    # distinct roots a margin apart: near a double root C = sum |a_k| grows without bound
    assume(abs(z[0] - z[1]) > 1e-3 * max(abs(z).max(), 1e-3))
    run = simulate(eta, beta, lams=[lam], x0=[x0], steps=80)
    env = envelope(run, lam)
    assert env.slope == 0.0 and env.start == 0
    assert env.rho == pytest.approx(float(np.abs(z).max()), rel=1e-9, abs=1e-12)
    assert env.constant == pytest.approx(_reference_constant(eta, beta, lam, x0), rel=1e-6)
    errors = _loop(eta, beta, lam, x0, 80)
    bound = env.bound(np.arange(81))
    assert (errors <= bound * (1 + 1e-9) + 1e-300).all()


@given(st.floats(0.05, 0.95), st.floats(0.2, 5.0))
def test_at_critical_damping_the_envelope_grows_linearly_and_still_bounds(beta, lam):
    eta = (1 - np.sqrt(beta)) ** 2 / lam  # the double root z = sqrt(beta)
    run = simulate(eta, beta, lams=[lam], x0=[1.0], steps=60)
    env = envelope(run, lam)
    errors = _loop(eta, beta, lam, 1.0, 60)
    assert (errors <= env.bound(np.arange(61)) * (1 + 1e-6)).all()
    # x_t = (1 + b t) z^t exactly, with b from x_1 = (1 - eta lam) x_0
    b = (1 - eta * lam) / np.sqrt(beta) - 1
    assert env.constant == pytest.approx(1.0) and env.slope == pytest.approx(abs(b), rel=1e-6)


def test_the_report_run_touches_its_envelope_within_one_percent():
    """The report's figure says the run touches its envelope within 1%: so it does."""
    eta, beta, lam = 0.5, 0.5, 1.5
    run = simulate(eta, beta, lams=[lam], x0=[1.0], steps=60)
    env = envelope(run, lam)
    ratio = _loop(eta, beta, lam, 1.0, 60) / env.bound(np.arange(61))
    assert ratio.max() <= 1 + 1e-9
    assert ratio.max() >= 0.99
    # the loose textbook form is far above: the old figure's (t + 1) rho^t
    assert (np.arange(61) + 1)[-1] * env.rho**60 / env.bound(60) > 50


def test_a_run_of_several_coordinates_is_refused():
    from theory.errors import ParameterError

    run = simulate(0.5, 0.5, lams=[1.0, 2.0], x0=[1.0, 1.0], steps=5)
    with pytest.raises(ParameterError, match="one coordinate"):
        envelope(run, 1.0)


@pytest.mark.parametrize(
    "lam", [1 + 1j, [1.0], None, 10**400, "x"], ids=["complex", "list", "None", "10**400", "text"]
)
def test_a_curvature_that_is_not_one_real_number_is_the_toolkits_error(lam):
    # audit of issue 24: float(lam) raised TypeError or OverflowError
    from theory.errors import ParameterError

    run = simulate(0.1, 0.5, lams=[1.0], x0=[1.0], steps=40)
    with pytest.raises(ParameterError, match="'lam'"):
        envelope(run, lam)
