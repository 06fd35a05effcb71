"""assert_matches: hand-written optimisers pass, planted bugs fail with a counterexample."""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numerics.testing.matching import DEFAULT_LAM_FRACTIONS, assert_matches, default_lams
from numerics.testing.trajectories import TrajectoryError
from tests.references import heavy_ball_trajectory
from tests.strategies import floats
from theory.errors import ParameterError

ETA, BETA, DAMP, WD = 0.07, 0.85, 0.3, 0.02


def sgd(*, sign=1.0, dampen=True, buffer_after=False, first_undamped=True):
    """torch.optim.SGD's momentum written the way a user would, with switches for planted bugs."""

    def traj(lam, x0, steps):
        x, buf, xs = x0, None, [x0]
        for _ in range(steps):
            g = lam * x + WD * x
            if buf is None:
                new = g if first_undamped else (1 - DAMP) * g
            else:
                new = BETA * buf + ((1 - DAMP) if dampen else 1.0) * g
            if buffer_after:  # the step uses the old buffer, then the buffer is updated
                x = x - sign * ETA * (buf if buf is not None else 0.0)
                buf = new
            else:
                buf = new
                x = x - sign * ETA * buf
            xs.append(x)
        return np.array(xs)

    return traj


def check(traj):
    assert_matches(traj, "torch_sgd", eta=ETA, beta=BETA, dampening=DAMP, weight_decay=WD)


def test_a_correct_optimiser_passes():
    check(sgd())


@pytest.mark.parametrize(
    "bug, step",
    [
        ({"sign": -1.0}, 1),  # ascends instead of descending
        ({"dampen": False}, 2),  # dampening forgotten (the first step is undamped anyway)
        ({"buffer_after": True}, 1),  # x updated with the buffer before it is updated
        ({"first_undamped": False}, 1),  # dampens the first step, which PyTorch does not
    ],
    ids=["sign", "missing dampening", "buffer after step", "first step damped"],
)
def test_a_planted_bug_fails_with_a_counterexample(bug, step):
    with pytest.raises(AssertionError) as info:
        check(sgd(**bug))
    message = str(info.value)
    assert message.startswith("the optimiser does not follow torch_sgd (eta=0.07, beta=0.85")
    assert f"the iterates first differ at step {step}:" in message
    lam = float(re.search(r"at lambda = (\S+),", message).group(1))
    expected = float(re.search(rf"expected x_{step} = (\S+)", message).group(1))
    observed = float(re.search(rf"observed x_{step} = (\S+)", message).group(1))
    # the counterexample is real: recompute both iterates here
    assert observed == sgd(**bug)(lam, 1.3, step)[step]
    assert expected == pytest.approx(sgd()(lam, 1.3, step)[step], rel=1e-12)
    assert lam == pytest.approx(
        default_lams("torch_sgd", ETA, BETA, dampening=DAMP, weight_decay=WD)[0]
    )


def test_default_lams_span_the_region_and_beyond():
    # heavy ball's edge 2 (1 + beta)/eta, typed here
    lams = default_lams("heavy_ball", 0.1, 0.5)
    np.testing.assert_allclose(lams, 30.0 * np.array(DEFAULT_LAM_FRACTIONS), rtol=1e-12)
    assert (lams < 30).sum() == 4 and (lams > 30).sum() == 1


