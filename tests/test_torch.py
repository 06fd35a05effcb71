"""Cross-check against real PyTorch: torch.optim.SGD iterates equal the toolkit's simulation.

Skipped, visibly, where torch is not installed (``pip install '.[torch]'``).
"""

import itertools

import numpy as np
import pytest

from numerics.simulate import simulate
from theory.methods import torch_sgd

torch = pytest.importorskip("torch", reason="torch not installed: pip install '.[torch]'")

#: iterate-by-iterate agreement required (relative, float64)
TORCH_RTOL = 1e-12

Q = np.array([[3.0, 0.5, 0.0], [0.5, 2.0, 0.3], [0.0, 0.3, 1.0]])
C = np.array([1.0, -2.0, 0.5])
X0 = np.array([2.0, -1.0, 3.0])


def torch_iterates(lr, momentum, dampening, nesterov, weight_decay, steps):
    x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
    Qt, ct = torch.tensor(Q, dtype=torch.float64), torch.tensor(C, dtype=torch.float64)
    opt = torch.optim.SGD(
        [x],
        lr=lr,
        momentum=momentum,
        dampening=dampening,
        nesterov=nesterov,
        weight_decay=weight_decay,
    )
    out = [X0.copy()]
    for _ in range(steps):
        opt.zero_grad()
        loss = 0.5 * x @ Qt @ x + ct @ x
        loss.backward()
        opt.step()
        out.append(x.detach().numpy().copy())
    return np.array(out)


CASES = [
    (m, d, n, wd)
    for m, d, n, wd in itertools.product([0.0, 0.5, 0.9], [0.0, 0.3], [False, True], [0.0, 0.1])
    if not (n and (m == 0 or d != 0))  # torch: nesterov needs momentum > 0 and no dampening
]


@pytest.mark.parametrize("momentum, dampening, nesterov, weight_decay", CASES)
def test_sgd_matches_simulation(momentum, dampening, nesterov, weight_decay):
    lr, steps = 0.1, 40
    ref = torch_iterates(lr, momentum, dampening, nesterov, weight_decay, steps)
    method, params = torch_sgd(momentum, dampening, nesterov, weight_decay)
    run = simulate(lr, momentum, Q=Q, c=C, x0=X0, steps=steps, method=method, **params)
    ours = run.x[:, 0, :]
    scale = np.abs(ref).max(axis=1, keepdims=True)
    assert (np.abs(ours - ref) <= TORCH_RTOL * scale).all(), np.abs(ours - ref).max()


def test_plain_heavy_ball_is_torch_sgd_with_momentum():
    ref = torch_iterates(0.05, 0.9, 0.0, False, 0.0, 30)
    run = simulate(0.05, 0.9, Q=Q, c=C, x0=X0, steps=30)
    np.testing.assert_allclose(run.x[:, 0, :], ref, rtol=1e-12, atol=1e-12)
