"""The examples in examples/ run and print what they claim."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_check_my_optimiser():
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "check_my_optimiser.py")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "recurrence of order 2" in out
    # heavy ball's rate at lam = 3, eta = 0.1, beta = 0.9: complex roots of modulus sqrt(0.9)
    identified, theory = map(float, re.search(r"identified (\S+), theory (\S+)\n", out).groups())
    assert identified == theory == round(0.9**0.5, 12)
    # heavy ball's edge 2 (1 + beta)/eta = 38
    edge = re.search(r"largest stable curvature: identified (\S+), theory (\S+)", out).groups()
    assert abs(float(edge[0]) - 38) < 1e-7 and float(edge[1]) == 38
