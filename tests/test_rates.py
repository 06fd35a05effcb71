import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

from numerics.rates import (
    REGIMES,
    eigenvalues,
    max_stable_eta,
    max_stable_lam,
    regime,
    spectral_radius,
    stable,
)
from tests.references import (
    eigenvalues_by_modulus,
    gd_matrix,
    heavy_ball_matrix,
    nesterov_matrix,
    qhm_matrix,
    schur_stable,
    torch_sgd_matrix,
)
from tests.strategies import any_point, inside_region, near_unit, outside_region, whole_range
from theory.errors import ParameterError
from theory.methods import get_method, state_matrix
from theory.momentum import spectral_radius_expr
from theory.symbols import beta as B
from theory.symbols import eta as E
from theory.symbols import lam as LAM

RTOL_FAR = 1e-12  # away from double roots
RTOL_DOUBLE = 1e-7  # at double roots the roots are only sqrt(eps)-accurate


def _R(eta, beta, lam, method):
    """R from the theory's matrix, evaluated numerically (an independent path)."""
    M = state_matrix(get_method(method))
    f = sp.lambdify((E, B, LAM), M, "numpy")
    return np.array(f(eta, beta, lam), dtype=float)


def _disc_rel(eta, beta, lam):
    s = 1 + beta - eta * lam
    return abs(s * s - 4 * beta) / max(s * s, abs(beta), 1e-300)


@given(any_point())
@example((0.5, 0.25, 1.0))  # complex regime, rho = sqrt(beta) exactly
@example((2.25, 0.25, 1.0))  # critical damping at (1 + sqrt(beta))^2
def test_property_rho_equals_eigvals_and_sympy(point):
    # property 3: closed form = max |eigvals(R)| = the SymPy Piecewise
    eta, beta, lam = point
    for method in ("gd", "heavy_ball"):
        rho = float(spectral_radius(eta, beta, lam, method))
        ref = np.abs(np.linalg.eigvals(_R(eta, beta, lam, method))).max()
        tol = RTOL_FAR if method == "gd" or _disc_rel(eta, beta, lam) > 1e-4 else RTOL_DOUBLE
        assert rho == pytest.approx(ref, rel=tol, abs=1e-300)
    exact = float(spectral_radius_expr().subs({E: eta, B: beta, LAM: lam}).evalf(30))
    tol = RTOL_FAR if _disc_rel(eta, beta, lam) > 1e-4 else RTOL_DOUBLE
    assert float(spectral_radius(eta, beta, lam)) == pytest.approx(exact, rel=tol)


@given(inside_region())
def test_property_stable_inside_region(point):
    # property 4: the numeric mask equals the derived region, with a margin
    assert stable(*point)
    assert regime(*point) != "divergent"
    eta, beta, lam = point
    gd_inside = 0 < eta * lam < 2 * (1 - 1e-3)
    gd_outside = eta * lam > 2 * (1 + 1e-3)
    if gd_inside or gd_outside:  # gd's region 0 < eta*lam < 2, a margin away
        assert bool(stable(eta, 0.0, lam, "gd")) == gd_inside


@given(outside_region())
def test_property_unstable_outside_region(point):
    assert not stable(*point)
    assert regime(*point) == "divergent"


def test_broadcasting_and_dtype():
    eta = np.linspace(0.1, 3, 7)[:, None, None]
    beta = np.linspace(-0.5, 0.9, 5)[None, :, None]
    lam = np.array([0.5, 1.0, 2.0])
    rho = spectral_radius(eta, beta, lam)
    assert rho.shape == (7, 5, 3) and rho.dtype == np.float64
    loop = np.array(
        [[[spectral_radius(e, b, m) for m in lam] for b in beta.ravel()] for e in eta.ravel()]
    )
    np.testing.assert_array_equal(rho, loop)


def test_large_grid_matches_small_evaluation():
    # the chunked, threaded path must agree with the one-piece path
    e = np.linspace(0.01, 4, 700)
    b = np.linspace(-0.9, 0.99, 300)
    big = spectral_radius(e[:, None], b[None, :], 1.3)
    small = np.array([spectral_radius(x, b, 1.3) for x in e])
    np.testing.assert_array_equal(big, small)
    assert not np.isnan(big).any()


def test_never_nan_for_extreme_finite_input():
    rho = spectral_radius([1e-300, 1e300], [1e300, -1e300], [1e300, 1e-300])
    assert not np.isnan(rho).any()


