"""Test your optimiser in ten lines: a hand-written momentum class, checked against the theory.

Run it as ``python examples/check_my_optimiser.py``; the tests run it too.
"""

import numpy as np

import numerics
from numerics.testing import assert_matches, identify, max_stable_lam


class MyMomentum:
    """The optimiser under test, as a course would write it: v <- beta v + g, x <- x - lr v."""

    def __init__(self, lr, momentum):
        self.lr, self.momentum, self.v = lr, momentum, 0.0

    def step(self, x, grad):
        self.v = self.momentum * self.v + grad
        return x - self.lr * self.v


# --- the ten lines ---
def traj(lam, x0, steps):  # the contract: iterates x_0..x_steps on f(x) = lam/2 x^2
    opt, xs = MyMomentum(lr=0.1, momentum=0.9), [x0]
    for _ in range(steps):
        xs.append(opt.step(xs[-1], lam * xs[-1]))
    return np.array(xs)


assert_matches(traj, "heavy_ball", eta=0.1, beta=0.9)  # AssertionError with a counterexample if not
found = identify(traj, 3.0)  # black box: the recurrence its iterates obey
edge = max_stable_lam(traj)  # the largest curvature it survives, from the identified rate
# --- end ---

print(f"follows heavy ball (eta=0.1, beta=0.9): recurrence of order {found.order}")
print(f"characteristic polynomial at lam=3: {np.round(found.coefficients, 12).tolist()}")
print(
    f"rate at lam=3: identified {found.spectral_radius:.12f}, "
    f"theory {float(numerics.spectral_radius(0.1, 0.9, 3.0)):.12f}"
)
print(
    f"largest stable curvature: identified {edge:.9f}, "
    f"theory {float(numerics.max_stable_lam(0.1, 0.9)):.9f}"
)
