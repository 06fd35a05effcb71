r"""Presentation MathML for people: SymPy objects in a person's order, for browsers to typeset.

The same objects the checker read print here as they print in LaTeX
(:mod:`theory.engine.printing`): sums in a person's order, a
:class:`~theory.engine.printing.Written` sum in the order it was built,
``I`` for the identity, ``ᵀ`` for a transpose, ``±`` where a claim holds
both signs, named quantities as their names. Browsers render MathML Core
natively: the page needs no script and no font from the network.

A named quantity's name is LaTeX (``\det(zI - R)``); :func:`name_mathml`
sets the small LaTeX names are written in (letters, digits, Greek, scripts,
``\frac``, ``\operatorname``, a few operators) and refuses anything else,
so an unknown macro is an error, not a misprint.

Examples
--------
>>> import sympy as sp
>>> from theory.symbols import beta, eta, lam
>>> mathml(sp.expand(1 + beta - eta * lam))  # doctest: +NORMALIZE_WHITESPACE
'<mrow><mn>1</mn><mo>+</mo><mi>&#946;</mi><mo>&#8722;</mo><mrow><mi>&#951;</mi><mo>&#8290;</mo><mi>&#955;</mi></mrow></mrow>'
"""

from __future__ import annotations

import html
import re
from xml.sax.saxutils import escape

import sympy as sp
from sympy.printing.mathml import MathMLPresentationPrinter

from theory.engine.printing import (
    WrittenOrder,
    _has_pm,
    _matrix_negative,
    _without_pm,
    is_sum,
    operator_name,
    rational_times_entry,
    written_factors,
    written_fraction,
)

__all__ = ["block", "inline", "mathml", "name_mathml", "prose"]

_NAMESPACE = "http://www.w3.org/1998/Math/MathML"
#: the relations a step or a result prints, by SymPy's operator
_RELATION = {"==": "=", "<": "<", ">": ">", "<=": "≤", ">=": "≥", "!=": "≠"}
_MINUS = "\u2212"
_TIMES = "\u2062"  # invisible times: the product is read, not drawn


