import warnings

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from numerics.rates import spectral_radius
from numerics.simulate import d2l_line, simulate, simulate_d2l
from tests.strategies import floats, inside_region, outside_region, spd_matrices, vectors
from theory.errors import NotSPDError, ParameterError

# D2L 11.6 (and the seed's printed outputs): train_2d on f = 0.1 x1^2 + 2 x2^2
D2L_RUNS = [
    ("gd", 0.4, 0.0, "epoch 20, x1: -0.943467, x2: -0.000073"),
    ("gd", 0.6, 0.0, "epoch 20, x1: -0.387814, x2: -1673.365109"),
    ("heavy_ball", 0.6, 0.5, "epoch 20, x1: 0.007188, x2: 0.002553"),
    ("heavy_ball", 0.6, 0.25, "epoch 20, x1: -0.126340, x2: -0.186632"),
]


@pytest.mark.parametrize("method, eta, beta, line", D2L_RUNS)
def test_d2l_literature_values(method, eta, beta, line):
    assert d2l_line(simulate_d2l(eta, beta, method=method)) == line


def test_batched_equals_single_runs():
    batch = simulate([0.6, 0.6, 0.4], [0.5, 0.25, 0.0], lams=[0.2, 4], x0=[-5, -2])
    for i, (_, eta, beta, _) in enumerate([D2L_RUNS[2], D2L_RUNS[3], D2L_RUNS[0]]):
        one = simulate(eta, beta, lams=[0.2, 4], x0=[-5, -2])
        np.testing.assert_array_equal(batch.x[:, i], one.x[:, 0])


def test_divergence_is_a_result():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = simulate(50.0, 0.9, lams=[0.2, 4], x0=[-5, -2], steps=3000)
    assert run.diverged[0] and run.diverged_at[0] > 0
    gd = simulate_d2l(0.6, method="gd")
    assert gd.diverged[0] and 0 < gd.diverged_at[0] <= 20
    assert not simulate_d2l(0.6, 0.5).diverged[0]


def _cancellation_rtol(eta, lam, steps):
    """Relative error floats allow in (1 - eta lam)^t x: each step's x - eta (lam x) loses
    about eps (1 + eta lam) / |1 - eta lam| when 1 - eta lam cancels."""
    factor = (1 + eta * lam) / max(abs(1 - eta * lam), 1e-300)
    return 1e-9 + 4 * np.finfo(float).eps * factor * (np.asarray(steps) + 1)


def _state_matrix(eta, beta, lam):
    return np.array([[beta, lam], [-eta * beta, 1 - eta * lam]])


