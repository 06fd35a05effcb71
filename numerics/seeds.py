"""Minibatch training repeated over seeds: the spread of the runs and Monte-Carlo plateaus.

A claim about stochastic training holds over many seeds, not for one lucky
run. :func:`train_seeds` trains D2L's minibatch SGD with momentum from
``seeds`` seeds at once (the seeds are a batch dimension: one pass of the
loop serves them all), and :meth:`SeedRuns.plateau` estimates the excess
loss at the plateau with a 99% interval over the seeds.

Seed ``s`` with D2L's sampling (``sampling="epochs"``: a fresh permutation of
the data every epoch, cut into batches) is the run of
:func:`numerics.train_sgd` with ``seed=s``. ``sampling="independent"`` draws
every step's batch afresh (uniformly, without replacement within the batch),
independently of the other steps: the noise the theory of
:func:`numerics.predicted_plateau` assumes. Within one of D2L's epochs the
batches partition the data, so their noise is negatively correlated and the
runs settle lower than that theory says.

Examples
--------
>>> import numerics
>>> X, y = numerics.load_airfoil()
>>> runs = train_seeds(X, y, 0.01, 0.9, seeds=5, epochs=2)
>>> runs.losses.shape
(5, 15)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numerics.airfoil import (
    DIVERGENCE_LOSS_GROWTH,
    _check_training,
    _data,
    _design,
    least_squares_quadratic,
)
from numerics.checks import count, real_number
from numerics.reprs import array_repr
from theory.errors import ParameterError

__all__ = ["SAMPLINGS", "SeedPlateau", "SeedRuns", "train_seeds"]

#: how a run draws its batches: D2L's shuffled epochs, or each step's batch on its own
SAMPLINGS = ("epochs", "independent")


@dataclass(frozen=True)
class SeedPlateau:
    """The excess loss at the plateau over seeds: mean, its 99% interval, each seed's value.

    ``per_seed`` is each run's excess loss averaged over its records from
    ``start`` (examples seen) on; the seeds are independent, so their mean
    has a Student-t interval.
    """

    __repr__ = array_repr  # arrays summarised, not printed in full

    mean: float
    interval: tuple[float, float]
    per_seed: np.ndarray
    start: int


@dataclass(frozen=True)
class SeedRuns:
    """Losses over the full data of one setting trained from several seeds.

    ``losses`` has one row per seed, recorded every ``record_every`` examples
    as :func:`numerics.train_sgd` does (``examples``); ``initial_losses`` are
    the losses before the first update.
    """

    __repr__ = array_repr  # arrays summarised, not printed in full

    lr: float
    momentum: float
    batch_size: int
    epochs: int
    sampling: str
    seeds: np.ndarray
    examples: np.ndarray
    losses: np.ndarray
    initial_losses: np.ndarray
    minimum: float

    def excess(self) -> np.ndarray:
        """The loss minus the least-squares minimum, one row per seed."""
        return self.losses - self.minimum

    @property
    def grew(self) -> np.ndarray:
        """Per seed: the loss passed ``DIVERGENCE_LOSS_GROWTH`` times its start at a record.

        The judgement of :attr:`numerics.airfoil.TrainResult.diverged_at`.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            limit = DIVERGENCE_LOSS_GROWTH * self.initial_losses[:, None]
            return (~(self.losses <= limit)).any(axis=1)

    def plateau(self, tail: float = 0.5, level: float = 0.99) -> SeedPlateau:
        """Mean excess loss over the last ``tail`` of the records, with its ``level`` interval."""
        from scipy.special import stdtrit  # Student's t quantile (scipy.stats: 10x the import)

        if not 0 < tail <= 1:
            raise ParameterError(f"'tail' must be in (0, 1]: {tail}")
        if not 0 < level < 1:
            raise ParameterError(f"'level' must be in (0, 1): {level}")
        if self.seeds.size < 2:
            raise ParameterError("an interval over seeds needs at least 2 seeds: 1 given")
        first = int(np.floor((1 - tail) * self.examples.size))
        per_seed = self.excess()[:, first:].mean(axis=1)
        mean = float(per_seed.mean())
        half = float(
            stdtrit(per_seed.size - 1, 0.5 + level / 2)
            * per_seed.std(ddof=1)
            / np.sqrt(per_seed.size)
        )
        return SeedPlateau(mean, (mean - half, mean + half), per_seed, int(self.examples[first]))


