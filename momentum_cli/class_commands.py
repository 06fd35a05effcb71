"""Commands beyond quadratics: Lessard's cycle, the class's regions, worst cases over a class."""

from __future__ import annotations

from momentum_cli.errors import UsageError
from momentum_cli.options import beta_of, dumps, library_method, num, show

__all__ = ["class_lines", "cmd_worst_case", "simulate_lessard"]

#: simulate's steps on Lessard's function unless --steps says otherwise (enough to settle)
LESSARD_STEPS = 100


def cmd_worst_case(args) -> str:
    from numerics.performance import (
        CLASSES,
        MAX_STEPS,
        PEP_MISSING,
        SolverError,
        quadratic_worst_case,
        worst_case,
    )

    (method, params), beta = library_method(args), beta_of(args)
    if not args.mu < args.L:
        raise UsageError(
            f"momentum worst-case: --mu must be < --L, got {show(args.mu)} and {show(args.L)}"
        )
    if not 1 <= args.steps <= MAX_STEPS:
        raise UsageError(
            f"momentum worst-case: --steps must be in [1, {MAX_STEPS}], got {args.steps}"
        )
    assert args.function_class in CLASSES  # argparse's choices
    if args.weight_decay:  # refused before any solve: the program would be unbounded
        wd = args.weight_decay
        raise UsageError(
            "momentum worst-case: --weight-decay has no worst case on f's gap (decay pulls x to "
            "the minimizer of f + wd/2 |x|^2); that function is in the class with "
            f"--mu {show(args.mu + wd)} --L {show(args.L + wd)}: ask for it without decay"
        )
    try:
        result = worst_case(
            float(args.eta),
            beta,
            float(args.mu),
            float(args.L),
            args.steps,
            method,
            function_class=args.function_class,
            **params,
        )
    except ImportError as exc:
        if str(exc) != PEP_MISSING:
            raise
        raise UsageError(f"momentum worst-case: {exc}") from exc
    except SolverError as exc:
        # the line a command-line user can act on: fewer --steps, or on the quadratics the
        # toolkit's exact answer, which needs no solver
        why = f"Clarabel could not solve the {args.function_class} program for N = {args.steps}"
        if args.function_class != "quadratic":
            raise UsageError(f"momentum worst-case: {why}; try fewer --steps") from exc
        exact = quadratic_worst_case(
            float(args.eta), beta, float(args.mu), float(args.L), args.steps, method, **params
        )
        raise UsageError(
            f"momentum worst-case: {why} (the worst case is tiny there); the toolkit's exact "
            f"worst case over these quadratics, without a solver: {exact:.6g}; fewer --steps "
            "for the SDP"
        ) from exc
    if args.json:
        out = {
            "method": args.method,
            "eta": result.eta,
            "beta": result.beta,
            "mu": result.mu,
            "L": result.L,
            "tau": result.tau,
            "steps": result.steps,
            "class": result.function_class,
            "solver": result.solver,
            "status": result.status,
        }
        if result.theory is not None:
            out["theory"] = result.theory
        return dumps(out)
    lines = [
        f"{args.method}: eta={result.eta:g} beta={result.beta:g}, {result.steps} steps, "
        f"class: {result.function_class} with mu={result.mu:g}, L={result.L:g}",
        f"worst (f(x_N) - f*) / (f(x_0) - f*) = {result.tau:.6g}  "
        f"(performance estimation, an SDP solved by {result.solver}: {result.status})",
    ]
    if result.theory is not None:
        lines.append(f"the toolkit's exact worst case over these quadratics: {result.theory:.6g}")
    return "\n".join(lines)


