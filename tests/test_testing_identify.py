"""Black-box identification against hand-written optimisers and closed forms typed here."""

import numpy as np
import pytest
from hypothesis import example, given, settings

from numerics.rates import spectral_radius
from numerics.testing.identify import (
    RESIDUAL_TOL,
    IdentificationError,
    identify,
    max_stable_lam,
)
from numerics.testing.trajectories import theory_trajectory
from tests.references import heavy_ball_trajectory
from tests.strategies import floats, inside_region
from theory.errors import ParameterError

#: agreement of identified and closed-form rates away from double roots
RATE_RTOL = 1e-9


def hb_rate(eta, beta, lam):
    """Largest root modulus of z^2 - (1 + beta - eta lam) z + beta, by np.roots."""
    return np.abs(np.roots([1.0, -(1 + beta - eta * lam), beta])).max()


def discriminant(eta, beta, lam):
    s = 1 + beta - eta * lam
    return abs(s * s - 4 * beta) / max(s * s, abs(beta), 1e-300)


@given(inside_region(beta_lo=0.0))
@example((0.5, 0.25, 1.0))  # complex roots of modulus sqrt(beta) = 0.5
def test_heavy_ball_polynomial_and_rate(point):
    eta, beta, lam = point
    found = identify(heavy_ball_trajectory(eta, beta), lam)
    assert found.linear
    if beta > 1e-4:
        assert found.order == 2 and found.transient == 0
        # a small coefficient is known to about the residual, relative to the largest one
        np.testing.assert_allclose(
            found.coefficients, [1.0, -(1 + beta - eta * lam), beta], rtol=1e-8, atol=1e-9
        )
    elif beta == 0:  # v = g: no memory, x_{t+1} = (1 - eta lam) x_t
        assert found.order == 1
    # else a second root of size ~beta may fall below the residual tolerance after a step
    # near a double root the roots are only sqrt(eps)-accurate, in any method of finding them
    rtol = RATE_RTOL if discriminant(eta, beta, lam) > 1e-4 else 1e-6
    assert found.spectral_radius == pytest.approx(hb_rate(eta, beta, lam), rel=rtol)
    assert found.residual <= RESIDUAL_TOL


def test_gradient_descent_is_order_one():
    found = identify(theory_trajectory("gd", eta=0.3), 2.5)
    assert (found.order, found.transient) == (1, 0)
    assert found.coefficients == pytest.approx([1.0, -(1 - 0.3 * 2.5)], rel=1e-12)


def test_a_first_step_of_its_own_is_a_transient():
    # heavy ball whose first step is twice as long: the recurrence holds from x_1 on
    def traj(lam, x0, steps):
        eta, beta = 0.05, 0.6
        v = lam * x0
        xs = [x0, x0 - 2 * eta * v]
        for _ in range(steps - 1):
            v = beta * v + lam * xs[-1]
            xs.append(xs[-1] - eta * v)
        return xs

    found = identify(traj, 2.0)
    assert (found.order, found.transient) == (2, 1)
    assert found.spectral_radius == pytest.approx(hb_rate(0.05, 0.6, 2.0), rel=RATE_RTOL)


def test_order_three():
    # x <- x - eta g + beta1 (x - x_prev) + beta2 (x_prev - x_prev2): characteristic cubic
    eta, b1, b2, lam = 0.2, 0.5, -0.2, 1.7

    def traj(lam, x0, steps):
        xs = [x0, x0, x0]
        for _ in range(steps):
            x, p, q = xs[-1], xs[-2], xs[-3]
            xs.append(x - eta * lam * x + b1 * (x - p) + b2 * (p - q))
        return xs[2:]

    found = identify(traj, lam)
    cubic = [1.0, -(1 - eta * lam + b1), b1 - b2, b2]
    assert found.order == 3
    np.testing.assert_allclose(found.coefficients, cubic, rtol=1e-8, atol=1e-12)
    assert found.spectral_radius == pytest.approx(np.abs(np.roots(cubic)).max(), rel=RATE_RTOL)


def adam_like(lr):
    def traj(lam, x0, steps):  # Adam's update written out (beta1 0.9, beta2 0.999)
        x, m, s, xs = x0, 0.0, 0.0, [x0]
        for t in range(1, steps + 1):
            g = lam * x
            m, s = 0.9 * m + 0.1 * g, 0.999 * s + 0.001 * g * g
            x = x - lr * (m / (1 - 0.9**t)) / (np.sqrt(s / (1 - 0.999**t)) + 1e-8)
            xs.append(x)
        return xs

    return traj


