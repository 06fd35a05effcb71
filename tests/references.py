"""Independent references for the tests: plain loops and matrices written out by hand.

Nothing here imports the toolkit; each function follows its source (named in
its docstring) step by step, so a test comparing the toolkit with it compares
two independent computations.
"""

from __future__ import annotations

from functools import partial
from importlib import resources

import numpy as np


def heavy_ball_matrix(eta, beta, lam):
    """Heavy ball on lam/2 x^2, state (v, x): v' = beta v + lam x, x' = x - eta v' (Polyak 1964)."""
    return np.array([[beta, lam], [-eta * beta, 1 - eta * lam]])


def nesterov_matrix(eta, beta, lam):
    """torch's Nesterov, state (v, x): v' = beta v + lam x, x' = x - eta (lam x + beta v')."""
    return np.array([[beta, lam], [-eta * beta**2, 1 - eta * lam * (1 + beta)]])


def qhm_matrix(eta, beta, nu, lam):
    """QHM, state (g, x), from Ma and Yarats (2019), Algorithm 1, with grad = lam x."""
    return np.array(
        [
            [beta, (1 - beta) * lam],
            [-eta * nu * beta, 1 - eta * lam * (1 - nu) - eta * nu * (1 - beta) * lam],
        ]
    )


def torch_sgd_matrix(lr, momentum, lam, dampening=0.0, weight_decay=0.0):
    """torch.optim.SGD after its first step: v' = m v + (1 - d)(lam + wd) x, x' = x - lr v'."""
    k = (1 - dampening) * (lam + weight_decay)
    return np.array([[momentum, k], [-lr * momentum, 1 - lr * k]])


def gd_matrix(eta, lam):
    """Gradient descent on lam/2 x^2: x' = x - eta lam x."""
    return np.array([[1 - eta * lam]])


def schur_stable(R) -> bool:
    """Every eigenvalue of a 1x1 or 2x2 matrix strictly inside the unit disc, decided exactly.

    With exact entries (``Fraction``) the decision is exact: for 2x2 by Jury's
    conditions on z^2 - T z + D, ``|D| < 1``, ``1 - T + D > 0``, ``1 + T + D > 0``
    (Jury 1964).
    """
    if len(R) == 1:
        return abs(R[0][0]) < 1
    T = R[0][0] + R[1][1]
    D = R[0][0] * R[1][1] - R[0][1] * R[1][0]
    return abs(D) < 1 and 1 - T + D > 0 and 1 + T + D > 0


def goh_regime(R) -> str:
    """Goh's regime of a 1x1 or 2x2 state matrix, decided exactly for exact (Fraction) entries.

    Divergent unless Jury's conditions hold (:func:`schur_stable`); else from the
    roots of z^2 - T z + D: complex (ripples), double (critical), or real with the
    dominant one, of the sign of T, positive (monotone) or negative (oscillating).
    For 1x1, the one root a: critical at 0.
    """
    if not schur_stable(R):
        return "divergent"
    if len(R) == 1:
        a = R[0][0]
        return "critical" if a == 0 else "monotone" if a > 0 else "oscillating"
    T = R[0][0] + R[1][1]
    D = R[0][0] * R[1][1] - R[0][1] * R[1][0]
    disc = T * T - 4 * D
    if disc == 0:
        return "critical"
    if disc < 0:
        return "ripples"
    return "monotone" if T > 0 else "oscillating"


def rho(R) -> float:
    """Spectral radius by numpy.linalg.eigvals."""
    return float(np.abs(np.linalg.eigvals(R)).max())


def eigenvalues_by_modulus(R) -> np.ndarray:
    """numpy's eigenvalues, largest modulus first."""
    ev = np.linalg.eigvals(R).astype(complex)
    return ev[np.argsort(-np.abs(ev), kind="stable")]


def airfoil_design(n: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    """D2L's get_data_ch11 written out: every column standardised (population std), the
    first n rows; returns the design [X, 1] and the target."""
    path = resources.files("numerics.data").joinpath("airfoil_self_noise.dat")
    with resources.as_file(path) as f:
        data = np.loadtxt(f)
    data = (data - data.mean(axis=0)) / data.std(axis=0)
    X, y = data[:n, :-1], data[:n, -1]
    return np.column_stack([X, np.ones(n)]), y


def train_loop(A, y, lr, momentum, batch_size, epochs, seed, record_every=200):
    """D2L's sgd_momentum on the halved squared loss, example by example.

    Weights start at N(0, 0.01^2) (bias 0) from ``numpy.random.default_rng(seed)``,
    then one permutation an epoch; the last batch of an epoch may be partial; the
    loss over all data is recorded when the examples seen pass a multiple of
    ``record_every``, and at the end. Returns (examples, losses).
    """
    rng = np.random.default_rng(seed)
    n, d = A.shape
    w = np.concatenate([rng.normal(0.0, 0.01, d - 1), [0.0]])
    v = np.zeros(d)
    seen, examples, losses = 0, [], []
    for epoch in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start : start + batch_size]
            g = np.zeros(d)
            for i in batch:
                g += A[i] * (A[i] @ w - y[i])
            v = momentum * v + g / len(batch)
            w = w - lr * v
            before, seen = seen, seen + len(batch)
            end = epoch == epochs - 1 and start + batch_size >= n
            if seen // record_every > before // record_every or end:
                if not examples or examples[-1] != seen:
                    examples.append(seen)
                    losses.append(np.mean((A @ w - y) ** 2) / 2)
    return examples, losses


