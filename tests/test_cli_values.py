"""Every JSON field of every command against an independent computation (issue 13, area 4).

Inputs are chosen so each term shows: no lambda = 2 where lambda/2 appears, no
sigma = 1 where sigma^2 appears, eta and beta far apart so a swap shows, and a
batch size that does not divide the data.
"""

import json
import os
import stat
from fractions import Fraction

import numpy as np
import pytest

from momentum_cli.main import main
from tests.references import (
    airfoil_design,
    covariance_loop,
    eigenvalues_by_modulus,
    goh_regime,
    heavy_ball_matrix,
    nesterov_matrix,
    qhm_matrix,
    rho,
    torch_sgd_matrix,
    train_loop,
)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def _regime(R) -> str:
    """Goh's regime from numpy's eigenvalues (largest modulus first)."""
    ev = eigenvalues_by_modulus(R)
    if abs(ev[0]) >= 1:
        return "divergent"
    if abs(ev[0].imag) > 1e-12:
        return "ripples"
    if abs(ev[0] - ev[1]) < 1e-6:
        return "critical"
    return "monotone" if ev[0].real > 0 else "oscillating"


@pytest.mark.parametrize(
    "eta, beta, lam, regime",
    [
        ("0.3", "0.6", "2.5", "ripples"),
        ("1.6", "0.1", "1.25", "oscillating"),
        ("0.1", "0.2", "0.7", "monotone"),
    ],
)
def test_rate_json_every_field(capsys, eta, beta, lam, regime):
    data = run_json(capsys, "rate", "--eta", eta, "--beta", beta, "--lam", lam)
    e, b, m = float(eta), float(beta), float(lam)
    R = heavy_ball_matrix(e, b, m)
    assert data["method"] == "heavy-ball"
    assert (data["eta"], data["beta"], data["lam"]) == (e, b, m)
    assert data["spectral_radius"] == pytest.approx(rho(R), rel=1e-12)
    assert data["stable"] is (rho(R) < 1)
    assert data["regime"] == _regime(R) == regime
    eig = np.array([complex(re, im) for re, im in data["eigenvalues"]])
    ref = eigenvalues_by_modulus(R)
    assert abs(eig[0]) >= abs(eig[1])
    if regime == "ripples":
        np.testing.assert_allclose(np.sort_complex(eig), np.sort_complex(ref), atol=1e-14)
    else:
        np.testing.assert_allclose(eig, ref, atol=1e-14)
    assert data["max_stable_lam"] == pytest.approx(2 * (1 + b) / e, rel=1e-12)


def test_rate_text_echoes_inputs(capsys):
    code, out, _ = run(capsys, "rate", "--eta", "0.3", "--beta", "0.6", "--lam", "2.5")
    assert code == 0 and out.startswith("heavy-ball: eta=0.3 beta=0.6 lambda=2.5\n")


@pytest.mark.parametrize(
    "options, matrix, edge",
    [
        (["--method", "nesterov"], nesterov_matrix(0.3, 0.6, 2.5), 3.2 / (2.2 * 0.3)),
        # QHM's default nu is the paper's recommendation, 0.7 (Ma and Yarats 2019, section 7)
        (
            ["--method", "qhm"],
            qhm_matrix(0.3, 0.6, 0.7, 2.5),
            3.2 / (0.3 * (1.6 - 2 * 0.7 * 0.6)),
        ),
        (
            ["--method", "qhm", "--nu", "0.35"],
            qhm_matrix(0.3, 0.6, 0.35, 2.5),
            3.2 / (0.3 * (1.6 - 2 * 0.35 * 0.6)),
        ),
        (
            ["--dampening", "0.2", "--weight-decay", "0.3"],
            torch_sgd_matrix(0.3, 0.6, 2.5, 0.2, 0.3),
            3.2 / (0.3 * 0.8) - 0.3,
        ),
    ],
)
def test_rate_json_for_the_method_family(capsys, options, matrix, edge):
    data = run_json(capsys, "rate", "--eta", "0.3", "--beta", "0.6", "--lam", "2.5", *options)
    assert data["spectral_radius"] == pytest.approx(rho(matrix), rel=1e-12)
    np.testing.assert_allclose(
        np.abs([complex(*z) for z in data["eigenvalues"]]),
        np.abs(eigenvalues_by_modulus(matrix)),
        rtol=1e-12,
    )
    assert data["max_stable_lam"] == pytest.approx(edge, rel=1e-9)


