"""The commands: parse results arrive in ``args``; each returns the text to print."""

from __future__ import annotations

import numpy as np

from momentum_cli.data_commands import cmd_noise, cmd_train
from momentum_cli.errors import UsageError
from momentum_cli.options import (
    beta_of,
    dumps,
    exact,
    library_method,
    num,
    show,
)

__all__ = [
    "cmd_derive",
    "cmd_explore",
    "cmd_noise",
    "cmd_rate",
    "cmd_report",
    "cmd_simulate",
    "cmd_stability",
    "cmd_train",
    "cmd_tune",
]


def _derivation_json(topic: str, method: str, derivations) -> str:
    import sympy as sp

    steps, results = [], {}
    for name, d in derivations.items():
        steps += [{"text": s.text, "latex": s.latex} for s in d.steps]
        for key, value in d.results.items():
            label = key if len(derivations) == 1 else f"{name}.{key}"
            results[label] = {"text": str(value), "latex": sp.latex(value)}
    return dumps({"topic": topic, "method": method, "steps": steps, "result": results})


def cmd_derive(args) -> str:
    import theory
    from numerics.files import write_text

    given = [x is not None for x in (args.Q, args.c, args.b)]
    if any(given) and not all(given):
        raise UsageError("momentum derive: --Q, --c and --b must be given together")
    Q = [[exact(v) for v in row] for row in args.Q] if args.Q else None
    c = [exact(v) for v in args.c] if args.c else None
    b = exact(args.b) if args.b is not None else None
    method, _ = library_method(args)
    if args.topic == "all":
        derivations = theory.derive_all(method=method, Q=Q, c=c, b=b)
    else:
        derivations = {args.topic: theory.derive(args.topic, method=method, Q=Q, c=c, b=b)}
    if args.format == "json":
        text = _derivation_json(args.topic, args.method, derivations)
    elif args.format == "latex":
        text = (
            theory.latex_document(derivations.values())
            if args.topic == "all"
            else "\n".join(d.to_latex() for d in derivations.values())
        )
    elif args.format == "markdown":
        text = "\n".join(d.to_markdown() for d in derivations.values())
    else:
        text = "\n".join(d.to_text() for d in derivations.values())
    if args.output is not None and args.output != "-":  # '-': standard output
        write_text(args.output, text if text.endswith("\n") else text + "\n")
        return f"wrote {args.output}"
    return text


def cmd_rate(args) -> str:
    import numerics

    (method, params), beta = library_method(args), beta_of(args)
    eta, lam = float(args.eta), float(args.lam)
    rho = float(numerics.spectral_radius(eta, beta, lam, method, **params))
    eig = numerics.eigenvalues(eta, beta, lam, method, **params)
    lam_max = float(numerics.max_stable_lam(eta, beta, method, **params))
    out = {
        "method": args.method,
        "eta": eta,
        "beta": beta,
        "lam": lam,
        "spectral_radius": rho,
        "stable": bool(rho < 1),
        "regime": str(numerics.regime(eta, beta, lam, method, **params)),
        "eigenvalues": [[float(z.real), float(z.imag)] for z in np.ravel(eig)],
        "max_stable_lam": num(lam_max),
    }
    if args.json:
        return dumps(out)
    eigs = ", ".join(f"{z.real:.6g}{z.imag:+.6g}i" for z in np.ravel(eig))
    edge = "none" if out["max_stable_lam"] is None else f"{lam_max:.6g}"
    return (
        f"{args.method}: eta={eta:g} beta={beta:g} lambda={lam:g}\n"
        f"spectral radius {rho:.6g} ({'stable' if rho < 1 else 'unstable'}, {out['regime']})\n"
        f"eigenvalues {eigs}\n"
        f"largest stable curvature {edge}"
    )


def cmd_stability(args) -> str:
    import numerics

    method, params = library_method(args)
    eta_axis = numerics.axis(*args.eta, name="eta")
    beta_axis = numerics.axis(*args.beta, name="beta")
    eta_axis = eta_axis[eta_axis > 0]  # eta = 0 does not move: those points count as not stable
    if eta_axis.size == 0:
        raise UsageError("momentum stability: --eta must reach above 0 (the step size is positive)")
    grid = numerics.rate_grid(eta_axis, beta_axis, float(args.lam), method, **params)
    e, b, r = grid.best()
    if method == "gd":
        b = 0.0  # gradient descent has no beta: its rate is the same along the beta axis
    out = {
        "method": args.method,
        "lam": float(args.lam),
        "eta": [args.eta[0], args.eta[1], args.eta[2]],
        "beta": [args.beta[0], args.beta[1], args.beta[2]],
        "stable_fraction": _stable_fraction(grid, args.eta),
        "best": {"eta": e, "beta": b, "rate": r},
    }
    lines = []
    if args.plot is not None:
        from momentum_cli.figures import save_plot

        save_plot(grid.plot, args.plot)
        lines.append(f"wrote {args.plot}")
    if args.json:
        return dumps(out)
    return "\n".join(
        [
            f"{args.method} at lambda={float(args.lam):g}: stable fraction {out['stable_fraction']:.4f}",
            f"best on the grid: eta={e:.6g} beta={b:.6g} rate={r:.6g}",
            *lines,
        ]
    )