def covariance_loop(R, b, sigma, steps=20000):
    """Stationary covariance of s' = R s + b eps, Var eps = sigma^2, by iterating from 0."""
    S = np.zeros_like(R, dtype=float)
    for _ in range(steps):
        S = R @ S @ R.T + sigma**2 * np.outer(b, b)
    return S


def heavy_ball_trajectory(eta, beta):
    """Heavy ball as a plain loop, in the trajectory contract ``traj(lam, x0, steps)``."""

    def traj(lam, x0, steps):
        x, v, xs = x0, 0.0, [x0]
        for _ in range(steps):
            v = beta * v + lam * x
            x = x - eta * v
            xs.append(x)
        return xs

    return traj


def heavy_ball_cycle_interpolable(eta, beta, mu, L, K) -> bool:
    """Is heavy ball's K-gon cycle the run of some L-smooth mu-strongly convex function?

    The cycle x_t = (cos 2 pi t/K, sin 2 pi t/K) around the minimizer 0, with the
    gradients heavy ball needs (x_{t+1} = x_t - eta g_t + beta (x_t - x_{t-1})
    solved for g_t) and one function value f_c at every x_t (a shift of the
    cycle permutes the conditions, so an average of feasible values is
    feasible). Taylor, Hendrickx and Glineur (2017, Theorem 4): such data is
    interpolable iff for all pairs f_i >= f_j + <g_j, x_i - x_j>
    + (|g_i - g_j|^2 / L + mu |x_i - x_j|^2 - 2 mu / L <g_j - g_i, x_j - x_i>) / (2 (1 - mu / L)).
    """

    def q(xi, xj, gi, gj):
        dg, dx = gi - gj, xi - xj
        return (dg @ dg / L + mu * dx @ dx - 2 * mu / L * (-dg) @ (-dx)) / (2 * (1 - mu / L))

    angles = 2 * np.pi * np.arange(K) / K
    X = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    G = np.array([((1 + beta) * X[t] - X[(t + 1) % K] - beta * X[t - 1]) / eta for t in range(K)])
    zero = np.zeros(2)
    tol = 1e-12
    for i in range(K):
        for j in range(K):
            if i != j and G[j] @ (X[i] - X[j]) + q(X[i], X[j], G[i], G[j]) > tol:
                return False
    lowest = max(q(X[i], zero, G[i], zero) for i in range(K))  # f_c >= f* + ... (pair i, *)
    highest = min(G[j] @ X[j] - q(zero, X[j], zero, G[j]) for j in range(K))  # pair (*, j)
    return lowest <= highest + tol


def lessard_loop(eta, beta, x0, steps):
    """Heavy ball as Lessard, Recht and Packard write it, x_{t+1} = x_t - eta f'(x_t) + beta (x_t - x_{t-1}),
    from x_{-1} = x_0, on their f' (25x, x + 24, 25x - 24 below 1, below 2, above)."""

    def grad(x):
        return 25 * x if x < 1 else (x + 24 if x < 2 else 25 * x - 24)

    xs, prev = [float(x0)], float(x0)
    for _ in range(steps):
        x = xs[-1]
        xs.append(x - eta * grad(x) + beta * (x - prev))
        prev = x
    return np.array(xs)


# --- minibatch least squares (issue 23): steps written from their sources, batches enumerated ---


def torch_sgd_step(state, grad, lr, momentum, dampening=0.0, weight_decay=0.0, nesterov=False):
    """One step of torch.optim.SGD as its documentation writes it (after the first step):
    g = grad(x) + wd x; b = m b + (1 - d) g; x = x - lr (g + m b if nesterov else b).
    ``state`` is (b, x); heavy ball (D2L's sgd_momentum) is d = wd = 0."""
    b, x = state
    g = grad(x) + weight_decay * x
    b = momentum * b + (1 - dampening) * g
    return b, x - lr * (g + momentum * b if nesterov else b)


def gd_step(state, grad, lr):
    """Gradient descent, state (x,)."""
    (x,) = state
    return (x - lr * grad(x),)


