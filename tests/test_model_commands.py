"""``momentum tune --from-model MODULE:FUNCTION``: the example network through the command, and
every way the user's code can go wrong as one line and exit code 2.

The user's modules are written into a fresh folder, the command runs there (the
current folder is importable), each under its own name so none is cached from
another test. Skipped, visibly, where torch is not installed, except the test
that torch's absence is one line.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import numerics
from momentum_cli.main import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "examples.small_network"
_names = itertools.count()


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    """Write a module of the user's into a fresh current folder; returns its name."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))  # the command adds the folder: undo it

    def write(source: str) -> str:
        name = f"user_model_{next(_names)}"
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
        monkeypatch.delitem(sys.modules, name, raising=False)
        return name

    return write


def test_the_example_network_through_the_command(capsys):
    pytest.importorskip("torch", reason="torch not installed: pip install '.[torch]'")
    from examples.small_network import make
    from tests.references import dense_hessian

    code, out, err = run(capsys, "tune", "--from-model", f"{EXAMPLE}:make", "--momentum", "0.9")
    assert (code, err) == (0, "")
    model, loss_fn, (X, y) = make()
    dense = np.linalg.eigvalsh(dense_hessian(model, loss_fn, X, y))
    lines = out.splitlines()
    assert lines[0].startswith(
        f"heavy-ball for the Hessian of {EXAMPLE}:make (49 parameters, 64 examples): Lanczos, "
    )
    assert lines[0].endswith(" products, converged")
    assert lines[1].startswith(f"spectrum [mu, L] = [{dense[0]:.6g}, {dense[-1]:.6g}]")
    # the edge 2 (1 + beta) / L (Polyak 1964) at the momentum given
    assert lines[2] == (
        f"largest stable lr at momentum 0.9 (given) for L = {dense[-1]:.6g}: "
        f"lr < {2 * 1.9 / dense[-1]:.6g} (the full-batch edge at these parameters)"
    )
    assert lines[-1].startswith("warning: mu of a network is often <= 0 or unreliable")
    assert "no tuning on [mu, L]" in lines[-1]


def test_the_json_keeps_tunes_keys_and_adds_the_models(capsys):
    pytest.importorskip("torch", reason="torch not installed: pip install '.[torch]'")
    code, out, _ = run(capsys, "tune", "--from-model", f"{EXAMPLE}:make_linear", "--json")
    assert code == 0
    data = json.loads(out)
    _, plain, _ = run(capsys, "tune", "--mu", "1", "--L", "2", "--json")
    assert set(json.loads(plain)) <= set(data)  # keys are only ever added
    exact = numerics.least_squares_quadratic(*numerics.load_airfoil()).eigenvalues
    tuned = numerics.tune_closed_form(exact[0], exact[-1])
    assert data["mu"] == pytest.approx(exact[0], rel=1e-9)
    assert data["L"] == pytest.approx(exact[-1], rel=1e-9)
    for key in ("eta", "beta", "rate"):
        assert data[key] == pytest.approx(getattr(tuned, key), rel=1e-9)
    assert (data["exact"], data["numeric"], data["mu_reliable"]) == (None, False, True)
    assert data["max_stable_lr"] == pytest.approx(2 * (1 + tuned.beta) / exact[-1], rel=1e-9)
    assert data["hessian"]["parameters"] == 6 and data["hessian"]["examples"] == 1500
    assert data["hessian"]["converged"] and data["from_model"] == f"{EXAMPLE}:make_linear"


def test_a_module_of_the_current_folder(capsys, user_module):
    pytest.importorskip("torch", reason="torch not installed: pip install '.[torch]'")
    name = user_module(
        """
        import torch

        def build():
            model = torch.nn.Linear(2, 1, bias=False)
            X = torch.tensor([[1.0, 0.0], [0.0, 3.0]])
            return model, torch.nn.MSELoss(), (X, torch.zeros(2, 1))
        """
    )
    code, out, err = run(capsys, "tune", "--from-model", f"{name}:build", "--json")
    assert (code, err) == (0, "")
    # MSE over 2 examples: Hessian 2 X^T X / 2 = diag(1, 9): kappa 9, heavy ball's rate 1/2
    data = json.loads(out)
    assert [data["mu"], data["L"]] == pytest.approx([1, 9], rel=1e-12)
    assert data["rate"] == pytest.approx(0.5, rel=1e-12)


