import sympy as sp

from theory.gradient_descent import derive_gd
from theory.symbols import L, eta, kappa, lam, mu


def test_results():
    d = derive_gd()
    assert sp.simplify(d.results["eta_opt"] - 2 / (mu + L)) == 0
    assert sp.simplify(d.results["rate_opt"] - (kappa - 1) / (kappa + 1)) == 0
    cond = d.results["condition"]
    assert cond.subs({eta: 1, lam: 1}) is sp.true and cond.subs({eta: 3, lam: 1}) is sp.false
    # the D2L remark: its decoupled update forgot eta
    assert any("step size $\\eta$ is missing" in r for r in d.remarks)