def test_rate_gd(capsys):
    data = run_json(capsys, "rate", "--eta", "0.3", "--lam", "2.5", "--method", "gd")
    assert data["method"] == "gd" and data["beta"] == 0.0
    assert data["spectral_radius"] == pytest.approx(0.25) and data["regime"] == "monotone"
    assert data["eigenvalues"] == [[pytest.approx(0.25), 0.0]]
    assert data["max_stable_lam"] == pytest.approx(2 / 0.3)
    # on the edge, rho = |1 - 0.5 * 4| = 1 exactly: not stable
    data = run_json(capsys, "rate", "--eta", "0.5", "--lam", "4", "--method", "gd")
    assert data["spectral_radius"] == 1.0 and data["stable"] is False
    assert data["regime"] == "divergent"


@pytest.mark.parametrize("method", ["heavy-ball", "gd"])
def test_stability_json_every_field(capsys, method):
    # lambda = 2.7 keeps every grid point off the edge eta lam = 2(1 + beta)
    data = run_json(
        capsys,
        "stability",
        "--method",
        method,
        "--lam",
        "2.7",
        "--eta",
        "0:2:21",
        "--beta=-0.5:0.9:15",
    )
    assert data["method"] == method and data["lam"] == 2.7
    assert data["eta"] == [0.0, 2.0, 21] and data["beta"] == [-0.5, 0.9, 15]
    etas, betas = np.linspace(0, 2, 21), np.linspace(-0.5, 0.9, 15)
    stable, best = 0, (None, None, np.inf)
    for e in etas[1:]:  # eta = 0 does not move: not stable
        for b in betas:
            r = abs(1 - e * 2.7) if method == "gd" else rho(heavy_ball_matrix(e, b, 2.7))
            stable += r < 1
            if r < best[2] - 1e-12:
                best = (e, 0.0 if method == "gd" else b, r)
    assert data["stable_fraction"] == pytest.approx(stable / (21 * 15), abs=1e-15)
    assert data["best"]["eta"] == pytest.approx(best[0], rel=1e-12)
    assert data["best"]["beta"] == pytest.approx(best[1], abs=1e-12)
    assert data["best"]["rate"] == pytest.approx(best[2], rel=1e-9)


@pytest.mark.parametrize(
    "method, exact, values",
    [
        # Polyak (1964) on [2, 50]: eta = 4/(sqrt 50 + sqrt 2)^2 = 1/18, beta = (4/6)^2, rate 2/3
        ("heavy-ball", {"eta": "1/18", "beta": "4/9", "rate": "2/3"}, (1 / 18, 4 / 9, 2 / 3)),
        # gradient descent: eta = 2/(mu + L) = 1/26, rate (L - mu)/(L + mu) = 12/13
        ("gd", {"eta": "1/26", "beta": "0", "rate": "12/13"}, (1 / 26, 0.0, 12 / 13)),
    ],
)
def test_tune_json_every_field(capsys, method, exact, values):
    data = run_json(capsys, "tune", "--mu", "2", "--L", "50", "--method", method)
    assert data["method"] == method and (data["mu"], data["L"]) == (2.0, 50.0)
    assert data["exact"] == exact and data["numeric"] is False
    for key, value in zip(("eta", "beta", "rate"), values, strict=True):
        assert data[key] == pytest.approx(value, rel=1e-12, abs=1e-15)
        assert data[key] == pytest.approx(float(Fraction(exact[key])), rel=1e-12, abs=1e-15)


