"""Properties 1-4 of the property-test issue for every built-in method, and the family's facts."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, example, given
from hypothesis import strategies as st

from numerics.rates import eigenvalues, max_stable_lam, spectral_radius, stable
from numerics.simulate import simulate
from tests.strategies import floats
from theory.methods import builtin_methods, characteristic_polynomial, get_method, state_matrix
from theory.stability import derive_stability
from theory.symbols import beta as B
from theory.symbols import eta as E
from theory.symbols import lam as LAM
from theory.symbols import z

METHODS = builtin_methods()


@st.composite
def method_point(draw):
    name = draw(st.sampled_from(METHODS))
    params = {}
    if name == "qhm":
        params["nu"] = draw(floats(0.0, 1.0))
    if name.startswith("torch"):
        params["dampening"] = draw(floats(0.0, 0.9))
        params["weight_decay"] = draw(floats(0.0, 0.5))
    return name, draw(floats(0.01, 3.0)), draw(floats(0.0, 0.95)), draw(floats(0.05, 5.0)), params


def _numeric_R(name, eta, beta, lam, params):
    m = get_method(name)
    subs = {E: eta, B: beta, LAM: lam} | {
        p: params[str(p)] for p in m.parameters if str(p) in params
    }
    return np.array(state_matrix(m).subs(subs).evalf(), dtype=float)


@given(method_point(), st.integers(2, 40))
def test_property_1_iterates_equal_matrix_power(point, steps):
    name, eta, beta, lam, params = point
    R = _numeric_R(name, eta, beta, lam, params)
    run = simulate(eta, beta, lams=[lam], x0=[1.0], steps=steps, method=name, **params)
    m = get_method(name)
    pos = m.state.index(m.position)
    # torch's first step is special (buffer = first gradient), so start from the state after it
    state1 = _state_after_first_step(name, eta, beta, lam, params)
    assert run.x[1, 0, 0] == pytest.approx(state1[pos], rel=1e-12, abs=1e-15)
    for t in (2, steps):
        pred = np.linalg.matrix_power(R, t - 1) @ state1
        scale = max(1.0, np.abs(run.x[: t + 1, 0, 0]).max())
        assert run.x[t, 0, 0] == pytest.approx(pred[pos], abs=1e-9 * scale)


def _state_after_first_step(name, eta, beta, lam, params):
    """Run the first-step equations symbolically from (aux = 0, x = 1)."""
    from theory.methods import step_map

    m = get_method(name)
    first = (
        m
        if m.first_updates is None
        else type(m)(m.name, m.state, m.first_updates, m.parameters, m.position)
    )
    new = step_map(first)
    start = {s: 0 for s in m.state} | {m.position: 1}
    subs = {E: eta, B: beta, LAM: lam} | {
        p: params[str(p)] for p in m.parameters if str(p) in params
    }
    return np.array([float(new[s].subs(start).subs(subs)) for s in m.state])


@given(method_point())
@example(("gd", 1.0, 0.0, 1.0, {}))  # rho = 0 exactly: found by the fuzz profile
def test_property_2_contraction_or_growth(point):
    name, eta, beta, lam, params = point
    rho = float(spectral_radius(eta, beta, lam, name, **params))
    assume(abs(rho - 1) > 0.02)
    steps = int(min(3000, 60 / abs(np.log(max(rho, 1e-300))))) + 10  # rho = 0: a few steps
    run = simulate(eta, beta, lams=[lam], x0=[1.0], steps=steps, method=name, **params)
    x = np.abs(run.x[:, 0, 0])
    if rho < 1:
        R = _numeric_R(name, eta, beta, lam, params)
        c = max(rho, np.linalg.norm(R)) * np.linalg.norm(
            _state_after_first_step(name, eta, beta, lam, params)
        )
        t = np.arange(1, steps + 1)
        bound = (
            (t + 1) * rho ** np.maximum(t - 2, 0) * max(c, 1.0) * max(1.0, 1 / max(rho, 1e-300)) * 4
        )
        assert (x[1:] <= bound + 1e-12).all()
    else:
        assert x[-1] > 1.0 or run.diverged[0]


@given(method_point())
@example(("qhm", 2.0, 0.5, 0.5, {"nu": 0.0}))  # x alone at rate 0, R's other mode 0.5
def test_property_3_rho_equals_eigvals(point):
    name, eta, beta, lam, params = point
    R = _numeric_R(name, eta, beta, lam, params)
    ref = np.abs(np.linalg.eigvals(R)).max()
    # the rate is x's: where no other state enters x's row (QHM at nu = 0) x moves alone at
    # |R[x, x]| and the other modes are unseen in it (found by the default profile)
    pos = get_method(name).state.index(get_method(name).position)
    alone = not np.delete(R[pos], pos).any()
    rho = float(spectral_radius(eta, beta, lam, name, **params))
    assert rho == pytest.approx(abs(R[pos, pos]) if alone else ref, rel=1e-7, abs=1e-12)
    eig = eigenvalues(eta, beta, lam, name, **params)
    assert np.abs(eig).max() == pytest.approx(ref, rel=1e-7, abs=1e-12)


@given(method_point())
def test_property_4_mask_equals_derived_region(point):
    name, eta, beta, lam, params = point
    m = get_method(name)
    conds = derive_stability(m).results["condition"].args
    subs = {E: eta, B: beta, LAM: lam} | {
        p: params[str(p)] for p in m.parameters if str(p) in params
    }
    margins = [
        float((c.lhs - c.rhs).subs(subs)) * (1 if isinstance(c, sp.StrictGreaterThan) else -1)
        for c in conds
    ]
    assume(min(abs(v) for v in margins) > 1e-3)  # thin exclusion: floats cannot decide on the edge
    assert bool(stable(eta, beta, lam, name, **params)) == all(v > 0 for v in margins)


def test_nesterov_forms_share_polynomial():
    a = characteristic_polynomial(get_method("nesterov")).as_expr()
    b = characteristic_polynomial(get_method("nesterov_sutskever")).as_expr()
    assert sp.expand(a - b) == 0
    assert sp.expand(a - (z**2 - (1 + B) * (1 - E * LAM) * z + B * (1 - E * LAM))) == 0


def test_nesterov_region_and_edge():
    # Lessard, Recht and Packard (2016): stable iff 0 < eta lam < (2 + 2 beta)/(1 + 2 beta)
    for beta in (0.0, 0.3, 0.9):
        edge = (2 + 2 * beta) / (1 + 2 * beta)
        assert float(max_stable_lam(1.0, beta, "nesterov")) == pytest.approx(edge)
        assert stable(0.999 * edge, beta, 1.0, "nesterov") and not stable(
            1.001 * edge, beta, 1.0, "nesterov"
        )


def test_weight_decay_shifts_lambda():
    # torch SGD with weight decay wd on curvature lam behaves like heavy ball on lam + wd
    rho_wd = spectral_radius(0.1, 0.9, 2.0, "torch_sgd", dampening=0.0, weight_decay=0.5)
    assert rho_wd == pytest.approx(float(spectral_radius(0.1, 0.9, 2.5)), rel=1e-14)
    # dampening scales the gradient into the buffer: like heavy ball with eta (1 - d)
    rho_d = spectral_radius(0.1, 0.9, 2.0, "torch_sgd", dampening=0.3, weight_decay=0.0)
    assert rho_d == pytest.approx(float(spectral_radius(0.07, 0.9, 2.0)), rel=1e-12)


def test_user_defined_method_from_equations():
    # a user's method goes from update equations to rates and a region plot
    from numerics.grids import rate_grid
    from theory.methods import Method
    from theory.symbols import grad

    v, x = sp.symbols("v x", real=True)
    mine = Method("mine", (v, x), ((v, B * v + grad(x)), (x, x - E * v)), (E, B))
    assert float(spectral_radius(0.5, 0.25, 1.0, mine)) == pytest.approx(0.5)
    art = rate_grid(np.linspace(0.05, 4, 30), np.linspace(0, 0.9, 10), 1.0, mine).plot()
    assert art["boundary"] is not None


@pytest.mark.parametrize("kappa", [4.0, 100.0, 1e4])
def test_literature_nesterov_tuning(kappa):
    # Lessard, Recht and Packard (2016), section 3: rate 1 - 2/sqrt(3 kappa + 1)
    from numerics.grids import worst_case_rate
    from theory.tuning import optimal_parameters

    t = optimal_parameters(1, kappa, method="nesterov")
    rate = 1 - 2 / np.sqrt(3 * kappa + 1)
    assert float(t.rate) == pytest.approx(rate)
    assert float(
        worst_case_rate(float(t.eta), float(t.beta), 1.0, kappa, "nesterov")
    ) == pytest.approx(rate, abs=1e-7)
    # the common choice eta = 1/L, beta = (sqrt k - 1)/(sqrt k + 1) has rate 1 - 1/sqrt(kappa)
    sk = np.sqrt(kappa)
    common = float(worst_case_rate(1 / kappa, (sk - 1) / (sk + 1), 1.0, kappa, "nesterov"))
    assert common == pytest.approx(1 - 1 / sk, abs=1e-7)


def test_numeric_tuning_says_numeric_and_matches_closed_form():
    from numerics.tuning import tune_numeric

    t = tune_numeric(1.0, 100.0, "nesterov")
    assert t.numeric and t.rate == pytest.approx(1 - 2 / np.sqrt(301), abs=1e-6)
    q = tune_numeric(1.0, 100.0, "qhm", nu=0.7)
    assert q.numeric and q.rate < (100 - 1) / (100 + 1)  # beats tuned gradient descent


def test_max_stable_eta_with_weight_decay():
    # torch SGD: the edge in eta at curvature lam is 2(1 + beta)/((1 - d)(lam + wd))
    from numerics.rates import max_stable_eta

    got = max_stable_eta(0.9, 2.0, "torch_sgd", dampening=0.1, weight_decay=0.5)
    assert got == pytest.approx(2 * 1.9 / (0.9 * 2.5), rel=1e-10)
    assert max_stable_eta([0.0, 0.5], 2.0) == pytest.approx([1.0, 1.5], rel=1e-10)
    assert np.isnan(max_stable_eta(1.5, 1.0))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"method": "qhm"}, "missing \\['nu'\\]"),
        ({"nu": 0.5}, "unknown \\['nu'\\]"),
        ({"method": "qhm", "nu": float("nan")}, "'nu' must be finite"),
    ],
)
def test_method_parameters_are_checked(kwargs, message):
    from theory.errors import ParameterError

    with pytest.raises(ParameterError, match=message):
        spectral_radius(0.5, 0.5, 1.0, **kwargs)
