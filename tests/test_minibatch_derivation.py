"""`derive minibatch` (theory/minibatch.py) against references that share no code with it.

The one-step factor and the 3 x 3 moment map against the exact expectation over
every batch (plain loops over exact rationals, tests/references.py); the edges
against eigenvalues of that enumerated map (numpy) and against Monte Carlo chains
with exact sampling without replacement, each side of the edge on a margin.
"""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import theory
from tests.references import batch_means, heavy_ball_second_moment_map, rho
from tests.strategies import curvature_sets
from theory.minibatch import B, derive_minibatch, f_B, m, minibatch_moment_matrix, n, v
from theory.symbols import beta, eta

#: per-example curvatures where every term is visible: m = 2 (not 1), v = 19/8, n = 4
H = [Fraction(1, 2), Fraction(1), Fraction(2), Fraction(9, 2)]
#: Monte Carlo: chains, and the half-width of the stated interval in standard errors
CHAINS = 200_000
SIGMAS = 5


@pytest.fixture(scope="module")
def d():
    return derive_minibatch()


def population(h):
    """Mean and population variance by a plain loop (exact for Fractions)."""
    mean = sum(h) / len(h)
    return mean, sum((x - mean) ** 2 for x in h) / len(h)


def factor(size, count, replacement):
    """f_B as the issue states it (the convention the derivation must meet)."""
    return Fraction(1, size) if replacement else Fraction(count - size, size * (count - 1))


def at(expr, h, size, replacement, **params):
    """A result at the curvatures h and batch size (and any of eta, beta given), exactly."""
    mean, var = population(h)
    values = {m: mean, v: var, f_B: factor(size, len(h), replacement)}
    values |= {{"eta": eta, "beta": beta}[k]: x for k, x in params.items()}
    return expr.subs({k: sp.sympify(x) for k, x in values.items()})


def exact_gd_factor(h, size, step, replacement):
    means = batch_means(h, size, replacement)
    return sum((1 - step * hb) ** 2 for hb in means) / len(means)


def test_registered_and_reexported():
    assert "minibatch" in theory.TOPICS
    assert theory.derive_minibatch is derive_minibatch
    assert theory.minibatch_moment_matrix().shape == (3, 3)


@pytest.mark.parametrize(
    "fmt, marker",
    [
        ("text", "heavy_ball_edge: "),
        ("latex", r"\begin{align*}"),
        ("markdown", "$$ p(1) > 0 \\iff"),
        ("json", '"heavy_ball_edge"'),
    ],
)
def test_command_line_prints_it_in_every_format(d, tmp_path, fmt, marker):
    import json

    from momentum_cli.main import main

    target = tmp_path / f"minibatch.{fmt}"
    assert main(["derive", "minibatch", "--format", fmt, "--output", str(target)]) == 0
    text = target.read_text()
    assert marker in text
    if fmt == "json":
        data = json.loads(text)
        assert data["topic"] == "minibatch" and len(data["steps"]) == len(d.steps)
        # the text reads back with sympify alone, its symbols without assumptions
        printed = sp.sympify(data["result"]["heavy_ball_edge"]["text"])
        edge = d.results["heavy_ball_edge"]
        assert (
            sp.simplify(printed - edge.xreplace({s: sp.Symbol(s.name) for s in edge.free_symbols}))
            == 0
        )


def test_batch_moments_and_the_finite_population_factor(d):
    # every batch of the four curvatures, B = 1..4, with and without replacement
    for replacement in (False, True):
        for size in range(1, 5):
            means = batch_means(H, size, replacement)
            mean, var = population(H)
            assert sum(means) / len(means) == mean
            second = sum(x**2 for x in means) / len(means)
            assert at(d.results["batch_second_moment"], H, size, replacement) == second
    assert factor(1, 4, False) == factor(1, 4, True) == 1  # f_1 = 1 either way
    assert factor(4, 4, False) == 0


@pytest.mark.parametrize("replacement", [False, True])
@pytest.mark.parametrize("size", [1, 2, 3])
def test_gd_factor_is_the_exact_expectation_over_every_batch(d, size, replacement):
    step = Fraction(3, 7)
    exact = exact_gd_factor(H, size, step, replacement)
    assert at(d.results["gd_factor"], H, size, replacement, eta=step) == exact


