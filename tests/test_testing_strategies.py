"""The public strategies against closed-form regions typed here (sharing no code with numerics)."""

import subprocess
import sys

import numpy as np
from hypothesis import given

from numerics.testing.strategies import inside_region, outside_region, spd_matrices, spectra


def torch_sgd_edge(eta, beta, dampening, weight_decay):
    """torch SGD is heavy ball with step eta (1 - d) on the curvature lam + wd (Jury: eta' lam' < 2(1 + beta))."""
    return 2 * (1 + beta) / (eta * (1 - dampening)) - weight_decay


@given(inside_region())
def test_inside_heavy_ball(point):
    eta, beta, lam = point
    assert 0 < eta * lam <= 0.98 * 2 * (1 + beta) * (1 + 1e-12)
    assert 0 <= beta <= 0.95


@given(outside_region())
def test_outside_heavy_ball(point):
    eta, beta, lam = point
    assert eta * lam >= 1.05 * 2 * (1 + beta) * (1 - 1e-12)


@given(inside_region("torch_sgd", dampening=0.3, weight_decay=0.25))
def test_inside_torch_sgd_with_options(point):
    eta, beta, lam = point
    edge = torch_sgd_edge(eta, beta, 0.3, 0.25)
    assert 0.02 * edge * (1 - 1e-9) <= lam <= 0.98 * edge * (1 + 1e-9)


@given(outside_region("gd", margin=0.2))
def test_outside_gd(point):
    eta, _, lam = point
    assert eta * lam >= 1.2 * 2 * (1 - 1e-12)


@given(spectra(kappa_max=50.0))
def test_spectra(pair):
    mu, L = pair
    assert 0 < mu <= L <= 50.0 * mu * (1 + 1e-12)


@given(spd_matrices(n_min=2, n_max=3))
def test_spd_matrices(pair):
    Q, eigs = pair
    np.testing.assert_allclose(Q, Q.T)
    np.testing.assert_allclose(np.linalg.eigvalsh(Q), np.sort(eigs), rtol=1e-9, atol=1e-12)


def test_without_hypothesis_a_clear_import_error():
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n"
        "    import numerics.testing.strategies\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "needs Hypothesis" in done.stdout
    assert "momentum-theory[test]" in done.stdout
