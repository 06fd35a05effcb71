import math
import warnings
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st

from numerics.grids import worst_case_rate
from numerics.tuning import exact_tuning, tune_numeric
from tests.references import qhm_matrix
from tests.strategies import floats, spectra, whole_range
from theory.errors import ParameterError
from theory.tuning import derive_tuning, optimal_parameters


def test_literature_kappa_4():
    # issue 2 / Polyak (1964): kappa = 4 gives eta* = 4/9, beta* = 1/9, rate 1/3
    t = optimal_parameters(1, 4)
    assert (t.eta, t.beta, t.rate) == (sp.Rational(4, 9), sp.Rational(1, 9), sp.Rational(1, 3))


def test_literature_kappa_100_and_gd():
    t = optimal_parameters(1, 100)
    assert (t.eta, t.beta, t.rate) == (
        sp.Rational(4, 121),
        sp.Rational(81, 121),
        sp.Rational(9, 11),
    )
    g = optimal_parameters(1, 4, method="gd")
    assert (g.eta, g.rate) == (sp.Rational(2, 5), sp.Rational(3, 5))


def test_fractions_and_floats():
    assert optimal_parameters("1/4", 1).eta == sp.Rational(16, 9)
    assert isinstance(optimal_parameters(0.5, 3.0).eta, sp.Float)


@pytest.mark.parametrize("mu, L", [(0, 1), (2, 1), (-1, 1)])
def test_bad_spectrum(mu, L):
    with pytest.raises(ParameterError, match="0 < mu <= L"):
        optimal_parameters(mu, L)


def test_derivation_results():
    d = derive_tuning()
    assert set(d.results) == {"eta", "beta", "rate"}


@given(spectra(), floats(-1, 1), floats(-1, 1))
def test_property_tuned_rate_and_no_better_neighbour(spectrum, de, db):
    # property 7: worst case at (eta*, beta*) is (sqrt k - 1)/(sqrt k + 1); neighbours do no better
    mu, L = spectrum
    sk = np.sqrt(L / mu)
    eta = 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2
    beta = ((sk - 1) / (sk + 1)) ** 2
    rate = (sk - 1) / (sk + 1)
    assert float(worst_case_rate(eta, beta, mu, L)) == pytest.approx(rate, abs=1e-7)
    eta2 = eta * (1 + 0.2 * de)
    beta2 = min(max(beta + 0.2 * db * (1 - beta), 0.0), 0.999)
    assert float(worst_case_rate(eta2, beta2, mu, L)) >= rate - 1e-7


@given(spectra())
def test_property_exact_matches_float(spectrum):
    mu, L = spectrum
    t = optimal_parameters(mu, L)
    sk = np.sqrt(L / mu)
    assert float(t.rate) == pytest.approx((sk - 1) / (sk + 1), rel=1e-9, abs=1e-12)


@given(spectra(), floats(-1, 1))
def test_property_gd_tuned_rate(spectrum, de):
    # property 7 for gradient descent: eta* = 2/(mu + L), rate (kappa - 1)/(kappa + 1)
    mu, L = spectrum
    eta = 2 / (mu + L)
    rate = (L - mu) / (L + mu)
    assert float(worst_case_rate(eta, 0.0, mu, L, "gd")) == pytest.approx(rate, rel=1e-9, abs=1e-12)
    assert float(worst_case_rate(eta * (1 + 0.2 * de), 0.0, mu, L, "gd")) >= rate - 1e-12


# numerics.tuning: the closed forms evaluated without SymPy


@pytest.mark.parametrize("method", ["gd", "heavy_ball", "nesterov"])
@pytest.mark.parametrize("spectrum", [(1, 100), (3, 7), ("2/3", 6), (1, 8)])
def test_numeric_closed_forms_agree_with_optimal_parameters(method, spectrum):
    from fractions import Fraction

    from numerics.tuning import exact_tuning, tune_closed_form

    mu_v, L_v = (Fraction(v) for v in spectrum)
    want = optimal_parameters(str(mu_v), str(L_v), method=method)
    floats_ = tune_closed_form(float(mu_v), float(L_v), method)
    assert not floats_.numeric
    for got, expected in zip(
        (floats_.eta, floats_.beta, floats_.rate), (want.eta, want.beta, want.rate), strict=True
    ):
        assert got == pytest.approx(float(expected), rel=1e-14, abs=1e-16)
    exact = exact_tuning(mu_v, L_v, method)
    rational = all(v.is_Rational for v in (want.eta, want.beta, want.rate))
    assert (exact is not None) == rational
    if exact is not None:
        assert tuple(map(str, exact)) == (str(want.eta), str(want.beta), str(want.rate))