def test_tune_json_nesterov_and_qhm(capsys):
    # Lessard, Recht and Packard (2016): eta = 4/(3L + mu), rate 1 - 2/sqrt(3 kappa + 1)
    data = run_json(capsys, "tune", "--mu", "2", "--L", "50", "--method", "nesterov")
    assert data["eta"] == pytest.approx(4 / 152) and data["rate"] == pytest.approx(
        1 - 2 / np.sqrt(76)
    )
    s = np.sqrt(76)
    assert data["beta"] == pytest.approx((s - 2) / (s + 2))
    # QHM has no closed form: the rate is the worst case over [mu, L] at the (eta, beta) given
    data = run_json(capsys, "tune", "--mu", "2", "--L", "50", "--method", "qhm", "--nu", "0.35")
    assert (
        data["numeric"] is True and data["exact"] is None and (data["mu"], data["L"]) == (2.0, 50.0)
    )
    worst = max(
        rho(qhm_matrix(data["eta"], data["beta"], 0.35, lam)) for lam in np.linspace(2, 50, 3001)
    )
    assert data["rate"] == pytest.approx(worst, rel=1e-6)


def _hb_loop(eta, beta, lams, x0, steps, nesterov=False):
    x, v = np.array(x0, float), np.zeros(len(x0))
    out = [x.copy()]
    for _ in range(steps):
        g = np.array(lams) * x
        v = beta * v + g
        x = x - eta * (g + beta * v if nesterov else v)
        out.append(x.copy())
    return np.array(out)


@pytest.mark.parametrize("method", ["heavy-ball", "nesterov"])
def test_simulate_json_every_field(capsys, method):
    data = run_json(
        capsys,
        "simulate",
        "--method",
        method,
        "--eta",
        "0.3",
        "--beta",
        "0.4",
        "--lams",
        "0.5,3",
        "--x0",
        "1,-2",
        "--steps",
        "7",
    )
    ref = _hb_loop(0.3, 0.4, [0.5, 3.0], [1.0, -2.0], 7, nesterov=method == "nesterov")
    assert data["method"] == method and (data["eta"], data["beta"]) == (0.3, 0.4)
    assert data["lams"] == [0.5, 3.0] and data["x0"] == [1.0, -2.0] and data["steps"] == 7
    np.testing.assert_allclose(data["trajectory"], ref, rtol=1e-12)
    np.testing.assert_allclose(data["final"], ref[-1], rtol=1e-12)
    assert data["diverged"] is False


def test_simulate_json_divergence(capsys):
    # gd with eta lam = 2.5 on the second coordinate: x2 = -2 (-1.5)^t passes 100 max(|x0|, 1)
    # = 200 at the first t with 2 * 1.5^t > 200, t = 12
    data = run_json(
        capsys,
        "simulate",
        "--method",
        "gd",
        "--eta",
        "0.5",
        "--lams",
        "0.5,5",
        "--x0",
        "1,-2",
        "--steps",
        "11",
    )
    assert data["diverged"] is False
    data = run_json(
        capsys,
        "simulate",
        "--method",
        "gd",
        "--eta",
        "0.5",
        "--lams",
        "0.5,5",
        "--x0",
        "1,-2",
        "--steps",
        "12",
    )
    assert data["diverged"] is True
    assert data["final"] == [pytest.approx(0.75**12), pytest.approx(-2 * (-1.5) ** 12)]


def test_noise_json_every_field(capsys):
    e, b, m, s = 0.1, 0.6, 3.0, 0.3
    data = run_json(
        capsys,
        "noise",
        "--eta",
        "0.1",
        "--beta",
        "0.6",
        "--lam",
        "3",
        "--sigma",
        "0.3",
        "--chains",
        "3000",
        "--seed",
        "4",
    )
    closed = e * s**2 * (1 + b) / (m * (1 - b) * (2 + 2 * b - e * m))
    assert data["method"] == "heavy-ball"
    assert (data["eta"], data["beta"], data["lam"], data["sigma"]) == (e, b, m, s)
    assert data["variance"] == pytest.approx(closed, rel=1e-10)
    assert data["expected_excess_loss"] == pytest.approx(m / 2 * closed, rel=1e-10)
    mc = data["monte_carlo"]
    lo, hi = mc["interval"]
    assert mc["chains"] == 3000 and lo < mc["mean"] < hi and lo <= closed <= hi
    again = run_json(
        capsys,
        "noise",
        "--eta",
        "0.1",
        "--beta",
        "0.6",
        "--lam",
        "3",
        "--sigma",
        "0.3",
        "--chains",
        "3000",
        "--seed",
        "4",
    )
    other = run_json(
        capsys,
        "noise",
        "--eta",
        "0.1",
        "--beta",
        "0.6",
        "--lam",
        "3",
        "--sigma",
        "0.3",
        "--chains",
        "3000",
        "--seed",
        "5",
    )
    assert again["monte_carlo"] == mc and other["monte_carlo"]["mean"] != mc["mean"]