def qhm_step(state, grad, lr, beta, nu):
    """QHM (Ma and Yarats 2019, Algorithm 1), state (g_buf, x): g_buf = beta g_buf + (1 - beta) g;
    x = x - lr ((1 - nu) g + nu g_buf)."""
    buf, x = state
    g = grad(x)
    buf = beta * buf + (1 - beta) * g
    return buf, x - lr * ((1 - nu) * g + nu * buf)


def all_batches(n, batch_size, replacement=False):
    """Every batch, each equally likely: the C(n, B) subsets, or the n^B ordered draws."""
    from itertools import combinations, product

    if replacement:
        return [list(b) for b in product(range(n), repeat=batch_size)]
    return [list(b) for b in combinations(range(n), batch_size)]


def affine_step(step, A, y, batch, k):
    """The step on the batch loss mean((A_B w - y_B)^2)/2 as state' = M state + kappa:
    M (k d x k d) and kappa (k d), found by running ``step`` on basis states and on 0."""
    Ab, yb = A[batch], y[batch]
    d = A.shape[1]

    def grad(x):
        return Ab.T @ (Ab @ x - yb) / len(batch)

    def run(z):
        return np.concatenate(step(tuple(z.reshape(k, d)), grad))

    kappa = run(np.zeros(k * d))
    M = np.column_stack([run(col) - kappa for col in np.eye(k * d)])
    return M, kappa


def enumerated_second_moment(step, A, y, batch_size, k, replacement=False):
    """E[M kron M] over every batch, the fixed point z-bar of the mean step, and E[b b^T] for
    b = M z-bar + kappa - z-bar (the noise about it): the exact expectations, by enumeration."""
    pieces = [affine_step(step, A, y, b, k) for b in all_batches(len(y), batch_size, replacement)]
    Ms = np.array([M for M, _ in pieces])
    kappas = np.array([kappa for _, kappa in pieces])
    zbar = np.linalg.solve(np.eye(Ms.shape[1]) - Ms.mean(axis=0), kappas.mean(axis=0))
    noise = Ms @ zbar + kappas - zbar
    k = Ms.shape[1]
    T = np.einsum("bij,bkl->ikjl", Ms, Ms).reshape(k * k, k * k) / len(Ms)  # mean of kron(M, M)
    return T, zbar, noise.T @ noise / len(noise)


def batch_draws(rng, chains, n, batch_size, replacement=False):
    """(chains, B) row indices: B uniform rows per chain, distinct unless ``replacement``
    (drawn with replacement, and a chain's draw redrawn whole while it repeats a row:
    uniform over the subsets)."""
    idx = rng.integers(0, n, (chains, batch_size))
    while not replacement:
        s = np.sort(idx, axis=1)
        repeated = (s[:, 1:] == s[:, :-1]).any(axis=1)
        if not repeated.any():
            break
        idx[repeated] = rng.integers(0, n, (int(repeated.sum()), batch_size))
    return idx


def minibatch_chains(step, A, y, start, batch_size, steps, seed, record=(), replacement=False):
    """Independent chains of ``step`` on fresh uniform batches every step, vectorised.

    ``start`` is a tuple of (chains, d) state arrays; returns the states after
    each step listed in ``record`` (a dict step -> state)."""
    rng = np.random.default_rng(seed)
    state, chains, out = start, start[0].shape[0], {}
    for t in range(1, steps + 1):
        idx = batch_draws(rng, chains, len(y), batch_size, replacement)
        Ab, yb = A[idx], y[idx]

        def grad(x, Ab=Ab, yb=yb):
            return np.einsum("cbi,cb->ci", Ab, np.einsum("cbi,ci->cb", Ab, x) - yb) / batch_size

        with np.errstate(over="ignore", invalid="ignore"):
            state = step(state, grad)
        if t in record:
            out[t] = state
    return out


def shuffled_epochs(step, A, y, start, batch_size, epochs, seed):
    """D2L's training, vectorised over chains: each chain a fresh permutation every epoch,
    visited in batches; returns the state at the end of every epoch, shape (epochs, ...)."""
    rng = np.random.default_rng(seed)
    n, state, chains, out = len(y), start, start[0].shape[0], []
    for _ in range(epochs):
        order = rng.permuted(np.tile(np.arange(n), (chains, 1)), axis=1)
        for i in range(0, n, batch_size):
            idx = order[:, i : i + batch_size]
            Ab, yb = A[idx], y[idx]

            def grad(x, Ab=Ab, yb=yb):
                return np.einsum("cbi,cb->ci", Ab, np.einsum("cbi,ci->cb", Ab, x) - yb) / len(yb[0])

            with np.errstate(over="ignore", invalid="ignore"):
                state = step(state, grad)
        out.append(state)
    return out


