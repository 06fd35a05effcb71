import pytest
import sympy as sp

from theory.engine.claims import (
    agrees_at,
    equivalent_by_factor,
    is_root,
    power_identity,
    roots_of,
    solves,
)
from theory.engine.derivation import Derivation, equivalent, ge, gt, identity, le, lt
from theory.engine.named import PM, Named, defined
from theory.engine.printing import Written
from theory.engine.reader_text import plain, to_plain
from theory.errors import ClaimError
from theory.symbols import beta, eta, lam, t, z

x = sp.Symbol("x")


def test_identity_accepts_true_claim_and_prints_it():
    step = identity("Expand.", (x + 1) ** 2, x**2 + 2 * x + 1)
    assert step.latex == r"(x + 1)^{2} &= x^{2} + 2 x + 1"
    assert step.plain == "(x + 1)² = x² + 2x + 1"
    assert step.verify()


@pytest.mark.parametrize(
    "lhs, rhs",
    [
        ((x + 1) ** 2, x**2 + 1),
        (
            sp.Matrix([[beta, lam], [-eta * beta, 1 - eta * lam]]),
            sp.Matrix([[beta, lam], [eta * beta, 1 - eta * lam]]),
        ),
    ],
)
def test_wrong_claim_raises(lhs, rhs):
    with pytest.raises(ClaimError, match="does not hold"):
        identity("A flipped sign.", lhs, rhs)


def test_wrong_display_form_is_refused():
    # the claim is true, but the form printed for its right-hand side has a flipped sign
    shown = Written(sp.Add(1, beta, eta * lam, evaluate=False))
    with pytest.raises(ClaimError, match="printed as"):
        identity("trace", 1 + beta - eta * lam, 1 + beta - eta * lam, display=(x, shown))
    with pytest.raises(ClaimError):
        identity("trace", 1 + beta - eta * lam, 1 + beta - eta * lam, display=(shown, shown))
    good = Written(sp.Add(1, beta, -eta * lam, evaluate=False))
    step = identity("trace", 1 + beta - eta * lam, 1 + beta - eta * lam, display=(good, good))
    assert step.plain == "1 + β − ηλ = 1 + β − ηλ"


def test_a_named_quantity_prints_its_name_and_is_checked_as_its_value():
    tr = Named("tr R", 1 + beta - eta * lam, latex=r"\operatorname{tr} R")
    step = identity("trace", tr, Written(sp.Add(1, beta, -eta * lam, evaluate=False)))
    assert step.latex == r"\operatorname{tr} R &= 1 + \beta - \eta \lambda"
    with pytest.raises(ClaimError):
        identity("trace", tr, Written(sp.Add(1, beta, eta * lam, evaluate=False)))
    p = defined("p", z, z**2 - 3 * z + 2)
    assert is_root("root", p, 2).plain == "p(2) = 0"
    with pytest.raises(ClaimError):
        is_root("root", p, 3)


def test_equivalent_checks_direction_and_strictness():
    equivalent("ok", gt(2 + 2 * beta - eta * lam, 0), lt(eta * lam, 2 * (1 + beta)))
    with pytest.raises(ClaimError):
        equivalent("wrong constant", gt(2 + 2 * beta - eta * lam, 0), lt(eta * lam, 2 + beta))
    with pytest.raises(ClaimError):
        equivalent("wrong side", gt(2 + 2 * beta - eta * lam, 0), gt(eta * lam, 2 * (1 + beta)))


@pytest.mark.parametrize(
    "derived, claimed",
    [
        (gt(2 - eta * lam, 0), le(eta * lam, 2)),  # weak for strict
        (ge(2 - eta * lam, 0), lt(eta * lam, 2)),  # strict for weak
        (gt(eta * lam, 0), ge(eta * lam, 0)),
    ],
)
def test_equivalent_refuses_weak_for_strict(derived, claimed):
    # the same boundary with the other strictness is a different condition
    with pytest.raises(ClaimError, match="not equivalent"):
        equivalent("strictness", derived, claimed)


def test_solves_needs_the_only_solution():
    step = solves("edge", sp.Eq(2 + 2 * beta - eta * lam, 0), lam, 2 * (1 + beta) / eta)
    assert step.plain == "2 + 2β − ηλ = 0 ⟺ λ = (2β + 2)/η"
    with pytest.raises(ClaimError):
        solves("edge", sp.Eq(2 + 2 * beta - eta * lam, 0), lam, (2 + beta) / eta)
    with pytest.raises(ClaimError):  # x = 1 solves x^2 = 1, but not alone
        solves("square", sp.Eq(x**2, 1), x, 1)


