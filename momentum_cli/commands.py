"""The commands: parse results arrive in ``args``; each returns the text to print."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from momentum_cli.class_commands import cmd_worst_case
from momentum_cli.data_commands import cmd_noise, cmd_train
from momentum_cli.errors import UsageError
from momentum_cli.minibatch_commands import cmd_edge, cmd_tune_batch
from momentum_cli.options import (
    beta_of,
    dumps,
    exact,
    library_method,
    num,
    show,
    significant,
)
from momentum_cli.parsing import MAX_MAGNITUDE_EXP
from theory.errors import shortest

__all__ = [
    "cmd_derive",
    "cmd_explore",
    "cmd_edge",
    "cmd_noise",
    "cmd_rate",
    "cmd_report",
    "cmd_simulate",
    "cmd_stability",
    "cmd_train",
    "cmd_tune",
    "cmd_worst_case",
]


def _derivation_json(topic: str, method: str, derivations) -> str:
    from theory.engine.printing import latex
    from theory.engine.sympy_text import sympy_text

    steps, results = [], {}
    for name, d in derivations.items():
        steps += [{"text": s.text, "latex": s.latex} for s in d.steps]
        for key in d.results:
            label = key if len(derivations) == 1 else f"{name}.{key}"
            # as every format prints it; "text" is read back by sympy.sympify
            shown = d.shown(key)
            results[label] = {"text": sympy_text(shown), "latex": latex(shown)}
    return dumps({"topic": topic, "method": method, "steps": steps, "result": results})


def cmd_derive(args) -> str:
    import theory
    from numerics.output.files import write_text

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
    if args.eta is None and args.L is None:
        raise UsageError(
            "momentum rate: give --eta (or --lr); or --L alone for the largest stable step"
        )
    if args.eta is None and args.lam is not None:
        raise UsageError("momentum rate: --lam needs --eta (or --lr)")
    out: dict = {"method": args.method, "eta": None, "beta": beta, "lam": None}
    lines = []
    if args.eta is not None:
        eta = float(args.eta)
        out["eta"] = eta
        lam_max = float(numerics.max_stable_lam(eta, beta, method, **params))
        out |= {
            "spectral_radius": None,
            "stable": None,
            "regime": None,
            "eigenvalues": None,
            "max_stable_lam": num(lam_max),
            "marginal": None,
        }
        bounds = numerics.regime_boundaries(eta, beta, method, **params)
        out["regime_boundaries"] = [
            {"lam": b.lam, "below": b.below, "above": b.above} for b in bounds
        ]
        lines.append(f"{args.method}: eta={eta:g} beta={beta:g}" + _torch_note(params))
        if args.lam is not None:
            lam = float(args.lam)
            v = numerics.verdict(eta, beta, lam, method, **params)
            eig = numerics.eigenvalues(eta, beta, lam, method, **params)
            out |= {
                "lam": lam,
                "spectral_radius": v.spectral_radius,
                "stable": v.stable,
                "regime": v.regime,
                "eigenvalues": [[float(z.real), float(z.imag)] for z in np.ravel(eig)],
                "marginal": v.marginal,
            }
            eigs = ", ".join(f"{z.real:.6g}{z.imag:+.6g}i" for z in np.ravel(eig))
            lines[0] += f" lambda={lam:g}"
            verdict = f"{'stable' if v.stable else 'unstable'}, {v.regime}"
            if v.marginal:
                verdict = f"marginal within rounding; by the exact regime boundaries {verdict}"
            lines += [f"spectral radius {v.spectral_radius:.6g} ({verdict})", f"eigenvalues {eigs}"]
            alone, own = numerics.numeric_method(method).alone(eta, beta, lam, **params)
            if alone and np.abs(eig).max() > v.spectral_radius:  # say why rho is not max |z|
                lines.append(
                    f"x moves alone (no other state enters its update): its rate is "
                    f"|{float(own):.6g}|; the other eigenvalue does not move x"
                )
        edge = "none" if out["max_stable_lam"] is None else f"{lam_max:.6g}"
        lines.append(f"largest stable curvature {edge}")
        if args.lam is None:
            lines += _boundary_lines(bounds)
    else:
        lines.append(f"{args.method}: beta={beta:g}" + _torch_note(params))
    if args.L is not None:
        L = float(args.L)
        eta_max = float(numerics.max_stable_eta(beta, L, method, **params))
        out |= {"L": L, "max_stable_eta": num(eta_max)}
        why = ": with dampening 1 no gradient enters" if params.get("dampening") == 1 else ""
        shown = (
            f"none (no step size is stable{why})"
            if out["max_stable_eta"] is None
            else f"{eta_max:.6g}"
        )
        lines.append(f"largest stable step for curvature L={L:g}: eta < {shown}")
    if args.function_class != "quadratic":
        from momentum_cli.class_commands import class_lines

        if args.eta is None:
            raise UsageError("momentum rate: --class smooth-strongly-convex needs --eta")
        more, fields = class_lines(float(args.eta), beta, args.mu, args.L, method)
        lines += more
        out |= fields
    elif args.mu is not None:
        raise UsageError("momentum rate: --mu is for --class smooth-strongly-convex")
    if args.json:
        return dumps(out)
    return "\n".join(lines)


def _torch_note(params: dict) -> str:
    return "".join(f" {k.replace('_', '-')}={v:g}" for k, v in params.items() if v and k != "nu")


def _boundary_lines(bounds) -> list[str]:
    """The regimes along the curvature axis, one interval a line."""
    if not bounds:
        return ["no curvature is stable: every lambda > 0 diverges"]
    lines, low = ["regimes along lambda (critical damping where ripples begin or end):"], 0.0
    for b in bounds:
        lines.append(f"  {low:.6g} < lambda < {b.lam:.6g}: {b.below}")
        low = b.lam
    lines.append(f"  lambda > {low:.6g}: {bounds[-1].above}")
    return lines


def cmd_stability(args) -> str:
    import numerics

    method, params = library_method(args)
    beta_axis = numerics.axis(*args.beta, name="beta")
    if args.eta is None:
        args.eta = _default_eta_grid(beta_axis, float(args.lam), method, params)
    eta_axis = numerics.axis(*args.eta, name="eta")
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

        save_plot(_figure_sized(grid).plot, args.plot)
        lines.append(f"wrote {args.plot}")
    if args.json:
        return dumps(out)
    why = []
    if method != "gd" and b == 0.0:
        # right, but it reads as a bug: at one curvature a plain step of 1/lambda is exact
        why.append(
            f"beta = 0 wins at one curvature: eta = 1/lambda = {1 / float(args.lam):g} is exact "
            "in one step; for a spectrum of curvatures, where momentum helps, run "
            "momentum tune --mu MU --L L"
        )
    return "\n".join(
        [
            f"{args.method} at lambda={float(args.lam):g}: stable fraction {out['stable_fraction']:.4f}",
            f"best on the grid: eta={e:.6g} beta={b:.6g} rate={r:.6g}",
            *why,
            *lines,
        ]
    )


#: points per axis of a region figure: about its width in pixels at the figure's resolution
PLOT_AXIS_POINTS = 1000


def _figure_sized(grid):
    """The grid thinned to at most PLOT_AXIS_POINTS per axis (same extent, the grid's own values).

    A figure cannot show more points than it has pixels; drawing a 50-million
    point grid would cost gigabytes for nothing.
    """
    import dataclasses

    def keep(n: int) -> np.ndarray:
        return np.unique(np.linspace(0, n - 1, min(n, PLOT_AXIS_POINTS)).round().astype(int))

    if max(grid.eta.size, grid.beta.size) <= PLOT_AXIS_POINTS:
        return grid
    ie, ib = keep(grid.eta.size), keep(grid.beta.size)
    return dataclasses.replace(
        grid, eta=grid.eta[ie], beta=grid.beta[ib], rho=grid.rho[np.ix_(ie, ib)]
    )


#: the default eta grid reaches this far past the largest stable step, so the edge is in the frame
EDGE_MARGIN = 1.1
#: the eta grid when no step is stable for any beta of the grid (the old default)
FALLBACK_ETA_GRID = (0.0, 4.0, 401)


def _default_eta_grid(beta_axis, lam: float, method: str, params: dict) -> tuple:
    """0 to 1.1 times the largest stable step at ``lam`` over the beta grid, 401 points."""
    import numerics

    with np.errstate(invalid="ignore"):
        edges = np.asarray(numerics.max_stable_eta(beta_axis, lam, method, **params), float)
    finite = edges[np.isfinite(edges)]
    if finite.size == 0:
        return FALLBACK_ETA_GRID
    return (0.0, float(EDGE_MARGIN * finite.max()), 401)


def _stable_fraction(grid, eta_spec) -> float:
    """Fraction of the requested grid that is stable; eta <= 0 points count as not stable."""
    total = eta_spec[2] * grid.beta.size
    return float(np.count_nonzero(grid.stable)) / total


def _spectrum(args) -> tuple[Fraction, Fraction]:
    """[mu, L] from --mu and --L, or [1, kappa] from --kappa."""
    if args.kappa is not None:
        if args.mu is not None or args.L is not None:
            raise UsageError("momentum tune: give --kappa or --mu and --L, not both")
        if args.kappa < 1:
            raise UsageError(f"momentum tune: --kappa must be >= 1, got {show(args.kappa)}")
        return Fraction(1), args.kappa
    if args.mu is None or args.L is None:
        raise UsageError(
            "momentum tune: give --mu and --L (the spectrum), or --kappa, or --from-model"
        )
    if args.mu > args.L:
        raise UsageError(f"momentum tune: need mu <= L, got mu={show(args.mu)} L={show(args.L)}")
    if args.L > args.mu * 10**MAX_MAGNITUDE_EXP:
        raise UsageError(
            f"momentum tune: kappa = L/mu = {significant(args.L / args.mu)} is too large: "
            f"at most 1e{MAX_MAGNITUDE_EXP}"
        )
    return args.mu, args.L


def cmd_tune(args) -> str:
    import numerics

    if args.from_model is not None:
        if args.batch_size is not None or args.data is not None or args.raw:
            raise UsageError(
                "momentum tune: --batch-size, --data and --raw tune on least squares; "
                "--from-model measures a network: give one"
            )
        from momentum_cli.model_commands import cmd_tune_from_model

        return cmd_tune_from_model(args)
    if args.beta is not None:
        raise UsageError(
            "momentum tune: --momentum is for --from-model (with --mu and --L, --kappa or "
            "--batch-size, tune finds the best momentum itself)"
        )
    if args.batch_size is not None:
        return cmd_tune_batch(args)
    if args.data is not None or args.raw:
        raise UsageError("momentum tune: --data and --raw are for --batch-size")
    mu, L = _spectrum(args)
    method, params = library_method(args)
    wd = Fraction(args.weight_decay or 0)
    d = Fraction(args.dampening or 0)
    # torch's weight decay adds wd to every curvature and its dampening scales the step by
    # (1 - d): the tuning on [mu + wd, L + wd], with the step divided by (1 - d), is exact
    base = {"torch_sgd": "heavy_ball", "torch_sgd_nesterov": "nesterov"}.get(method, method)
    if base == "heavy_ball" and args.method == "gd":
        base = "gd"
    if base in ("gd", "heavy_ball", "nesterov") and d < 1:
        fractions = numerics.exact_tuning(mu + wd, L + wd, base)
        if fractions is None:  # irrational: SymPy writes the exact values
            import theory

            tuned = theory.optimal_parameters(exact(mu + wd), exact(L + wd), method=base)
            fractions = (tuned.eta, tuned.beta, tuned.rate)
        if d:
            step = fractions[0] / (1 - d)
            if not isinstance(step, Fraction):  # a SymPy expression: divide exactly
                import sympy as sp

                step = fractions[0] / sp.Rational((1 - d).numerator, (1 - d).denominator)
            fractions = (step, *fractions[1:])
        exact_strings = dict(zip(("eta", "beta", "rate"), map(_exact, fractions), strict=True))
        values = tuple(float(v) for v in fractions)
        how = "closed form"
        if wd or d:
            # shortest round-trip: 100.0005 is not 100.001 (%g's six digits)
            how += f" (torch: the spectrum shifted to [{shortest(mu + wd)}, {shortest(L + wd)}]"
            how += f", the step divided by 1 - dampening = {shortest(1 - d)})" if d else ")"
    else:
        if d == 1:
            raise UsageError("momentum tune: --dampening 1 lets no gradient in: nothing to tune")
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
        "kappa": float(L / mu),
        "weight_decay": float(wd),
        "dampening": float(d),
        "effective_spectrum": [float(mu + wd), float(L + wd)],
    }
    if args.json:
        return dumps(out)
    lines = []
    for i, (name, note) in enumerate(
        (("eta ", "   (torch: lr)"), ("beta", "   (torch: momentum)"), ("rate", ""))
    ):
        decimal = f"{values[i]:.10g}"
        formula = _formula(fractions[i]) if exact_strings is not None else decimal
        both = formula if formula == decimal else f"{formula} = {decimal}"
        lines.append(f"{name} = {both}{note}")
    return (
        f"{args.method} tuned for [{shortest(mu)}, {shortest(L)}] (kappa = {shortest(L / mu)}), "
        f"{how}:\n" + "\n".join(lines)
    )


def _formula(value) -> str:
    """An exact value as a person writes it: 4/121, (33667 − √44466889)/816750."""
    if isinstance(value, Fraction):
        return str(value)
    from theory.engine.forms import collected
    from theory.engine.reader_text import plain

    return plain(collected(value))


def _exact(value) -> str:
    """An exact value as SymPy reads it back: 4/121, (33667 - sqrt(44466889))/816750."""
    if isinstance(value, Fraction):
        return str(value)
    from theory.engine.forms import collected
    from theory.engine.sympy_text import sympy_text

    return sympy_text(collected(value))


def cmd_simulate(args) -> str:
    if args.function == "lessard":
        from momentum_cli.class_commands import simulate_lessard

        return simulate_lessard(args)
    import numerics
    from numerics.simulate import DIVERGENCE_GROWTH

    args.steps = 20 if args.steps is None else args.steps
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
    grew = _growth(run, method, beta, params)
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
                "diverged_at": int(run.diverged_at[0]) if run.diverged[0] else None,
                "growth": grew,
            }
        )
    status = "did not diverge"
    if grew is not None:
        # a run that overflows within a step or two leaves too few numbers to fit a rate
        # (JSON's null): say so rather than format None
        speed = (
            f"by {grew['rate']:.4g} per step"
            if grew["rate"] is not None
            else "too fast to fit a rate (it overflowed within a few steps)"
        )
        status = (
            f"diverged: x{grew['component'] + 1} (lambda = {grew['lam']:g}) grew from step "
            f"{grew['began_at']} on, {speed} (theory: spectral radius "
            f"{grew['spectral_radius']:.4g}); past {DIVERGENCE_GROWTH:g} times its start "
            f"at step {int(run.diverged_at[0])}"
        )
    return "\n".join(
        [
            *lines,
            f"{args.method}: eta={float(args.eta):g} beta={beta:g}, {status}",
            numerics.d2l_line(run),
        ]
    )


def _growth(run, method: str, beta: float, params: dict) -> dict | None:
    """When and how fast a diverged run grew, beside the theory's rate at that curvature."""
    import numerics

    g = numerics.growth(run)
    if g is None:
        return None
    theory_rate = float(numerics.spectral_radius(run.eta[0], beta, g.lam, method, **params))
    return {
        "component": g.component,
        "lam": g.lam,
        "began_at": g.began_at,
        "rate": num(g.rate),
        "spectral_radius": theory_rate,
        "until": g.until,
    }


def cmd_report(args) -> str:
    import sys

    from momentum_cli.report import write_report
    from momentum_cli.streams import say

    def progress(message: str) -> None:
        # a terminal sees what is being built; logs and pipes stay clean
        if sys.stderr is not None and sys.stderr.isatty():
            say(sys.stderr, f"momentum report: {message}")

    return write_report(args.output, progress, svg=args.svg)


def cmd_explore(args) -> str:
    from momentum_cli.explorer import explorer_html
    from numerics.output.files import write_text

    page = explorer_html()
    if args.output == "-":
        return page
    write_text(args.output, page)
    return f"wrote {args.output}: open it in a browser (it works offline)"
