"""Commands beyond quadratics: worst cases over a class of functions."""

from __future__ import annotations

from momentum_cli.errors import UsageError
from momentum_cli.options import beta_of, dumps, library_method, show

__all__ = ["cmd_worst_case"]


def cmd_worst_case(args) -> str:
    from numerics.performance import CLASSES, MAX_STEPS, PEP_MISSING, worst_case

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
