"""Checked derivations: ordered steps whose claims SymPy verifies before printing.

A :class:`Step` is a sentence plus a claim held as SymPy objects; it is only
built by a checking constructor (:func:`identity`, :func:`equivalent`,
:func:`solves`, :func:`agrees_at`, :func:`power_identity`), which proves the
claim first and raises :class:`~theory.errors.ClaimError` when it fails. The
claim prints from the same objects the proof read: named quantities
(:mod:`theory.engine.named`) print as their name and are checked as their value,
and a display form is accepted only when it is proven equal to the checked
one. A :class:`Derivation` is an ordered tuple of steps, results (each the
right-hand side of the step that names it) and remarks, printable as LaTeX,
Markdown and reader's text.

Examples
--------
>>> import sympy as sp
>>> x = sp.Symbol("x")
>>> s = identity("Expand the square.", (x + 1) ** 2, x**2 + 2 * x + 1)
>>> s.latex
'(x + 1)^{2} &= x^{2} + 2 x + 1'
>>> identity("A slip.", (x + 1) ** 2, x**2 + 1)
Traceback (most recent call last):
...
theory.errors.ClaimError: step 'A slip.' does not hold: (x + 1)**2 = x**2 + 1
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sympy as sp

from theory.engine.checking import (
    _checked_relation,
    _difference,
    checked,
    float_scale,
    ge,
    gt,
    is_zero,
    le,
    lifted,
    lt,
    same_condition,
)
from theory.engine.named import expand_names, has_names
from theory.engine.printing import escape_text, latex
from theory.engine.reader_text import plain, to_plain
from theory.engine.sympy_text import message_text
from theory.errors import ClaimError

__all__ = [
    "Derivation",
    "Step",
    "checked",
    "equivalent",
    "ge",
    "gt",
    "identity",
    "is_zero",
    "le",
    "lt",
]

_RELATIONS = {"=": "=", "<": "<", ">": ">", "<=": r"\le", ">=": r"\ge", "<=>": r"\iff"}
_PLAIN_RELATIONS = {"=": "=", "<": "<", ">": ">", "<=": "≤", ">=": "≥", "<=>": "⟺"}


@dataclass(frozen=True)
class Step:
    """One verified step: a sentence and a claim ``lhs relation rhs`` held as SymPy objects.

    The claim prints from the very objects the checker verified; build steps
    with :func:`identity`, :func:`equivalent`, :func:`solves`,
    :func:`agrees_at` or :func:`power_identity`, which check first.
    ``result`` names the derivation result this step yields (its right-hand side).
    """

    text: str
    lhs: sp.Basic
    relation: str
    rhs: sp.Basic
    proof: Callable[[], bool] = field(repr=False, compare=False)
    result: str | tuple[str, ...] | None = None
    yields: sp.Basic | None = None

    @property
    def latex(self) -> str:
        """The claim as one ``align*`` row, aligned at the relation."""
        return f"{latex(self.lhs)} &{_RELATIONS[self.relation]} {latex(self.rhs)}"

    @property
    def display(self) -> str:
        """The claim as display maths, without the alignment mark."""
        return self.latex.replace(" &", " ", 1)

    @property
    def mathml(self) -> str:
        """The claim as displayed presentation MathML (one ``<math>`` element)."""
        from theory.engine.mathml import block

        return block(self.lhs, self.rhs, relation=_PLAIN_RELATIONS[self.relation])

    @property
    def plain(self) -> str:
        """The claim as one line of reader's text."""
        return f"{plain(self.lhs)} {_PLAIN_RELATIONS[self.relation]} {plain(self.rhs)}"

    @property
    def value(self) -> sp.Basic:
        """What the step yields as a result: its checked right-hand side, unless it says otherwise."""
        target = self.yields if self.yields is not None else self.rhs
        if isinstance(target, sp.core.relational.Relational):
            return _checked_relation(target)
        return checked(target)

    def names(self, name: str) -> bool:
        """Whether this step yields the result ``name``."""
        return name == self.result or (isinstance(self.result, tuple) and name in self.result)

    def verify(self) -> bool:
        """Run the proof again on the stored (printed) objects."""
        return bool(self.proof())


def _refuse(text: str, claim: str) -> ClaimError:
    return ClaimError(f"step {text!r} does not hold: {claim}")


