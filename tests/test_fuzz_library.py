"""Fuzz the library's entry points with extreme values: a result or ParameterError/TypeError, no warning.

Values: floats of every size (subnormal, near the overflow edge, infinite,
NaN), huge integers, complex numbers, long text, empty and nested lists.
Run many examples with HYPOTHESIS_PROFILE=fuzz.
"""

import inspect
import warnings

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import numerics
import numerics.testing
import theory
from theory.errors import ParameterError

VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=1e-320, max_value=1e-290) | st.floats(min_value=1e290, max_value=1e308),
    st.integers(-(10**5000), 10**5000) | st.integers(-3, 3),
    st.complex_numbers(max_magnitude=10, allow_nan=False),
    st.text(max_size=60),
    st.just([]),
    st.lists(st.floats(-4, 4), min_size=1, max_size=3),
    st.just([[1.0, 2.0], [3.0]]),
    st.fractions(max_denominator=10**30),
)
METHODS = st.sampled_from(["gd", "heavy_ball", "nesterov", "qhm", "adam", 3])

CALLS = {
    "spectral_radius": lambda a, b, c, m: numerics.spectral_radius(a, b, c, m, **_nu(m)),
    "eigenvalues": lambda a, b, c, m: numerics.eigenvalues(a, b, c, m, **_nu(m)),
    "regime": lambda a, b, c, m: numerics.regime(a, b, c, m, **_nu(m)),
    "max_stable_lam": lambda a, b, c, m: numerics.max_stable_lam(a, b, m, **_nu(m)),
    "axis": lambda a, b, c, m: numerics.axis(a, b, c),
    "worst_case_rate": lambda a, b, c, m: numerics.worst_case_rate(0.1, 0.5, a, b),
    "stationary_variance": lambda a, b, c, m: numerics.stationary_variance(a, b, 1.0, c),
    "simulate": lambda a, b, c, m: numerics.simulate(a, b, lams=[1.0, 2.0], x0=[c, 1.0], steps=5),
    "simulate_lams": lambda a, b, c, m: numerics.simulate(0.1, 0.5, lams=a, x0=b, steps=3),
    "optimal_parameters": lambda a, b, c, m: theory.optimal_parameters(a, b),
    "leaky_average": lambda a, b, c, m: theory.leaky_average(a) if _small(a) else None,
    "rate_grid": lambda a, b, c, m: numerics.rate_grid(a, b, 1.0),
}


def _nu(method) -> dict:
    return {"nu": 0.7} if method == "qhm" else {}


def _small(value) -> bool:
    return not isinstance(value, int) or abs(value) < 10**5  # bigger ones are a test of their own


@given(st.sampled_from(sorted(CALLS)), VALUES, VALUES, VALUES, METHODS)
# found by the fuzz profile: inputs that do not broadcast together (numpy's own ValueError)
@example("eigenvalues", [], 0.0, [1.0, 1.0], "heavy_ball")
@example("max_stable_lam", [0.1, 0.2, 0.3], [0.0, 0.5], 1.0, "qhm")
def test_fuzz_library_entry_points(name, a, b, c, method):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ComplexWarning or RuntimeWarning fails the example
        try:
            result = CALLS[name](a, b, c, method)
        except (ParameterError, TypeError) as exc:
            assert len(str(exc)) < 400, (name, str(exc)[:400])
            return
    if name in ("spectral_radius", "max_stable_lam") and result is not None:
        # documented: never NaN for finite input (max_stable_lam: NaN only where nothing is stable)
        if name == "spectral_radius":
            assert not np.isnan(result).any(), (name, a, b, c, method)


# --- issue 24: the methods' further parameters, torch tensors, sizes ---