def test_a_bug_only_outside_the_region_is_caught():
    # right while stable, wrong (clipped) once the iterates grow: only the lam beyond the edge sees it
    def traj(lam, x0, steps):
        x, v, xs = x0, 0.0, [x0]
        for _ in range(steps):
            v = 0.5 * v + lam * x
            x = float(np.clip(x - 0.1 * v, -10, 10))
            xs.append(x)
        return xs

    with pytest.raises(
        AssertionError, match=r"at lambda = 39, x0 = 1.3, the iterates first differ at step 3"
    ):
        assert_matches(traj, "heavy_ball", eta=0.1, beta=0.5)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"x0": 0.0}, "'x0' must be finite and non-zero: 0.0"),
        ({"steps": 0}, r"'steps' must be an integer in \[1, 100000\]: 0"),
        ({"lams": [1.0, -2.0]}, "'lams' must be finite curvatures > 0"),
        ({"nu": 0.5}, "unknown"),
    ],
)
def test_bad_options(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        assert_matches(sgd(), "heavy_ball", eta=0.1, beta=0.5, **kwargs)


@pytest.mark.parametrize("error, fails", [(1e-7, True), (1e-12, False)])
def test_the_tolerance_is_relative_to_the_runs_size(error, fails):
    def perturbed(lam, x0, steps):
        xs = sgd()(lam, x0, steps)
        xs[5] *= 1 + error
        return xs

    if fails:
        with pytest.raises(AssertionError, match="first differ at step 5"):
            check(perturbed)
    else:
        check(perturbed)


@given(floats(0.01, 1.0), floats(-0.9, 0.97), floats(1e-3, 5.0), st.sampled_from([1.0, -1.0]))
def test_plain_heavy_ball_matches_anywhere(eta, beta, size, sign):
    x0 = sign * size

    # heavy ball written out as a loop, at curvatures inside the region and beyond its edge
    assert_matches(
        heavy_ball_trajectory(eta, beta), "heavy_ball", eta=eta, beta=beta, x0=x0, steps=60
    )


def test_a_complex_trajectory_is_refused_not_truncated():
    # numpy would drop the imaginary parts with a warning and the check pass (issue 24)
    real = heavy_ball_trajectory(0.1, 0.9)

    def traj(lam, x0, steps):
        return np.asarray(real(lam, x0, steps)) * (1 + 1e-3j)

    with pytest.raises(TrajectoryError, match="real numbers"):
        assert_matches(traj, "heavy_ball", eta=0.1, beta=0.9)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_an_iterate_that_is_not_finite_fails_the_check(bad):
    # the theory's iterate is finite there: a NaN or an infinity is a difference (issue 24)
    real = heavy_ball_trajectory(0.1, 0.9)

    def traj(lam, x0, steps):
        xs = list(real(lam, x0, steps))
        xs[5] = bad
        return xs

    with pytest.raises(AssertionError, match="first differ at step 5"):
        assert_matches(traj, "heavy_ball", eta=0.1, beta=0.9)


def test_the_counterexample_prints_numbers_in_their_shortest_form():
    # %.17g wrote lambda = 0.3 as 0.29999999999999999, NumPy 2's repr np.float64(0.1)
    def traj(lam, x0, steps):  # heavy ball with the step size doubled
        x, v, xs = x0, 0.0, [x0]
        for _ in range(steps):
            v = 0.3 * v + lam * x
            x = x - 0.2 * v
            xs.append(x)
        return xs

    with pytest.raises(AssertionError) as info:
        assert_matches(traj, "heavy_ball", eta=np.float64(0.1), beta=np.float64(0.3), lams=[0.3])
    message = str(info.value)
    assert "heavy_ball (eta=0.1, beta=0.3)" in message and "at lambda = 0.3, x0 = 1.3," in message
    assert "np.float64" not in message and "99999999" not in message
    expected = re.search(r"expected x_1 = (\S+)", message).group(1)
    assert expected == repr(1.3 - 0.1 * 0.3 * 1.3)  # the shortest text of that double


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"x0": 1 + 1j}, "x0"),  # float() of a complex: a TypeError
        ({"x0": [1.0, 2.0]}, "x0"),  # numpy's "truth value of an array is ambiguous"
        ({"rtol": 1e-9 + 0j}, "rtol"),  # '<=' between int and complex
        ({"rtol": [1e-9]}, "rtol"),
        ({"lams": [1 + 1j]}, "lams"),
        ({"lams": "x"}, "lams"),  # numpy's "could not convert string to float"
        ({"steps": True}, "steps"),  # identify refuses a bool; here it ran one step
        ({"steps": 2.5}, "steps"),
        ({"eta": [0.1]}, "eta"),
        ({"beta": 0.5 + 0j}, "beta"),
    ],
)
def test_every_option_is_refused_with_the_toolkits_error_naming_it(kwargs, name):
    # audit of issue 24: these raised TypeError or numpy's own ValueError, or ran
    kwargs = {"eta": 0.1, "beta": 0.5, **kwargs}
    with pytest.raises(ParameterError, match=f"'{name}'"):
        assert_matches(sgd(), "heavy_ball", **kwargs)