def simulate_lessard(args) -> str:
    """``momentum simulate --function lessard``: the run, and the cycle it settles on (or not)."""
    import numpy as np

    import numerics.lessard as lessard

    (method, params), beta = library_method(args), beta_of(args)
    if args.lams is not None:
        raise UsageError("momentum simulate: --lams is for --function quadratic")
    x0 = [float(v) for v in args.x0] if args.x0 else [3.3]
    if len(x0) != 1:
        raise UsageError(
            f"momentum simulate: --function lessard is one-dimensional: one --x0, got {len(x0)}"
        )
    steps = LESSARD_STEPS if args.steps is None else args.steps
    if not 1 <= steps <= 100_000:
        raise UsageError(f"momentum simulate: --steps must be in [1, 100000], got {steps}")
    run = lessard.run_lessard(float(args.eta), beta, x0[0], steps, method, **params)
    xs = run.x[:, 0]
    # diverged as the quadratic simulation says it: past DIVERGENCE_GROWTH times the start, or
    # overflowed (NaN had been "neither converged nor on a cycle", exit 0 with NaN iterates)
    from numerics.simulate import DIVERGENCE_GROWTH

    past = ~(np.abs(xs) <= DIVERGENCE_GROWTH * abs(x0[0]))
    diverged_at = int(np.argmax(past)) if past.any() else None
    cycle = run.cycle(0) if diverged_at is None else None
    converged = diverged_at is None and bool(abs(xs[-1]) <= 1e-9 * max(1.0, abs(x0[0])))
    lines = []
    if args.plot is not None:
        from momentum_cli.figures import METADATA, new_figure
        from numerics.output.files import save_figure
        from numerics.plots.beyond import plot_lessard_phase, plot_lessard_run

        fig, (left, right) = new_figure(ncols=2, width=5.6, height=4.8)
        plot_lessard_run(run, ax=left)
        plot_lessard_phase(run, ax=right)
        save_figure(
            fig, args.plot, metadata=METADATA.get(str(args.plot).rsplit(".", 1)[-1].lower())
        )
        lines.append(f"wrote {args.plot}")
    if args.json:
        return dumps(
            {
                "function": "lessard",
                "method": args.method,
                "eta": run.eta,
                "beta": run.beta,
                "x0": x0,
                "steps": steps,
                "final": [num(xs[-1])],
                "trajectory": [[num(v)] for v in xs],
                "converged": converged,
                "diverged": diverged_at is not None,
                "diverged_at": diverged_at,
                "cycle": None
                if cycle is None
                else {
                    "period": cycle.period,
                    "points": list(cycle.points),
                    "residual": cycle.residual,
                },
            }
        )
    head = (
        f"{args.method} on Lessard's function ({lessard.MU:g}-strongly convex, {lessard.L:g}-smooth, "
        f"minimizer 0): eta={run.eta:g} beta={run.beta:g} from x0={x0[0]:g}"
    )
    if diverged_at is not None:
        verdict = (
            f"diverged: |x| passed {DIVERGENCE_GROWTH:g} times its start at step {diverged_at}"
            + ("" if np.isfinite(xs).all() else ", then overflowed")
        )
    elif cycle is not None:
        points = ", ".join(f"{p:.6g}" for p in cycle.points)
        verdict = (
            f"after {steps} steps it is on a {cycle.period}-cycle: {points} (repeating to "
            f"{cycle.residual:.1e}); it never converges"
        )
    elif converged:
        verdict = f"converged to the minimizer: |x_{steps}| = {abs(xs[-1]):.2g}"
    else:
        verdict = (
            f"after {steps} steps neither converged nor on a cycle of period <= 12 "
            "(more --steps may tell)"
        )
    last = ", ".join(f"{v:.6g}" for v in xs[-6:])
    return "\n".join([*lines, head, verdict, f"last iterates: {last}"])


def class_lines(eta: float, beta: float, mu, L, method: str) -> tuple[list[str], dict]:
    """``rate --class smooth-strongly-convex``: the point against every such function."""
    if mu is None or L is None:
        raise UsageError(
            "momentum rate: --class smooth-strongly-convex needs --mu and --L (the class's "
            "strong convexity and smoothness)"
        )
    if not 0 < mu < L:
        raise UsageError(f"momentum rate: --mu must be > 0 and < --L, got {show(mu)} and {show(L)}")
    if method not in ("heavy_ball", "gd"):
        return (
            [
                f"class: L-smooth, mu-strongly convex with mu={float(mu):g}, L={float(L):g}: "
                "undecided (the toolkit knows this class's regions for heavy-ball and gd only)"
            ],
            {"class": "smooth-strongly-convex", "verdict": "undecided"},
        )
    from numerics.class_regions import classify

    if method == "gd":
        # gradient descent converges on every L-smooth convex function iff eta < 2/L
        ok = eta < 2 / float(L)
        verdict = "guaranteed" if ok else "diverges on a quadratic"
        text = (
            f"guaranteed: eta < 2/L = {2 / float(L):.6g}, so gradient descent converges on every "
            "L-smooth convex function"
            if ok
            else f"diverges on a quadratic of the class: eta >= 2/L = {2 / float(L):.6g}"
        )
        out = {"class": "smooth-strongly-convex", "verdict": verdict, "cycle_length": None}
    else:
        v = classify(eta, beta, float(mu), float(L))
        text = v.describe()
        out = {
            "class": "smooth-strongly-convex",
            "verdict": v.verdict,
            "guaranteed_max_eta": num(v.guaranteed_max_eta),
            "cycle_length": v.cycle_length,
        }
    return [
        f"class: L-smooth, mu-strongly convex with mu={float(mu):g}, L={float(L):g}: {text}"
    ], out