#: calls taking a method's further parameters ``p``: (name, call)
PARAM_CALLS = {
    "spectral_radius": lambda m, p: numerics.spectral_radius(0.1, 0.5, [1.0, 2.0], m, **p),
    "eigenvalues": lambda m, p: numerics.eigenvalues(0.1, 0.5, 1.0, m, **p),
    "regime": lambda m, p: numerics.regime(0.1, 0.5, 1.0, m, **p),
    "stable": lambda m, p: numerics.stable(0.1, 0.5, 1.0, m, **p),
    "max_stable_lam": lambda m, p: numerics.max_stable_lam(0.1, 0.5, m, **p),
    "max_stable_eta": lambda m, p: numerics.max_stable_eta(0.5, 2.0, m, **p),
    "regime_boundaries": lambda m, p: numerics.regime_boundaries(0.1, 0.5, m, **p),
    "verdict": lambda m, p: numerics.verdict(0.1, 0.5, 1.0, m, **p),
    "worst_case_rate": lambda m, p: numerics.worst_case_rate(0.1, 0.5, 1.0, 2.0, m, **p),
    "rate_grid": lambda m, p: numerics.rate_grid([0.1, 0.2], [0.5], 1.0, m, **p),
    "simulate": lambda m, p: numerics.simulate(
        0.1, 0.5, lams=[1.0, 2.0], x0=[1.0, 1.0], steps=3, method=m, **p
    ),
    "stationary_variance": lambda m, p: numerics.stationary_variance(0.1, 0.5, 1.0, 1.0, m, **p),
    "tune_numeric": lambda m, p: numerics.tune_numeric(1.0, 2.0, m, **p),
    # every other public function taking a method's further parameters (audit of issue 24:
    # here nu=[0.5] gave numpy's "only 0-dimensional arrays" TypeError, and worst_case with
    # QHM a PEPit TypeError whatever nu was)
    "best_for_spectrum": lambda m, p: numerics.best_for_spectrum(0.1, 0.5, 1.0, 2.0, m, **p),
    "normalised_grid": lambda m, p: numerics.normalised_grid([0.1, 0.2], [0.5], m, **p),
    "volume_grid": lambda m, p: numerics.volume_grid([0.1], [0.5], [1.0], m, **p),
    "volume_summary": lambda m, p: numerics.volume_summary([0.1], [0.5], [1.0], m, **p),
    "worst_case_grid": lambda m, p: numerics.worst_case_grid([0.1], [0.5], 1.0, 2.0, m, **p),
    "quadratic_worst_case": lambda m, p: numerics.quadratic_worst_case(
        0.1, 0.5, 1.0, 2.0, 3, m, **p
    ),
    "worst_case": lambda m, p: numerics.worst_case(0.1, 0.5, 1.0, 2.0, 1, m, **p),
    "stationary_covariance": lambda m, p: numerics.stationary_covariance(
        0.1, 0.5, np.eye(2), np.eye(2), m, **p
    ),
    "monte_carlo_variance": lambda m, p: numerics.monte_carlo_variance(
        0.1, 0.5, 1.0, 1.0, chains=4, steps=5, method=m, **p
    ),
    "run_lessard": lambda m, p: numerics.run_lessard(0.1, 0.5, [1.0], 5, m, **p),
    "lessard_basin": lambda m, p: numerics.lessard_basin(0.1, 0.5, [1.0], 5, m, **p),
    "envelope": lambda m, p: numerics.envelope(_RUNS[m], 1.0, **p),
    "linear_step": lambda m, p: numerics.linear_step(m, 0.1, 0.5, **p),
    "second_moment": lambda m, p: numerics.second_moment(_DATA, 0.01, 0.5, 4, m, **p),
    "full_batch_max_stable_lr": lambda m, p: numerics.full_batch_max_stable_lr(_DATA, 0.5, m, **p),
    "minibatch_max_stable_lr": lambda m, p: numerics.minibatch_max_stable_lr(_DATA, 0.5, 4, m, **p),
    "edge_table": lambda m, p: numerics.edge_table(_DATA, [0.5], [4], m, **p),
    "tune_minibatch": lambda m, p: numerics.tune_minibatch(_DATA, 4, m, momentum=0.5, **p),
    "tune_by_batch": lambda m, p: numerics.tune_by_batch(_DATA, [4], m, **p),
    "train_sgd": lambda m, p: numerics.train_sgd(
        _DATA_X, _DATA_Y, 0.01, 0.5, batch_size=4, epochs=1, method=m, **p
    ),
    "theory_trajectory": lambda m, p: numerics.testing.theory_trajectory(m, eta=0.1, beta=0.5, **p)(
        1.0, 1.0, 3
    ),
    "default_lams": lambda m, p: numerics.testing.default_lams(m, 0.1, 0.5, **p),
    "assert_matches": lambda m, p: numerics.testing.assert_matches(
        _simulated(m, p), m, eta=0.1, beta=0.5, steps=5, **p
    ),
}
#: the calls that are vectorised over the further parameters as over eta and beta
_BROADCAST = {
    "spectral_radius",
    "eigenvalues",
    "regime",
    "stable",
    "max_stable_lam",
    "max_stable_eta",
}
_DATA_X = np.random.default_rng(0).normal(size=(12, 2))
_DATA_Y = np.random.default_rng(1).normal(size=12)
_DATA = numerics.least_squares_data(_DATA_X, _DATA_Y)
#: a valid value of each method's further parameters
_VALID = {"qhm": {"nu": 0.7}, "torch_sgd": {"dampening": 0.0, "weight_decay": 0.0}}