class _MathML(WrittenOrder, MathMLPresentationPrinter):
    """SymPy's presentation printer with a person's order and the project's named quantities."""

    def __init__(self):
        super().__init__()
        self._settings["mul_symbol"] = _TIMES

    # -- elements ---------------------------------------------------------------------------
    def _el(self, tag: str, *children, text: str | None = None, **attributes):
        node = self.dom.createElement(tag)
        for key, value in attributes.items():
            node.setAttribute(key, value)
        if text is not None:
            node.appendChild(self.dom.createTextNode(escape(text)))
        for child in children:
            node.appendChild(child)
        return node

    def _mo(self, text: str):
        return self._el("mo", text=text)

    def _row(self, *children):
        return self._el("mrow", *children)

    def _fenced(self, child, left: str = "(", right: str = ")"):
        return self._row(self._mo(left), child, self._mo(right))

    def _as_ordered_terms(self, expr, order=None):
        return self._ordered(expr)

    # -- sums and products ------------------------------------------------------------------
    def _print_Add(self, expr, order=None):
        row = self._row()
        for i, term in enumerate(self._as_ordered_terms(expr)):
            if _has_pm(term):
                row.appendChild(self._mo("±"))
                term = _without_pm(term)
            elif term.could_extract_minus_sign():
                row.appendChild(self._mo(_MINUS))
                term = -term
            elif i:
                row.appendChild(self._mo("+"))
            shown = self._print(term)
            row.appendChild(self._fenced(shown) if is_sum(term) or term.is_Relational else shown)
        return row

    def _print_Mul(self, expr):
        if (split := rational_times_entry(expr)) is not None:
            coeff, entry = split
            row = self._row(self._mo(_MINUS)) if coeff < 0 else self._row()
            if abs(coeff) != 1:
                row.appendChild(self._print(abs(coeff)))
                row.appendChild(self._mo(_TIMES))
            row.appendChild(self._print(entry))
            return row
        if _has_pm(expr) and expr != _without_pm(expr):  # ±√Δ: the sign leads
            return self._row(self._mo("±"), self._print(_without_pm(expr)))
        if expr.could_extract_minus_sign() and not isinstance(expr, sp.UnevaluatedExpr):
            rest = -expr
            inner = rest.args[0] if isinstance(rest, sp.UnevaluatedExpr) else rest
            shown = self._print(rest)  # −(1 − 2/s): a negated sum keeps its brackets
            # and so does a negated negative, −(−1), which read "−−1" (the dev profile's find)
            fence = inner.is_Add or (inner.is_Number and inner < 0)
            return self._row(self._mo(_MINUS), self._fenced(shown) if fence else shown)
        if (fraction := written_fraction(expr)) is not None:
            top, bottom = (
                self._print(part[0] if len(part) == 1 else sp.Mul(*part, evaluate=False))
                if part
                else self._el("mn", text="1")
                for part in fraction
            )
            return self._el("mfrac", top, bottom)
        # SymPy's printer orders factors unless told "old": keep a written product's order
        order = "old" if written_factors(expr) else None
        order, self._settings["order"] = self._settings["order"], order
        try:
            return super()._print_Mul(expr)
        finally:
            self._settings["order"] = order

    def _print_Rational(self, e):
        if e.q == 1:
            return self._print_Integer(e)
        if e.p < 0:
            return self._row(self._mo(_MINUS), self._print(-e))
        return self._el("mfrac", self._el("mn", text=str(e.p)), self._el("mn", text=str(e.q)))

    def _print_Integer(self, e):
        if e.p < 0:
            return self._row(self._mo(_MINUS), self._el("mn", text=str(-e.p)))
        return self._el("mn", text=str(e.p))

    def _print_Float(self, e):
        return self._el("mn", text=repr(float(e)))

    def _print_Pow(self, e):
        base, exp = e.args
        if exp.is_Rational and exp.is_negative and not (exp.q == 2 and exp.p == -1):
            positive = sp.Pow(base, -exp, evaluate=False) if exp != -1 else base
            return self._el("mfrac", self._el("mn", text="1"), self._print(positive))
        if exp.is_Rational and exp.q == 2 and exp.p > 1:  # x^(3/2): a root to a power
            return self._el("msup", self._el("msqrt", self._print(base)), self._print(exp * 2))
        if exp == sp.S.Half:
            return self._el("msqrt", self._print(base))
        if exp == -sp.S.Half:
            return self._el("mfrac", self._el("mn", text="1"), self._el("msqrt", self._print(base)))
        return self._el("msup", self._bracketed_base(base), self._print(exp))

    def _bracketed_base(self, base):
        atomic = base.is_Atom or _is_named(base) or isinstance(base, sp.Indexed | sp.MatrixSymbol)
        atomic = atomic and not (base.is_Number and base < 0)  # (−1)^t, not −1^t
        shown = self._print(base)
        return shown if atomic or isinstance(base, sp.Abs) else self._fenced(shown)

    # -- relations and logic -----------------------------------------------------------------
    def _print_Relational(self, e):
        return self._row(self._print(e.lhs), self._mo(_RELATION[e.rel_op]), self._print(e.rhs))

    def _print_And(self, expr):
        row = self._row()
        for i, arg in enumerate(expr.args):
            if i:
                row.appendChild(self._mo(","))
                row.appendChild(self._el("mspace", width="0.5em"))
            row.appendChild(self._print(arg))
        return row

    def _print_Piecewise(self, expr):
        table = self._el("mtable", columnalign="left")
        for value, cond in expr.args:
            where = self._el("mtext", text="otherwise") if cond is sp.true else self._print(cond)
            table.appendChild(
                self._el(
                    "mtr",
                    self._el("mtd", self._print(value)),
                    self._el("mtd", self._row(self._el("mtext", text="if\u00a0"), where))
                    if cond is not sp.true
                    else self._el("mtd", where),
                )
            )
        return self._row(self._el("mo", text="{", stretchy="true"), table)

    def _print_BooleanTrue(self, e):
        return self._el("mtext", text="true")

    def _print_BooleanFalse(self, e):
        return self._el("mtext", text="false")

    # -- atoms and functions -----------------------------------------------------------------
    def _print_Symbol(self, sym, style="plain"):
        return super()._print_Symbol(sym, style)

    def _print_Abs(self, expr, exp=None):
        return self._row(self._mo("|"), self._print(expr.args[0]), self._mo("|"))

    def _print_Infinity(self, e):
        return self._mo("∞")

    def _print_Tuple(self, e):
        return self._paren_comma_separated(*e.args)

    def _print_Sum(self, e):
        (var, lo, hi), body = e.limits[0], e.function
        under = self._row(self._print(var), self._mo("="), self._print(lo))
        big = self._el(
            "munderover", self._el("mo", text="∑", largeop="true"), under, self._print(hi)
        )
        shown = self._print(body)
        return self._row(big, self._fenced(shown) if body.is_Add else shown)

    def _print_Limit(self, e):
        body, var, to, direction = e.args
        side = {"-": "−", "+": "+"}.get(str(direction), "")
        target = self._el("msup", self._print(to), self._mo(side)) if side else self._print(to)
        under = self._row(self._print(var), self._mo("→"), target)
        return self._row(self._el("munder", self._el("mi", text="lim"), under), self._print(body))

    def _print_Subs(self, e):
        body, old, new = e.args
        at = self._row()
        for i, (o, n) in enumerate(zip(old, new, strict=True)):
            if i:
                at.appendChild(self._mo(","))
            at.appendChild(self._row(self._print(o), self._mo("="), self._print(n)))
        return self._el("msub", self._row(self._print(body), self._mo("|")), at)

    def _print_Indexed(self, e):
        index = self._row()
        for i, k in enumerate(e.indices):
            if i:
                index.appendChild(self._mo(","))
            index.appendChild(self._print(k))
        return self._el("msub", self._print(e.base), index)

    # -- matrices ----------------------------------------------------------------------------
    def _print_Identity(self, expr):
        return self._el("mi", text="I")

    def _print_ZeroMatrix(self, expr):
        return self._el("mn", text="0")

    def _print_MatrixSymbol(self, sym):
        return super()._print_Symbol(sym)

    def _print_Transpose(self, expr):
        return self._el("msup", self._matrix_base(expr.arg), self._mo("⊤"))

    def _print_Inverse(self, expr):
        return self._el("msup", self._matrix_base(expr.arg), self._print(sp.Integer(-1)))

    def _print_MatPow(self, expr):
        return self._el("msup", self._matrix_base(expr.base), self._print(expr.exp))

    def _matrix_base(self, arg):
        from theory.engine.named import NamedMatrix

        shown = self._print(arg)
        if isinstance(arg, sp.MatrixSymbol | NamedMatrix):
            return shown
        return self._fenced(shown)

    def _print_MatMul(self, expr):
        args = list(expr.args)
        if args[0].is_Number and args[0] < 0:
            rest = ([-args[0]] if args[0] != -1 else []) + args[1:]
            inner = self._print(sp.MatMul(*rest)) if len(rest) > 1 else self._print(rest[0])
            if len(rest) == 1 and isinstance(rest[0], sp.MatAdd):  # −(A + B)
                inner = self._fenced(inner)
            return self._row(self._mo(_MINUS), inner)
        row = self._row()
        for i, a in enumerate(args):
            if i:
                row.appendChild(self._mo(_TIMES))
            shown = self._print(a)
            bracket = a.is_Add or isinstance(a, sp.MatAdd) or (len(args) > 1 and operator_name(a))
            row.appendChild(self._fenced(shown) if bracket else shown)
        return row

    def _print_MatAdd(self, expr):
        row = self._row()
        for i, term in enumerate(sorted(expr.args, key=_matrix_negative)):
            if _matrix_negative(term):
                row.appendChild(self._mo(_MINUS))
                coeff = -term.args[0]
                rest = ([coeff] if coeff != 1 else []) + list(term.args[1:])
                term = sp.MatMul(*rest) if len(rest) > 1 else rest[0]
            elif i:
                row.appendChild(self._mo("+"))
            row.appendChild(self._print(term))
        return row

    def _print_MatrixBase(self, m):
        table = self._el("mtable")
        for i in range(m.rows):
            table.appendChild(
                self._el("mtr", *(self._el("mtd", self._print(m[i, j])) for j in range(m.cols)))
            )
        return self._fenced(table, "[", "]")

    _print_ImmutableDenseMatrix = _print_MatrixBase
    _print_MutableDenseMatrix = _print_MatrixBase

    # -- the project's named quantities ------------------------------------------------------
    def _print_Function(self, e):
        from theory.engine.named import _Defined

        if isinstance(e, _Defined):  # SymPy's dispatch skips subclasses of Function
            return self._print__Defined(e)
        return super()._print_Function(e)

    def _print_Named(self, expr):
        return self._name(expr.args[2].name)

    def _print_NamedMatrix(self, expr):
        return self._name(expr.args[2].name)

    def _print__Defined(self, expr):
        name = self._name(expr._latex_name)
        args = [self._print(a) for a in expr.args]
        if expr._subscript:
            return self._el("msub", name, args[0] if len(args) == 1 else self._row(*args))
        inner = self._row()
        for i, a in enumerate(args):
            if i:
                inner.appendChild(self._mo(","))
            inner.appendChild(a)
        return self._row(name, self._fenced(inner))

    def _name(self, tex: str):
        return _TexName(self, tex).parse()

    def parenthesize(self, item, level, strict=False):
        if _is_named(item):  # a name is one symbol, however it is written
            return self._print(item)
        if item.is_Mul and not item.could_extract_minus_sign():  # a product in a product
            return self._print(item)
        return super().parenthesize(item, level, strict)