@given(inside_region(), floats(-3, 3), st.integers(1, 60))
@example((0.09461538978925443, 1e-06, 10.569115682209778), 1.0, 14)  # 1 - eta lam ~ 1e-6
def test_property_iterates_equal_matrix_power(point, x0, steps):
    # property 1: simulated iterates = R^t (v0, x0), for heavy ball and gd
    eta, beta, lam = point
    run = simulate(eta, beta, lams=[lam], x0=[x0], steps=steps)
    for t in (1, steps // 2, steps):
        v_x = np.linalg.matrix_power(_state_matrix(eta, beta, lam), t) @ np.array([0.0, x0])
        assert run.x[t, 0, 0] == pytest.approx(v_x[1], rel=1e-9, abs=1e-12 * max(1, abs(x0)))
    gd = simulate(eta, lams=[lam], x0=[x0], steps=steps, method="gd")
    rtol = _cancellation_rtol(eta, lam, steps)
    assert gd.x[steps, 0, 0] == pytest.approx((1 - eta * lam) ** steps * x0, rel=rtol, abs=1e-300)


def _contraction_bound(R: np.ndarray, rho: float, t: np.ndarray) -> np.ndarray:
    """||R^t|| <= (t + 1) rho^(t-1) max(rho, ||R||_F) for a 2x2 R with spectral radius rho.

    From the Schur form R = U [[a, b], [0, c]] U^*: the corner of T^t is
    b sum_k a^k c^(t-1-k), at most |b| t rho^(t-1), and |b| <= ||R||_F. This is
    ||s_t|| <= C (t + 1) rho^t ||s_0|| with C = max(rho, ||R||_F) / rho.
    """
    c = max(rho, np.linalg.norm(R))
    with np.errstate(divide="ignore"):
        power = np.where(t == 0, 1.0, rho ** np.maximum(t - 1, 0) * c)
    return (t + 1) * power


#: below this multiple of the scale, floats cannot follow a contraction
FLOAT_FLOOR = 1e-12


@given(inside_region(beta_lo=0.0), st.sampled_from([1.0, -2.0]))
@example(
    (0.25806451612903225, 2.5324495588525885e-113, 3.875), 1.0
)  # rho ~ 5e-57: rounding dominates
@example((1.000000000001, 1e-12, 1.0), 1.0)  # 1 - eta lam ~ 1e-12: cancellation
def test_property_contracts_at_theory_rate(point, x0):
    # property 2: ||s_t|| <= C (t+1) rho^t ||s_0||, and ||s_t||^(1/t) -> rho
    eta, beta, lam = point
    rho = float(spectral_radius(eta, beta, lam))
    steps = 200
    run = simulate(eta, beta, lams=[lam], x0=[x0], steps=steps)
    xs = run.x[:, 0, 0]
    v = np.concatenate([[0.0], -(xs[1:] - xs[:-1]) / eta])  # v_t = (x_{t-1} - x_t)/eta
    s = np.hypot(v, xs)
    t = np.arange(steps + 1)
    R = _state_matrix(eta, beta, lam)
    bound = _contraction_bound(R, rho, t) * abs(x0)
    # rounding: each step adds ~eps ||R|| ||s|| that floats cannot contract away, and v is
    # recovered from x by a division by eta
    floor = FLOAT_FLOOR * (1 + np.linalg.norm(R)) * abs(x0) * max(1.0, 1 / eta)
    assert (s <= bound * (1 + 1e-9) + floor).all()
    # gradient descent: one state, |x_t| = rho^t |x_0| exactly (C = 1, no (t + 1))
    rho_gd = float(spectral_radius(eta, 0.0, lam, "gd"))
    gd = simulate(eta, lams=[lam], x0=[x0], steps=steps, method="gd").x[:, 0, 0]
    if rho_gd < 1:
        rtol = _cancellation_rtol(eta, lam, t)
        assert (np.abs(gd) <= rho_gd**t * abs(x0) * (1 + rtol) + 1e-300).all()


@given(outside_region())
def test_property_grows_outside_region(point):
    eta, beta, lam = point
    for method, b in (("heavy_ball", beta), ("gd", 0.0)):
        rho = float(spectral_radius(eta, b, lam, method))
        if rho <= 1:  # gd can be stable where heavy ball with beta > 0 is not
            continue
        steps = int(min(2000, 40 / np.log(rho))) + 5
        run = simulate(eta, b, lams=[lam], x0=[1.0], steps=steps, method=method)
        assert abs(run.x[-1, 0, 0]) > 1.0 or run.diverged[0]


@given(inside_region(beta_lo=0.05), st.integers(300, 600))
@example((1.5, 0.5, 1.0), 300)  # found by Hypothesis: a single-window estimate was 5% off
def test_property_root_rate_approaches_rho(point, steps):
    eta, beta, lam = point
    rho = float(spectral_radius(eta, beta, lam))
    run = simulate(eta, beta, lams=[lam], x0=[1.0], steps=steps)
    xs = np.abs(run.x[:, 0, 0])
    # maxima over windows longer than an oscillation period cancel the constant
    half = steps // 2
    early, late = xs[half - 40 : half + 1].max(), xs[steps - 40 : steps + 1].max()
    if late < 1e-250 or early == 0:  # underflow: nothing left to measure
        return
    assert (late / early) ** (1 / (steps - half)) == pytest.approx(rho, rel=0.02)


@given(spd_matrices(n_min=2, n_max=4), vectors(4), floats(0.05, 0.95), floats(0.0, 0.9))
def test_property_decoupling(problem, x0v, frac, beta):
    # property 6: iterate in x = rotate, iterate each eigen-coordinate alone, rotate back
    Q, _ = problem
    n = Q.shape[0]
    x0 = x0v[:n]
    w, V = np.linalg.eigh(Q)
    eta = frac * 2 * (1 + beta) / w.max()
    full = simulate(eta, beta, Q=Q, x0=x0, steps=30)
    z0 = V.T @ x0
    diag = simulate(eta, beta, lams=w, x0=z0, steps=30)
    back = diag.x[:, 0, :] @ V.T
    np.testing.assert_allclose(
        full.x[:, 0, :], back, rtol=1e-8, atol=1e-9 * max(1, np.abs(x0).max())
    )


def test_trajectory_has_steps_plus_one_rows():
    run = simulate(0.1, 0.5, lams=[1.0], x0=[1.0], steps=7)
    assert run.x.shape == (8, 1, 1) and run.x[0, 0, 0] == 1.0 and run.steps == 7


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"Q": [[1, 2], [3, 4]], "x0": [1, 1]}, NotSPDError, "symmetric"),
        ({"Q": [[1, 0], [0, -1]], "x0": [1, 1]}, NotSPDError, "smallest eigenvalue is -1"),
        ({"lams": [1, 2], "x0": [1, 1, 1]}, ParameterError, "'x0' must have 2 entries"),
        ({"lams": [1], "x0": [1], "steps": -1}, ParameterError, "'steps'"),
    ],
)
def test_bad_problems(kwargs, error, message):
    with pytest.raises(error, match=message):
        simulate(0.1, 0.5, **kwargs)


