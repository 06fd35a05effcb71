r"""The forms people write exact numbers in, each proven equal to the number it shows.

An exact tuning on a spectrum like [1.0005, 100.0005] holds square roots
inside square roots of fractions, as SymPy builds it:
``4/(sqrt(10005)/100 + sqrt(1000005)/100)**2``. A person rationalises the
denominator and collects the terms over it: ``(33667 - sqrt(44466889))/816750``.
:func:`collected` writes that form (as a :class:`~theory.engine.printing.Written`
numerator over a whole number, so every printer keeps it) and accepts it only
when the checker proves it equal to the value.

Examples
--------
>>> import sympy as sp
>>> from theory.engine.reader_text import plain
>>> value = 4 / (sp.sqrt(sp.Rational(2001, 2000)) + sp.sqrt(sp.Rational(200001, 2000))) ** 2
>>> plain(value)
'4/(√10005/100 + √1000005/100)²'
>>> plain(collected(value))
'(33667 − √44466889)/816750'
"""

from __future__ import annotations

import sympy as sp

from theory.engine.checking import is_zero
from theory.engine.printing import Written
from theory.errors import ClaimError

__all__ = ["collected"]


def collected(value: sp.Expr) -> sp.Expr:
    """An exact number as one fraction over a whole number, its surds collected above.

    Rationals and numbers whose denominator keeps a root after rationalising
    are returned as they are. Raises ClaimError if the written form is not
    proven equal to ``value`` (it cannot be: the check guards the printer).
    """
    value = sp.sympify(value)
    if not value.is_number or value.is_Rational or value.has(sp.Float):
        return value
    form = sp.together(sp.expand(sp.radsimp(value)))
    top, bottom = sp.fraction(form)
    if not bottom.is_Integer or sp.count_ops(form) > sp.count_ops(value) + 4:
        return value  # not simpler written so
    top = sp.expand(top)
    shown = Written(top) if top.is_Add else top
    if bottom != 1:
        shown = sp.Mul(shown, sp.Pow(bottom, -1, evaluate=False), evaluate=False)
    if not is_zero(sp.sympify(shown).doit() - value):
        raise ClaimError(f"the collected form {shown} is not {value}")
    return shown