def test_roots_with_plus_minus_are_checked_for_both_signs():
    s = sp.Symbol("s")
    poly = sp.Poly(z**2 - s * z + beta, z)
    d = sp.sqrt(s**2 - 4 * beta)
    roots_of("roots", Named("z_±", 0), poly, (s + PM * d) / 2)
    with pytest.raises(ClaimError):
        roots_of("roots", Named("z_±", 0), poly, (-s + PM * d) / 2)


def test_points_and_induction_claims():
    agrees_at("abs", sp.Abs(x), sp.Piecewise((x, x > 0), (-x, True)), [{x: 2}, {x: -3}])
    with pytest.raises(ClaimError):
        agrees_at("abs", sp.Abs(x), sp.Piecewise((x, x > 0), (x, True)), [{x: 2}, {x: -3}])
    a = sp.Symbol("a")
    M = sp.Matrix([[a, 1], [0, a]])
    Ms = sp.MatrixSymbol("M", 2, 2)
    power_identity(
        "power",
        Ms,
        M,
        t,
        sp.MatAdd(a**t * sp.Identity(2), t * a ** (t - 1) * (Ms - a * sp.Identity(2))),
    )
    with pytest.raises(ClaimError):
        power_identity(
            "power",
            Ms,
            M,
            t,
            sp.MatAdd(a**t * sp.Identity(2), t * a**t * (Ms - a * sp.Identity(2))),
        )


def test_float_claims_use_a_tolerance():
    identity("floats", sp.Float(0.1) + sp.Float(0.2), sp.Float(0.3))
    with pytest.raises(ClaimError):
        identity("floats", sp.Float(0.1) + sp.Float(0.2), sp.Float(0.31))


def test_results_must_be_the_right_hand_side_of_their_step():
    step = identity("rate", Named("ρ", sp.Abs(1 - eta * lam)), sp.Abs(1 - eta * lam), result="rate")
    Derivation("GD", (step,), {"rate": sp.Abs(eta * lam - 1)})
    with pytest.raises(ClaimError, match="not the right-hand side"):
        Derivation("GD", (step,), {"rate": 1 - eta * lam})  # the Abs dropped
    with pytest.raises(ClaimError, match="names no step"):
        Derivation("GD", (step,), {"eta_opt": 1 / lam})
    cond = equivalent("half", gt(2 - eta * lam, 0), lt(eta * lam, 2), result="condition")
    Derivation("GD", (cond,), {"condition": sp.And(lt(eta * lam, 2))})
    with pytest.raises(ClaimError):
        Derivation("GD", (cond,), {"condition": sp.And(le(eta * lam, 2))})


def test_renderings():
    d = Derivation(
        r"T_1 & 50% at $\mu$",
        (identity("Step $a_1$ with _.", x, x),),
        {},
        (r"A remark on $\beta$.",),
    )
    latex = d.to_latex()
    assert r"\begin{align*}" in latex and r"\end{align*}" in latex
    assert r"T\_1 \& 50\% at $\mu$" in latex and r"Step $a_1$ with \_." in latex
    markdown = d._repr_markdown_()
    assert markdown.startswith("### T_1 & 50% at μ") and "$$ x = x $$" in markdown
    assert "Step $a_1$ with _." in markdown and r"A remark on $\beta$." in markdown
    assert "A remark on β." in str(d) and "Step a_1 with _." in str(d)
    assert repr(d) == "<Derivation 'T_1 & 50% at μ': 1 checked steps>"


@pytest.mark.parametrize("formula", [1 + PM, 3 + 2 * PM])
def test_roots_of_checks_each_sign(formula):
    # issue 24: z^2 - 3z + 2 has the roots 2 and 1; 1 ± 1 gives the root 2 and then 0, 3 ± 2
    # gives 5 and then the root 1: right for one sign only, each is refused
    poly = sp.Poly(z**2 - 3 * z + 2, z)
    with pytest.raises(ClaimError, match="not the roots"):
        roots_of("roots", Named("z_±", 0), poly, formula)
    roots_of("roots", Named("z_±", 0), poly, sp.Rational(3, 2) + PM / 2)  # both: accepted


