"""The generated NumPy forms of the built-in methods are the SymPy derivation's.

Two independent checks: the generated module is exactly what the generator
writes today from the theory (so an edit to a method's equations, or to the
file by hand, fails here until ``python -m numerics.codegen`` is rerun), and
its functions, evaluated in exact rationals, equal the SymPy expressions of
:mod:`theory` at points where every term is visible.
"""

from fractions import Fraction

import pytest
import sympy as sp

from numerics import _generated_methods
from numerics.codegen import GENERATED, builtin_source, compile_method
from theory.methods import (
    builtin_methods,
    characteristic_polynomial,
    get_method,
    state_matrix,
)
from theory.noise import noise_input
from theory.stability import derive_stability
from theory.symbols import beta, eta, grad, lam
from theory.tuning import optimal_parameters

#: a point where no term vanishes or coincides with another (not 1, not 2, not 1/2)
POINT = {"eta": Fraction(3, 7), "beta": Fraction(2, 5), "lam": Fraction(5, 3)}
EXTRA = {"nu": Fraction(3, 10), "dampening": Fraction(1, 8), "weight_decay": Fraction(2, 9)}


def _rational(value) -> sp.Rational:
    value = Fraction(value)
    return sp.Rational(value.numerator, value.denominator)


def _symbols(method) -> dict:
    extra = [p for p in method.parameters if p not in (eta, beta)]
    return {eta: POINT["eta"], beta: POINT["beta"], lam: POINT["lam"]} | {
        p: EXTRA[str(p)] for p in extra
    }


def _args(method, with_lam: bool = True) -> list[Fraction]:
    extra = [EXTRA[str(p)] for p in method.parameters if p not in (eta, beta)]
    return [POINT["eta"], POINT["beta"], *([POINT["lam"]] if with_lam else []), *extra]


def _exact(expr, values: dict) -> sp.Expr:
    return sp.nsimplify(expr.subs({k: _rational(v) for k, v in values.items()}))


def test_generated_module_is_the_generators_output():
    assert GENERATED.read_text() == builtin_source(), (
        "numerics/_generated_methods.py is stale: run python -m numerics.codegen"
    )


@pytest.mark.parametrize("name", builtin_methods())
def test_generated_functions_equal_the_theory_exactly(name):
    method = get_method(name)
    spec = _generated_methods.METHODS[name]
    values = _symbols(method)
    R = state_matrix(method)
    assert _rational(spec["trace"](*_args(method))) == _exact(R.trace(), values)
    assert _rational(spec["det"](*_args(method))) == _exact(R.det(), values)
    coeffs = characteristic_polynomial(method).all_coeffs()
    got = spec["coefficients"](*_args(method))
    assert [_rational(c) for c in got] == [_exact(c, values) for c in coeffs]
    bounds = derive_stability(method).results["lam_bounds"]
    got = spec["lam_bounds"](*_args(method, with_lam=False))
    assert [_rational(c) for c in got] == [_exact(c, values) for c in bounds]
    # R and b as polynomials in lambda, summed at lambda
    lam_v = POINT["lam"]
    R_poly = spec["noise_R"](*_args(method, with_lam=False))
    for i, row in enumerate(R_poly):
        for j, coeffs in enumerate(row):
            total = sum(Fraction(c) * lam_v**k for k, c in enumerate(coeffs))
            assert _rational(total) == _exact(R[i, j], values)
    b = noise_input(method)
    for i, coeffs in enumerate(spec["noise_b"](*_args(method, with_lam=False))):
        total = sum(Fraction(c) * lam_v**k for k, c in enumerate(coeffs))
        assert _rational(total) == _exact(b[i], values)


@pytest.mark.parametrize("name", builtin_methods())
@pytest.mark.parametrize("first", [False, True])
def test_generated_updates_equal_the_equations(name, first):
    """One step from a state of distinct rationals, with the gradient g(y) = lam y + 7/11."""
    method = get_method(name)
    spec = _generated_methods.METHODS[name]
    updates = spec["first_updates"] if first else spec["updates"]
    equations = method.first_updates if first else method.updates
    if updates is None:
        assert not equations
        return
    start = {s: Fraction(13 + 4 * i, 9) for i, s in enumerate(method.state)}
    shift = Fraction(7, 11)
    state = {str(s): v for s, v in start.items()}
    extra = _args(method, with_lam=False)[2:]
    for target, fn in updates:
        state[target] = fn(
            *(state[str(s)] for s in method.state),
            POINT["eta"],
            POINT["beta"],
            *extra,
            lambda y: POINT["lam"] * y + shift,
        )
    # the theory's equations, run in order as theory.methods.step_map runs them
    values = {s: s for s in method.state}
    for lhs, rhs in equations:
        values[lhs] = sp.expand(
            rhs.replace(grad, lambda y: lam * y + _rational(shift)).xreplace(values)
        )
    point = _symbols(method) | start
    for s in method.state:
        assert _rational(state[str(s)]) == _exact(values[s], point), s


@pytest.mark.parametrize("name", list(_generated_methods.TUNINGS))
@pytest.mark.parametrize(
    "spectrum",
    [(Fraction(1), Fraction(100)), (Fraction(2, 3), Fraction(6)), (Fraction(1), Fraction(8))],
)
def test_generated_tuning_equals_the_theory(name, spectrum):
    root_fn, tuned_fn = _generated_methods.TUNINGS[name]
    m, big = spectrum
    theory_values = optimal_parameters(_rational(m), _rational(big), method=name)
    r2 = Fraction(root_fn(m, big))
    r = sp.sqrt(_rational(r2))
    got = tuned_fn(_rational(m), _rational(big), r)
    for value, want in zip(
        got, (theory_values.eta, theory_values.beta, theory_values.rate), strict=True
    ):
        assert sp.simplify(sp.sympify(value) - want) == 0


def test_a_method_of_ones_own_compiles_from_the_same_source():
    v, x = sp.symbols("v x", real=True)
    from theory.methods import Method

    lookahead = Method(
        "lookahead", (v, x), ((v, beta * v - eta * grad(x + beta * v)), (x, x + v)), (eta, beta)
    )
    spec = compile_method(lookahead)
    values = _symbols(lookahead)
    R = state_matrix(lookahead)
    assert _rational(spec["trace"](*_args(lookahead))) == _exact(R.trace(), values)
    assert _rational(spec["det"](*_args(lookahead))) == _exact(R.det(), values)
    assert spec["state"] == ("v", "x") and spec["position"] == "x"


def test_tuning_roots_are_written_in_mu_and_L():
    # the generator's root for heavy ball is L/mu: kappa, whose square root the rate holds
    root_fn, _ = _generated_methods.TUNINGS["heavy_ball"]
    assert root_fn(Fraction(2), Fraction(18)) == 9
