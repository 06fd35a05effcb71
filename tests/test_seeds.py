"""Training over seeds: each seed is D2L's run, the interval is Student's, and the theory holds.

References: the example-by-example loop of tests/references.py (D2L's
``sgd_momentum``), a t interval computed with the statistics module, and
the Monte-Carlo check of the noise theory's plateau over 20 seeds.
"""

import statistics

import numpy as np
import pytest

import numerics
from numerics.seeds import _distinct_batches, train_seeds
from tests.references import airfoil_design, train_loop


@pytest.fixture(scope="module")
def data():
    return numerics.load_airfoil()


@pytest.mark.parametrize("lr, momentum, batch", [(0.01, 0.9, 10), (0.03, 0.5, 7)])
def test_each_seed_is_d2l_run_of_that_seed(data, lr, momentum, batch):
    X, y = data
    runs = train_seeds(X, y, lr, momentum, seeds=3, batch_size=batch, epochs=2, first_seed=4)
    A, target = airfoil_design()
    for row, seed in zip(runs.losses, runs.seeds, strict=True):
        examples, losses = train_loop(A, target, lr, momentum, batch, 2, int(seed))
        assert list(runs.examples) == examples
        np.testing.assert_allclose(row, losses, rtol=1e-10)
    assert list(runs.seeds) == [4, 5, 6]


def test_the_plateau_interval_is_students_over_the_seeds(data):
    from scipy import stats

    X, y = data
    runs = train_seeds(X, y, 0.01, 0.9, seeds=6, epochs=3)
    plateau = runs.plateau(tail=0.5, level=0.99)
    first = runs.examples.size // 2
    per_seed = [float(np.mean(row[first:]) - runs.minimum) for row in runs.losses]
    np.testing.assert_allclose(plateau.per_seed, per_seed, rtol=1e-12)
    mean, sd = statistics.fmean(per_seed), statistics.stdev(per_seed)
    half = stats.t.ppf(0.995, 5) * sd / 6**0.5
    assert plateau.mean == pytest.approx(mean, rel=1e-12)
    assert plateau.interval == pytest.approx((mean - half, mean + half), rel=1e-10)


def test_independent_batches_are_distinct_and_uniform():
    rng = np.random.default_rng(0)
    batches = _distinct_batches(rng, 12, 4, 30000)
    assert all(len(set(b)) == 4 for b in batches[:2000])
    counts = np.bincount(batches.ravel(), minlength=12)
    expected = batches.size / 12  # every index equally often
    # a chi-square bound far in the tail (11 degrees of freedom: 99.9% below 31.3)
    assert ((counts - expected) ** 2 / expected).sum() < 31.3
    # pairs too: without replacement, every pair of indices is as likely as any other
    pairs = np.zeros((12, 12))
    for b in batches[:5000]:
        pairs[np.ix_(b, b)] += 1
    off = pairs[~np.eye(12, dtype=bool)]
    assert off.std() / off.mean() < 0.1


def test_the_noise_theory_predicts_the_plateau_of_independent_batches(data):
    """Monte Carlo over 20 seeds: with every batch drawn on its own (the noise the theory
    assumes), the predicted plateau 1/2 tr(Q Sigma) lies in the 99% interval, for D2L's three
    settings; D2L's shuffled epochs settle at or below it (their batches are anti-correlated
    within an epoch)."""
    X, y = data
    for lr, momentum in ((0.02, 0.5), (0.01, 0.9), (0.005, 0.9)):
        predicted = numerics.predicted_plateau(X, y, lr, momentum, 10)
        independent = train_seeds(X, y, lr, momentum, seeds=20, epochs=10, sampling="independent")
        low, high = independent.plateau().interval
        assert low <= predicted <= high, (lr, momentum, predicted, (low, high))
        shuffled = train_seeds(X, y, lr, momentum, seeds=20, epochs=10).plateau()
        assert shuffled.interval[0] < predicted, (lr, momentum, predicted, shuffled.interval)


def test_bad_arguments_say_what_is_allowed(data):
    from theory.errors import ParameterError

    X, y = data
    with pytest.raises(ParameterError, match="sampling"):
        train_seeds(X, y, 0.01, 0.9, seeds=2, sampling="iid")
    with pytest.raises(ParameterError, match="at least 2 seeds"):
        train_seeds(X, y, 0.01, 0.9, seeds=1, epochs=1).plateau()
    with pytest.raises(ParameterError, match="tail"):
        train_seeds(X, y, 0.01, 0.9, seeds=2, epochs=1).plateau(tail=0)


def test_grew_is_train_sgds_divergence_judgement_per_seed():
    # D2L's batch 10, momentum 0.9 at lr 0.3 (above the mean-square edge 0.225): seeds whose
    # loss passed 100 times its start are the ones train_sgd calls diverged
    from numerics.airfoil import train_sgd

    X, y = numerics.load_airfoil()
    runs = train_seeds(X, y, 0.3, 0.9, seeds=6, epochs=2)
    single = [train_sgd(X, y, 0.3, 0.9, seed=s).diverged_at is not None for s in range(6)]
    assert runs.grew.tolist() == single and any(single) and not all(single)
