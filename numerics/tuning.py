"""Numeric tuning: minimise the worst-case rate over a spectrum when no closed form is known.

The result says it is numeric (``NumericTuning.numeric is True``); for gd,
heavy ball and Nesterov use :func:`theory.optimal_parameters` (exact).

Examples
--------
>>> t = tune_numeric(1.0, 4.0, method="heavy_ball")
>>> round(t.rate, 4), t.numeric
(0.3333, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numerics.grids import _check_spectrum, worst_case_rate
from numerics.methods import numeric_method

__all__ = ["NumericTuning", "tune_numeric"]

#: grid used to pick starting points before the local search
_START_GRID = 40


@dataclass(frozen=True)
class NumericTuning:
    method: str
    eta: float
    beta: float
    rate: float
    numeric: bool = True


def tune_numeric(mu: float, L: float, method: str = "heavy_ball", **params) -> NumericTuning:
    """(eta, beta) minimising the worst-case rate over [mu, L], by search then Nelder-Mead.

    A coarse (eta, beta) grid picks the start (eta in (0, 4/L], beta in [0, 1));
    Nelder-Mead refines it in the coordinates (log eta, beta).
    """
    from scipy.optimize import minimize

    _check_spectrum(mu, L)
    name = numeric_method(method).name
    etas = np.geomspace(0.05 / L, 4.0 / L, _START_GRID)
    betas = np.linspace(0.0, 0.995, _START_GRID)
    grid = worst_case_rate(etas[:, None], betas[None, :], mu, L, method, **params)
    i, j = np.unravel_index(np.argmin(grid), grid.shape)

    def objective(p: np.ndarray) -> float:
        eta, beta = np.exp(p[0]), p[1]
        if not -0.999 < beta < 0.9999:
            return 2.0
        return float(worst_case_rate(eta, beta, mu, L, method, **params))

    res = minimize(
        objective,
        x0=[np.log(etas[i]), betas[j]],
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000},
    )
    best = res.x if res.fun <= grid[i, j] else np.array([np.log(etas[i]), betas[j]])
    return NumericTuning(name, float(np.exp(best[0])), float(best[1]), objective(best))
