r"""The edge of stability (Cohen et al. 2021), reproduced on CPU with the toolkit's own edge.

On a quadratic, gradient descent with step :math:`\eta` diverges along any
curvature above :math:`2/\eta`; heavy ball (momentum :math:`\beta`) above
:math:`2(1 + \beta)/\eta`; PyTorch's Nesterov above
:math:`(2 + 2\beta)/(\eta(1 + 2\beta))`. A network's loss is not a quadratic:
full-batch training at a fixed step makes the sharpness (the top Hessian
eigenvalue) rise until it reaches that edge, and then hover there while the
loss keeps falling, though not monotonically (Cohen, Kaur, Li, Kolter,
Talwalkar, *Gradient descent on neural networks typically occurs at the
edge of stability*, ICLR 2021). :func:`edge_of_stability` trains a small
tanh network full batch with the update of ``torch.optim.SGD`` (whose
momentum is the toolkit's heavy ball: ``tests/test_torch.py``) and measures the
sharpness every few steps by Lanczos (:func:`numerics.hessian_spectrum`,
warm-started from the previous eigenvector). The threshold it is compared
with is the toolkit's edge for the method, :func:`numerics.max_stable_lam`.

The problem: the tanh network 1-30-30-30-1 (about 2,000 parameters)
fitted by the mean squared error to the Chebyshev polynomial
:math:`T_4(x) = 8x^4 - 8x^2 + 1` at 60 points of [-1, 1], with fixed
Gaussian noise of standard deviation 0.2 added to the targets (seeded): the
network cannot interpolate them quickly, so the loss stays positive and the
sharpening goes on. Depth is what sharpens: a 1-100-1 tanh network on the
same data starts at a sharpness of about 44 (PyTorch's initialisation) and
hardly moves (measured over 2000 steps: gradient descent at eta = 0.05
starts past its edge 40, is thrown back to 0.89 of it and stays between 0.84
and 0.90; heavy ball at eta = 0.02, beta = 0.9 goes from 0.23 to 0.32 of its
edge), so there is no rise to watch. This network starts at 8 and rises
about five-fold (gradient descent) and twenty-five-fold (heavy ball).

Heavy ball's edge is a knife edge: up to (1 + sqrt(beta))^2 / (2 (1 + beta))
of it (0.9993 for beta = 0.9) its top direction is damped at the rate
sqrt(beta) (complex roots), and just over it the direction grows fast, so
the sharpness does not hover around the edge as gradient descent's does. In
the run of :data:`RUNS` it climbs to 0.99 of the edge and stays under it; at
eta = 0.025 and 0.03 it crossed by 7 and 9 percent (measured every 20 steps)
and was thrown back to 0.28 and 0.13 of the edge, then rose again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numerics.checks import count, real_number
from numerics.optional import import_torch
from numerics.rates import max_stable_lam
from numerics.reprs import array_repr
from theory.errors import ParameterError

__all__ = [
    "DEGREE",
    "NETWORK",
    "NOISE",
    "POINTS",
    "RISE",
    "RUNS",
    "SharpnessRun",
    "chebyshev_problem",
    "edge_of_stability",
]

#: the widths of the tanh network, input to output
NETWORK = (1, 30, 30, 30, 1)
#: points of [-1, 1] at which the target is given
POINTS = 60
#: the Chebyshev polynomial fitted: T_DEGREE
DEGREE = 4
#: standard deviation of the fixed noise added to the targets
NOISE = 0.2
#: the runs the report draws and the tests check, per method: (eta, beta, steps). Chosen so
#: that the sharpness reaches the edge early and the run shows it hovering for a while
RUNS = {"gd": (0.05, 0.0, 2000), "heavy_ball": (0.02, 0.9, 2000)}
#: the sharpness has "risen" at the first measurement at this fraction of the threshold
RISE = 0.9
#: ARPACK's tolerance for the sharpness: four digits, far below the plateau's own wobble
SHARPNESS_TOL = 1e-5
#: Lanczos vectors per sharpness: few, so the warm start from the last eigenvector pays
SHARPNESS_NCV = 4
METHODS = ("gd", "heavy_ball", "nesterov")


@dataclass(frozen=True)
class SharpnessRun:
    """Full-batch training with the sharpness measured every few steps.

    Attributes
    ----------
    method, eta, beta : str, float, float
        The method (``"gd"``, ``"heavy_ball"`` or ``"nesterov"``, PyTorch's form) and its step and momentum.
    threshold : float
        The toolkit's edge for the method, ``numerics.max_stable_lam(eta, beta, method)``:
        2/eta, 2(1 + beta)/eta, (2 + 2 beta)/(eta (1 + 2 beta)).
    measured_at : numpy.ndarray of int
        The steps at which the sharpness was measured (0 first, the last step last).
    sharpness : numpy.ndarray
        The top eigenvalue of the loss Hessian at those steps.
    loss : numpy.ndarray
        The full-batch loss at every step, ``steps + 1`` values.
    rise : int or None
        The first measured step at which the sharpness reached ``RISE`` times the
        threshold (None if it never did).
    plateau : float
        The median sharpness from the rise on (NaN without a rise).
    band : tuple of float
        The 10th and 90th percentiles of the sharpness from the rise on.
    hvps : int
        Hessian-vector products spent on the sharpness.
    """

    method: str
    eta: float
    beta: float
    threshold: float
    measured_at: np.ndarray
    sharpness: np.ndarray
    loss: np.ndarray
    rise: int | None
    plateau: float
    band: tuple[float, float]
    hvps: int

    __repr__ = array_repr

    @property
    def steps(self) -> int:
        return int(self.loss.size - 1)

    @property
    def plateau_ratio(self) -> float:
        """The plateau over the threshold: 1 when the sharpness hovers at the edge."""
        return self.plateau / self.threshold

    @property
    def loss_rises(self) -> int:
        """How many steps after the rise increased the loss (0 for a monotone descent)."""
        if self.rise is None:
            return 0
        return int(np.count_nonzero(np.diff(self.loss[self.rise :]) > 0))

    def plot(self, ax=None, loss_ax=None) -> dict:
        """Sharpness against step with the threshold, and the loss (numerics.plots.edge)."""
        from numerics.plots.edge import plot_edge_of_stability

        return plot_edge_of_stability(self, ax=ax, loss_ax=loss_ax)


def _step(method: str, params, velocity, grads, eta: float, beta: float) -> None:
    """One step of ``torch.optim.SGD(lr=eta, momentum=beta, nesterov=...)``, written out.

    v <- beta v + g, then x <- x - eta v (heavy ball) or x <- x - eta (g + beta v)
    (PyTorch's Nesterov); gradient descent is beta = 0. Written here rather than
    called: constructing a ``torch.optim`` optimiser loads ``torch._dynamo``
    (seconds, once per process). ``tests/test_edge_of_stability.py`` checks it
    against ``torch.optim.SGD`` step by step.
    """
    for p, v, g in zip(params, velocity, grads, strict=True):
        v.mul_(beta).add_(g)
        p.sub_(eta * (g + beta * v) if method == "nesterov" else eta * v)


def chebyshev_problem(seed: int = 0) -> tuple:
    """``(model, loss_fn, (x, y))``: the tanh network, the mean squared error and the data.

    float64 throughout; the initialisation is PyTorch's default (uniform in
    ±1/sqrt(fan-in)) drawn from a generator seeded with ``seed``, the noise
    from one seeded with ``seed + 1``: the same problem on every machine.
    """
    torch = import_torch("chebyshev_problem")
    init = torch.Generator().manual_seed(seed)
    layers = []
    for i, (a, b) in enumerate(zip(NETWORK[:-1], NETWORK[1:], strict=True)):
        linear = torch.nn.Linear(a, b, dtype=torch.float64)
        bound = 1 / np.sqrt(a)
        with torch.no_grad():
            linear.weight.uniform_(-bound, bound, generator=init)
            linear.bias.uniform_(-bound, bound, generator=init)
        layers += [linear, torch.nn.Tanh()] if i < len(NETWORK) - 2 else [linear]
    x = torch.linspace(-1.0, 1.0, POINTS, dtype=torch.float64)[:, None]
    y = 8 * x**4 - 8 * x**2 + 1  # T_4
    noise = torch.Generator().manual_seed(seed + 1)
    y = y + NOISE * torch.randn(y.shape, generator=noise, dtype=torch.float64)
    return torch.nn.Sequential(*layers), torch.nn.MSELoss(), (x, y)


def edge_of_stability(
    method: str = "gd",
    /,
    *,
    eta: float | None = None,
    beta: float | None = None,
    steps: int | None = None,
    every: int = 20,
    seed: int = 0,
) -> SharpnessRun:
    """Train :func:`chebyshev_problem` full batch and track its sharpness against the edge.

    Parameters
    ----------
    method : {"gd", "heavy_ball", "nesterov"}
        The update of ``torch.optim.SGD`` with momentum 0, ``beta``, or ``beta``
        and ``nesterov=True``.
    eta, beta, steps : optional
        The step, momentum and number of steps; defaults from :data:`RUNS`
        (Nesterov: heavy ball's).
    every : int
        Steps between sharpness measurements.
    seed : int
        The problem's seed (:func:`chebyshev_problem`).

    Returns
    -------
    SharpnessRun
    """
    torch = import_torch("edge_of_stability")
    from numerics.hessian import hessian_spectrum

    if method not in METHODS:
        raise ParameterError(f"'method' must be one of gd, heavy_ball, nesterov: {method!r}")
    default = RUNS.get(method, RUNS["heavy_ball"])
    eta = default[0] if eta is None else real_number(eta, "eta")
    beta = (0.0 if method == "gd" else default[1]) if beta is None else real_number(beta, "beta")
    steps = count(default[2] if steps is None else steps, "steps", 1, 10**6)
    every = count(every, "every", 1, 10**6)
    if eta <= 0:
        raise ParameterError(f"'eta' must be > 0: {eta!r}")
    if method == "gd" and beta != 0:
        raise ParameterError(f"'beta' must be 0 for gd: {beta!r}")
    if not 0 <= beta < 1:
        raise ParameterError(f"'beta' must be in [0, 1): {beta!r}")
    threshold = float(max_stable_lam(eta, beta, method))
    model, loss_fn, (x, y) = chebyshev_problem(seed)
    params = list(model.parameters())
    velocity = [torch.zeros_like(p) for p in params]
    losses = np.empty(steps + 1)
    measured_at = np.unique(np.r_[np.arange(0, steps + 1, every), steps])
    sharpness = np.empty(measured_at.size)
    start, hvps, k = None, 0, 0
    for t in range(steps + 1):
        if t == measured_at[k]:
            spec = hessian_spectrum(
                model,
                loss_fn,
                (x, y),
                tol=SHARPNESS_TOL,
                ncv=SHARPNESS_NCV,
                v0=start,
                vectors=True,
                progress=False,
            )
            sharpness[k], start = spec.largest, spec.top_vectors[:, 0]
            hvps, k = hvps + spec.hvps, k + 1
        loss = loss_fn(model(x), y)
        losses[t] = loss.item()
        if t < steps:
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                _step(method, params, velocity, grads, eta, beta)
    risen = np.flatnonzero(sharpness >= RISE * threshold)
    rise = int(measured_at[risen[0]]) if risen.size else None
    after = sharpness[risen[0] :] if risen.size else np.empty(0)
    plateau = float(np.median(after)) if after.size else float("nan")
    band = tuple(float(q) for q in np.percentile(after, (10, 90))) if after.size else (np.nan,) * 2
    return SharpnessRun(
        method=method,
        eta=float(eta),
        beta=float(beta),
        threshold=threshold,
        measured_at=measured_at,
        sharpness=sharpness,
        loss=losses,
        rise=rise,
        plateau=plateau,
        band=band,
        hvps=hvps,
    )