def test_noise_json_qhm(capsys):
    data = run_json(
        capsys,
        "noise",
        "--method",
        "qhm",
        "--eta",
        "0.3",
        "--beta",
        "0.8",
        "--lam",
        "2.5",
        "--sigma",
        "0.4",
    )
    R = qhm_matrix(0.3, 0.8, 0.7, 2.5)
    noise = np.array([0.2, -0.3 * (0.3 + 0.7 * 0.2)])  # (1 - beta), -eta ((1 - nu) + nu (1 - beta))
    assert data["variance"] == pytest.approx(covariance_loop(R, noise, 0.4, 5000)[1, 1], rel=1e-9)
    assert "monte_carlo" not in data


def test_train_json_every_field(capsys):
    # batch 7 does not divide 1500: each epoch ends with a batch of 2
    data = run_json(
        capsys,
        "train",
        "--lr",
        "0.03",
        "--momentum",
        "0.6",
        "--batch-size",
        "7",
        "--epochs",
        "1",
        "--seed",
        "5",
    )
    A, y = airfoil_design()
    examples, losses = train_loop(A, y, 0.03, 0.6, 7, 1, 5)
    np.testing.assert_allclose(data["losses"], losses, rtol=1e-10)
    assert len(examples) == 8 and data["final_loss"] == data["losses"][-1]
    eig = np.linalg.eigvalsh(A.T @ A / 1500)
    np.testing.assert_allclose(sorted(data["hessian_eigenvalues"]), eig, rtol=1e-10)
    assert data["max_stable_lr"] == pytest.approx(2 * 1.6 / eig.max(), rel=1e-10)
    assert data["sec_per_epoch"] > 0


