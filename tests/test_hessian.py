"""hessian_spectrum against the dense Hessian and against the airfoil quadratic's exact eigenvalues.

The references share no code with what they test: the dense Hessian comes from
``torch.autograd.functional.hessian`` of the loss as a function of the flat
parameter vector (written out here), its eigenvalues from ``numpy.linalg.eigvalsh``;
the airfoil eigenvalues from the toolkit's NumPy quadratic ``A^T A / n``.
Skipped, visibly, where torch is not installed (``pip install '.[torch]'``).
"""

from __future__ import annotations

import functools
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import numerics
from numerics.hessian import ModelError, hessian_spectrum
from tests.references import dense_hessian
from theory.errors import ParameterError

torch = pytest.importorskip("torch", reason="torch not installed: pip install '.[torch]'")

#: agreement with the dense Hessian's eigenvalues, relative to the largest |eigenvalue|
DENSE_RTOL = 1e-6
#: agreement of the airfoil quadratic's eigenvalues (a linear model: the products are exact)
AIRFOIL_RTOL = 1e-10
#: the same with the data rounded to float32 (relative 6e-8 each)
FLOAT32_DATA_RTOL = 1e-6


def mlp(sizes, activation=torch.nn.Tanh, seed=0):
    torch.manual_seed(seed)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(activation())
    return torch.nn.Sequential(*layers)


def regression_data(n=40, d_in=3, d_out=2, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d_in, generator=g), torch.randn(n, d_out, generator=g)


CASES = [
    ("tanh 3-8-2, MSE", (3, 8, 2), torch.nn.Tanh, torch.nn.MSELoss(), "regression"),
    ("relu 3-6-6-2, MSE", (3, 6, 6, 2), torch.nn.ReLU, torch.nn.MSELoss(), "regression"),
    (
        "softplus 4-5-3, cross entropy",
        (4, 5, 3),
        torch.nn.Softplus,
        torch.nn.CrossEntropyLoss(),
        "classes",
    ),
]


@pytest.mark.parametrize("name, sizes, activation, loss_fn, kind", CASES, ids=[c[0] for c in CASES])
def test_top_and_bottom_equal_the_dense_hessian(name, sizes, activation, loss_fn, kind):
    model = mlp(sizes, activation)
    X, y = regression_data(40, sizes[0], sizes[-1])
    if kind == "classes":
        y = y.argmax(dim=1)
    H = dense_hessian(model, loss_fn, X, y)
    dense = np.linalg.eigvalsh(H)
    spec = hessian_spectrum(model, loss_fn, (X, y), k=3, which="both", vectors=True)
    assert spec.converged
    scale = np.abs(dense).max()
    np.testing.assert_allclose(spec.top, dense[::-1][:3], rtol=0, atol=DENSE_RTOL * scale)
    np.testing.assert_allclose(spec.bottom, dense[:3], rtol=0, atol=DENSE_RTOL * scale)
    assert abs(spec.largest - dense[-1]) <= DENSE_RTOL * abs(dense[-1])  # the sharpness
    # the eigenvectors are the dense Hessian's, in parameters_to_vector order
    for values, vecs in ((spec.top, spec.top_vectors), (spec.bottom, spec.bottom_vectors)):
        np.testing.assert_allclose(np.linalg.norm(vecs, axis=0), 1.0, rtol=1e-12)
        np.testing.assert_allclose(H @ vecs, vecs * values, atol=DENSE_RTOL * scale)
    assert (spec.top_residuals <= DENSE_RTOL * scale).all()
    assert spec.n_parameters == H.shape[0] and spec.n_examples == 40 and spec.batches == 1


