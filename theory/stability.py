"""Schur stability of real polynomials: the Jury (Schur-Cohn) conditions.

A linear iteration ``s_{t+1} = R s_t`` converges for every start iff every
root of ``det(z I - R)`` lies in the open unit disk. For a real polynomial of
degree 1, 2 or 3 that is a short list of polynomial inequalities in the
coefficients (Jury 1964), returned here as SymPy relationals ``expr > 0`` with
every absolute value split into two conditions, so SymPy can work with them.

Examples
--------
>>> import sympy as sp
>>> from theory.symbols import z
>>> a0, a1 = sp.symbols("a0 a1", real=True)
>>> schur_cohn_conditions(sp.Poly(z**2 + a1*z + a0, z))
[a0 + a1 + 1 > 0, a0 - a1 + 1 > 0, 1 - a0 > 0, a0 + 1 > 0]
"""

from __future__ import annotations

import sympy as sp

from theory.derivation import Derivation, equivalent, holds, identity
from theory.errors import ClaimError, ParameterError
from theory.methods import Method, characteristic_polynomial, get_method, state_matrix
from theory.printing import polynomial
from theory.symbols import lam, z

__all__ = ["derive_stability", "schur_cohn_conditions"]


def schur_cohn_conditions(poly: sp.Poly, /) -> list[sp.core.relational.Relational]:
    """Conditions, all strict, under which every root of ``poly`` has modulus < 1.

    Parameters
    ----------
    poly : sympy.Poly
        A polynomial of degree 1, 2 or 3 in one variable whose coefficients are
        real expressions; the leading coefficient must be positive (it is
        divided out).

    Returns
    -------
    list of sympy relationals
        For ``z + a0``: ``1 - a0 > 0``, ``1 + a0 > 0``.
        For ``z**2 + a1 z + a0``: ``p(1) > 0``, ``p(-1) > 0``, ``1 - a0 > 0``,
        ``1 + a0 > 0``.
        For ``z**3 + a2 z**2 + a1 z + a0``: ``p(1) > 0``, ``-p(-1) > 0``,
        ``1 - a0 > 0``, ``1 + a0 > 0`` and ``1 - a0**2 -+ (a0 a2 - a1) > 0``
        (the last is ``|a0 a2 - a1| < 1 - a0**2`` split in two).
    """
    degree = poly.degree()
    if degree not in (1, 2, 3):
        raise ParameterError(f"'poly' must have degree 1, 2 or 3: degree {degree}")
    lead = poly.LC()
    if lead.is_positive is False:
        raise ParameterError(f"'poly' must have a positive leading coefficient: {lead}")
    coeffs = [sp.cancel(c / lead) for c in poly.all_coeffs()]
    (zvar,) = poly.gens
    monic = sp.Add(*(c * zvar ** (degree - i) for i, c in enumerate(coeffs)))
    a0 = coeffs[-1]
    split_abs = [_positive(1 - a0), _positive(1 + a0)]
    if degree == 1:
        return split_abs
    at_one = sp.expand(monic.subs(zvar, 1))
    at_minus_one = sp.expand((-1) ** degree * monic.subs(zvar, -1))
    conditions = [_positive(at_one), _positive(at_minus_one), *split_abs]
    if degree == 3:
        a2, a1 = coeffs[1], coeffs[2]
        inner = sp.expand(a0 * a2 - a1)
        conditions += [_positive(1 - a0**2 - inner), _positive(1 - a0**2 + inner)]
    return conditions


def _positive(expr: sp.Expr) -> sp.core.relational.Relational:
    """``expr > 0`` kept as a relation even when assumptions already decide it."""
    return sp.StrictGreaterThan(sp.expand(expr), 0, evaluate=False)


def derive_stability(method: Method | str = "heavy_ball", /) -> Derivation:
    """Derive a method's stability region from its characteristic polynomial.

    The Jury conditions of ``det(z I - R)`` are computed, never typed in; where
    the method states its usual region (``Method.region``), each stated
    relation is checked to be equivalent to one derived condition.

    Examples
    --------
    >>> derive_stability("heavy_ball").results["max_stable_lam"]
    2*(beta + 1)/eta
    """
    method = get_method(method)
    poly = characteristic_polynomial(method)
    conditions = schur_cohn_conditions(poly)
    steps = [
        identity(
            f"The characteristic polynomial of {method.name.replace('_', ' ')}.",
            (z * sp.eye(len(method.state)) - state_matrix(method)).det(),
            poly.as_expr(),
            display=(r"p(z) = \det(zI - R)", polynomial(poly)),
        ),
        holds(
            "Jury's (Schur-Cohn) test: every root lies in |z| < 1 iff these hold "
            f"(degree {poly.degree()}, absolute values split in two).",
            r"\text{Jury} &\iff " + r",\quad ".join(sp.latex(c) for c in conditions),
            lambda: _boundaries_are_roots(poly, conditions),
        ),
    ]
    claimed = list(method.region)
    derived_only = []
    for cond in conditions:
        match = next((c for c in claimed if _equivalent(cond, c)), None)
        if match is None:
            derived_only.append(cond)
            continue
        claimed.remove(match)
        steps.append(equivalent("A derived condition in its usual form.", cond, match))
    if claimed:
        raise ClaimError(f"stated region of {method.name} not derived: {claimed}")
    final = [c for c in method.region] + derived_only
    condition = sp.And(*final)
    results = {"condition": condition}
    candidates = [b for c in final if c.has(lam) for b in sp.solve(sp.Eq(c.lhs - c.rhs, 0), lam)]
    candidates = [b for b in candidates if b != 0]
    results["lam_bounds"] = sp.Tuple(*candidates)
    edge = _edge_at_minus_one(poly)
    if edge is not None:
        results["max_stable_lam"] = edge
        steps.append(
            identity(
                "A root crosses $z = -1$ at this curvature: the largest stable one "
                "(where the other conditions still hold there).",
                poly.as_expr().subs(lam, edge).subs(z, -1),
                0,
                display=(r"\lambda_{\max}", edge),
            )
        )
    return Derivation(
        title=f"Stability region of {method.name.replace('_', ' ')}",
        steps=tuple(steps),
        results=results,
        remarks=(
            r"The region comes out of the characteristic polynomial through Jury's conditions; "
            r"the usual statement is only accepted when it matches.",
        ),
    )


def _equivalent(a: sp.Basic, b: sp.Basic) -> bool:
    try:
        equivalent("", a, b)
    except ClaimError:
        return False
    return True


def _boundaries_are_roots(poly: sp.Poly, conditions: list) -> bool:
    """On the first two boundaries z = 1 and z = -1 are roots (degree >= 2)."""
    if poly.degree() == 1:
        return True
    p = poly.as_expr()
    lead = poly.LC()
    at_one, at_minus_one = (sp.expand(c.lhs) for c in conditions[:2])
    return (
        sp.simplify(p.subs(z, 1) / lead - at_one) == 0
        and sp.simplify((-1) ** poly.degree() * p.subs(z, -1) / lead - at_minus_one) == 0
    )


def _edge_at_minus_one(poly: sp.Poly) -> sp.Expr | None:
    """The curvature where p(-1) = 0, when that equation is linear in lambda."""
    at = sp.expand(poly.as_expr().subs(z, -1))
    if sp.degree(at, lam) != 1:
        return None
    (edge,) = sp.solve(at, lam)
    return sp.factor(edge)
