"""Checked derivations: ordered steps whose claims SymPy verifies before printing.

A :class:`Step` is a sentence plus a claim. It is only ever built by one of the
checking constructors below (:func:`identity`, :func:`equivalent`,
:func:`holds`), each of which verifies the claim first and raises
:class:`~theory.errors.ClaimError` when it fails, so a printed step is a
verified step. A :class:`Derivation` is an ordered tuple of steps, named
results and remarks, printable as LaTeX, Markdown and plain text.

Examples
--------
>>> import sympy as sp
>>> x = sp.Symbol("x")
>>> s = identity("Expand the square.", (x + 1) ** 2, x**2 + 2 * x + 1)
>>> s.latex
'\\\\left(x + 1\\\\right)^{2} &= x^{2} + 2 x + 1'
>>> identity("A slip.", (x + 1) ** 2, x**2 + 1)
Traceback (most recent call last):
...
theory.errors.ClaimError: step 'A slip.' does not hold: (x + 1)**2 = x**2 + 1
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from theory.errors import ClaimError
from theory.printing import Written, escape_text, tex, to_plain, unmath

__all__ = [
    "Derivation",
    "Step",
    "equivalent",
    "gt",
    "lt",
    "holds",
    "identity",
    "is_zero",
]

_RELATIONS = {"=": "=", "<": "<", ">": ">", "<=": r"\le", ">=": r"\ge", "<=>": r"\iff"}


def _canonical_scalars(expr: MatrixExpr) -> sp.Basic:
    """Rewrite each 1x1 term of a matrix sum in one canonical orientation.

    A 1x1 matrix equals its transpose, so ``x.T*c`` and ``c.T*x`` are the same
    scalar; SymPy does not know this, so choose the lexicographically smaller
    of a term and its transpose.
    """
    expr = expr.doit()
    if not isinstance(expr, sp.MatAdd) or expr.shape != (1, 1):
        return expr
    terms = []
    for term in expr.args:
        flipped = term.T.doit()
        terms.append(min(term, flipped, key=sp.srepr))
    return sp.MatAdd(*terms).doit()


def is_zero(
    expr: object,
    symmetric: tuple[sp.MatrixSymbol, ...] = (),
    orthogonal: tuple[sp.MatrixSymbol, ...] = (),
) -> bool:
    """Whether SymPy can prove ``expr`` is identically zero.

    Works for scalars, explicit matrices (entrywise) and matrix expressions;
    matrix symbols named in ``symmetric`` may be replaced by their transpose,
    and those in ``orthogonal`` satisfy ``O O^T = O^T O = I``.
    Cheap canonical forms are tried before :func:`sympy.simplify`.
    """
    if isinstance(expr, sp.MatrixBase):
        return all(is_zero(entry) for entry in expr)
    if isinstance(expr, MatrixExpr):
        for sym in symmetric:
            expr = expr.subs(sym.T, sym).subs(sym.I.T, sym.I)
        expr = expr.expand()
        if orthogonal:
            expr = sp.refine(expr, sp.And(*(sp.Q.orthogonal(o) for o in orthogonal))).doit()
        expr = _canonical_scalars(expr)
        if expr == sp.ZeroMatrix(*expr.shape) or expr == 0:
            return True
        simplified = sp.simplify(expr)
        return isinstance(simplified, sp.ZeroMatrix) or simplified == 0
    expr = sp.sympify(expr).doit()
    if expr == 0:
        return True
    if expr.has(sp.Float):
        return _float_zero(expr)
    for transform in (sp.expand, sp.cancel):
        expr = transform(expr)
        if expr == 0:
            return True
    if _algebraic_numbers_zero(expr):
        return True
    return sp.simplify(expr) == 0 or bool(expr.equals(0))


#: digits to which coefficients that are nested radicals are compared with zero
RADICAL_DIGITS = 60


def _algebraic_numbers_zero(expr: sp.Expr) -> bool:
    """For a polynomial whose coefficients are explicit algebraic numbers (nested
    radicals SymPy's simplifier cannot denest), compare each coefficient with zero
    to :data:`RADICAL_DIGITS` digits."""
    free = sorted(expr.free_symbols, key=str)
    try:
        coeffs = sp.Poly(expr, *free).coeffs() if free else [expr]
    except sp.PolynomialError:
        return False
    if not all(c.is_number and c.is_algebraic for c in coeffs):
        return False
    tol = sp.Float(10) ** (10 - RADICAL_DIGITS)
    return all(abs(sp.N(c, RADICAL_DIGITS)) < tol for c in coeffs)


#: absolute tolerance on each coefficient when a claim holds floats
FLOAT_ATOL = 1e-9


def _float_zero(expr: sp.Expr) -> bool:
    """Zero up to rounding: every coefficient of the expanded expression is tiny."""
    expr = sp.expand(expr)
    free = sorted(expr.free_symbols, key=str)
    try:
        coeffs = sp.Poly(expr, *free).coeffs() if free else [expr]
    except sp.PolynomialError:
        return bool(expr.equals(0))
    return all(abs(complex(sp.N(c))) <= FLOAT_ATOL for c in coeffs)


@dataclass(frozen=True)
class Step:
    """One verified step: a sentence and its claim in LaTeX and plain text.

    Build steps with :func:`identity`, :func:`equivalent` or :func:`holds`,
    which check the claim first.
    """

    text: str
    lhs: str
    rhs: str
    plain: str

    @property
    def latex(self) -> str:
        """The claim as one ``align*`` row, aligned at the relation."""
        return f"{self.lhs} &{self.rhs}"

    @property
    def display(self) -> str:
        """The claim as display maths, without the alignment mark."""
        return f"{self.lhs} {self.rhs}"


def _step(text: str, lhs: object, rel: str, rhs: object) -> Step:
    return Step(
        text=text,
        lhs=tex(lhs),
        rhs=f"{_RELATIONS[rel]} {tex(rhs)}",
        plain=f"{_plain(lhs)} {rel} {_plain(rhs)}",
    )


def _plain(obj: object) -> str:
    if isinstance(obj, str):
        return to_plain(obj)
    if isinstance(obj, Written):
        return sp.sstr(obj.expr, order="none")
    return sp.sstr(obj)


def identity(
    text: str,
    lhs: object,
    rhs: object,
    *,
    symmetric: tuple[sp.MatrixSymbol, ...] = (),
    orthogonal: tuple[sp.MatrixSymbol, ...] = (),
    display: tuple[object, object] | None = None,
) -> Step:
    """A step claiming ``lhs = rhs``; raises ClaimError unless ``lhs - rhs`` is 0.

    ``display`` optionally gives the two sides as they should print (for
    example unevaluated), while ``lhs`` and ``rhs`` are what is checked.
    """
    if not is_zero(_difference(lhs, rhs), symmetric=symmetric, orthogonal=orthogonal):
        raise ClaimError(f"step {text!r} does not hold: {_plain(lhs)} = {_plain(rhs)}")
    left, right = display if display is not None else (lhs, rhs)
    return _step(text, left, "=", right)


def _difference(lhs: object, rhs: object) -> object:
    if isinstance(lhs, sp.MatrixBase) or isinstance(rhs, sp.MatrixBase):
        return sp.Matrix(lhs) - sp.Matrix(rhs)
    return lhs - rhs


def _positive_part(rel: sp.core.relational.Relational) -> tuple[sp.Expr, bool]:
    """Write a strict or weak inequality as ``expr > 0`` (or ``>= 0``)."""
    if isinstance(rel, sp.StrictGreaterThan):
        return rel.lhs - rel.rhs, True
    if isinstance(rel, sp.StrictLessThan):
        return rel.rhs - rel.lhs, True
    if isinstance(rel, sp.GreaterThan):
        return rel.lhs - rel.rhs, False
    if isinstance(rel, sp.LessThan):
        return rel.rhs - rel.lhs, False
    raise ClaimError(f"not an inequality: {rel}")


def gt(a: object, b: object) -> sp.StrictGreaterThan:
    """``a > b`` as an unevaluated relation (assumptions must not turn it into True)."""
    return sp.StrictGreaterThan(a, b, evaluate=False)


def lt(a: object, b: object) -> sp.StrictLessThan:
    """``a < b`` as an unevaluated relation."""
    return sp.StrictLessThan(a, b, evaluate=False)


def equivalent(text: str, derived: sp.Basic, claimed: sp.Basic) -> Step:
    """A step claiming the inequality ``derived`` is the same condition as ``claimed``.

    Both are brought to the form ``e > 0``; they are equivalent when the
    quotient of the two sides is a positive constant and the strictness agrees.
    """
    a, strict_a = _positive_part(derived)
    b, strict_b = _positive_part(claimed)
    ratio = sp.simplify(a / b)
    if strict_a != strict_b or not (ratio.is_number and ratio.is_positive):
        raise ClaimError(f"step {text!r} does not hold: {derived} is not equivalent to {claimed}")
    return _step(text, derived, "<=>", claimed)


def holds(text: str, latex: str, check: Callable[[], bool], *, plain: str | None = None) -> Step:
    """A step whose claim, given as LaTeX, is verified by ``check()`` (a SymPy computation)."""
    plain = plain or to_plain(latex.replace("&", "", 1))
    if not check():
        raise ClaimError(f"step {text!r} does not hold: {plain}")
    lhs, _, rhs = latex.partition("&")
    return Step(text=text, lhs=lhs.strip(), rhs=rhs.strip(), plain=plain)


@dataclass(frozen=True)
class Derivation:
    """An ordered list of verified steps with named results and remarks.

    Prints as LaTeX (:meth:`to_latex`, one ``align*`` block), Markdown
    (:meth:`to_markdown`) and plain text (``str``); displays as maths in
    Jupyter through ``_repr_latex_``.
    """

    title: str
    steps: tuple[Step, ...]
    results: Mapping[str, sp.Basic] = field(default_factory=dict)
    remarks: tuple[str, ...] = ()

    def to_latex(self) -> str:
        """The derivation as a LaTeX fragment: a title, one ``align*`` block, remarks."""
        lines = []
        for i, step in enumerate(self.steps, 1):
            lines.append(rf"\intertext{{{i}. {escape_text(step.text)}}}")
            lines.append(step.latex + (r" \\" if i < len(self.steps) else ""))
        body = "\n".join(lines)
        remarks = "".join(f"\n\n\\paragraph{{Remark.}} {escape_text(r)}" for r in self.remarks)
        return (
            f"\\subsection*{{{escape_text(self.title)}}}\n"
            f"\\begin{{align*}}\n{body}\n\\end{{align*}}{remarks}\n"
        )

    def to_markdown(self) -> str:
        """The derivation as Markdown with ``$$`` display maths."""
        parts = [f"### {self.title}", ""]
        for i, step in enumerate(self.steps, 1):
            parts += [f"{i}. {step.text}", "", f"$$ {step.display} $$", ""]
        parts += [f"> **Remark.** {r}\n" for r in self.remarks]
        return "\n".join(parts).rstrip() + "\n"

    def to_text(self) -> str:
        """The derivation as plain text (SymPy's ``str`` of each claim)."""
        parts = [self.title, "=" * len(self.title)]
        for i, step in enumerate(self.steps, 1):
            parts += [f"{i}. {unmath(step.text)}", f"     {step.plain}"]
        if self.results:
            parts.append("Results:")
            parts += [f"  {name} = {sp.sstr(value)}" for name, value in self.results.items()]
        parts += [f"Remark: {unmath(r)}" for r in self.remarks]
        return "\n".join(parts) + "\n"

    def __str__(self) -> str:
        return self.to_text()

    def _repr_latex_(self) -> str:
        rows = []
        for i, step in enumerate(self.steps, 1):
            words = unmath(step.text)
            rows.append(rf"&\text{{{i}. {words}}}\\ {step.latex} \\")
        return "$$\\begin{aligned}" + "\n".join(rows) + "\\end{aligned}$$"
