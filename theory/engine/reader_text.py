r"""Reader's text: one line of Unicode for a SymPy object, and for the LaTeX of a sentence.

``η λ`` becomes ``ηλ``, powers are superscripts (``x²``), roots ``√β``,
absolute values ``|x|``; never Python syntax (``**``, ``sqrt(...)``,
tuples). Sums put their terms in a person's order, as in LaTeX
(:mod:`theory.engine.printing`).

Examples
--------
>>> import sympy as sp
>>> from theory.symbols import beta, eta, lam
>>> plain(2 * (1 + beta) / eta), plain(sp.sqrt(beta) * (1 - eta * lam) ** 2)
('(2β + 2)/η', '√β(1 − ηλ)²')
>>> to_plain(r"$\eta\lambda < 2(1 + \beta)$")
'ηλ < 2(1 + β)'
"""

from __future__ import annotations

import re

import sympy as sp
from sympy.printing.str import StrPrinter

from theory.engine.printing import (
    Written,
    WrittenOrder,
    _has_pm,
    _matrix_negative,
    _without_pm,
    is_sum,
    operator_name,
    written_factors,
)

__all__ = ["plain", "to_plain", "unmath"]

#: one letter with a bracketed subscript (e_(t + 1), an index or a name): one symbol
_SUBSCRIPTED = re.compile(r"[^\W\d_]_\([^()]*\)")


