"""The command line answers the questions users bring, in the words they use (issue 16)."""

import argparse
import contextlib
import io
import json

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from momentum_cli.main import build_parser, main
from tests.strategies import command_numbers, floats, whole_range


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv) -> dict:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def torch_matrix(lr, momentum, lam, wd=0.0, d=0.0, nesterov=False):
    """torch.optim.SGD's update on f = lam/2 x^2 as a matrix on (buf, x), written out by hand."""
    k = lam + wd  # the decayed gradient is (lam + wd) x
    if nesterov:  # buf <- m buf + k x; x <- x - lr (k x + m buf)
        return np.array([[momentum, k], [-lr * momentum * momentum, 1 - lr * k * (1 + momentum)]])
    return np.array([[momentum, (1 - d) * k], [-lr * momentum, 1 - lr * (1 - d) * k]])


def rho(matrix) -> float:
    return float(np.abs(np.linalg.eigvals(matrix)).max())


@pytest.mark.parametrize(
    "torch_words, our_words",
    [
        (["--lr", "0.1", "--momentum", "0.9"], ["--eta", "0.1", "--beta", "0.9"]),
        (
            ["--lr", "0.3", "--momentum", "0.6", "--nesterov"],
            ["--eta", "0.3", "--beta", "0.6", "--method", "nesterov"],
        ),
        (
            ["--lr", "0.1", "--momentum", "0.9", "--weight-decay", "5e-4", "--dampening", "0.1"],
            ["--eta", "0.1", "--beta", "0.9", "--weight-decay", "5e-4", "--dampening", "0.1"],
        ),
    ],
)
@pytest.mark.parametrize(
    "command",
    [["rate", "--lam", "3"], ["rate"], ["noise", "--lam", "3", "--sigma", "0.5"], ["simulate"]],
)
def test_pytorch_names_are_aliases(capsys, command, torch_words, our_words):
    assert run_json(capsys, *command, *torch_words) == run_json(capsys, *command, *our_words)


def test_largest_curvature_of_a_pasted_optimiser(capsys):
    # "torch.optim.SGD(lr=0.1, momentum=0.9, weight_decay=5e-4): what is the largest curvature I survive?"
    data = run_json(capsys, "rate", "--lr", "0.1", "--momentum", "0.9", "--weight-decay", "5e-4")
    edge = data["max_stable_lam"]
    assert data["lam"] is None and data["spectral_radius"] is None
    assert rho(torch_matrix(0.1, 0.9, edge * (1 - 1e-6), wd=5e-4)) < 1
    assert rho(torch_matrix(0.1, 0.9, edge * (1 + 1e-6), wd=5e-4)) > 1
    assert data["regime_boundaries"][-1] == {
        "lam": edge,
        "below": "oscillating",
        "above": "divergent",
    }


def test_rate_text_without_lam_lists_the_regimes(capsys):
    code, out, _ = run(capsys, "rate", "--eta", "0.3", "--beta", "0.36")
    assert code == 0
    # heavy ball: critical damping at eta lam = (1 -+ 0.6)^2, edge at 2 (1.36)
    assert "0.533333 < lambda < 8.53333: ripples" in out
    assert "lambda > 9.06667: divergent" in out


@pytest.mark.parametrize("nesterov", [False, True])
def test_largest_stable_step_for_L(capsys, nesterov):
    extra = ["--nesterov"] if nesterov else []
    data = run_json(capsys, "rate", "--momentum", "0.9", "--L", "37", *extra)
    eta = data["max_stable_eta"]
    assert data["L"] == 37 and data["eta"] is None
    assert rho(torch_matrix(eta * (1 - 1e-6), 0.9, 37, nesterov=nesterov)) < 1
    assert rho(torch_matrix(eta * (1 + 1e-6), 0.9, 37, nesterov=nesterov)) > 1


def test_nesterov_flag_conflicts_with_another_method(capsys):
    code, _, err = run(capsys, "rate", "--lr", "0.1", "--method", "qhm", "--nesterov")
    assert code == 2 and "--nesterov means --method nesterov" in err


def test_tune_kappa_is_the_spectrum_from_one(capsys):
    assert run_json(capsys, "tune", "--kappa", "37") | {} == run_json(
        capsys, "tune", "--mu", "1", "--L", "37"
    )
    code, _, err = run(capsys, "tune", "--kappa", "0.5")
    assert code == 2 and "--kappa must be >= 1" in err


@pytest.mark.parametrize(
    "method, extra, wd, d",
    [
        ("heavy-ball", [], 0.7, 0.0),
        ("heavy-ball", ["--dampening", "0.3"], 0.7, 0.3),
        ("nesterov", [], 0.7, 0.0),
        ("gd", [], 0.7, 0.0),
    ],
)
def test_tune_with_weight_decay_has_a_closed_form(capsys, method, extra, wd, d):
    data = run_json(
        capsys,
        "tune",
        "--mu",
        "3",
        "--L",
        "50",
        "--weight-decay",
        str(wd),
        "--method",
        method,
        *extra,
    )
    assert data["numeric"] is False and data["exact"] is not None
    # the worst case over [mu, L] of torch's own update, by eigenvalues on a fine grid
    lams = np.linspace(3, 50, 4001)
    worst = max(
        rho(torch_matrix(data["eta"], data["beta"], lam, wd, d, nesterov=method == "nesterov"))
        for lam in lams
    )
    assert worst == pytest.approx(data["rate"], rel=1e-6)
    # and no (lr, momentum) near it does better
    for f_eta, f_beta in [(1.01, 1), (0.99, 1), (1, 1.01), (1, 0.99)]:
        beta = min(data["beta"] * f_beta, 0.999) if method != "gd" else 0.0
        other = max(
            rho(torch_matrix(data["eta"] * f_eta, beta, lam, wd, d, nesterov=method == "nesterov"))
            for lam in lams[::40]
        )
        assert other >= data["rate"] - 1e-9


