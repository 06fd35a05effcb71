"""Mutation check: plant known bugs one at a time and show the test suite catches each.

Run: python tests/mutation_check.py [-k TEXT] [--list] [--targets] [--full] [--no-baseline]

Each mutant is a one-line change to a copy of the project's files; the suite
must fail on it. A mutant that survives is a missing property. Each mutant may
name the tests expected to catch it: those run first (seconds), and only if
they pass does the whole suite run, so a survivor is always judged by the
whole suite. ``--full`` skips the named tests and runs the whole suite for
every mutant.

Mutants target distinctive source lines; the code moves under them. A mutant
whose original text is not found exactly once is reported ``NOT FOUND`` (it is
neither killed nor survived) so its target can be updated; the exit code is
then 2. Exit code 1: some mutant survived; 0: every mutant killed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: a run longer than this counts the mutant as killed (it hangs: a user would notice)
TIMEOUT = 900

#: (name, file, original text, mutated text[, tests that should catch it])
MUTANTS = [
    (
        "sign in R (x <- x + eta v)",
        "theory/methods.py",
        "updates=((v, beta * v + grad(x)), (x, x - eta * v)),",
        "updates=((v, beta * v + grad(x)), (x, x + eta * v)),",
        ("tests/test_rates.py",),
    ),
    (
        "stated edge 2 + 2 beta -> 2 + beta",
        "theory/methods.py",
        "lt(eta * lam, 2 * (1 + beta))",
        "lt(eta * lam, 2 + beta)",
        ("tests/test_stability.py",),
    ),
    (
        "complex-regime rate 2 sqrt(beta) (theory)",
        "theory/momentum.py",
        "(sp.sqrt(beta), disc < 0),",
        "(2 * sp.sqrt(beta), disc < 0),",
        ("tests/test_momentum.py",),
    ),
    (
        "complex-regime rate 2 sqrt(beta) (numerics)",
        "numerics/rates.py",
        "return [*terms, np.where(real, 0.0, -b), c, np.sqrt(np.abs(b))]",
        "return [*terms, np.where(real, 0.0, -b), c, 2 * np.sqrt(np.abs(b))]",
        ("tests/test_rates.py",),
    ),
    (
        "eta dropped from the decoupled update",
        "theory/decoupling.py",
        "            (eye - eta * Lam) * z,",
        "            (eye - Lam) * z,",
        ("tests/test_decoupling.py",),
    ),
    (
        "D2L's sign in the completed square",
        "theory/quadratic.py",
        "square = _half_square(xn - xs, Qn)",
        "square = _half_square(xn + xs, Qn)",
        ("tests/test_quadratic.py",),
    ),
    (
        "off-by-one step in the simulator",
        "numerics/simulate.py",
        "for k in range(1, steps + 1):",
        "for k in range(0, steps):",
        ("tests/test_simulate.py",),
    ),
    (
        "wrong tuning formula (2 instead of 4)",
        "theory/tuning.py",
        "4 / (sp.sqrt(L) + sp.sqrt(mu)) ** 2,",
        "2 / (sp.sqrt(L) + sp.sqrt(mu)) ** 2,",
        ("tests/test_tuning.py",),
    ),
    (
        "regime switch at the wrong discriminant sign",
        "numerics/rates.py",
        "[rho >= 1, critical, disc < 0, trace > 0],",
        "[rho >= 1, critical, disc > 0, trace > 0],",
        ("tests/test_rates.py",),
    ),
    (
        "gd rate |1 + eta lam|",
        "numerics/rates.py",
        "np.subtract(eta_lam, 1.0, out=out)",
        "np.add(eta_lam, 1.0, out=out)",
        ("tests/test_rates.py",),
    ),
    (
        "worst case at one end only",
        "numerics/grids.py",
        "spectral_radius(eta, beta, mu, method), spectral_radius(eta, beta, L, method)",
        "spectral_radius(eta, beta, mu, method), spectral_radius(eta, beta, mu, method)",
        ("tests/test_grids.py",),
    ),
    (
        "Nesterov's stated edge with 1 + beta",
        "theory/methods.py",
        "lt((1 + 2 * beta) * eta * lam, 2 + 2 * beta)",
        "lt((1 + beta) * eta * lam, 2 + 2 * beta)",
        ("tests/test_methods.py",),
    ),
    (
        "noise variance with 2 + beta",
        "theory/noise.py",
        "(lam * (1 - beta) * (2 + 2 * beta - eta * lam))",
        "(lam * (1 - beta) * (2 + beta - eta * lam))",
        ("tests/test_noise.py",),
    ),
    (
        "torch's first step damped",
        "theory/methods.py",
        "first_updates=((v, _g_wd), (x, x - eta * v)),",
        "first_updates=((v, (1 - dampening) * _g_wd), (x, x - eta * v)),",
        ("tests/test_torch.py",),
    ),
    (
        "airfoil standardised with ddof=1",
        "numerics/airfoil.py",
        "data.std(axis=0)",
        "data.std(axis=0, ddof=1)",
        ("tests/test_airfoil.py",),
    ),
    (
        "Monte-Carlo interval too narrow (z = 1)",
        "numerics/noise.py",
        "half = Z99 * float(per_chain.std(ddof=1)) / np.sqrt(chains)",
        "half = float(per_chain.std(ddof=1)) / np.sqrt(chains)",
        ("tests/test_noise.py",),
    ),
    # --- issue 13: numerics conventions and boundaries; stochastic and data paths ---
    (
        "rho = 1 counted as stable",
        "numerics/rates.py",
        "return spectral_radius(eta, beta, lam, method, **params) < 1.0",
        "return spectral_radius(eta, beta, lam, method, **params) <= 1.0",
        ("tests/test_rates.py",),
    ),
    (
        "grid counts rho = 1 as stable",
        "numerics/grids.py",
        "return self.rho < 1\n",
        "return self.rho <= 1\n",
        ("tests/test_rates.py",),
    ),
    (
        "regime at rho = 1 not divergent",
        "numerics/rates.py",
        "[rho >= 1, critical, disc < 0, trace > 0],",
        "[rho > 1, critical, disc < 0, trace > 0],",
        ("tests/test_rates.py",),
    ),
    (
        "eigenvalues: the smaller root first",
        "numerics/rates.py",
        "sign = np.where(half >= 0, 1.0, -1.0)",
        "sign = np.where(half >= 0, -1.0, 1.0)",
        ("tests/test_rates.py",),
    ),
    (
        "eigenvalues of 3-state methods smallest first",
        "numerics/rates.py",
        "np.argsort(-np.abs(roots), axis=-1)",
        "np.argsort(np.abs(roots), axis=-1)",
        ("tests/test_rates.py",),
    ),
    (
        "companion matrix with the wrong sign",
        "numerics/rates.py",
        "comp[..., 0, i] = -c / lead",
        "comp[..., 0, i] = c / lead",
        ("tests/test_rates.py",),
    ),
    (
        "volume summary counts rho = 1 as stable",
        "numerics/grids.py",
        "count += int(np.count_nonzero(out < 1))",
        "count += int(np.count_nonzero(out <= 1))",
        ("tests/test_grids.py",),
    ),
    (
        "best_for_spectrum: row offset lost in later chunks",
        "numerics/grids.py",
        "best = (float(e[i + k]), float(b[j]), float(rho[k, j]))",
        "best = (float(e[k]), float(b[j]), float(rho[k, j]))",
        ("tests/test_grids.py",),
    ),
    (
        "best_for_spectrum: last chunk skipped",
        "numerics/grids.py",
        "for i in range(0, e.size, rows):",
        "for i in range(0, e.size - rows, rows):",
        ("tests/test_grids.py",),
    ),
    (
        "volume summary: last column block skipped",
        "numerics/grids.py",
        "for j in range(0, b.size, cols)",
        "for j in range(0, b.size - cols, cols)",
        ("tests/test_grids.py",),
    ),
    (
        "tune_numeric returns the grid start, not the refined point",
        "numerics/tuning.py",
        "best = res.x if res.fun <= objective(start) and abs",
        "best = res.x if res.fun > objective(start) and abs",
        ("tests/test_tuning.py",),
    ),
    (
        "tune_numeric swaps eta and beta",
        "numerics/tuning.py",
        "NumericTuning(m.name, eta, float(best[1]), objective(best))",
        "NumericTuning(m.name, float(best[1]), eta, objective(best))",
        ("tests/test_tuning.py",),
    ),
    (
        "upper critical curve without its 1/(2a)",
        "numerics/plots/maps.py",
        "curves = [(-b - root) / (2 * a), (-b + root) / (2 * a)]",
        "curves = [(-b - root) / (2 * a), (-b + root) / a]",
        ("tests/test_plots_maps.py",),
    ),
    (
        "regime labels at the least deep point of their region",
        "numerics/plots/maps.py",
        "i, j = np.unravel_index(np.argmax(score), score.shape)",
        "i, j = np.unravel_index(np.argmin(score), score.shape)",
        ("tests/test_plots_maps.py",),
    ),
    (
        "divergence edge: smallest converging reported as largest",
        "numerics/airfoil.py",
        "float(etas[conv].max()) if conv.any()",
        "float(etas[conv].min()) if conv.any()",
        ("tests/test_airfoil.py",),
    ),
    (
        "divergence edge predicted with 2 + beta",
        "numerics/airfoil.py",
        "predicted = 2 * (1 + beta) / float(quad.eigenvalues.max())",
        "predicted = (2 + beta) / float(quad.eigenvalues.max())",
        ("tests/test_airfoil.py",),
    ),
    (
        "divergence threshold without its floor",
        "numerics/simulate.py",
        "start = max(float(np.abs(x0 - xstar).max()), 1.0)",
        "start = float(np.abs(x0 - xstar).max())",
        ("tests/test_simulate.py",),
    ),
    (
        "divergence at 10 times the start",
        "numerics/simulate.py",
        "DIVERGENCE_GROWTH = 100.0",
        "DIVERGENCE_GROWTH = 10.0",
        ("tests/test_simulate.py",),
    ),
    (
        "divergence step overwritten by later steps",
        "numerics/simulate.py",
        "newly = (diverged_at < 0) & ~(dist <= DIVERGENCE_GROWTH * start)",
        "newly = ~(dist <= DIVERGENCE_GROWTH * start)",
        ("tests/test_simulate.py",),
    ),
    (
        "Monte-Carlo noise drawn with std sigma^2",
        "numerics/noise.py",
        "eps[:] = rng.normal(0.0, sigma, chains)",
        "eps[:] = rng.normal(0.0, sigma**2, chains)",
        ("tests/test_noise.py",),
    ),
    (
        "Monte Carlo ignores its seed",
        "numerics/noise.py",
        "rng = np.random.default_rng(seed)",
        "rng = np.random.default_rng(0)",
        ("tests/test_noise.py",),
    ),
    (
        "Monte Carlo averages one step short",
        "numerics/noise.py",
        "if k >= steps:",
        "if k > steps:",
        ("tests/test_noise.py",),
    ),
    (
        "stationary variance with sigma for sigma^2",
        "numerics/noise.py",
        "variance = unit * sigma * sigma",
        "variance = unit * sigma",
        ("tests/test_noise.py",),
    ),
    (
        "training ignores its seed",
        "numerics/airfoil.py",
        "rng = np.random.default_rng(seed)",
        "rng = np.random.default_rng(0)",
        ("tests/test_airfoil.py",),
    ),
    (
        "partial last batch divided by the full batch size",
        "numerics/airfoil.py",
        "gradient = _batch_gradient(A[idx], y[idx], idx.size)",
        "gradient = _batch_gradient(A[idx], y[idx], batch_size)",
        ("tests/test_airfoil.py",),
    ),
    (
        "partial last batch dropped",
        "numerics/airfoil.py",
        "for i in range(0, n, batch_size):",
        "for i in range(0, n - batch_size + 1, batch_size):",
        ("tests/test_airfoil.py",),
    ),
    (
        "losses recorded only at exact multiples of 200",
        "numerics/airfoil.py",
        "crossed = (seen + idx.size) // record_every > seen // record_every",
        "crossed = (seen + idx.size) % record_every == 0",
        ("tests/test_airfoil.py",),
    ),
    (
        "seconds per epoch not divided by epochs",
        "numerics/airfoil.py",
        "clock / epochs,",
        "clock,",
        ("tests/test_airfoil.py",),
    ),
    (
        "gradient-noise covariance over n - 1",
        "numerics/airfoil.py",
        "C = G.T @ G / n",
        "C = G.T @ G / (n - 1)",
        ("tests/test_airfoil.py",),
    ),
    (
        "finite-population factor over n",
        "numerics/airfoil.py",
        "(n - batch_size) / max(n - 1, 1)",
        "(n - batch_size) / max(n, 1)",
        ("tests/test_airfoil.py",),
    ),
    (
        "identified polynomial with its coefficients reversed",
        "numerics/testing/identify.py",
        "coefficients = np.concatenate([[1.0], -a[::-1]])",
        "coefficients = np.concatenate([[1.0], -a])",
    ),
    (
        "assert_matches 1000 times too lenient",
        "numerics/testing/matching.py",
        "~(np.abs(observed - expected) <= tolerance)",
        "~(np.abs(observed - expected) <= 1e3 * tolerance)",
    ),
    (
        "inside_region past the edge",
        "numerics/testing/strategies.py",
        "draw(floats(margin, 1 - margin)) * edge",
        "draw(floats(margin, 1 + margin)) * edge",
    ),
    (
        "least-squares minimum with the wrong sign",
        "numerics/airfoil.py",
        "return float(self.b + 0.5 * self.c @ self.minimizer)",
        "return float(self.b - 0.5 * self.c @ self.minimizer)",
        ("tests/test_airfoil.py",),
    ),
    (
        "plateau predicted without the 1/2",
        "numerics/airfoil.py",
        "return 0.5 * sum(\n        float(l * stationary_covariance(",
        "return sum(\n        float(l * stationary_covariance(",
        ("tests/test_airfoil.py",),
    ),
    (
        "plateau observed over the first half of the losses",
        "numerics/airfoil.py",
        "loss[loss.size // 2 :]",
        "loss[: loss.size // 2]",
        ("tests/test_airfoil.py",),
    ),
    (
        "trajectory errors in the max norm",
        "numerics/simulate.py",
        "return np.linalg.norm(self.x - self.minimizer, axis=-1)",
        "return np.abs(self.x - self.minimizer).max(axis=-1)",
        ("tests/test_simulate.py",),
    ),
    # --- issue 13: the command line, files, QHM ---
    (
        "rate JSON: beta echoed as eta",
        "momentum_cli/commands.py",
        'out["eta"] = eta\n',
        'out["eta"] = beta\n',
        ("tests/test_cli_values.py",),
    ),
    (
        "rate JSON: rho = 1 reported stable",
        "numerics/exact.py",
        "        if not abs(const) < abs(lead):",
        "        if not abs(const) <= abs(lead):",
        ("tests/test_cli_values.py",),
    ),
    (
        "rate: largest stable curvature without beta",
        "momentum_cli/commands.py",
        "lam_max = float(numerics.max_stable_lam(eta, beta, method, **params))",
        "lam_max = float(numerics.max_stable_lam(eta, 0.0, method, **params))",
        ("tests/test_cli_values.py",),
    ),
    (
        "rate text: eta and beta swapped",
        "momentum_cli/commands.py",
        'lines.append(f"{args.method}: eta={eta:g} beta={beta:g}" + _torch_note(params))',
        'lines.append(f"{args.method}: eta={beta:g} beta={eta:g}" + _torch_note(params))',
        ("tests/test_cli_values.py",),
    ),
    (
        "stability ignores --lam",
        "momentum_cli/commands.py",
        "grid = numerics.rate_grid(eta_axis, beta_axis, float(args.lam), method, **params)",
        "grid = numerics.rate_grid(eta_axis, beta_axis, 1.0, method, **params)",
        ("tests/test_cli_values.py",),
    ),
    (
        "stability: eta = 0 points left out of the fraction's total",
        "momentum_cli/commands.py",
        "total = eta_spec[2] * grid.beta.size",
        "total = grid.eta.size * grid.beta.size",
        ("tests/test_cli_values.py",),
    ),
    (
        "stability: gd's best beta not zeroed",
        "momentum_cli/commands.py",
        "b = 0.0  # gradient descent has no beta",
        "b = b  # gradient descent has no beta",
        ("tests/test_cli_values.py",),
    ),
    (
        "tune JSON: mu and L swapped",
        "momentum_cli/commands.py",
        '"mu": float(mu),\n        "L": float(L),',
        '"mu": float(L),\n        "L": float(mu),',
        ("tests/test_cli_values.py",),
    ),
    (
        "simulate JSON: eta and beta swapped",
        "momentum_cli/commands.py",
        '"eta": float(args.eta),\n                "beta": beta,',
        '"eta": beta,\n                "beta": float(args.eta),',
        ("tests/test_cli_values.py",),
    ),
    (
        "simulate JSON: trajectory without x0",
        "momentum_cli/commands.py",
        "for row in run.x[:, 0, :]]",
        "for row in run.x[1:, 0, :]]",
        ("tests/test_cli_values.py",),
    ),
    (
        "noise JSON: expected excess loss without lambda/2",
        "momentum_cli/data_commands.py",
        '"expected_excess_loss": lam / 2 * variance,',
        '"expected_excess_loss": variance,',
        ("tests/test_cli_values.py",),
    ),
    (
        "noise JSON: sigma echoed as sigma^2",
        "momentum_cli/data_commands.py",
        '"sigma": sigma,',
        '"sigma": sigma**2,',
        ("tests/test_cli_values.py",),
    ),
    (
        "noise ignores --seed",
        "momentum_cli/data_commands.py",
        "chains=args.chains, seed=seed_of(args),",
        "chains=args.chains, seed=0,",
        ("tests/test_cli_values.py",),
    ),
    (
        "train: edge from the smallest eigenvalue",
        "numerics/minibatch_edge.py",
        "edge = float(max_stable_lam(1.0, momentum, method, **params)) / float(lam[-1])",
        "edge = float(max_stable_lam(1.0, momentum, method, **params)) / float(lam[0])",
        ("tests/test_cli_values.py",),
    ),
    (
        "--beta 1 accepted",
        "momentum_cli/options.py",
        "and args.beta < 1\n",
        "and args.beta <= 1\n",
        ("tests/test_cli_values.py",),
    ),
    (
        "--beta -1 accepted for heavy ball",
        "momentum_cli/options.py",
        "else args.beta > -1)",
        "else args.beta >= -1)",
        ("tests/test_cli_values.py",),
    ),
    (
        "--nu 1 refused",
        "momentum_cli/options.py",
        "if not 0 <= nu <= 1:",
        "if not 0 <= nu < 1:",
        ("tests/test_cli_values.py",),
    ),
    (
        "QHM's default nu 0.3",
        "momentum_cli/options.py",
        "QHM_DEFAULT_NU = Fraction(7, 10)",
        "QHM_DEFAULT_NU = Fraction(3, 10)",
        ("tests/test_cli_values.py",),
    ),
    (
        "--seed 2**32 accepted",
        "momentum_cli/options.py",
        "if not 0 <= args.seed < 2**32:",
        "if not 0 <= args.seed <= 2**32:",
        ("tests/test_cli_values.py",),
    ),
    (
        "fraction p/q read as p*q",
        "momentum_cli/parsing.py",
        "value = value / int(den)",
        "value = value * int(den)",
        ("tests/test_cli.py",),
    ),
    (
        "written files keep a fixed mode 0644",
        "numerics/output/files.py",
        "if st else 0o666 & ~_umask())",
        "if st else 0o644)",
        ("tests/test_cli_values.py",),
    ),
    (
        "a replaced file loses its owner's mode",
        "numerics/output/files.py",
        "os.chmod(tmp, stat.S_IMODE(st.st_mode) if st else 0o666 & ~_umask())",
        "os.chmod(tmp, 0o666 & ~_umask())",
        ("tests/test_cli_values.py",),
    ),
    (
        "written directories keep a fixed mode 0755",
        "numerics/output/files.py",
        "os.chmod(tmp, 0o777 & ~_umask())",
        "os.chmod(tmp, 0o755)",
        ("tests/test_cli_values.py",),
    ),
    (
        "QHM: nu and 1 - nu swapped",
        "theory/methods.py",
        "(x, x - eta * ((1 - nu) * grad(x) + nu * buf)),",
        "(x, x - eta * (nu * grad(x) + (1 - nu) * buf)),",
        ("tests/test_qhm.py",),
    ),
    (
        "QHM: buffer not normalised by 1 - beta",
        "theory/methods.py",
        "(buf, beta * buf + (1 - beta) * grad(x)),",
        "(buf, beta * buf + grad(x)),",
        ("tests/test_qhm.py",),
    ),
    (
        "summary: predicted edge reported as the largest converging rate",
        "momentum_cli/report/build.py",
        '"predicted_max_lr": e.predicted,',
        '"predicted_max_lr": e.largest_converging,',
        ("tests/test_report.py",),
    ),
    (
        "summary: stability edge without beta",
        "momentum_cli/report/build.py",
        "float(numerics.max_stable_lam(1.0, b))",
        "float(numerics.max_stable_lam(1.0, 0.0))",
        ("tests/test_report.py",),
    ),
    (
        "summary: least-squares minimum is the constant term",
        "momentum_cli/report/build.py",
        '"least_squares_minimum": quad.minimum,',
        '"least_squares_minimum": quad.b,',
        ("tests/test_report.py",),
    ),
    (
        "QHM as run: nu and 1 - nu swapped in the generated update",
        "numerics/_generated_methods.py",
        "return -eta*(b*nu + (1 - nu)*g(x)) + x",
        "return -eta*(b*(1 - nu) + nu*g(x)) + x",
        ("tests/test_qhm.py",),
    ),
    (
        "QHM as run: nu and 1 - nu swapped in the generated trace",
        "numerics/_generated_methods.py",
        "return (eta*lam)*(beta*nu - 1) + (beta + 1)",
        "return (eta*lam)*(beta*(1 - nu) - 1) + (beta + 1)",
        ("tests/test_qhm.py",),
    ),
    # --- issue 23: the exact minibatch theory ---
    (
        "seeds: growth judged against the last record, not the start",
        "numerics/seeds.py",
        "limit = DIVERGENCE_LOSS_GROWTH * self.initial_losses[:, None]",
        "limit = DIVERGENCE_LOSS_GROWTH * self.losses[:, -1:]",
        ("tests/test_seeds.py",),
    ),
    (
        "edge table: every momentum's full-batch edge at momentum 0",
        "numerics/minibatch_edge.py",
        "full = np.array([full_batch_max_stable_lr(data, b, method, **params) for b in momenta])",
        "full = np.array([full_batch_max_stable_lr(data, 0.0, method, **params) for b in momenta])",
        ("tests/test_cli_minibatch.py",),
    ),
    (
        "tune_by_batch: gd's warm start trusted at its bracket's end",
        "numerics/minibatch_edge.py",
        "found = ((lr, momentum), r) if inside else None",
        "found = ((lr, momentum), r)",
        ("tests/test_minibatch_edge.py",),
    ),
    (
        "tune_by_batch: heavy ball started from a neighbour's answer unstable here",
        "numerics/minibatch_edge.py",
        "if not best_rate < 1:  # no start",
        "if start is None:  # no start",
        ("tests/test_minibatch_edge.py",),
    ),
    (
        "edge table: every momentum's full-batch edge at momentum 0 (library test)",
        "numerics/minibatch_edge.py",
        "full = np.array([full_batch_max_stable_lr(data, b, method, **params) for b in momenta])",
        "full = np.array([full_batch_max_stable_lr(data, 0.0, method, **params) for b in momenta])",
        ("tests/test_minibatch_edge.py",),
    ),
    (
        "report: the minibatch runs counted as never growing",
        "momentum_cli/report/figures.py",
        "out.append((float(m), float(f * edge), int(runs.grew.sum()), EDGE_SEEDS))",
        "out.append((float(m), float(f * edge), 0, EDGE_SEEDS))",
        ("tests/test_report_figures.py",),
    ),
    (
        "report: momentum's speed-up inverted in the tuning figure",
        "momentum_cli/report/figures.py",
        "speedup = gd_steps / hb_steps",
        "speedup = hb_steps / gd_steps",
        ("tests/test_report_figures.py",),
    ),
    (
        "full-batch edge with weight decay: the best curvature's, not the worst's",
        "numerics/minibatch_edge.py",
        "edge = float(np.min(max_stable_eta(momentum, lam, method, **params)))",
        "edge = float(np.max(max_stable_eta(momentum, lam, method, **params)))",
        ("tests/test_minibatch_edge.py",),
    ),
    (
        "minibatch: finite-population factor dropped (1/B without replacement too)",
        "numerics/minibatch.py",
        "return 1.0 / batch_size if replacement else (n - batch_size) / (batch_size * (n - 1))",
        "return 1.0 / batch_size",
        ("tests/test_minibatch.py", "tests/test_minibatch_monte_carlo.py"),
    ),
    (
        "minibatch: the operator's fourth-moment term dropped",
        "numerics/minibatch.py",
        'out = MSM + self.factor * np.einsum("a,b,ij->aibj", q, q, fourth)',
        "out = MSM",
        ("tests/test_minibatch.py", "tests/test_minibatch_monte_carlo.py"),
    ),
    (
        "minibatch: fourth moments dropped from the reduced operator (dense)",
        "numerics/minibatch_solve.py",
        "            C += P.T @ P",
        "            C += 0 * P.T @ P",
        ("tests/test_minibatch.py", "tests/test_minibatch_monte_carlo.py"),
    ),
    (
        "minibatch: fourth moments dropped from the reduced operator (matrix-free)",
        "numerics/minibatch_solve.py",
        "K = Bp.T @ Bp - Bm.T @ Bm",
        "K = Bp.T @ Bp",
        ("tests/test_minibatch_solve.py",),
    ),
    (
        "minibatch: a sign in the closed-form Stein solution",
        "numerics/minibatch_solve.py",
        "rhs = [tau * ac[i] - c[i] - acb[i] for i in range(4)]",
        "rhs = [tau * ac[i] - c[i] + acb[i] for i in range(4)]",
        ("tests/test_minibatch_solve.py",),
    ),
    (
        "training: diverged judged on 10^4 times the excess loss again",
        "numerics/airfoil.py",
        "        start = self.initial_loss\n",
        "        start = 100 * (self.initial_loss - self.minimum)\n",
        ("tests/test_airfoil.py",),
    ),
    (
        "train JSON: the full-batch edge reported as the mean-square one",
        "momentum_cli/data_commands.py",
        '"minibatch_max_stable_lr": edge,',
        '"minibatch_max_stable_lr": max_lr,',
        ("tests/test_cli_minibatch.py",),
    ),
    (
        "edge JSON: the minibatch edge reported as the full-batch one",
        "momentum_cli/minibatch_commands.py",
        '"full_batch_max_stable_lr": float(table.full[i]),',
        '"full_batch_max_stable_lr": float(table.minibatch[i, j]),',
        ("tests/test_cli_minibatch.py",),
    ),
    (
        "tune --batch-size JSON: gd's rate is the tuned method's",
        "momentum_cli/minibatch_commands.py",
        '"gd_rate": gd.rate,',
        '"gd_rate": tuned.rate,',
        ("tests/test_cli_minibatch.py",),
    ),
    (
        "data file: any script's digits taken as numbers",
        "numerics/regression_file.py",
        r'_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)',
        r'_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")',
        ("tests/test_regression_file.py",),
    ),
    # --- issue 27: the Hessian of a model ---
    (
        "batched Hessian without the 1/N of the mean",
        "numerics/hessian.py",
        "out = [t / total for t in out]",
        "out = list(out)",
        ("tests/test_hessian.py",),
    ),
    (
        "batch Hessians weighted equally",
        "numerics/hessian.py",
        "weight = float(len(x))",
        "weight = 1.0",
        ("tests/test_hessian.py",),
    ),
    (
        "model tuning: the edge from L at momentum 0 whatever the momentum",
        "numerics/model_tuning.py",
        "lr = float(max_stable_eta(edge_beta, L, method, **params))",
        "lr = float(max_stable_eta(0.0, L, method, **params))",
        ("tests/test_model_tuning.py",),
    ),
    (
        "--from-model: the current folder not importable",
        "momentum_cli/model_commands.py",
        "        sys.path.insert(0, os.getcwd())",
        "        pass",
        ("tests/test_model_commands.py",),
    ),
    (
        "edge of stability: the plateau over the whole run, not from the rise",
        "numerics/edge_of_stability.py",
        "after = sharpness[risen[0] :] if risen.size else np.empty(0)",
        "after = sharpness if risen.size else np.empty(0)",
        ("tests/test_edge_of_stability.py",),
    ),
    (
        "edge of stability: every method held to gradient descent's edge 2/eta",
        "numerics/edge_of_stability.py",
        "threshold = float(max_stable_lam(eta, beta, method))",
        'threshold = float(max_stable_lam(eta, 0.0, "gd"))',
        ("tests/test_edge_of_stability.py",),
    ),
    (
        "edge of stability: torch's momentum buffer not decayed",
        "numerics/edge_of_stability.py",
        "        v.mul_(beta).add_(g)",
        "        v.add_(g)",
        ("tests/test_edge_of_stability.py",),
    ),
    (
        "edge of stability: the loss's falls counted as its rises",
        "numerics/edge_of_stability.py",
        "np.diff(self.loss[self.rise :]) > 0",
        "np.diff(self.loss[self.rise :]) < 0",
        ("tests/test_edge_of_stability.py",),
    ),
    (
        "model tuning: mu trusted whenever positive, its Lanczos error ignored",
        "numerics/model_tuning.py",
        "reliable = bool(np.isfinite(mu) and mu - error > 0)",
        "reliable = bool(np.isfinite(mu) and mu > 0)",
        ("tests/test_model_tuning.py",),
    ),
    (
        "hessian_spectrum: the model's buffers used in place (BatchNorm's statistics written)",
        "numerics/hessian.py",
        "n: (t.detach().to(dtype, copy=True) if t.is_floating_point() else t.detach().clone())",
        "n: (t.detach().to(dtype) if t.is_floating_point() else t)",
        ("tests/test_hessian.py",),
    ),
    (
        "report: a figure drawn without the package it needs",
        "momentum_cli/report/build.py",
        "drawn = [spec for spec in FIGURES if missing(spec) is None]",
        "drawn = list(FIGURES)",
        ("tests/test_report.py",),
    ),
]


# --- printed = checked (issue 12): wrong signs in printed forms and unchecked results ---
PRINTED_MUTANTS = [
    (
        "printing.polynomial drops a coefficient's minus sign",
        "theory/engine/printing.py",
        "terms.append(sp.Mul(-1, term, evaluate=False) if negative else term)",
        "terms.append(term)",
        ("tests/test_stability.py", "tests/test_momentum.py"),
    ),
    (
        "printed roots of heavy ball with -(1 + beta - eta lambda)",
        "theory/momentum.py",
        "sp.Add(*s.args, PM * sp.sqrt(disc), evaluate=False),",
        "sp.Add(*(-a for a in s.args), PM * sp.sqrt(disc), evaluate=False),",
        ("tests/test_momentum.py",),
    ),
    (
        "LaTeX printer writes + for a negative term",
        "theory/engine/printing.py",
        'elif i and term.could_extract_minus_sign():\n                out += " - "',
        'elif i and term.could_extract_minus_sign():\n                out += " + "',
        ("tests/test_derivation.py",),
    ),
    (
        "text printer writes + for a negative term",
        "theory/engine/reader_text.py",
        'elif i and term.could_extract_minus_sign():\n                out += " − "',
        'elif i and term.could_extract_minus_sign():\n                out += " + "',
        ("tests/test_derivation.py",),
    ),
    (
        "equivalent() ignores strictness",
        "theory/engine/checking.py",
        "    if strict_a != strict_b:",
        "    if False:",
        ("tests/test_derivation.py",),
    ),
    (
        "gradient descent's rate without its Abs",
        "theory/gradient_descent.py",
        '"rate": sp.Abs(R),',
        '"rate": R,',
        ("tests/test_gradient_descent.py",),
    ),
    (
        "Nesterov's tuned eta as 4/(L + 3 mu)",
        "theory/nesterov.py",
        '"eta": 4 / (3 * L + mu),',
        '"eta": 4 / (L + 3 * mu),',
        ("tests/test_document.py::test_every_printed_claim_of_every_derivation_is_proven",),
    ),
]
MUTANTS += PRINTED_MUTANTS

# --- the worst case over a function class (issue 26) ---
MUTANTS += [
    (
        "quadratic worst case looks only at the spectrum's ends",
        "numerics/performance.py",
        "candidates = np.concatenate([[mu, L], inside[(inside > mu) & (inside < L)]])",
        "candidates = np.array([mu, L])",
        ("tests/test_performance.py",),
    ),
    (
        "the program scaled to L = 1 keeps the unscaled step",
        "numerics/performance.py",
        "xN = iterate(m, x0, eta * L, beta, f.gradient, steps, **params)[-1]",
        "xN = iterate(m, x0, eta, beta, f.gradient, steps, **params)[-1]",
        ("tests/test_performance.py",),
    ),
    (
        "Lessard's middle piece mistyped (x + 23)",
        "numerics/lessard.py",
        "np.where(x < 2, x + 24, 25 * x - 24)",
        "np.where(x < 2, x + 23, 25 * x - 24)",
        ("tests/test_lessard.py",),
    ),
    (
        "cycle conic: + 2 beta phi in the constant term",
        "numerics/class_regions.py",
        "+ 2 * kappa * (1 - phi) * (1 + beta**2 - 2 * beta * phi)",
        "+ 2 * kappa * (1 - phi) * (1 + beta**2 + 2 * beta * phi)",
        ("tests/test_class_regions.py",),
    ),
    (
        "Ghadimi's edge with 1 + beta",
        "numerics/class_regions.py",
        "return np.where((beta >= 0) & (beta < 1), 2 * (1 - beta) / L, np.nan)",
        "return np.where((beta >= 0) & (beta < 1), 2 * (1 + beta) / L, np.nan)",
        ("tests/test_class_regions.py",),
    ),
]

# --- issue 24, numbers: the float range's ends, |beta| next to 1, rho = 1 within rounding ---
NUMBERS_MUTANTS = [
    (
        "max_stable_eta: its edges evaluated in double (lam (2 beta + 1) overflows)",
        "numerics/methods.py",
        "args = [np.asarray(a, np.longdouble) for a in (b, lm, *self.extra_values(params))]",
        "args = [np.asarray(a, float) for a in (b, lm, *self.extra_values(params))]",
        ("tests/test_rates.py",),
    ),
    (
        "stability probe decided by the float rho where it is 1 within rounding",
        "numerics/rates.py",
        "unsure = np.flatnonzero(np.abs(rho - 1.0) <= _ROOT_PRECISION)",
        "unsure = np.flatnonzero(np.zeros(rho.shape, bool))",
        ("tests/test_rates.py",),
    ),
    (
        "sqrt|beta| rounded twice (long double, then double)",
        "numerics/rates.py",
        "return [*terms, np.where(real, 0.0, -b), c, np.sqrt(np.abs(b))]",
        "return [*terms, np.where(real, 0.0, -b), c, root.astype(float)]",
        ("tests/test_compiled.py",),
    ),
    (
        "numba kernel: a complex pair's rate by max(d, 0)",
        "numerics/compiled.py",
        "    if d < 0.0:  # a complex pair: its modulus, as the NumPy kernel (|hh - c| may round above it)\n"
        "        return sb\n"
        "    return max(abs(hh - c) + math.sqrt(d), sb)",
        "    return max(abs(hh - c) + math.sqrt(max(d, 0.0)), sb)",
        ("tests/test_compiled.py",),
    ),
    (
        "regime boundaries: the quadratic's roots by the formula that cancels",
        "numerics/regimes.py",
        "q = -(b + (1 if b >= 0 else -1) * _sqrt(disc)) / 2",
        "q = -(b - (1 if b >= 0 else -1) * _sqrt(disc)) / 2",
        ("tests/test_regimes.py",),
    ),
    (
        "regime boundaries: regimes between them from the float rho",
        "numerics/regimes.py",
        "labels = [exact.regime(m, e, b, float(x), values) for x in mids]",
        "labels = [None for x in mids]",
        ("tests/test_regimes.py",),
    ),
    (
        "verdict: rho = 1 within rounding judged by the float rho",
        "numerics/regimes.py",
        "    if not exact.marginal(rho):",
        "    if True:",
        ("tests/test_regimes.py",),
    ),
    (
        "gd's regime (one state) with the sign of its root reversed",
        "numerics/exact.py",
        'return "critical" if a == 0 else "monotone" if a > 0 else "oscillating"',
        'return "critical" if a == 0 else "monotone" if a < 0 else "oscillating"',
        ("tests/test_regimes.py",),
    ),
    (
        "QHM at nu = 0: the buffer's mode taken for x's rate",
        "numerics/rates.py",
        "        np.copyto(out, np.abs(own), where=alone)",
        "        pass",
        ("tests/test_qhm.py",),
    ),
    (
        "x alone where its coupling is nonzero",
        "numerics/methods.py",
        "mask &= np.asarray(c) == 0",
        "mask &= np.asarray(c) != 0",
        ("tests/test_qhm.py",),
    ),
]
NUMBERS_MUTANTS += [
    (
        "definiteness of a float matrix by its smallest float eigenvalue",
        "theory/quadratic.py",
        "    n = Q.shape[0]\n    if all(e.is_Rational or e.is_Float for e in Q):",
        "    n = Q.shape[0]\n    if any(e.is_Float for e in Q):\n        import numpy as np\n\n"
        "        return bool(np.linalg.eigvalsh(np.array(Q.evalf(), dtype=float)).min() > 0)\n"
        "    if all(e.is_Rational or e.is_Float for e in Q):",
        ("tests/test_quadratic.py",),
    ),
    (
        "float claims to an absolute 1e-9 whatever the size of their numbers",
        "theory/engine/checking.py",
        "return all(abs(complex(sp.N(c))) <= FLOAT_ATOL * scale for c in coeffs)",
        "return all(abs(complex(sp.N(c))) <= FLOAT_ATOL for c in coeffs)",
        ("tests/test_decoupling.py",),
    ),
    (
        "an exact minimizer derived however long its numbers",
        "theory/quadratic.py",
        "    limit_bits = int(MAX_RESULT_DIGITS / 0.30103)",
        "    limit_bits = None",
        ("tests/test_quadratic.py",),
    ),
    (
        "numeric tuning on the spectrum as given, however small",
        "numerics/tuning.py",
        "    shift = round(math.log2(L_given)) if m.scale_free else 0",
        "    shift = 0",
        ("tests/test_tuning.py",),
    ),
    (
        "a number given as a list taken for a number",
        "theory/quadratic.py",
        "    if not (isinstance(number, sp.Expr) and number.is_number):",
        "    if not number.is_number:",
        ("tests/test_quadratic.py",),
    ),
]
MUTANTS += NUMBERS_MUTANTS

# --- issue 24, library: what a caller passes is checked as eta and beta are ---
LIBRARY_MUTANTS = [
    (
        "a method's further parameters read by numpy unchecked",
        "numerics/methods.py",
        "            value = real_array(params[name], name)",
        "            value = np.asarray(params[name], dtype=float)",
        ("tests/test_fuzz_library.py",),
    ),
    (
        "nu, dampening and weight decay out of their ranges accepted",
        "numerics/methods.py",
        "            allowed = PARAMETER_RANGES.get(name)",
        "            allowed = None",
        ("tests/test_fuzz_library.py",),
    ),
    (
        "the size guard compares with the limit squared",
        "numerics/checks.py",
        "    if n > MAX_POINTS:",
        "    if n > MAX_POINTS**2:",
        ("tests/test_fuzz_library.py",),
    ),
    (
        "torch tensors handed to numpy as they are",
        "numerics/checks.py",
        "            value = _detached(value)",
        "            value = value",
        ("tests/test_fuzz_library.py",),
    ),
    (
        "exact_tuning lets NaN's ValueError through",
        "numerics/tuning.py",
        "    except (TypeError, ValueError, OverflowError) as exc:  # NaN, infinity, text, complex",
        "    except TypeError as exc:  # NaN, infinity, text, complex",
        ("tests/test_tuning.py",),
    ),
    (
        "identify takes any residual tolerance",
        "numerics/testing/identify.py",
        "    if not tol > 0:",
        "    if tol < 0:",
        ("tests/test_testing_identify.py",),
    ),
    (
        "a complex trajectory truncated to its real part",
        "numerics/testing/trajectories.py",
        '        xs = real_array(raw, "the trajectory", finite=False)',
        "        xs = np.asarray(raw).real.astype(float)",
        ("tests/test_testing_matching.py",),
    ),
]
MUTANTS += LIBRARY_MUTANTS

# --- issue 24, tests that bite: one-point bugs the suite let through before ---
BITE_MUTANTS = [
    (
        "roots_of checks the plus sign's root only",
        "theory/engine/claims.py",
        "for r in (plus, minus)) and not is_zero(",
        "for r in (plus,)) and not is_zero(",
        ("tests/test_derivation.py",),
    ),
    (
        "text printer drops a sum's leading minus",
        "theory/engine/reader_text.py",
        '            elif term.could_extract_minus_sign():\n                out += "−"',
        '            elif term.could_extract_minus_sign():\n                out += ""',
        ("tests/test_reader_text.py",),
    ),
    (
        "text printer drops a product's negative coefficient",
        "theory/engine/reader_text.py",
        '            sign = "−"\n            factors = [(-f if f is coeff[0] else f) for f in factors]',
        '            sign = ""\n            factors = [(-f if f is coeff[0] else f) for f in factors]',
        ("tests/test_reader_text.py",),
    ),
    (
        "gd's regime change at eta lam = 1 not located",
        "numerics/regimes.py",
        "        polys = [[exact.rational(c[1]) for c in samples]]",
        "        polys = []",
        ("tests/test_regimes.py",),
    ),
    (
        "divergence rate fitted through the transient",
        "numerics/divergence.py",
        "        steps = steps[steps.size // 2 :]",
        "        steps = steps[:]",
        ("tests/test_divergence.py",),
    ),
    (
        "growing coordinate chosen by its size, not its growth",
        "numerics/divergence.py",
        "        ratio = err[at] / start",
        "        ratio = err[at]",
        ("tests/test_divergence.py",),
    ),
    (
        "identify's residual over the fitted rows only",
        "numerics/testing/identify.py",
        "    residual = float(np.abs(A @ a - y).max())",
        "    residual = float(np.abs(A[early] @ a - y[early]).max())",
        ("tests/test_testing_identify.py",),
    ),
    (
        "assert_matches lets a NaN iterate pass",
        "numerics/testing/matching.py",
        "differs = np.isfinite(expected) & ~(np.abs(observed - expected) <= tolerance)",
        "differs = np.isfinite(expected) & (np.abs(observed - expected) > tolerance)",
        ("tests/test_testing_matching.py",),
    ),
    (
        "a grid LO:HI:1 accepted on the command line",
        "momentum_cli/parsing.py",
        "    if not 2 <= n <= MAX_GRID:",
        "    if not 1 <= n <= MAX_GRID:",
        ("tests/test_parsing.py",),
    ),
    (
        "an axis of one point accepted by the library",
        "numerics/grids.py",
        "2 <= n <= MAX_GRID_POINTS",
        "1 <= n <= MAX_GRID_POINTS",
        ("tests/test_grids.py",),
    ),
]
MUTANTS += BITE_MUTANTS

# --- the surface a teacher prints (issue 25): typeset maths, readable results, messages ---
MUTANTS += [
    (
        "a wrong sign in the heavy-ball root moduli's sentence",
        "theory/momentum.py",
        "both = sp.Add(*s.args, PM * sp.sqrt(disc), evaluate=False)",
        "both = sp.Add(*s.args, -PM * sp.sqrt(disc), evaluate=False)",
        ("tests/test_momentum.py",),
    ),
    (
        "the report's steps without their MathML",
        "momentum_cli/report/html.py",
        'f"<li><p>{prose(step.text)}</p>\\n{step.mathml}\\n"',
        'f"<li><p>{prose(step.text)}</p>\\n"',
        ("tests/test_report_html.py",),
    ),
    (
        "the report's sentences as LaTeX read into text",
        "theory/engine/mathml.py",
        "    if not isinstance(text, Sentence):\n        return escape(to_plain(text))",
        "    if True:\n        return escape(to_plain(text))",
        ("tests/test_report_html.py", "tests/test_prose.py"),
    ),
    (
        "MathML sums in SymPy's order, not a person's",
        "theory/engine/mathml.py",
        "for i, term in enumerate(self._as_ordered_terms(expr)):",
        "for i, term in enumerate(expr.args):",
        ("tests/test_mathml.py",),
    ),
    (
        "the half of the minimum set inline, not as a fraction",
        "theory/engine/mathml.py",
        'return self._el("mfrac", self._el("mn", text=str(e.p)), self._el("mn", text=str(e.q)))',
        'return self._row(self._el("mn", text=str(e.p)), self._mo("/"), self._el("mn", text=str(e.q)))',
        ("tests/test_report_html.py",),
    ),
    (
        "the minimum a 1x1 matrix again",
        "theory/quadratic.py",
        "hstar = b - _entry(c.T * Q.I * c) / 2  # a scalar",
        "hstar = b * sp.Identity(1) - c.T * Q.I * c / 2  # a scalar",
        ("tests/test_quadratic.py",),
    ),
    (
        "lambda written bare in a result's text",
        "theory/engine/sympy_text.py",
        "return name.isidentifier() and not keyword.iskeyword(name) and name not in _TAKEN",
        "return name.isidentifier() and name not in _TAKEN",
        ("tests/test_sympy_text.py",),
    ),
    (
        "the collected tuning loses a term",
        "theory/engine/forms.py",
        "    top = sp.expand(top)",
        "    top = sp.expand(top).as_ordered_terms()[0]",
        ("tests/test_forms.py",),
    ),
    (
        "results left out of the LaTeX (the PDF)",
        "theory/engine/derivation.py",
        "        if self.results:\n            items",
        "        if False:\n            items",
        (
            "tests/test_report.py::test_the_pdfs_derivations_show_the_results_and_compile_without_overfull_boxes",
        ),
    ),
    (
        "assertion messages with %.17g again",
        "numerics/testing/matching.py",
        'f"at lambda = {shortest(lam)}, x0',
        'f"at lambda = {lam:.17g}, x0',
        ("tests/test_testing_matching.py",),
    ),
    (
        "claim messages with SymPy's fifteen digits",
        "theory/engine/sympy_text.py",
        "    def _print_Float(self, expr) -> str:\n        return _shortest(expr)\n\n\nclass _SympyText",
        "    pass\n\n\nclass _SympyText",
        ("tests/test_derivation.py",),
    ),
    (
        "MathML: a negated negative number loses its brackets (-(-1) as --1)",
        "theory/engine/mathml.py",
        "fence = inner.is_Add or (inner.is_Number and inner < 0)",
        "fence = inner.is_Add or (inner.is_Number and inner < 0) and False",
        ("tests/test_mathml.py",),
    ),
    (
        "the second moment computed with a step whose entries overflow in pairs (nesterov 1e153)",
        "numerics/minibatch.py",
        "    if not largest < np.inf or (largest > _ROOT_HUGE and squared < np.inf):",
        "    if not largest < np.inf:",
        ("tests/test_minibatch.py",),
    ),
    (
        "MathML: a negated sum loses its brackets (-(1 - 2/s) as -1 - 2/s)",
        "theory/engine/mathml.py",
        "fence = inner.is_Add or (inner.is_Number and inner < 0)",
        "fence = inner.is_Number and inner < 0",
        ("tests/test_mathml.py",),
    ),
    (
        "MathML: a subtracted written sum loses its brackets",
        "theory/engine/mathml.py",
        "row.appendChild(self._fenced(shown) if is_sum(term) or term.is_Relational else shown)",
        "row.appendChild(self._fenced(shown) if term.is_Add or term.is_Relational else shown)",
        ("tests/test_mathml.py",),
    ),
    (
        "a counterexample that refutes nothing is accepted",
        "theory/engine/claims.py",
        "    if is_zero(difference):\n        raise ClaimError(",
        "    if False:\n        raise ClaimError(",
        ("tests/test_derivation.py",),
    ),
    (
        "a rate grid printing every number",
        "numerics/grids.py",
        '''"""Spectral radius over an (eta, beta) grid at one curvature ``lam``."""\n\n    __repr__ = array_repr''',
        '''"""Spectral radius over an (eta, beta) grid at one curvature ``lam``."""\n\n    pass''',
        ("tests/test_reprs.py",),
    ),
]

# --- one curvature with per-example curvatures (issue 23, `derive minibatch`) ---
MINIBATCH_MUTANTS = [
    (
        "minibatch: E[h_B^2] without the finite-population term f_B v",
        "theory/minibatch.py",
        "_CURVATURE_MOMENTS = {0: sp.Integer(1), 1: m, 2: m**2 + f_B * v}",
        "_CURVATURE_MOMENTS = {0: sp.Integer(1), 1: m, 2: m**2}",
        ("tests/test_minibatch_derivation.py",),
    ),
    (
        "minibatch: heavy ball's moment matrix without the cross term",
        "theory/minibatch.py",
        "[[a**2 + _delta_value, -2 * beta * a, beta**2], [a, -beta, 0], [1, 0, 0]]",
        "[[a**2 + _delta_value, 0, beta**2], [a, -beta, 0], [1, 0, 0]]",
        ("tests/test_minibatch_derivation.py",),
    ),
    (
        "equivalent_by_factor() without its sign check",
        "theory/engine/claims.py",
        "        return _proven_sign(checked(factor, where))\n",
        "        return True\n",
        ("tests/test_derivation.py",),
    ),
    (
        "minibatch: a condition printed in SymPy's order, not as its equivalence wrote it",
        "theory/engine/derivation.py",
        '        elif len(named) == 1 and named[0].relation == "<=>" and named[0].rhs.is_Relational:',
        "        elif False:",
        ("tests/test_minibatch_derivation.py::test_reductions_printed_and_checked",),
    ),
    (
        "minibatch: e_(t + 1)² in sentences bracketed again as (e_(t + 1))²",
        "theory/engine/reader_text.py",
        "        subscripted = _SUBSCRIPTED.fullmatch(b) is not None",
        "        subscripted = isinstance(base, sp.Indexed)",
        ("tests/test_derivation.py::test_reader_text_of_binomials_and_indexed_powers",),
    ),
]
MUTANTS += MINIBATCH_MUTANTS


# --- report folders, streams and the environment (issue 24): each class its planted bug ---
FOLDER_MUTANTS = [
    (
        "marker read past its size limit",
        "numerics/output/marker.py",
        "if data is None or len(data) > MAX_MARKER_BYTES or not _nesting_within(",
        "if data is None or not _nesting_within(",
        ("tests/test_marker.py",),
    ),
    (
        "marker parsed without its depth checked",
        "numerics/output/marker.py",
        "or not _nesting_within(data, _MAX_DEPTH):",
        "or False:",
        ("tests/test_marker.py",),
    ),
    (
        "another program's marker of the same shape taken as ours",
        "numerics/output/marker.py",
        'if record["toolkit"] != _TOOLKIT or not plain_name(record["target"]):',
        'if not plain_name(record["target"]):',
        ("tests/test_marker.py",),
    ),
    (
        "an unreadable folder counted as empty",
        "numerics/output/marker.py",
        'return f"it cannot be read ({exc.strerror or exc})"',
        "return None",
        ("tests/test_files.py",),
    ),
    (
        "the whole tree walked before a folder is refused (--output /usr)",
        "numerics/output/marker.py",
        "entries = _walk(folder)",
        "entries = iter(list(_walk(folder)))",
        ("tests/test_files.py",),
    ),
    (
        "a leftover's lock consulted only when its pid is alive here (PID-only liveness)",
        "numerics/output/temporaries.py",
        "            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)\n",
        "            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB) if os.path.exists("
        "f\"/proc/{folder.name.split('-')[2]}\") else None\n",
        ("tests/test_temporaries.py",),
    ),
    (
        "another user's leftover taken as ours",
        "numerics/output/temporaries.py",
        "        and st.st_uid == os.geteuid()\n",
        "",
        ("tests/test_temporaries.py",),
    ),
    (
        "what was swapped out not compared with what was checked",
        "numerics/output/files.py",
        "        if not _is(old, checked):\n            undo()",
        "        if False:\n            undo()",
        ("tests/test_files.py",),
    ),
    (
        "a folder above the current one taken for a report to replace",
        "numerics/output/files.py",
        "if here is not None and (real == here or real in here.parents):",
        "if here is not None and (real == here):",
        ("tests/test_files.py",),
    ),
    (
        "summary: every run that did not diverge listed as on the edge",
        "momentum_cli/report/build.py",
        '"on_edge": [float(v) for v in e.etas[e.on_edge]],',
        '"on_edge": [float(v) for v in e.etas[~e.diverged]],',
        ("tests/test_report.py",),
    ),
    (
        "standard output written through Python's buffered writer (a cut-short write counted whole)",
        "momentum_cli/streams.py",
        "    fd = _descriptor(stream)\n    if fd is None:\n        stream.write(text)",
        "    fd = None\n    if fd is None:\n        stream.write(text)",
        ("tests/test_cli_streams.py",),
    ),
    (
        "the one line's failed write escapes (bad input exits 1 when stderr is full)",
        "momentum_cli/streams.py",
        "    except (OSError, ValueError):  # closed, full, a closed pipe",
        "    except ValueError:  # closed, full, a closed pipe",
        ("tests/test_cli_streams.py",),
    ),
    (
        "closed standard descriptors left for files to take",
        "momentum_cli/main.py",
        "    streams.keep_standard_descriptors()\n",
        "",
        ("tests/test_cli_streams.py",),
    ),
    (
        "an encoding that cannot show the result is a traceback",
        "momentum_cli/streams.py",
        "    except UnicodeEncodeError as exc:\n        shown",
        "    except ZeroDivisionError as exc:\n        shown",
        ("tests/test_cli_streams.py",),
    ),
    (
        "the user's MPLBACKEND kept",
        "momentum_cli/environment.py",
        'os.environ["MPLBACKEND"] = "agg"',
        'os.environ.setdefault("MPLBACKEND", "agg")',
        ("tests/test_cli_environment.py",),
    ),
    (
        "a matplotlib folder that cannot be made counted as usable",
        "momentum_cli/environment.py",
        "    except (OSError, RuntimeError):\n        return False\n    return folder.is_dir()",
        "    except (OSError, RuntimeError):\n        return True\n    return folder.is_dir()",
        ("tests/test_cli_environment.py",),
    ),
    (
        "the pool sized without the descriptor limit",
        "momentum_cli/report/parallel.py",
        "fit = (_descriptor_limit() - _SERIAL_DESCRIPTORS) // _DESCRIPTORS_PER_WORKER",
        'fit = float("inf")',
        ("tests/test_cli_environment.py",),
    ),
    (
        "a signal while the pool's thread starts leaves the pool starting",
        "momentum_cli/report/parallel.py",
        "                self.__exit__()\n                raise",
        "                raise",
        ("tests/test_report_parallel.py",),
    ),
    (
        "a signal raised inside importlib's own locking (the import lock left held)",
        "momentum_cli/stopping.py",
        'if frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):',
        "if False:",
        ("tests/test_stopping.py",),
    ),
    (
        "torch SGD's trace multiplied out (dampening*eta*lam - eta*lam cancels next to 1)",
        "numerics/_generated_methods.py",
        "    return eta*(weight_decay*(dampening - 1)) + (eta*lam)*(dampening - 1) + (beta + 1)\n",
        "    return beta + dampening*eta*lam + dampening*eta*weight_decay - eta*lam - eta*weight_decay"
        " + 1\n",
        ("tests/test_rates.py",),
    ),
    (
        "max_stable_eta probes a step with no edge at the largest float (eta*lam overflows)",
        "numerics/rates.py",
        "probe = np.where(np.isfinite(value), value * 0.5, anywhere)",
        "probe = np.where(np.isfinite(value), value * 0.5, _ETA_MAX)",
        ("tests/test_rates.py",),
    ),
    (
        "rho next to 1 at a double root taken as decided (its precision is a square root)",
        "numerics/rates.py",
        "unsure = np.flatnonzero(np.abs(rho - 1.0) <= _ROOT_PRECISION)",
        "unsure = np.flatnonzero(exact.marginal(rho))",
        ("tests/test_rates.py",),
    ),
    (
        "a file swapped out by the exchange not compared with the one checked",
        "numerics/output/files.py",
        "        if not _is(tmp, identity, stat.S_ISREG):",
        "        if False:",
        ("tests/test_files.py",),
    ),
    (
        "a file target absent when checked replaced, not linked (a symlink made meanwhile lost)",
        "numerics/output/files.py",
        "            os.link(tmp, real)  # never replaces an entry made meanwhile",
        "            os.replace(tmp, real)",
        ("tests/test_files.py",),
    ),
    (
        "a signal held while a temporary is made leaves it (the caller has none to remove)",
        "numerics/output/temporaries.py",
        "            if self._fd is not None:\n                self.remove()\n            raise",
        "            raise",
        ("tests/test_temporaries.py",),
    ),
    (
        "the earlier report set aside by the swap removed after the held signal arrives",
        "numerics/output/files.py",
        "                if old is not None:\n                    remove_folder(old)\n"
        "                self.temporary.close()\n        except",
        "                pass\n        except",
        ("tests/test_temporaries.py",),
    ),
]
MUTANTS += FOLDER_MUTANTS


# --- the figures a teacher prints (issue 25): envelopes, scales, sizes ---
FIGURE_MUTANTS = [
    (
        "envelope's C too small: the largest amplitude, not their sum",
        "numerics/envelope.py",
        "return Envelope(rho, float(np.abs(amplitudes).sum()), 0.0, start, z, amplitudes)",
        "return Envelope(rho, float(np.abs(amplitudes).max()), 0.0, start, z, amplitudes)",
        ("tests/test_envelope.py",),
    ),
    (
        "rate map coloured by rho itself, not by -1/ln rho",
        "numerics/plots/maps.py",
        "time = np.maximum(rate_time(rho), np.finfo(float).tiny)",
        "time = np.maximum(rho, np.finfo(float).tiny)",
        ("tests/test_plots_maps.py",),
    ),
    (
        "each method's rate map framed on its own range",
        "numerics/plots/comparison.py",
        "normalised_grid(h, beta, m), ax=ax, colorbar=False, legend=False, xmax=float(h[-1])",
        "normalised_grid(h, beta, m), ax=ax, colorbar=False, legend=False, xmax=None",
        ("tests/test_plots_comparison.py",),
    ),
    (
        "report figures drawn 12 in wide (shown at 6.9 in: text at 5 pt)",
        "momentum_cli/report/figures.py",
        "WIDTH = 6.9",
        "WIDTH = 12.0",
        ("tests/test_report.py::test_report_figure_is_readable",),
    ),
    (
        "the PDF's figures pile up before the derivations (half-empty pages)",
        "momentum_cli/report/pdf.py",
        'parts += ["\\\\section*{Derivations}"]',
        'parts += ["\\\\clearpage", "\\\\section*{Derivations}"]',
        ("tests/test_report.py::test_pdf_pages_have_no_holes",),
    ),
    (
        "Lessard's cycle equations take the momentum from two steps back",
        "theory/counterexample.py",
        "sp.Mul(momentum, sp.Add(p[k], -p[k - 1], evaluate=False), evaluate=False),",
        "sp.Mul(momentum, sp.Add(p[k], -p[k - 2], evaluate=False), evaluate=False),",
        ("tests/test_counterexample.py",),
    ),
    (
        "the PDF numbers its figures in the list's order, not section by section",
        "momentum_cli/report/pdf.py",
        "    for spec in in_section_order(figures):",
        "    for spec in figures:",
        ("tests/test_report.py::test_pdf_has_the_html_contents_and_its_figures_at_their_size",),
    ),
    (
        "the Markdown report without its section headings",
        "momentum_cli/report/build.py",
        'parts += [f"## Figures: {heading.lower()}", "", opening, ""]',
        'parts += ["", opening, ""]',
        ("tests/test_report.py::test_figures_stand_under_their_sections",),
    ),
    (
        "the PDF without the key numbers",
        "momentum_cli/report/pdf.py",
        "    if key_numbers:\n",
        "    if False:\n",
        ("tests/test_report.py::test_pdf_has_the_html_contents_and_its_figures_at_their_size",),
    ),
    (
        "plateau interval one-sided (t quantile at the level, not its upper tail)",
        "numerics/seeds.py",
        "stdtrit(per_seed.size - 1, 0.5 + level / 2)",
        "stdtrit(per_seed.size - 1, level)",
        ("tests/test_seeds.py",),
    ),
    (
        "independent batches may repeat an example",
        "numerics/seeds.py",
        "        if not again.any():\n",
        "        if True:\n",
        ("tests/test_seeds.py",),
    ),
    (
        "exercise 4 hands momentum the larger effective step",
        "momentum_cli/report/figures.py",
        "numerics.train_sgd(X, y, lr * (1 - m), m, batch_size=bs, epochs=2)",
        "numerics.train_sgd(X, y, lr, m, batch_size=bs, epochs=2)",
        ("tests/test_report_figures.py",),
    ),
    (
        "the report's exercise 2 at another step than the notebook's",
        "momentum_cli/report/figures.py",
        "plot_exercise2(fig.subplots(1, 2, sharey=True))",
        "plot_exercise2(fig.subplots(1, 2, sharey=True), eta=0.4)",
        ("tests/test_report_figures.py",),
    ),
    (
        "stability's note on beta = 0 never said",
        "momentum_cli/commands.py",
        'if method != "gd" and b == 0.0:',
        "if False:",
        ("tests/test_cli.py",),
    ),
    (
        "the docs name the wrong package for dvisvgm",
        "docs/_ext/latex_tools.py",
        '"dvisvgm": "dvisvgm"',
        '"dvisvgm": "texlive-extra-utils"',
        ("tests/test_docs.py::test_a_missing_latex_tool_is_one_line_before_any_formula",),
    ),
    (
        "a documented module declared internal",
        "numerics/__init__.py",
        '_INTERNAL = ("checks",)',
        '_INTERNAL = ("checks", "rates")',
        ("tests/test_docs.py::test_internal_modules_are_real_and_kept_out_of_the_reference",),
    ),
]
MUTANTS += FIGURE_MUTANTS


# --- the explorer page (issues 24 and 25): links, extreme floats, the numbers it shows ---
PAGE = "momentum_cli/explorer/page.html"
LINKS = "tests/test_explorer_links.py"
EXPLORER_MUTANTS = [
    (
        "explorer: a link's method taken without checking the page's own names",
        PAGE,
        "if (METHOD_NAMES.includes(v)) s.method = v;",
        "if (v) s.method = v;",
        (f"{LINKS}::test_an_inherited_name_as_method_shows_the_default_with_a_note",),
    ),
    (
        "explorer: squares before it scales",
        PAGE,
        "const k = scaleOf(T, D), t = Math.abs(0.5 * T / k), d = D / k / k;",
        "const k = 1, t = Math.abs(0.5 * T / k), d = D / k / k;",
        (f"{LINKS}::test_huge_steps_do_not_overflow_where_the_library_has_an_answer",),
    ),
    (
        "explorer: heavy ball's discriminant unfactored",
        PAGE,
        'if (M.name === "heavy_ball" && 1 + Math.abs(a[1]) + a[0] * a[2] <= SQUARE_SAFE)',
        'if (M.name === "heavy-ball" && 1 + Math.abs(a[1]) + a[0] * a[2] <= SQUARE_SAFE)',
        (f"{LINKS}::test_near_critical_damping_rho_is_exact_to_rounding",),
    ),
    (
        "explorer: (1 + beta)/2 rounded once (eta lam / 2 - c cancels)",
        PAGE,
        "return Math.max(Math.abs((hh - t.c) - t.cErr) + Math.sqrt(Math.max(d, 0)), t.root);",
        "return Math.max(Math.abs(hh - t.c) + Math.sqrt(Math.max(d, 0)), t.root);",
        (f"{LINKS}::test_near_critical_damping_rho_is_exact_to_rounding",),
    ),
    (
        "explorer: steps per decade with the sign of log rho",
        PAGE,
        "const decade = rho > 0 && rho < 1 ? Math.log(10) / -Math.log(rho) : NaN;",
        "const decade = rho > 0 && rho < 1 ? Math.log(10) / Math.log(rho) : NaN;",
        (f"{LINKS}::test_steps_per_decade_is_the_positive_count_rho_takes_to_shrink_tenfold",),
    ),
    (
        "explorer: heavy ball's beta range closed at -1",
        PAGE,
        '["heavy-ball", [-1, 1, false]]',
        '["heavy-ball", [-1, 1, true]]',
        (f"{LINKS}::test_an_out_of_range_beta_is_refused_exactly_as_momentum_rate_refuses_it",),
    ),
    (
        "explorer: the colour mode left out of the link",
        PAGE,
        'if (s.colour !== DEFAULTS.colour) p.set("colour", s.colour);',
        "",
        (f"{LINKS}::test_the_colour_mode_is_kept_in_the_link",),
    ),
    (
        "explorer: a link value past 1e300 taken (the command line refuses it)",
        PAGE,
        'if (order > MAX_EXP || (order === MAX_EXP && digits.replace(/0+$/, "") !== "1")) return [NaN, 0, TOO_LARGE];',
        "if (order > MAX_EXP) return [NaN, 0, TOO_LARGE];",
        (f"{LINKS}::test_numbers_are_read_as_the_command_line_reads_them",),
    ),
    (
        "explorer: D2L's rates at the page's lambda instead of D2L's curvatures",
        PAGE,
        "const rates = D2L.lams.map((l) => spectralRadius(M, args(s, s.eta, s.beta, l)));",
        "const rates = D2L.lams.map((l) => spectralRadius(M, args(s, s.eta, s.beta, s.lam)));",
        ("tests/test_explorer.py::test_200_random_fragments_agree_with_numerics",),
    ),
    # issue 26: heavy ball on every smooth strongly convex f, over the rate map
    (
        "explorer: a K-cycle's angle pi/K instead of 2 pi/K",
        PAGE,
        "function cyclePhi(K) { return Math.cos(2 * Math.PI / K); }",
        "function cyclePhi(K) { return Math.cos(Math.PI / K); }",
        ("tests/test_explorer_class.py::test_cycle_margin_is_numerics",),
    ),
    (
        "explorer: Ghadimi's edge 2 (1 + beta) / L in the generated script",
        "momentum_cli/explorer/_generated.js",
        "guaranteedMaxEta: function(beta, L) { return (2 - 2*beta)/L; },",
        "guaranteedMaxEta: function(beta, L) { return (2 + 2*beta)/L; },",
        ("tests/test_explorer_class.py::test_guaranteed_edge_is_numerics",),
    ),
    (
        "explorer: the cycle region from K = 4 (Lessard's 3-cycle missed)",
        PAGE,
        "  for (let K = 3; K <= top; K++) {",
        "  for (let K = 4; K <= top; K++) {",
        ("tests/test_explorer_class.py::test_the_drawn_cycle_region_is_numerics_cycle_region",),
    ),
    (
        "explorer: the class left out of the link",
        PAGE,
        'if (s.class !== DEFAULTS.class) p.set("class", s.class);',
        "",
        ("tests/test_explorer_class.py::test_the_class_is_kept_in_the_link",),
    ),
    (
        "theory: the interpolation inequality's cross term with + 2 mu / L",
        "theory/smooth_class.py",
        "curvature = (dg.dot(dg) / L + mu * dx.dot(dx) - 2 * mu / L * dg.dot(dx)) / (2 * (1 - mu / L))",
        "curvature = (dg.dot(dg) / L + mu * dx.dot(dx) + 2 * mu / L * dg.dot(dx)) / (2 * (1 - mu / L))",
        ("tests/test_smooth_class.py",),
    ),
]
MUTANTS += EXPLORER_MUTANTS

#: the audit of issue 24: one mutant per fix (each test failed on the unfixed code)
AUDIT_MUTANTS = [
    (
        "a method's further parameter handed to the arithmetic as a 0-d array (PEPit refuses it)",
        "numerics/methods.py",
        "    extra = [v.item() if v.ndim == 0 else v for v in m.extra_values(params)]",
        "    extra = m.extra_values(params)",
        ("tests/test_fuzz_library.py::test_the_worst_case_of_every_method_is_solved",),
    ),
    (
        "linear_step reads the further parameters as arrays (nu=[0.5]: numpy's TypeError)",
        "numerics/minibatch.py",
        "    values = [lr, momentum, *m.extra_scalars(params)]",
        "    values = [lr, momentum, *(float(v) for v in m.extra_values(params))]",
        ("tests/test_fuzz_library.py",),
    ),
    (
        "the shortest cycle from the smaller root of the conic in s (the longest cycle's K)",
        "numerics/class_regions.py",
        "        largest = np.max(np.where(inside, roots, -np.inf), axis=0)",
        "        largest = np.min(np.where(inside, roots, np.inf), axis=0)",
        ("tests/test_class_regions.py",),
    ),
    (
        "cycles decided by the conic in mu eta (every term underflows at a subnormal mu)",
        "numerics/class_regions.py",
        "        cycle = ok & (_conic_in_s(y, h, beta, kappa, s) <= 0)",
        "        cycle = ok & (_conic_in_s(y, h, beta, kappa, s) * y * y <= 0)",
        ("tests/test_class_regions.py",),
    ),
    (
        "a pair singular to rounding raises numpy's LinAlgError (edge --momentum 0.999999)",
        "numerics/minibatch_solve.py",
        "            inverse = _inverses(np.eye(k * k) - kron)",
        "            inverse = np.linalg.inv(np.eye(k * k) - kron)",
        ("tests/test_minibatch_solve.py",),
    ),
    (
        "simulate's text formats a growth rate too fast to fit (None)",
        "momentum_cli/commands.py",
        '            if grew["rate"] is not None',
        "            if True",
        ("tests/test_cli_values.py",),
    ),
    (
        "a subnormal spectrum scaled by 2.0 ** 1074 (Python's OverflowError)",
        "numerics/tuning.py",
        "    mu, L = math.ldexp(mu_given, -shift), math.ldexp(L_given, -shift)",
        "    mu, L = mu_given * 2.0**-shift, L_given * 2.0**-shift",
        ("tests/test_tuning.py",),
    ),
    (
        "train_sgd trains with the lr it was given, not the one its check read",
        "numerics/airfoil.py",
        "    lr, momentum = _check_training(lr, momentum, batch_size, epochs, X.shape[0])",
        "    _check_training(lr, momentum, batch_size, epochs, X.shape[0])",
        ("tests/test_airfoil.py",),
    ),
]
MUTANTS += AUDIT_MUTANTS


def copy_tree(dest: Path) -> None:
    """Copy the tracked and the new (not ignored) files: what the suite would run on."""
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for name in files:
        source = ROOT / name
        if not source.is_file():  # deleted in the work tree but still in the index
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def pytest_run(work: Path, targets: list[str]) -> tuple[bool | None, str, float]:
    """(failed, first failure line, seconds) of pytest -x on ``targets`` in ``work``.

    ``failed`` is True when a test failed or could not be collected (pytest's exit codes 1
    and 2: an import broken by the mutant counts), or the run timed out; None when pytest
    itself could not run the targets (a named test no longer exists: exit codes 3-5).
    """
    env = dict(
        os.environ, HYPOTHESIS_PROFILE="ci", PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(work)
    )
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *targets],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return True, f"timed out after {TIMEOUT} s", time.perf_counter() - start
    seconds = time.perf_counter() - start
    lines = done.stdout.splitlines()
    first = next((ln for ln in lines if ln.startswith(("FAILED", "ERROR"))), "")
    if done.returncode not in (0, 1, 2):
        tail = (lines or done.stderr.strip().splitlines() or [""])[-1]
        return None, f"pytest exit code {done.returncode}: {tail}", seconds
    if done.returncode != 0 and not first:
        first = (lines or [done.stderr.strip()[:200] or f"exit code {done.returncode}"])[-1]
    return done.returncode != 0, first, seconds


SUITE = ["tests", "theory", "numerics"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", dest="select", help="only mutants whose name contains this text")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument(
        "--targets", action="store_true", help="only check each original text is found once"
    )
    parser.add_argument("--full", action="store_true", help="whole suite for every mutant")
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip checking the unmutated suite passes"
    )
    args = parser.parse_args(argv)
    mutants = [m for m in MUTANTS if not args.select or args.select.lower() in m[0].lower()]
    if args.list:
        for m in mutants:
            print(f"{m[1]:32} {m[0]}")
        print(f"{len(mutants)} mutants")
        return 0
    if args.targets:
        bad = 0
        for name, path, old, *_ in mutants:
            count = (ROOT / path).read_text().count(old) if (ROOT / path).exists() else 0
            if count != 1:
                bad += 1
                print(f"  NOT FOUND {name}: the original text is found {count} times in {path}")
        print(f"{len(mutants) - bad}/{len(mutants)} mutant targets found exactly once")
        return 2 if bad else 0
    killed, survived, missing = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        copy_tree(work)
        if not args.no_baseline:
            failed, first, seconds = pytest_run(work, SUITE)
            if failed:
                print(f"the unmutated suite fails ({seconds:.0f} s): {first}")
                return 3
            print(f"  baseline: the unmutated suite passes ({seconds:.0f} s)")
        for name, path, old, new, *hint in mutants:
            target = work / path
            source = target.read_text() if target.exists() else ""
            count = source.count(old)
            if count != 1:
                where = "not found" if count == 0 else f"found {count} times"
                print(f"  NOT FOUND {name}: the original text is {where} in {path}")
                missing.append(name)
                continue
            target.write_text(source.replace(old, new))
            try:
                failed, first, seconds = False, "", 0.0
                if hint and not args.full:
                    failed, first, seconds = pytest_run(work, list(hint[0]))
                    if failed is None:  # its named tests are gone: say so, judge by the suite
                        print(f"  (the tests named for {name!r} did not run: {first})")
                if not failed:
                    failed, first, more = pytest_run(work, SUITE)
                    seconds += more
            finally:
                target.write_text(source)
            if failed is None:
                print(f"  ERROR    {name}: the suite did not run ({first})")
                missing.append(name)
                continue
            (killed if failed else survived).append(name)
            status = "killed  " if failed else "SURVIVED"
            print(f"  {status} {name} ({seconds:.0f} s) {first[:110]}", flush=True)
    judged = len(killed) + len(survived)
    print(f"mutation score: {len(killed)}/{judged} planted bugs caught")
    if survived:
        print("survived: " + "; ".join(survived))
    if missing:
        print(f"{len(missing)} mutants NOT FOUND or not run (update them): " + "; ".join(missing))
        return 2
    return 0 if not survived else 1


if __name__ == "__main__":
    sys.exit(main())