class _Plain(WrittenOrder, StrPrinter):
    _GREEK = {
        "alpha": "α", "beta": "β", "gamma": "γ", "Delta": "Δ", "delta": "δ", "epsilon": "ε",
        "eta": "η", "kappa": "κ", "lambda": "λ", "Lambda": "Λ", "mu": "μ", "nu": "ν",
        "rho": "ρ", "sigma": "σ", "Sigma": "Σ", "tau": "τ",
    }  # fmt: skip

    def _print_Add(self, expr, order=None) -> str:
        terms = self._ordered(expr)
        out = ""
        for i, term in enumerate(terms):
            if _has_pm(term):
                out += " ± " if i else "±"
                term = _without_pm(term)
            elif i and term.could_extract_minus_sign():
                out += " − "
                term = -term
            elif i:
                out += " + "
            elif term.could_extract_minus_sign():
                out += "−"
                term = -term
            text = self._print(term)
            out += f"({text})" if is_sum(term) or term.is_Relational else text
        return out

    def _print_Symbol(self, expr) -> str:
        name = expr.name
        head, sep, tail = name.partition("_")
        head = self._GREEK.get(head, head)
        tail = self._GREEK.get(tail.strip("{}"), tail.strip("{}"))
        return head + (("_" + tail) if sep else "")

    def _print_Pow(self, expr, rational=False) -> str:
        base, exp = expr.args
        if exp == sp.S.Half:
            inner = self._print(base)
            return f"√{inner}" if _atomic(base) else f"√({inner})"
        if exp == -sp.S.Half:
            return f"1/{self._print(sp.sqrt(base))}"
        if exp.is_Integer and exp < 0:
            return "1/" + self._pow(base, -exp)
        return self._pow(base, exp)

    def _pow(self, base, exp) -> str:
        if exp == 1:
            return self.parenthesize(base, 60) if not base.is_Atom else self._print(base)
        b = self._print(base)
        # e_(t + 1)² needs no brackets: the subscript's own brackets hold its spaces
        subscripted = _SUBSCRIPTED.fullmatch(b) is not None
        if not isinstance(base, sp.Abs) and (
            not _atomic(base) or "/" in b or (" " in b and not subscripted)
        ):
            b = f"({b})"
        e = self._print(exp)
        superscripts = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
        return b + (
            e.translate(superscripts) if e.isdigit() else f"^{e}" if exp.is_Atom else f"^({e})"
        )

    def _print_Mul(self, expr) -> str:
        if (text := self._entry_times(expr, "−")) is not None:
            return text
        factors = _flat_factors(
            expr if written_factors(expr) else expr.func(*expr.as_ordered_factors(), evaluate=False)
        )
        sign = ""
        coeff = [f for f in factors if f.is_Number]
        if coeff and coeff[0] < 0:
            sign = "−"
            factors = [(-f if f is coeff[0] else f) for f in factors]
            factors = [f for f in factors if f != 1] or [sp.Integer(1)]
        num, den = [], []
        for f in factors:
            if f.is_Rational and not f.is_Integer:
                if f.p != 1:
                    num.append(sp.Integer(f.p))
                den.append(sp.Integer(f.q))
            elif f.is_Pow and f.exp.is_Number and f.exp < 0:
                den.append(f.base if f.exp == -1 else sp.Pow(f.base, -f.exp, evaluate=False))
            else:
                num.append(f)
        top = self._product(num) if num else "1"
        if not den:
            return sign + top
        bottom = self._product(den)
        if len(den) > 1:
            bottom = f"({bottom})"
        return f"{sign}{top}/{bottom}"

    def _product(self, factors: list) -> str:
        out = ""
        for f in factors:
            text = self._print(f)
            if f.is_Add or isinstance(f, Written) or (f.is_Number and f < 0):
                text = f"({text})"
            elif isinstance(f, sp.Pow) and f.exp.is_Number and f.exp < 0:
                text = f"({text})"
            apart = operator_name(f) or not _joins(out[-1], text[0]) if out else False
            if out and (out[-1].isdigit() and text[0].isdigit() or apart):
                out += " "
            out += text
        return out

    def _print_Abs(self, expr) -> str:
        return f"|{self._print(expr.args[0])}|"

    def _print_Sum(self, expr) -> str:
        (var, lo, hi), body = expr.limits[0], expr.function
        text = self._print(body)
        if body.is_Add:
            text = f"({text})"
        return f"Σ_({self._print(var)}={self._print(lo)})^({self._print(hi)}) {text}"

    def _print(self, expr, **kwargs) -> str:
        if isinstance(expr, sp.Indexed):  # Indexed prints itself (_sympystr) unless caught first
            return self._print_Indexed(expr)
        return super()._print(expr, **kwargs)

    def _print_Indexed(self, expr) -> str:
        index = ", ".join(self._print(i) for i in expr.indices)
        return (
            f"{self._print(expr.base)}_{index}"
            if expr.indices[0].is_Atom
            else f"{self._print(expr.base)}_({index})"
        )

    def _print_IndexedBase(self, expr) -> str:
        return self._print(expr.label)

    def _print_binomial(self, expr) -> str:
        n, k = (self._print(a) for a in expr.args)
        return f"C({n}, {k})"

    def _print_Limit(self, expr) -> str:
        e, var, to, direction = expr.args
        side = "⁻" if str(direction) == "-" else "⁺" if str(direction) == "+" else ""
        return f"lim_({self._print(var)}→{self._print(to)}{side}) {self._print(e)}"

    def _print_Subs(self, expr) -> str:
        e, old, new = expr.args
        at = ", ".join(
            f"{self._print(o)} = {self._print(n)}" for o, n in zip(old, new, strict=True)
        )
        return f"{self._print(e)}|_({at})"

    def _print_MatMul(self, expr) -> str:
        parts = []
        args = list(expr.args)
        if args[0].is_Number and args[0] < 0:
            rest = ([-args[0]] if args[0] != -1 else []) + args[1:]
            if len(rest) == 1 and isinstance(rest[0], sp.MatAdd):  # −(A + B), not −A + B
                return f"−({self._print(rest[0])})"
            return (
                "−" + self._print_MatMul(sp.MatMul(*rest))
                if len(rest) > 1
                else "−" + self._print(rest[0])
            )
        for a in args:
            text = self._print(a)
            bracket = a.is_Add or isinstance(a, sp.MatAdd) or (len(args) > 1 and operator_name(a))
            parts.append(f"({text})" if bracket else text)
        return " ".join(parts)

    def _print_MatAdd(self, expr) -> str:
        out = ""
        terms = sorted(expr.args, key=_matrix_negative)
        for i, term in enumerate(terms):
            if _matrix_negative(term):
                out += " − " if i else "−"
                coeff = -term.args[0]
                term = sp.MatMul(coeff, *term.args[1:]) if coeff != 1 else sp.MatMul(*term.args[1:])
                if len(term.args) == 1:
                    term = term.args[0]
            elif i:
                out += " + "
            out += self._print(term)
        return out

    def _print_MatPow(self, expr) -> str:
        exp = self._print(expr.exp)
        return f"{self._print(expr.base)}^{exp if expr.exp.is_Atom else f'({exp})'}"

    def _print_MatrixSymbol(self, expr) -> str:
        return self._GREEK.get(expr.name, expr.name)

    def _print_Rational(self, expr) -> str:
        return f"{expr.p}/{expr.q}" if expr.q != 1 else str(expr.p)

    def _print_Integer(self, expr) -> str:
        return str(expr.p).replace("-", "−")

    def _print_Relational(self, expr) -> str:
        ops = {"==": "=", "<": "<", ">": ">", "<=": "≤", ">=": "≥", "!=": "≠"}
        return f"{self._print(expr.lhs)} {ops[expr.rel_op]} {self._print(expr.rhs)}"

    def _print_And(self, expr) -> str:
        return ", ".join(self._print(a) for a in expr.args)

    def _print_Piecewise(self, expr) -> str:
        cases = []
        for value, cond in expr.args:
            where = "otherwise" if cond is sp.true else f"if {self._print(cond)}"
            cases.append(f"{self._print(value)} {where}")
        return "{" + "; ".join(cases) + "}"

    def _print_MatrixBase(self, expr) -> str:
        rows = ["[" + ", ".join(self._print(e) for e in row) + "]" for row in expr.tolist()]
        return (
            "[" + ", ".join(rows) + "]"
            if expr.cols > 1
            else "(" + ", ".join(self._print(e) for e in expr) + ")ᵀ"
        )

    _print_ImmutableDenseMatrix = _print_MatrixBase
    _print_MutableDenseMatrix = _print_MatrixBase

    def _print_Tuple(self, expr) -> str:
        return ", ".join(self._print(e) for e in expr)

    def _print_Transpose(self, expr) -> str:
        text = self._print(expr.arg)
        return f"({text})ᵀ" if isinstance(expr.arg, sp.MatAdd | sp.MatMul) else f"{text}ᵀ"

    def _print_Inverse(self, expr) -> str:
        return f"{self._print(expr.arg)}⁻¹"

    def _print_Identity(self, expr) -> str:
        return "I"

    def _print_ZeroMatrix(self, expr) -> str:
        return "0"

    def _print_Infinity(self, expr) -> str:
        return "∞"

    def _print_Interval(self, expr) -> str:
        left = "(" if expr.left_open else "["
        right = ")" if expr.right_open else "]"
        return f"{left}{self._print(expr.start)}, {self._print(expr.end)}{right}"

    def _print_Max(self, expr) -> str:
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Min(self, expr) -> str:
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"