def test_tune_weight_decay_shifts_the_spectrum_exactly(capsys):
    # heavy ball on [mu + wd, L + wd] = [4, 64]: eta = 4/(2 + 8)^2, beta = ((8 - 2)/(8 + 2))^2
    data = run_json(capsys, "tune", "--mu", "3", "--L", "63", "--weight-decay", "1")
    assert data["exact"] == {"eta": "1/25", "beta": "9/25", "rate": "3/5"}
    assert data["effective_spectrum"] == [4.0, 64.0]


@pytest.mark.parametrize(
    "lam, method, edge", [("100", "heavy-ball", 2 * 1.99 / 100), ("7", "gd", 2 / 7)]
)
def test_stability_default_grid_frames_the_region(capsys, lam, method, edge):
    data = run_json(capsys, "stability", "--lam", lam, "--method", method)
    lo, hi, n = data["eta"]
    assert lo == 0 and hi == pytest.approx(1.1 * edge, rel=1e-9) and n == 401
    assert 0.3 < data["stable_fraction"] < 1


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("command", sorted(_subparsers()))
def test_every_option_has_help_with_default_or_required(command):
    for action in _subparsers()[command]._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        text = action.help or ""
        assert text, (command, action.option_strings)
        flag = action.nargs == 0
        positional = not action.option_strings
        assert flag or positional or "default" in text.lower() or "required" in text, (
            command,
            text,
        )


@pytest.mark.parametrize("command", ["rate", "simulate", "noise"])
def test_usage_shows_beta_as_required(command):
    usage = _subparsers()[command].format_usage()
    assert "--beta BETA" in usage and "[--beta BETA]" not in usage


def test_simulate_gd_needs_no_beta(capsys):
    code, out, _ = run(capsys, "simulate", "--method", "gd", "--eta", "0.4")
    # D2L 11.6's printed line for gradient descent at eta = 0.4
    assert code == 0 and "epoch 20, x1: -0.943467, x2: -0.000073" in out


def test_simulate_says_when_growth_began_and_its_rate(capsys):
    code, out, _ = run(capsys, "simulate", "--method", "gd", "--eta", "0.6")
    assert code == 0
    assert "x2 (lambda = 4) grew from step 1 on, by 1.4 per step" in out
    assert "spectral radius 1.4)" in out and "at step 17" in out
    data = run_json(capsys, "simulate", "--method", "gd", "--eta", "0.6")
    assert data["diverged_at"] == 17 and data["growth"]["began_at"] == 1
    assert data["growth"]["rate"] == pytest.approx(1.4) and data["growth"]["lam"] == 4


def test_train_says_diverged_not_a_long_number(capsys):
    code, out, _ = run(capsys, "train", "--lr", "2")
    assert code == 0 and "loss: diverged" in out and "after 200 examples, in epoch 1" in out
    assert max(len(w) for w in out.split()) < 20
    data = run_json(capsys, "train", "--lr", "2")
    assert data["diverged"] is True and data["diverged_at_examples"] == 200
    data = run_json(capsys, "train")
    assert data["diverged"] is False and data["diverged_at_examples"] is None


def _main(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


# a run that overflowed before a rate could be fitted has growth.rate null in the JSON, and the
# text line formatted that None: `momentum simulate --eta 1e300 --beta 0` was a TypeError
# traceback (found by test_fuzz_cli's grammar with the fuzz profile)
@settings(max_examples=40)
@given(
    eta=whole_range(-10, 995),  # the command takes numbers up to 1e300
    beta=command_numbers(floats(-0.99, 0.99)),
    method=st.sampled_from(["heavy-ball", "gd", "nesterov"]),
    lams=st.sampled_from(["0.2,4", "1", "1e-300,1e300", "3,5,7"]),
)
@example(eta=1e300, beta=0.0, method="heavy-ball", lams="0.2,4")
def test_simulate_states_its_growth_whatever_the_step(eta, beta, method, lams):
    argv = ["simulate", "--eta", repr(eta), "--method", method, "--lams", lams]
    argv += ["--x0", ",".join(["1"] * len(lams.split(",")))]
    beta = abs(beta) if method == "nesterov" else beta  # nesterov takes [0, 1)
    argv += [] if method == "gd" else ["--beta", repr(beta)]
    code, out, err = _main(*argv, "--json")
    assert (code, err) == (0, ""), err
    data = json.loads(out)
    code, text, err = _main(*argv)
    assert (code, err) == (0, ""), err
    status = text.splitlines()[0]
    assert ("diverged: " in status) == (data["growth"] is not None), status
    if data["growth"] is not None:
        rate = data["growth"]["rate"]
        assert ("too fast to fit a rate" in status) == (rate is None), status
        assert rate is None or f"by {rate:.4g} per step" in status
