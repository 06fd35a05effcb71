"""The engine of checked derivations: what every topic of :mod:`theory` is built with.

A topic (``theory/momentum.py``, ``theory/noise.py``, ...) writes its
derivation as steps; the engine checks each step's claim before it can be
printed and prints what it checked:

- :mod:`theory.engine.derivation`: :class:`~theory.engine.derivation.Step`
  and :class:`~theory.engine.derivation.Derivation`, identities and
  equivalences;
- :mod:`theory.engine.claims`: claims beyond identities (solutions, roots,
  induction, checks at points);
- :mod:`theory.engine.checking`: the checker's comparisons (what is zero,
  what is the same condition);
- :mod:`theory.engine.named`: quantities that print as their name and are
  checked as their value;
- :mod:`theory.engine.prose`: sentences whose formulas are SymPy objects;
- :mod:`theory.engine.printing`, :mod:`theory.engine.reader_text` and
  :mod:`theory.engine.mathml`: LaTeX, one-line Unicode text and presentation
  MathML in a person's order; :mod:`theory.engine.sympy_text`: SymPy input
  that ``sympify`` reads back; :mod:`theory.engine.forms`: exact numbers in
  the form people write them, proven equal.

The public names are re-exported by :mod:`theory` (``theory.Derivation``,
``theory.Step``, ...); a new topic imports the engine's modules directly.
"""

__all__: list[str] = []  # the public names are re-exported by theory
