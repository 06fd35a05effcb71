r"""Performance estimation: the exact worst case of N steps over a class of functions.

How much can N steps of a method shrink f(x) - f* in the worst case over
*every* function of a class, not one quadratic? Drori and Teboulle (2014)
and Taylor, Hendrickx and Glineur (2017) showed that this worst case is the
value of a small semidefinite program (a performance estimation problem,
PEP) over the Gram matrix of the iterates and gradients, exact for the
classes with interpolation conditions. :func:`worst_case` builds that
program with PEPit and solves it with Clarabel (the optional extra
``pip install 'momentum-theory[pep]'``):

.. math:: \tau = \max \frac{f(x_N) - f_\star}{f(x_0) - f_\star}

over f L-smooth and mu-strongly convex (``"smooth-strongly-convex"``) or
over the quadratics with spectrum in [mu, L] (``"quadratic"``). The method's
steps are the toolkit's own update equations (:mod:`numerics.methods`), run
on PEPit's symbolic points, the auxiliary state (the velocity) starting at 0
as in :func:`numerics.simulate`.

On the quadratics the toolkit knows the answer exactly, without a solver:
x_N = p_N(lambda) x_0 in each eigendirection, with p_N the method's
polynomial of degree N, so tau = max over [mu, L] of p_N(lambda)^2
(:func:`quadratic_worst_case`, from the roots of p_N p_N'). The two agree
to the solver's precision (a test), which is how the reader sees that the
SDP is exact, and where the class of all smooth strongly convex functions
is harder: heavy ball at Polyak's tuning has tau growing with N there
(Lessard, Recht and Packard 2016: it can cycle).

Examples
--------
>>> round(quadratic_worst_case(1/9, 4/9, 1.0, 25.0, 3), 6)  # heavy ball, Polyak's tuning on [1, 25]
3.160494
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from numerics.checks import count, real_number
from numerics.methods import iterate, numeric_method
from theory.errors import MomentumError, ParameterError

__all__ = [
    "CLASSES",
    "MAX_STEPS",
    "PEP_MISSING",
    "POLYAK_STEPS",
    "SolverError",
    "WorstCase",
    "polyak_table",
    "quadratic_worst_case",
    "stored_polyak_table",
    "worst_case",
]

#: the function classes the worst case is taken over
CLASSES = ("quadratic", "smooth-strongly-convex")
#: the most steps a program is built for (its size grows as N^2; Clarabel's time as about N^3)
MAX_STEPS = 40
#: what the ImportError says without the [pep] extra: how to install it
PEP_MISSING = (
    "the worst case over a function class needs PEPit and Clarabel, which are not installed: "
    "python -m pip install 'momentum-theory[pep]'"
)


#: the steps of the stored table at Polyak's tuning for Lessard's class [1, 25]
POLYAK_STEPS = tuple(range(1, 11))
#: the table's file in the package data, written by ``python -m numerics.data``
_TABLE = "polyak_worst_case.json"


class SolverError(MomentumError):
    """The semidefinite program could not be solved to the precision asked for."""


@dataclass(frozen=True)
class WorstCase:
    """The worst ratio (f(x_N) - f*) / (f(x_0) - f*) over a class, and how it was found.

    ``theory`` is the toolkit's exact worst case over the quadratics
    (:func:`quadratic_worst_case`) for the ``"quadratic"`` class, None otherwise.
    """

    tau: float
    steps: int
    function_class: str
    method: str
    eta: float
    beta: float
    mu: float
    L: float
    solver: str
    status: str
    theory: float | None = None


def _check(eta, beta, mu, L, steps, function_class) -> tuple[float, float, float, float, int]:
    eta, beta = real_number(eta, "eta"), real_number(beta, "beta")
    mu, L = real_number(mu, "mu"), real_number(L, "L")
    if not eta > 0 or not np.isfinite(eta):
        raise ParameterError(f"'eta' must be finite and > 0: {eta!r}")
    if not -1 < beta < 1:
        raise ParameterError(f"'beta' must be in (-1, 1): {beta!r}")
    if not 0 <= mu < L or not np.isfinite(L):
        raise ParameterError(f"'mu' and 'L' must satisfy 0 <= mu < L < inf: mu={mu!r}, L={L!r}")
    if function_class not in CLASSES:
        raise ParameterError(
            f"'function_class' must be one of {', '.join(CLASSES)}: {function_class!r}"
        )
    return eta, beta, mu, L, count(steps, "steps", 1, MAX_STEPS)


def quadratic_worst_case(
    eta: float, beta: float, mu: float, L: float, steps: int, method="heavy_ball", **params
) -> float:
    """max over lambda in [mu, L] of p_N(lambda)^2: the exact worst case over the quadratics.

    p_N is the polynomial with x_N = p_N(lambda) x_0 on f = lambda/2 x^2,
    built by running the method's update equations on polynomials in lambda;
    its square's maximum on [mu, L] is at an end or at a root of p_N p_N'
    (so of p_N') inside, where the method is run on floats. On a quadratic f(x_N) - f* over f(x_0) - f* is a
    mean of p_N(lambda_i)^2 over the eigendirections, weighted by
    lambda_i y_i^2, so this bound is attained by one eigendirection.
    """
    from numpy.polynomial import Polynomial

    eta, beta, mu, L, steps = _check(eta, beta, mu, L, steps, "quadratic")
    m = numeric_method(method)
    params = dict(zip(m.extra, m.extra_scalars(params), strict=True))
    lam = Polynomial([0.0, 1.0])
    p = iterate(m, Polynomial([1.0]), eta, beta, lambda y: lam * y, steps, **params)[-1]
    roots = p.deriv().roots() if p.degree() > 0 else np.array([])
    inside = roots[(np.abs(roots.imag) <= 1e-9 * (1 + np.abs(roots.real)))].real
    candidates = np.concatenate([[mu, L], inside[(inside > mu) & (inside < L)]])
    # p in powers of lambda cancels badly near a multiple root ((1 - eta lambda)^N): its value
    # comes from running the method on floats at the candidates, only its critical points from p
    xN = iterate(m, np.ones_like(candidates), eta, beta, lambda y: candidates * y, steps, **params)[
        -1
    ]
    return float(np.max(xN**2))


def worst_case(
    eta: float,
    beta: float,
    mu: float,
    L: float,
    steps: int,
    method="heavy_ball",
    *,
    function_class: str = "smooth-strongly-convex",
    **params,
) -> WorstCase:
    """The worst (f(x_N) - f*) / (f(x_0) - f*) of N steps over a function class, by PEP.

    Parameters
    ----------
    eta, beta : float
        The method's step and momentum (``method`` any built-in: ``"gd"``,
        ``"heavy_ball"``, ``"nesterov"``, ...; extra parameters as keywords).
    mu, L : float
        The class: mu-strongly convex (mu = 0: convex) and L-smooth, or the
        quadratics with every eigenvalue of the Hessian in [mu, L].
    steps : int
        N, from 1 to :data:`MAX_STEPS`.
    function_class : {"smooth-strongly-convex", "quadratic"}

    Raises
    ------
    ImportError
        Without the ``[pep]`` extra, saying how to install it.
    SolverError
        When Clarabel does not solve the program (large N on the quadratic
        class, where the worst case is tiny): the quadratic class has
        :func:`quadratic_worst_case` for that.
    """
    eta, beta, mu, L, steps = _check(eta, beta, mu, L, steps, function_class)
    m = numeric_method(method)
    params = dict(zip(m.extra, m.extra_scalars(params), strict=True))
    if params.get("weight_decay", 0.0) != 0.0:
        # decay pulls x to the minimizer of f + wd/2 |x|^2, not to f's: f's gap has no worst case
        # (the program is unbounded as |x*| grows); the decayed objective is the one in a class
        raise ParameterError(
            "'weight_decay' has no worst case on f's gap: with decay the method runs on "
            "f + wd/2 |x|^2, a function of the class [mu + wd, L + wd]; ask for that class "
            "without decay"
        )
    try:
        from PEPit import PEP
        from PEPit.functions import (
            SmoothStronglyConvexFunction,
            SmoothStronglyConvexQuadraticFunction,
        )
    except ImportError as exc:
        raise ImportError(PEP_MISSING) from exc
    kind = (
        SmoothStronglyConvexQuadraticFunction
        if function_class == "quadratic"
        else SmoothStronglyConvexFunction
    )
    # the program is better conditioned with L = 1: f -> f / L, eta -> eta L (same iterates)
    problem = PEP()
    f = problem.declare_function(kind, mu=mu / L, L=1.0)
    star = f.stationary_point()
    x0 = problem.set_initial_point()
    problem.set_initial_condition(f(x0) - f(star) <= 1)
    xN = iterate(m, x0, eta * L, beta, f.gradient, steps, **params)[-1]
    problem.set_performance_metric(f(xN) - f(star))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cvxpy's "may be inaccurate": the status says so
        try:
            tau = problem.solve(wrapper="cvxpy", solver="CLARABEL", verbose=0)
        except Exception as exc:  # cvxpy's SolverError, or a numerical failure inside it
            raise SolverError(
                f"Clarabel could not solve the {function_class} program for N = {steps} "
                f"({type(exc).__name__}); fewer steps, or for quadratics the exact "
                "quadratic_worst_case, answer instead"
            ) from exc
    status = str(problem.wrapper.prob.status)
    if tau is None or status not in ("optimal", "optimal_inaccurate"):
        raise SolverError(f"Clarabel ended with status {status!r} for N = {steps}")
    theory = (
        quadratic_worst_case(eta, beta, mu, L, steps, m, **params)
        if function_class == "quadratic"
        else None
    )
    return WorstCase(
        float(tau), steps, function_class, m.name, eta, beta, mu, L, "Clarabel", status, theory
    )


def polyak_table(steps=POLYAK_STEPS) -> dict:
    """Worst cases at Polyak's tuning for [1, 25] over both classes, solved now (needs ``[pep]``).

    Heavy ball at eta = 1/9, beta = 4/9 (the toolkit's closed-form tuning),
    the class of Lessard, Recht and Packard's counterexample. Returns
    ``{"eta", "beta", "mu", "L", "steps", "quadratic", "smooth-strongly-convex",
    "solver"}``, the two classes' lists of tau in the order of ``steps``.
    """
    from numerics.tuning import tune_closed_form

    mu, L = 1.0, 25.0
    tuned = tune_closed_form(mu, L, "heavy_ball")
    eta, beta = float(tuned.eta), float(tuned.beta)
    table = {"eta": eta, "beta": beta, "mu": mu, "L": L, "steps": list(steps)}
    for cls in CLASSES:
        table[cls] = [worst_case(eta, beta, mu, L, n, function_class=cls).tau for n in steps]
    from importlib.metadata import version

    table["solver"] = f"PEPit {version('PEPit')}, Clarabel {version('clarabel')}"
    return table


def stored_polyak_table() -> dict:
    """:func:`polyak_table` as computed ahead of time and shipped (no solver needed).

    The report draws it; a test solves the programs again and compares, so
    the stored numbers stay what the solver gives. ``"quadratic_exact"`` is
    added on loading: :func:`quadratic_worst_case` at each step, computed now.
    """
    import json
    from importlib import resources

    table = json.loads(resources.files("numerics.data").joinpath(_TABLE).read_text("utf-8"))
    # the exact worst case over the quadratics, computed now (cheap): what the SDP is held to
    table["quadratic_exact"] = [
        quadratic_worst_case(table["eta"], table["beta"], table["mu"], table["L"], n)
        for n in table["steps"]
    ]
    return table