def test_gd_edge_batch_one_is_two_mean_over_mean_square(d):
    mean, _ = population(H)
    mean_square = sum(x**2 for x in H) / len(H)
    edge = d.results["gd_edge_batch_1"].subs({m: sp.Rational(2), v: sp.Rational(19, 8)})
    assert edge == sp.Rational(2 * mean.numerator, mean.denominator) / sp.Rational(
        mean_square.numerator, mean_square.denominator
    )
    # and at that step the exact one-step factor over single examples is exactly 1
    step = 2 * mean / mean_square
    assert exact_gd_factor(H, 1, step, True) == 1


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_gd_edge_is_where_the_exact_factor_reaches_one(d, size):
    edge = at(d.results["gd_edge"], H, size, False)
    exact = Fraction(int(edge.p), int(edge.q))
    assert exact_gd_factor(H, size, exact, False) == 1
    assert exact_gd_factor(H, size, exact * Fraction(99, 100), False) < 1
    assert exact_gd_factor(H, size, exact * Fraction(101, 100), False) > 1
    if size == 4:  # the whole data: the deterministic edge 2/m
        assert exact == 2 / population(H)[0]


@pytest.mark.parametrize("replacement", [False, True])
@pytest.mark.parametrize("size", [1, 2, 3])
def test_heavy_ball_moment_matrix_is_the_exact_expectation_over_every_batch(size, replacement):
    step, momentum = Fraction(2, 9), Fraction(3, 5)
    exact = heavy_ball_second_moment_map(H, size, step, momentum, replacement)
    M = at(minibatch_moment_matrix(), H, size, replacement, eta=step, beta=momentum)
    assert [[M[i, j] for j in range(3)] for i in range(3)] == [
        [sp.Rational(x.numerator, x.denominator) for x in row] for row in exact
    ]


def enumerated_rho(h, size, step, momentum, replacement=False) -> float:
    exact = heavy_ball_second_moment_map(h, size, step, momentum, replacement)
    return rho(np.array([[float(x) for x in row] for row in exact]))


@pytest.mark.parametrize(
    "momentum", [Fraction(-3, 10), Fraction(0), Fraction(3, 5), Fraction(9, 10)]
)
@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_heavy_ball_edge_against_the_enumerated_spectral_radius(d, size, momentum):
    edge = at(d.results["heavy_ball_edge"], H, size, False, beta=momentum)
    edge = Fraction(int(edge.p), int(edge.q))
    assert enumerated_rho(H, size, edge, momentum) == pytest.approx(1, abs=1e-9)
    assert enumerated_rho(H, size, edge * Fraction(97, 100), momentum) < 1
    assert enumerated_rho(H, size, edge * Fraction(103, 100), momentum) > 1
    deterministic = 2 * (1 + momentum) / population(H)[0]
    assert edge <= deterministic and (edge == deterministic) == (size == 4)


def sample_batches(rng, count, size, chains):
    """Exact uniform batches without replacement: the first B of a random permutation each."""
    return np.argsort(rng.random((chains, count)), axis=1)[:, :size]


def test_gd_edge_against_monte_carlo(d):
    # B = 2 of n = 4: f_B = 1/3; the mean-square edge 0.835 is below the deterministic 2/m = 1
    h = np.array([float(x) for x in H])
    size, steps = 2, 8
    edge = float(at(d.results["gd_edge"], H, size, False))
    assert edge < 2 / float(population(H)[0])
    rng = np.random.default_rng(20230)
    for ratio in (0.85, 1.15):
        step = ratio * edge
        e = np.ones(CHAINS)
        for _ in range(steps):
            e *= 1 - step * h[sample_batches(rng, len(h), size, CHAINS)].mean(axis=1)
        estimate = np.mean(e**2)
        # the interval from the exact law: e_T^2 is a product of T independent factors
        means = [float(x) for x in batch_means(H, size)]
        q = np.mean([(1 - step * x) ** 2 for x in means])
        q2 = np.mean([(1 - step * x) ** 4 for x in means])
        half = SIGMAS * np.sqrt((q2**steps - q ** (2 * steps)) / CHAINS)
        assert abs(estimate - q**steps) <= half
        if ratio < 1:
            assert q**steps + half < 1  # settles: below its start, on a margin
        else:
            assert q**steps - half > 1  # grows


def heavy_ball_exact_moments(h, size, step, momentum, steps):
    """E[e_T^2] and E[e_T^4] over every sequence of batches (e_0 = e_{-1} = 1), by enumeration."""
    means = np.array([float(x) for x in batch_means(h, size)])
    e, before = np.ones(1), np.ones(1)
    for _ in range(steps):
        a = 1 + momentum - step * means
        e, before = (np.outer(e, a) - momentum * before[:, None]).ravel(), np.repeat(e, len(a))
    return np.mean(e**2), np.mean(e**4)