def _flat_factors(expr: sp.Expr) -> list:
    out = []
    for f in expr.args:
        out += _flat_factors(f) if f.is_Mul and not isinstance(f, Written) else [f]
    return out


def _atomic(expr) -> bool:
    from theory.engine.named import Named

    return expr.is_Atom or isinstance(expr, sp.Symbol | Named | sp.Indexed)


def _joins(left: str, right: str) -> bool:
    """Whether two printed factors may touch: ηλ, 2β, (1 + β)(1 − ηλ), but L η, x_t y."""
    greek = "αβγδεηκλμνρστΔΛΣ"
    if left in greek + ")|²³⁴⁵⁶⁷⁸⁹ᵀ" or left.isdigit():
        return right in greek + "(|√" or right.isalpha()
    return right in "(√"


def plain(expr: object) -> str:
    """One line of reader's text (Unicode, no Python syntax) for a SymPy object."""
    return _Plain().doprint(expr)


_INLINE_MATH = re.compile(r"\$([^$]*)\$")

_MACROS = [
    (r"^{-1}", "⁻¹"),
    (r"^\top", "ᵀ"),
    (r"^*", "*"),
    (r"\operatorname{tr}", "tr"),
    (r"\operatorname{Var}", "Var"),
    (r"\mathbb{E}", "E"),
    (r"\leftarrow", "←"),
    (r"\left", ""),
    (r"\right", ""),
    (r"\big|", "|"),
    (r"\dots", "…"),
    (r"\ldots", "…"),
    (r"\quad", "  "),
    (r"\qquad", "  "),
    (r"\,", " "),
    (r"\;", " "),
    (r"\iff", "⟺"),
    (r"\pm", "±"),
    (r"\mp", "∓"),
    (r"\ge", "≥"),
    (r"\le", "≤"),
    (r"\ne", "≠"),
    (r"\top", "ᵀ"),
    (r"\cdot", "·"),
    (r"\times", "×"),
    (r"\infty", "∞"),
    (r"\nabla", "∇"),
    (r"\in", "∈"),
    (r"\to", "→"),
    (r"\det", "det"),
    (r"\max", "max"),
    (r"\min", "min"),
    (r"\lim", "lim"),
    (r"\sum", "Σ"),
    (r"\varepsilon", "ε"),
]
_GREEK_TEX = re.compile(
    r"\\(alpha|beta|gamma|delta|Delta|epsilon|eta|kappa|lambda|Lambda|mu|nu|rho|sigma|Sigma|tau)"
    r"(?![A-Za-z])"
)
_GREEK_UNICODE = _Plain._GREEK