def _distinct_batches(rng, n: int, batch: int, steps: int) -> np.ndarray:
    """``steps`` batches of ``batch`` distinct indices of ``n``, each uniform, independent.

    Draws with replacement and draws again the batches that repeat an index:
    what is kept is uniform over the subsets (each ordered distinct draw is
    equally likely), at a few percent of redraws when ``batch`` is small
    against ``n``.
    """
    out = rng.integers(0, n, size=(steps, batch))
    while True:
        ordered = np.sort(out, axis=1)
        again = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
        if not again.any():
            return out
        out[again] = rng.integers(0, n, size=(int(again.sum()), batch))


def train_seeds(
    X,
    y,
    lr: float,
    momentum: float = 0.0,
    *,
    seeds: int = 20,
    batch_size: int = 10,
    epochs: int = 2,
    first_seed: int = 0,
    sampling: str = "epochs",
    record_every: int = 200,
) -> SeedRuns:
    """Train from seeds ``first_seed, ..., first_seed + seeds - 1`` at once.

    Each seed starts as :func:`numerics.train_sgd` does (weights
    N(0, 0.01^2), bias 0, velocity 0) and draws its batches with its own
    generator, as ``sampling`` says (:data:`SAMPLINGS`).
    """
    X, y = _data(X, y)
    lr, momentum = _check_training(lr, momentum, batch_size, epochs, X.shape[0])
    lr, momentum = real_number(lr, "lr"), real_number(momentum, "momentum")
    seeds = count(seeds, "seeds", 1, 10_000)
    record_every = count(record_every, "record_every", 1, 10**9)
    if sampling not in SAMPLINGS:
        raise ParameterError(f"'sampling' must be one of {', '.join(SAMPLINGS)}: {sampling!r}")
    quad = least_squares_quadratic(X, y)
    A = _design(X)
    n, d = X.shape
    which = np.arange(first_seed, first_seed + seeds)
    rngs = [np.random.default_rng(int(s)) for s in which]
    w = np.stack([np.concatenate([r.normal(0.0, 0.01, d), [0.0]]) for r in rngs])
    v = np.zeros_like(w)
    initial = quad.loss(w)
    if sampling == "epochs":  # D2L: each epoch a permutation, cut into batches (the last smaller)
        per_epoch = -(-n // batch_size)

        def batches(epoch):
            order = np.stack([r.permutation(n) for r in rngs])
            return [order[:, i : i + batch_size] for i in range(0, n, batch_size)]
    else:  # the same number of steps, each batch drawn on its own
        per_epoch = -(-n // batch_size)
        drawn = np.stack([_distinct_batches(r, n, batch_size, per_epoch * epochs) for r in rngs])

        def batches(epoch):
            return [drawn[:, k] for k in range(epoch * per_epoch, (epoch + 1) * per_epoch)]

    seen = 0
    examples, losses = [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            for k, idx in enumerate(batches(epoch)):
                Ab = A[idx]  # (seeds, batch, d + 1)
                residual = np.einsum("sbj,sj->sb", Ab, w) - y[idx]
                grad = np.einsum("sbj,sb->sj", Ab, residual) / idx.shape[1]
                v = momentum * v + grad
                w = w - lr * v
                last = epoch == epochs - 1 and k == per_epoch - 1
                crossed = (seen + idx.shape[1]) // record_every > seen // record_every
                seen += idx.shape[1]
                # as train_sgd: at each multiple of record_every passed, and at the very end
                if crossed or (last and (not examples or examples[-1] != seen)):
                    examples.append(seen)
                    losses.append(quad.loss(w))
    return SeedRuns(
        lr,
        momentum,
        int(batch_size),
        int(epochs),
        sampling,
        which,
        np.array(examples),
        np.array(losses).T,
        initial,
        quad.minimum,
    )
