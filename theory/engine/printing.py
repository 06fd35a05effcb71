r"""LaTeX for people: SymPy objects in a person's order, brackets sized to their content.

Sums put their terms in a person's order: where a term is negative, a
number leads (``1 + \beta - \eta\lambda``, ``2 - \eta\lambda``), else it
closes (``t + 1``, ``\sqrt{\kappa} + 1``); polynomials in z go by
descending powers. A :class:`Written` sum keeps the order it was built in.
:func:`polynomial` and :func:`factored` give the usual written forms; the
reader's text of the same objects is :mod:`theory.engine.reader_text`.

Examples
--------
>>> import sympy as sp
>>> from theory.symbols import beta, eta, lam, z
>>> latex(sp.expand(1 + beta - eta * lam)), latex(factored(beta * eta * lam - beta))
('1 + \\beta - \\eta \\lambda', '- \\beta (1 - \\eta \\lambda)')
>>> latex(polynomial(sp.Poly(z**2 + (eta * lam - 1 - beta) * z + beta, z)))
'z^{2} - (1 + \\beta - \\eta \\lambda) z + \\beta'
"""

from __future__ import annotations

import re

import sympy as sp
from sympy.printing.latex import LatexPrinter

from theory.symbols import z

__all__ = [
    "Written",
    "escape_text",
    "factored",
    "latex",
    "polynomial",
    "tex",
    "is_sum",
    "operator_name",
    "written_factors",
]


class Written(sp.UnevaluatedExpr):
    """An expression that prints with its terms in the order they were built.

    Build it with ``evaluate=False`` where SymPy would reorder, e.g.
    ``Written(sp.Add(z**2, -beta, evaluate=False))``; ``doit()`` gives the
    evaluated expression, which is what the checker compares.
    """

    is_commutative = True  # a scalar: so a product over one prints as a fraction


def _has_pm(term: sp.Expr) -> bool:
    from theory.engine.named import PM

    return term == PM or (term.is_Mul and PM in term.args)


def _without_pm(term: sp.Expr) -> sp.Expr:
    from theory.engine.named import PM

    rest = [a for a in sp.Mul.make_args(term) if a != PM]
    return sp.Mul(*rest, evaluate=False) if len(rest) > 1 else (rest[0] if rest else sp.Integer(1))


def _person_order(terms: list[sp.Expr]) -> list[sp.Expr]:
    """Positive terms first (a number leading them), then negative ones; by powers of z."""
    if any(t.has(z) for t in terms):
        return sorted(terms, key=lambda t: -sp.degree(t, z) if t.is_polynomial(z) else 0)
    signed = [t for t in terms if _has_pm(t)]
    terms = [t for t in terms if not _has_pm(t)]
    positive = [t for t in terms if not t.could_extract_minus_sign()]
    negative = [t for t in terms if t.could_extract_minus_sign()]
    numbers = [t for t in positive if t.is_number]
    others = [t for t in positive if not t.is_number]
    if any(not t.is_number for t in negative):  # 1 + beta - eta lambda, 2 - eta lambda
        return numbers + others + negative + signed
    return others + numbers + negative + signed  # t + 1, sqrt(kappa) - 1


def scalar_entry(expr) -> bool:
    """Whether ``expr`` is the one entry of a 1x1 matrix expression (``c^T Q^{-1} c``): a
    scalar, printed as the product it is."""
    from sympy.matrices.expressions.matexpr import MatrixElement

    return isinstance(expr, MatrixElement) and expr.parent.shape == (1, 1)


def rational_times_entry(expr) -> tuple | None:
    """``(r, entry)`` when ``expr`` is a rational number times a 1x1 entry (printed ``1/2 c^T c``)."""
    if not expr.is_Mul or len(expr.args) != 2:
        return None
    coeff, rest = expr.args
    return (coeff, rest) if coeff.is_Rational and scalar_entry(rest) else None


def operator_name(expr) -> bool:
    """Whether ``expr`` is a name that applies an operator (``tr R``, ``det R``): a factor
    of a product is bracketed, ``(tr R) R^t``, so that it does not read ``tr(R R^t)``."""
    from theory.engine.named import Named

    return isinstance(expr, Named) and " " in expr.args[0].name


def written_fraction(expr: sp.Mul) -> tuple[list, list] | None:
    """(numerator factors, denominator factors) of a product written with ``x**-1`` factors,
    printed as one fraction; None for other products."""
    if not expr.is_Mul or not written_factors(expr):
        return None
    top, bottom = [], []
    for f in expr.args:
        parts = f.args if f.is_Mul else (f,)  # 1/(2 a b) holds 1/2, 1/a and 1/b
        if all(_reciprocal(p) is not None for p in parts):
            bottom += [_reciprocal(p) for p in parts]
        else:
            top.append(f)
    return (top, bottom) if bottom else None


