"""Benchmark: ``theory.derive_all()`` cold (a fresh interpreter) and warm, per topic.

Run: python tests/benchmarks/bench_derive.py [--repeat 5] [--method heavy_ball] [--clock cpu]
     [--against OTHER_CHECKOUT]   (from the project folder)

Each round starts a fresh interpreter that times ``import sympy`` and
``import theory`` on their own, then each topic of ``derive_all`` in
reading order (cold: SymPy's cache starts empty, and a topic profits from
what the topics before it cached, as in ``derive_all``), then the whole
``derive_all`` again in the same process (warm). Figures are medians over
the rounds. ``--against`` names a second checkout (say an older commit in
another git worktree): its rounds interleave with this one's, so that load
on a shared machine falls on both alike, and the ratios are printed.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# runs in the fresh interpreter; prints one JSON line of seconds
_PROBE = r"""
import json, sys, time
clock = time.process_time if sys.argv[2] == "cpu" else time.perf_counter
t0 = clock()
import sympy
t1 = clock()
import theory
from theory.document import TOPICS, derive
t2 = clock()
method = sys.argv[1]
out = {"sympy": t1 - t0, "theory": t2 - t1}
for phase in ("cold", "warm"):  # warm: the same again, SymPy's cache filled
    out[phase], begun = {}, clock()
    for topic in TOPICS:
        start = clock()
        derive(topic, method=method)
        out[phase][topic] = clock() - start
    out[phase + "_all"] = clock() - begun
print(json.dumps(out))
"""


def probe(root: Path, method: str, clock: str) -> dict:
    """One fresh interpreter's timings (``clock``: "wall" or "cpu") for the checkout at ``root``."""
    env = dict(os.environ, PYTHONPATH=str(root))
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, method, clock],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def medians(runs: list[dict]) -> dict:
    """The median of every figure over the runs."""
    out = {key: statistics.median(r[key] for r in runs) for key in ("sympy", "theory")}
    for key in ("cold_all", "warm_all"):
        out[key] = statistics.median(r[key] for r in runs)
    for key in ("cold", "warm"):
        out[key] = {t: statistics.median(r[key][t] for r in runs) for t in runs[0][key]}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--method", default="heavy_ball")
    parser.add_argument("--against", type=Path, default=None, help="a second checkout to compare")
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="wall seconds, or the interpreter's CPU seconds (steadier on a loaded machine)",
    )
    args = parser.parse_args()
    roots = {"this": ROOT}
    if args.against is not None:
        roots["against"] = args.against.resolve()
    runs: dict[str, list[dict]] = {name: [] for name in roots}
    for _ in range(args.repeat):
        for name, root in roots.items():
            runs[name].append(probe(root, args.method, args.clock))
    figures = {name: medians(r) for name, r in runs.items()}
    print(
        f"derive_all(method={args.method!r}), {args.clock} seconds, median of {args.repeat} "
        "fresh interpreters "
        f"(load: {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores)"
    )
    for name, root in roots.items():
        print(f"  {name}: {root}")
    header = f"  {'':22s}" + "".join(f"{name:>10s}" for name in roots)
    if "against" in roots:
        header += f"{'this/against':>14s}"
    print(header)

    def row(label: str, get) -> None:
        values = [get(figures[name]) for name in roots]
        line = f"  {label:22s}" + "".join(f"{v:9.3f}s" for v in values)
        if len(values) == 2:
            line += f"{values[0] / values[1]:13.2f}x"
        print(line)

    row("import sympy", lambda f: f["sympy"])
    row("import theory", lambda f: f["theory"])
    row("derive_all cold", lambda f: f["cold_all"])
    for topic in figures["this"]["cold"]:
        row(f"  {topic}", lambda f, t=topic: f["cold"][t])
    row("derive_all warm", lambda f: f["warm_all"])
    for topic in figures["this"]["warm"]:
        row(f"  {topic}", lambda f, t=topic: f["warm"][t])


if __name__ == "__main__":
    main()