# --- the divergence threshold (issue 13, area 2) ---


def _first_step_past(x0: float, factor: float, threshold: float) -> int:
    """First t with |x0 factor^t| > threshold, by a plain loop."""
    x, t = abs(x0), 0
    while x <= threshold:
        x, t = x * abs(factor), t + 1
    return t


@pytest.mark.parametrize("x0", [1e-3, 0.5, 1e3])
def test_divergence_threshold_is_100_times_the_start_floored_at_1(x0):
    # gd with eta lam = 2.5 multiplies x by -1.5 a step; a run counts as diverged once
    # |x_t - x*| > 100 max(|x_0 - x*|, 1)
    run = simulate(1.25, lams=[2.0], x0=[x0], steps=60, method="gd")
    expected = _first_step_past(x0, 1.5, 100 * max(abs(x0), 1.0))
    assert run.diverged[0] and run.diverged_at[0] == expected


def test_a_start_at_the_minimizer_does_not_diverge():
    # from x* itself the distance stays at rounding level: the floor of 1 keeps 100 * 0 from
    # declaring every wobble a divergence
    Q = np.array([[2.5, 0.5], [0.5, 1.5]])
    c = np.array([0.1, -0.7])
    xstar = -np.linalg.solve(Q, c)
    run = simulate([0.1, 0.3], [0.5, 0.7], Q=Q, c=c, x0=xstar, steps=50)
    assert np.abs(run.x - xstar).max() > 0  # the iterates do wobble
    assert not run.diverged.any() and (run.diverged_at == -1).all()
    np.testing.assert_allclose(run.minimizer, xstar, rtol=1e-14)


def test_errors_are_euclidean_distances_to_the_minimizer():
    Q = np.array([[2.5, 0.5], [0.5, 1.5]])
    c = np.array([0.1, -0.7])
    run = simulate([0.1, 0.3], [0.5, 0.2], Q=Q, c=c, x0=[1.0, 2.0], steps=5)
    xstar = np.linalg.solve(Q, -c)
    err = run.errors()
    assert err.shape == (6, 2)
    for t in range(6):
        for k in range(2):
            d = run.x[t, k] - xstar
            assert err[t, k] == pytest.approx(np.sqrt(d[0] ** 2 + d[1] ** 2), rel=1e-12)
