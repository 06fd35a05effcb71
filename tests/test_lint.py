"""The code base stays ruff-clean (ruff comes with the test extra)."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(
    shutil.which("ruff") is None, reason="ruff not installed (pip install '.[test]')"
)
def test_ruff_clean():
    done = subprocess.run(
        ["ruff", "check", "--quiet", str(ROOT)], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stdout[-3000:]