def _is_named(expr) -> bool:
    from theory.engine.named import Named, NamedMatrix, _Defined

    return isinstance(expr, Named | NamedMatrix | _Defined)


# --- the small LaTeX of names ----------------------------------------------------------------

_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "Delta": "Δ", "epsilon": "ϵ",
    "varepsilon": "ε", "eta": "η", "kappa": "κ", "lambda": "λ", "Lambda": "Λ", "mu": "μ",
    "nu": "ν", "rho": "ρ", "sigma": "σ", "Sigma": "Σ", "tau": "τ", "nabla": "∇",
}  # fmt: skip
_OPERATORS = {
    "pm": "±", "mp": "∓", "top": "⊤", "cdot": "·", "times": "×", "le": "≤", "ge": "≥",
    "ne": "≠", "in": "∈", "sum": "∑",
}  # fmt: skip
_FUNCTIONS = ("det", "max", "min", "lim", "log", "exp")
_TOKEN = re.compile(r"\\[A-Za-z]+|\\[,;! ]|[A-Za-z]|\d+|\S")


class _TexName:
    """Sets a name written in a small LaTeX (``\\det(zI - R)``, ``z_\\pm``, ``x^*``) as MathML."""

    def __init__(self, printer: _MathML, tex: str):
        self.p, self.tex = printer, tex
        self.tokens = _TOKEN.findall(tex)
        self.i = 0

    def parse(self):
        items = self._sequence(None)
        return items[0] if len(items) == 1 else self.p._row(*items)

    def _refuse(self, what: str) -> ValueError:
        return ValueError(f"cannot set {what} of the name {self.tex!r} as MathML")

    def _next(self) -> str:
        if self.i >= len(self.tokens):
            raise self._refuse("the end")
        token = self.tokens[self.i]
        self.i += 1
        return token

    def _sequence(self, closing: str | None) -> list:
        items = []
        while self.i < len(self.tokens):
            token = self.tokens[self.i]
            if token == closing:
                self.i += 1
                return items
            if token in "^_":
                self.i += 1
                if not items:
                    raise self._refuse(f"a script {token!r} with no base")
                script = self._argument()
                base = items.pop()
                if token == "_" and base.tagName == "msup":  # x^a_b as x_b^a
                    items.append(self.p._el("msubsup", base.firstChild, script, base.lastChild))
                else:
                    items.append(self.p._el("msup" if token == "^" else "msub", base, script))
                continue
            if token == "'" and items:  # a prime: s'
                self.i += 1
                items.append(self.p._el("msup", items.pop(), self.p._mo("′")))
                continue
            if token == "(":
                self.i += 1
                inner = self._sequence(")")
                items.append(self.p._fenced(inner[0] if len(inner) == 1 else self.p._row(*inner)))
                continue
            items.append(self._atom())
        if closing is not None:
            raise self._refuse(f"an unclosed {closing!r}")
        return self._spaced(items)

    def _spaced(self, items: list) -> list:
        """A thin space after an operator's name that applies to a bare letter: tr R, Var x."""
        out = []
        for k, item in enumerate(items):
            out.append(item)
            word = item.tagName == "mi" and len(item.firstChild.data) > 1
            if word and k + 1 < len(items) and items[k + 1].tagName in ("mi", "msub", "msup"):
                out.append(self.p._el("mspace", width="0.17em"))
        return out

    def _argument(self):
        """One token, or a braced group, as one element."""
        if self.tokens[self.i : self.i + 1] == ["{"]:
            self.i += 1
            items = self._sequence("}")
            return items[0] if len(items) == 1 else self.p._row(*items)
        return self._atom()

    def _atom(self):
        p, token = self.p, self._next()
        if token == "{":
            items = self._sequence("}")
            return items[0] if len(items) == 1 else p._row(*items)
        if token.startswith("\\"):
            return self._macro(token[1:])
        if token.isdigit():
            return p._el("mn", text=token)
        if token.isalpha():
            return p._el("mi", text=token)
        if token in ")[]|,=+*":
            return p._mo(token)
        if token == "-":
            return p._mo(_MINUS)
        raise self._refuse(repr(token))

    def _macro(self, name: str):
        p = self.p
        if name in _GREEK:
            return p._el("mi", text=_GREEK[name])
        if name in _OPERATORS:
            return p._mo(_OPERATORS[name])
        if name in _FUNCTIONS:
            return p._el("mi", text=name)
        if name in (",", ";", " ", "!"):
            return p._el("mspace", width="0.17em")
        if name in ("operatorname", "mathrm"):
            return p._el("mi", text=self._word(), mathvariant="normal")
        if name == "mathbb":
            return p._el("mi", text={"E": "𝔼", "R": "ℝ"}[self._word()])
        if name in ("frac", "tfrac", "dfrac"):
            return p._el("mfrac", self._argument(), self._argument())
        if name == "sqrt":
            return p._el("msqrt", self._argument())
        raise self._refuse(f"the macro \\{name}")

    def _word(self) -> str:
        if self._next() != "{":
            raise self._refuse("a macro without its braced argument")
        word = []
        while (token := self._next()) != "}":
            word.append(token)
        return "".join(word)


