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

from theory.engine.claims import fact, roots_of
from theory.engine.derivation import Derivation, identity
from theory.engine.named import PM, Named, defined
from theory.engine.printing import Written, factored, polynomial
from theory.engine.prose import Assign, Listed, Sentence, say
from theory.methods import Method, characteristic_polynomial, get_method, state_matrix, step_map
from theory.symbols import grad, lam, z

__all__ = ["derive_method", "update_sentence", "update_step"]


_TR = r"\operatorname{tr} R"


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


def update_sentence(m: Method) -> Sentence:
    """The update equations as code runs them, on the scalar quadratic, in one sentence."""
    y = m.position
    f = defined("f", y, lam * y**2 / 2)
    updates = {f"u{i}": Assign(lhs, rhs) for i, (lhs, rhs) in enumerate(m.updates)}
    n = len(m.state)
    return say(
        "The update "
        + ", ".join(f"{{{k}}}" for k in updates)
        + " on {f}, whose gradient is {g}, is linear in the state {state}: its matrix is {R}.",
        **updates,
        f=fact(f(y), sp.Mul(lam / 2, y**2, evaluate=False)),
        g=sp.Eq(grad(y), lam * y, evaluate=False),
        state=Listed(*m.state),
        R=sp.MatrixSymbol("R", n, n),
    )


def derive_method(method: Method | str, /) -> Derivation:
    """R, trace, determinant, characteristic polynomial and rate of any linear method."""
    m = get_method(method)
    R = state_matrix(m)
    cp = characteristic_polynomial(m)
    poly = cp.as_expr()
    det = Named("det(zI − R)", (z * sp.eye(len(m.state)) - R).det(), latex=r"\det(zI - R)")
    steps = [
        update_step(m, R, update_sentence(m), R.applyfunc(factored)),
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
        monic = Written(
            sp.Add(z**2, sp.Mul(-1, trace, z, evaluate=False), determinant, evaluate=False)
        )
        # the roots' formula, checked to give both roots of z^2 - T z + D
        gap = sp.sqrt(sp.Add(trace**2, -4 * determinant, evaluate=False))
        roots = sp.Mul(sp.Rational(1, 2), sp.Add(trace, PM * gap, evaluate=False), evaluate=False)
        roots_of("", Named("z", roots), sp.Poly(z**2 - R.trace() * z + R.det(), z), roots)
        larger = sp.Mul(
            sp.Rational(1, 2), sp.Add(sp.Abs(trace), gap, evaluate=False), evaluate=False
        )
        steps += [
            identity(
                say("The trace {T}", T=fact(trace, Named("tr R", R.trace(), latex=_TR))),
                trace,
                factored(T),
                result="trace",
            ),
            identity(
                say(
                    "and the determinant {D}, the product of the roots.",
                    D=fact(determinant, Named("det R", R.det(), latex=r"\det R")),
                ),
                determinant,
                factored(D),
                result="determinant",
            ),
            identity(
                say(
                    "So the roots are {roots}: complex ones have modulus {modulus}, real ones "
                    "the larger modulus {larger}.",
                    roots=roots,
                    modulus=sp.sqrt(determinant),
                    larger=larger,
                ),
                det,
                monic,
            ),
        ]
    return Derivation(
        title=f"The method {m.name.replace('_', ' ')} from its update equations",
        steps=tuple(steps),
        results=results,
        remarks=(m.description,) if m.description else (),
    )