def small_regression(seed, n=7, p=2):
    """Features with unequal scales and heavy-ish tails (Student t, 4 degrees), a noisy target."""
    rng = np.random.default_rng(seed)
    X = rng.standard_t(4, (n, p)) * np.geomspace(1.0, 0.3, p)
    y = X @ rng.normal(size=p) + 0.5 * rng.normal(size=n) + 0.3
    return X, y


#: (library method and params, hand-written step with (lr, momentum) bound, states)
MINIBATCH_METHODS = {
    "gd": (("gd", {}), lambda lr, m: partial(gd_step, lr=lr), 1),
    "heavy_ball": (("heavy_ball", {}), lambda lr, m: partial(torch_sgd_step, lr=lr, momentum=m), 2),
    "nesterov": (
        ("nesterov", {}),
        lambda lr, m: partial(torch_sgd_step, lr=lr, momentum=m, nesterov=True),
        2,
    ),
    "qhm": (("qhm", {"nu": 0.7}), lambda lr, m: partial(qhm_step, lr=lr, beta=m, nu=0.7), 2),
    "torch_sgd": (
        ("torch_sgd", {"dampening": 0.3, "weight_decay": 0.05}),
        lambda lr, m: partial(torch_sgd_step, lr=lr, momentum=m, dampening=0.3, weight_decay=0.05),
        2,
    ),
    "torch_sgd_nesterov": (
        ("torch_sgd_nesterov", {"dampening": 0.0, "weight_decay": 0.2}),
        lambda lr, m: partial(torch_sgd_step, lr=lr, momentum=m, weight_decay=0.2, nesterov=True),
        2,
    ),
}


def enumerated(name, X, y, lr, momentum, batch_size, replacement=False):
    """:func:`enumerated_second_moment` of a method of ``MINIBATCH_METHODS`` on (X, y) with a
    bias column: ((T, z-bar, E[b b^T]), the design)."""
    _, step, k = MINIBATCH_METHODS[name]
    A = np.column_stack([X, np.ones(len(y))])
    return enumerated_second_moment(step(lr, momentum), A, y, batch_size, k, replacement), A


def dense_hessian(model, loss_fn, X, y) -> np.ndarray:
    """A model's loss Hessian in its parameters, dense, float64, in parameters_to_vector order.

    ``torch.autograd.functional.hessian`` of the loss as a function of the flat
    parameter vector, written out here (nothing of ``numerics.hessian``).
    """
    import torch

    named = [(n, p.shape, p.numel()) for n, p in model.named_parameters()]
    flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()]).double()
    X = X.double() if X.is_floating_point() else X
    y = y.double() if y.is_floating_point() else y

    def loss(w):
        params, start = {}, 0
        for name, shape, size in named:
            params[name] = w[start : start + size].reshape(shape)
            start += size
        return loss_fn(torch.func.functional_call(model, params, (X,)), y)

    return torch.autograd.functional.hessian(loss, flat).numpy()


# --- one curvature, per-example curvatures h_i (issue 23, `derive minibatch`) ---


def batch_means(h, batch_size, replacement=False):
    """The mean curvature of every equally likely batch: the C(n, B) subsets drawn without
    replacement, or the n^B ordered draws with it (exact when the h_i are Fractions)."""
    return [sum(h[i] for i in b) / batch_size for b in all_batches(len(h), batch_size, replacement)]


def heavy_ball_second_moment_map(h, batch_size, eta, beta, replacement=False):
    """The 3 x 3 map (E x_t^2, E x_t x_{t-1}, E x_{t-1}^2) -> the same one step on, by running
    D2L's update (v <- beta v + g, x <- x - eta v, with eta v_t = x_{t-1} - x_t) on each batch
    and averaging E[A S A^T] over the batches, S the 2 x 2 second moment of (x_t, x_{t-1})."""
    from fractions import Fraction

    means = batch_means(h, batch_size, replacement)

    def step(hb, x, x_before):  # D2L's sgd_momentum on the batch loss hb/2 x^2
        v = (x_before - x) / eta
        v = beta * v + hb * x
        return x - eta * v, x

    # coordinates (u, c, w) of S = [[u, c], [c, w]]: a basis of symmetric 2 x 2 matrices
    basis = [((1, 0), (0, 0)), ((0, 1), (1, 0)), ((0, 0), (0, 1))]
    columns = []
    for S in basis:
        new = [[0, 0], [0, 0]]
        for hb in means:
            # A's columns: the step applied to the unit states (1, 0) and (0, 1)
            A = list(zip(step(hb, 1, 0), step(hb, 0, 1), strict=True))
            for i in range(2):
                for j in range(2):
                    new[i][j] += sum(
                        A[i][k] * S[k][l] * A[j][l] for k in range(2) for l in range(2)
                    ) * Fraction(1, len(means))  # exact, even where every term is an integer
        columns.append([new[0][0], new[0][1], new[1][1]])
    return [[columns[j][i] for j in range(3)] for i in range(3)]
