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

from theory.derivation import Derivation, holds, identity
from theory.methods import Method, characteristic_polynomial, get_method, state_matrix, step_map
from theory.printing import polynomial
from theory.symbols import z

__all__ = ["derive_method"]


def derive_method(method: Method | str, /) -> Derivation:
    """R, trace, determinant, characteristic polynomial and rate of any linear method."""
    m = get_method(method)
    R = state_matrix(m)
    state = sp.Matrix(m.state)
    new = step_map(m)
    poly = characteristic_polynomial(m).as_expr()
    updates = ", ".join(f"${sp.latex(a)} \\leftarrow {sp.latex(b)}$" for a, b in m.updates)
    steps = [
        identity(
            f"The update {updates} with $g(y) = \\lambda y$ is linear in the state "
            f"$({', '.join(sp.latex(s) for s in m.state)})$.",
            R * state,
            sp.Matrix([new[s] for s in m.state]),
            display=("R", R),
        ),
        identity(
            "Its characteristic polynomial.",
            (z * sp.eye(len(m.state)) - R).det(),
            poly,
            display=(r"\det(zI - R)", polynomial(characteristic_polynomial(m))),
        ),
    ]
    results = {"matrix": R, "characteristic_polynomial": poly}
    if len(m.state) == 2:
        T, D = sp.expand(R.trace()), sp.expand(R.det())
        results |= {"trace": T, "determinant": D}
        steps += [
            identity(r"Trace: $T = \operatorname{tr} R$.", R.trace(), T, display=("T", T)),
            identity(
                r"Determinant: $D = \det R$, the product of the roots.",
                R.det(),
                D,
                display=("D", D),
            ),
            holds(
                r"The roots are $\frac{1}{2}(T \pm \sqrt{T^2 - 4D})$; complex roots have modulus "
                r"$\sqrt{D}$, real ones a larger modulus $\frac{1}{2}(|T| + \sqrt{T^2 - 4D})$.",
                r"\rho &= \max\left(\tfrac{1}{2}\left(|T| + \sqrt{\max(T^2 - 4D, 0)}\right), \sqrt{|D|}\right)",
                lambda: sp.expand(poly - (z**2 - T * z + D)) == 0,
            ),
        ]
    return Derivation(
        title=f"The method {m.name.replace('_', ' ')} from its update equations",
        steps=tuple(steps),
        results=results,
        remarks=(m.description,) if m.description else (),
    )
