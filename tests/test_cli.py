import dataclasses
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

import numerics
import theory
from momentum_cli.main import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_and_version(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "derive" in out and "report" in out
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("momentum ")
    for cmd in ("derive", "rate", "stability", "tune", "simulate", "report"):
        code, out, _ = run(capsys, cmd, "--help")
        assert code == 0 and "usage: momentum" in out


def test_help_imports_neither_sympy_nor_matplotlib():
    probe = (
        "import sys, io, contextlib\n"
        "from momentum_cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): main(['--help'])\n"
        "print('sympy' in sys.modules, 'matplotlib' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]


def test_rate_json_matches_library(capsys):
    code, out, _ = run(capsys, "rate", "--eta", "1/2", "--beta", "0.25", "--lam", "1", "--json")
    assert code == 0
    data = json.loads(out)
    # the keys of the first release stay exactly; new keys may join them
    assert set(data) - {"regime_boundaries", "marginal"} == {
        "method",
        "eta",
        "beta",
        "lam",
        "spectral_radius",
        "stable",
        "regime",
        "eigenvalues",
        "max_stable_lam",
    }
    assert data["spectral_radius"] == float(numerics.spectral_radius(0.5, 0.25, 1.0))
    assert data["regime"] == "ripples" and data["stable"] is True
    assert data["max_stable_lam"] == pytest.approx(5.0)
    eig = np.array([complex(*z) for z in data["eigenvalues"]])
    np.testing.assert_allclose(np.abs(eig), 0.5)


def test_rate_gd_and_text(capsys):
    code, out, _ = run(capsys, "rate", "--eta", "0.4", "--lam", "4", "--method", "gd", "--json")
    assert code == 0 and json.loads(out)["spectral_radius"] == pytest.approx(0.6)
    code, out, _ = run(capsys, "rate", "--eta", "0.5", "--beta", "0.25", "--lam", "1")
    assert "spectral radius 0.5" in out


def test_stability_json_and_plot(capsys, tmp_path):
    plot = tmp_path / "region.png"
    code, out, _ = run(
        capsys, "stability", "--eta", "0:4:81", "--beta", "0:0.9:10", "--plot", str(plot), "--json"
    )
    assert code == 0 and plot.stat().st_size > 1000
    data = json.loads(out)
    assert data["eta"] == [0.0, 4.0, 81] and data["beta"] == [0.0, 0.9, 10]
    grid = numerics.rate_grid(np.linspace(0, 4, 81)[1:], np.linspace(0, 0.9, 10), 1.0)
    assert data["stable_fraction"] == pytest.approx(grid.stable.sum() / (81 * 10))
    assert data["best"]["rate"] == pytest.approx(grid.rho.min())


def test_simulate_names_coordinates_from_x1_and_json_counts_from_0(capsys):
    """One convention in the text (x1 first, as D2L and its printed line); the JSON index keeps
    its meaning (0-based, documented in the README): x2 is component 1."""
    code, out, _ = run(capsys, "simulate", "--method", "gd", "--eta", "0.6", "--lams", "4,0.2")
    assert code == 0 and "diverged: x1 (lambda = 4)" in out and "epoch 20, x1: " in out
    code, out, _ = run(capsys, "simulate", "--method", "gd", "--eta", "0.6", "--json")
    data = json.loads(out)
    assert data["growth"]["component"] == 1 and data["lams"][1] == data["growth"]["lam"] == 4.0
    code, out, _ = run(capsys, "simulate", "--method", "gd", "--eta", "0.6")
    assert "diverged: x2 (lambda = 4)" in out


@pytest.mark.parametrize("lam", [0.4, 3.0])
def test_stability_says_why_beta_zero_wins_at_one_curvature(capsys, lam):
    """beta = 0 is the grid's best at one curvature (it reads as a bug): the output says why and
    points to tune; the reason is true: heavy ball at eta = 1/lambda, beta = 0 has R^2 = 0."""
    code, out, _ = run(capsys, "stability", "--lam", str(lam))
    assert code == 0
    best, note = out.splitlines()[1:3]
    assert best.startswith("best on the grid") and "beta=0 " in best
    assert f"eta = 1/lambda = {1 / lam:g}" in note and "momentum tune --mu MU --L L" in note
    R = np.array([[0.0, lam], [0.0, 1 - (1 / lam) * lam]])  # heavy ball's (v, x) map, beta = 0
    np.testing.assert_allclose(R @ R @ np.array([0.0, 1.0]), 0.0, atol=1e-15)
    # no note where beta = 0 is not the answer: a grid without it, or gradient descent
    for extra in (["--beta", "0.5:0.9:5"], ["--method", "gd"]):
        code, out, _ = run(capsys, "stability", "--lam", str(lam), *extra)
        assert code == 0 and "wins at one curvature" not in out


def test_tune_json_exact(capsys):
    code, out, _ = run(capsys, "tune", "--mu", "1", "--L", "100", "--json")
    data = json.loads(out)
    assert data["exact"] == {"eta": "4/121", "beta": "81/121", "rate": "9/11"}
    assert data["eta"] == pytest.approx(4 / 121)
    assert sp.sympify(data["exact"]["rate"]) == theory.optimal_parameters(1, 100).rate


@pytest.mark.parametrize(
    "method, eta, beta, line",
    [
        ("gd", "0.4", None, "epoch 20, x1: -0.943467, x2: -0.000073"),
        ("heavy-ball", "0.6", "0.5", "epoch 20, x1: 0.007188, x2: 0.002553"),
    ],
)
def test_simulate_d2l_line(capsys, method, eta, beta, line):
    argv = ["simulate", "--method", method, "--eta", eta] + (["--beta", beta] if beta else [])
    code, out, _ = run(capsys, *argv)
    assert code == 0 and out.strip().splitlines()[-1] == line


def test_simulate_json_nulls_and_plot(capsys, tmp_path):
    code, out, _ = run(
        capsys, "simulate", "--method", "gd", "--eta", "100", "--steps", "400", "--json"
    )
    data = json.loads(out)
    assert data["diverged"] is True and len(data["trajectory"]) == 401
    assert data["trajectory"][0] == [-5.0, -2.0] and data["final"][1] is None
    plot = tmp_path / "t.svg"
    code, out, _ = run(capsys, "simulate", "--eta", "0.6", "--beta", "0.5", "--plot", str(plot))
    assert code == 0 and plot.exists()


def test_derive_json(capsys):
    code, out, _ = run(
        capsys,
        "derive",
        "minimizer",
        "--Q",
        "[[2, 1], [1, 3]]",
        "--c",
        "[1, -1]",
        "--b",
        "2",
        "--format",
        "json",
    )
    data = json.loads(out)
    assert data["topic"] == "minimizer" and data["method"] == "heavy-ball"
    assert sp.sympify(data["result"]["minimum"]["text"]) == sp.Rational(13, 10)
    assert sp.Matrix(sp.sympify(data["result"]["minimizer"]["text"])) == sp.Matrix(
        [sp.Rational(-4, 5), sp.Rational(3, 5)]
    )
    assert all({"text", "latex"} == set(s) for s in data["steps"])
    code, out, _ = run(capsys, "derive", "stability", "--format", "json")
    assert "condition" in json.loads(out)["result"]
    code, out, _ = run(capsys, "derive", "tuning", "--format", "json")
    assert set(json.loads(out)["result"]) == {"eta", "beta", "rate"}


def test_derive_json_flag_is_format_json(capsys):
    """--json, as every other command spells it, is --format json; with another --format it is
    refused in one line."""
    code, flag, _ = run(capsys, "derive", "tuning", "--json")
    assert code == 0
    code, named, _ = run(capsys, "derive", "tuning", "--format", "json")
    assert code == 0 and json.loads(flag) == json.loads(named)
    code, out, err = run(capsys, "derive", "tuning", "--json", "--format", "latex")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "--json" in err


@pytest.mark.parametrize(
    "fmt, marker", [("text", "Results:"), ("latex", r"\begin{align*}"), ("markdown", "$$")]
)
def test_derive_formats(capsys, fmt, marker):
    code, out, _ = run(capsys, "derive", "momentum", "--format", fmt)
    assert code == 0 and marker in out


def test_derive_all_latex_to_file(capsys, tmp_path):
    target = tmp_path / "all.tex"
    code, out, _ = run(capsys, "derive", "all", "--format", "latex", "--output", str(target))
    assert code == 0 and target.read_text().startswith(r"\documentclass")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["rate", "--eta", "x", "--lam", "1"], "not a number"),
        (["rate", "--eta", "-1", "--beta", "0", "--lam", "1"], "must be > 0"),
        (["rate", "--eta", "1", "--lam", "1"], "--beta is required"),
        (["tune", "--mu", "2", "--L", "1"], "mu <= L"),
        (["stability", "--eta", "1:0:5"], "LO must be < HI"),
        (
            ["derive", "minimizer", "--Q", "[[1, 2], [3, 4]]", "--c", "[1, 1]", "--b", "0"],
            "symmetric",
        ),
        (
            ["derive", "minimizer", "--Q", "[[1, 2], [2, 1]]", "--c", "[1, 1]", "--b", "0"],
            "smallest eigenvalue is -1",
        ),
        (
            [
                "derive",
                "minimizer",
                "--Q",
                "__import__('os').system('touch pwned')",
                "--c",
                "[1]",
                "--b",
                "0",
            ],
            "not a matrix",
        ),
        (["derive", "nonsense"], "invalid choice"),
        (["simulate", "--eta", "0.1", "--beta", "0", "--x0", "1,2,3"], "--x0 has 3 entries"),
    ],
)
def test_errors_are_one_line_exit_2(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err
    assert "Traceback" not in err and not (tmp_path / "pwned").exists()


@pytest.mark.skipif(shutil.which("momentum") is None, reason="console script not on PATH")
def test_console_script():
    done = subprocess.run(
        ["momentum", "tune", "--mu", "1", "--L", "4", "--json"], capture_output=True, text=True
    )
    assert done.returncode == 0 and json.loads(done.stdout)["exact"]["rate"] == "1/3"
    done = subprocess.run(
        ["momentum", "rate", "--eta", "nan", "--lam", "1"], capture_output=True, text=True
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_method_family_options(capsys):
    code, out, _ = run(
        capsys,
        "rate",
        "--eta",
        "0.5",
        "--beta",
        "0.5",
        "--lam",
        "1",
        "--method",
        "nesterov",
        "--json",
    )
    data = json.loads(out)
    assert data["max_stable_lam"] == pytest.approx(3.0)
    assert data["spectral_radius"] == float(numerics.spectral_radius(0.5, 0.5, 1.0, "nesterov"))
    code, out, _ = run(
        capsys,
        "rate",
        "--eta",
        "0.1",
        "--beta",
        "0.9",
        "--lam",
        "2",
        "--weight-decay",
        "0.5",
        "--json",
    )
    assert json.loads(out)["spectral_radius"] == pytest.approx(
        float(numerics.spectral_radius(0.1, 0.9, 2.5))
    )
    code, out, _ = run(capsys, "tune", "--mu", "1", "--L", "100", "--method", "nesterov", "--json")
    data = json.loads(out)
    assert data["exact"]["eta"] == "4/301" and data["numeric"] is False
    code, out, _ = run(
        capsys, "tune", "--mu", "1", "--L", "100", "--method", "qhm", "--nu", "0.7", "--json"
    )
    data = json.loads(out)
    assert data["numeric"] is True and data["exact"] is None and data["rate"] < 99 / 101
    code, out, _ = run(capsys, "derive", "momentum", "--method", "qhm", "--format", "json")
    assert "trace" in json.loads(out)["result"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["rate", "--eta", "1", "--beta", "0.5", "--lam", "1", "--nu", "0.3"],
            "--nu is for --method qhm",
        ),
        (
            [
                "rate",
                "--eta",
                "1",
                "--beta",
                "0.5",
                "--lam",
                "1",
                "--method",
                "gd",
                "--dampening",
                "0.1",
            ],
            "heavy-ball and nesterov",
        ),
        (
            ["rate", "--eta", "1", "--beta", "0.5", "--lam", "1", "--dampening", "2"],
            "--dampening must be in [0, 1]",
        ),
        (
            [
                "rate",
                "--eta",
                "1",
                "--beta",
                "0.5",
                "--lam",
                "1",
                "--method",
                "nesterov",
                "--dampening",
                "0.5",
            ],
            "nesterov needs --dampening 0",
        ),
    ],
)
def test_method_option_errors(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_noise_json(capsys):
    code, out, _ = run(
        capsys,
        "noise",
        "--eta",
        "0.1",
        "--beta",
        "0.5",
        "--lam",
        "2",
        "--sigma",
        "1",
        "--chains",
        "2000",
        "--json",
    )
    data = json.loads(out)
    assert data["variance"] == pytest.approx(0.1 * 1.5 / (2 * 0.5 * 2.8))
    assert data["expected_excess_loss"] == pytest.approx(data["variance"])
    lo, hi = data["monte_carlo"]["interval"]
    assert lo <= data["variance"] <= hi and data["monte_carlo"]["chains"] == 2000


def test_train_text_and_json(capsys, tmp_path):
    code, out, _ = run(capsys, "train")
    assert code == 0 and out.strip().splitlines()[-1].startswith("loss: 0.2")
    plot = tmp_path / "loss.png"
    code, out, _ = run(
        capsys, "train", "--lr", "0.02", "--momentum", "0.5", "--json", "--plot", str(plot)
    )
    data = json.loads(out)
    # the first release's keys stay exactly; new keys may join them
    added = {"diverged", "diverged_at_examples", "minibatch_max_stable_lr", "predicted_excess_loss"}
    assert set(data) - added == {
        "final_loss",
        "losses",
        "sec_per_epoch",
        "hessian_eigenvalues",
        "max_stable_lr",
    }
    assert data["max_stable_lr"] == pytest.approx(2 * 1.5 / max(data["hessian_eigenvalues"]))
    assert len(data["losses"]) == 15 and plot.exists()


def test_report_failure_leaves_earlier_report_intact(capsys, tmp_path, monkeypatch):
    from momentum_cli.report import build as report

    target = tmp_path / "rep"
    with numerics.atomic_directory(target) as earlier:
        (earlier / "old.txt").write_text("earlier report")

    def broken(fig):
        raise ValueError("boom")

    monkeypatch.setattr(
        report, "FIGURES", (report.FIGURES[0], dataclasses.replace(report.FIGURES[3], draw=broken))
    )
    with pytest.raises(ValueError, match="boom"):
        main(["report", "--output", str(target)])
    assert sorted(p.name for p in target.iterdir()) == [".momentum-report", "old.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_report_into_a_file_is_exit_2(capsys, tmp_path):
    target = tmp_path / "rep"
    target.write_text("x")
    code, out, err = run(capsys, "report", "--output", str(target))
    assert code == 2 and "not a directory" in err and target.read_text() == "x"


def test_unwritable_plot_path_is_exit_2(capsys, tmp_path):
    blocker = tmp_path / "f"
    blocker.write_text("x")
    code, out, err = run(
        capsys,
        "stability",
        "--eta",
        "0:4:11",
        "--beta",
        "0:0.9:5",
        "--plot",
        str(blocker / "a.png"),
    )
    assert code == 2 and "cannot write" in err and len(err.strip().splitlines()) == 1


def test_derive_tuning_for_qhm_says_there_is_no_closed_form(capsys):
    # derive what has a closed form, say what has none: no failure
    code, out, err = run(capsys, "derive", "tuning", "--method", "qhm")
    assert code == 0 and not err and "No closed-form tuning is derived for qhm" in out


@pytest.mark.parametrize("extra", [[], ["--weight-decay", "1e300"], ["--lam", "10", "--eta", "1"]])
def test_rate_with_dampening_one_says_no_step_is_stable(capsys, extra):
    """Found by review: exit 2 with "'eta' * 'lam' is too large" (the edge probed at 9e307)."""
    code, out, err = run(
        capsys, "rate", "--dampening", "1", "--beta", "0.5", "--L", "10", *extra, "--json"
    )
    assert (code, err) == (0, "") and json.loads(out)["max_stable_eta"] is None
    code, out, err = run(capsys, "rate", "--dampening", "1", "--beta", "0.5", "--L", "10", *extra)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == (
        "largest stable step for curvature L=10: eta < none (no step size is stable: with "
        "dampening 1 no gradient enters)"
    )