def test_a_refused_claim_prints_its_floats_in_their_shortest_form():
    # SymPy writes Float(0.1) as 0.100000000000000; the message gives the double's own text
    with pytest.raises(ClaimError, match=r"does not hold: 0\.1\*x = 0\.30000000000000004\*x$"):
        identity("A float slip.", sp.Float(0.1) * x, sp.Float(0.1 + 0.2) * x)


def test_a_counterexample_must_refute_the_claim_it_is_given():
    from theory.engine.claims import counterexample

    n = sp.Symbol("n", integer=True, positive=True)
    Q, c = sp.MatrixSymbol("Q", n, n), sp.MatrixSymbol("c", n, 1)
    at = {n: 2, "Q": [[2, 1], [1, 3]], "c": [1, -1]}
    counterexample(Q * c, Q.T * c + c, at)  # Qc = (1, 2), Q^T c + c = (2, 1): refuted
    with pytest.raises(ClaimError, match="no counterexample"):
        counterexample(Q * c, Q.T * c, at)  # true at a symmetric Q: it refutes nothing
    with pytest.raises(ClaimError, match="no counterexample"):
        counterexample(x**2 - 1, (x - 1) * (x + 1), {x: 3})


def test_a_negated_sum_keeps_its_brackets_in_latex_and_text():
    from theory.engine.printing import latex
    from theory.engine.reader_text import plain

    n = sp.Symbol("n", integer=True, positive=True)
    A, B = sp.MatrixSymbol("A", n, n), sp.MatrixSymbol("B", n, n)
    negated = sp.MatMul(-1, sp.MatAdd(A, B), evaluate=False)
    assert latex(negated) == "-(A + B)" and plain(negated) == "−(A + B)"
    written = Written(sp.Add(beta, -eta, evaluate=False))
    difference = sp.Add(1, sp.Mul(-1, written, evaluate=False), evaluate=False)
    assert latex(difference) == r"1 - (\beta - \eta)" and plain(difference) == "1 − (β − η)"


def test_equivalent_by_factor_divides_by_a_factor_proven_positive():
    m = sp.Symbol("m", positive=True)
    # eta (2 m - 3 eta) > 0 is eta < 2m/3 once eta > 0 is divided out
    step = equivalent_by_factor("gd", gt(eta * (2 * m - 3 * eta), 0), lt(eta, 2 * m / 3), 3 * eta)
    assert step.plain == "η(2m − 3η) > 0 ⟺ η < 2m/3" and step.verify()
    with pytest.raises(ClaimError, match="is not"):  # the factor does not match
        equivalent_by_factor("gd", gt(eta * (2 * m - 3 * eta), 0), lt(eta, 2 * m / 3), eta)
    with pytest.raises(ClaimError):  # the other strictness
        equivalent_by_factor("gd", gt(eta * (2 * m - 3 * eta), 0), le(eta, 2 * m / 3), 3 * eta)
    # (1 - beta)(1 - eta) > 0 is eta < 1 only where 1 - beta > 0: refused until a
    # reparametrisation shows the sign, accepted with beta = (1 - r)/(1 + r), r > 0
    r = sp.Symbol("r", positive=True)
    claim = (gt((1 - beta) * (1 - eta), 0), lt(eta, 1), 1 - beta)
    with pytest.raises(ClaimError):
        equivalent_by_factor("sign", *claim)
    equivalent_by_factor("sign", *claim, where={beta: (1 - r) / (1 + r)})
    with pytest.raises(ClaimError):  # |beta| > 1: a negative factor
        equivalent_by_factor("sign", *claim, where={beta: 1 + r})


def test_reader_text_of_binomials_and_indexed_powers():
    n, B = sp.symbols("n B", positive=True)
    assert plain(sp.binomial(n - 1, B - 1)) == "C(n − 1, B − 1)"
    assert to_plain(r"of the $\binom{n}{B}$ batches") == "of the C(n, B) batches"
    e = sp.IndexedBase("e")
    assert plain(e[t + 1] ** 2) == "e_(t + 1)²" and plain(e[t] ** 2) == "e_t²"
    # a name with a bracketed subscript is one symbol too; a name with spaces is bracketed
    assert plain(Named("e_(t + 1)", t, latex="e_{t+1}") ** 2) == "e_(t + 1)²"
    assert plain(Named("E f", t) ** 2) == "(E f)²"
