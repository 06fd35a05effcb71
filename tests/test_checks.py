"""The public API answers bad values with ParameterError (naming the parameter) or TypeError (issue 11)."""

import decimal
import time
import tracemalloc
import warnings

import numpy as np
import pytest

import numerics
import theory
from numerics.checks import count, real_array, real_number
from theory.errors import ParameterError, describe
from theory.methods import HEAVY_BALL, state_matrix


@pytest.fixture(autouse=True)
def _warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ComplexWarning or RuntimeWarning is a failure here
        yield


def _airfoil():
    return numerics.load_airfoil()


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: numerics.volume_summary([0.1, 0.2], [0.1], []),
            ParameterError,
            "'lam' must be a non-empty 1-D",
        ),
        (
            lambda: numerics.volume_summary([], [0.1], [1.0]),
            ParameterError,
            "'eta' must be a non-empty 1-D",
        ),
        (
            lambda: numerics.train_sgd(*_airfoil(), 0.01, 0.9, record_every=0),
            ParameterError,
            r"'record_every' must be an integer in \[1, ",
        ),
        (
            lambda: numerics.train_sgd(*_airfoil(), 0.01, 0.9, epochs="2"),
            TypeError,
            "'epochs' must be an integer",
        ),
        (
            lambda: numerics.axis(0, 1, 10**10),
            ParameterError,
            r"'axis' must have N in \[2, 50,000,000\] points: 10000000000",
        ),
        (
            lambda: numerics.axis(0, 1, np.array([2, 3])),
            TypeError,
            "'axis' must have an integer number of points",
        ),
        (
            lambda: numerics.axis(np.array([0, 0.5]), 1, 5),
            ParameterError,
            "'axis' bounds must be single numbers",
        ),
        (
            lambda: numerics.worst_case_rate(0.5, 0.5, np.array([1, 2]), 4),
            ParameterError,
            "'mu' must be a single number",
        ),
        (
            lambda: numerics.spectral_radius(1e300, 0.5, 1e300, "qhm", nu=0.7),
            ParameterError,
            r"'eta' \* 'lam' is too large: the state matrix overflows a float \(eta\*lam up to 1e600\)",
        ),
        (
            lambda: numerics.eigenvalues(1e300, 0.5, 1e300, "nesterov"),
            ParameterError,
            r"'eta' \* 'lam' is too large",
        ),
        (
            lambda: numerics.gradient_noise_covariance(*_airfoil(), 0),
            ParameterError,
            r"'batch_size' must be an integer in \[1, 1,500\]: 0",
        ),
        (
            lambda: numerics.best_for_spectrum([], [0.5], 1, 4),
            ParameterError,
            "'eta' must be a non-empty 1-D",
        ),
        (lambda: numerics.best_for_spectrum([0.5], [0.5], 4, 1), ParameterError, "0 < mu <= L"),
        (
            lambda: numerics.rate_grid([0.1], [], 1.0),
            ParameterError,
            "'beta' must be a non-empty 1-D",
        ),
        (
            lambda: numerics.spectral_radius(np.array([0.5 + 1j]), 0.5, 1.0),
            ParameterError,
            "'eta' must be a real number",
        ),
        (
            lambda: numerics.spectral_radius(0.5, np.array([0.5 + 0j]), 1.0),
            ParameterError,
            "'beta' must be a real number",
        ),
        (
            lambda: numerics.simulate(np.array([0.5 + 1j]), 0.5, lams=[1, 2], x0=[1, 1]),
            ParameterError,
            "'eta' must be a real number",
        ),
        (
            lambda: numerics.simulate(0.5, 0.5, lams=[1, 2j], x0=[1, 1]),
            ParameterError,
            "'lams' must be a real number",
        ),
        (
            lambda: numerics.simulate(0.5, 0.5, lams=[1, 2], x0=[1, 1], steps="20"),
            TypeError,
            r"'steps' must be an integer in \[0, 1,000,000\]: '20'",
        ),
        (
            lambda: numerics.simulate(0.5, 0.5, lams=[1, -2], x0=[1, 1]),
            ParameterError,
            "'lams' must be a non-empty list of curvatures > 0",
        ),
        (
            lambda: numerics.simulate(0.5, 0.5, lams=[], x0=[]),
            ParameterError,
            "'lams' must be a non-empty",
        ),
        (
            lambda: numerics.simulate([0.5, 0.6], [0.1, 0.2, 0.3], lams=[1], x0=[1]),
            ParameterError,
            "'eta' and 'beta' must have one entry or the same number: 2 and 3",
        ),
        (
            lambda: numerics.stationary_variance(0.1, 0.5, 1.0, 1e200),
            ParameterError,
            r"'sigma' is too large: the variance 0.103448 \* sigma\^2 overflows a float",
        ),
        (
            lambda: numerics.stationary_variance(0.1, 0.5, 1.0, 1e-200),
            ParameterError,
            "'sigma' is too small",
        ),
        (
            lambda: numerics.stationary_variance(0.1, 0.5, 1.0, 1 + 1j),
            ParameterError,
            "'sigma' must be a real number",
        ),
        (
            lambda: numerics.stationary_covariance(np.nan, 0.5, [[1.0]], [[1.0]]),
            ParameterError,
            "'eta' must be finite",
        ),
        (
            lambda: numerics.stationary_covariance(0.1, 0.5, [[1.0]], [[np.inf]]),
            ParameterError,
            "'noise_cov' must be a finite",
        ),
        (
            lambda: numerics.stationary_covariance(1.9, 0.0, [[1.0]], [[1e308]]),
            ParameterError,
            "'noise_cov' is too large: the stationary covariance overflows",
        ),
        (
            lambda: numerics.monte_carlo_variance(0.1, 0.5, 1.0, 1.0, chains=1.5),
            ParameterError,
            r"'chains' must be an integer in \[2, 1,000,000\]",
        ),
        (
            lambda: theory.leaky_average(10**6),
            ParameterError,
            r"'steps' must be in \[0, 10,000\]: 1000000",
        ),
        (lambda: theory.leaky_average(2.0), TypeError, "'steps' must be an integer"),
        (
            lambda: theory.optimal_parameters(3, 10**4000 + 7),
            ParameterError,
            "'L' has too many digits: .* an integer of about 4000 digits",
        ),
        (
            lambda: theory.optimal_parameters(3, 10**5000),
            ParameterError,
            "an integer of about 5000 digits",
        ),
        (
            lambda: theory.optimal_parameters("1e-99999999", 1),
            ParameterError,
            "'mu' is too long or its exponent too large",
        ),
        (
            lambda: theory.optimal_parameters(1 + 2j, 3),
            ParameterError,
            "'mu' must be a real number",
        ),
        (lambda: state_matrix("adam"), ParameterError, "'method' must be one of"),
    ],
)
def test_bad_values_get_the_projects_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_state_matrix_takes_a_name():
    assert state_matrix("heavy_ball") == state_matrix(HEAVY_BALL)
    assert state_matrix("heavy-ball") == state_matrix(HEAVY_BALL)