# --- entry points ---------------------------------------------------------------------------

_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*|#x[0-9A-Fa-f]+|#\d+);")


_FENCES = ("(", ")", "[", "]", "|", "{", "}")
_TALL = ("mfrac", "mtable", "munderover", "munder", "mover")


def _tagged(node, tag: str) -> list:
    """The elements named ``tag`` in ``node``, ``node`` itself included."""
    return ([node] if node.tagName == tag else []) + list(node.getElementsByTagName(tag))


def _size_fences(node) -> None:
    """Brackets stretch only around tall content (fractions, tables, sums), as TeX's ``\\left(``:
    a stretchy bracket around one line is set from a larger glyph, loose around its content."""
    for mo in _tagged(node, "mo"):
        if mo.firstChild is None or mo.firstChild.data not in _FENCES:
            continue
        if mo.getAttribute("stretchy") == "true":
            continue  # asked for: a brace opening cases
        parent = mo.parentNode
        if not any(parent.getElementsByTagName(tag) for tag in _TALL):
            mo.setAttribute("stretchy", "false")


def _upright_capitals(node) -> None:
    """Capital Greek letters upright (Δ, Λ, Σ), as TeX sets them; a lone letter is italic else."""
    for mi in _tagged(node, "mi"):
        text = mi.firstChild.data if mi.firstChild is not None else ""
        if len(text) == 1 and "\u0391" <= text <= "\u03a9":
            mi.setAttribute("mathvariant", "normal")


