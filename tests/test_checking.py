"""The checker's cheap exact tests (theory/engine/checking.py): they prove what they claim, and only that."""

import sys

import pytest
import sympy as sp
from hypothesis import assume, given
from hypothesis import strategies as st
from sympy.matrices.expressions.matexpr import MatrixExpr

import theory.engine.checking
from theory.document import derive_all
from theory.engine.checking import (
    _nonzero_somewhere,
    _numerator_zero,
    _rational_ratio,
    _sample_point,
    is_zero,
    same_condition,
    zero_modulo,
)

x = sp.Symbol("x", positive=True)
k = sp.Symbol("kappa", positive=True)


@st.composite
def polynomials(draw, nonzero: bool = True):
    """A polynomial in x of degree <= 3 with small integer coefficients (not zero if asked)."""
    coeffs = draw(st.lists(st.integers(-5, 5), min_size=1, max_size=4))
    if nonzero and not any(coeffs):
        coeffs[0] = draw(st.sampled_from([-3, 2, 7]))
    return sp.Add(*(c * x**i for i, c in enumerate(coeffs)))


@given(polynomials(), polynomials(), st.integers(1, 9))
def test_square_roots_reduce_to_zero_by_polynomial_arithmetic(a, b, c):
    s = sp.sqrt(x + c)
    # (a + b s)(a - b s) = a^2 - b^2 (x + c), and over a common denominator
    product = (a + b * s) * (a - b * s) - (a**2 - b**2 * (x + c))
    quotient = (a + b * s) / (a - b * s) - (a + b * s) ** 2 / (a**2 - b**2 * (x + c))
    for expr in (product, quotient):
        assert _numerator_zero(expr)  # the cheap path proves it, not the fallback
        assert is_zero(expr)


@given(polynomials(), polynomials(), st.integers(1, 9), st.integers(1, 4))
def test_a_wrong_identity_with_roots_is_not_proven(a, b, c, slip):
    s = sp.sqrt(x + c)
    wrong = (a + b * s) * (a - b * s) - (a**2 - b**2 * (x + c)) + slip * s
    assert not _numerator_zero(wrong)
    assert _nonzero_somewhere(wrong)
    assert not is_zero(wrong)


@pytest.mark.parametrize(
    "expr",
    [
        (sp.sqrt(3 * k + 1) - 2) ** 2 - (3 * k - 3),  # the cross term dropped
        (sp.sqrt(3 * k + 1) - 2) / (sp.sqrt(3 * k + 1) + 2) - (3 * k - 3) / (3 * k + 5),
        -2 * (k + 1) / (x * (2 * k + 1)) + (k - 1) / (k * x),
    ],
)
def test_wrong_claims_are_refused(expr):
    assert not is_zero(expr)


def test_roots_that_do_not_reduce_are_left_to_the_fallback():
    a, b = sp.symbols("a b")  # no assumptions: sqrt(a) sqrt(b) is not sqrt(a b)
    assert not _numerator_zero(sp.sqrt(a) * sp.sqrt(b) - sp.sqrt(a * b))
    assert not is_zero(sp.sqrt(a) * sp.sqrt(b) - sp.sqrt(a * b))
    nested = sp.sqrt(1 + sp.sqrt(x))
    assert not _numerator_zero((nested + 1) * (nested - 1) - sp.sqrt(x))
    assert is_zero((nested + 1) * (nested - 1) - sp.sqrt(x))  # by the fallback


def test_nonzero_somewhere_says_nothing_where_it_cannot_evaluate():
    y = sp.Symbol("y")
    assert not _nonzero_somewhere(sp.Abs(y) - y)  # not arithmetic: left to simplify
    assert not _nonzero_somewhere((x**2 - 1) / (x - 1) - (x + 1))  # zero where defined
    assert not _nonzero_somewhere(sp.Integer(0))


def test_sample_points_satisfy_the_assumptions():
    symbols = {
        "p": sp.Symbol("p", positive=True),
        "n": sp.Symbol("n", integer=True, negative=True),
        "m": sp.Symbol("m", integer=True, nonnegative=True),
        "r": sp.Symbol("r", real=True),
        "q": sp.Symbol("q", nonpositive=True),
        "z": sp.Symbol("z"),
    }
    point = _sample_point(set(symbols.values()))
    value = {name: point[sym] for name, sym in symbols.items()}
    assert value["p"] > 0
    assert value["n"] < 0 and value["n"] == int(value["n"])
    assert value["m"] >= 0 and value["m"] == int(value["m"])
    assert value["q"] <= 0
    assert len(set(value.values())) == len(value)  # no two symbols alike
    assert _sample_point({sp.Symbol("e", even=True)}) is None  # no sample fits: no claim