def _stable_fraction(grid, eta_spec) -> float:
    """Fraction of the requested grid that is stable; eta <= 0 points count as not stable."""
    total = eta_spec[2] * grid.beta.size
    return float(np.count_nonzero(grid.stable)) / total


def cmd_tune(args) -> str:
    import numerics

    mu, L = args.mu, args.L
    if mu > L:
        raise UsageError(f"momentum tune: need mu <= L, got mu={show(mu)} L={show(L)}")
    method, params = library_method(args)
    if method in ("gd", "heavy_ball", "nesterov") and not params:
        fractions = numerics.exact_tuning(mu, L, method)
        if fractions is None:  # irrational: SymPy writes the exact values
            import theory

            tuned = theory.optimal_parameters(exact(mu), exact(L), method=method)
            fractions = (tuned.eta, tuned.beta, tuned.rate)
        exact_strings = dict(zip(("eta", "beta", "rate"), map(str, fractions), strict=True))
        values = tuple(float(v) for v in fractions)
        how = "closed form"
    else:
        tuned = numerics.tune_numeric(float(mu), float(L), method, **params)
        exact_strings = None
        values = (tuned.eta, tuned.beta, tuned.rate)
        how = "numeric (SciPy Nelder-Mead on the worst-case rate; no closed form)"
    out = {
        "method": args.method,
        "mu": float(mu),
        "L": float(L),
        "eta": values[0],
        "beta": values[1],
        "rate": values[2],
        "exact": exact_strings,
        "numeric": exact_strings is None,
    }
    if args.json:
        return dumps(out)
    shown = exact_strings or {
        k: f"{v:.10g}" for k, v in zip(("eta", "beta", "rate"), values, strict=True)
    }
    return (
        f"{args.method} tuned for [{float(mu):g}, {float(L):g}] (kappa = {float(L / mu):g}), {how}:\n"
        f"eta  = {shown['eta']} = {values[0]:.10g}\n"
        f"beta = {shown['beta']} = {values[1]:.10g}\n"
        f"rate = {shown['rate']} = {values[2]:.10g}"
    )


def cmd_simulate(args) -> str:
    import numerics

    (method, params), beta = library_method(args), beta_of(args)
    lams = [float(v) for v in args.lams] if args.lams else list(numerics.D2L_LAMS)
    x0 = [float(v) for v in args.x0] if args.x0 else list(numerics.D2L_X0)
    if len(x0) != len(lams):
        raise UsageError(
            f"momentum simulate: --x0 has {len(x0)} entries but --lams has {len(lams)}"
        )
    if any(v <= 0 for v in lams):
        raise UsageError("momentum simulate: every curvature in --lams must be > 0")
    if args.steps < 0 or args.steps > 100_000:
        raise UsageError(f"momentum simulate: --steps must be in [0, 100000], got {args.steps}")
    run = numerics.simulate(
        float(args.eta), beta, lams=lams, x0=x0, steps=args.steps, method=method, **params
    )
    lines = []
    if args.plot is not None:
        if len(lams) != 2:
            raise UsageError("momentum simulate: --plot draws a 2-D trace: give two curvatures")
        from momentum_cli.figures import save_plot

        save_plot(run.plot, args.plot)
        lines.append(f"wrote {args.plot}")
    if args.json:
        return dumps(
            {
                "method": args.method,
                "eta": float(args.eta),
                "beta": beta,
                "lams": lams,
                "x0": x0,
                "steps": args.steps,
                "final": [num(v) for v in run.final[0]],
                "trajectory": [[num(v) for v in row] for row in run.x[:, 0, :]],
                "diverged": bool(run.diverged[0]),
            }
        )
    status = f"diverged at step {run.diverged_at[0]}" if run.diverged[0] else "did not diverge"
    return "\n".join(
        [
            *lines,
            f"{args.method}: eta={float(args.eta):g} beta={beta:g}, {status}",
            numerics.d2l_line(run),
        ]
    )


def cmd_report(args) -> str:
    from momentum_cli.report import write_report

    return write_report(args.output)


def cmd_explore(args) -> str:
    from momentum_cli.explorer import explorer_html
    from numerics.files import write_text

    page = explorer_html()
    if args.output == "-":
        return page
    write_text(args.output, page)
    return f"wrote {args.output}: open it in a browser (it works offline)"
