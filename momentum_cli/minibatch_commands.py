"""The minibatch commands: `momentum edge`, `momentum tune --batch-size`, and the data they read."""

from __future__ import annotations

from momentum_cli.errors import UsageError
from momentum_cli.options import dumps, library_method, show

__all__ = ["HEAVY_TAILS", "cmd_edge", "cmd_tune_batch", "dataset", "edge_line"]

#: said wherever an edge is printed: the second moment, not every run
HEAVY_TAILS = (
    "above the edge the loss's second moment grows without bound, but it is carried by rare "
    "runs: a single run can look fine for a while (heavy tails); the edge is where training "
    "becomes unreliable, not where every run explodes at once"
)


def dataset(args):
    """Features, target and a name: ``--data FILE`` (standardised unless ``--raw``) or airfoil."""
    import numerics

    if args.data is None:
        if args.raw:
            raise UsageError(f"momentum {args.command}: --raw is for --data FILE")
        X, y = numerics.load_airfoil()
        return X, y, "D2L's airfoil data"
    X, y = numerics.load_regression(args.data, raw=args.raw)
    return X, y, args.data


def describe(name: str, X) -> str:
    n, p = X.shape
    return f"{name} ({n} rows, {p} feature{'s' if p != 1 else ''} and a bias)"


def least_squares(args):
    """The data as :class:`numerics.LeastSquaresData`, and its description."""
    import numerics

    X, y, name = dataset(args)
    return numerics.least_squares_data(X, y), describe(name, X)


def edge_line(batch: int, momentum: float, method: str, edge: float) -> str:
    return f"mean-square edge at batch {batch} ({method}, momentum {momentum:g}): lr < {edge:.4g}"


def _batch_sizes(args, n: int, default: list[int]) -> list[int]:
    sizes = default if args.batch_size is None else args.batch_size
    for b in sizes:
        if not 1 <= b <= n:
            raise UsageError(
                f"momentum {args.command}: --batch-size must be in [1, {n}] (the data's rows), "
                f"got {b}"
            )
    return sizes


def _momenta(args) -> list[float]:
    if args.method == "gd":
        if args.momentum not in (None, []) and any(m != 0 for m in args.momentum):
            raise UsageError(f"momentum {args.command}: --momentum is not used by --method gd")
        return [0.0]
    values = [0, 0.5, 0.9] if args.momentum is None else args.momentum
    closed = args.method in ("nesterov", "qhm")
    for m in values:
        if not ((m >= 0 if closed else m > -1) and m < 1):
            allowed = "[0, 1)" if closed else "(-1, 1)"
            raise UsageError(
                f"momentum {args.command}: --momentum must be in {allowed} for --method "
                f"{args.method}, got {show(m)}"
            )
    return [float(m) for m in values]


def cmd_edge(args) -> str:
    import numerics

    method, params = library_method(args)
    momenta = _momenta(args)
    data, name = least_squares(args)
    sizes = _batch_sizes(args, data.n, [b for b in (1, 10, 100) if b < data.n] + [data.n])
    table = numerics.edge_table(data, momenta, sizes, method, **params)
    rows = [
        {
            "batch_size": int(b),
            "momentum": float(beta),
            "minibatch_max_stable_lr": float(table.minibatch[i, j]),
            "full_batch_max_stable_lr": float(table.full[i]),
        }
        for i, beta in enumerate(table.momenta)
        for j, b in enumerate(table.batch_sizes)
    ]
    if args.json:
        return dumps(
            {
                "method": args.method,
                "data": args.data if args.data is not None else "airfoil",
                "examples": data.n,
                "features": data.d - 1,
                "rows": rows,
            }
        )
    lines = [
        f"{args.method} on {name}: the largest mean-square stable lr",
        f"{'batch':>7} {'momentum':>9} {'minibatch':>11} {'full batch':>11}",
    ]
    lines += [
        f"{r['batch_size']:>7} {r['momentum']:>9g} {r['minibatch_max_stable_lr']:>11.4g} "
        f"{r['full_batch_max_stable_lr']:>11.4g}"
        for r in rows
    ]
    lines.append(HEAVY_TAILS[0].upper() + HEAVY_TAILS[1:] + ".")
    return "\n".join(lines)


def cmd_tune_batch(args) -> str:
    """`momentum tune --batch-size B`: (lr, momentum) for the mean-square rate, gd beside it."""
    import math

    import numerics

    if args.mu is not None or args.L is not None or args.kappa is not None:
        raise UsageError(
            "momentum tune: --batch-size tunes for the data's least squares; "
            "--mu, --L and --kappa are for a spectrum"
        )
    method, params = library_method(args)
    data, name = least_squares(args)
    b = args.batch_size
    if not 1 <= b <= data.n:
        raise UsageError(
            f"momentum tune: --batch-size must be in [1, {data.n}] (the data's rows), got {b}"
        )
    tuned = numerics.tune_minibatch(data, b, method, **params)
    if args.method == "gd":
        gd = tuned
    else:  # plain SGD at the same batch size, with the same weight decay
        wd = params.get("weight_decay", 0.0)
        gd = (
            numerics.tune_minibatch(
                data, b, "torch_sgd", momentum=0.0, dampening=0.0, weight_decay=wd
            )
            if wd
            else numerics.tune_minibatch(data, b, "gd")
        )
    lam = data.eigenvalues
    wd = float(params.get("weight_decay", 0.0))
    out = {
        "method": args.method,
        "mu": float(lam[0]),
        "L": float(lam[-1]),
        "eta": tuned.eta,
        "beta": tuned.beta,
        "rate": tuned.rate,
        "exact": None,
        "numeric": True,
        "kappa": float(lam[-1] / lam[0]),
        "weight_decay": wd,
        "dampening": float(params.get("dampening", 0.0)),
        "effective_spectrum": [float(lam[0]) + wd, float(lam[-1]) + wd],
        "batch_size": b,
        "gd_eta": gd.eta,
        "gd_rate": gd.rate,
    }
    if args.json:
        return dumps(out)

    def steps(rate: float) -> str:
        return f"{-1 / math.log(rate):.3g} steps" if 0 < rate < 1 else "never"

    return "\n".join(
        [
            f"{args.method} tuned at batch {b} on {name}, numeric (a grid, then Nelder-Mead, on "
            "the mean-square rate: the square root of the second-moment operator's spectral "
            "radius; no closed form):",
            f"eta  = {tuned.eta:.10g}   (torch: lr)",
            f"beta = {tuned.beta:.10g}   (torch: momentum)",
            f"rate = {tuned.rate:.10g}   (the root-mean-square error shrinks by e in "
            f"{steps(tuned.rate)})",
            f"plain SGD at batch {b}: eta = {gd.eta:.6g}, rate = {gd.rate:.6g} "
            f"(e in {steps(gd.rate)})",
        ]
    )
