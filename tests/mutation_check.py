"""Mutation check: plant known bugs one at a time and show the test suite catches each.

Run: python tests/mutation_check.py   (about a minute per mutant on 2 cores)

Each mutant is a one-line change to a copy of the tracked sources; the suite
must fail on it. A mutant that survives is a missing property.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: (name, file, original text, mutated text)
MUTANTS = [
    (
        "sign in R (x <- x + eta v)",
        "theory/methods.py",
        "updates=((v, beta * v + grad(x)), (x, x - eta * v)),",
        "updates=((v, beta * v + grad(x)), (x, x + eta * v)),",
    ),
    (
        "stated edge 2 + 2 beta -> 2 + beta",
        "theory/methods.py",
        "lt(eta * lam, 2 * (1 + beta))",
        "lt(eta * lam, 2 + beta)",
    ),
    (
        "complex-regime rate 2 sqrt(beta) (theory)",
        "theory/momentum.py",
        "(sp.sqrt(beta), disc < 0),",
        "(2 * sp.sqrt(beta), disc < 0),",
    ),
    (
        "complex-regime rate 2 sqrt(beta) (numerics)",
        "numerics/rates.py",
        "return [lo, up, np.where(real, 0.0, -b), c, root.astype(float)]",
        "return [lo, up, np.where(real, 0.0, -b), c, 2 * root.astype(float)]",
    ),
    (
        "eta dropped from the decoupled update",
        "theory/decoupling.py",
        "(eye - eta * Lam) * O * y,",
        "(eye - Lam) * O * y,",
    ),
    (
        "D2L's sign in the completed square",
        "theory/quadratic.py",
        "((x - xstar).T * Qm * (x - xstar))[0, 0] / 2 + hstar,",
        "((x + xstar).T * Qm * (x + xstar))[0, 0] / 2 + hstar,",
    ),
    (
        "off-by-one step in the simulator",
        "numerics/simulate.py",
        "for k in range(1, steps + 1):",
        "for k in range(0, steps):",
    ),
    (
        "wrong tuning formula (2 instead of 4)",
        "theory/tuning.py",
        "4 / (sp.sqrt(L) + sp.sqrt(mu)) ** 2,",
        "2 / (sp.sqrt(L) + sp.sqrt(mu)) ** 2,",
    ),
    (
        "regime switch at the wrong discriminant sign",
        "numerics/rates.py",
        "[rho >= 1, critical, disc < 0, trace > 0],",
        "[rho >= 1, critical, disc > 0, trace > 0],",
    ),
    (
        "gd rate |1 + eta lam|",
        "numerics/rates.py",
        "np.subtract(eta_lam, 1.0, out=out)",
        "np.add(eta_lam, 1.0, out=out)",
    ),
    (
        "worst case at one end only",
        "numerics/grids.py",
        "spectral_radius(eta, beta, mu, method), spectral_radius(eta, beta, L, method)",
        "spectral_radius(eta, beta, mu, method), spectral_radius(eta, beta, mu, method)",
    ),
    (
        "Nesterov's stated edge with 1 + beta",
        "theory/methods.py",
        "lt((1 + 2 * beta) * eta * lam, 2 + 2 * beta)",
        "lt((1 + beta) * eta * lam, 2 + 2 * beta)",
    ),
    (
        "noise variance with 2 + beta",
        "theory/noise.py",
        "(lam * (1 - beta) * (2 + 2 * beta - eta * lam))",
        "(lam * (1 - beta) * (2 + beta - eta * lam))",
    ),
    (
        "torch's first step damped",
        "theory/methods.py",
        "first_updates=((v, _g_wd), (x, x - eta * v)),",
        "first_updates=((v, (1 - dampening) * _g_wd), (x, x - eta * v)),",
    ),
    (
        "airfoil standardised with ddof=1",
        "numerics/airfoil.py",
        "data.std(axis=0)",
        "data.std(axis=0, ddof=1)",
    ),
    (
        "Monte-Carlo interval too narrow (z = 1)",
        "numerics/noise.py",
        "half = Z99 * float(per_chain.std(ddof=1)) / np.sqrt(chains)",
        "half = float(per_chain.std(ddof=1)) / np.sqrt(chains)",
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
]


def copy_tree(dest: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in files:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)


def main() -> int:
    killed = 0
    env = dict(os.environ, HYPOTHESIS_PROFILE="ci", PYTHONDONTWRITEBYTECODE="1")
    for name, path, old, new in MUTANTS:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            copy_tree(work)
            source = (work / path).read_text()
            if source.count(old) != 1:
                print(f"  ?? {name}: the original text is not found once in {path}")
                return 2
            (work / path).write_text(source.replace(old, new))
            start = time.perf_counter()
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-x",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    "tests",
                    "theory",
                    "numerics",
                ],
                cwd=work,
                env=dict(env, PYTHONPATH=str(work)),
                capture_output=True,
                text=True,
            )
            seconds = time.perf_counter() - start
            caught = done.returncode != 0
            killed += caught
            failed = next((ln for ln in done.stdout.splitlines() if ln.startswith("FAILED")), "")
            print(
                f"  {'killed  ' if caught else 'SURVIVED'} {name} ({seconds:.0f} s) {failed[:110]}"
            )
    print(f"mutation score: {killed}/{len(MUTANTS)} planted bugs caught")
    return 0 if killed == len(MUTANTS) else 1


if __name__ == "__main__":
    sys.exit(main())
