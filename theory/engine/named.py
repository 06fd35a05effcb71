r"""Named quantities: SymPy objects that print as their name and are checked as their value.

A derivation writes :math:`\det(zI - R)`, :math:`\operatorname{tr} R` or
:math:`z_\pm` where a person would; the checker sees what the name stands
for. :class:`Named` is a scalar with a name and a value; :func:`defined`
makes a function such as :math:`\Delta(\lambda)` whose application prints as
``Delta(mu)`` and is checked as the defining expression at ``mu``. Only the checker replaces them by their
values (:func:`expand_names`): SymPy's own ``doit()`` keeps the names.

Examples
--------
>>> import sympy as sp
>>> x = sp.Symbol("x")
>>> d = Named("D", x**2 - 4, latex=r"\Delta")
>>> sp.latex(d + 1), expand_names(d + 1)
('\\Delta + 1', x**2 - 3)
>>> p = defined("p", x, x**2 + 1)
>>> str(p(3)), expand_names(p(3))
('p(3)', 10)
"""

from __future__ import annotations

import sympy as sp
from sympy.core.symbol import Str

__all__ = ["PM", "Named", "NamedMatrix", "defined", "expand_names", "has_names", "pm"]


class Named(sp.Expr):
    r"""A scalar quantity that prints as its name and stands for its value.

    Parameters
    ----------
    plain : str
        The name in plain text (Unicode, e.g. ``"tr R"``).
    value : sympy expression
        What the name stands for; ``doit()`` returns it (evaluated).
    latex : str, optional
        The name in LaTeX (e.g. ``r"\operatorname{tr} R"``); defaults to ``plain``.
    """

    is_commutative = True

    def __new__(cls, plain, value, latex=None):
        plain = plain if isinstance(plain, Str) else Str(plain)
        latex = latex if isinstance(latex, Str) else Str(latex if latex is not None else plain.name)
        return sp.Expr.__new__(cls, plain, sp.sympify(value), latex)

    @property
    def value(self) -> sp.Basic:
        """What the name stands for."""
        return self.args[1]

    @property
    def free_symbols(self) -> set:
        return self.value.free_symbols

    def doit(self, **hints):
        return self  # SymPy's matrix algebra calls doit() as it builds: only the checker expands

    def _eval_is_real(self):
        return self.value.is_real

    def _eval_is_positive(self):
        return self.value.is_positive

    def _eval_is_nonnegative(self):
        return self.value.is_nonnegative

    def _eval_is_zero(self):
        return self.value.is_zero

    def _latex(self, printer) -> str:
        name = self.args[2].name
        return f"{{{name}}}" if "^" in name else name  # so that a power of it is well formed

    def _sympystr(self, printer) -> str:
        return self.args[0].name

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        return prettyForm(self.args[0].name)


class NamedMatrix(sp.MatrixExpr):
    """A matrix that prints as its name (``O``, ``R``, ``∇h(x)``) and stands for its value."""

    def __new__(cls, plain, value, latex=None):
        plain = plain if isinstance(plain, Str) else Str(plain)
        latex = latex if isinstance(latex, Str) else Str(latex if latex is not None else plain.name)
        if isinstance(value, sp.MatrixBase):
            value = sp.ImmutableMatrix(value)
        return sp.Basic.__new__(cls, plain, value, latex)

    @property
    def value(self):
        """What the name stands for."""
        return self.args[1]

    @property
    def shape(self):
        return self.value.shape

    @property
    def free_symbols(self) -> set:
        return self.value.free_symbols

    def _entry(self, i, j, **kwargs):
        return self.value[i, j]

    def doit(self, **hints):
        return self

    def _latex(self, printer) -> str:
        return self.args[2].name

    def _sympystr(self, printer) -> str:
        return self.args[0].name


class _Defined(sp.Function):
    """Base of :func:`defined` functions: unevaluated until ``doit()``."""

    _variables: tuple = ()
    _body: sp.Basic = sp.Integer(0)
    _plain_name = ""
    _latex_name = ""
    _subscript = False

    @classmethod
    def eval(cls, *args):
        return None

    def doit(self, **hints):
        return self.func(*(a.doit(**hints) for a in self.args))

    def value_at(self) -> sp.Basic | None:
        """The body at the arguments (None where a Python body cannot evaluate them)."""
        if callable(self._body):
            return self._body(*self.args)
        return self._body.xreplace(dict(zip(self._variables, self.args, strict=True)))

    def _latex(self, printer) -> str:
        inner = ", ".join(printer._print(a) for a in self.args)
        if self._subscript:
            return f"{self._latex_name}_{{{inner}}}"
        if len(self.args) == 1 and self.args[0].is_Atom:
            return f"{self._latex_name}({inner})"
        return rf"{self._latex_name}\left({inner}\right)"

    def _sympystr(self, printer) -> str:
        inner = ", ".join(printer._print(a) for a in self.args)
        if self._subscript:
            return (
                f"{self._plain_name}_{inner}"
                if self.args[0].is_Atom
                else f"{self._plain_name}_({inner})"
            )
        return f"{self._plain_name}({inner})"


def defined(
    plain: str, variables, body, *, latex: str | None = None, subscript: bool = False
) -> type:
    """A function that prints as ``plain(args)`` and is checked as ``body`` at the args.

    ``variables`` is one symbol or a tuple of them; ``body`` an expression in
    them, or a Python function of the arguments returning a SymPy value (or
    None where it cannot evaluate, e.g. at a symbolic step count).
    ``subscript=True`` prints ``v_t`` instead of ``v(t)``.
    """
    variables = tuple(variables) if isinstance(variables, tuple | list) else (variables,)
    attrs = {
        "_variables": variables,
        "_body": staticmethod(body)
        if callable(body) and not isinstance(body, sp.Basic)
        else sp.sympify(body),
        "_subscript": subscript,
        "_plain_name": plain,
        "_latex_name": latex if latex is not None else plain,
        "nargs": len(variables),
    }
    return type(f"Defined_{plain}_{id(attrs)}", (_Defined,), attrs)


def _is_name(e) -> bool:
    return isinstance(e, Named | NamedMatrix) or (
        isinstance(e, _Defined) and e.value_at() is not None
    )


def _value(e):
    return e.value_at() if isinstance(e, _Defined) else e.value


def expand_names(expr: object) -> object:
    """Every named quantity and defined function replaced by its value, to any depth."""
    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(expand_names)
    if not isinstance(expr, sp.Basic):
        return expr
    for _ in range(20):  # values may hold names
        found = [e for e in sp.preorder_traversal(expr) if _is_name(e)]
        if not found:
            return expr
        expr = expr.xreplace({e: _value(e) for e in found})
    raise RecursionError(f"names nested too deep in {expr}")


def has_names(expr: object) -> bool:
    """Whether an expression holds a named quantity or a defined function."""
    if not isinstance(expr, sp.Basic):
        return False
    return expr.has(Named) or any(isinstance(f, _Defined) for f in expr.atoms(sp.Function))


#: the sign of a ``±``: a claim holding ``PM`` is checked at ``pm = 1`` and ``pm = -1``
pm = sp.Symbol("pm", real=True)
#: ``±`` in a formula (prints as ``±``, stands for :data:`pm`)
PM = Named("±", pm, latex=r"\pm")
