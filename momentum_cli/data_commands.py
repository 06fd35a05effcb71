"""The data-driven commands: gradient noise and D2L's airfoil training."""

from __future__ import annotations

from momentum_cli.errors import UsageError
from momentum_cli.options import (
    MAX_TRAIN_STEPS,
    beta_of,
    dumps,
    library_method,
    num,
    seed_of,
    show,
)

__all__ = ["cmd_noise", "cmd_train"]


def cmd_noise(args) -> str:
    import numerics

    (method, params), beta = library_method(args), beta_of(args)
    eta, lam, sigma = float(args.eta), float(args.lam), float(args.sigma)
    variance = numerics.stationary_variance(eta, beta, lam, sigma, method, **params)
    out = {
        "method": args.method,
        "eta": eta,
        "beta": beta,
        "lam": lam,
        "sigma": sigma,
        "variance": variance,
        "expected_excess_loss": lam / 2 * variance,
    }
    if args.chains is not None:
        mc = numerics.monte_carlo_variance(
            eta, beta, lam, sigma, chains=args.chains, seed=seed_of(args), method=method, **params
        )
        out["monte_carlo"] = {"mean": mc.mean, "interval": list(mc.interval), "chains": mc.chains}
    if args.json:
        return dumps(out)
    lines = [
        f"{args.method}: eta={eta:g} beta={beta:g} lambda={lam:g} sigma={sigma:g}",
        f"stationary Var x = {variance:.6g}; expected excess loss = {out['expected_excess_loss']:.6g}",
    ]
    if "monte_carlo" in out:
        lo, hi = out["monte_carlo"]["interval"]
        lines.append(
            f"Monte Carlo ({args.chains} chains): {out['monte_carlo']['mean']:.6g}, 99% interval [{lo:.6g}, {hi:.6g}]"
        )
    return "\n".join(lines)


def cmd_train(args) -> str:
    import numerics
    from momentum_cli.minibatch_commands import HEAVY_TAILS, dataset, edge_line
    from numerics.minibatch_edge import SCAN_POINTS, SCAN_RATIO
    from theory.errors import ParameterError

    if args.method == "gd":
        if args.momentum not in (None, 0):
            raise UsageError(
                f"momentum train: --momentum is not used by --method gd (got {show(args.momentum)})"
            )
        momentum = 0.0
    else:
        momentum = 0.9 if args.momentum is None else args.momentum
        if not 0 <= momentum < 1:
            raise UsageError(f"momentum train: --momentum must be in [0, 1), got {show(momentum)}")
        momentum = float(momentum)
    if not 1 <= args.epochs <= 1000:
        raise UsageError(f"momentum train: --epochs must be in [1, 1000], got {args.epochs}")
    X, y, _ = dataset(args)
    n = X.shape[0]
    if not 1 <= args.batch_size <= n:
        raise UsageError(
            f"momentum train: --batch-size must be in [1, {n}] (the data's rows), "
            f"got {args.batch_size}"
        )
    steps = args.epochs * -(-n // args.batch_size)
    if steps > MAX_TRAIN_STEPS:
        raise UsageError(
            f"momentum train: {args.epochs} epochs of batch {args.batch_size} are {steps:,} steps; "
            f"at most {MAX_TRAIN_STEPS:,} (raise --batch-size or lower --epochs)"
        )
    method = {"gd": "gd", "heavy-ball": "heavy_ball", "nesterov": "nesterov"}[args.method]
    data = numerics.least_squares_data(X, y)  # refuses collinear columns before training
    lr = float(args.lr)
    result = numerics.train_sgd(
        X,
        y,
        lr,
        momentum,
        batch_size=args.batch_size,
        epochs=args.epochs,
        seed=seed_of(args),
        method=method,
    )
    eig = numerics.least_squares_quadratic(X, y).eigenvalues
    max_lr = numerics.full_batch_max_stable_lr(data, momentum, method)
    try:
        edge = numerics.minibatch_max_stable_lr(data, momentum, args.batch_size, method)
    except ParameterError:
        # momentum within rounding of 1: every lr the scan looked at down to this bound is
        # unstable. The run is still the answer asked for: say the edge is below the bound
        # (it had been exit 2, the training thrown away)
        edge = None
        below = max_lr * SCAN_RATIO**SCAN_POINTS
    # above the edge the second moment has no fixed point: no plateau to compute
    excess = (
        numerics.second_moment(data, lr, momentum, args.batch_size, method).excess_loss
        if edge is not None and lr < edge
        else float("inf")
    )
    lines = []
    if args.plot is not None:
        from momentum_cli.figures import save_plot
        from numerics.plots.noise import plot_losses

        save_plot(lambda ax: plot_losses([result], ax=ax), args.plot)
        lines.append(f"wrote {args.plot}")
    if args.json:
        return dumps(
            {
                "final_loss": num(result.final_loss),
                "losses": [num(v) for v in result.losses],
                "sec_per_epoch": result.sec_per_epoch,
                "hessian_eigenvalues": [float(v) for v in eig],
                "max_stable_lr": max_lr,
                "diverged": result.diverged_at is not None,
                "diverged_at_examples": result.diverged_at,
                "minibatch_max_stable_lr": edge,  # null: below the scan's reach
                "predicted_excess_loss": num(excess),
            }
        )
    lines += [
        f"full-batch edge from the Hessian: lr < {max_lr:.4g}",
        edge_line(args.batch_size, momentum, args.method, edge)
        if edge is not None
        else (
            f"mean-square edge at batch {args.batch_size} ({args.method}, momentum "
            f"{momentum:g}): below {below:.3g} (every lr the scan tried above it is unstable)"
        ),
    ]
    if excess < float("inf"):
        lines.append(
            f"predicted plateau at lr {lr:g}: loss {data.minimum + excess:.4g} (the minimum "
            f"{data.minimum:.4g} plus the exact stationary excess {excess:.4g})"
        )
    elif edge is None and lr < below:
        lines.append(f"lr {lr:g} is below {below:.3g}, but the edge was not found: no plateau")
    else:
        lines.append(f"lr {lr:g} is above the mean-square edge: no plateau; {HEAVY_TAILS}")
    lines.append(result.d2l_line())
    return "\n".join(lines)