def test_heavy_ball_edge_against_monte_carlo(d):
    # B = 3 of n = 4, momentum 0.6: the mean-square edge sits below heavy ball's 2(1 + beta)/m
    h = np.array([float(x) for x in H])
    size, momentum, steps = 3, 0.6, 10
    edge = float(at(d.results["heavy_ball_edge"], H, size, False, beta=Fraction(3, 5)))
    deterministic = 2 * (1 + momentum) / float(population(H)[0])
    rng = np.random.default_rng(7)
    # below the edge, and between it and the deterministic edge (where the mean still decays)
    for step, grows in ((0.8 * edge, False), (np.sqrt(edge * deterministic), True)):
        e, before = np.ones(CHAINS), np.ones(CHAINS)
        for _ in range(steps):
            curvature = h[sample_batches(rng, len(h), size, CHAINS)].mean(axis=1)
            e, before = (1 + momentum - step * curvature) * e - momentum * before, e
        estimate = np.mean(e**2)
        second, fourth = heavy_ball_exact_moments(H, size, step, momentum, steps)
        half = SIGMAS * np.sqrt((fourth - second**2) / CHAINS)
        assert abs(estimate - second) <= half
        # the derivation's recursion gives the same second moment
        M = np.array(
            at(minibatch_moment_matrix(), H, size, False, beta=Fraction(3, 5), eta=step),
            dtype=float,
        )
        assert (np.linalg.matrix_power(M, steps) @ np.ones(3))[0] == pytest.approx(second)
        assert (second - half > 1) if grows else (second + half < 1)
        radius = rho(M)
        assert (radius > 1) if grows else (radius < 1)


FRACTIONS = {
    "scale": st.fractions(Fraction(1, 20), Fraction(3)),  # eta m
    "momentum": st.fractions(Fraction(-9, 10), Fraction(9, 10)),
}


@given(curvature_sets(), FRACTIONS["scale"], FRACTIONS["momentum"])
def test_property_moment_matrix_is_the_enumerated_map(problem, scale, momentum):
    h, size, replacement = problem
    step = scale / population(h)[0]
    exact = heavy_ball_second_moment_map(h, size, step, momentum, replacement)
    M = at(minibatch_moment_matrix(), h, size, replacement, eta=step, beta=momentum)
    assert [[M[i, j] for j in range(3)] for i in range(3)] == exact


@given(curvature_sets(), FRACTIONS["scale"], FRACTIONS["momentum"])
def test_property_conditions_and_edges_on_random_curvature_sets(d, problem, scale, momentum):
    h, size, replacement = problem
    mean, _ = population(h)
    step = scale / mean
    assert at(d.results["gd_factor"], h, size, replacement, eta=step) == exact_gd_factor(
        h, size, step, replacement
    )
    # the closed-form condition is the enumerated map's stability (off the boundary)
    exact = heavy_ball_second_moment_map(h, size, step, momentum, replacement)
    radius = rho(np.array([[float(x) for x in row] for row in exact]))
    stable = bool(
        at(d.results["heavy_ball_condition"], h, size, replacement, eta=step, beta=momentum)
    )
    if abs(radius - 1) > 1e-9:
        assert stable == (radius < 1)
    # never above the deterministic edge
    edge = at(d.results["heavy_ball_edge"], h, size, replacement, beta=momentum)
    assert edge <= 2 * (1 + sp.sympify(momentum)) / sp.sympify(mean)


def test_reductions_printed_and_checked(d):
    text = d.to_text()
    assert "η*_hb|_(v = 0) = 2(1 + β)/m" in text
    assert "E[(1 − ηh_B)²] < 1 ⟺ η < 2m/(m² + f_B v)" in text
    assert "p(1) > 0 ⟺ η < 2(1 − β²)m/((1 − β)m² + (1 + β)f_B v)" in text
    # the condition as its equivalence wrote it, not SymPy's m(2 − 2β²)/(m²(1 − β) + ...)
    assert "heavy_ball_condition: η < 2(1 − β²)m/((1 − β)m² + (1 + β)f_B v)" in text
    assert sp.simplify(d.results["heavy_ball_edge"].subs(beta, 0) - d.results["gd_edge"]) == 0
    assert sp.simplify(d.results["heavy_ball_edge"].subs(f_B, 0) - 2 * (1 + beta) / m) == 0
    assert d.results["gd_edge"].subs(f_B, (n - B) / (B * (n - 1))).subs(B, n) == 2 / m
