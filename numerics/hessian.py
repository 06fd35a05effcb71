r"""The Hessian spectrum of a PyTorch model's loss: Hessian-vector products and Lanczos.

The loss is the mean over the data, :math:`\ell(w) = \frac{1}{N}\sum_i
\ell_i(w)`, of the model with parameters :math:`w`. Its Hessian is never
formed: Lanczos (SciPy's :func:`~scipy.sparse.linalg.eigsh`, ARPACK) sees it
only through products :math:`v \mapsto H v`, each one double backward pass
(the model run by ``torch.func.functional_call``, the gradient differentiated
again by ``torch.autograd.grad``), so the memory is that of a
gradient and a few vectors, not :math:`n^2`. Data that do not fit at once
come in batches; with each batch's loss the mean over its :math:`n_b`
examples,

.. math:: H = \sum_b \frac{n_b}{N} H_b ,

one pass over the batches a product.

Precision: the products are computed in float64 by default (a float64 copy
of the parameters and the data; the model itself is not changed). Lanczos
needs an operator that is symmetric to its own accuracy: float32 products
carry relative errors near 1e-7 that leave ARPACK short of its tolerance
and the eigenvalues at about 1e-6 at best; float64 costs twice the memory
of a copy of the model and about twice the time. ``dtype="float32"`` keeps
the model's single precision for large models, with a looser tolerance.

Examples
--------
A linear model with the halved mean squared loss is a quadratic: its
Hessian is :math:`A^T A / N`, :math:`A` the inputs with a column of ones.

>>> import numpy as np, torch
>>> X = torch.tensor([[1.0], [2.0], [4.0]])
>>> model = torch.nn.Linear(1, 1)
>>> halved_mse = lambda out, y: 0.5 * torch.nn.functional.mse_loss(out, y)
>>> spec = hessian_spectrum(model, halved_mse, (X, torch.zeros(3, 1)), which="both")
>>> A = np.array([[1.0, 1], [2, 1], [4, 1]])
>>> bool(np.allclose(spec.eigenvalues, np.linalg.eigvalsh(A.T @ A / 3), rtol=1e-10))
True
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

import numpy as np

from numerics.checks import count, real_number
from numerics.optional import import_torch
from numerics.reprs import array_repr
from theory.errors import MomentumError, ParameterError, describe

__all__ = ["DEFAULT_TOL", "HessianSpectrum", "ModelError", "hessian_spectrum"]

WHICH = ("top", "bottom", "both")
DTYPES = ("float64", "float32")
#: ARPACK's stopping tolerance by default: each Ritz pair's residual ||H v - lambda v|| is
#: at most tol |lambda|, so each eigenvalue is right to that relative accuracy (its error is
#: at most the residual; near the ends about its square over the gap to the next one)
DEFAULT_TOL = {"float64": 1e-8, "float32": 1e-4}
#: seconds before the progress line appears at a terminal (short runs stay quiet)
PROGRESS_DELAY = 1.0
#: seconds between updates of the progress line
PROGRESS_EVERY = 0.1


class ModelError(MomentumError):
    """A model, loss or data set that breaks the contract (batches of pairs, a scalar loss)."""


@dataclass(frozen=True)
class HessianSpectrum:
    """Extreme eigenvalues of a model's loss Hessian, with what Lanczos did to find them.

    Attributes
    ----------
    top : numpy.ndarray
        The largest eigenvalues found, largest first (empty for ``which="bottom"``).
        ``top[0]`` is the sharpness.
    bottom : numpy.ndarray
        The smallest (most negative) eigenvalues found, smallest first
        (empty for ``which="top"``).
    top_residuals, bottom_residuals : numpy.ndarray
        ``||H v - lambda v||`` of each unit eigenvector, from one more
        Hessian-vector product each: the error of each eigenvalue is at most
        its residual, whatever ARPACK reported.
    converged : bool
        Whether ARPACK converged every requested eigenvalue to ``tol``; when
        not, ``top`` and ``bottom`` hold only those that did (possibly none).
    hvps : int
        Hessian-vector products made (Lanczos's and the residual checks),
        each one pass over the data.
    k, which, tol, dtype
        What was asked.
    n_parameters, n_examples, batches : int
        The size of the problem: trainable parameters, examples, batches per pass.
    top_vectors, bottom_vectors : numpy.ndarray or None
        With ``vectors=True``: the unit eigenvectors as columns, shape
        ``(n_parameters, len(top))``, in the order of
        ``torch.nn.utils.parameters_to_vector`` over the trainable parameters.
    """

    top: np.ndarray
    bottom: np.ndarray
    top_residuals: np.ndarray
    bottom_residuals: np.ndarray
    converged: bool
    hvps: int
    k: int
    which: str
    tol: float
    dtype: str
    n_parameters: int
    n_examples: int
    batches: int
    top_vectors: np.ndarray | None = field(default=None, repr=False)
    bottom_vectors: np.ndarray | None = field(default=None, repr=False)

    __repr__ = array_repr

    @property
    def eigenvalues(self) -> np.ndarray:
        """Every eigenvalue found, ascending."""
        return np.sort(np.concatenate([self.bottom, self.top]))

    @property
    def largest(self) -> float:
        """The largest eigenvalue (the sharpness); NaN if it was not asked for or not found."""
        return float(self.top[0]) if self.top.size else float("nan")

    @property
    def smallest(self) -> float:
        """The smallest eigenvalue; NaN if it was not asked for or not found."""
        return float(self.bottom[0]) if self.bottom.size else float("nan")


class _Progress:
    """One line on stderr, rewritten in place: products made, batch, seconds.

    Shown when asked (``progress=True``, at once) or at a terminal once a run
    has taken ``PROGRESS_DELAY`` seconds; never in a pipe or a log otherwise.
    """

    def __init__(self, enabled: bool | None) -> None:
        self.at_terminal = enabled is None
        self.enabled = sys.stderr.isatty() if enabled is None else bool(enabled)
        self.start, self.last, self.shown = time.monotonic(), 0.0, False
        self.batches: int | None = None  # per pass, when the data know their length

    def update(self, hvps: int, batch: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if (self.at_terminal and now - self.start < PROGRESS_DELAY) or (
            self.shown and now - self.last < PROGRESS_EVERY
        ):
            return
        of = f"/{self.batches}" if self.batches else ""
        sys.stderr.write(
            f"\rhessian_spectrum: {hvps} Hessian-vector products, batch {batch}{of}, "
            f"{now - self.start:.1f} s"
        )
        sys.stderr.flush()
        self.last, self.shown = now, True

    def close(self, hvps: int) -> None:
        if self.shown:
            sys.stderr.write(
                f"\rhessian_spectrum: {hvps} Hessian-vector products, "
                f"{time.monotonic() - self.start:.1f} s\n"
            )
            sys.stderr.flush()


def _as_batches(torch, data) -> tuple[object, bool]:
    """``data`` as a re-iterable of (inputs, targets) pairs; True when it is one pair."""
    if isinstance(data, tuple | list) and len(data) == 2 and all(map(torch.is_tensor, data)):
        return (tuple(data),), True
    try:
        it = iter(data)
    except TypeError:
        raise ModelError(
            "'data' must be a pair (inputs, targets) of tensors or an iterable of such pairs "
            f"(a list of batches, a DataLoader): {describe(data)}"
        ) from None
    if it is data:
        raise ModelError(
            "'data' is a one-pass iterator (a generator?): Lanczos reads the data once per "
            "Hessian-vector product; give a list of batches or a DataLoader"
        )
    return data, False


def _pair(torch, batch, dtype):
    """A batch as (inputs, targets), floating tensors in ``dtype``."""
    if not (isinstance(batch, tuple | list) and len(batch) == 2):
        raise ModelError(f"each batch must be a pair (inputs, targets): {describe(batch)}")
    x, y = batch
    if not torch.is_tensor(x) or x.ndim == 0 or len(x) == 0:
        raise ModelError(f"a batch's inputs must be a tensor of examples: {describe(x)}")

    def cast(t):
        return t.to(dtype) if torch.is_tensor(t) and t.is_floating_point() else t

    return cast(x), cast(y)


class _Operator:
    """v -> H v on flat float64 NumPy vectors, counting the products.

    The model runs through ``torch.func.functional_call`` on a copy of its
    parameters; each product is a double backward pass (``torch.autograd.grad``
    of the gradient, built with ``create_graph=True``). ``torch.func``'s
    transforms would do the same: ``jvp`` of ``grad`` fails on ``mse_loss``
    (PyTorch issue 123996), and ``vjp`` of ``grad`` loads ``torch._dynamo`` on
    first use, about 40 MiB and seconds once per process, for no gain.
    """

    def __init__(self, torch, model, loss_fn, data, dtype, progress) -> None:
        from torch.func import functional_call

        self.torch, self.dtype, self.progress = torch, dtype, progress
        trainable = {n: p for n, p in model.named_parameters() if p.requires_grad}
        if not trainable:
            raise ModelError("the model has no trainable parameters (requires_grad=True)")
        # leaves of the graph: a copy in the products' precision (the model is not touched)
        self.params = {n: p.detach().to(dtype).requires_grad_(True) for n, p in trainable.items()}
        self.leaves = list(self.params.values())
        fixed = dict(model.named_buffers())
        fixed |= {n: p for n, p in model.named_parameters() if not p.requires_grad}
        # copies, never views: a forward pass in training mode writes to buffers (BatchNorm's
        # running statistics and its num_batches_tracked), and .to() of the same dtype would
        # hand back the model's own tensor
        fixed = {
            n: (t.detach().to(dtype, copy=True) if t.is_floating_point() else t.detach().clone())
            for n, t in fixed.items()
        }
        self.shapes = [(p.shape, p.numel()) for p in self.leaves]
        self.n = sum(size for _, size in self.shapes)

        def loss(x, y):
            value = loss_fn(functional_call(model, (self.params, fixed), (x,)), y)
            if not torch.is_tensor(value) or value.numel() != 1:
                raise ModelError(
                    "loss_fn(outputs, targets) must return one number, the mean loss over the "
                    f"batch: got {describe(value)}"
                )
            return value.reshape(())

        self._loss = loss
        self.batches, self.single = _as_batches(torch, data)
        if not self.single and hasattr(self.batches, "__len__"):
            progress.batches = len(self.batches)
        self.hvps, self.n_examples, self.n_batches = 0, 0, 0
        self._cached = None
        if self.single:
            x, y = _pair(torch, self.batches[0], dtype)
            # one batch: the gradient's graph is built once; each product is one backward pass
            self._cached = self._linearised(x, y)
            self.n_examples, self.n_batches = len(x), 1

    def _linearised(self, x, y):
        """v -> H_b v for the batch (x, y): the gradient, kept differentiable."""
        torch = self.torch
        with torch.enable_grad():
            gradient = torch.autograd.grad(
                self._loss(x, y), self.leaves, create_graph=True, allow_unused=True
            )
        # a gradient that does not depend on the parameters (or a parameter the loss does not
        # use) contributes nothing: its rows of H are zero
        live = [i for i, g in enumerate(gradient) if g is not None and g.requires_grad]

        def product(v: list) -> list:
            out = [torch.zeros_like(p) for p in self.leaves]
            if live:
                # H v is the gradient of the number g(w) . v: a scalar to differentiate, so
                # autograd needs no grad_outputs (given tensors there, it imports
                # torch.fx's symbolic shapes, and with them SymPy, once per process)
                dot = sum((gradient[i] * v[i]).sum() for i in live)
                rows = torch.autograd.grad(dot, self.leaves, retain_graph=True, allow_unused=True)
                out = [o if r is None else r for o, r in zip(out, rows, strict=True)]
            return out

        return product

    def _unflatten(self, v: np.ndarray) -> list:
        flat = self.torch.from_numpy(np.ascontiguousarray(v, dtype=np.float64)).to(self.dtype)
        out, start = [], 0
        for shape, size in self.shapes:
            out.append(flat[start : start + size].view(shape))
            start += size
        return out

    def _flatten(self, tensors: list) -> np.ndarray:
        flat = self.torch.cat([t.reshape(-1) for t in tensors])
        return flat.detach().to(self.torch.float64).numpy()

    def __call__(self, v: np.ndarray) -> np.ndarray:
        v = self._unflatten(np.reshape(v, -1))
        if self._cached is not None:
            out = self._cached(v)
            self.progress.update(self.hvps + 1, 1)
        else:
            out, total, batches = None, 0, 0
            for batches, batch in enumerate(self.batches, start=1):
                x, y = _pair(self.torch, batch, self.dtype)
                hv = self._linearised(x, y)(v)
                # each batch's loss is its mean: weight its Hessian by its share of the data
                weight = float(len(x))
                out = (
                    [t * weight for t in hv]
                    if out is None
                    else [o + t * weight for o, t in zip(out, hv, strict=True)]
                )
                total += len(x)
                self.progress.update(self.hvps + 1, batches)
            if out is None:
                raise ModelError("'data' holds no batch")
            out = [t / total for t in out]
            self.n_examples, self.n_batches = total, batches
        self.hvps += 1
        product = self._flatten(out)
        if not np.isfinite(product).all():  # ARPACK would fail on it with Fortran's own lines
            raise ModelError(
                "a Hessian-vector product is not finite (NaN or inf): the data, the model's "
                "parameters or its loss hold a NaN or an inf, or overflow"
            )
        return product


def _lanczos(op, scipy_which: str, k: int, tol: float, maxiter, ncv, v0):
    """ARPACK on the operator: (values, vectors, converged), the converged pairs only."""
    from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

    A = LinearOperator((op.n, op.n), matvec=op, dtype=np.float64)
    try:
        values, vectors = eigsh(A, k=k, which=scipy_which, tol=tol, maxiter=maxiter, ncv=ncv, v0=v0)
        converged = True
    except ArpackNoConvergence as exc:
        values, vectors, converged = exc.eigenvalues, exc.eigenvectors, False
    order = np.argsort(values)
    if scipy_which == "LA":
        order = order[::-1]
    return np.asarray(values)[order], np.asarray(vectors)[:, order], converged


def _residuals(op, values: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    return np.array(
        [np.linalg.norm(op(vectors[:, i]) - values[i] * vectors[:, i]) for i in range(values.size)]
    )


def hessian_spectrum(
    model,
    loss_fn,
    data,
    /,
    *,
    k: int = 1,
    which: str = "top",
    tol: float | None = None,
    maxiter: int | None = None,
    ncv: int | None = None,
    vectors: bool = False,
    dtype: str = "float64",
    v0: np.ndarray | None = None,
    seed: int = 0,
    progress: bool | None = None,
) -> HessianSpectrum:
    r"""The ``k`` largest and/or smallest eigenvalues of the Hessian of a model's mean loss.

    Lanczos (ARPACK's implicitly restarted Lanczos, :func:`scipy.sparse.linalg.eigsh`)
    on Hessian-vector products :math:`H v` (double backward through
    ``torch.func.functional_call``); the Hessian is never formed.

    Parameters
    ----------
    model : torch.nn.Module
        The network; the Hessian is in its trainable parameters
        (``requires_grad=True``), at their current values, with the model in
        its current mode (call ``model.eval()`` first if it has dropout:
        a random loss has no Hessian). It is not changed.
    loss_fn : callable
        ``loss_fn(model(inputs), targets)``: the mean loss over a batch, one
        number (``torch.nn.MSELoss()``, ``torch.nn.CrossEntropyLoss()``).
    data : (inputs, targets) or iterable of them
        One batch as a pair of tensors, or batches (a list, a
        ``torch.utils.data.DataLoader``) when the data do not fit at once:
        each product is then one pass over the batches, each weighted by its
        share of the examples. The iterable must give the same examples on
        every pass (a one-pass generator is refused).
    k : int
        How many eigenvalues at each requested end, ``1 <= k < n_parameters``.
    which : {"top", "bottom", "both"}
        The largest (algebraic), the smallest (most negative), or ``k`` of each
        (two Lanczos runs).
    tol : float, optional
        ARPACK's relative tolerance; default :data:`DEFAULT_TOL` for ``dtype``.
    maxiter : int, optional
        ARPACK's restarts at most (default ARPACK's, ``10 n``); beyond them the
        result holds what converged and ``converged`` is False.
    ncv : int, optional
        Lanczos vectors kept, ``k < ncv <= n_parameters`` (ARPACK's default
        ``max(2k + 1, 20)``): each run makes at least ``ncv`` products, so a
        warm start (``v0``) pays only with a small ``ncv``; fewer vectors take
        less memory and may need more restarts.
    vectors : bool
        Also return the eigenvectors.
    dtype : {"float64", "float32"}
        Precision of the products (the module's docstring says why float64).
    v0 : array, optional
        Lanczos's start vector (a previous eigenvector warm-starts a run);
        default a normal vector from ``seed``, so runs repeat exactly.
    progress : bool, optional
        A progress line on stderr: None (default) at a terminal once a run
        takes a second; True always; False never.

    Returns
    -------
    HessianSpectrum

    Raises
    ------
    ImportError
        Without PyTorch (the ``[torch]`` extra), saying how to install it.
    ParameterError
        For ``k``, ``which``, ``tol``, ``maxiter``, ``ncv``, ``dtype`` or ``v0``
        out of range.
    ModelError
        When ``data`` is not pairs of tensors or ``loss_fn`` does not return one number.

    References
    ----------
    B. A. Pearlmutter, *Fast exact multiplication by the Hessian*, Neural
    Computation 6 (1994); Z. Yao, A. Gholami, K. Keutzer, M. Mahoney,
    *PyHessian* (2020).
    """
    torch = import_torch("hessian_spectrum")
    if which not in WHICH:
        raise ParameterError(f"'which' must be one of {', '.join(WHICH)}: {describe(which)}")
    if dtype not in DTYPES:
        raise ParameterError(f"'dtype' must be one of {', '.join(DTYPES)}: {describe(dtype)}")
    tol = DEFAULT_TOL[dtype] if tol is None else real_number(tol, "tol")
    if not 0 <= tol < 1:
        raise ParameterError(f"'tol' must be in [0, 1): {tol!r}")
    if maxiter is not None:
        maxiter = count(maxiter, "maxiter", 1, 10**9)
    torch_dtype = getattr(torch, dtype)
    bar = _Progress(progress)
    op = _Operator(torch, model, loss_fn, data, torch_dtype, bar)
    if op.n < 2:
        raise ParameterError(f"the model must have at least 2 trainable parameters: {op.n}")
    k = count(k, "k", 1, op.n - 1)
    if ncv is not None:
        ncv = count(ncv, "ncv", k + 1, op.n)
    if v0 is None:
        v0 = np.random.default_rng(seed).standard_normal(op.n)
    else:
        v0 = np.asarray(v0, dtype=np.float64).reshape(-1)
        if v0.size != op.n or not np.isfinite(v0).all() or not v0.any():
            raise ParameterError(
                f"'v0' must be a finite nonzero vector of {op.n} entries (the parameters): "
                f"{describe(v0)}"
            )
    found, converged = {}, True
    try:
        for end, scipy_which in (("top", "LA"), ("bottom", "SA")):
            if which in (end, "both"):
                values, vecs, ok = _lanczos(op, scipy_which, k, tol, maxiter, ncv, v0)
                found[end] = (values, vecs, _residuals(op, values, vecs))
                converged &= ok
    finally:
        bar.close(op.hvps)
    empty = (np.empty(0), np.empty((op.n, 0)), np.empty(0))
    top, bottom = found.get("top", empty), found.get("bottom", empty)
    return HessianSpectrum(
        top=top[0],
        bottom=bottom[0],
        top_residuals=top[2],
        bottom_residuals=bottom[2],
        converged=bool(converged),
        hvps=op.hvps,
        k=k,
        which=which,
        tol=tol,
        dtype=dtype,
        n_parameters=op.n,
        n_examples=op.n_examples,
        batches=op.n_batches,
        top_vectors=top[1] if vectors else None,
        bottom_vectors=bottom[1] if vectors else None,
    )