@given(polynomials(), polynomials(), polynomials(), polynomials())
def test_nonzero_somewhere_agrees_with_simplify(a, b, c, d):
    expr = a / b - c / d
    if _nonzero_somewhere(expr):
        assert sp.simplify(expr) != 0


r0, r1 = sp.symbols("r0 r1")


@st.composite
def small_polynomials(draw, symbols):
    """A sum of up to four terms c * product of powers (0 to 2) of the symbols, c in [-4, 4]."""
    terms = draw(
        st.lists(
            st.tuples(st.integers(-4, 4), st.lists(st.integers(0, 2), min_size=3, max_size=3)),
            max_size=4,
        )
    )
    return sp.Add(
        *(c * sp.Mul(*(v**k for v, k in zip(symbols, ks, strict=True))) for c, ks in terms)
    )


@given(
    small_polynomials((x, r0, r1)),
    small_polynomials((x, r0, r1)),
    polynomials(),
    polynomials(),
    st.integers(-3, 3),
)
def test_zero_modulo_is_membership_in_the_ideal(q0, q1, a, b, c):
    # two monic quadratic relations, one in each symbol, with coefficients in x
    relations = [(r0, r0**2 - a * r0 - b), (r1, r1**2 + c * r1 - a * b)]
    member = sp.expand(q0 * relations[0][1] + q1 * relations[1][1])
    assert zero_modulo(member, relations)
    # r0 r1 + 1 is already reduced (degree < 2 in each symbol) and not zero: no member
    assert not zero_modulo(member + r0 * r1 + 1, relations)
    # the same answers by the slow path (a coefficient SymPy's rationals cannot hold)
    y = sp.Abs(sp.Symbol("y"))
    assert zero_modulo(sp.expand(y * member), relations)
    assert not zero_modulo(sp.expand(y * (member + r0 * r1 + 1)), relations)


@given(
    small_polynomials((x, r0, r1)),
    small_polynomials((x, r0, r1)),
    st.fractions(min_value=-5, max_value=5).filter(lambda c: c != 0),
)
def test_rational_ratio_is_the_constant_quotient(p, q, c):
    c = sp.Rational(c.numerator, c.denominator)
    p = sp.expand(p)
    assume(not p.is_number)  # numbers alone are left to cancel
    assert _rational_ratio(c * p, p) == c
    # the answer cancel gives, the reference the sparse path replaced
    quotient = sp.cancel((p + q) / p)
    expected = quotient if quotient.is_number else None
    assert _rational_ratio(sp.expand(p + q), p) == expected


def test_same_condition_reads_the_sign_and_the_constant():
    a, b = sp.symbols("a b", real=True)
    assert same_condition(sp.Gt(2 * a - 4 * b, 0), sp.Gt(a - 2 * b, 0)) is True  # a bool
    assert not same_condition(sp.Gt(2 * a - 4 * b, 0), sp.Gt(2 * b - a, 0))  # the other side
    assert not same_condition(sp.Gt(2 * a - 4 * b, 0), sp.Gt(a - 3 * b, 0))  # another line
    assert not same_condition(sp.Gt(2 * a - 4 * b, 0), sp.Ge(a - 2 * b, 0))  # weak for strict
    assert _rational_ratio(sp.sqrt(2) * a, a) is NotImplemented  # left to cancel and simplify
    assert same_condition(sp.Gt(sp.sqrt(2) * a, 0), sp.Gt(a, 0))


def _slow_zero(expr: sp.Expr) -> bool:
    """The checker's answer before its exact polynomial paths: expand, cancel, simplify, equals."""
    expr = expr.doit()
    expanded = sp.expand(expr)
    return (
        expanded == 0 or sp.cancel(expanded) == 0 or sp.simplify(expr) == 0 or bool(expr.equals(0))
    )


def test_every_scalar_identity_of_derive_all_gets_the_slow_paths_answer(monkeypatch):
    seen = {}
    original = theory.engine.checking.is_zero

    def recording(expr, *args, **kwargs):
        if isinstance(expr, sp.Expr) and not isinstance(expr, MatrixExpr):
            seen[sp.srepr(expr)] = expr
        return original(expr, *args, **kwargs)

    for module in list(sys.modules.values()):
        if getattr(module, "is_zero", None) is original:
            monkeypatch.setattr(module, "is_zero", recording)
    derive_all()
    monkeypatch.undo()
    assert len(seen) > 40
    for expr in seen.values():
        assert is_zero(expr) == _slow_zero(expr), expr
        if is_zero(expr):  # and the same identity with a slip in it is refused
            slips = [sp.Rational(1, 7), *(s / 7 for s in sorted(expr.free_symbols, key=str)[:1])]
            assert not any(is_zero(expr + slip) for slip in slips), expr
