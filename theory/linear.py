"""The derivation every method gets from its update equations alone.

From the update equations (:class:`theory.methods.Method`) on
f(x) = lambda/2 x^2: the state matrix R, its trace and determinant, the
characteristic polynomial and, for two states, the spectral radius as
max((|T| + sqrt(max(T^2 - 4D, 0)))/2, sqrt|D|).

Examples
--------
>>> d = derive_method("nesterov")
>>> d.results["determinant"]
-beta*eta*lambda + beta
"""

from __future__ import annotations

import sympy as sp

from theory.engine.derivation import Derivation, identity
from theory.engine.named import Named
from theory.engine.printing import Written, factored, polynomial
from theory.methods import Method, characteristic_polynomial, get_method, state_matrix, step_map
from theory.symbols import z

__all__ = ["derive_method", "update_step"]


def _at_t(symbol: sp.Symbol) -> sp.Symbol:
    return sp.Symbol(f"{symbol.name}_t", real=True)


def update_step(m: Method, R: sp.Matrix, text: str, shown: sp.Matrix | None = None):
    """The step ``(s_{t+1}) = R (s_t)``: the next state is named, valued by the update equations."""
    new = step_map(m)
    now = {s: _at_t(s) for s in m.state}
    following = sp.Matrix(
        [
            Named(f"{s.name}_(t+1)", new[s].xreplace(now), latex=f"{sp.latex(s)}_{{t+1}}")
            for s in m.state
        ]
    )
    current = sp.Matrix([now[s] for s in m.state])
    return identity(
        text, following, sp.MatMul(shown if shown is not None else R, current, evaluate=False)
    )


def derive_method(method: Method | str, /) -> Derivation:
    """R, trace, determinant, characteristic polynomial and rate of any linear method."""
    m = get_method(method)
    R = state_matrix(m)
    cp = characteristic_polynomial(m)
    poly = cp.as_expr()
    updates = ", ".join(f"${sp.latex(a)} \\leftarrow {sp.latex(b)}$" for a, b in m.updates)
    det = Named("det(zI − R)", (z * sp.eye(len(m.state)) - R).det(), latex=r"\det(zI - R)")
    steps = [
        update_step(
            m,
            R,
            f"The update {updates} with $g(y) = \\lambda y$ is linear in the state "
            f"$({', '.join(sp.latex(s) for s in m.state)})$: its matrix is $R$.",
            R.applyfunc(factored),
        ),
        identity(
            "Its characteristic polynomial.",
            det,
            polynomial(cp),
            result="characteristic_polynomial",
        ),
    ]
    results = {"characteristic_polynomial": poly}
    if len(m.state) == 2:
        T, D = sp.expand(R.trace()), sp.expand(R.det())
        trace = Named("T", R.trace())
        determinant = Named("D", R.det())
        results |= {"trace": T, "determinant": D}
        steps += [
            identity(r"The trace $T = \operatorname{tr} R$", trace, factored(T), result="trace"),
            identity(
                r"and the determinant $D = \det R$, the product of the roots.",
                determinant,
                factored(D),
                result="determinant",
            ),
            identity(
                r"So the roots are "
                r"$\frac{1}{2}(T \pm \sqrt{T^2 - 4D})$: complex ones have modulus "
                r"$\sqrt{D}$, real ones the larger modulus $\frac{1}{2}(|T| + \sqrt{T^2 - 4D})$.",
                det,
                Written(
                    sp.Add(z**2, sp.Mul(-1, trace, z, evaluate=False), determinant, evaluate=False)
                ),
            ),
        ]
    return Derivation(
        title=f"The method {m.name.replace('_', ' ')} from its update equations",
        steps=tuple(steps),
        results=results,
        remarks=(m.description,) if m.description else (),
    )