def _reciprocal(factor: sp.Expr) -> sp.Expr | None:
    """d when ``factor`` is 1/d (a negative power, or a unit fraction), else None."""
    if factor.is_Pow and factor.exp.is_Integer and factor.exp < 0:
        return factor.base if factor.exp == -1 else sp.Pow(factor.base, -factor.exp, evaluate=False)
    if factor.is_Rational and factor.p == 1 and factor.q != 1:
        return sp.Integer(factor.q)
    return None


def is_sum(expr) -> bool:
    """Whether ``expr`` prints as a sum (a :class:`Written` one included): bracketed as a term."""
    return expr.is_Add or (isinstance(expr, sp.UnevaluatedExpr) and expr.args[0].is_Add)


def written_factors(expr: sp.Mul) -> bool:
    r"""Whether a product was built in an order of its own (``evaluate=False``): it prints so.

    Any other product prints in SymPy's order of factors: numbers, then symbols
    by name (``\eta v``, ``\lambda x``), then the rest.
    """
    return expr.args != sp.Mul(*expr.args).args


class WrittenOrder:
    """Printer mix-in: the sum inside a :class:`Written` keeps its written order; others a person's."""

    def __init__(self):
        super().__init__({"order": "none"})
        self._written = None

    def _print_Written(self, expr) -> str:
        outer, self._written = self._written, expr.args[0]
        try:
            return self._print(expr.args[0])
        finally:
            self._written = outer

    def _ordered(self, expr) -> list:
        return list(expr.args) if expr is self._written else _person_order(list(expr.args))

    def _print_MatrixElement(self, expr):
        if scalar_entry(expr):  # the one entry of a 1x1 product is that product, a scalar
            return self._print(expr.parent)
        return super()._print_MatrixElement(expr)

    def _entry_times(self, expr, minus: str) -> str | None:
        """A rational times a 1x1 entry as text (``1/2 c^T c``), or None for other products."""
        if (split := rational_times_entry(expr)) is None:
            return None
        coeff, entry = split
        sign = minus if coeff < 0 else ""
        number = self._print(abs(coeff)) + " " if abs(coeff) != 1 else ""
        return f"{sign}{number}{self._print(entry)}"


class _Latex(WrittenOrder, LatexPrinter):
    def _as_ordered_terms(self, expr, order=None):
        return self._ordered(expr)

    def _print_Mul(self, expr) -> str:
        if (text := self._entry_times(expr, "- ")) is not None:
            return text
        if (fraction := written_fraction(expr)) is not None:
            top, bottom = (self._product(part) for part in fraction)
            return rf"\frac{{{top}}}{{{bottom}}}"
        if written_factors(expr):
            return super()._print_Mul(expr)
        order, self._settings["order"] = self._settings["order"], None
        try:
            return super()._print_Mul(expr)
        finally:
            self._settings["order"] = order

    def _print_Add(self, expr, order=None) -> str:
        terms = self._as_ordered_terms(expr)
        out = ""
        for i, term in enumerate(terms):
            if _has_pm(term):
                out += r" \pm " if i else r"\pm "
                term = _without_pm(term)
            elif i and term.could_extract_minus_sign():
                out += " - "
                term = -term
            elif i:
                out += " + "
            text = self._print(term)
            out += (
                rf"\left({text}\right)" if self._needs_add_brackets(term) or is_sum(term) else text
            )
        return out

    def _print_Identity(self, expr) -> str:
        return "I"

    def _print_Function(self, expr, exp=None) -> str:
        from sympy.core.function import AppliedUndef

        if not isinstance(expr, AppliedUndef):  # an undefined function, g(x): no braces, no \left
            return super()._print_Function(expr, exp)
        text = f"{expr.func.__name__}\\left({', '.join(self._print(a) for a in expr.args)}\\right)"
        return text if exp is None else f"{text}^{{{exp}}}"

    def _print_Transpose(self, expr) -> str:
        from theory.engine.named import NamedMatrix

        arg = expr.arg
        text = self._print(arg)
        if not isinstance(arg, sp.MatrixSymbol | NamedMatrix):
            text = rf"\left({text}\right)"
        elif "^" in text:
            text = f"{{{text}}}"
        return text + r"^\top"

    def _print_MatPow(self, expr) -> str:
        from theory.engine.named import NamedMatrix

        # a named matrix is a name, as a MatrixSymbol is: M^{-1}, not SymPy's (M)^{-1}
        if isinstance(expr.base, NamedMatrix) and "^" not in (base := self._print(expr.base)):
            return f"{base}^{{{self._print(expr.exp)}}}"
        return super()._print_MatPow(expr)

    def _print_MatMul(self, expr) -> str:
        args = list(expr.args)
        if args[0].is_Number and args[0] < 0:
            rest = ([-args[0]] if args[0] != -1 else []) + args[1:]
            if len(rest) == 1 and isinstance(rest[0], sp.MatAdd):  # -(A + B), not -A + B
                return rf"-\left({self._print(rest[0])}\right)"
            return "-" + (self._print(sp.MatMul(*rest)) if len(rest) > 1 else self._print(rest[0]))
        parts = []
        for a in args:
            text = self._print(a)
            bracket = a.is_Add or isinstance(a, sp.MatAdd) or (len(args) > 1 and operator_name(a))
            parts.append(rf"\left({text}\right)" if bracket else text)
        return " ".join(parts)

    def _print_MatAdd(self, expr) -> str:
        out = ""
        for i, term in enumerate(sorted(expr.args, key=_matrix_negative)):
            if _matrix_negative(term):
                out += " - " if i else "-"
                coeff = -term.args[0]
                rest = ([coeff] if coeff != 1 else []) + list(term.args[1:])
                term = sp.MatMul(*rest) if len(rest) > 1 else rest[0]
            elif i:
                out += " + "
            out += self._print(term)
        return out

    def _print_Abs(self, expr, exp=None) -> str:
        tex = rf"\left|{self._print(expr.args[0])}\right|"
        return tex if exp is None else rf"{tex}^{{{exp}}}"

    def _product(self, factors: list) -> str:
        """A written product's factors in their order, sums bracketed."""
        if not factors:
            return "1"
        if len(factors) == 1:
            return self._print(factors[0])
        return self._print(sp.Mul(*factors, evaluate=False))

    def _print_Tuple(self, expr) -> str:
        return ", ".join(self._print(a) for a in expr)

    def _print_And(self, expr) -> str:
        return r",\quad ".join(self._print(a) for a in expr.args)

    def _print_Piecewise(self, expr) -> str:
        rows = []
        for value, cond in expr.args:
            where = r"\text{otherwise}" if cond is sp.true else self._print(cond)
            rows.append(rf"{self._print(value)} & {where}")
        return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"


