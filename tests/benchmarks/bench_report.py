"""Benchmark: ``momentum report``'s wall time, and the CPU time of every process it starts.

Run: python tests/benchmarks/bench_report.py [--reports 5] [--svg] [--figures]
(from the project folder)

The report draws its figures in worker processes forked by a fork server,
which the calling process never waits for, so ``RUSAGE_CHILDREN`` misses
them. This script polls ``/proc`` (Linux) every few milliseconds for every
descendant of the report's process and adds up each one's last-seen user and
system time; a process that ends between two polls loses at most one poll
interval. The polling costs CPU itself, so each wall time is taken from a
separate run that nothing watches. The total CPU divided by the cores is the
wall time the report would take if both cores were its own and perfectly
shared; the load average is printed beside it (the machine is shared). With
``--figures``, each report figure's CPU time (drawn and encoded as PNG, and
SVG with ``--svg``, in this process, after one warm-up figure) is printed
too, longest first: the order ``momentum_cli.report.build.LONGEST_FIRST`` should
follow. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "momentum_cli.main"]
_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user + system seconds) of a live process, or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the name may hold spaces
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK


def _role(pid: int, root: int) -> str:
    """What a process of the report is: the command itself, the fork server, a worker, ..."""
    if pid == root:
        return "main process"
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "other"
    text = b" ".join(argv).decode(errors="replace")
    if "pdflatex" in text:
        return "pdflatex"
    if "forkserver" in text:
        # the fork server and the workers it forks share its command line
        return "fork server and workers"
    return "other"


def _descendants(root: int) -> dict[int, float]:
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            s = _stat(int(entry))
            if s is not None:
                stats[int(entry)] = s
    seen = {root}
    changed = True
    while changed:  # children, their children, ...
        changed = False
        for pid, (ppid, _) in stats.items():
            if ppid in seen and pid not in seen:
                seen.add(pid)
                changed = True
    return {pid: stats[pid][1] for pid in seen if pid in stats}


def wall(argv: list[str]) -> float:
    """Wall seconds of one run, nothing watching it."""
    env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def run(argv: list[str], poll: float = 0.005) -> tuple[float, dict[str, float]]:
    """Wall seconds, and CPU seconds of the process and every descendant seen, by role."""
    env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    cpu: dict[int, float] = {}
    roles: dict[int, str] = {}
    while proc.poll() is None:
        for pid, seconds in _descendants(proc.pid).items():
            cpu[pid] = max(cpu.get(pid, 0.0), seconds)
            if pid not in roles:
                roles[pid] = _role(pid, proc.pid)
        time.sleep(poll)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.read().decode()}")
    by_role: dict[str, float] = {}
    for pid, seconds in cpu.items():
        by_role[roles[pid]] = by_role.get(roles[pid], 0.0) + seconds
    return wall, by_role


def figure_costs(formats=("png",)) -> list[tuple[float, str]]:
    """CPU seconds of each report figure, drawn once and encoded in ``formats``, longest first."""
    sys.path.insert(0, str(ROOT))
    from momentum_cli.figures import figure_bytes
    from momentum_cli.report.figures import FIGURES, airfoil, missing

    airfoil()  # shared by three figures, computed once by the report
    figure_bytes(FIGURES[0], formats)  # fonts and caches, as a worker has after its first figure
    costs = []
    for spec in FIGURES:
        if missing(spec) is not None:  # an optional package (torch) is not installed
            continue
        start = time.process_time()
        figure_bytes(spec, formats)
        costs.append((time.process_time() - start, spec.name))
    return sorted(costs, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=5)
    parser.add_argument("--figures", action="store_true", help="also each figure's CPU time")
    parser.add_argument("--svg", action="store_true", help="reports with --svg")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    load = os.getloadavg()[0]
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.reports):
            extra = ["--svg"] if args.svg else []
            argv = [*CLI, "report", "--output", f"{tmp}/r{k}", *extra]
            runs.append((wall(argv), run(argv)[1]))  # the watching costs CPU: timed apart
    walls = [w for w, _ in runs]
    cpus = [sum(c.values()) for _, c in runs]
    print(
        f"momentum report{' --svg' if args.svg else ''}, {args.reports} runs on {cores} cores (load before: {load:.1f}, after: "
        f"{os.getloadavg()[0]:.1f})"
    )
    print(f"  wall: median {statistics.median(walls):.2f} s, best {min(walls):.2f} s")
    print(
        f"  CPU of all its processes: median {statistics.median(cpus):.2f} s, "
        f"so {statistics.median(cpus) / cores:.2f} s on {cores} free cores"
    )
    for role in sorted({r for _, c in runs for r in c}):
        print(f"    {role:26s} median {statistics.median(c.get(role, 0.0) for _, c in runs):.2f} s")
    if args.figures:
        formats = ("png", "svg") if args.svg else ("png",)
        costs = figure_costs(formats)
        print(
            f"figures, CPU seconds each ({' and '.join(formats)}), "
            f"{sum(c for c, _ in costs):.2f} s in all:"
        )
        for cost, name in costs:
            print(f"  {name:18s} {cost:.2f}")


if __name__ == "__main__":
    main()