def identity(
    text: str,
    lhs: object,
    rhs: object,
    *,
    symmetric: tuple[sp.MatrixSymbol, ...] = (),
    orthogonal: tuple[sp.MatrixSymbol, ...] = (),
    display: tuple[object, object] | None = None,
    where: Mapping | None = None,
    cases: tuple[Mapping, ...] = ({},),
    given: tuple = (),
    result: str | None = None,
    yields: object = None,
) -> Step:
    """A step claiming ``lhs = rhs``; raises ClaimError unless it is proven.

    Named quantities are replaced by their values and everything is
    evaluated before the comparison (``where`` then substitutes, e.g. a
    reparametrisation ``{L: mu (1 + q)^2}`` that makes ``L >= mu`` visible).
    ``display`` gives the two sides as they should print (a person's order,
    unevaluated, named); each printed side must be proven equal to its
    checked side, else ClaimError. A claim holding ``±`` is checked in
    every one of ``cases`` (e.g. ``({pm: 1}, {pm: -1})``).
    """
    options = {"symmetric": symmetric, "orthogonal": orthogonal}
    left, right = display if display is not None else (lhs, rhs)
    sides = [(lhs, rhs)] + ([(lhs, left), (rhs, right)] if display is not None else [])

    def proof() -> bool:
        for a, b in sides:
            for case in cases:
                left = checked(a, {**(where or {}), **case}, given)
                right = checked(b, {**(where or {}), **case}, given)
                scale = float_scale(left, right)  # floats round relative to their size
                if not is_zero(_difference(left, right), **options, scale=scale):
                    return False
        return True

    if not proof():
        raise _refuse(
            text,
            f"{message_text(lhs)} = {message_text(rhs)}"
            + (f" (printed as {plain(left)} = {plain(right)})" if display is not None else ""),
        )
    shown = None if yields is None else _basic(yields)
    return Step(text, _basic(left), "=", _basic(right), proof, result, shown)


def _basic(obj: object) -> sp.Basic:
    if isinstance(obj, sp.MatrixBase):
        return sp.ImmutableMatrix(obj)
    return sp.sympify(obj)


def equivalent(
    text: str, derived: sp.Basic, claimed: sp.Basic, *, result: str | None = None
) -> Step:
    """A step claiming the inequality ``derived`` is the same condition as ``claimed``.

    Both are brought to the form ``e > 0`` (strict) or ``e >= 0`` (weak); they
    are equivalent when the strictness agrees and the quotient of the two
    sides is a positive constant. Prints ``derived <=> claimed``.
    """

    def proof() -> bool:
        return same_condition(derived, claimed)

    if not proof():
        raise _refuse(text, f"{message_text(derived)} is not equivalent to {message_text(claimed)}")
    return Step(text, derived, "<=>", claimed, proof, result)


def _results_check(steps: tuple[Step, ...], results: Mapping[str, sp.Basic]) -> None:
    """Every result is the right-hand side of the step(s) it names, else ClaimError."""
    for name, value in results.items():
        named = [s for s in steps if s.names(name)]
        if not named:
            raise ClaimError(f"result {name!r} names no step of the derivation")
        several = len(named) > 1 or (
            isinstance(value, sp.Tuple) and not isinstance(named[0].value, sp.Tuple)
        )
        if isinstance(value, sp.And) or several:
            # a conjunction or a tuple gathered from several steps, in any order
            parts = list(value.args) if isinstance(value, sp.And | sp.Tuple) else [value]
            values = [s.value for s in named]
            matched = all(_matches(p, values) for p in parts) and all(
                _matches(v, parts) for v in values
            )
            if not matched:
                raise ClaimError(
                    f"result {name!r} is not what its steps derived: {message_text(value)}"
                )
        elif not _same_value(value, named[0].value):
            raise ClaimError(
                f"result {name!r} is not the right-hand side of its step: "
                f"{message_text(value)} against {message_text(named[0].value)}"
            )


def _matches(item: sp.Basic, candidates: list) -> bool:
    """Whether ``item`` is one of the candidates: the same object first, then proven equal."""
    return item in candidates or any(_same_value(item, c) for c in candidates)


def _same_value(a: sp.Basic, b: sp.Basic) -> bool:
    a, b = lifted(a), lifted(b)  # a scalar of 1x1 entries compares as its 1x1 matrix
    if isinstance(a, sp.core.relational.Relational) or isinstance(b, sp.core.relational.Relational):
        if isinstance(a, sp.Equality) and isinstance(b, sp.Equality):
            return _same_value(a.rhs, b.rhs)
        return type(a) is type(b) and same_condition(a, b)
    if isinstance(a, sp.Tuple) or isinstance(b, sp.Tuple):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, sp.MatrixBase | sp.MatrixExpr) or isinstance(b, sp.MatrixBase | sp.MatrixExpr):
        if isinstance(a, sp.MatrixBase) != isinstance(b, sp.MatrixBase):
            return False
        return is_zero(_difference(a, b) if isinstance(a, sp.MatrixBase) else a - b)
    if isinstance(a, sp.Piecewise) or isinstance(b, sp.Piecewise):
        if not (isinstance(a, sp.Piecewise) and isinstance(b, sp.Piecewise)) or len(a.args) != len(
            b.args
        ):
            return False
        return all(
            is_zero(ea - eb)
            and (ca == cb or (ca is not sp.true and cb is not sp.true and same_condition(ca, cb)))
            for (ea, ca), (eb, cb) in zip(a.args, b.args, strict=True)
        )
    return is_zero(sp.sympify(a) - sp.sympify(b))