@pytest.mark.parametrize(
    "traj",
    [
        adam_like(0.1),
        # a step-size schedule: linear in x0, but no fixed recurrence
        lambda lam, x0, steps: x0 * np.cumprod([1.0] + [1 - 0.5 / (t + 1) for t in range(steps)]),
        # x_t = x0 / (1 + t |x0|): not homogeneous in x0
        lambda lam, x0, steps: [x0 / (1 + t * abs(x0)) for t in range(steps + 1)],
    ],
    ids=["adam", "schedule", "not homogeneous"],
)
def test_nonlinear_or_time_varying_is_not_linear(traj):
    found = identify(traj, 1.0)
    assert not found.linear
    assert np.isnan(found.spectral_radius) and found.coefficients.size == 0
    assert found.residual > 1e-6


@settings(max_examples=15)  # each example bisects: about 40 identifications
@given(floats(0.01, 1.0), floats(0.0, 0.95))
def test_max_stable_lam_is_the_closed_form(eta, beta):
    # heavy ball's region 0 < eta lam < 2 (1 + beta) (Jury), typed here
    found = max_stable_lam(heavy_ball_trajectory(eta, beta), lam=1.0)
    assert found == pytest.approx(2 * (1 + beta) / eta, rel=1e-8)


def test_max_stable_lam_limits_and_errors():
    always = lambda lam, x0, steps: [x0 * 0.5**t for t in range(steps + 1)]  # noqa: E731
    assert max_stable_lam(always, lam_range=(1e-3, 1e3)) == float("inf")
    never = lambda lam, x0, steps: [x0 * 2.0**t for t in range(steps + 1)]  # noqa: E731
    assert np.isnan(max_stable_lam(never, lam_range=(1e-3, 1e3)))
    with pytest.raises(IdentificationError, match="no linear recurrence"):
        max_stable_lam(adam_like(0.1))
    with pytest.raises(ParameterError, match="'lam_range'"):
        max_stable_lam(always, lam=5.0, lam_range=(1.0, 2.0))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"starts": (1.0, 0.0)}, "'starts' must be finite, non-zero"),
        ({"steps": 5}, r"'steps' must be an integer in \[18, 100000\]: 5"),
    ],
)
def test_identify_rejects_bad_options(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        identify(heavy_ball_trajectory(0.1, 0.5), 1.0, **kwargs)
    with pytest.raises(ParameterError, match="'lam' must be finite and > 0: -2.0"):
        identify(heavy_ball_trajectory(0.1, 0.5), -2.0)


def test_rates_of_theory_trajectories_for_every_builtin():
    for method, params in [
        ("nesterov", {}),
        ("qhm", {"nu": 0.7}),
        ("torch_sgd", {"dampening": 0.3, "weight_decay": 0.05}),
        ("torch_sgd_nesterov", {"dampening": 0.0, "weight_decay": 0.05}),
    ]:
        found = identify(theory_trajectory(method, eta=0.11, beta=0.83, **params), 2.9)
        rho = float(spectral_radius(0.11, 0.83, 2.9, method, **params))
        assert found.spectral_radius == pytest.approx(rho, rel=RATE_RTOL), method


@pytest.mark.parametrize("tol", [-1.0, 0.0, float("nan"), float("inf"), "x"])
def test_identify_refuses_a_residual_tolerance_that_is_not_positive(tol):
    # tol = -1 or NaN accepted every fit or none (issue 24)
    with pytest.raises(ParameterError, match="'tol'"):
        identify(heavy_ball_trajectory(0.1, 0.9), 1.0, tol=tol)


def test_a_change_in_the_held_out_steps_is_not_a_recurrence():
    # heavy ball whose step halves at step 32 of 40: the fit on the first two thirds is exact,
    # the held-out third breaks it, so there is no fixed recurrence (a plain loop; issue 24)
    def traj(lam, x0, steps):
        x, v, xs = x0, 0.0, [x0]
        for t in range(steps):
            v = 0.9 * v + lam * x
            x = x - (0.1 if t < 32 else 0.05) * v
            xs.append(x)
        return xs

    found = identify(traj, 1.0, steps=40)
    assert not found.linear and found.residual > 1e-6


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"rtol": 1e-10 + 0j}, "rtol"),  # '<' between int and complex: a TypeError
        ({"rtol": [1e-10]}, "rtol"),
        ({"lam_range": (1e-12, 1e12 + 1j)}, "lam_range"),  # float() of a complex
        ({"lam_range": (1e-12,)}, "lam_range"),  # unpacking: a ValueError of Python's
        ({"lam_range": 5}, "lam_range"),  # not iterable: a TypeError
    ],
)
def test_max_stable_lam_refuses_bad_options_with_the_toolkits_error(kwargs, name):
    # audit of issue 24: the toolkit's own error naming the option, whatever the value
    from numerics.testing import max_stable_lam, theory_trajectory

    with pytest.raises(ParameterError, match=f"'{name}'"):
        max_stable_lam(theory_trajectory("heavy_ball", eta=0.1, beta=0.5), **kwargs)