def test_complex_regime_modulus_is_sqrt_beta():
    # Goh (2017) prints 2 sqrt(beta); the modulus of the complex pair is sqrt(beta)
    beta = np.array([0.1, 0.5, 0.81])
    assert np.allclose(spectral_radius(1.0, beta, 1.0), np.sqrt(beta), rtol=1e-15)


def test_eigenvalues_match_numpy():
    for eta, beta, lam in [(0.5, 0.25, 1.0), (0.1, 0.25, 1.0), (3.0, -0.5, 1.0), (1.0, 0.0, 1.0)]:
        ours = np.sort_complex(eigenvalues(eta, beta, lam))
        ref = np.sort_complex(np.linalg.eigvals(_R(eta, beta, lam, "heavy_ball")).astype(complex))
        np.testing.assert_allclose(ours, ref, atol=1e-14)
    assert eigenvalues([0.5, 1.5], 0.2, 1.0, "gd").shape == (2, 1)


def test_regimes():
    got = regime([0.5, 0.1, 2.4, 2.25, 3.5], 0.25, 1.0)
    assert list(got) == ["ripples", "monotone", "oscillating", "critical", "divergent"]
    assert set(REGIMES) == {"ripples", "monotone", "oscillating", "critical", "divergent"}
    assert list(regime([0.5, 1.0, 1.5, 2.5], 0.0, 1.0, "gd")) == [
        "monotone",
        "critical",
        "oscillating",
        "divergent",
    ]


def test_max_stable_lam():
    assert max_stable_lam(0.5, 0.5) == pytest.approx(6.0)
    assert max_stable_lam(2.0, 0.0, "gd") == pytest.approx(1.0)
    assert np.isnan(max_stable_lam(1.0, 1.2))
    lam_max = max_stable_lam(0.3, 0.7)
    assert stable(0.3, 0.7, lam_max * 0.999) and not stable(0.3, 0.7, lam_max * 1.001)


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"eta": -1.0}, "'eta' must be > 0"),
        ({"eta": np.nan}, "'eta' must be finite"),
        ({"lam": 0.0}, "'lam' must be > 0"),
        ({"beta": "x"}, "'beta' must be a real number"),
    ],
)
def test_bad_input(kw, message):
    args = {"eta": 1.0, "beta": 0.5, "lam": 1.0} | kw
    with pytest.raises(ParameterError, match=message):
        spectral_radius(**args)


# --- conventions and boundaries (issue 13, area 2) ---


def test_eigenvalues_come_largest_modulus_first():
    # every regime, both signs of the trace, in one broadcast call: the first eigenvalue is
    # numpy's eigenvalue of largest modulus, the second the other one
    eta = np.array([0.5, 0.1, 2.4, 3.5, 0.3, 1.7])
    beta = np.array([0.25, 0.25, 0.25, 0.25, -0.6, -0.3])
    lam = np.array([1.0, 1.0, 1.0, 1.0, 1.5, 2.5])
    eig = eigenvalues(eta, beta, lam)
    assert eig.shape == (6, 2)
    for k in range(6):
        ref = eigenvalues_by_modulus(heavy_ball_matrix(eta[k], beta[k], lam[k]))
        assert abs(eig[k, 0]) >= abs(eig[k, 1])
        if abs(abs(ref[0]) - abs(ref[1])) > 1e-9:  # distinct moduli: the order is determined
            np.testing.assert_allclose(eig[k], ref, rtol=1e-12, atol=1e-14)
        else:  # a complex pair: conjugates of the same modulus
            np.testing.assert_allclose(eig[k, 1], np.conj(eig[k, 0]), rtol=1e-14)
            np.testing.assert_allclose(np.sort_complex(eig[k]), np.sort_complex(ref), atol=1e-14)


def test_three_state_method_roots_match_numpy():
    # a user method with two momentum buffers: u' = beta u + g(x), w' = beta w + u', x' = x - eta w'
    from theory.methods import Method
    from theory.symbols import grad

    u, w, x = sp.symbols("u w x", real=True)
    two = Method(
        "two_buffers", (u, w, x), ((u, B * u + grad(x)), (w, B * w + u), (x, x - E * w)), (E, B)
    )
    eta, beta, lam = 0.3, 0.6, 1.7
    R = np.array(  # written out by hand from the equations above
        [[beta, 0, lam], [beta, beta, lam], [-eta * beta, -eta * beta, 1 - eta * lam]]
    )
    ref = np.linalg.eigvals(R)
    ref = ref[np.argsort(-np.abs(ref), kind="stable")]
    eig = eigenvalues(eta, beta, lam, two)
    np.testing.assert_allclose(np.abs(eig), np.abs(ref), rtol=1e-10)
    assert eig[0] == pytest.approx(ref[0], rel=1e-10)
    assert float(spectral_radius(eta, beta, lam, two)) == pytest.approx(abs(ref[0]), rel=1e-10)


