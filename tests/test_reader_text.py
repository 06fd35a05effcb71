"""The printed text, read back: every printed result and step side is the object it prints.

The reference reader here shares no code with :mod:`theory.engine.reader_text`
or :mod:`theory.engine.printing` (LaTeX):
it turns the Unicode (``−``, superscripts, ``√``, ``|x|``, Greek letters, a
product written by juxtaposition) into Python syntax by a table, and SymPy's
own parser reads that. A printed sign that is not the object's (a leading
minus dropped, a negative coefficient printed positive) reads back as another
expression.
"""

import re

import pytest
import sympy as sp
from sympy.parsing.sympy_parser import (
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)

import theory
from theory.engine.named import Named
from theory.engine.printing import latex
from theory.engine.reader_text import plain
from theory.symbols import L, beta, eta, kappa, lam, mu, nu, z

#: the symbols a printed formula may name, by the letter it prints
LETTERS = {"β": beta, "η": eta, "λ": lam, "μ": mu, "κ": kappa, "ν": nu, "z": z, "L": L}
#: sigma as the noise derivation names it
LETTERS["σ"] = sp.Symbol("sigma", positive=True)
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_READABLE = re.compile(r"[0-9βηλμκνσzL√|()/+−.\s⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_TRANSFORMS = (*standard_transformations, implicit_multiplication_application)


def read_back(text: str) -> sp.Expr:
    """A printed scalar formula as SymPy reads it, through a table of the notation."""
    text = re.sub(r"\|([^|]*)\|", r"Abs(\1)", text)  # |x|: the formulas nest no bars
    text = re.sub(r"([⁰¹²³⁴⁵⁶⁷⁸⁹]+)", lambda m: "**" + m.group(1).translate(_SUPERSCRIPT), text)
    text = re.sub(r"√([0-9βηλμκνσzL])", r"sqrt(\1)", text).replace("√(", "sqrt(")
    text = text.replace("−", "-")
    names = {}
    for letter, symbol in LETTERS.items():
        names[f"s_{symbol.name}"] = symbol
        text = text.replace(letter, f" s_{symbol.name} ")
    return parse_expr(text, local_dict=names, transformations=_TRANSFORMS)


_MACROS = {r"\beta": "β", r"\eta": "η", r"\lambda": "λ", r"\mu": "μ", r"\kappa": "κ"}
_MACROS |= {r"\nu": "ν", r"\sigma": "σ"}


def _group(text: str, i: int) -> tuple[str, int]:
    """The brace group starting at text[i] == "{": its inside and the index after it."""
    depth = 0
    for j in range(i, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return text[i + 1 : j], j + 1
    raise ValueError(f"unbalanced braces: {text}")


def _latex_to_python(text: str) -> str:
    """LaTeX of the printer's kind (\\frac, \\sqrt, ^{...}, |...|) as Python syntax."""
    out, i = "", 0
    while i < len(text):
        if text.startswith(r"\frac", i):
            top, i = _group(text, i + 5)
            bottom, i = _group(text, i)
            out += f"(({_latex_to_python(top)})/({_latex_to_python(bottom)}))"
        elif text.startswith(r"\sqrt", i):
            inside, i = _group(text, i + 5)
            out += f"sqrt({_latex_to_python(inside)})"
        elif text.startswith("^", i):
            inside, i = _group(text, i + 1) if text[i + 1] == "{" else (text[i + 1], i + 2)
            out += f"**({_latex_to_python(inside)})"
        else:
            out += text[i]
            i += 1
    return out


def read_back_latex(text: str) -> sp.Expr:
    """A formula in the LaTeX printer's notation as SymPy reads it, through the same table."""
    text = text.replace(r"\left|", "|").replace(r"\right|", "|")
    text = text.replace(r"\left(", "(").replace(r"\right)", ")")
    for macro, letter in _MACROS.items():
        text = re.sub(re.escape(macro) + r"(?![a-zA-Z])", letter, text)
    text = _latex_to_python(text).replace("-", "−")
    return read_back(text)


def _scalar_sides():
    """(where, object) for every result and step side of the derivations printed as scalars."""
    out = []
    for method in ("heavy_ball", "nesterov", "qhm"):
        for topic, d in theory.derive_all(method=method).items():
            sides = [(f"{topic} result {k}", v) for k, v in d.results.items()]
            for i, step in enumerate(d.steps):
                if step.relation == "=":
                    sides += [
                        (f"{topic} step {i} lhs", step.lhs),
                        (f"{topic} step {i} rhs", step.rhs),
                    ]
            out += [(f"{method}: {w}", v) for w, v in sides if _scalar(v)]
    return out


def _scalar(obj) -> bool:
    if not isinstance(obj, sp.Expr) or isinstance(obj, sp.MatrixExpr) or obj.has(sp.Piecewise):
        return False
    if obj.atoms(Named) or any(not isinstance(f, sp.Abs) for f in obj.atoms(sp.Function)):
        return False  # a named quantity of the derivation, z(mu) or p(-1): not plain notation
    return bool(_READABLE.fullmatch(plain(obj)))


SIDES = _scalar_sides()


def test_the_reader_reads_its_own_notation():
    # the reference itself, on forms whose signs show: a leading minus, a negative coefficient
    b, e = beta, eta
    assert read_back("−ησ²(β + 1)/(2(β − 1))") == -e * LETTERS["σ"] ** 2 * (b + 1) / (2 * (b - 1))
    assert read_back("|ηλ − 1|") == sp.Abs(e * lam - 1)
    assert read_back("√(3κ + 1) − 2√β") == sp.sqrt(3 * kappa + 1) - 2 * sp.sqrt(b)
    assert sp.expand(read_back("z² + z(ηλ − 1 − β) + β") - (z**2 + z * (e * lam - 1 - b) + b)) == 0


@pytest.mark.parametrize("printer, reader", [(plain, read_back), (latex, read_back_latex)])
def test_every_printed_scalar_reads_back_as_the_object_it_prints(printer, reader):
    # the derivations of heavy ball, Nesterov and QHM: every result and every side of an
    # identity step that prints in plain notation (named quantities such as det(zI − R) aside),
    # in the reader's text and in LaTeX
    assert len(SIDES) >= 60
    wrong = []
    for where, obj in SIDES:
        text = printer(obj)
        back = reader(text)
        if sp.simplify(back - obj.doit()) != 0:
            wrong.append(f"{where}: {text} reads back as {back}, not {obj.doit()}")
    assert not wrong, "\n".join(wrong[:10])


@pytest.mark.parametrize(
    "expr",
    [
        -eta * lam,
        -(beta + 1) / (2 * (beta - 1)),
        1 - 2 / sp.sqrt(3 * kappa + 1),
        -2 * beta + eta * lam,
        sp.Rational(-1, 2) * eta**2,
        -sp.sqrt(beta) * (1 - eta * lam) ** 2,
    ],
)
def test_signs_read_back(expr):
    assert sp.simplify(read_back(plain(expr)) - expr) == 0, plain(expr)
    assert sp.simplify(read_back_latex(latex(expr)) - expr) == 0, latex(expr)
