r"""Prose whose inline maths are SymPy objects: each printer sets them from the objects.

A step's sentence says what it claims in words and small formulas. Typed as
LaTeX, a formula in a sentence is a string no check reads, and a slip in it
would print unnoticed; and only a LaTeX reader could set it. :func:`say`
builds a :class:`Sentence` from a template whose fields are objects, so the
sentence prints as LaTeX (the ``str`` it is: ``$...$`` filled from the
objects), as reader's text and as MathML from the very objects, and a
formula that states a fact can be one the checker proved
(:func:`theory.engine.claims.fact`) or the object a checked step holds.

A few relations people write have no SymPy object of their own:
:class:`Assign` (``v ← βv + g``), :class:`Tends` (``β → 1``) and
:class:`Listed` (``(v, x)``) print them.

Examples
--------
>>> import sympy as sp
>>> from theory.symbols import beta, eta, lam
>>> s = say("It converges iff {condition}.", condition=sp.Lt(eta * lam, 2 * (1 + beta)))
>>> str(s)
'It converges iff $\\eta \\lambda < 2 \\beta + 2$.'
>>> s.parts[1]
eta*lambda < 2*beta + 2
"""

from __future__ import annotations

import string

import sympy as sp

from theory.engine.printing import latex

__all__ = ["Assign", "Listed", "Sentence", "Tends", "say"]


class Sentence(str):
    """Words and inline maths: the ``str`` is the LaTeX (``$...$`` around each object's LaTeX);
    ``parts`` holds the words and the objects, for the printers that set maths themselves."""

    parts: tuple

    def __new__(cls, parts) -> Sentence:
        parts = tuple(p for p in parts if not (isinstance(p, str) and not p))
        text = "".join(p if isinstance(p, str) else f"${latex(p)}$" for p in parts)
        sentence = super().__new__(cls, text)
        sentence.parts = parts
        return sentence

    def __add__(self, other: str) -> Sentence:
        return Sentence(self.parts + _parts(other))

    def __radd__(self, other: str) -> Sentence:
        return Sentence(_parts(other) + self.parts)

    def __reduce__(self):
        return (Sentence, (self.parts,))


def _parts(text: str) -> tuple:
    if isinstance(text, Sentence):
        return text.parts
    if "$" in text:
        raise ValueError(f"inline maths in a sentence must be objects, not LaTeX: {text!r}")
    return (text,)


def say(template: str, /, **maths: object) -> Sentence:
    """A sentence from a template whose ``{name}`` fields are the objects ``maths[name]``.

    Raises ValueError for a field with no object, an object no field uses,
    or LaTeX (``$``) typed into the words.
    """
    parts: list = []
    used = set()
    for words, field, spec, conversion in string.Formatter().parse(template):
        parts.extend(_parts(words))
        if field is None:
            continue
        if spec or conversion or field not in maths:
            raise ValueError(f"the field {{{field}}} of {template!r} names no object")
        used.add(field)
        value = maths[field]
        parts.append(value if isinstance(value, sp.Basic) else sp.sympify(value))
    if set(maths) - used:
        raise ValueError(f"objects that {template!r} does not use: {sorted(set(maths) - used)}")
    return Sentence(parts)


class _Shown(sp.Basic):
    """A relation people write that SymPy has no object for: printed, never evaluated."""

    _latex_op = ""
    _plain_op = ""

    def _latex(self, printer) -> str:
        lhs, rhs = (printer._print(a) for a in self.args)
        return f"{lhs} {self._latex_op} {rhs}"

    def _sympystr(self, printer) -> str:
        lhs, rhs = (printer._print(a) for a in self.args)
        return f"{lhs} {self._plain_op} {rhs}"

    def _mathml_presentation(self, printer):
        lhs, rhs = (printer._print(a) for a in self.args)
        return printer._row(lhs, printer._mo(self._plain_op), rhs)


class Assign(_Shown):
    """``lhs ← rhs``: an update as code runs it."""

    _latex_op, _plain_op = r"\leftarrow", "←"


class Tends(_Shown):
    """``lhs → rhs``: a limit's direction, in words' company."""

    _latex_op, _plain_op = r"\to", "→"


class Listed(sp.Basic):
    """``(a, b, ...)``: a list in brackets (a state, a point)."""

    def _latex(self, printer) -> str:
        return "(" + ", ".join(printer._print(a) for a in self.args) + ")"

    def _sympystr(self, printer) -> str:
        return "(" + ", ".join(printer._print(a) for a in self.args) + ")"

    def _mathml_presentation(self, printer):
        row = printer._row()
        for i, a in enumerate(self.args):
            if i:
                row.appendChild(printer._mo(","))
            row.appendChild(printer._print(a))
        return printer._fenced(row)
