r"""The trajectory contract: an optimiser seen as ``traj(lam, x0, steps) -> iterates``.

A trajectory function runs an optimiser on the scalar quadratic
f(x) = lam/2 x^2 (gradient ``lam * x``, minimizer 0) from ``x0`` and returns
the ``steps + 1`` iterates x_0, x_1, ..., x_steps, ``x_0`` first. Every
first-order method on a quadratic decouples into such scalar problems, one
per eigenvalue, so this is all the theory needs to see of an optimiser.

:func:`torch_trajectory` wraps a ``torch.optim`` optimiser; a NumPy loop
adapts in a few lines::

    def traj(lam, x0, steps):
        opt, xs = MyMomentum(lr=0.1, momentum=0.9), [x0]
        for _ in range(steps):
            xs.append(opt.step(xs[-1], lam * xs[-1]))  # (x, gradient) -> new x
        return xs

:func:`theory_trajectory` is the toolkit's own simulation of a method,
in the same contract.

Examples
--------
>>> traj = theory_trajectory("gd", eta=0.25)
>>> run_trajectory(traj, 2.0, 1.0, 3).tolist()
[1.0, 0.5, 0.25, 0.125]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from numerics.checks import real_array
from numerics.optional import import_torch, torch_missing
from theory.errors import MomentumError, ParameterError, describe, shortest

__all__ = [
    "TrajectoryError",
    "TrajectoryFn",
    "run_trajectory",
    "theory_trajectory",
    "torch_trajectory",
]

#: ``traj(lam, x0, steps)``: the iterates x_0..x_steps on f(x) = lam/2 x^2
TrajectoryFn = Callable[[float, float, int], "np.ndarray"]

TORCH_MISSING = torch_missing("torch_trajectory")


class TrajectoryError(MomentumError):
    """A trajectory function broke the contract (wrong length, wrong start, not numbers)."""


def run_trajectory(traj: TrajectoryFn, lam: float, x0: float, steps: int) -> np.ndarray:
    """Call ``traj(lam, x0, steps)`` and check what comes back.

    Returns
    -------
    numpy.ndarray of float64, shape (steps + 1,)
        The iterates, ``x0`` first. Non-finite values (a diverged run) are kept.

    Raises
    ------
    TrajectoryError
        When the result is not ``steps + 1`` real numbers starting at ``x0``.
    """
    try:
        raw = traj(lam, x0, steps)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, MomentumError):
            raise
        raise TrajectoryError(
            f"the trajectory must return {steps + 1} real numbers: {type(exc).__name__}: {exc}"
        ) from exc
    try:  # complex values refused (not truncated); torch tensors read by value, detached
        xs = real_array(raw, "the trajectory", finite=False)
    except ParameterError as exc:
        raise TrajectoryError(
            f"the trajectory must return {steps + 1} real numbers: {describe(raw)}"
        ) from exc
    if xs.size == steps + 1:
        xs = xs.reshape(-1)  # accept (steps + 1, 1) columns as well
    if xs.shape != (steps + 1,):
        raise TrajectoryError(
            f"the trajectory must return steps + 1 = {steps + 1} iterates "
            f"(x_0 first) for lam={shortest(lam)}, x0={shortest(x0)}: shape {xs.shape}"
        )
    if xs[0] != x0:
        raise TrajectoryError(
            f"the trajectory must start at x0 = {shortest(x0)}: x_0 = {shortest(xs[0])}"
            + (" (a float32 optimiser? run it in float64)" if np.float32(x0) == xs[0] else "")
        )
    return xs


def torch_trajectory(make_optimizer: Callable) -> TrajectoryFn:
    """A trajectory function for a ``torch.optim`` optimiser, in float64.

    Parameters
    ----------
    make_optimizer : callable
        ``make_optimizer(params)`` returns a fresh optimiser for the list of
        parameters, e.g. ``lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)``.
        It is called once per trajectory, so no state leaks between runs.

    Returns
    -------
    callable
        ``traj(lam, x0, steps)``: the optimiser's iterates on f(x) = lam/2 x^2
        from one float64 parameter of value ``x0``. The gradient ``lam * x``
        is set inside a closure that also returns the loss, so optimisers that
        need one (LBFGS) work.

    Raises
    ------
    ImportError
        When PyTorch is not installed (it is an optional extra).
    """
    torch = import_torch("torch_trajectory")

    def traj(lam: float, x0: float, steps: int) -> np.ndarray:
        x = torch.tensor([float(x0)], dtype=torch.float64, requires_grad=True)
        opt = make_optimizer([x])

        def closure():
            # the exact gradient lam * x, set directly: autograd would only add overhead
            with torch.no_grad():
                x.grad = lam * x
                return 0.5 * lam * (x * x).sum()

        out = np.empty(steps + 1)
        out[0] = x0
        for t in range(1, steps + 1):
            opt.step(closure)
            out[t] = x.item()
        return out

    return traj


def theory_trajectory(
    method="heavy_ball", *, eta: float, beta: float = 0.0, **params
) -> TrajectoryFn:
    """The toolkit's simulation of a method (:func:`numerics.simulate`) as a trajectory function.

    ``method`` is a built-in name or a :class:`theory.Method`; ``params`` are
    its further parameters (``nu``, ``dampening``, ``weight_decay``).
    """
    from numerics.methods import numeric_method
    from numerics.simulate import simulate

    m = numeric_method(method)
    m.extra_scalars(params)  # unknown, missing or not one number: fails here, not at the first call

    def traj(lam: float, x0: float, steps: int) -> np.ndarray:
        if not (np.isfinite(lam) and lam > 0):
            raise ParameterError(f"'lam' must be finite and > 0: {lam!r}")
        run = simulate(eta, beta, lams=[lam], x0=[x0], steps=steps, method=m.method, **params)
        return run.x[:, 0, 0]

    return traj