def test_a_python_file_by_its_path(capsys, user_module):
    # what a user types after looking at the folder: the file's path, not its module name
    pytest.importorskip("torch", reason="torch not installed: pip install '.[torch]'")
    code, out, err = run(
        capsys, "tune", "--from-model", f"{ROOT / 'examples' / 'small_network.py'}:make", "--json"
    )
    assert (code, err) == (0, "")
    by_path = json.loads(out)
    code, out, _ = run(capsys, "tune", "--from-model", f"{EXAMPLE}:make", "--json")
    by_module = json.loads(out)
    assert [by_path["mu"], by_path["L"]] == [by_module["mu"], by_module["L"]]
    # a relative path from the current folder, into a subfolder whose file imports its sibling
    name = user_module("")
    sub = Path.cwd() / "models"
    sub.mkdir()
    (sub / f"{name}_sibling.py").write_text("SCALE = 3.0\n")
    (sub / f"{name}.py").write_text(
        textwrap.dedent(
            f"""
            import torch
            from {name}_sibling import SCALE

            def build():
                model = torch.nn.Linear(2, 1, bias=False)
                X = torch.tensor([[1.0, 0.0], [0.0, SCALE]])
                return model, torch.nn.MSELoss(), (X, torch.zeros(2, 1))
            """
        )
    )
    code, out, err = run(capsys, "tune", "--from-model", f"models/{name}.py:build", "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    # MSE over 2 examples: Hessian X^T X = diag(1, 9)
    assert [data["mu"], data["L"]] == pytest.approx([1, 9], rel=1e-12)
    assert data["from_model"] == f"models/{name}.py:build"


BROKEN = [
    (
        "nocolon",
        None,
        "--from-model must be MODULE:FUNCTION or FILE.py:FUNCTION, e.g. examples.small_network:make",
    ),
    ("no_such_module_x:make", None, "no module named 'no_such_module_x' (run from the folder"),
    (":make", None, "--from-model must be MODULE:FUNCTION"),
    ("{name}:nope", "def make():\n    pass\n", "module '{name}' has no 'nope'"),
    ("{name}:value", "value = 3\n", "'value' is not callable: int"),
    (
        "{name}:make",
        "def make():\n    raise ValueError('no data here')\n",
        "make() raised ValueError: no data here",
    ),
    (
        "{name}:make",
        "def make():\n    return 3\n",
        "make() must return (model, loss_fn, data): got int",
    ),
    (
        "{name}:make",
        "def make():\n    return 1, 2\n",
        "make() must return (model, loss_fn, data): got 2 values",
    ),
    (
        "{name}:make",
        "import torch\ndef make():\n    return 1, 2, 3\n",
        "with model a torch.nn.Module: got int",
    ),
    (
        "{name}:make",
        "import torch\ndef make():\n    return torch.nn.Linear(1, 1), 2, 3\n",
        "loss_fn must be callable: got int",
    ),
    (
        "{name}:make",
        "raise RuntimeError('broken at import')\n",
        "importing '{name}' raised RuntimeError: broken at import",
    ),
    (
        "{name}:make",
        "import not_installed_anywhere\n",
        "importing '{name}' raised ModuleNotFoundError: No module named 'not_installed_anywhere'",
    ),
    (
        "{name}:make",
        "import torch\ndef make():\n    return torch.nn.Linear(3, 1), torch.nn.MSELoss(), (torch.ones(4, 2), torch.ones(4, 1))\n",
        "the Hessian could not be computed: RuntimeError: mat1 and mat2 shapes cannot be multiplied",
    ),
    ("nowhere/missing_file.py:make", None, "no such file 'nowhere/missing_file.py'"),
    ("{name}.py:nope", "def make():\n    pass\n", "file '{name}.py' has no 'nope'"),
    (
        "{name}.py:make",
        "raise RuntimeError('broken at import')\n",
        "importing '{name}.py' raised RuntimeError: broken at import",
    ),
]


@pytest.mark.parametrize("spec, source, message", BROKEN, ids=[m[:40] for _, _, m in BROKEN])
def test_the_users_code_going_wrong_is_one_line(capsys, user_module, spec, source, message):
    pytest.importorskip("torch", reason="torch not installed: pip install '.[torch]'")
    name = user_module(source) if source is not None else ""
    spec, message = spec.format(name=name), message.format(name=name)
    code, out, err = run(capsys, "tune", "--from-model", spec)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("momentum tune: ") and message in err, err


def test_a_model_error_is_the_librarys_line(capsys, user_module):
    pytest.importorskip("torch", reason="torch not installed: pip install '.[torch]'")
    name = user_module(
        "import torch\ndef make():\n"
        "    return torch.nn.Linear(1, 1), torch.nn.MSELoss(), (x for x in [])\n"
    )
    code, out, err = run(capsys, "tune", "--from-model", f"{name}:make")
    assert (code, out) == (2, "") and err.startswith("momentum: error: 'data' is a one-pass")


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["--from-model", "m:f", "--mu", "1"],
            "momentum tune: give --from-model or --mu, not both",
        ),
        (["--from-model", "m:f", "--kappa", "4"], "give --from-model or --kappa, not both"),
        (["--kappa", "4", "--momentum", "0.9"], "momentum tune: --momentum is for --from-model"),
        (["--from-model", "m:f", "--momentum", "1"], "--momentum must be in (-1, 1): got 1"),
        (["--from-model", "m:f", "--method", "nesterov", "--momentum=-0.5"], "must be in [0, 1)"),
        (["--from-model", "m:f", "--method", "gd", "--momentum", "0.5"], "not used by --method gd"),
    ],
)
def test_options_that_do_not_go_together(capsys, argv, message):
    pytest.importorskip("torch", reason="torch not installed: pip install '.[torch]'")
    code, out, err = run(capsys, "tune", *argv)
    assert (code, out) == (2, "") and message in err and err.count("\n") == 1


