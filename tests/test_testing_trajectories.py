"""The trajectory contract: checked results, the theory's runs, the lazy torch import."""

import subprocess
import sys

import numpy as np
import pytest

from numerics.testing.trajectories import (
    TORCH_MISSING,
    TrajectoryError,
    run_trajectory,
    theory_trajectory,
)
from tests.references import heavy_ball_trajectory
from theory.errors import ParameterError


def test_theory_trajectory_is_the_plain_loop():
    eta, beta, lam = 0.13, 0.71, 3.7
    ours = run_trajectory(theory_trajectory("heavy_ball", eta=eta, beta=beta), lam, -1.9, 25)
    ref = np.array(heavy_ball_trajectory(eta, beta)(lam, -1.9, 25))
    np.testing.assert_allclose(ours, ref, rtol=1e-13, atol=1e-15)


def test_run_trajectory_accepts_a_column():
    xs = run_trajectory(lambda lam, x0, steps: np.full((steps + 1, 1), x0), 1.0, 2.5, 4)
    assert xs.shape == (5,)


@pytest.mark.parametrize(
    "bad, match",
    [
        (lambda lam, x0, steps: [x0] * steps, r"steps \+ 1 = 6 iterates"),
        (lambda lam, x0, steps: [0.0] * (steps + 1), "must start at x0 = 2.5: x_0 = 0$"),
        (lambda lam, x0, steps: ["a"] * (steps + 1), "must return 6 real numbers"),
        (lambda lam, x0, steps: None, "shape"),
    ],
)
def test_run_trajectory_names_the_broken_contract(bad, match):
    with pytest.raises(TrajectoryError, match=match):
        run_trajectory(bad, 1.0, 2.5, 5)


def test_theory_trajectory_checks_parameters_up_front():
    with pytest.raises(ParameterError, match="unknown"):
        theory_trajectory("heavy_ball", eta=0.1, beta=0.5, nu=0.3)
    with pytest.raises(ParameterError, match="'lam' must be finite and > 0: -1.0"):
        theory_trajectory("gd", eta=0.1)(-1.0, 1.0, 3)


def test_lazy_imports_and_a_clear_error_without_torch():
    # one child interpreter: numerics.testing imports neither torch nor hypothesis (nor SymPy,
    # SciPy, matplotlib: the theory is loaded when first used), and where
    # "import torch" fails (whether or not torch is installed here) torch_trajectory says why
    code = (
        "import sys\n"
        "import numerics.testing as nt\n"
        "heavy = ('torch', 'hypothesis', 'sympy', 'scipy', 'matplotlib')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "sys.modules['torch'] = None\n"
        "try:\n"
        "    nt.torch_trajectory(lambda p: None)\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["[]", TORCH_MISSING]
    assert "momentum-theory[torch]" in TORCH_MISSING


def test_a_float32_start_is_named():
    def traj(lam, x0, steps):
        return np.full(steps + 1, x0, dtype=np.float32)

    with pytest.raises(TrajectoryError, match=r"x_0 = 1.29999995.*a float32 optimiser\?"):
        run_trajectory(traj, 1.0, 1.3, 3)