def test_closed_form_tuning_refuses_methods_without_one():
    from numerics.tuning import tune_closed_form

    with pytest.raises(ParameterError, match="closed-form tuning"):
        tune_closed_form(1.0, 10.0, "qhm")


# --- the parameters tune_numeric returns, not only its rate (issue 13, area 2) ---


@pytest.mark.parametrize(
    "method, mu, L, eta, beta, rate",
    [
        # Polyak (1964): eta = 4/(sqrt L + sqrt mu)^2, beta = ((sqrt k - 1)/(sqrt k + 1))^2
        ("heavy_ball", 1.0, 4.0, 4 / 9, 1 / 9, 1 / 3),
        ("heavy_ball", 2.0, 50.0, 1 / 18, 4 / 9, 2 / 3),
        # Lessard, Recht and Packard (2016), section 3: eta = 4/(3L + mu),
        # beta = (sqrt(3k + 1) - 2)/(sqrt(3k + 1) + 2), rate 1 - 2/sqrt(3k + 1)
        (
            "nesterov",
            1.0,
            100.0,
            4 / 301,
            (np.sqrt(301) - 2) / (np.sqrt(301) + 2),
            1 - 2 / np.sqrt(301),
        ),
    ],
)
def test_tune_numeric_returns_the_tuned_parameters(method, mu, L, eta, beta, rate):
    from numerics.tuning import tune_numeric

    t = tune_numeric(mu, L, method)
    assert t.method == method and t.numeric is True
    assert t.eta == pytest.approx(eta, rel=1e-6)
    assert t.beta == pytest.approx(beta, abs=1e-6)
    assert t.rate == pytest.approx(rate, abs=1e-8)
    # the rate is the worst case at the parameters returned
    assert t.rate == pytest.approx(float(worst_case_rate(t.eta, t.beta, mu, L, method)), rel=1e-12)


def test_tune_numeric_gd_step():
    # gradient descent: eta = 2/(mu + L), rate (L - mu)/(L + mu)
    from numerics.tuning import tune_numeric

    t = tune_numeric(1.5, 12.0, "gd")
    assert t.eta == pytest.approx(2 / 13.5, rel=1e-7)
    assert t.rate == pytest.approx(10.5 / 13.5, rel=1e-9)


def test_tuned_formulas_at_a_spectrum():
    # on [2, 50] (kappa = 25): Polyak (1964) eta 1/18, beta 4/9, rate 2/3; gradient descent
    # 2/(mu + L) = 1/26, rate 12/13; Lessard, Recht and Packard (2016) eta 4/(3L + mu) = 1/38
    from theory.tuning import tuned_formulas

    mu_s, L_s = sp.Symbol("mu", positive=True), sp.Symbol("L", positive=True)
    for method, expected in [
        ("heavy_ball", (sp.Rational(1, 18), sp.Rational(4, 9), sp.Rational(2, 3))),
        ("gd", (sp.Rational(1, 26), 0, sp.Rational(12, 13))),
        ("nesterov", (sp.Rational(1, 38), None, 1 - 2 / sp.sqrt(76))),
    ]:
        t = tuned_formulas(method)
        free = set().union(*(sp.sympify(v).free_symbols for v in (t.eta, t.beta, t.rate)))
        names = {str(s): s for s in free}
        subs = {names.get("mu", mu_s): 2, names.get("L", L_s): 50}
        got = [sp.simplify(sp.sympify(v).subs(subs)) for v in (t.eta, t.beta, t.rate)]
        for g, want in zip(got, expected, strict=True):
            if want is not None:
                assert sp.simplify(g - want) == 0, (method, g, want)


# --- issue 24: numeric tuning at any scale of the spectrum ---


