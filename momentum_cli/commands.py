"""The commands: parse results arrive in ``args``; each returns the text to print."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np

from momentum_cli.main import UsageError

__all__ = [
    "cmd_derive",
    "cmd_noise",
    "cmd_rate",
    "cmd_report",
    "cmd_simulate",
    "cmd_stability",
    "cmd_train",
    "cmd_tune",
]

_LIBRARY_NAME = {"gd": "gd", "heavy-ball": "heavy_ball", "nesterov": "nesterov", "qhm": "qhm"}
_TORCH = {"heavy-ball": "torch_sgd", "nesterov": "torch_sgd_nesterov"}
QHM_DEFAULT_NU = Fraction(7, 10)  # Ma and Yarats (2019)'s recommended nu
#: a bound on one training run from the command line (about 10 s here)
MAX_TRAIN_STEPS = 300_000


def _lib(args) -> tuple[str, dict]:
    """The library's method name and its extra parameters, checked."""
    m = args.method
    if args.nu is not None and m != "qhm":
        raise UsageError(f"momentum {args.command}: --nu is for --method qhm only")
    torch_opts = args.dampening is not None or args.weight_decay is not None
    if torch_opts and m not in _TORCH:
        raise UsageError(
            f"momentum {args.command}: --dampening and --weight-decay are for heavy-ball and nesterov"
        )
    if m == "qhm":
        nu = QHM_DEFAULT_NU if args.nu is None else args.nu
        if not 0 <= nu <= 1:
            raise UsageError(f"momentum {args.command}: --nu must be in [0, 1], got {_show(nu)}")
        return "qhm", {"nu": float(nu)}
    if torch_opts:
        d = args.dampening or Fraction(0)
        wd = args.weight_decay or Fraction(0)
        if not 0 <= d <= 1:
            raise UsageError(
                f"momentum {args.command}: --dampening must be in [0, 1], got {_show(d)}"
            )
        if wd < 0:
            raise UsageError(
                f"momentum {args.command}: --weight-decay must be >= 0, got {_show(wd)}"
            )
        if m == "nesterov" and d != 0:
            raise UsageError(f"momentum {args.command}: nesterov needs --dampening 0 (as in torch)")
        if d or wd:
            return _TORCH[m], {"dampening": float(d), "weight_decay": float(wd)}
    return _LIBRARY_NAME[m], {}


def _num(value) -> float | None:
    """A JSON number; non-finite values become null."""
    value = float(value)
    return value if math.isfinite(value) else None


def _show(value: Fraction) -> str:
    """A number for a message: exact when short, else 6 significant digits."""
    text = _exact(value)
    return text if len(text) <= 24 else f"{float(value):.6g}"


def _exact(value: Fraction) -> str:
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


