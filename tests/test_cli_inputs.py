"""Extreme but well-formed inputs on the command line: a correct answer or one line and exit 2 (issue 11)."""

import json
import warnings

import numpy as np
import pytest

from momentum_cli.commands import PLOT_AXIS_POINTS, _figure_sized
from momentum_cli.main import main


def run(capsys, *argv):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning may reach stderr
        code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_huge_curvature_gets_its_rate_without_a_warning(capsys):
    code, out, err = run(capsys, "rate", "--eta", "0.6", "--beta=-0.99", "--lam", "1e300")
    assert (code, err) == (0, "")
    # |1 + beta - eta lam| = 6e299 to every printed digit; the other root is beta over it
    assert "spectral radius 6e+299 (unstable, divergent)" in out
    assert "eigenvalues -6e+299+0i" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["noise", "--eta", "0.1", "--beta", "0.5", "--lam", "1", "--sigma", "1e200"],
            "momentum: error: 'sigma' is too large: the variance 0.103448 * sigma^2 overflows a "
            "float (sigma = 1e+200)\n",
        ),
        (
            ["noise", "--eta", "0.1", "--beta", "0.5", "--lam", "1", "--sigma", "1e-300"],
            "momentum: error: 'sigma' is too small: the variance 0.103448 * sigma^2 underflows a "
            "float (sigma = 1e-300)\n",
        ),
        (
            [
                "noise",
                "--eta",
                "0.1",
                "--beta",
                "0.5",
                "--lam",
                "1",
                "--sigma",
                "1",
                "--dampening",
                "1",
            ],
            "momentum: error: no stationary distribution: the iteration is unstable at eta=0.1, "
            "beta=0.5\n",
        ),
        (
            ["tune", "--mu", "1e-320", "--L", "4"],
            "momentum tune: argument --mu: '1e-320' is too small: a nonzero number is at least "
            "1e-300 in magnitude (see 'momentum tune --help')\n",
        ),
        (
            # the regime boundaries at eta = 1e300 are fine (issue 24); eta*lam = 1e600 is not
            ["rate", "--eta", "1e300", "--beta", "0.5", "--lam", "1e300"],
            "momentum: error: 'eta' * 'lam' is too large: the state matrix overflows a float "
            "(eta*lam up to 1e600)\n",
        ),
    ],
)
def test_out_of_range_results_are_one_line(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert (code, out, err) == (2, "", message)


def test_noise_at_a_large_sigma_is_exact(capsys):
    code, out, err = run(
        capsys, "noise", "--eta", "0.1", "--beta", "0.5", "--lam", "2", "--sigma", "1e100", "--json"
    )
    assert (code, err) == (0, "")
    # closed form eta (1 + beta) sigma^2 / (lam (1 - beta) (2 (1 + beta) - eta lam))
    assert json.loads(out)["variance"] == pytest.approx(
        0.1 * 1.5 * 1e200 / (2 * 0.5 * 2.8), rel=1e-12
    )


def test_ten_thousand_curvatures_simulate(capsys):
    n = 10_000
    lams = ",".join(f"{v:.6g}" for v in np.linspace(0.01, 3, n))
    x0 = ",".join("1" for _ in range(n))
    code, out, err = run(
        capsys,
        "simulate",
        "--eta",
        "0.5",
        "--beta",
        "0.4",
        "--lams",
        lams,
        "--x0",
        x0,
        "--steps",
        "100",
        "--json",
    )
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert len(data["trajectory"]) == 101 and len(data["final"]) == n
    # coordinate 0 by a plain scalar loop
    x, v = 1.0, 0.0
    for _ in range(100):
        v = 0.4 * v + 0.01 * x
        x -= 0.5 * v
    assert data["final"][0] == pytest.approx(x, rel=1e-12)


def test_region_figures_are_drawn_from_a_grid_of_the_figures_size():
    import numerics

    grid = numerics.rate_grid(np.linspace(0.01, 4, 4001), np.linspace(0, 0.99, 37), 1.0)
    small = _figure_sized(grid)
    assert small.eta.size == PLOT_AXIS_POINTS and small.beta.size == 37
    assert (small.eta[0], small.eta[-1]) == (grid.eta[0], grid.eta[-1])
    i = np.searchsorted(grid.eta, small.eta)
    np.testing.assert_array_equal(small.rho, grid.rho[i])  # the grid's own values, not new ones
    assert _figure_sized(small) is small


def test_numeric_tuning_of_a_tiny_spectrum(capsys):
    # issue 24: a RuntimeWarning and an infinite error; the spectrum is scaled first, so the
    # step is kappa = 10's scaled by 1e299 (the rate does not change with the scale)
    code, out, err = run(
        capsys, "tune", "--mu", "1e-300", "--L", "1e-299", "--method", "qhm", "--json"
    )
    assert (code, err) == (0, "")
    tiny = json.loads(out)
    code, out, err = run(capsys, "tune", "--mu", "1", "--L", "10", "--method", "qhm", "--json")
    unit = json.loads(out)
    assert tiny["eta"] * 1e-299 == pytest.approx(unit["eta"] * 10, rel=1e-8)
    assert tiny["rate"] == pytest.approx(unit["rate"], rel=1e-9)
