"""D2L's airfoil experiment: the data, its quadratic, and minibatch SGD with momentum.

:func:`load_airfoil` reproduces D2L's ``get_data_ch11``: every column
standardised (the target too, population standard deviation), the first 1500
rows, the first five columns as features. Least-squares linear regression on
it, with a bias, is the quadratic 1/2 w^T Q w + c^T w + b with
``Q = A^T A / n`` for ``A = [X, 1]``: its eigenvalues predict which (eta,
beta) converge on the full batch.

Examples
--------
>>> X, y = load_airfoil()
>>> X.shape, y.shape
((1500, 5), (1500,))
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from importlib import resources

import numpy as np

from numerics.checks import count, real_array, real_number
from numerics.reprs import array_repr
from theory.errors import ParameterError

__all__ = [
    "CONVERGED_FRACTION",
    "DIVERGENCE_LOSS_GROWTH",
    "DivergenceEdge",
    "Plateau",
    "Quadratic",
    "TrainResult",
    "gradient_noise_covariance",
    "divergence_edge",
    "least_squares_quadratic",
    "load_airfoil",
    "noise_plateau",
    "predicted_plateau",
    "train_sgd",
]

#: a full-batch run has converged once its error along Q's top eigenvector is below this
#: fraction of its start (a run on the edge, rho = 1, keeps its amplitude)
CONVERGED_FRACTION = 1e-3
#: training has diverged once its loss passes this many times its value at the start: two
#: orders of magnitude. Minibatch runs above the mean-square edge grow unevenly (heavy tails:
#: D2L's lr 0.3 at batch 10 and momentum 0.9 ended one run at loss 411, 800 times its start,
#: without passing the 10^4 this was before); the loss, not its excess over the minimum, is
#: compared, so data the features cannot explain (start already near the minimum) is not
#: called diverged for its noise
DIVERGENCE_LOSS_GROWTH = 100.0


def load_airfoil(n: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    """Features (n, 5) and target (n,), standardised as D2L does; offline (package data)."""
    if int(n) != n or not 1 <= n <= 1503:
        raise ParameterError(f"'n' must be an integer in [1, 1503]: {n}")
    path = resources.files("numerics.data").joinpath("airfoil_self_noise.dat")
    with resources.as_file(path) as f:
        data = np.genfromtxt(f, delimiter="\t")
    data = (data - data.mean(axis=0)) / data.std(axis=0)
    return data[: int(n), :-1], data[: int(n), -1]


def _design(X: np.ndarray) -> np.ndarray:
    return np.hstack([X, np.ones((X.shape[0], 1))])


@dataclass(frozen=True)
class Quadratic:
    """f(w) = 1/2 w^T Q w + c^T w + b: the mean squared loss (halved) of a linear model with bias."""

    __repr__ = array_repr  # arrays summarised, not printed in full

    Q: np.ndarray
    c: np.ndarray
    b: float

    @property
    def eigenvalues(self) -> np.ndarray:
        return np.linalg.eigvalsh(self.Q)

    @property
    def minimizer(self) -> np.ndarray:
        return np.linalg.solve(self.Q, -self.c)

    @property
    def minimum(self) -> float:
        return float(self.b + 0.5 * self.c @ self.minimizer)

    def loss(self, w: np.ndarray) -> np.ndarray:
        """Loss at each row of ``w`` (or at one vector)."""
        w = np.asarray(w, float)
        return 0.5 * np.einsum("...i,ij,...j->...", w, self.Q, w) + w @ self.c + self.b


def least_squares_quadratic(X: np.ndarray, y: np.ndarray) -> Quadratic:
    """The loss mean((A w - y)^2) / 2 with A = [X, 1] as a quadratic: Hessian A^T A / n."""
    A = _design(X)
    n = A.shape[0]
    return Quadratic(A.T @ A / n, -A.T @ y / n, float(y @ y / (2 * n)))


def gradient_noise_covariance(X: np.ndarray, y: np.ndarray, batch_size: int) -> np.ndarray:
    """Covariance of a minibatch gradient at the minimizer (sampling without replacement).

    Per-example gradients at w* are ``a_i (a_i^T w* - y_i)``; they average to
    zero, and a batch of B of n has covariance ``C/B (n - B)/(n - 1)``.
    """
    X, y = _data(X, y)
    batch_size = count(batch_size, "batch_size", 1, X.shape[0])
    A = _design(X)
    n = A.shape[0]
    w = least_squares_quadratic(X, y).minimizer
    G = A * (A @ w - y)[:, None]
    C = G.T @ G / n
    return C / batch_size * (n - batch_size) / max(n - 1, 1)


@dataclass(frozen=True)
class TrainResult:
    """Losses over the full data recorded every ``record_every`` examples, as D2L does."""

    __repr__ = array_repr  # arrays summarised, not printed in full

    lr: float
    momentum: float
    batch_size: int
    epochs: int
    examples: np.ndarray  # examples seen at each record
    seconds: np.ndarray  # training time (evaluation excluded) at each record
    losses: np.ndarray
    sec_per_epoch: float
    #: the loss before the first update (epoch 0 of the loss curves)
    initial_loss: float = float("nan")
    minimum: float = float("nan")  # the least-squares minimum
    method: str = "heavy_ball"

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])

    @property
    def diverged_at(self) -> int | None:
        """Examples seen when the loss first passed ``DIVERGENCE_LOSS_GROWTH`` times its start.

        None if it never did (or the start is unknown). A run that grew and
        came back still diverged: its loss grew by orders of magnitude.
        """
        start = self.initial_loss
        with np.errstate(over="ignore", invalid="ignore"):
            grown = ~(self.losses <= DIVERGENCE_LOSS_GROWTH * start)
        if not np.isfinite(start) or not grown.any():
            return None
        return int(self.examples[np.argmax(grown)])

    def d2l_line(self) -> str:
        """D2L's closing line, ``loss: 0.244, 0.009 sec/epoch``; a diverged run says so."""
        at = self.diverged_at
        if at is not None:
            epoch = -(-at * self.epochs // int(self.examples[-1]))  # the epoch it happened in
            return (
                f"loss: diverged (past {DIVERGENCE_LOSS_GROWTH:g} times its start after {at} "
                f"examples, in epoch {epoch}; {self.final_loss:.3g} at the end), "
                f"{self.sec_per_epoch:.3f} sec/epoch"
            )
        return f"loss: {self.final_loss:.3f}, {self.sec_per_epoch:.3f} sec/epoch"


def train_sgd(
    X: np.ndarray,
    y: np.ndarray,
    lr: float,
    momentum: float = 0.0,
    *,
    batch_size: int = 10,
    epochs: int = 2,
    seed: int = 0,
    record_every: int = 200,
    method="heavy_ball",
    **params,
) -> TrainResult:
    """Minibatch SGD with momentum (D2L's ``sgd_momentum``) on the squared loss.

    Weights start at N(0, 0.01^2), the bias at 0, the velocity at 0; every
    epoch visits a fresh permutation in batches; after every
    ``record_every`` examples the loss over the full data is recorded.
    ``method`` runs another method's update equations (``gd``, ``nesterov``,
    ``torch_sgd`` with ``dampening=`` and ``weight_decay=``, ...) with the
    batch gradient; heavy ball is D2L's ``sgd_momentum`` itself.
    """
    from numerics.methods import numeric_method

    X, y = _data(X, y)
    # the checked floats: text such as '0.01' is read, and a torch tensor detached, once
    lr, momentum = _check_training(lr, momentum, batch_size, epochs, X.shape[0])
    record_every = count(record_every, "record_every", 1, 10**9)
    m = numeric_method(method)
    extra = m.extra_scalars(params)  # one run: single numbers, as lr and momentum
    rng = np.random.default_rng(seed)
    n, d = X.shape
    A = _design(X)
    quad = least_squares_quadratic(X, y)
    state = {s: np.zeros(d + 1) for s in m.state}
    state[m.position] = np.concatenate([rng.normal(0.0, 0.01, d), [0.0]])
    initial_loss = float(quad.loss(state[m.position]))
    updates = m.first_updates or m.updates
    seen, clock = 0, 0.0
    examples, seconds, losses = [], [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            order = rng.permutation(n)
            start = time.perf_counter()
            for i in range(0, n, batch_size):
                idx = order[i : i + batch_size]
                gradient = _batch_gradient(A[idx], y[idx], idx.size)
                for target, fn in updates:
                    state[target] = fn(*(state[s] for s in m.state), lr, momentum, *extra, gradient)
                updates = m.updates
                last = epoch == epochs - 1 and i + batch_size >= n
                crossed = (seen + idx.size) // record_every > seen // record_every
                seen += idx.size
                # D2L records when the count hits a multiple of 200; batches that skip over a
                # multiple record there too, and the very end is always recorded
                if crossed or (last and (not examples or examples[-1] != seen)):
                    clock += time.perf_counter() - start
                    examples.append(seen)
                    seconds.append(clock)
                    losses.append(float(quad.loss(state[m.position])))
                    start = time.perf_counter()
            clock += time.perf_counter() - start
    return TrainResult(
        float(lr),
        float(momentum),
        int(batch_size),
        int(epochs),
        np.array(examples),
        np.array(seconds),
        np.array(losses),
        clock / epochs,
        initial_loss,
        quad.minimum,
        m.name,
    )


def _batch_gradient(Ab: np.ndarray, yb: np.ndarray, size: int):
    """g(w) = Ab^T (Ab w - yb) / size, computed once for the point a step reads twice (Nesterov)."""
    last: list = [None, None]

    def gradient(w: np.ndarray) -> np.ndarray:
        if last[0] is not w:
            last[0], last[1] = w, Ab.T @ (Ab @ w - yb) / size
        return last[1]

    return gradient


def _data(X, y) -> tuple[np.ndarray, np.ndarray]:
    """Features (n, d) and targets (n,), finite, with n >= 1."""
    X, y = real_array(X, "X"), real_array(y, "y")
    if X.ndim != 2 or X.shape[0] == 0 or y.shape != (X.shape[0],):
        raise ParameterError(
            f"'X' must be (n, d) and 'y' (n,) with n >= 1: shapes {X.shape} and {y.shape}"
        )
    return X, y


def _check_training(lr, momentum, batch_size, epochs, n) -> tuple[float, float]:
    """(lr, momentum) as floats, checked with the batch size and epochs (use these, not the inputs)."""
    lr, momentum = real_number(lr, "lr"), real_number(momentum, "momentum")
    if not lr > 0:
        raise ParameterError(f"'lr' must be finite and > 0: {lr}")
    if not 0 <= momentum < 1:
        raise ParameterError(f"'momentum' must be in [0, 1): {momentum}")
    count(batch_size, "batch_size", 1, n)
    count(epochs, "epochs", 1, 1000)
    return lr, momentum


@dataclass(frozen=True)
class DivergenceEdge:
    """The full-batch learning rate where training starts to diverge: predicted and observed."""

    __repr__ = array_repr  # arrays summarised, not printed in full

    beta: float
    predicted: float  # 2 (1 + beta) / lambda_max
    largest_converging: float
    smallest_diverging: float
    etas: np.ndarray
    diverged: np.ndarray
    #: runs whose error along Q's top eigenvector shrank below CONVERGED_FRACTION of its start;
    #: the runs neither converged nor diverged sit on the edge (rho = 1: constant amplitude)
    converged: np.ndarray | None = None

    @property
    def on_edge(self) -> np.ndarray:
        """Runs that neither converged nor diverged."""
        return ~self.diverged & ~self.converged


def divergence_edge(
    quad: Quadratic, beta: float = 0.0, *, rel: float = 0.05, points: int = 21, steps: int = 3000
) -> DivergenceEdge:
    """Scan full-batch runs (batched) around the Hessian's predicted edge 2(1 + beta)/lambda_max."""
    from numerics.simulate import simulate

    predicted = 2 * (1 + beta) / float(quad.eigenvalues.max())
    etas = predicted * np.linspace(1 - rel, 1 + rel, points)
    run = simulate(etas, beta, Q=quad.Q, c=quad.c, x0=np.zeros(quad.Q.shape[0]), steps=steps)
    div = run.diverged
    # converging is observed where the edge acts: along the top eigenvector of Q
    top = np.linalg.eigh(quad.Q)[1][:, -1]
    with np.errstate(over="ignore", invalid="ignore"):
        along = np.abs((run.x[[0, -1]] - run.minimizer) @ top)
    conv = ~div & (along[1] < CONVERGED_FRACTION * along[0])
    return DivergenceEdge(
        float(beta),
        predicted,
        float(etas[conv].max()) if conv.any() else float("nan"),
        float(etas[div].min()) if div.any() else float("nan"),
        etas,
        div,
        conv,
    )


@dataclass(frozen=True)
class Plateau:
    """Excess loss at the minibatch plateau: the noise theory's prediction and the simulation's."""

    predicted: float
    observed: float


def noise_plateau(
    X, y, lr: float, momentum: float, batch_size: int, *, epochs: int = 30, seeds: int = 3
) -> Plateau:
    """Predicted 1/2 tr(Q Sigma) (:func:`predicted_plateau`) against training."""
    quad = least_squares_quadratic(X, y)
    predicted = predicted_plateau(X, y, lr, momentum, batch_size)
    observed = [
        train_sgd(X, y, lr, momentum, batch_size=batch_size, epochs=epochs, seed=s).losses
        for s in range(seeds)
    ]
    tail = np.concatenate([loss[loss.size // 2 :] for loss in observed])
    return Plateau(predicted, float(tail.mean() - quad.minimum))


def predicted_plateau(X, y, lr: float, momentum: float, batch_size: int) -> float:
    """The noise theory's excess loss at the minibatch plateau: 1/2 tr(Q Sigma).

    Sigma is the stationary covariance of w - w* (a Lyapunov equation) under
    the minibatch gradient noise of the data at the minimizer
    (:func:`gradient_noise_covariance`); no training. In Q's eigenbasis
    tr(Q Sigma) = sum_i lambda_i Sigma_ii, and each mode's own variance
    Sigma_ii sees only its own share of the noise (the modes' cross terms
    never feed back into it), so one 2 x 2 state per mode replaces the
    whole 2d x 2d Lyapunov equation: exact, and a millisecond where the
    (2d)^2 Kronecker system took a multithreaded BLAS a tenth of a second
    on a busy machine.
    """
    from numerics.noise import stationary_covariance

    lam, V = np.linalg.eigh(least_squares_quadratic(X, y).Q)
    S = gradient_noise_covariance(X, y, batch_size)
    own = np.einsum("ji,jk,ki->i", V, S, V)  # diag(V^T S V): each mode's noise variance
    return 0.5 * sum(
        float(l * stationary_covariance(lr, momentum, [[l]], [[s]])[0, 0])
        for l, s in zip(lam, own, strict=True)
    )
