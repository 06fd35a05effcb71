"""Sentences whose inline maths are objects: every printer sets them, a false formula is refused."""

import pytest
import sympy as sp

from theory.engine.claims import fact
from theory.engine.mathml import prose
from theory.engine.named import PM, Named, pm
from theory.engine.prose import Assign, Listed, Sentence, Tends, say
from theory.engine.reader_text import to_plain
from theory.errors import ClaimError
from theory.symbols import beta, eta, lam

x, v = sp.symbols("x v", real=True)


def test_a_sentence_prints_its_objects_in_every_format():
    s = say(
        "It converges iff {condition}, by {update}.",
        condition=sp.Lt(eta * lam, 2 * (1 + beta)),
        update=Assign(v, beta * v + lam * x),
    )
    assert (
        s
        == r"It converges iff $\eta \lambda < 2 \beta + 2$, by $v \leftarrow \beta v + \lambda x$."
    )
    assert to_plain(s) == "It converges iff ηλ < 2β + 2, by v ← βv + λx."
    html = prose(s)
    assert html.startswith("It converges iff <") and html.count("<math") == 2
    # the comma stays on the formula's line
    assert '<span class="nowrap"><math' in html and "</math>,</span> by" in html
    assert "\\" not in html and "$" not in html


def test_shown_relations_print_in_every_format():
    for shown, latex, plain in (
        (Tends(beta, 1), r"\beta \to 1", "β → 1"),
        (Listed(v, x), "(v, x)", "(v, x)"),
    ):
        s = say("{it}", it=shown)
        assert s == f"${latex}$" and to_plain(s) == plain
        assert "<math" in prose(s)


def test_sentences_join_and_refuse_typed_latex():
    joined = "Jury's test: " + say("{z}", z=sp.Lt(sp.Abs(sp.Symbol("z")), 1)) + ". First,"
    assert isinstance(joined, Sentence) and to_plain(joined) == "Jury's test: |z| < 1. First,"
    with pytest.raises(ValueError, match="must be objects"):
        say(r"the rate $\sqrt{\beta}$")
    with pytest.raises(ValueError, match="names no object"):
        say("the rate {rate}")
    with pytest.raises(ValueError, match="does not use"):
        say("the rate", rate=beta)


def test_a_fact_quoted_in_a_sentence_is_proven_first():
    s = beta + 1 - eta * lam
    disc = Named("Δ", s**2 - 4 * beta, latex=r"\Delta")
    z_pm = Named("z_±", (s + PM * sp.sqrt(disc)) / 2, latex=r"z_\pm")
    both = sp.Add(*s.args, PM * sp.sqrt(disc), evaluate=False)
    right = sp.Mul(sp.Rational(1, 2), sp.Abs(both), evaluate=False)
    shown = fact(sp.Abs(z_pm), right, cases=({pm: 1}, {pm: -1}))
    assert isinstance(shown, sp.Eq) and shown.rhs is right
    wrong = sp.Add(*s.args, -PM * sp.sqrt(disc), evaluate=False)  # a planted sign
    with pytest.raises(ClaimError, match="a formula in a sentence"):
        fact(
            sp.Abs(z_pm),
            sp.Mul(sp.Rational(1, 2), sp.Abs(wrong), evaluate=False),
            cases=({pm: 1}, {pm: -1}),
        )
    # a fact of one regime, checked at its points
    point = {eta: sp.Rational(1, 2), beta: sp.Rational(1, 4), lam: 1}
    fact(sp.Abs(z_pm) ** 2, beta, points=[{**point, pm: 1}, {**point, pm: -1}])
    with pytest.raises(ClaimError):
        fact(sp.Abs(z_pm) ** 2, 2 * beta, points=[{**point, pm: 1}])
