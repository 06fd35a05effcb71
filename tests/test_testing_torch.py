"""Real PyTorch optimisers through numerics.testing: SGD follows its theory, Adam has no rate.

Skipped, visibly, where torch is not installed (``pip install '.[torch]'``).
"""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.rates import max_stable_lam as closed_form_max_stable_lam
from numerics.rates import spectral_radius
from numerics.testing import assert_matches, identify, max_stable_lam, torch_trajectory
from numerics.testing.strategies import floats, inside_region, outside_region
from theory.methods import torch_sgd

torch = pytest.importorskip("torch", reason="torch not installed: pip install '.[torch]'")

#: the identified rate against the closed form (relative)
RATE_RTOL = 1e-9

COMBINATIONS = [
    (m, d, n, wd)
    for m, d, n, wd in itertools.product([0.0, 0.6, 0.93], [0.0, 0.35], [False, True], [0.0, 0.04])
    if not (n and (m == 0 or d != 0))  # torch: nesterov needs momentum > 0 and no dampening
]


def sgd(lr, momentum, dampening, nesterov, weight_decay):
    return torch_trajectory(
        lambda p: torch.optim.SGD(
            p,
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            nesterov=nesterov,
            weight_decay=weight_decay,
        )
    )


@pytest.mark.parametrize("momentum, dampening, nesterov, weight_decay", COMBINATIONS)
def test_every_sgd_combination_follows_its_method(momentum, dampening, nesterov, weight_decay):
    lr = 0.08
    method, params = torch_sgd(momentum, dampening, nesterov, weight_decay)
    traj = sgd(lr, momentum, dampening, nesterov, weight_decay)
    assert_matches(traj, method, eta=lr, beta=momentum, **params)


@st.composite
def sgd_settings(draw):
    """torch.optim.SGD's options, valid by construction, with a stable (lr, momentum, lam)."""
    nesterov = draw(st.booleans())
    dampening = 0.0 if nesterov else draw(st.sampled_from([0.0, 0.35]) | floats(0.0, 0.9))
    weight_decay = draw(st.sampled_from([0.0, 0.04]) | floats(0.0, 0.5))
    lo = 0.01 if nesterov else 0.0
    method, params = torch_sgd(0.5, dampening, nesterov, weight_decay)
    lr, momentum, lam = draw(inside_region(method, beta=(lo, 0.95), **params))
    return (lr, momentum, dampening, nesterov, weight_decay), lam


@settings(max_examples=100)
@given(sgd_settings())
def test_identified_rate_is_the_theory(case):
    (lr, momentum, dampening, nesterov, weight_decay), lam = case
    found = identify(sgd(lr, momentum, dampening, nesterov, weight_decay), lam)
    method, params = torch_sgd(momentum, dampening, nesterov, weight_decay)
    theory = float(spectral_radius(lr, momentum, lam, method, **params))
    assert found.linear
    assert found.spectral_radius == pytest.approx(theory, rel=RATE_RTOL)


@settings(max_examples=30)
@given(floats(0.01, 1.0), floats(0.0, 0.95), floats(1.05, 3.0))
def test_beyond_the_edge_the_identified_rate_exceeds_one(lr, momentum, factor):
    # heavy ball's edge 2 (1 + beta)/lr, typed here; torch SGD with momentum is heavy ball
    lam = factor * 2 * (1 + momentum) / lr
    found = identify(sgd(lr, momentum, 0.0, False, 0.0), lam)
    assert found.linear and found.spectral_radius > 1


@settings(max_examples=30)
@given(outside_region("torch_sgd_nesterov", beta=(0.05, 0.95), dampening=0.0, weight_decay=0.04))
def test_nesterov_outside_its_region_is_unstable(point):
    lr, momentum, lam = point
    found = identify(sgd(lr, momentum, 0.0, True, 0.04), lam)
    assert found.linear and found.spectral_radius > 1


def test_max_stable_lam_is_the_closed_form():
    lr, momentum, dampening, weight_decay = 0.1, 0.9, 0.3, 0.1
    traj = sgd(lr, momentum, dampening, False, weight_decay)
    method, params = torch_sgd(momentum, dampening, False, weight_decay)
    closed = float(closed_form_max_stable_lam(lr, momentum, method, **params))
    # torch SGD is heavy ball with step lr (1 - d) on lam + wd: 2 (1 + beta)/(lr (1 - d)) - wd
    assert closed == pytest.approx(2 * 1.9 / (0.1 * 0.7) - 0.1, rel=1e-12)
    assert max_stable_lam(traj) == pytest.approx(closed, rel=1e-8)


@pytest.mark.parametrize("lr", [0.1, 0.003])
def test_adam_is_not_linear(lr):
    found = identify(torch_trajectory(lambda p: torch.optim.Adam(p, lr=lr)), 1.0)
    assert not found.linear
    assert np.isnan(found.spectral_radius)


def test_an_sgd_with_the_wrong_method_fails():
    traj = sgd(0.08, 0.6, 0.35, False, 0.0)  # dampening 0.35: not heavy ball
    with pytest.raises(AssertionError, match="does not follow heavy_ball"):
        assert_matches(traj, "heavy_ball", eta=0.08, beta=0.6)
