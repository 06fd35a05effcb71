"""Property-test and characterise your own optimiser against the theory.

An optimiser is seen through its trajectory on f(x) = lam/2 x^2:
``traj(lam, x0, steps)`` returns the iterates x_0..x_steps
(:mod:`numerics.testing.trajectories`; :func:`torch_trajectory` wraps a
``torch.optim`` optimiser). Then

- :func:`assert_matches` checks it iterate by iterate against a method's
  theory and fails with a counterexample (lambda, step, expected, observed);
- :func:`identify` finds, black-box, the linear recurrence its iterates obey:
  characteristic polynomial, spectral radius, or ``linear=False``;
- :func:`max_stable_lam` finds the largest curvature it survives;
- :mod:`numerics.testing.strategies` holds Hypothesis strategies (points
  inside or outside a method's stability region, spectra, SPD matrices);
  it needs ``hypothesis`` and is imported on its own.

PyTorch is imported only by :func:`torch_trajectory`, Hypothesis only by the
strategies module, SymPy when a method's theory is first used.
"""

from numerics.testing.identify import (
    Identification,
    IdentificationError,
    identify,
    max_stable_lam,
)
from numerics.testing.matching import assert_matches, default_lams
from numerics.testing.trajectories import (
    TrajectoryError,
    TrajectoryFn,
    run_trajectory,
    theory_trajectory,
    torch_trajectory,
)

__all__ = [
    "Identification",
    "IdentificationError",
    "TrajectoryError",
    "TrajectoryFn",
    "assert_matches",
    "default_lams",
    "identify",
    "max_stable_lam",
    "run_trajectory",
    "theory_trajectory",
    "torch_trajectory",
]
