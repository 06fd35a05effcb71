"""Fuzz the library's entry points with extreme values: a result or ParameterError/TypeError, no warning.

Values: floats of every size (subnormal, near the overflow edge, infinite,
NaN), huge integers, complex numbers, long text, empty and nested lists.
Run many examples with HYPOTHESIS_PROFILE=fuzz.
"""

import warnings

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

import numerics
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
