r"""SymPy's input text for a result: what :func:`sympy.sympify` reads back as the same object.

SymPy's ``str`` is almost that, but not for the names a derivation uses:
``lambda`` is a Python keyword (``eta*lambda`` does not parse), ``beta``,
``gamma`` and ``Lambda`` are SymPy functions and ``Q``, ``I``, ``E``, ``S``
and ``N`` SymPy objects, so ``beta + 1`` does not read back as a sum. Such a
symbol is written ``Symbol('beta')``; a matrix symbol ``MatrixSymbol('Q', n,
n)``, the identity ``Identity(n)``, and the one entry of a 1x1 product (a
scalar such as ``c^T Q^{-1} c``) as its trace, which SymPy reads as a
scalar. Symbols read back without assumptions, as with SymPy's own ``str``.

Examples
--------
>>> import sympy as sp
>>> from theory.symbols import beta, eta, lam
>>> sympy_text(eta * lam < 2 * (1 + beta))
"eta*Symbol('lambda') < 2 + 2*Symbol('beta')"
>>> sp.sympify(sympy_text(1 / (1 - beta)))
1/(1 - beta)
"""

from __future__ import annotations

import keyword

import sympy as sp
from sympy.printing.precedence import precedence
from sympy.printing.str import StrPrinter

from theory.engine.printing import _matrix_negative, scalar_entry

__all__ = ["message_text", "sympy_text"]

#: every name ``sympify`` knows already: a symbol with one of them must say it is a symbol
_TAKEN = frozenset(vars(sp))


def _plain_name(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name) and name not in _TAKEN


def _shortest(expr: sp.Float) -> str:
    """A float as the shortest text that reads back as the same double (``repr``), not
    SymPy's fifteen digits (``0.100000000000000``)."""
    return repr(float(expr)) if expr._prec <= 53 else StrPrinter()._print_Float(expr)


class _Message(StrPrinter):
    def _print_Float(self, expr) -> str:
        return _shortest(expr)


class _SympyText(StrPrinter):
    def _print_Symbol(self, expr) -> str:
        return expr.name if _plain_name(expr.name) else f"Symbol({expr.name!r})"

    _print_Dummy = _print_Symbol

    def _print_MatrixSymbol(self, expr) -> str:
        rows, cols = (self._print(k) for k in expr.shape)
        return f"MatrixSymbol({expr.name!r}, {rows}, {cols})"

    def _print_Identity(self, expr) -> str:
        return f"Identity({self._print(expr.rows)})"

    def _print_ZeroMatrix(self, expr) -> str:
        rows, cols = (self._print(k) for k in expr.shape)
        return f"ZeroMatrix({rows}, {cols})"

    def _print_MatrixBase(self, expr) -> str:
        # one line (StrPrinter pads and breaks it over lines, as for a terminal; in JSON it is text)
        rows = (
            "[" + ", ".join(self._print(e) for e in expr.row(i)) + "]" for i in range(expr.rows)
        )
        return f"Matrix([{', '.join(rows)}])"

    _print_ImmutableDenseMatrix = _print_MutableDenseMatrix = _print_MatrixBase

    def _print_MatrixElement(self, expr) -> str:
        if scalar_entry(expr):  # x[0, 0] would read back as a sum over indices
            return f"Trace({self._print(expr.parent)})"
        return super()._print_MatrixElement(expr)

    def _print_MatAdd(self, expr) -> str:
        out = ""
        for i, term in enumerate(sorted(expr.args, key=_matrix_negative)):
            if _matrix_negative(term):
                out += " - " if i else "-"
                term = -term
            elif i:
                out += " + "
            out += self.parenthesize(term, precedence(expr)) if term.is_Add else self._print(term)
        return out

    def _print_Float(self, expr) -> str:
        return _shortest(expr)


def sympy_text(expr: object) -> str:
    """Text that ``sympy.sympify`` reads back as ``expr`` (its symbols without assumptions)."""
    return _SympyText({"order": "none"}).doprint(expr)


def message_text(expr: object) -> str:
    """SymPy's ``str`` for a message, its floats in their shortest round-trip form."""
    return _Message().doprint(expr)