@pytest.mark.parametrize(
    "eta, beta, lam, method",
    [
        (2.0, 0.0, 1.0, "gd"),  # |1 - eta lam| = 1 exactly
        (1.0, 0.5, 3.0, "heavy_ball"),  # eta lam = 2(1 + beta): roots -1 and -1/2
        (0.75, -0.5, 4.0 / 3.0, "heavy_ball"),  # eta lam = 1 = 2(1 + beta)
    ],
)
def test_rho_equal_to_one_is_not_stable(eta, beta, lam, method):
    # the region is the open set rho < 1: its edge is out
    assert float(spectral_radius(eta, beta, lam, method)) == pytest.approx(1.0, abs=4e-16)
    assert not stable(eta, beta, lam, method)
    assert regime(eta, beta, lam, method) == "divergent"
    assert stable(eta * (1 - 1e-9), beta, lam, method)


def _jury_stable(eta: Fraction, beta: Fraction, lam: Fraction) -> bool:
    """Heavy ball's region by Jury's conditions, in exact rationals (Polyak 1964)."""
    return -1 < beta < 1 and 0 < eta * lam < 2 * (1 + beta)


ETAS = [Fraction(k, 8) for k in range(1, 65)]
BETAS = [Fraction(k, 8) for k in range(-8, 9)]


def test_stable_mask_equals_jury_and_rho_one_is_out():
    # a dyadic grid puts points exactly on the edge eta lam = 2(1 + beta): off the edge the
    # mask equals Jury's conditions in exact rationals; on it, a rho of exactly 1 is out
    from numerics.grids import rate_grid

    lam = Fraction(1, 2)
    g = rate_grid([float(e) for e in ETAS], [float(b) for b in BETAS], float(lam))
    exactly_one = 0
    for i, e in enumerate(ETAS):
        for j, b in enumerate(BETAS):
            if e * lam != 2 * (1 + b):
                assert bool(g.stable[i, j]) == _jury_stable(e, b, lam), (e, b)
            elif g.rho[i, j] == 1.0:
                exactly_one += 1
                assert not g.stable[i, j], (e, b)
    assert exactly_one >= 5
    assert g.stable_fraction == g.stable.sum() / g.rho.size


# found by issue 13 (a strict xfail until the critical points carried their rounding error):
# eta = 15/2, beta = 7/8, lam = 1/2 sits on the edge, roots -1 and -7/8
def test_points_on_the_edge_are_never_stable():
    lam = Fraction(1, 2)
    edge = [(e, b) for e in ETAS for b in BETAS if e * lam == 2 * (1 + b)]
    e, b = np.array([[float(e), float(b)] for e, b in edge]).T
    assert not stable(e, b, float(lam)).any()


# --- issue 24: the largest stable step over the whole float range ---


def _reference_matrix(method: str, eta, beta, lam, params: dict):
    """The method's state matrix from references.py, for exact (Fraction) inputs."""
    wd = Fraction(params.get("weight_decay", 0.0))
    if method == "gd":
        return gd_matrix(eta, lam)
    if method == "heavy_ball":
        return heavy_ball_matrix(eta, beta, lam)
    if method == "nesterov":
        return nesterov_matrix(eta, beta, lam)
    if method == "qhm":
        return qhm_matrix(eta, beta, Fraction(params["nu"]), lam)
    if method == "torch_sgd":
        return torch_sgd_matrix(eta, beta, lam, Fraction(params["dampening"]), wd)
    return nesterov_matrix(eta, beta, lam + wd)  # torch's Nesterov: the decayed gradient


EDGE_METHODS = [
    ("gd", {}),
    ("heavy_ball", {}),
    ("nesterov", {}),
    ("qhm", {"nu": 0.7}),
    ("qhm", {"nu": 0.0}),
    ("torch_sgd", {"dampening": 0.25, "weight_decay": 1e-3}),
    ("torch_sgd_nesterov", {"dampening": 0.0, "weight_decay": 0.5}),
]


