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

    X, y = numerics.load_airfoil()
    if not 1 <= args.batch_size <= X.shape[0]:
        raise UsageError(
            f"momentum train: --batch-size must be in [1, {X.shape[0]}], got {args.batch_size}"
        )
    if not 1 <= args.epochs <= 1000:
        raise UsageError(f"momentum train: --epochs must be in [1, 1000], got {args.epochs}")
    if not 0 <= args.momentum < 1:
        raise UsageError(f"momentum train: --momentum must be in [0, 1), got {show(args.momentum)}")
    steps = args.epochs * -(-X.shape[0] // args.batch_size)
    if steps > MAX_TRAIN_STEPS:
        raise UsageError(
            f"momentum train: {args.epochs} epochs of batch {args.batch_size} are {steps:,} steps; "
            f"at most {MAX_TRAIN_STEPS:,} (raise --batch-size or lower --epochs)"
        )
    result = numerics.train_sgd(
        X,
        y,
        float(args.lr),
        float(args.momentum),
        batch_size=args.batch_size,
        epochs=args.epochs,
        seed=seed_of(args),
    )
    quad = numerics.least_squares_quadratic(X, y)
    eig = quad.eigenvalues
    max_lr = float(numerics.max_stable_lam(1.0, float(args.momentum))) / float(eig.max())
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
            }
        )
    return "\n".join(
        [*lines, f"full-batch edge from the Hessian: lr < {max_lr:.4g}", result.d2l_line()]
    )