def test_without_torch_one_line_that_says_how_to_install_it(tmp_path):
    # where "import torch" fails (whether or not torch is installed here)
    code = (
        "import sys\n"
        "sys.modules['torch'] = None\n"
        "from momentum_cli.main import main\n"
        "sys.exit(main(['tune', '--from-model', 'examples.small_network:make']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "momentum tune: momentum tune --from-model needs PyTorch, which is not installed: "
        "python -m pip install 'momentum-theory[torch]' (or torch itself)\n"
    )


# the user's code may end the process or print: `raise SystemExit(0)` in FUNCTION() (or at import,
# or FUNCTION = sys.exit) left the command with exit code 0 and no answer, SystemExit(3) with 3;
# a print went to standard output, before the --json object, which then did not parse
BEHAVIOURS = {
    "exits": "raise SystemExit({code!r})",
    "prints": "print({code!r})",
    "prints and exits": "print({code!r}); sys.exit({code!r})",
}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    behaviour=st.sampled_from(sorted(BEHAVIOURS)),
    code=st.none() | st.integers(-3, 300) | st.text(max_size=8),
    at_import=st.booleans(),
    as_json=st.booleans(),
)
def test_the_users_code_exiting_or_printing_is_still_one_answer(
    behaviour, code, at_import, as_json
):
    pytest.importorskip("torch", reason="torch not installed: pip install '.[torch]'")
    act = BEHAVIOURS[behaviour].format(code=code)
    source = textwrap.dedent(
        f"""
        import sys
        import torch
        {act if at_import else ""}

        def build():
            {act if not at_import else ""}
            model = torch.nn.Linear(2, 1, bias=False)
            X = torch.tensor([[1.0, 0.0], [0.0, 3.0]])
            return model, torch.nn.MSELoss(), (X, torch.zeros(2, 1))
        """
    )
    name = f"user_model_{next(_names)}"
    saved_path, saved_cwd = list(sys.path), os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, f"{name}.py").write_text(source)
        os.chdir(tmp)
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                status = main(["tune", "--from-model", f"{name}:build", *["--json"] * as_json])
        finally:
            os.chdir(saved_cwd)
            sys.path[:] = saved_path
            sys.modules.pop(name, None)
    out, err = out.getvalue(), err.getvalue()
    if "exit" in behaviour:  # the user's code never answered: a usage error, not success
        assert status == 2 and out == "", (status, out, err)
        assert err.splitlines()[-1].startswith("momentum tune: --from-model "), err
        assert "raised SystemExit" in err.splitlines()[-1], err
    else:  # what it printed is not the command's output
        assert status == 0, err
        if as_json:
            assert json.loads(out)["L"] == pytest.approx(9, rel=1e-12)  # diag(1, 9), as above
        else:
            assert out.startswith("heavy-ball for the Hessian of "), out