def _simulated(method, params):
    """A trajectory function of ``method`` that is not the toolkit's theory_trajectory."""

    def traj(lam, x0, steps):
        run = numerics.simulate(0.1, 0.5, lams=[lam], x0=[x0], steps=steps, method=method, **params)
        return run.x[:, 0, 0]

    return traj


_RUNS = {
    m: numerics.simulate(0.1, 0.5, lams=[1.0], x0=[1.0], steps=40, method=m, **p)
    for m, p in _VALID.items()
}
#: (method, the parameter fuzzed, the others at a valid value)
PARAMETERS = [
    ("qhm", "nu", {}),
    ("torch_sgd", "dampening", {"weight_decay": 0.0}),
    ("torch_sgd", "weight_decay", {"dampening": 0.0}),
]
#: values no parameter takes: complex, non-finite, beyond a float, out of every range, text
INVALID = [0.5 + 0.1j, float("nan"), float("inf"), 10**400, -0.5, "x", None]


@given(
    st.sampled_from(sorted(PARAM_CALLS)),
    st.sampled_from(PARAMETERS),
    st.sampled_from(INVALID) | st.floats(allow_nan=True) | st.lists(st.floats(0, 1), max_size=3),
)  # a list is an array of values: fine where the inputs broadcast, refused where one number goes
@example("simulate", ("qhm", "nu", {}), [0.5, 0.6, 0.7])  # numpy's broadcast error before
@example("spectral_radius", ("qhm", "nu", {}), 10**400)  # OverflowError before
@example("max_stable_lam", ("torch_sgd", "dampening", {"weight_decay": 0.0}), 0.5 + 0.1j)
def test_fuzz_method_parameters_are_checked_as_eta_and_beta(call, parameter, value):
    # a result, or the toolkit's own error naming the parameter; the values no parameter takes
    # (complex, NaN, 10**400, out of range, text) always refused
    method, name, others = parameter
    invalid = any(value is v or value == v for v in INVALID) or (
        isinstance(value, float) and not np.isfinite(value)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            PARAM_CALLS[call](method, {name: value, **others})
        except ParameterError as exc:  # a ValueError of the toolkit's, never numpy's TypeError
            # a valid value may still be refused for what it does (an unstable iteration)
            assert f"'{name}'" in str(exc) or not invalid, (call, name, value, str(exc)[:300])
            return
    assert not invalid, (call, name, value)


@pytest.mark.parametrize("call", sorted(PARAM_CALLS))
@pytest.mark.parametrize("parameter", PARAMETERS, ids=lambda p: p[1])
@pytest.mark.parametrize("value", [[0.5], [0.2, 0.3], *INVALID], ids=repr)
def test_every_call_checks_the_further_parameters_as_eta_and_beta(call, parameter, value):
    # the fuzz above, exhaustively over its finite cases: a list is refused (naming the
    # parameter) wherever one number goes, and every value no parameter takes, everywhere
    method, name, others = parameter
    refused = call not in _BROADCAST and isinstance(value, list) or not isinstance(value, list)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            PARAM_CALLS[call](method, {name: value, **others})
        except ParameterError as exc:
            assert f"'{name}'" in str(exc), (call, name, value, str(exc)[:300])
            return
    assert not refused, (call, name, value)


def _takes_keywords(fn) -> bool:
    if not callable(fn) or inspect.isclass(fn):
        return False
    try:
        parameters = inspect.signature(fn).parameters.values()
    except ValueError:  # a compiled function without a signature takes no **params
        return False
    return any(p.kind is p.VAR_KEYWORD for p in parameters)


def test_every_public_function_taking_further_parameters_is_fuzzed():
    # a new public function with **params joins PARAM_CALLS, so the checks above reach it
    skipped = {
        "tune_for_model",  # needs a torch model; its parameters go to the same checks first
        "max_stable_lam",  # numerics.testing's: **options are identify's, not a method's
    }
    taking = {
        name
        for module in (numerics, numerics.testing)
        for name in module.__all__
        if _takes_keywords(getattr(module, name))
    }
    assert taking - skipped <= set(PARAM_CALLS), sorted(taking - skipped - set(PARAM_CALLS))


def test_the_worst_case_of_every_method_is_solved():
    # QHM's worst case raised PEPit's TypeError (a 0-d array times a symbolic point) for
    # every nu; the reference: the program run with nu as a plain float gives heavy ball's
    # worst case at nu = 1 (QHM at nu = 1 is heavy ball with its step scaled by 1 - beta,
    # Ma and Yarats 2019, section 3)
    pytest.importorskip("PEPit")
    qhm = numerics.worst_case(0.1, 0.5, 1.0, 2.0, 2, "qhm", nu=1.0)
    hb = numerics.worst_case(0.1 * (1 - 0.5), 0.5, 1.0, 2.0, 2, "heavy_ball")
    assert qhm.tau == pytest.approx(hb.tau, rel=1e-5)


def test_torch_tensors_requiring_grad_are_read_by_value():
    # accepted, detached: the results are NumPy arrays and carry no gradient anyway
    torch = pytest.importorskip("torch")

    def t(x):
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    for as_tensor, as_float in [
        (
            numerics.spectral_radius(t(0.1), t(0.9), t([1.0, 30.0])),
            numerics.spectral_radius(0.1, 0.9, [1.0, 30.0]),
        ),
        (numerics.max_stable_lam(t(0.1), t(0.9)), numerics.max_stable_lam(0.1, 0.9)),
        (numerics.max_stable_eta(t(0.9), t(100.0)), numerics.max_stable_eta(0.9, 100.0)),
        (
            numerics.spectral_radius(0.1, 0.9, 2.0, "qhm", nu=t(0.7)),
            numerics.spectral_radius(0.1, 0.9, 2.0, "qhm", nu=0.7),
        ),
        (
            numerics.simulate(t(0.1), t(0.9), lams=[t(1.0), 2.0], x0=t([1.0, -1.0])).x,
            numerics.simulate(0.1, 0.9, lams=[1.0, 2.0], x0=[1.0, -1.0]).x,
        ),
        (
            numerics.stationary_variance(t(0.1), t(0.9), t(2.0), t(0.5)),
            numerics.stationary_variance(0.1, 0.9, 2.0, 0.5),
        ),
    ]:
        np.testing.assert_array_equal(as_tensor, as_float)
    assert numerics.regime_boundaries(t(0.1), t(0.9)) == numerics.regime_boundaries(0.1, 0.9)


@pytest.mark.parametrize(
    "call",
    [
        lambda big, row: numerics.spectral_radius(big, row, 1.0),
        lambda big, row: numerics.eigenvalues(big, row, 1.0),
        lambda big, row: numerics.regime(big, row, 1.0),
        lambda big, row: numerics.max_stable_lam(big, row),
        lambda big, row: numerics.max_stable_eta(row, big),
        lambda big, row: numerics.worst_case_rate(big, row, 1.0, 2.0),
    ],
)
def test_a_298_gib_broadcast_is_refused_before_numpy_allocates(call):
    # 200,000 x 200,000 points: numpy's _ArrayMemoryError before; the toolkit's limit now
    big, row = np.full((200_000, 1), 0.1), np.full((1, 200_000), 0.5)
    with pytest.raises(ParameterError, match=r"40,000,000,000 points, 298.0 GiB"):
        call(big, row)