def _finite(obj):
    """Non-finite floats become None (JSON null), recursively."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _dumps(obj) -> str:
    return json.dumps(_finite(obj), indent=2, allow_nan=False)


def _seed(args) -> int:
    if not 0 <= args.seed < 2**32:
        raise UsageError(f"momentum {args.command}: --seed must be in [0, 2**32), got {args.seed}")
    return args.seed


def _beta(args) -> float:
    if args.method == "gd":
        if args.beta not in (None, 0):
            raise UsageError(
                f"momentum {args.command}: --beta is not used by --method gd (got {_show(args.beta)})"
            )
        return 0.0
    if args.beta is None:
        raise UsageError(f"momentum {args.command}: --beta is required for --method {args.method}")
    # heavy ball's theory holds for |beta| < 1; Nesterov's region and QHM are stated for [0, 1)
    closed = args.method in ("nesterov", "qhm")
    inside = (args.beta >= 0 if closed else args.beta > -1) and args.beta < 1
    if not inside:
        allowed = "[0, 1)" if closed else "(-1, 1)"
        raise UsageError(
            f"momentum {args.command}: --beta must be in {allowed} for --method {args.method}, "
            f"got {_show(args.beta)}"
        )
    return float(args.beta)


def _derivation_json(topic: str, method: str, derivations) -> str:
    import sympy as sp

    steps, results = [], {}
    for name, d in derivations.items():
        steps += [{"text": s.text, "latex": s.latex} for s in d.steps]
        for key, value in d.results.items():
            label = key if len(derivations) == 1 else f"{name}.{key}"
            results[label] = {"text": str(value), "latex": sp.latex(value)}
    return _dumps({"topic": topic, "method": method, "steps": steps, "result": results})


def cmd_derive(args) -> str:
    import theory
    from numerics.files import write_text

    given = [x is not None for x in (args.Q, args.c, args.b)]
    if any(given) and not all(given):
        raise UsageError("momentum derive: --Q, --c and --b must be given together")
    Q = [[_exact(v) for v in row] for row in args.Q] if args.Q else None
    c = [_exact(v) for v in args.c] if args.c else None
    b = _exact(args.b) if args.b is not None else None
    method, _ = _lib(args)
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
    if args.output:
        write_text(args.output, text if text.endswith("\n") else text + "\n")
        return f"wrote {args.output}"
    return text


def cmd_rate(args) -> str:
    import numerics

    (method, params), beta = _lib(args), _beta(args)
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
        "max_stable_lam": _num(lam_max),
    }
    if args.json:
        return _dumps(out)
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

    method, params = _lib(args)
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
    if args.plot:
        from momentum_cli.figures import save_plot

        save_plot(grid.plot, args.plot)
        lines.append(f"wrote {args.plot}")
    if args.json:
        return _dumps(out)
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
    import theory

    mu, L = args.mu, args.L
    if mu > L:
        raise UsageError(f"momentum tune: need mu <= L, got mu={_show(mu)} L={_show(L)}")
    method, params = _lib(args)
    if method in ("gd", "heavy_ball", "nesterov") and not params:
        tuned = theory.optimal_parameters(_exact(mu), _exact(L), method=method)
        exact = {"eta": str(tuned.eta), "beta": str(tuned.beta), "rate": str(tuned.rate)}
        values = (float(tuned.eta), float(tuned.beta), float(tuned.rate))
        how = "closed form"
    else:
        tuned = numerics.tune_numeric(float(mu), float(L), method, **params)
        exact = None
        values = (tuned.eta, tuned.beta, tuned.rate)
        how = "numeric (SciPy Nelder-Mead on the worst-case rate; no closed form)"
    out = {
        "method": args.method,
        "mu": float(mu),
        "L": float(L),
        "eta": values[0],
        "beta": values[1],
        "rate": values[2],
        "exact": exact,
        "numeric": exact is None,
    }
    if args.json:
        return _dumps(out)
    shown = exact or {k: f"{v:.10g}" for k, v in zip(("eta", "beta", "rate"), values, strict=True)}
    return (
        f"{args.method} tuned for [{float(mu):g}, {float(L):g}] (kappa = {float(L / mu):g}), {how}:\n"
        f"eta  = {shown['eta']} = {values[0]:.10g}\n"
        f"beta = {shown['beta']} = {values[1]:.10g}\n"
        f"rate = {shown['rate']} = {values[2]:.10g}"
    )


def cmd_simulate(args) -> str:
    import numerics

    (method, params), beta = _lib(args), _beta(args)
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
    if args.plot:
        if len(lams) != 2:
            raise UsageError("momentum simulate: --plot draws a 2-D trace: give two curvatures")
        from momentum_cli.figures import save_plot

        save_plot(run.plot, args.plot)
        lines.append(f"wrote {args.plot}")
    if args.json:
        return _dumps(
            {
                "method": args.method,
                "eta": float(args.eta),
                "beta": beta,
                "lams": lams,
                "x0": x0,
                "steps": args.steps,
                "final": [_num(v) for v in run.final[0]],
                "trajectory": [[_num(v) for v in row] for row in run.x[:, 0, :]],
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


def cmd_noise(args) -> str:
    import numerics

    (method, params), beta = _lib(args), _beta(args)
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
            eta, beta, lam, sigma, chains=args.chains, seed=_seed(args), method=method, **params
        )
        out["monte_carlo"] = {"mean": mc.mean, "interval": list(mc.interval), "chains": mc.chains}
    if args.json:
        return _dumps(out)
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
        raise UsageError(
            f"momentum train: --momentum must be in [0, 1), got {_show(args.momentum)}"
        )
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
        seed=_seed(args),
    )
    quad = numerics.least_squares_quadratic(X, y)
    eig = quad.eigenvalues
    max_lr = float(numerics.max_stable_lam(1.0, float(args.momentum))) / float(eig.max())
    lines = []
    if args.plot:
        from momentum_cli.figures import save_plot
        from numerics.noise_plots import plot_losses

        save_plot(lambda ax: plot_losses([result], ax=ax), args.plot)
        lines.append(f"wrote {args.plot}")
    if args.json:
        return _dumps(
            {
                "final_loss": _num(result.final_loss),
                "losses": [_num(v) for v in result.losses],
                "sec_per_epoch": result.sec_per_epoch,
                "hessian_eigenvalues": [float(v) for v in eig],
                "max_stable_lr": max_lr,
            }
        )
    return "\n".join(
        [*lines, f"full-batch edge from the Hessian: lr < {max_lr:.4g}", result.d2l_line()]
    )


def cmd_report(args) -> str:
    from momentum_cli.report import write_report

    return write_report(args.output)