@pytest.mark.parametrize(
    "argv, fault",
    [
        (["rate", "--eta", "0.5", "--lam", "1.5", "--beta", "1"], "--beta"),
        (["rate", "--eta", "0.5", "--lam", "1.5", "--beta", "0.999999"], None),
        (["rate", "--eta", "0.5", "--lam", "1.5", "--beta=-1"], "--beta"),
        (["rate", "--eta", "0.5", "--lam", "1.5", "--beta=-0.999999"], None),
        (["rate", "--eta", "0.5", "--lam", "1.5", "--beta", "0", "--method", "nesterov"], None),
        (
            ["rate", "--eta", "0.5", "--lam", "1.5", "--beta=-1/1000", "--method", "nesterov"],
            "--beta",
        ),
        (["rate", "--eta", "0.5", "--lam", "1.5", "--beta", "1", "--method", "nesterov"], "--beta"),
        (["rate", "--eta", "0.5", "--lam", "1.5", "--beta", "1", "--method", "qhm"], "--beta"),
        (
            [
                "rate",
                "--eta",
                "0.5",
                "--lam",
                "1.5",
                "--beta",
                "0.5",
                "--method",
                "qhm",
                "--nu",
                "1",
            ],
            None,
        ),
        (
            [
                "rate",
                "--eta",
                "0.5",
                "--lam",
                "1.5",
                "--beta",
                "0.5",
                "--method",
                "qhm",
                "--nu",
                "0",
            ],
            None,
        ),
        (
            [
                "rate",
                "--eta",
                "0.5",
                "--lam",
                "1.5",
                "--beta",
                "0.5",
                "--method",
                "qhm",
                "--nu",
                "1.001",
            ],
            "--nu",
        ),
        (
            [
                "rate",
                "--eta",
                "0.5",
                "--lam",
                "1.5",
                "--beta",
                "0.5",
                "--method",
                "qhm",
                "--nu",
                "-1/1000",
            ],
            "--nu",
        ),
        (["rate", "--eta", "0.5", "--lam", "1.5", "--beta", "0.5", "--dampening", "1"], None),
        (
            ["rate", "--eta", "0.5", "--lam", "1.5", "--beta", "0.5", "--dampening", "1.001"],
            "--dampening",
        ),
        (["rate", "--eta", "0.5", "--lam", "1.5", "--beta", "0.5", "--weight-decay", "0"], None),
        (
            ["rate", "--eta", "0.5", "--lam", "1.5", "--beta", "0.5", "--weight-decay=-1/1000"],
            "--weight-decay",
        ),
        (
            [
                "noise",
                "--eta",
                "0.1",
                "--beta",
                "0.5",
                "--lam",
                "1.5",
                "--sigma",
                "0.3",
                "--chains",
                "2",
            ],
            None,
        ),
        (
            [
                "noise",
                "--eta",
                "0.1",
                "--beta",
                "0.5",
                "--lam",
                "1.5",
                "--sigma",
                "0.3",
                "--chains",
                "1",
            ],
            "--chains",
        ),
        (
            [
                "noise",
                "--eta",
                "0.1",
                "--beta",
                "0.5",
                "--lam",
                "1.5",
                "--sigma",
                "0.3",
                "--chains",
                "2",
                "--seed",
                str(2**32 - 1),
            ],
            None,
        ),
        (
            [
                "noise",
                "--eta",
                "0.1",
                "--beta",
                "0.5",
                "--lam",
                "1.5",
                "--sigma",
                "0.3",
                "--chains",
                "2",
                "--seed",
                str(2**32),
            ],
            "--seed",
        ),
        (["train", "--batch-size", "1500", "--epochs", "1", "--momentum", "0.999"], None),
        (["train", "--batch-size", "1500", "--epochs", "1", "--momentum", "1"], "--momentum"),
        (["train", "--batch-size", "1501", "--epochs", "1"], "--batch-size"),
        (["train", "--batch-size", "0", "--epochs", "1"], "--batch-size"),
        (["train", "--batch-size", "1500", "--epochs", "0"], "--epochs"),
        (["simulate", "--eta", "0.1", "--beta", "0.5", "--steps", "0"], None),
        (["simulate", "--eta", "0.1", "--beta", "0.5", "--steps=-1"], "--steps"),
        (["simulate", "--eta", "0.1", "--beta", "0.5", "--steps", "100001"], "--steps"),
    ],
)
def test_validation_limits_at_the_edge(capsys, argv, fault):
    code, out, err = run(capsys, *argv)
    if fault is None:
        assert code == 0 and err == "", err
    else:
        # the parameter at fault is named, on one line, exit code 2
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
        assert fault.lstrip("-") in err, err


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    yield
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_written_files_get_the_usual_modes(capsys, tmp_path, umask_027):
    # files 0666 and directories 0777, less the umask, as open() and mkdir() would make them
    text = tmp_path / "d.txt"
    assert run(capsys, "derive", "gd", "--output", str(text))[0] == 0
    plot = tmp_path / "s.png"
    assert (
        run(capsys, "stability", "--eta", "0:4:11", "--beta", "0:0.9:5", "--plot", str(plot))[0]
        == 0
    )
    trace = tmp_path / "t.svg"
    assert run(capsys, "simulate", "--eta", "0.6", "--beta", "0.5", "--plot", str(trace))[0] == 0
    for path in (text, plot, trace):
        assert _mode(path) == 0o640, path
    # replacing a file keeps the mode its owner gave it
    text.chmod(0o600)
    assert run(capsys, "derive", "momentum", "--output", str(text))[0] == 0
    assert _mode(text) == 0o600 and "β" in text.read_text()


