r"""Tuning for a network: its Hessian's [mu, L] into the theory's tuning, with the caveats said.

The theory tunes (eta, beta) for a quadratic whose Hessian has its spectrum
in [mu, L]. A network's loss is not a quadratic: its Hessian changes as
training moves the parameters, and its smallest eigenvalue is often
negative or near zero, so the [mu, L] measured at one point holds only near
it. :func:`tune_for_model` measures both ends (:func:`numerics.hessian_spectrum`),
tunes on them where mu is positive beyond its Lanczos error, and always
gives what needs L alone: the largest stable step at a momentum
(:func:`numerics.max_stable_eta`), the full-batch edge. Full-batch training
below that step does not stay there: the sharpness rises until it reaches
the method's edge for the step, ``max_stable_lam(eta, beta)``, and hovers
there (Cohen et al. 2021).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from numerics._generated_methods import TUNINGS
from numerics.hessian import HessianSpectrum, hessian_spectrum
from numerics.methods import numeric_method
from numerics.rates import max_stable_eta
from numerics.tuning import NumericTuning, tune_closed_form, tune_numeric
from theory.errors import ParameterError

__all__ = ["MU_WARNING", "ModelTuning", "tune_for_model"]

#: said with every tuning of a network, whatever its mu
MU_WARNING = (
    "mu of a network is often <= 0 or unreliable: the Hessian changes as training moves the "
    "parameters, and a tiny mu makes kappa huge and the tuned momentum near 1"
)


@dataclass(frozen=True)
class ModelTuning:
    """The theory's answer for a network's Hessian at its current parameters.

    Attributes
    ----------
    spectrum : HessianSpectrum
        Both ends of the Hessian's spectrum (``which="both"``, ``k=1``).
    method : str
        The library's method name; ``params`` its further parameters.
    mu, L : float
        The smallest and largest eigenvalue (NaN where Lanczos did not converge).
    mu_reliable : bool
        Whether mu is positive beyond its error (its residual), so that
        [mu, L] can be tuned on.
    tuning : NumericTuning or None
        The tuned (eta, beta, rate) on [mu, L] (closed form for gd, heavy
        ball and Nesterov; numeric, and it says so, otherwise); None when mu
        is not reliable.
    beta : float
        The momentum of the edge below: the one given, else the tuned one,
        else 0.
    max_stable_lr : float
        The largest stable step at momentum ``beta`` for the curvature L: the
        full-batch edge (NaN if none is stable).
    warning : str
        What to keep in mind (:data:`MU_WARNING`, and why no tuning when none).
    """

    spectrum: HessianSpectrum = field(repr=False)
    method: str
    params: dict
    mu: float
    L: float
    mu_reliable: bool
    tuning: NumericTuning | None
    beta: float
    max_stable_lr: float
    warning: str


def _tune(mu: float, L: float, method: str, params: dict) -> NumericTuning:
    """The toolkit's tuning: closed form where there is one, else the numeric search."""
    if numeric_method(method).name in TUNINGS and not any(params.values()):
        return tune_closed_form(mu, L, method)
    return tune_numeric(mu, L, method, **params)


def tune_for_model(
    model,
    loss_fn,
    data,
    /,
    method: str = "heavy_ball",
    *,
    beta: float | None = None,
    tol: float | None = None,
    maxiter: int | None = None,
    progress: bool | None = None,
    **params,
) -> ModelTuning:
    """Tune ``method`` for a network's loss Hessian [mu, L] at its current parameters.

    Parameters
    ----------
    model, loss_fn, data
        As :func:`numerics.hessian_spectrum` takes them.
    method : str
        A built-in method (``"gd"``, ``"heavy_ball"``, ``"nesterov"``,
        ``"qhm"``, ``"torch_sgd"``, ...); ``params`` its parameters
        (``nu``, ``dampening``, ``weight_decay``).
    beta : float, optional
        The momentum at which to give the largest stable step; default the
        tuned momentum, or 0 when [mu, L] cannot be tuned.
    tol, maxiter, progress
        Passed to :func:`numerics.hessian_spectrum`.

    Returns
    -------
    ModelTuning
    """
    m = numeric_method(method)
    m.extra_values(params)  # unknown or missing parameters fail before the Lanczos runs
    if beta is not None and not -1 < float(beta) < 1:
        raise ParameterError(f"'beta' must be in (-1, 1): {beta!r}")
    spec = hessian_spectrum(
        model, loss_fn, data, k=1, which="both", tol=tol, maxiter=maxiter, progress=progress
    )
    mu, L = spec.smallest, spec.largest
    if not np.isfinite(L) or L <= 0:
        raise ParameterError(
            f"the Hessian's largest eigenvalue must be > 0 to give a stable step: L = {L:g}"
            + ("" if spec.converged else " (Lanczos did not converge: raise maxiter or tol)")
        )
    error = float(spec.bottom_residuals[0]) if spec.bottom.size else float("inf")
    reliable = bool(np.isfinite(mu) and mu - error > 0)
    tuning = _tune(mu, L, method, params) if reliable else None
    if tuning is None:
        why = (
            "the bottom eigenvalue did not converge"
            if not np.isfinite(mu)
            else f"mu = {mu:.4g} is not positive beyond its error {error:.1g}"
        )
        warning = f"{MU_WARNING}; here {why}: no tuning on [mu, L], only L is used"
    else:
        warning = f"{MU_WARNING}; tune on [mu, L] only near these parameters"
    edge_beta = float(beta if beta is not None else (tuning.beta if tuning else 0.0))
    if m.name == "gd":
        edge_beta = 0.0
    with np.errstate(invalid="ignore"):
        lr = float(max_stable_eta(edge_beta, L, method, **params))
    return ModelTuning(
        spectrum=spec,
        method=m.name,
        params=dict(params),
        mu=mu,
        L=L,
        mu_reliable=reliable,
        tuning=tuning,
        beta=edge_beta,
        max_stable_lr=lr,
        warning=warning,
    )