def test_the_airfoil_quadratics_exact_eigenvalues():
    # a linear model with bias and the halved mean squared loss is D2L's airfoil quadratic:
    # its Hessian is A^T A / n, A = [X, 1]: six eigenvalues, all found (three at each end)
    X, y = numerics.load_airfoil()
    exact = numerics.least_squares_quadratic(X, y).eigenvalues
    model = torch.nn.Linear(5, 1)

    def halved_mse(out, target):
        return 0.5 * torch.nn.functional.mse_loss(out, target)

    data = (torch.tensor(X), torch.tensor(y)[:, None])
    spec = hessian_spectrum(model, halved_mse, data, k=3, which="both")
    assert spec.converged and spec.n_parameters == 6
    np.testing.assert_allclose(spec.eigenvalues, exact, rtol=AIRFOIL_RTOL)
    # float32 data (as a network is usually fed) are the airfoil rounded to float32 (relative
    # 6e-8 each): the eigenvalues move by about that, no more
    data32 = tuple(t.float() for t in data)
    spec32 = hessian_spectrum(model, halved_mse, data32, k=3, which="both")
    np.testing.assert_allclose(spec32.eigenvalues, exact, rtol=FLOAT32_DATA_RTOL)


def _batches(X, y, sizes):
    edges = np.cumsum([0, *sizes])
    return [(X[a:b], y[a:b]) for a, b in zip(edges[:-1], edges[1:], strict=True)]


@functools.cache
def _one_batch_spectrum():
    model = mlp((3, 6, 2))
    X, y = regression_data(40)
    return model, X, y, hessian_spectrum(model, torch.nn.MSELoss(), (X, y), which="both")


# no shrinking: each example is a Lanczos run, and a failure is small as drawn (<= 4 batches)
@settings(max_examples=10, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate))
@given(cuts=st.lists(st.integers(1, 39), min_size=1, max_size=3, unique=True))
def test_batches_of_any_sizes_give_the_hessian_of_the_mean_loss(cuts):
    # the mean loss's Hessian is the sum of the batch Hessians weighted by n_b / N: uneven
    # batches find a missing or wrong weight (equal batches would hide a missing 1/n_b)
    model, X, y, whole = _one_batch_spectrum()
    sizes = np.diff([0, *sorted(cuts), 40]).tolist()
    parts = hessian_spectrum(model, torch.nn.MSELoss(), _batches(X, y, sizes), which="both")
    scale = abs(whole.largest)
    np.testing.assert_allclose(parts.eigenvalues, whole.eigenvalues, rtol=0, atol=1e-9 * scale)
    assert parts.batches == len(sizes) and parts.n_examples == 40


def test_a_dataloader_is_read_once_per_product():
    model = mlp((3, 6, 2))
    X, y = regression_data(40)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=16)
    calls = []

    def counted(out, target):
        calls.append(len(out))
        return torch.nn.functional.mse_loss(out, target)

    spec = hessian_spectrum(model, counted, loader, k=1)
    # 40 examples in batches of 16, 16, 8: each product is one pass, every example once
    assert spec.batches == 3 and spec.n_examples == 40
    assert len(calls) == 3 * spec.hvps and sum(calls) == 40 * spec.hvps
    dense = np.linalg.eigvalsh(dense_hessian(model, torch.nn.MSELoss(), X, y))
    assert abs(spec.largest - dense[-1]) <= DENSE_RTOL * dense[-1]


def test_the_model_is_not_changed_and_runs_repeat():
    model = mlp((3, 8, 2))
    before = {n: p.detach().clone() for n, p in model.state_dict().items()}
    X, y = regression_data()
    a = hessian_spectrum(model, torch.nn.MSELoss(), (X, y), k=2)
    b = hessian_spectrum(model, torch.nn.MSELoss(), (X, y), k=2)
    np.testing.assert_array_equal(a.top, b.top)
    assert a.hvps == b.hvps
    for name, p in model.state_dict().items():
        assert p.dtype == torch.float32
        assert torch.equal(p, before[name])


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_a_batchnorm_models_buffers_are_not_changed(dtype):
    # BatchNorm in training mode updates its running statistics and counts its batches on
    # every forward pass: the products' forward passes must do that to a copy, never to the
    # model (a float64 model's running mean and variance, any model's num_batches_tracked)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Tanh(), torch.nn.Linear(4, 2)
    ).to(dtype)
    model.train()
    X, y = regression_data()
    before = {n: t.detach().clone() for n, t in model.state_dict().items()}
    batches = [(X[:16].to(dtype), y[:16].to(dtype)), (X[16:].to(dtype), y[16:].to(dtype))]
    spec = hessian_spectrum(model, torch.nn.MSELoss(), batches)
    assert spec.hvps > 0
    changed = [n for n, t in model.state_dict().items() if not torch.equal(t, before[n])]
    assert changed == []


