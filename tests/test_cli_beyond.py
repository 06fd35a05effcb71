"""The command line beyond quadratics: simulate on Lessard's function, rate against the class."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from momentum_cli.main import main
from tests.references import lessard_loop
from tests.strategies import command_numbers, floats, near_unit, whole_range


def run(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


LESSARD = ("simulate", "--function", "lessard", "--eta", "1/9", "--beta", "4/9", "--x0", "3.3")


def test_simulate_lessard_says_it_cycles():
    code, out, err = run(*LESSARD)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert "Lessard's function" in lines[0] and "x0=3.3" in lines[0]
    assert "3-cycle: 0.646531, -1.80245, 2.11592" in lines[1] and "never converges" in lines[1]


def test_simulate_lessard_json_is_the_run():
    code, out, _ = run(*LESSARD, "--steps", "150", "--json")
    data = json.loads(out)
    assert code == 0 and data["function"] == "lessard" and data["steps"] == 150
    assert [row[0] for row in data["trajectory"]] == pytest.approx(
        list(lessard_loop(1 / 9, 4 / 9, 3.3, 150)), rel=1e-12, abs=1e-12
    )
    assert data["converged"] is False and data["cycle"]["period"] == 3
    assert data["cycle"]["points"] == pytest.approx([792 / 1225, -2208 / 1225, 2592 / 1225])


def test_simulate_lessard_from_a_converging_start():
    code, out, _ = run(
        "simulate", "--function", "lessard", "--eta", "1/9", "--beta", "4/9", "--x0", "0.5"
    )
    assert code == 0 and "converged to the minimizer" in out


def test_simulate_lessard_plot(tmp_path):
    code, out, _ = run(*LESSARD, "--plot", str(tmp_path / "cycle.png"))
    assert code == 0 and (tmp_path / "cycle.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    "extra, message",
    [
        (("--x0", "1,2"), "one --x0, got 2"),
        (("--lams", "1,2"), "--lams is for --function quadratic"),
        (("--steps", "0"), "--steps must be in [1, 100000]"),
    ],
)
def test_simulate_lessard_refuses_in_one_line(extra, message):
    argv = ["simulate", "--function", "lessard", "--eta", "1/9", "--beta", "4/9", *extra]
    code, out, err = run(*argv)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_the_quadratic_simulation_keeps_its_default_steps():
    code, out, _ = run("simulate", "--eta", "0.6", "--beta", "0.5", "--json")
    assert code == 0 and json.loads(out)["steps"] == 20


@pytest.mark.parametrize(
    "eta, beta, verdict",
    [("1/9", "4/9", "cycles"), ("0.02", "0.5", "guaranteed"), ("0.09", "0.3", "undecided")],
)
def test_rate_against_the_class(eta, beta, verdict):
    argv = ["rate", "--eta", eta, "--beta", beta, "--mu", "1", "--L", "25"]
    code, out, _ = run(*argv, "--class", "smooth-strongly-convex", "--json")
    data = json.loads(out)
    assert code == 0 and data["class"] == "smooth-strongly-convex" and data["verdict"] == verdict
    code, out, _ = run(*argv, "--class", "smooth-strongly-convex")
    assert out.splitlines()[-1].startswith(
        f"class: L-smooth, mu-strongly convex with mu=1, L=25: {verdict}"
    )


def test_rate_against_the_class_for_gradient_descent():
    code, out, _ = run(
        "rate",
        "--method",
        "gd",
        "--eta",
        "0.07",
        "--mu",
        "1",
        "--L",
        "25",
        "--class",
        "smooth-strongly-convex",
        "--json",
    )
    assert code == 0 and json.loads(out)["verdict"] == "guaranteed"


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ("rate", "--eta", "0.1", "--beta", "0.5", "--class", "smooth-strongly-convex"),
            "needs --mu and --L",
        ),
        (
            ("rate", "--eta", "0.1", "--beta", "0.5", "--mu", "1", "--L", "25"),
            "--mu is for --class",
        ),
        (
            (
                "rate",
                "--eta",
                "0.1",
                "--beta",
                "0.5",
                "--mu",
                "30",
                "--L",
                "25",
                "--class",
                "smooth-strongly-convex",
            ),
            "--mu must be > 0 and < --L",
        ),
    ],
)
def test_rate_class_refuses_in_one_line(argv, message):
    code, out, err = run(*argv)
    assert code == 2 and message in err and err.count("\n") == 1


def test_rate_help_and_readme_say_mu_is_for_the_class_only(monkeypatch):
    # the help called --mu "smallest curvature" and the README's synopsis read
    # [--mu MU --class quadratic|smooth-strongly-convex]; with the quadratic class --mu is refused
    from pathlib import Path

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["rate", "--eta", "0.1", "--beta", "0.5", "--mu", "1", "--L", "25"]) == 2
    assert "--mu is for --class smooth-strongly-convex" in err.getvalue()
    out = io.StringIO()
    monkeypatch.setenv("COLUMNS", "1000")  # argparse's help unwrapped, one line an option
    with contextlib.redirect_stdout(out):
        assert main(["rate", "--help"]) == 0
    mu_help = " ".join(out.getvalue().split("\n  --mu MU", 1)[1].split("\n  --class", 1)[0].split())
    assert "only with --class smooth-strongly-convex" in mu_help
    readme = Path(__file__).resolve().parents[1].joinpath("README.md").read_text("utf-8")
    (synopsis,) = [line for line in readme.splitlines() if line.startswith("momentum rate [")]
    assert "--mu MU --class quadratic" not in synopsis
    assert "--class smooth-strongly-convex --mu MU" in synopsis


# a run that blew up ended with exit 0, "neither converged nor on a cycle" and NaN iterates
# (`momentum simulate --function lessard --eta 1e300 --beta 0.9999999999999999 --steps 100000`);
# it is now "diverged", at the step the plain loop first passes 100 times its start
@settings(max_examples=60)
@given(
    eta=whole_range(-10, 995),  # the command takes numbers up to 1e300
    beta=command_numbers(floats(-0.99, 0.99)) | near_unit(),
    x0=st.sampled_from([3.3, -1.0, 1.5, 1e-300, -1e300, 0.0, 2.0]),
    steps=st.integers(1, 400),
)
@example(eta=1e300, beta=1 - 2**-53, x0=3.3, steps=100)
@example(eta=1 / 9, beta=4 / 9, x0=3.3, steps=100)  # the 3-cycle: not diverged
def test_simulate_lessard_says_when_it_diverged(eta, beta, x0, steps):
    argv = ["simulate", "--function", "lessard", "--eta", repr(eta), "--beta", repr(beta)]
    argv += ["--x0", repr(x0), "--steps", str(steps)]
    code, out, err = run(*argv, "--json")
    assert code == 0 and err == "", err
    data = json.loads(out)
    with np.errstate(all="ignore"):
        ref = lessard_loop(eta, beta, x0, steps)
        past = [i for i, x in enumerate(ref) if not abs(x) <= 100 * abs(x0)]
    assert data["diverged"] == bool(past) and data["diverged_at"] == (past[0] if past else None)
    if past:
        assert data["converged"] is False and data["cycle"] is None
    code, text, _ = run(*argv)
    verdict = text.splitlines()[1]
    assert verdict.startswith("diverged: ") == bool(past), verdict
    if not past:  # whatever it says, the iterates it shows are numbers
        assert "nan" not in text and "inf" not in text.split("last iterates:")[-1], text
