"""Printing helpers for derivations: LaTeX of SymPy objects, plain text of LaTeX.

:class:`Written` keeps an expression's terms in the order they were built;
:func:`to_plain` turns the small LaTeX used in step sentences into readable
text.

Examples
--------
>>> to_plain(r"$\\eta\\lambda < 2(1 + \\beta)$")
'$eta lambda < 2(1 + beta)$'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

__all__ = ["Written", "escape_text", "polynomial", "tex", "to_plain", "unmath"]


def tex(expr: object) -> str:
    """LaTeX of a SymPy object or a ready-made LaTeX string.

    Terms print in the order they were built (``order="none"``), so an
    expression constructed with ``evaluate=False`` reads as a person writes it.
    """
    if isinstance(expr, str):
        return expr
    if isinstance(expr, Written):
        return sp.latex(expr.expr, order="none")
    return sp.latex(expr)


@dataclass(frozen=True)
class Written:
    """An expression that prints with its terms in the order they were built.

    Build the expression with ``evaluate=False`` where SymPy would reorder it,
    e.g. ``Written(sp.Add(1, beta, -eta*lam, evaluate=False))`` prints
    ``1 + beta - eta lambda``.
    """

    expr: sp.Basic


_INLINE_MATH = re.compile(r"\$([^$]*)\$")


_PLAIN_WORDS = [
    (r"\operatorname{tr}", "tr"),
    (r"\text", ""),
    (r"\operatorname", ""),
    (r"\mathbb", ""),
    (r"\big|", "|"),
    (r"\varepsilon", "eps"),
    (r"\lim", "lim"),
    (r"\leftarrow", "<-"),
    (r"\frac{\lambda}{2}", "lambda/2"),
    (r"\mathrm", ""),
    (r"\left", ""),
    (r"\right", ""),
    (r"\quad", " "),
    (r"\,", " "),
    (r"\iff", "<=>"),
    (r"\pm", "+-"),
    (r"\ge", ">="),
    (r"\le", "<="),
    (r"\ne", "!="),
    (r"\top", "T"),
    (r"\cdot", "*"),
    (r"\infty", "oo"),
    (r"\nabla", "grad "),
    (r"\in", "in"),
    (r"\to", "->"),
    (r"\det", "det"),
    (r"\sum", "sum"),
]
_GREEK = re.compile(
    r"\\(alpha|beta|eta|lambda|Lambda|mu|kappa|nu|rho|sigma|Sigma|tau|sqrt|max|min)(?![A-Za-z])"
)
_GREEK_BEFORE_LETTER = re.compile(
    r"\\(alpha|beta|eta|lambda|Lambda|mu|kappa|nu|rho|sigma|Sigma|tau|max|min)(?=[A-Za-z\\])"
)


_GROUPS = [
    (re.compile(r"\\sqrt\{([^{}]*)\}"), r"sqrt(\1)"),
    (re.compile(r"\\frac\{([^{}]*)\}\{([^{}]*)\}"), r"(\1)/(\2)"),
    (re.compile(r"\^\{([^{}]*)\}"), r"^(\1)"),
]


def to_plain(latex: str) -> str:
    """A readable plain-text rendering of the small LaTeX used in step sentences."""
    for macro, word in _PLAIN_WORDS:
        latex = latex.replace(macro, word)
    for pattern, repl in _GROUPS:
        latex = pattern.sub(repl, latex)
    latex = _GREEK_BEFORE_LETTER.sub(r"\1 ", latex)
    latex = _GREEK.sub(r"\1", latex)
    return latex.replace("{", "").replace("}", "").replace("\\", "")


def unmath(text: str) -> str:
    return to_plain(_INLINE_MATH.sub(r"\1", text))


_TEXT_SPECIALS = {"%": r"\%", "&": r"\&", "#": r"\#", "_": r"\_"}


def escape_text(text: str) -> str:
    """Escape LaTeX specials outside ``$...$`` inline maths."""
    pieces = re.split(r"(\$[^$]*\$)", text)
    out = []
    for piece in pieces:
        if piece.startswith("$"):
            out.append(piece)
        else:
            out.append("".join(_TEXT_SPECIALS.get(ch, ch) for ch in piece))
    return "".join(out)


def polynomial(poly: sp.Poly) -> Written:
    """A polynomial written by descending powers, each coefficient factored: z^2 - (1 + b) z + b."""
    (var,) = poly.gens
    terms = []
    for (k,), coeff in zip(poly.monoms(), poly.coeffs(), strict=True):
        coeff = sp.factor(coeff)
        power = sp.Integer(1) if k == 0 else var**k
        if coeff == 1:
            terms.append(power)
        elif coeff == -1:
            terms.append(sp.Mul(-1, power, evaluate=False))
        elif k == 0:
            terms.append(coeff)
        elif coeff.could_extract_minus_sign():
            terms.append(sp.Mul(-1, -coeff, power, evaluate=False))
        else:
            terms.append(sp.Mul(coeff, power, evaluate=False))
    return Written(sp.Add(*terms, evaluate=False))