def test_library_writers_get_the_usual_modes(tmp_path, umask_027):
    import matplotlib.pyplot as plt

    from numerics.output.files import atomic_directory, save_figure, write_text

    write_text(tmp_path / "a.txt", "x")
    fig, _ = plt.subplots()
    save_figure(fig, tmp_path / "a.png")
    with atomic_directory(tmp_path / "out") as d:
        (d / "inner.txt").write_text("y")
    assert _mode(tmp_path / "a.txt") == 0o640 and _mode(tmp_path / "a.png") == 0o640
    assert _mode(tmp_path / "out") == 0o750


# --- issue 24: verdicts at rho = 1 within rounding; QHM at nu = 0 ---


def test_rate_marginal_within_rounding_agrees_with_the_exact_regimes(capsys):
    # eta = lam = 1e-300: the true rho is 1 - 1e-600/(1 - beta), a float's 1; Jury's conditions
    # on the inputs' rationals (tests/references.py) say stable and monotone
    data = run_json(capsys, "rate", "--eta", "1e-300", "--beta", "0.5", "--lam", "1e-300")
    exact = goh_regime(heavy_ball_matrix(Fraction(1e-300), Fraction(1, 2), Fraction(1e-300)))
    assert exact == "monotone"
    assert (data["spectral_radius"], data["marginal"]) == (1.0, True)
    assert (data["stable"], data["regime"]) == (True, exact)
    code, out, _ = run(capsys, "rate", "--eta", "1e-300", "--beta", "0.5", "--lam", "1e-300")
    assert "marginal within rounding" in out and "divergent" not in out.split("\n")[1]
    data = run_json(capsys, "rate", "--eta", "0.3", "--beta", "0.6", "--lam", "2.5")
    assert data["marginal"] is False


def test_rate_qhm_nu_zero_is_the_rate_of_x(capsys):
    # nu = 0: x <- x - eta g, gradient descent; the buffer's eigenvalue beta = 0.9 is R's but
    # not x's: the rate is |1 - eta lam| = 0.4 (x_t = (-0.4)^t x_0)
    argv = ["rate", "--method", "qhm", "--nu", "0", "--eta", "1.4", "--beta", "0.9", "--lam", "1"]
    data = run_json(capsys, *argv)
    ev = sorted(abs(complex(*z)) for z in data["eigenvalues"])
    assert ev == pytest.approx(sorted(np.abs(np.linalg.eigvals(qhm_matrix(1.4, 0.9, 0.0, 1.0)))))
    assert data["spectral_radius"] == pytest.approx(0.4, rel=1e-15)
    assert (data["regime"], data["stable"]) == ("oscillating", True)
    code, out, _ = run(capsys, *argv)
    assert "x moves alone" in out


@pytest.mark.parametrize("flag", ["--eta", "--weight-decay"])
def test_a_run_that_overflows_at_once_says_so_in_one_line(capsys, flag):
    # eta = 1e300 (or weight decay 1e300): x overflows within two steps, too few to fit a
    # growth rate (inf, JSON null); the text line formatted None and was a TypeError, exit 1
    argv = ["simulate", "--beta", "0.5", "--eta", "1e300" if flag == "--eta" else "0.1"]
    if flag == "--weight-decay":
        argv += ["--weight-decay", "1e300"]
    code, out, err = run(capsys, *argv)
    assert code == 0 and not err, err
    # the plain loop: D2L's start (-5, -2), heavy ball; x2's error after one step
    lam2, eta, wd = 4.0, (1e300 if flag == "--eta" else 0.1), (0.0 if flag == "--eta" else 1e300)
    first = -2 - eta * ((lam2 + wd) * -2)  # step 1 of torch SGD: the buffer is the gradient
    assert abs(first) > 1e200
    line = next(ln for ln in out.splitlines() if "diverged" in ln)
    assert "grew from step 1" in line and "too fast to fit" in line, line
    data = run_json(capsys, *argv)
    assert data["growth"]["rate"] is None and data["diverged"] is True
