"""How a diverged run diverged: which eigen-direction grew, from when, and how fast.

A run counts as diverged once it passes ``DIVERGENCE_GROWTH`` times its start
(:mod:`numerics.simulate`), which can be many steps after the growth began.
This module reads the trajectory in the eigenbasis of Q: the direction that
grew the most, the step from which its error stayed above its start, and the
observed growth factor per step (a least-squares slope of the log error),
which the theory predicts as the spectral radius at that curvature.

Examples
--------
>>> from numerics.simulate import simulate_d2l
>>> g = growth(simulate_d2l(0.6, method="gd"))
>>> g.lam, g.began_at, round(g.rate, 6)
(4.0, 1, 1.4)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory.errors import ParameterError

__all__ = ["Growth", "growth"]

#: errors above this are left out of the rate fit (their squares would overflow)
FIT_CEILING = 1e150


@dataclass(frozen=True)
class Growth:
    """The growing direction of a diverged run.

    Attributes
    ----------
    component : int
        Index of the eigen-direction of Q, counted from 0 (messages name the
        coordinates x1, x2, ... as D2L does: index 0 is x1): the coordinate
        when Q is diagonal, else the eigenvector of ``numpy.linalg.eigh(Q)``.
    lam : float
        Its eigenvalue (the curvature).
    began_at : int
        The step from which its error stayed above its value at the start.
    rate : float
        Observed growth factor per step: the least-squares slope of the log
        error over the later half of the steps from ``began_at - 1`` to ``until``.
    until : int
        The last step used: the last finite error below ``FIT_CEILING`` (at
        least the step at which the run counted as diverged).
    """

    component: int
    lam: float
    began_at: int
    rate: float
    until: int


def growth(run, index: int = 0) -> Growth | None:
    """How run ``index`` of a batch diverged; None if it did not.

    Parameters
    ----------
    run : Trajectory
        From :func:`numerics.simulate`.
    index : int
        Which run of the batch.
    """
    if not 0 <= index < run.diverged.size:
        raise ParameterError(f"'index' must be in [0, {run.diverged.size}): {index}")
    if not run.diverged[index]:
        return None
    if np.count_nonzero(run.Q - np.diag(np.diag(run.Q))) == 0:  # diagonal: the coordinates
        lams, vectors = np.diag(run.Q).copy(), np.eye(run.Q.shape[0])
    else:
        lams, vectors = np.linalg.eigh(run.Q)
    at = int(run.diverged_at[index])
    with np.errstate(over="ignore", invalid="ignore"):
        err = np.abs((run.x[:, index, :] - run.minimizer) @ vectors)
        start = np.maximum(err[0], np.finfo(float).tiny)
        ratio = err[at] / start
    component = int(np.argmax(np.where(np.isfinite(ratio), ratio, np.inf)))
    e = err[:, component]
    usable = np.isfinite(e) & (e > 0) & (e < FIT_CEILING)
    # the fit runs on for as long as the numbers are usable: a longer stretch shrinks the
    # transient of the other roots
    until = max(at, int(np.flatnonzero(usable).max()) if usable.any() else 0)
    below = np.flatnonzero(e[: at + 1] <= e[0])
    began_at = min(int(below.max()) + 1 if below.size else 1, at)
    steps = np.arange(began_at - 1, until + 1)
    steps = steps[usable[steps]]
    if steps.size >= 8:  # the later half: past the transient
        steps = steps[steps.size // 2 :]
    if steps.size >= 2:
        rate = float(np.exp(np.polyfit(steps, np.log(e[steps]), 1)[0]))
    else:
        rate = float("inf")
    return Growth(component, float(lams[component]), began_at, rate, until)
