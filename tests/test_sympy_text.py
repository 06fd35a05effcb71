"""A result's text is SymPy input: ``sympify`` reads it back as the result, lambda and beta included."""

import json

import pytest
import sympy as sp

from momentum_cli.main import main
from theory.document import derive, derive_all
from theory.engine.derivation import _same_value
from theory.engine.sympy_text import sympy_text
from theory.symbols import beta, eta, lam


def _plain(value: sp.Basic) -> sp.Basic:
    """The result with its symbols as ``sympify`` makes them: no assumptions (which would
    decide, say, eta*lambda > 0 on their own)."""
    return value.xreplace({s: sp.Symbol(s.name) for s in value.atoms(sp.Symbol)})


def _same(back: sp.Basic, value: sp.Basic) -> bool:
    if isinstance(value, sp.And):  # a conjunction: the same conditions, in any order
        return (
            isinstance(back, sp.And)
            and all(any(_same_value(a, b) for b in value.args) for a in back.args)
            and len(back.args) == len(value.args)
        )
    return _same_value(back, value)


def _derivations():
    yield from derive_all().values()
    yield from derive_all(method="nesterov").values()
    yield from (derive(topic, method="qhm") for topic in ("momentum", "stability"))
    yield derive("minimizer", Q=[[2, 1], [1, 3]], c=[1, -1], b=2)
    yield derive("minimizer", Q=[[2.0, 1.0], [1.0, 3.0]], c=[0.1, 0.2], b=0.3)
    yield derive("decoupling", Q=[[2, 1], [1, 3]])


def test_every_result_reads_back_as_itself():
    count = 0
    for d in _derivations():
        for name, value in d.results.items():
            text = sympy_text(d.shown(name))
            assert _same(sp.sympify(text), _plain(value)), (d.title, name, text)
            count += 1
    assert count > 40


@pytest.mark.parametrize(
    "expr", [eta * lam, beta + 1, sp.Symbol("gamma") * sp.Symbol("Lambda"), sp.Symbol("Q") - 1]
)
def test_names_sympify_would_misread_are_written_as_symbols(expr):
    text = sympy_text(expr)
    assert sp.sympify(text) == expr.xreplace({s: sp.Symbol(s.name) for s in expr.free_symbols})


def test_a_planted_misreading_is_caught():
    # the keyword and the function names are what make the plain str fail to read back
    with pytest.raises(sp.SympifyError):
        sp.sympify(str(eta * lam))
    with pytest.raises(TypeError):
        sp.sympify(str(beta + 1))


def test_the_json_results_are_the_printed_forms(capsys):
    assert main(["derive", "all", "--format", "json"]) == 0
    results = json.loads(capsys.readouterr().out)["result"]
    assert results["minimizer.minimum"]["latex"] == r"b - \frac{1}{2} c^\top Q^{-1} c"
    assert results["decoupling.gd_step"]["latex"] == r"I - \eta \Lambda"
    assert results["decoupling.gd_step"]["text"] == "Identity(n) - eta*MatrixSymbol('Lambda', n, n)"
    minimum = sp.sympify(results["minimizer.minimum"]["text"])
    assert not isinstance(minimum, sp.MatrixExpr) and minimum.is_commutative  # a scalar


def test_an_explicit_matrix_is_one_line_that_reads_back():
    # derive counterexample --json carried its cycle as "Matrix([\n[  792/1225],\n[-2208/1225],
    # ...])": StrPrinter's layout for a terminal, padded and broken over lines inside a JSON string
    m = sp.Matrix([[sp.Rational(792, 1225)], [sp.Rational(-2208, 1225)], [sp.Rational(2592, 1225)]])
    text = sympy_text(m)
    assert text == "Matrix([[792/1225], [-2208/1225], [2592/1225]])"
    assert sp.Matrix(sp.sympify(text)) == m
    square = sp.Matrix([[sp.Symbol("beta"), 1], [sp.Rational(-1, 3), sp.Symbol("eta")]])
    assert sp.Matrix(sp.sympify(sympy_text(square), locals={"beta": sp.Symbol("beta")})) == square