def test_float32_products_agree_to_their_precision():
    model = mlp((3, 8, 2))
    X, y = regression_data()
    wide = hessian_spectrum(model, torch.nn.MSELoss(), (X, y))
    single = hessian_spectrum(model, torch.nn.MSELoss(), (X, y), dtype="float32")
    assert single.dtype == "float32" and single.tol == 1e-4
    assert abs(single.largest - wide.largest) <= 1e-5 * wide.largest


def test_a_warm_start_takes_fewer_products():
    # ARPACK builds ncv Lanczos vectors before it first checks: a warm start pays with few
    model = mlp((3, 16, 2))
    X, y = regression_data()
    cold = hessian_spectrum(model, torch.nn.MSELoss(), (X, y), vectors=True, ncv=4)
    v0 = cold.top_vectors[:, 0] + 1e-3 * np.random.default_rng(1).standard_normal(cold.n_parameters)
    warm = hessian_spectrum(model, torch.nn.MSELoss(), (X, y), v0=v0, ncv=4)
    assert warm.hvps < cold.hvps
    assert abs(warm.largest - cold.largest) <= 1e-8 * cold.largest


def test_no_convergence_is_said_and_what_is_returned_is_checked():
    model = mlp((3, 16, 16, 2))
    X, y = regression_data()
    spec = hessian_spectrum(
        model, torch.nn.MSELoss(), (X, y), k=4, which="bottom", maxiter=1, tol=0
    )
    assert not spec.converged
    assert spec.bottom.size < 4 and spec.bottom_residuals.size == spec.bottom.size
    assert spec.top.size == 0 and np.isnan(spec.largest)


def test_the_progress_line_only_when_asked(capsys):
    model = mlp((3, 6, 2))
    X, y = regression_data()
    hessian_spectrum(model, torch.nn.MSELoss(), (X, y))  # not a terminal: quiet
    assert capsys.readouterr().err == ""
    spec = hessian_spectrum(model, torch.nn.MSELoss(), _batches(X, y, [20, 20]), progress=True)
    err = capsys.readouterr().err
    # at once when asked (then at most every PROGRESS_EVERY s), and a last line with the total
    assert err.startswith("\rhessian_spectrum: 1 Hessian-vector products, batch 1/2, ")
    last = err.split("\r")[-1]
    assert last.startswith(f"hessian_spectrum: {spec.hvps} Hessian-vector products, ")
    assert last.endswith(" s\n") and err.count("\n") == 1
    hessian_spectrum(model, torch.nn.MSELoss(), (X, y), progress=False)
    assert capsys.readouterr().err == ""


def _vector_loss(out, target):
    return torch.nn.functional.mse_loss(out, target, reduction="none")


def _generator(X, y):
    return ((X[i : i + 10], y[i : i + 10]) for i in range(0, 40, 10))


@pytest.mark.parametrize(
    "change, error, match",
    [
        (
            {"which": "largest"},
            ParameterError,
            "'which' must be one of top, bottom, both: 'largest'",
        ),
        ({"dtype": "float16"}, ParameterError, "'dtype' must be one of float64, float32"),
        ({"k": 0}, ParameterError, r"'k' must be an integer in \[1, 49\]: 0"),
        ({"k": 50}, ParameterError, r"'k' must be an integer in \[1, 49\]: 50"),
        ({"tol": 1.5}, ParameterError, r"'tol' must be in \[0, 1\)"),
        ({"v0": np.zeros(50)}, ParameterError, "'v0' must be a finite nonzero vector of 50"),
        ({"v0": np.ones(3)}, ParameterError, "'v0' must be a finite nonzero vector of 50"),
        ({"loss_fn": _vector_loss}, ModelError, "must return one number, the mean loss"),
        ({"data": "generator"}, ModelError, "one-pass iterator"),
        ({"data": [(1, 2, 3)]}, ModelError, r"each batch must be a pair \(inputs, targets\)"),
        ({"data": 3.0}, ModelError, "'data' must be a pair"),
        ({"data": []}, ModelError, "'data' holds no batch"),
    ],
)
def test_bad_input_is_named(change, error, match):
    model = mlp((3, 8, 2))  # 50 parameters
    X, y = regression_data()
    args = {"loss_fn": torch.nn.MSELoss(), "data": (X, y)} | change
    if args["data"] == "generator":
        args["data"] = _generator(X, y)
    loss_fn, data = args.pop("loss_fn"), args.pop("data")
    with pytest.raises(error, match=match):
        hessian_spectrum(model, loss_fn, data, **args)