def _serialise(node) -> str:
    """XML text with every character outside ASCII as a numeric reference (no named entities)."""
    if node.nodeType == node.ELEMENT_NODE:
        _size_fences(node)
        _upright_capitals(node)
    text = node.toxml()
    # SymPy writes some symbols as HTML entity names; XML knows only its five, so number them
    text = _ENTITY.sub(
        lambda m: (
            m.group(0)
            if m.group(1) in ("lt", "gt", "amp", "quot", "apos")
            else escape(html.unescape(m.group(0)))
        ),
        text,
    )
    return text.encode("ascii", "xmlcharrefreplace").decode("ascii")


def mathml(expr: object) -> str:
    """The MathML elements (no ``<math>``) of a SymPy object, in a person's order."""
    printer = _MathML()
    return _serialise(printer._print(expr))


def name_mathml(tex: str) -> str:
    """A name written in small LaTeX (``\\det(zI - R)``) as MathML elements."""
    return _serialise(_MathML()._name(tex))


def inline(expr: object) -> str:
    """A ``<math>`` element for an object inside a sentence."""
    return f'<math xmlns="{_NAMESPACE}">{mathml(expr)}</math>'


def block(*parts: object, relation: str | None = None) -> str:
    """A displayed ``<math>``: one object, or ``lhs relation rhs`` (relation as printed, e.g. ``⟺``)."""
    if relation is None:
        (only,) = parts
        body = mathml(only)
    else:
        lhs, rhs = parts
        op = escape(relation).encode("ascii", "xmlcharrefreplace").decode("ascii")
        body = f"<mrow>{mathml(lhs)}<mo>{op}</mo>{mathml(rhs)}</mrow>"
    return f'<math xmlns="{_NAMESPACE}" display="block">{body}</math>'


def prose(text: str) -> str:
    """A sentence as HTML: its words escaped, its objects as inline ``<math>``.

    Text that is not a :class:`~theory.engine.prose.Sentence` holds no objects:
    it is shown as reader's text (its small LaTeX read into Unicode).
    """
    from theory.engine.prose import Sentence
    from theory.engine.reader_text import to_plain

    if not isinstance(text, Sentence):
        return escape(to_plain(text))
    out, parts = [], list(text.parts)
    for i, part in enumerate(parts):
        if isinstance(part, str):
            out.append(escape(part))
            continue
        after = parts[i + 1] if i + 1 < len(parts) and isinstance(parts[i + 1], str) else ""
        stuck = after[: len(after) - len(after.lstrip(":;,.)"))]  # punctuation that follows
        if stuck:  # kept on the formula's line: no break before a colon
            out.append(f'<span class="nowrap">{inline(part)}{escape(stuck)}</span>')
            parts[i + 1] = after[len(stuck) :]
        else:
            out.append(inline(part))
    return "".join(out)
