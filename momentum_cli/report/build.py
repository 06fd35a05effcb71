"""``momentum report``: every derivation and figure, with the key numbers, in one folder.

The folder is built in a temporary sibling and moved into place at the end,
so it is complete or not written at all (an earlier report stays intact).
Its front page is ``report.html`` (one self-contained file, offline); with
``pdflatex`` there is also ``report.pdf``.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

from momentum_cli.figures import save_spec
from momentum_cli.report.figures import (
    D2L_AIRFOIL_RUNS,
    FIGURES,
    SAMPLE_SPECTRUM,
    airfoil,
    compute_airfoil,
    missing,
    sections,
    use_airfoil,
)
from momentum_cli.report.parallel import Jobs, workers

__all__ = ["FIGURES", "write_report"]

#: what the processes that draw import before they fork (once per report run)
_WORKER_MODULES = (
    "momentum_cli.report.figures",
    "momentum_cli.figures",
    "numerics",
    "numerics.plots",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "scipy.ndimage",  # the rate maps' regime labels, in both workers
)


def _plateaus(shared) -> list[dict]:
    """D2L's minibatch runs on the airfoil: excess loss at the plateau, predicted and observed.

    Observed over PLATEAU_SEEDS seeds (the mean and its 99% interval), with
    D2L's shuffled epochs and with independent batches (the noise the
    prediction assumes).
    """
    import numerics

    out = []
    for (lr, m), (shuffled, independent) in zip(D2L_AIRFOIL_RUNS, shared.plateaus, strict=True):
        seen, alone = shuffled.plateau(), independent.plateau()
        out.append(
            {
                "lr": lr,
                "momentum": m,
                "predicted_excess_loss": numerics.predicted_plateau(shared.X, shared.y, lr, m, 10),
                "observed_excess_loss": seen.mean,
                "observed_interval_99": list(seen.interval),
                "seeds": int(shuffled.seeds.size),
                "epochs": shuffled.epochs,
                "independent_batches": {
                    "observed_excess_loss": alone.mean,
                    "observed_interval_99": list(alone.interval),
                },
            }
        )
    return out


def _summary(plateaus: list[dict]) -> dict:
    """The key numbers; deterministic (no timings), so two reports give the same file."""
    import numerics
    import theory

    runs = []
    for method, eta, beta in [
        ("gd", 0.4, 0.0),
        ("gd", 0.6, 0.0),
        ("heavy_ball", 0.6, 0.5),
        ("heavy_ball", 0.6, 0.25),
    ]:
        run = numerics.simulate_d2l(eta, beta, method=method)
        runs.append(
            {
                "method": method.replace("_", "-"),
                "eta": eta,
                "beta": beta,
                "final": [float(v) for v in run.final[0]],
                "line": numerics.d2l_line(run),
                "diverged": bool(run.diverged[0]),
            }
        )
    mu, L = SAMPLE_SPECTRUM
    tuned = {}
    for method in ("gd", "heavy_ball"):
        t = theory.optimal_parameters(mu, L, method=method)
        tuned[method.replace("_", "-")] = {
            "eta": float(t.eta),
            "beta": float(t.beta),
            "rate": float(t.rate),
            "exact": {"eta": str(t.eta), "beta": str(t.beta), "rate": str(t.rate)},
        }
    betas = [0.0, 0.25, 0.5, 0.9]
    quad, trained, edges = airfoil().quad, airfoil().runs, airfoil().edges
    airfoil_summary = {
        "hessian_eigenvalues": [float(v) for v in quad.eigenvalues],
        "least_squares_minimum": quad.minimum,
        "d2l_runs": [
            {"lr": r.lr, "momentum": r.momentum, "final_loss": r.final_loss} for r in trained
        ],
        "divergence": [
            {
                "beta": e.beta,
                "predicted_max_lr": e.predicted,
                "largest_converging": e.largest_converging,
                "smallest_diverging": e.smallest_diverging,
                "on_edge": [float(v) for v in e.etas[e.on_edge]],
            }
            for e in edges
        ],
        "plateau": plateaus,
    }
    return {
        "airfoil": airfoil_summary,
        "d2l_runs": runs,
        "tuned": {"mu": mu, "L": L, "methods": tuned},
        "stability_edge": {
            "rule": "heavy ball is stable iff 0 < eta*lambda < 2(1 + beta) and |beta| < 1",
            "max_eta_lambda": {str(b): float(numerics.max_stable_lam(1.0, b)) for b in betas},
        },
        "beyond_quadratics": _beyond_summary(),
    }


def _beyond_summary() -> dict:
    """Lessard's cycle, the share of starts that cycle, and the worst cases at Polyak's tuning."""
    import numpy as np

    from numerics.lessard import POLYAK, lessard_basin, run_lessard
    from numerics.performance import stored_polyak_table

    cycle = run_lessard(*POLYAK, 3.3, steps=300).cycle()
    basin = lessard_basin(*POLYAK, np.linspace(-10, 10, 2001))
    table = stored_polyak_table()
    return {
        "eta": POLYAK[0],
        "beta": POLYAK[1],
        "lessard_cycle_from_3.3": list(cycle.points),
        "share_of_starts_cycling": float(basin.cycling.mean()),
        "starts": "2001 points from -10 to 10, velocity 0",
        "worst_case": {
            "steps": table["steps"],
            "smooth-strongly-convex": table["smooth-strongly-convex"],
            "quadratic": table["quadratic_exact"],
        },
    }


def _quiet(message: str) -> None:
    pass


#: the pool draws in this order, the longest first (CPU seconds per figure:
#: ``tests/benchmarks/bench_report.py --figures``), so no core idles at the end;
#: a figure not named here is drawn first
LONGEST_FIRST = (
    "edge_of_stability_gd",
    "minibatch_plateau",
    "minibatch_tuning",
    "minibatch_edges",
    "edge_of_stability_heavy_ball",
    "rate_vs_kappa",
    "method_rate_maps",
    "airfoil_losses",
    "rate_map",
    "d2l_traces",
    "exercise2",
    "worst_case",
    "exercise4",
    "divergence",
    "variance_vs_beta",
    "weights",
    "region",
    "lessard_run",
    "class_regions",
    "lessard_phase",
    "envelope",
    "volume",
    "worst_case_steps",
    "lessard_basin",
    "gd_decay",
)


def _drawing_order(specs):
    rank = {name: k for k, name in enumerate(LONGEST_FIRST)}
    return sorted(specs, key=lambda spec: rank.get(spec.name, -1))


def _save_sharing(shared, spec, folder, formats) -> list:
    """``save_spec`` in a process that has not seen the shared airfoil computation yet."""
    use_airfoil(shared)
    return save_spec(spec, folder, formats)


def write_report(output, progress=_quiet, *, svg: bool = False) -> str:
    """Write the report folder; returns the lines to print (what was written, what to open).

    ``progress(message)`` is told what is being built, step by step. The
    figures are PNG files, and also SVG with ``svg=True``.
    """
    from numerics.output.files import atomic_directory

    target = Path(output)
    # a folder that is not ours is refused before SymPy is even imported
    with atomic_directory(output) as tmp:  # the user's spelling: Path('') would be '.'
        import theory
        from momentum_cli.explorer import explorer_html
        from momentum_cli.report.html import report_html
        from momentum_cli.report.pdf import write_pdf

        figures = tmp / "figures"
        figures.mkdir()
        drawn = [spec for spec in FIGURES if missing(spec) is None]
        order = _drawing_order(drawn)
        formats = ("png", "svg") if svg else ("png",)
        preload = _WORKER_MODULES + (("matplotlib.backends.backend_svg",) if svg else ())
        # the figures' optional packages (torch: about a second to import), imported once by
        # the fork server rather than once by each worker that draws one
        preload += tuple(sorted({spec.needs for spec in drawn if spec.needs}))
        # the first figure starts the pool, whose fork server imports matplotlib while the
        # airfoil runs here; the others follow, longest first, once the airfoil is there
        first = next(s for s in order if not s.uses_airfoil)
        processes = workers(len(drawn))
        try:
            with Jobs(
                [partial(save_spec, first, figures, formats)], preload=preload, processes=processes
            ) as pool:
                progress(f"figures: {len(drawn)}, in {processes} processes")
                for spec in FIGURES:
                    if missing(spec) is not None:
                        progress(f"figure {spec.name}: not drawn: {missing(spec)}")
                progress("shared numbers: the airfoil runs and divergence scans")
                shared = compute_airfoil()  # once per report, handed to the figures that use it
                use_airfoil(shared)
                later = [
                    partial(_save_sharing, shared, s, figures, formats)
                    if s.uses_airfoil
                    else partial(save_spec, s, figures, formats)
                    for s in order
                    if s is not first
                ]
                pool.submit(later)
                progress("derivations: SymPy checks every step (meanwhile, here)")
                derivations = theory.derive_all()
                (tmp / "derivations.tex").write_text(
                    theory.latex_document(derivations.values()), encoding="utf-8"
                )
                progress("key numbers: D2L's runs, tuning, airfoil")
                summary = _summary(_plateaus(shared))
                text = json.dumps(summary, indent=2) + "\n"
                (tmp / "summary.json").write_text(text, encoding="utf-8")
                (tmp / "report.md").write_text(_markdown(derivations, summary), encoding="utf-8")
                (tmp / "explorer.html").write_text(explorer_html(), encoding="utf-8")
                pool.results()  # every figure written (a job's error is raised here)
        finally:
            use_airfoil(None)  # nothing is kept for the next report
        progress("report.pdf: pdflatex")
        key_numbers = _key_numbers(summary)
        no_pdf = write_pdf(tmp, FIGURES, derivations, key_numbers)
        if no_pdf:
            progress(f"report.pdf: none ({no_pdf})")
        page = report_html(FIGURES, figures, derivations, key_numbers, pdf=not no_pdf)
        (tmp / "report.html").write_text(page, encoding="utf-8")
    files = (
        "report.html, "
        + ("" if no_pdf else "report.pdf, ")
        + ("report.md, derivations.tex, summary.json, figures/, explorer.html")
    )
    return f"wrote {target}/ ({files})\nopen {target / 'report.html'}"


def _interval(p: dict) -> str:
    low, high = p["observed_interval_99"]
    return f"{p['observed_excess_loss']:.4f} [{low:.4f}, {high:.4f}]"


def _airfoil_lines(a: dict) -> list[str]:
    eig = ", ".join(f"{v:.3f}" for v in a["hessian_eigenvalues"])
    lines = [
        f"Airfoil (D2L's data, least squares with a bias): Hessian eigenvalues {eig}; "
        f"least-squares minimum {a['least_squares_minimum']:.4f}; D2L's runs end at "
        + ", ".join(
            f"{r['final_loss']:.3f} (lr {r['lr']}, momentum {r['momentum']})" for r in a["d2l_runs"]
        )
        + ".",
        "",
    ]
    lines += [
        f"- full batch, beta = {d['beta']}: predicted edge lr < {d['predicted_max_lr']:.4f}; "
        f"largest converging run {d['largest_converging']:.4f}, smallest diverging {d['smallest_diverging']:.4f}"
        + (
            "; on the edge (neither): " + ", ".join(f"{v:.4f}" for v in d["on_edge"])
            if d["on_edge"]
            else ""
        )
        for d in a["divergence"]
    ]
    lines += [
        f"- minibatch plateau, lr {p['lr']}, momentum {p['momentum']}: excess loss predicted "
        f"{p['predicted_excess_loss']:.4f} by the noise theory; observed over {p['seeds']} seeds "
        f"(mean, 99% interval) {_interval(p)} with D2L's shuffled epochs, "
        f"{_interval(p['independent_batches'])} with independent batches"
        for p in a["plateau"]
    ]
    return lines


def _key_numbers(summary) -> list[str]:
    """The key numbers as Markdown lines (the HTML page shows the same lines)."""
    t = summary["tuned"]
    hb, gd = t["methods"]["heavy-ball"], t["methods"]["gd"]
    return [
        "D2L's `train_2d` runs (f = 0.1 x1^2 + 2 x2^2, start (-5, -2), 20 steps), reproduced:",
        "",
        *(
            f"- {r['method']} eta={r['eta']} beta={r['beta']}: `{r['line']}`"
            for r in summary["d2l_runs"]
        ),
        "",
        f"Tuned for the spectrum [{t['mu']}, {t['L']}]: heavy ball eta = {hb['exact']['eta']}, "
        f"beta = {hb['exact']['beta']}, rate {hb['exact']['rate']}; gradient descent "
        f"eta = {gd['exact']['eta']}, rate {gd['exact']['rate']}.",
        "",
        *_airfoil_lines(summary["airfoil"]),
        "",
        *_beyond_lines(summary["beyond_quadratics"]),
    ]


def _beyond_lines(b: dict) -> list[str]:
    w = b["worst_case"]
    cycle = ", ".join(f"{v:.4f}" for v in b["lessard_cycle_from_3.3"])
    return [
        f"Beyond quadratics, heavy ball at Polyak's tuning for [1, 25] (eta = {b['eta']:.4f}, "
        f"beta = {b['beta']:.4f}): on Lessard's function from x0 = 3.3 it settles on the "
        f"3-cycle {cycle}; {b['share_of_starts_cycling']:.0%} of the starts from -10 to 10 cycle. "
        f"Worst ratio f(x_N) - f* over f(x_0) - f* after N = {w['steps'][-1]} steps: "
        f"{w['smooth-strongly-convex'][-1]:.3g} over every smooth strongly convex function, "
        f"{w['quadratic'][-1]:.3g} over the quadratics.",
    ]


def _markdown(derivations, summary) -> str:
    parts = [
        "# Momentum, on quadratics and beyond: a checked report",
        "",
        "Every derivation below was verified step by step by SymPy before it was written "
        "(see `derivations.tex` for the standalone LaTeX). Every figure comes from the "
        "`numerics` package; `summary.json` holds the key numbers. "
        "[`explorer.html`](explorer.html) is an interactive page (offline, one file): move the "
        "step size and the momentum and watch the rate map, the eigenvalues and D2L's "
        "trajectory respond. `report.html` is this report in one file for any browser.",
        "",
        "## Key numbers",
        "",
        *_key_numbers(summary),
        "",
    ]
    for heading, opening, specs in sections(FIGURES):
        parts += [f"## Figures: {heading.lower()}", "", opening, ""]
        for spec in specs:
            why = missing(spec)
            shown = (
                f"![{spec.title}](figures/{spec.name}.png)"
                if why is None
                else f"*Not drawn: {why}.*"
            )
            parts += [f"### {spec.title}", "", spec.explanation, "", shown, ""]
    parts += ["## Derivations", ""]
    parts += [d.to_markdown() for d in derivations.values()]
    return "\n".join(parts)