@dataclass(frozen=True)
class Derivation:
    """An ordered list of verified steps with named results and remarks.

    Each result must be the right-hand side of the step that names it
    (``Step.result``), else ClaimError. Prints as LaTeX (:meth:`to_latex`,
    one ``align*`` block), Markdown (:meth:`to_markdown`) and reader's text
    (``str``); displays in Jupyter as Markdown with maths.
    """

    title: str
    steps: tuple[Step, ...]
    results: Mapping[str, sp.Basic] = field(default_factory=dict)
    remarks: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _results_check(self.steps, self.results)

    def to_latex(self) -> str:
        """The derivation as a LaTeX fragment: a title, one ``align*`` block, its results, remarks."""
        lines = []
        for i, step in enumerate(self.steps, 1):
            lines.append(rf"\intertext{{{i}. {escape_text(step.text)}}}")
            lines.append(step.latex + (r" \\" if i < len(self.steps) else ""))
        body = "\n".join(lines)
        remarks = "".join(f"\n\n\\paragraph{{Remark.}} {escape_text(r)}" for r in self.remarks)
        maths = f"\\begin{{align*}}\n{body}\n\\end{{align*}}" if self.steps else ""
        results = ""
        if self.results:
            items = "\n".join(
                rf"\item[{escape_text(name)}] $\displaystyle {latex(self.shown(name))}$"
                for name in self.results
            )
            results = (
                f"\n\\paragraph{{Results.}}\n\\begin{{description}}\n{items}\n\\end{{description}}"
            )
        return f"\\subsection*{{{escape_text(self.title)}}}\n{maths}{results}{remarks}\n"

    def to_markdown(self) -> str:
        """The derivation as Markdown: sentences with ``$...$`` maths, claims in ``$$...$$``,
        its results, its remarks."""
        parts = [f"### {to_plain(self.title)}", ""]
        for i, step in enumerate(self.steps, 1):
            parts += [f"{i}. {step.text}", "", f"$$ {step.display} $$", ""]
        if self.results:
            parts += ["**Results.**", ""]
            parts += [f"- `{name}`: ${latex(self.shown(name))}$" for name in self.results]
            parts.append("")
        parts += [f"> **Remark.** {r}\n" for r in self.remarks]
        return "\n".join(parts).rstrip() + "\n"

    def to_text(self) -> str:
        """The derivation as reader's text (Unicode maths, no Python syntax)."""
        title = to_plain(self.title)
        parts = [title, "=" * len(title)]
        for i, step in enumerate(self.steps, 1):
            parts += [f"{i}. {to_plain(step.text)}", f"     {step.plain}"]
        if self.results:
            parts.append("Results:")
            parts += [f"  {name}: {self._written_result(name)}" for name in self.results]
        parts += [f"Remark: {to_plain(r)}" for r in self.remarks]
        return "\n".join(parts) + "\n"

    def _written_result(self, name: str) -> str:
        return plain(self.shown(name))

    def shown(self, name: str) -> sp.Basic:
        """The result ``name`` as printed: as its step writes it (a person's form: what the
        step yields, or its right-hand side, proven equal to the result when the
        derivation was built), else as SymPy holds it."""
        named = [s for s in self.steps if s.names(name)]
        if len(named) == 1 and named[0].yields is not None:
            form = named[0].yields  # the argument a step proved, as it wrote it
        elif len(named) == 1 and named[0].relation == "=":
            form = named[0].rhs
        elif len(named) == 1 and named[0].relation == "<=>" and named[0].rhs.is_Relational:
            form = named[0].rhs  # the condition as its equivalence wrote it
        else:
            return self.results[name]
        value = self.results[name]
        if isinstance(value, sp.Tuple) and not isinstance(form, sp.Tuple):
            if len(value) != 1:
                return value
            form = sp.Tuple(form)  # one bound of several kinds: still a tuple
        # a result stands on its own: the names its step used are written out
        return expand_names(form) if has_names(form) else form

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"<Derivation {to_plain(self.title)!r}: {len(self.steps)} checked steps>"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()
