import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import floats
from theory.symbols import beta
from theory.weights import derive_weights, g, leaky_average


def test_effective_weight():
    assert sp.simplify(derive_weights().results["effective_weight"] - 1 / (1 - beta)) == 0


@given(floats(0.0, 0.99), st.integers(1, 400))
def test_property_partial_sums_approach_limit(b, T):
    # property 9: sum_{tau < T} beta^tau -> 1/(1 - beta), with gap beta^T/(1 - beta)
    partial = sum(b**k for k in range(T))
    assert abs(1 / (1 - b) - partial - b**T / (1 - b)) <= 1e-9 * (1 / (1 - b))


@given(st.integers(1, 12), st.lists(floats(-3, 3), min_size=12, max_size=12), floats(-0.99, 0.99))
def test_property_leaky_average_equals_expanded_sum(t, grads, b):
    # property 9: the recurrence equals sum_tau beta^tau g_{t - tau}
    values = {g[k + 1]: grads[k] for k in range(12)}
    rec = float(leaky_average(t).subs(values).subs(beta, b))
    expanded = sum(b**tau * grads[t - tau - 1] for tau in range(t))
    assert abs(rec - expanded) <= 1e-9 * (1 + sum(abs(x) for x in grads))
