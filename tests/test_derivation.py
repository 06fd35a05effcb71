import pytest
import sympy as sp

from theory.derivation import Derivation, equivalent, gt, holds, identity, lt
from theory.errors import ClaimError
from theory.symbols import beta, eta, lam

x = sp.Symbol("x")


def test_identity_accepts_true_claim_and_prints_it():
    step = identity("Expand.", (x + 1) ** 2, x**2 + 2 * x + 1)
    assert step.latex == r"\left(x + 1\right)^{2} &= x^{2} + 2 x + 1"
    assert step.plain == "(x + 1)**2 = x**2 + 2*x + 1"


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


def test_equivalent_checks_direction_and_strictness():
    equivalent("ok", gt(2 + 2 * beta - eta * lam, 0), lt(eta * lam, 2 * (1 + beta)))
    with pytest.raises(ClaimError):
        equivalent("wrong constant", gt(2 + 2 * beta - eta * lam, 0), lt(eta * lam, 2 + beta))
    with pytest.raises(ClaimError):
        equivalent("wrong side", gt(2 + 2 * beta - eta * lam, 0), gt(eta * lam, 2 * (1 + beta)))


def test_holds_runs_its_check():
    with pytest.raises(ClaimError):
        holds("never", r"a &= b", lambda: False)


def test_float_claims_use_a_tolerance():
    identity("floats", sp.Float(0.1) + sp.Float(0.2), sp.Float(0.3))
    with pytest.raises(ClaimError):
        identity("floats", sp.Float(0.1) + sp.Float(0.2), sp.Float(0.31))


def test_renderings():
    d = Derivation("T_1 & 50%", (identity("Step $a_1$ with _.", x, x),), {"r": x}, ("A remark.",))
    latex = d.to_latex()
    assert r"\begin{align*}" in latex and r"\end{align*}" in latex
    assert r"T\_1 \& 50\%" in latex and r"Step $a_1$ with \_." in latex
    assert "$$ x = x $$" in d.to_markdown()
    assert "Step a_1 with _." in str(d) and "r = x" in str(d)
    assert d._repr_latex_().startswith("$$")
