"""Benchmark: the top Hessian eigenvalue of a 100,000-parameter MLP on CPU, time and memory.

Run: python tests/benchmarks/bench_hessian.py [--threads N]   (from the project folder)

The network is 64-256-256-64-10 with tanh (99,530 parameters), the loss the mean
squared error on random examples. Each configuration runs in a fresh
interpreter, so its memory is its own: the resident set before the call (torch,
SciPy, the model and the data loaded, one float32 training gradient made, and
one spectrum of a 2-parameter model computed: what the first use costs once per
process, whatever the model, is printed apart) and the peak during it. Beside it: the model's size (its parameters in float32), the
Lanczos basis (``ncv`` float64 vectors of the parameters' length) and what one
float32 training gradient on the same batch added. Configurations: float64
products (the default) on one batch of 1024 (the gradient is linearised once,
each product one backward pass), the same 1024 examples in 8 batches of 128
(each product one pass over them, as a data loader gives them), one batch of
128, float32 products, and a small Lanczos basis (``ncv=6``). Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIZES = (64, 256, 256, 64, 10)
#: name -> (examples, batches, dtype, ncv)
CONFIGS = {
    "float64, 1 batch of 1024": (1024, 1, "float64", None),
    "float64, 8 batches of 128": (1024, 8, "float64", None),
    "float64, 1 batch of 128": (128, 1, "float64", None),
    "float32, 1 batch of 1024": (1024, 1, "float32", None),
    "float64, 1 batch of 1024, ncv=6": (1024, 1, "float64", 6),
}

CHILD = """
import json, resource, sys, time
import scipy.sparse.linalg  # the call imports it: loaded here so that it is not counted
import torch
from numerics.hessian import hessian_spectrum

sizes, (examples, batches, dtype, ncv), threads = json.loads(sys.argv[1])
if threads:
    torch.set_num_threads(threads)
torch.manual_seed(0)
layers = []
for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
    layers += [torch.nn.Linear(a, b)] + ([torch.nn.Tanh()] if i < len(sizes) - 2 else [])
model = torch.nn.Sequential(*layers)
X, y = torch.randn(examples, sizes[0]), torch.randn(examples, sizes[-1])
step = examples // batches
parts = [(X[i : i + step], y[i : i + step]) for i in range(0, examples, step)]
data = parts[0] if batches == 1 else parts


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# the reference: one training gradient, float32, on one batch
grad_before = rss()
torch.nn.MSELoss()(model(parts[0][0]), parts[0][1]).backward()
model.zero_grad(set_to_none=True)
grad_added = peak() - grad_before
# the first spectrum in a process costs memory whatever the model (double backward's
# machinery loads): a spectrum of a 2-parameter model takes it, then the call is measured
first_before = rss()
hessian_spectrum(torch.nn.Linear(1, 1), torch.nn.MSELoss(), (X[:4, :1], y[:4, :1]))
first_use = peak() - first_before
before, peak_before = rss(), peak()
start, cpu = time.perf_counter(), time.process_time()
spec = hessian_spectrum(model, torch.nn.MSELoss(), data, dtype=dtype, ncv=ncv, progress=False)
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({
    "n": spec.n_parameters, "top": spec.largest, "residual": float(spec.top_residuals[0]),
    "converged": spec.converged, "hvps": spec.hvps, "wall": wall, "cpu": cpu,
    "before": before, "peak_before": peak_before, "peak": peak(), "grad_added": grad_added,
    "first_use": first_use,
    "threads": torch.get_num_threads(),
}))
"""


def run(config: tuple, threads: int | None) -> dict:
    env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps([SIZES, config, threads])],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default torch's)")
    args = parser.parse_args()
    mib = 1 / 2**20
    print(
        f"top eigenvalue of a {'-'.join(map(str, SIZES))} tanh MLP, mean squared error "
        f"(load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    for i, (name, config) in enumerate(CONFIGS.items()):
        r = run(config, args.threads)
        model = r["n"] * 4
        if i == 0:
            print(
                f"  {r['n']:,} parameters: the model {model * mib:.2f} MiB (float32), a float64 "
                f"copy {2 * model * mib:.2f} MiB, the Lanczos basis (ncv=20) "
                f"{20 * 2 * model * mib:.1f} MiB; torch threads {r['threads']}; the first spectrum "
                f"in a process +{r['first_use'] * mib:.0f} MiB (any model, once)"
            )
        added = r["peak"] - r["before"]
        # ru_maxrss is the process's peak: if the call did not pass the earlier peak, what it
        # added is at most this difference
        bound = "" if r["peak"] > r["peak_before"] else "at most "
        print(
            f"  {name}: {r['wall']:.2f} s ({r['cpu']:.2f} s CPU), {r['hvps']} products, "
            f"{r['cpu'] / r['hvps'] * 1e3:.0f} ms of CPU each; top {r['top']:.8g} (residual "
            f"{r['residual']:.1e}, converged {r['converged']})\n"
            f"    memory {bound}+{added * mib:.0f} MiB = {added / model:.0f} x the model "
            f"(a float32 training gradient on one batch: +{r['grad_added'] * mib:.0f} MiB)"
        )


if __name__ == "__main__":
    main()
