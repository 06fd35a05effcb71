"""Gradient noise, numerically: the Lyapunov equation for any method and SPD Q, and Monte Carlo.

With gradients ``g(y) = Q y + c + eps``, ``eps ~ N(0, S)``, a method's state
``s`` (its variables stacked, each of dimension n) moves as
``s' = A s + B eps``; the stationary covariance solves
``Sigma = A Sigma A^T + B S B^T`` (:func:`solve_lyapunov`).
The Monte Carlo estimate runs many independent seeded chains at once.

Examples
--------
>>> import numpy as np
>>> cov = stationary_covariance(0.1, 0.5, [[2.0]], [[1.0]])
>>> float(cov[0, 0])  # 0.1 * 1.5 / (2 * 0.5 * (3 - 0.2)), the closed form
0.05357142857142858
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from numerics.checks import count, real_array, real_number
from numerics.methods import numeric_method
from numerics.rates import spectral_radius
from numerics.simulate import validate_problem
from theory.errors import ParameterError, describe

__all__ = ["MonteCarlo", "monte_carlo_variance", "stationary_covariance", "stationary_variance"]

#: a bound on chains x steps, so a Monte-Carlo run stays within about a minute
MAX_CHAIN_STEPS = 400_000_000
#: the most steps a Monte-Carlo chain burns in (and then averages over)
MAX_MC_STEPS = 20_000
#: the largest relative residual of the Lyapunov equation accepted
LYAPUNOV_RTOL = 1e-8
#: the largest state dimension solved by the Kronecker form (a 576 x 576 system at most)
KRONECKER_MAX = 24
#: two-sided 99% normal quantile for the confidence interval
Z99 = 2.5758293035489004


def _matrix_poly(coeffs, powers):
    """sum_k c_k Q^k for coefficients c_k (lowest power first)."""
    return sum(float(c) * powers[k] for k, c in enumerate(coeffs))


def solve_lyapunov(A: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Sigma with Sigma = A Sigma A^T + rhs.

    Small systems (A up to ``KRONECKER_MAX`` square) solve the Kronecker
    form ``(I - A (x) A) vec(Sigma) = vec(rhs)`` with NumPy; larger ones use
    :func:`scipy.linalg.solve_discrete_lyapunov` (SciPy is imported only then).
    """
    k = A.shape[0]
    if k <= KRONECKER_MAX:
        try:
            vec = np.linalg.solve(np.eye(k * k) - np.kron(A, A), rhs.reshape(-1))
        except np.linalg.LinAlgError:
            return np.full((k, k), np.nan)
        Sigma = vec.reshape(k, k)
        return (Sigma + Sigma.T) / 2
    from scipy.linalg import LinAlgWarning, solve_discrete_lyapunov

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LinAlgWarning)  # judged by the caller's residual instead
        return solve_discrete_lyapunov(A, rhs)


def stationary_covariance(
    eta_v, beta_v, Q, noise_cov, method="heavy_ball", *, full: bool = False, **params
):
    """Stationary covariance of the iterate x (or of the whole state with ``full=True``)."""
    m = numeric_method(method)
    eta_v, beta_v = real_number(eta_v, "eta"), real_number(beta_v, "beta")
    extra = m.extra_scalars(params)
    Qm = np.atleast_2d(real_array(Q, "Q", finite=False))
    Qm, _, _ = validate_problem(Qm, None, np.zeros(Qm.shape[0]))
    S = np.atleast_2d(real_array(noise_cov, "noise_cov", finite=False))
    n = Qm.shape[0]
    if (
        S.shape != (n, n)
        or not np.isfinite(S).all()
        or np.linalg.eigvalsh(S / 2 + S.T / 2).min() < 0
    ):
        raise ParameterError(
            f"'noise_cov' must be a finite positive semi-definite {n} x {n} matrix"
        )
    if float(spectral_radius(eta_v, beta_v, np.linalg.eigvalsh(Qm), m, **params).max()) >= 1:
        raise ParameterError(
            f"no stationary distribution: the iteration is unstable at eta={eta_v}, beta={beta_v}"
        )
    values = [eta_v, beta_v, *extra]
    R_coeffs, b_coeffs = m.noise_R(*values), m.noise_b(*values)
    degree = max(len(c) for row in R_coeffs + [b_coeffs] for c in row)
    powers = [np.linalg.matrix_power(Qm, k) for k in range(degree)]
    A = np.block([[_matrix_poly(c, powers) for c in row] for row in R_coeffs])
    B = np.vstack([_matrix_poly(c, powers) for c in b_coeffs])
    # Sigma is linear in S: solve for S / |S|max (no overflow in between), then scale back
    size = float(np.abs(S).max())
    rhs = B @ (S / size if size > 0 else S) @ B.T
    if not np.isfinite(A).all() or not np.isfinite(rhs).all():
        raise ParameterError(
            f"the state matrix overflows a float at eta={eta_v}, beta={beta_v}: use smaller values"
        )
    try:
        Sigma = solve_lyapunov(A, rhs)
    except np.linalg.LinAlgError:
        Sigma = np.full_like(A, np.nan)  # singular: refused just below, with the reason
    with np.errstate(over="ignore", invalid="ignore"):
        residual = np.abs(Sigma - A @ Sigma @ A.T - rhs).max()
    if not np.isfinite(Sigma).all() or residual > LYAPUNOV_RTOL * max(np.abs(Sigma).max(), 1e-300):
        raise ParameterError(
            f"the stationary covariance cannot be computed reliably at eta={eta_v}, beta={beta_v}: "
            "the iteration is too close to the stability edge"
        )
    if size > 0:
        with np.errstate(over="ignore", under="ignore"):
            Sigma = Sigma * size
        if not np.isfinite(Sigma).all():
            raise ParameterError(
                f"'noise_cov' is too large: the stationary covariance overflows a float "
                f"(noise covariance up to {size:.3g})"
            )
    if full:
        return Sigma
    k = m.state.index(m.position)
    return Sigma[k * n : (k + 1) * n, k * n : (k + 1) * n]