def test_huge_exact_inputs_are_refused_at_once():
    start = time.process_time()
    for args in ((3, 10**4000 + 7), ("1e-99999999", 1), (1, "1e99999999")):
        with pytest.raises(ParameterError):
            theory.optimal_parameters(*args)
    with pytest.raises(ParameterError):
        theory.leaky_average(10**6)
    assert time.process_time() - start < 5  # generous: these took 17 s and 70 s before


def _largest_root_modulus(eta, beta, lam) -> float:
    """Heavy ball's rho from z^2 - (1 + beta - eta lam) z + beta in 60-digit decimals (no NumPy)."""
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        t = 1 + decimal.Decimal(beta) - decimal.Decimal(eta) * decimal.Decimal(lam)
        disc = t * t - 4 * decimal.Decimal(beta)
        assert disc > 0  # real roots at these points
        return float(max(abs(t + disc.sqrt()), abs(t - disc.sqrt())) / 2)


@pytest.mark.parametrize(
    "eta, beta, lam",
    [(0.6, -0.99, 1e300), (1e200, 0.3, 7e100), (3e-300, -0.5, 1e300), (1.5, 1e200, 1.0)],
)
def test_huge_rates_are_computed_without_overflow(eta, beta, lam):
    rho = float(numerics.spectral_radius(eta, beta, lam))
    assert rho == pytest.approx(_largest_root_modulus(eta, beta, lam), rel=1e-12)
    eig = numerics.eigenvalues(eta, beta, lam)
    assert np.isfinite(eig).all()
    assert abs(eig[0]) == pytest.approx(rho, rel=1e-12)


def test_describe_keeps_messages_short():
    assert describe(10**5000) == "an integer of about 5000 digits"
    assert describe("x" * 500).endswith("...") and len(describe("x" * 500)) == 60
    assert describe([10**5000]) == "a list too large to print"


def test_checks_helpers():
    assert real_number(np.float32(0.5), "x") == 0.5
    assert count(np.int64(3), "n", 0, 5) == 3
    assert count(4.0, "n", 0, 5) == 4
    with pytest.raises(TypeError, match="'n' must be an integer"):
        count(True, "n", 0, 5)
    with pytest.raises(ParameterError, match="'x' must be finite"):
        real_array([1.0, np.inf], "x")
    assert real_array([1.0, np.inf], "x", finite=False)[1] == np.inf


def _peak_bytes(call) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_diagonal_simulation_costs_n_times_steps():
    n, steps = 10_000, 100
    lams = np.linspace(0.01, 3.0, n)
    x0 = np.linspace(-5, 5, n)
    run = numerics.simulate(0.5, 0.4, lams=lams, x0=x0, steps=steps)
    # the trajectory is (steps + 1) n numbers; a dense Q alone would be n^2 = 100 million
    peak = _peak_bytes(lambda: numerics.simulate(0.5, 0.4, lams=lams, x0=x0, steps=steps))
    assert peak < 4 * (steps + 1) * n * 8
    # reference: each coordinate is a scalar heavy ball, run as a plain loop
    for i in (0, n // 2, n - 1):
        x, v = x0[i], 0.0
        for _ in range(steps):
            v = 0.4 * v + lams[i] * x
            x = x - 0.5 * v
        assert run.final[0, i] == pytest.approx(x, rel=1e-12, abs=1e-300)
    assert run.Q.shape == (n, n) or n > 2  # the dense matrix only on request


def test_sampled_worst_cases_run_in_bounded_blocks():
    etas, betas = np.linspace(0.05, 1.0, 30), np.linspace(0.0, 0.95, 30)
    peak = _peak_bytes(lambda: numerics.best_for_spectrum(etas, betas, 1.0, 10.0, "qhm", nu=0.7))
    # unchunked, the 30 x 30 x 2049 rates alone are 14.8 MB, with temporaries several times that
    assert peak < 60 * 2**20
    best = numerics.best_for_spectrum(etas, betas, 1.0, 10.0, "qhm", nu=0.7)
    grid = numerics.worst_case_grid(etas, betas, 1.0, 10.0, "qhm", nu=0.7)
    assert best == grid.best()
    with pytest.raises(ParameterError, match="too much work: at most 488,042 points"):
        numerics.best_for_spectrum(
            np.linspace(0.1, 1, 1000), np.linspace(0, 0.9, 1000), 1, 10, "qhm", nu=0.7
        )