_TALL = re.compile(r"\\frac|\\sum|\\begin|\\left|\\int|\\prod|\\dfrac")


def _size_brackets(tex: str) -> str:
    r"""Keep ``\left( \right)`` only around tall content (fractions, sums, nested sized brackets)."""
    for left, right, plain_left, plain_right in (
        (r"\left|", r"\right|", "|", "|"),
        (r"\left(", r"\right)", "(", ")"),
        (r"\left[", r"\right]", "[", "]"),
    ):
        out, stack, i = [], [], 0
        while i < len(tex):
            if tex.startswith(left, i):
                stack.append(len(out))
                out.append(left)
                i += len(left)
            elif tex.startswith(right, i) and stack:
                start = stack.pop()
                inner = "".join(out[start + 1 :])
                if not _TALL.search(inner):
                    out[start] = plain_left
                    out.append(plain_right)
                else:
                    out.append(right)
                i += len(right)
            else:
                out.append(tex[i])
                i += 1
        tex = "".join(out)
    return tex


def latex(expr: object) -> str:
    """LaTeX of a SymPy object, terms in a person's order, brackets sized to their content."""
    return _size_brackets(_Latex().doprint(expr))


def tex(expr: object) -> str:
    """LaTeX of a SymPy object (see :func:`latex`)."""
    return latex(expr)


_TEXT_SPECIALS = {"%": r"\%", "&": r"\&", "#": r"\#", "_": r"\_", "|": r"\textbar{}"}


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
    """A polynomial by descending powers, each coefficient factored: z^2 - (1 + b) z + b."""
    (var,) = poly.gens
    terms = []
    for (k,), coeff in zip(poly.monoms(), poly.coeffs(), strict=True):
        negative, size = _factored(coeff)
        factors = [f for f in sp.Mul.make_args(size) if f != 1 or k == 0] + ([var**k] if k else [])
        term = factors[0] if len(factors) == 1 else sp.Mul(*factors, evaluate=False)
        terms.append(sp.Mul(-1, term, evaluate=False) if negative else term)
    return Written(sp.Add(*terms, evaluate=False))


def factored(expr: sp.Expr) -> sp.Expr:
    """``expr`` factored for print, each factor's number positive: -(1 + beta)(1 - eta lambda)."""
    negative, size = _factored(expr)
    return sp.Mul(-1, size, evaluate=False) if negative else size


def _factored(coeff: sp.Expr) -> tuple[bool, sp.Expr]:
    """(negative, size) with coeff = -+size, size factored with each factor's number positive.

    So (-1 + eta lambda)(1 + beta) is written -(1 + beta)(1 - eta lambda).
    """
    coeff = sp.factor(coeff)
    negative = False
    factors = []
    for f in sp.Mul.make_args(coeff):
        base, exp = f.as_base_exp()
        if f.is_number and f < 0:
            negative, f = not negative, -f
            if f == 1:
                continue
        elif base.is_Add and exp.is_integer and any(t.is_number and t < 0 for t in base.args):
            negative ^= bool(exp.is_odd)
            f = sp.Pow(-base, exp, evaluate=False) if exp != 1 else -base
        factors.append(f)
    if not factors:
        return negative, sp.Integer(1)
    size = factors[0] if len(factors) == 1 else sp.Mul(*factors, evaluate=False)
    return negative, size


def _matrix_negative(term) -> bool:
    return (
        isinstance(term, sp.MatMul)
        and term.args[0].is_commutative
        and bool(sp.sympify(term.args[0]).could_extract_minus_sign())
    )
