"""tune_for_model: a network's [mu, L] into the theory's tuning, checked against references.

The airfoil regression as a linear model is a quadratic with known eigenvalues,
so its tuning is the closed form on them; the small tanh network has a negative
eigenvalue (checked on its dense Hessian), so it gets no tuning, only the edge
from L, which the test writes out from the literature's formula.
Skipped, visibly, where torch is not installed (``pip install '.[torch]'``).
"""

from __future__ import annotations

import numpy as np
import pytest

import numerics
from numerics.model_tuning import MU_WARNING, tune_for_model
from tests.references import dense_hessian
from theory.errors import ParameterError

torch = pytest.importorskip("torch", reason="torch not installed: pip install '.[torch]'")
from examples.small_network import make, make_linear  # noqa: E402 (it imports torch)

#: Lanczos on these small Hessians is exact to rounding: the comparisons allow this much
RTOL = 1e-9


def test_a_quadratic_is_tuned_on_its_exact_spectrum():
    exact = numerics.least_squares_quadratic(*numerics.load_airfoil()).eigenvalues
    mu, L = exact[0], exact[-1]
    for method in ("gd", "heavy_ball", "nesterov"):
        tuned = tune_for_model(*make_linear(), method)
        assert tuned.mu_reliable and not tuned.tuning.numeric
        assert tuned.mu == pytest.approx(mu, rel=RTOL) and tuned.L == pytest.approx(L, rel=RTOL)
        # heavy ball's closed form (Polyak 1964), written out: eta = 4/(sqrt L + sqrt mu)^2
        if method == "heavy_ball":
            r = (np.sqrt(L / mu) - 1) / (np.sqrt(L / mu) + 1)
            assert tuned.tuning.eta == pytest.approx(4 / (np.sqrt(L) + np.sqrt(mu)) ** 2, rel=RTOL)
            assert tuned.tuning.beta == pytest.approx(r**2, rel=RTOL)
            assert tuned.tuning.rate == pytest.approx(r, rel=RTOL)
        reference = numerics.tune_closed_form(mu, L, method)
        assert tuned.tuning.eta == pytest.approx(reference.eta, rel=RTOL)
        assert tuned.tuning.beta == pytest.approx(reference.beta, rel=RTOL)
        # the edge at the tuned momentum: 2 (1 + beta) / L for heavy ball, 2 / L for gd
        if method != "nesterov":
            edge = 2 * (1 + tuned.tuning.beta) / L
            assert tuned.beta == tuned.tuning.beta and tuned.max_stable_lr == pytest.approx(edge)
        assert tuned.warning.startswith(MU_WARNING)


def test_a_method_without_closed_form_is_tuned_numerically():
    tuned = tune_for_model(*make_linear(), "qhm", nu=0.7)
    assert tuned.tuning.numeric and tuned.params == {"nu": 0.7}
    rate = numerics.worst_case_rate(
        tuned.tuning.eta, tuned.tuning.beta, tuned.mu, tuned.L, "qhm", nu=0.7
    )
    assert tuned.tuning.rate == pytest.approx(float(rate), rel=1e-12)


def test_a_network_with_a_negative_eigenvalue_gets_the_edge_from_L_alone():
    model, loss_fn, (X, y) = make()
    dense = np.linalg.eigvalsh(dense_hessian(model, loss_fn, X, y))
    assert dense[0] < 0  # the case this test is about
    tuned = tune_for_model(model, loss_fn, (X, y), beta=0.9)
    assert not tuned.mu_reliable and tuned.tuning is None
    assert tuned.mu == pytest.approx(dense[0], rel=1e-8) and tuned.L == pytest.approx(
        dense[-1], rel=RTOL
    )
    assert "is not positive beyond its error" in tuned.warning and "only L is used" in tuned.warning
    # heavy ball's edge eta < 2 (1 + beta) / L (Polyak 1964), at the momentum given
    assert tuned.beta == 0.9 and tuned.max_stable_lr == pytest.approx(2 * 1.9 / dense[-1], rel=RTOL)
    # with no momentum given and nothing tuned, the edge is at momentum 0: 2 / L
    plain = tune_for_model(model, loss_fn, (X, y))
    assert plain.beta == 0.0 and plain.max_stable_lr == pytest.approx(2 / dense[-1], rel=RTOL)


def test_torch_nesterovs_edge_from_L():
    # torch's Nesterov: eta < (2 + 2 beta) / (L (1 + 2 beta)) (its characteristic polynomial
    # at z = -1; Cohen et al. 2021 state the same threshold in the sharpness)
    model, loss_fn, data = make()
    tuned = tune_for_model(model, loss_fn, data, "nesterov", beta=0.5)
    assert tuned.max_stable_lr == pytest.approx(3 / (tuned.L * 2), rel=RTOL)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"beta": 1.0}, r"'beta' must be in \(-1, 1\): 1.0"),
        ({"nu": 0.5}, "unknown"),
    ],
)
def test_bad_options_fail_before_the_lanczos_runs(kwargs, match):
    calls = []

    def loss(out, target):
        calls.append(1)
        return torch.nn.functional.mse_loss(out, target)

    model, _, data = make()
    with pytest.raises(ParameterError, match=match):
        tune_for_model(model, loss, data, **kwargs)
    assert not calls


def test_a_hessian_with_no_positive_eigenvalue_is_refused():
    model, _, data = make_linear()

    def gain(out, target):  # a loss to maximise: its Hessian is negative definite
        return -0.5 * torch.nn.functional.mse_loss(out, target)

    with pytest.raises(ParameterError, match="largest eigenvalue must be > 0"):
        tune_for_model(model, gain, data)


def test_a_mu_within_its_lanczos_error_is_not_tuned_on(monkeypatch):
    # a Hessian that is singular in fact (a repeated input column) comes out of Lanczos with a
    # smallest eigenvalue of rounding size and either sign; whatever its sign, a mu no larger
    # than its residual says nothing: no tuning (kappa would be 1e12), only L. Lanczos's
    # answer is fixed here so that the decision is tested on both signs
    from numerics import model_tuning
    from numerics.hessian import HessianSpectrum

    def spectrum(mu, residual):
        def fake(*args, **kwargs):
            return HessianSpectrum(
                top=np.array([2.0]),
                bottom=np.array([mu]),
                top_residuals=np.array([1e-15]),
                bottom_residuals=np.array([residual]),
                converged=True,
                hvps=10,
                k=1,
                which="both",
                tol=1e-8,
                dtype="float64",
                n_parameters=2,
                n_examples=2,
                batches=1,
            )

        return fake

    model, loss_fn, data = make_linear()
    for mu in (1e-12, -1e-12):
        monkeypatch.setattr(model_tuning, "hessian_spectrum", spectrum(mu, 1e-9))
        tuned = tune_for_model(model, loss_fn, data)
        assert not tuned.mu_reliable and tuned.tuning is None, mu
        assert "is not positive beyond its error 1e-09" in tuned.warning
        assert tuned.max_stable_lr == pytest.approx(2 / 2.0, rel=1e-15)  # 2 / L at momentum 0
    # beyond its error it is tuned on: heavy ball's closed form on [1e-6, 2]
    monkeypatch.setattr(model_tuning, "hessian_spectrum", spectrum(1e-6, 1e-9))
    tuned = tune_for_model(model, loss_fn, data)
    assert tuned.mu_reliable
    assert tuned.tuning.eta == pytest.approx(4 / (np.sqrt(2.0) + 1e-3) ** 2, rel=RTOL)
