import numpy as np
import sympy as sp
from hypothesis import example, given, settings

from tests.strategies import mixed_scale_spd
from theory.decoupling import derive_decoupling, eigen_decomposition


def test_exact_two_by_two():
    O, values, exact = eigen_decomposition([[2, 1], [1, 3]])
    assert exact
    assert sp.simplify(O * O.T - sp.eye(2)) == sp.zeros(2)
    assert sp.simplify(O.T * sp.diag(*values) * O - sp.Matrix([[2, 1], [1, 3]])) == sp.zeros(2)
    assert sorted(values, key=float) == [
        sp.Rational(5, 2) - sp.sqrt(5) / 2,
        sp.Rational(5, 2) + sp.sqrt(5) / 2,
    ]


def test_repeated_eigenvalue_gets_orthonormal_basis():
    O, values, exact = eigen_decomposition([[2, 0, 0], [0, 2, 0], [0, 0, 5]])
    assert exact and values == [2, 2, 5]
    assert O * O.T == sp.eye(3)


def test_large_or_float_is_numeric_and_says_so():
    Q = np.diag([1.0, 2, 3, 4, 5]) + 0.1
    d = derive_decoupling(Q.tolist())
    assert "numeric" in d.remarks[0]
    np.testing.assert_allclose(
        sorted(float(v) for v in d.results["eigenvalues"]), np.linalg.eigvalsh(Q)
    )


def test_symbolic_decoupling_and_d2l_remark():
    d = derive_decoupling()
    assert "I - \\eta \\Lambda" in d.steps[1].latex
    assert any("missing" in r for r in d.remarks)


def test_dropping_eta_is_refused():
    # D2L's z_t = (I - Lambda) z_{t-1}: the checker must refuse it, symbolically and concretely
    import pytest

    from theory.engine.derivation import identity
    from theory.errors import ClaimError

    n = sp.Symbol("n", integer=True, positive=True)
    O, Lam = sp.MatrixSymbol("O", n, n), sp.MatrixSymbol("Lambda", n, n)
    y, eta = sp.MatrixSymbol("y", n, 1), sp.Symbol("eta")
    eye = sp.Identity(n)
    with pytest.raises(ClaimError):
        identity("D2L", O * (eye - eta * O.T * Lam * O) * y, (eye - Lam) * O * y, orthogonal=(O,))


@given(mixed_scale_spd(spread=6.0))
@settings(max_examples=20)
@example((np.array([[2e-12, 1e-6, 0.0], [1e-6, 2.0, 1e6], [0.0, 1e6, 2e12]]), 3))  # D A D
def test_property_mixed_scales_decouple(q_n):
    # issue 24: entries from 1e-12 to 1e12, a positive definite matrix: decoupled, its checks
    # passing to rounding relative to the numbers they hold (|O^T Lambda O - Q| ~ 1e-16 |Q|)
    Q, n = q_n
    d = derive_decoupling(Q.tolist())
    got = np.sort([float(v) for v in d.results["eigenvalues"]])
    ref = np.linalg.eigvalsh(Q)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12 * np.abs(ref).max())