def stationary_variance(eta_v, beta_v, lam_v, sigma, method="heavy_ball", **params) -> float:
    """Var x on the scalar problem lam/2 x^2 with noise variance sigma^2."""
    sigma = _sigma(sigma)
    unit = float(stationary_covariance(eta_v, beta_v, [[lam_v]], [[1.0]], method, **params)[0, 0])
    with np.errstate(over="ignore", under="ignore"):
        variance = unit * sigma * sigma  # Var x is proportional to sigma^2
    if not np.isfinite(variance) or (variance == 0 and unit > 0):
        raise ParameterError(
            f"'sigma' is too {'large' if sigma > 1 else 'small'}: the variance "
            f"{unit:.6g} * sigma^2 {'overflows' if sigma > 1 else 'underflows'} a float "
            f"(sigma = {sigma:.6g})"
        )
    return variance


def _sigma(sigma) -> float:
    value = real_array(sigma, "sigma", finite=False)
    if value.ndim or not (np.isfinite(value) and value > 0):
        raise ParameterError(f"'sigma' must be a finite number > 0: {describe(sigma)}")
    return float(value)


@dataclass(frozen=True)
class MonteCarlo:
    """Monte-Carlo estimate of Var x: mean over chains and its 99% confidence interval."""

    mean: float
    interval: tuple[float, float]
    chains: int
    steps: int


def monte_carlo_variance(
    eta_v,
    beta_v,
    lam_v,
    sigma,
    *,
    chains: int = 2000,
    steps: int | None = None,
    seed: int = 0,
    method="heavy_ball",
    **params,
) -> MonteCarlo:
    """Run ``chains`` independent noisy chains from the stationary mean and estimate Var x.

    Each chain burns in for ``steps`` steps, then averages x^2 over ``steps``
    more; the chains' averages are independent, so their mean has a normal
    99% confidence interval.
    """
    sigma = _sigma(sigma)
    chains = count(chains, "chains", 2, 10**6)
    m = numeric_method(method)
    eta_v, beta_v = real_number(eta_v, "eta"), real_number(beta_v, "beta")
    lam_v = real_number(lam_v, "lam")
    extra = m.extra_scalars(params)  # single numbers, as eta and beta: checked before any use
    rho = float(spectral_radius(eta_v, beta_v, lam_v, m, **params))
    if rho >= 1:
        raise ParameterError(f"no stationary distribution: the spectral radius is {rho:.6g} >= 1")
    if steps is None:
        needed = 20 / (1 - rho)  # burn-in: the initial state decays by e^-20
        if needed > MAX_MC_STEPS:
            raise ParameterError(
                f"the chains would need about {needed:.3g} steps to reach stationarity "
                f"(spectral radius {rho:.12g}); at most {MAX_MC_STEPS:,}"
            )
        steps = int(max(200, needed))
    steps = count(steps, "steps", 1, MAX_CHAIN_STEPS // 4)
    if chains * 2 * steps > MAX_CHAIN_STEPS:
        raise ParameterError(
            f"{chains:,} chains of 2 x {steps:,} steps exceed {MAX_CHAIN_STEPS:,} chain-steps "
            "(about a minute here): use fewer chains"
        )
    rng = np.random.default_rng(seed)
    eps = np.zeros(chains)

    def gradient(y):
        return lam_v * y + eps

    state = {s: np.zeros(chains) for s in m.state}
    total = np.zeros(chains)
    for k in range(2 * steps):
        eps[:] = rng.normal(0.0, sigma, chains)
        for target, fn in m.updates:
            state[target] = np.broadcast_to(
                fn(*(state[s] for s in m.state), eta_v, beta_v, *extra, gradient), (chains,)
            )
        if k >= steps:
            with np.errstate(over="ignore", invalid="ignore"):
                total += state[m.position] ** 2
    with np.errstate(over="ignore", invalid="ignore"):
        per_chain = total / steps
        mean = float(per_chain.mean())
        half = Z99 * float(per_chain.std(ddof=1)) / np.sqrt(chains)
    if not (np.isfinite(mean) and np.isfinite(half)):
        raise ParameterError(
            f"'sigma' is too large: the chains' squares overflow a float (sigma = {sigma:.6g})"
        )
    return MonteCarlo(mean, (float(mean - half), float(mean + half)), int(chains), int(steps))