@given(st.sampled_from(EDGE_METHODS), st.floats(0.0, 0.99) | near_unit(), whole_range())
@example(("heavy_ball", {}), 0.5, 1e20)  # the issue: "momentum rate --beta 0.5 --L 1e20" said none
@example(("nesterov", {}), 0.5, 1.7e308)  # lam (2 beta + 1) overflows a double
@example(("heavy_ball", {}), 0.5, 1e-308)  # the edge 3e308 lies beyond the largest float
@example(("gd", {}), 0.0, 2.0**-1021)
@example(("qhm", {"nu": 0.7}), float(np.nextafter(1, 0)), 1.75)  # rho 1 - 3e-16 inside the region
def test_property_max_stable_eta_over_the_whole_float_range(method_params, beta, lam):
    # the edge is right to 1e-9 wherever L lies: just inside it is stable and just outside it
    # is not, decided exactly on the reference matrices in rationals (Jury's conditions)
    method, params = method_params
    if method == "gd":
        beta = 0.0
    edge = float(max_stable_eta(beta, lam, method, **params))
    b, lm = Fraction(beta), Fraction(lam)

    def stable_at(eta: Fraction) -> bool:
        return schur_stable(_reference_matrix(method, eta, b, lm, params))

    if edge == np.inf:  # every step a float holds is stable
        assert stable_at(Fraction(np.finfo(float).max))
        return
    assert 0 < edge < np.inf, (method, beta, lam, edge)
    assert stable_at(Fraction(edge) * (1 - Fraction(1, 10**9)))
    assert not stable_at(Fraction(edge) * (1 + Fraction(1, 10**9)))


def test_max_stable_eta_of_a_method_without_closed_form_searches_the_float_range():
    # a user method stepping by eta + eta**5: its edge in eta solves a quintic, so there is
    # no closed form and the bisection runs, over every normal float (L = 1e20 included)
    from numerics.methods import numeric_method
    from theory.methods import Method
    from theory.symbols import grad

    x = sp.Symbol("x", real=True)
    quintic = Method("quintic_step", (x,), ((x, x - (E + E**5) * grad(x)),), (E, B))
    assert numeric_method(quintic).eta_bounds_of is None
    for lam in (1e-20, 1.0, 1e20, 1e300):
        # eta + eta**5 = 2/lam by a plain bisection at 50 digits (increasing in eta > 0)
        with mpmath.workdps(50):
            target = mpmath.mpf(2) / mpmath.mpf(lam)
            lo, hi = mpmath.mpf(0), target + 1
            for _ in range(1200):
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if mid + mid**5 < target else (lo, mid)
        assert float(max_stable_eta(0.0, lam, quintic)) == pytest.approx(float(lo), rel=1e-12)


# --- further parameters at their edges: dampening next to 1, huge weight decay, nu next to 1 ---


def _dampening() -> st.SearchStrategy[float]:
    """PyTorch's dampening over [0, 1], its end 1 and the floats next to it (1 - k 2**-53)."""
    return st.floats(0.0, 1.0) | st.just(1.0) | near_unit()


def _edge_params() -> st.SearchStrategy[tuple[str, dict]]:
    torch = st.builds(
        lambda d, wd: ("torch_sgd", {"dampening": d, "weight_decay": wd}),
        _dampening(),
        st.just(0.0) | st.floats(0.0, 10.0) | whole_range(-1021, 1000),
    )
    qhm = st.builds(
        lambda nu: ("qhm", {"nu": nu}), st.floats(0.0, 1.0) | near_unit() | st.just(1.0)
    )
    return torch | qhm


def _exact_rho(R) -> mpmath.mpf:
    """The spectral radius of a 2x2 matrix of Fractions: its characteristic roots at 50 digits."""
    T = R[0][0] + R[1][1]
    D = R[0][0] * R[1][1] - R[0][1] * R[1][0]
    with mpmath.workdps(50):
        T_, D_ = (mpmath.mpf(x.numerator) / x.denominator for x in (T, D))
        roots = mpmath.polyroots([1, -T_, D_], maxsteps=200, extraprec=200)
        return max(abs(z) for z in roots), T, D


def _gradient_gain(method: str, params: dict, lam: float) -> float:
    """What one step of size eta takes from x per unit eta: (1 - dampening)(lam + wd), or lam."""
    if method == "torch_sgd":
        return (1 - params["dampening"]) * (lam + params["weight_decay"])
    return lam