@given(whole_range(-990, 990), floats(1.0, 1e4), st.sampled_from([0.0, 0.35, 0.7, 1.0]))
@settings(max_examples=20)
@example(1e-300, 10.0, 0.7)  # "tune --method qhm --mu 1e-300 --L 1e-299": RuntimeWarning, inf
@example(1e299, 10.0, 0.7)
def test_property_qhm_tuning_at_any_scale(mu, kappa, nu):
    # no warning, a finite step, and its worst-case rate is what the hand-written QHM matrix
    # (Ma and Yarats 2019) gives over the spectrum: the roots of z^2 - T z + D from its entries
    # (numpy's eigvals loses them when the entries are 1e299 and 1e-300)
    L = mu * kappa
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = tune_numeric(mu, L, "qhm", nu=nu)
    assert 0 < t.eta < np.inf and -1 < t.beta < 1 and 0 <= t.rate < 1

    def rate(lam):
        R = qhm_matrix(t.eta, t.beta, nu, lam)
        if nu == 0.0:  # x runs as gradient descent: the buffer does not move x
            return abs(R[1, 1])
        det = R[0, 0] * R[1, 1] - R[0, 1] * R[1, 0]
        return np.abs(np.roots([1.0, -(R[0, 0] + R[1, 1]), det])).max()

    worst = max(rate(lam) for lam in np.linspace(mu, L, 257))
    # the tuned point damps critically (double roots): the two computations agree to sqrt(eps)
    assert worst <= t.rate * (1 + 1e-7) and worst == pytest.approx(t.rate, rel=1e-6)


@given(floats(1.0, 1e4), st.integers(-990, 990), st.sampled_from([0.0, 0.7]))
@settings(max_examples=10)
@example(10.0, -996, 0.7)  # [1e-300, 1e-299] against [1, 10]
def test_property_numeric_tuning_does_not_depend_on_the_units(kappa, k, nu):
    # the rate depends on eta*lambda alone: curvatures 2**k times larger want steps 2**k times
    # smaller, the same momentum and rate, exactly (the search runs on the scaled spectrum)
    unit = tune_numeric(1.0, kappa, "qhm", nu=nu)
    scaled = tune_numeric(2.0**k, 2.0**k * kappa, "qhm", nu=nu)
    assert (scaled.eta, scaled.beta, scaled.rate) == (unit.eta * 2.0**-k, unit.beta, unit.rate)


@pytest.mark.parametrize(
    "mu, L, name",
    [
        (Decimal("NaN"), 2, "'mu'"),
        (1, Decimal("Infinity"), "'L'"),
        (Fraction(10**500), Fraction(10**501), "'mu'"),  # float(mu) overflowed
        ("x", 2, "'mu'"),
        (1, [2], "'L'"),
    ],
)
def test_exact_tuning_refuses_what_is_not_a_finite_rational(mu, L, name):
    with pytest.raises(ParameterError, match=name):
        exact_tuning(mu, L)


@pytest.mark.parametrize("method, params", [("qhm", {"nu": 0.7}), ("heavy_ball", {})])
def test_a_subnormal_spectrum_is_the_toolkits_error_not_an_overflow(method, params):
    # audit of issue 24: [2**-1074, 10 * 2**-1074] scaled by 2.0 ** 1074 overflowed in
    # Python (OverflowError); the tuned step, 0.28 / L, is beyond a float: say so
    tiny = math.ldexp(1.0, -1074)
    with pytest.raises(ParameterError, match="beyond a float"):
        tune_numeric(tiny, 10 * tiny, method, **params)
    # and the same spectrum a little larger, where the step fits: 2**k times [1, 10] exactly
    unit = tune_numeric(1.0, 10.0, method, **params)
    scaled = tune_numeric(math.ldexp(1.0, -1022), math.ldexp(10.0, -1022), method, **params)
    assert scaled.eta == math.ldexp(unit.eta, 1022) and scaled.beta == unit.beta


def test_a_subnormal_spectrum_of_a_method_with_a_scale_is_refused_without_a_warning():
    # PyTorch's SGD (weight decay sets a scale, so the spectrum is not rescaled): its edge
    # 2(1 + beta)/((1 - d) L) is infinite for L = 1e-309; geomspace warned and the error
    # blamed 'eta', which the caller never gave
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ParameterError, match=r"\[1e-310, 1e-309\].*beyond a float"):
            tune_numeric(1e-310, 1e-309, "torch_sgd", dampening=0.5, weight_decay=0.0)