# a NaN or inf in the data reached ARPACK, which raised ArpackError (a RuntimeError, not a
# ValueError) after Fortran printed "On entry to DLASCL parameter number 4 had an illegal value"
# to the process's standard error (`momentum tune --from-model` said so in three lines)
@settings(max_examples=20, deadline=None)
@given(
    where=st.sampled_from(["inputs", "targets"]),
    value=st.sampled_from([math.nan, math.inf, -math.inf]),
    index=st.integers(0, 39),
    which=st.sampled_from(["top", "bottom", "both"]),
)
def test_non_finite_data_is_a_model_error(where, value, index, which):
    model = mlp((3, 8, 2))
    X, y = regression_data()
    if where == "inputs":
        X[index, index % 3] = value
    else:
        y[index, index % 2] = value
    with pytest.raises(ModelError, match="Hessian-vector product is not finite"):
        hessian_spectrum(model, torch.nn.MSELoss(), (X, y), which=which, k=2)


def test_a_frozen_model_is_refused():
    model = mlp((3, 8, 2)).requires_grad_(False)
    with pytest.raises(ModelError, match="no trainable parameters"):
        hessian_spectrum(model, torch.nn.MSELoss(), regression_data())


def test_frozen_layers_are_left_out():
    model = mlp((3, 8, 2))
    model[0].requires_grad_(False)  # only the last layer's 18 parameters: a linear model
    X, y = regression_data()
    spec = hessian_spectrum(model, torch.nn.MSELoss(), (X, y), k=1, which="both")
    assert spec.n_parameters == 18
    W, b = (t.detach().double() for t in (model[0].weight, model[0].bias))
    A = torch.cat([torch.tanh(X.double() @ W.T + b), torch.ones(40, 1).double()], dim=1).numpy()
    # MSE over 2 outputs: per output block 2 A^T A / (40 * 2), the same for both outputs
    dense = np.linalg.eigvalsh(A.T @ A / 40)
    np.testing.assert_allclose([spec.smallest, spec.largest], dense[[0, -1]], rtol=1e-9)


class _WithUnused(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(2, 1)
        self.unused = torch.nn.Parameter(torch.ones(3))  # the loss never sees it

    def forward(self, x):
        return self.layer(x)


def test_a_parameter_the_loss_does_not_use_has_zero_rows():
    torch.manual_seed(0)
    model = _WithUnused()
    X, y = regression_data(20, 2, 1)
    dense = np.linalg.eigvalsh(dense_hessian(model, torch.nn.MSELoss(), X, y))
    spec = hessian_spectrum(model, torch.nn.MSELoss(), (X, y), k=2, which="both")
    assert spec.n_parameters == 6 and np.count_nonzero(np.abs(dense) < 1e-12) == 3
    np.testing.assert_allclose(spec.top, dense[::-1][:2], rtol=1e-10)
    np.testing.assert_allclose(spec.bottom, [0, 0], atol=1e-12)


def test_a_spectrum_loads_no_sympy():
    # the report's workers draw the edge of stability without SymPy (autograd imports it for
    # tensors given as grad_outputs: the products differentiate a scalar instead)
    code = (
        "import sys, torch\n"
        "from numerics.hessian import hessian_spectrum\n"
        "model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))\n"
        "hessian_spectrum(model, torch.nn.MSELoss(), (torch.randn(5, 2), torch.randn(5, 1)))\n"
        "print('sympy' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_without_torch_one_clear_error():
    # where "import torch" fails (whether or not it is installed here), the error says how to
    # install it; import numerics.hessian itself needs no torch
    code = (
        "import sys\n"
        "sys.modules['torch'] = None\n"
        "from numerics.hessian import hessian_spectrum\n"
        "try:\n"
        "    hessian_spectrum(None, None, None)\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == (
        "hessian_spectrum needs PyTorch, which is not installed: "
        "python -m pip install 'momentum-theory[torch]' (or torch itself)"
    )