def _plain_groups(text: str) -> str:
    for _ in range(4):  # nested groups, innermost first
        text = re.sub(r"\\sqrt\{([^{}]*)\}", lambda m: _root(m.group(1)), text)
        text = re.sub(r"\\sqrt(?=[α-ωΑ-Ωa-zA-Z])", "√", text)
        text = re.sub(r"\\t?frac\{([^{}]*)\}\{([^{}]*)\}", lambda m: _fraction(*m.groups()), text)
        text = re.sub(r"\\binom\{([^{}]*)\}\{([^{}]*)\}", r"C(\1, \2)", text)
        text = re.sub(r"\\(?:text|mathrm|operatorname)\{([^{}]*)\}", r"\1", text)
        text = re.sub(r"\^\{([^{}]*)\}", lambda m: _sup(m.group(1)), text)
        text = re.sub(r"_\{([^{}]*)\}", lambda m: "_" + _wrap(m.group(1)), text)
    return text


def _wrap(text: str) -> str:
    return text if re.fullmatch(r"[\wα-ωΑ-Ω*±]+", text) else f"({text})"


def _root(text: str) -> str:
    return "√" + _wrap(text)


def _fraction(num: str, den: str) -> str:
    return f"{_wrap(num)}/{_wrap(den)}"


def _sup(text: str) -> str:
    digits = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
    return text.translate(digits) if text.isdigit() else "^" + _wrap(text)


def to_plain(latex_text: str) -> str:
    """Reader's text (Unicode) for a sentence: a :class:`~theory.engine.prose.Sentence`'s
    objects printed by :func:`plain`; in other text the small LaTeX is read (``$`` dropped)."""
    from theory.engine.prose import Sentence

    if isinstance(latex_text, Sentence):
        return "".join(p if isinstance(p, str) else plain(p) for p in latex_text.parts)
    text = latex_text.replace("$", "")
    text = _GREEK_TEX.sub(lambda m: _GREEK_UNICODE[m.group(1)], text)
    for macro, word in _MACROS:
        text = text.replace(macro, word)
    text = _plain_groups(text)
    text = re.sub(r"\^(\d)", lambda m: _sup(m.group(1)), text)
    return text.replace("{", "").replace("}", "").replace("\\", "")


def unmath(text: str) -> str:
    """A sentence with inline maths as reader's text."""
    return to_plain(text)