@given(
    _edge_params(),
    st.floats(-0.99, 0.99) | near_unit() | near_unit(-1),
    st.floats(1e-3, 1e3) | whole_range(-300, 300),
    st.floats(0.01, 6.0),
)
@example(("torch_sgd", {"dampening": 1 - 2.0**-53, "weight_decay": 0.0}), 0.5, 10.0, 1.5)
@example(("torch_sgd", {"dampening": 1 - 2.0**-40, "weight_decay": 1e300}), 0.5, 10.0, 2.9)
@example(("qhm", {"nu": 1 - 2.0**-53}), float(np.nextafter(1, 0)), 3.0, 1.0)
# the coupling -beta eta nu underflows to 0 at the smallest subnormal nu: not QHM at nu = 0
@example(("qhm", {"nu": 5e-324}), 0.5, 1.0, 1.0)
def test_property_rho_at_edge_parameters_against_the_reference_matrix(
    method_params, beta, lam, step
):
    # eta * gain = step keeps every term of the state matrix visible, whatever the parameters
    method, params = method_params
    if method == "qhm":
        beta = abs(beta)  # QHM's beta is in [0, 1)
    gain = _gradient_gain(method, params, lam)
    eta = step / gain if gain > 0 else step
    if not (np.isfinite(eta) and eta > 0):
        return
    rho = float(spectral_radius(eta, beta, lam, method, **params))
    R = _reference_matrix(method, Fraction(eta), Fraction(beta), Fraction(lam), params)
    exact, T, D = _exact_rho(R)
    if method == "qhm" and params["nu"] == 0:  # x moves alone: the library's rate is |R[x, x]|
        exact = abs(mpmath.mpf(R[1][1].numerator) / R[1][1].denominator)
    # T is computed from terms of size up to 2 + |eta * gain|, each to a few ulps; the roots
    # move by that (and by its square root at a double root)
    dT = 8 * 2.0**-53 * (2 + abs(beta) + step)
    tol = dT + math.sqrt(dT * (abs(float(T)) + 1))
    assert abs(rho - float(exact)) <= tol, (method, params, beta, lam, eta, rho, exact)


@pytest.mark.parametrize("wd", [0.0, 1e-3, 1e300])
# 1 - 18 * 2**-53: the roots 1 and beta are a double root to a float, and rounding 1 + beta
# made them a complex pair of modulus sqrt(beta) < 1
@pytest.mark.parametrize("beta", [0.0, 0.5, -0.5, float(np.nextafter(1, 0)), 1 - 18 * 2.0**-53])
@pytest.mark.parametrize("lam", [10.0, 1e-310, 1e300])
def test_dampening_one_has_no_stable_step(beta, lam, wd):
    """Found by review: dampening 1 raised "'eta' * 'lam' is too large" in max_stable_eta.

    With dampening 1 no gradient enters (v' = beta v): x never moves, an eigenvalue
    is 1 for every step size, so none is stable: NaN, the library's "none".
    """
    params = {"dampening": 1.0, "weight_decay": wd}
    assert np.isnan(max_stable_eta(beta, lam, "torch_sgd", **params))
    assert np.isnan(max_stable_lam(0.1, beta, "torch_sgd", **params))
    for eta in (Fraction(1, 10**300), Fraction(1), Fraction(10**300)):
        R = _reference_matrix("torch_sgd", eta, Fraction(beta), Fraction(lam), params)
        assert not schur_stable(R) and R[1][1] == 1  # x' = x - eta * 0


@given(
    st.sampled_from(["torch_sgd", "qhm"]).flatmap(
        lambda m: _edge_params().filter(lambda mp: mp[0] == m)
    ),
    st.floats(0.0, 0.99) | near_unit(),
    whole_range(-300, 300),
)
@example(("torch_sgd", {"dampening": 1.0, "weight_decay": 0.0}), 0.0, 10.0)  # raised
@example(("torch_sgd", {"dampening": 1 - 2.0**-53, "weight_decay": 0.0}), 0.5, 10.0)  # NaN
@example(("torch_sgd", {"dampening": 1.0, "weight_decay": 0.0}), 1 - 18 * 2.0**-53, 1.0)  # inf
def test_property_max_stable_eta_at_edge_parameters(method_params, beta, lam):
    # the edge to 1e-9 against Jury's conditions on the reference matrix in rationals; NaN
    # only where not even the smallest step is stable (the stable steps are (0, edge))
    method, params = method_params
    edge = float(max_stable_eta(beta, lam, method, **params))
    b, lm = Fraction(beta), Fraction(lam)

    def stable_at(eta: Fraction) -> bool:
        return schur_stable(_reference_matrix(method, eta, b, lm, params))

    if np.isnan(edge):
        assert not stable_at(Fraction(np.finfo(float).tiny))
        assert not stable_at(Fraction(1) / lm)
        return
    if edge == np.inf:
        assert stable_at(Fraction(np.finfo(float).max))
        return
    assert stable_at(Fraction(edge) * (1 - Fraction(1, 10**9)))
    assert not stable_at(Fraction(edge) * (1 + Fraction(1, 10**9)))
