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

from theory.engine.claims import fact, solves
from theory.engine.derivation import Derivation, equivalent, gt, identity, is_zero
from theory.engine.named import Named, defined
from theory.engine.printing import factored, polynomial
from theory.engine.prose import Sentence, say
from theory.errors import ClaimError, ParameterError
from theory.methods import Method, characteristic_polynomial, get_method, state_matrix
from theory.symbols import eta, lam, z

__all__ = ["derive_stability", "eta_bounds", "schur_cohn_conditions"]


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


def _jury_named(p: type, degree: int) -> list:
    """The Jury conditions in terms of the named polynomial p (monic), as printed."""
    at0 = p(0)
    split_abs = [gt(1 - at0, 0), gt(1 + at0, 0)]
    if degree == 1:
        return split_abs
    at_minus = p(-1) if degree == 2 else -p(-1)
    return [gt(p(1), 0), gt(at_minus, 0), *split_abs]


_ORDINALS = ("First", "second", "third", "fourth", "fifth", "sixth")


def derive_stability(method: Method | str = "heavy_ball", /) -> Derivation:
    """Derive a method's stability region from its characteristic polynomial.

    The Jury conditions of ``det(z I - R)`` are computed, never typed in; each
    is shown in its usual form: the method's stated relation (``Method.region``)
    that is proven equivalent to it, or else the derived condition factored.

    Examples
    --------
    >>> derive_stability("heavy_ball").results["max_stable_lam"]
    2*(beta + 1)/eta
    """
    method = get_method(method)
    poly = characteristic_polynomial(method)
    conditions = schur_cohn_conditions(poly)
    n = len(method.state)
    lead = poly.LC()
    p = defined("p", z, (z * sp.eye(n) - state_matrix(method)).det() / lead)
    name = method.name.replace("_", " ")
    det = Named("det(zI − R)", (z * sp.eye(n) - state_matrix(method)).det(), latex=r"\det(zI - R)")
    steps = [
        identity(
            say(
                "The characteristic polynomial {p} of "
                + name
                + ("." if lead == 1 else ", divided by its leading coefficient."),
                p=fact(p(z), det / lead),
            ),
            p(z),
            polynomial(sp.Poly(poly.as_expr() / lead, z)),
        )
    ]
    degree = poly.degree()
    named = _jury_named(p, degree) if degree in (1, 2) else list(conditions)
    usual_forms = list(method.region)
    final = []
    for i, (cond, shown) in enumerate(zip(conditions, named, strict=True)):
        match = next((c for c in usual_forms if _equivalent(cond, c)), None)
        if match is not None:
            usual_forms.remove(match)
        usual = match if match is not None else gt(factored(cond.lhs), 0)
        final.append(usual)
        text = _ORDINALS[i] + ("," if i < len(conditions) - 1 else ".")
        if i == 0:
            text = (
                say(
                    f"Jury's test (degree {degree}): every root lies in the unit disc, {{disc}}, iff ",
                    disc=sp.Lt(sp.Abs(z), 1, evaluate=False),
                )
                + _jury_sentence(p, degree)
                + ". "
                + text
            )
        written = type(usual)(_written(usual.lhs), _written(usual.rhs), evaluate=False)
        steps.append(equivalent(text, shown, written, result="condition"))
    if usual_forms:
        raise ClaimError(f"stated region of {method.name} not derived: {usual_forms}")
    edge = _edge_at_minus_one(poly)
    if edge is not None:
        steps.append(
            solves(
                say(
                    "A root crosses {z} at the largest stable curvature (where the other "
                    "conditions still hold there):",
                    z=sp.Eq(z, -1, evaluate=False),
                ),
                sp.Eq(p(-1), 0),
                lam,
                factored(edge),
                result=("max_stable_lam", "lam_bounds"),
            )
        )
    # every boundary in lambda of the region, in the order the region is stated
    bounds = []
    for cond in [*method.region, *(c for c in final if c not in method.region)]:
        for b in sp.solve(sp.Eq(cond.lhs - cond.rhs, 0), lam) if cond.has(lam) else ():
            if b == 0:
                continue
            bounds.append(b)
            if edge is not None and is_zero(b - edge):
                continue
            number = _ORDINALS[final.index(cond)].lower()
            steps.append(
                solves(
                    say(f"The {number} condition's boundary in {{lam}}:", lam=lam),
                    sp.Eq(cond.lhs, cond.rhs),
                    lam,
                    factored(b),
                    result="lam_bounds",
                )
            )
    results = {
        "condition": sp.And(*final),
        "lam_bounds": sp.Tuple(*bounds),
    }
    if edge is not None:
        results["max_stable_lam"] = edge
    return Derivation(
        title=f"Stability region of {name}",
        steps=tuple(steps),
        results=results,
        remarks=(
            "The region comes out of the characteristic polynomial through Jury's conditions; "
            "a usual statement of it is only accepted when it matches one.",
        ),
    )


def eta_bounds(method: Method | str, /) -> list[sp.Expr] | None:
    """The step sizes where a stability condition changes at curvature lambda, or None.

    Each boundary in lambda of the derived region, ``lambda = b(eta, ...)``,
    solved for eta; boundaries that do not involve eta (``-weight_decay``)
    bound no step size. None when one cannot be solved in closed form: the
    numerics then search the whole float range instead.

    Examples
    --------
    >>> eta_bounds("heavy_ball")
    [2*(beta + 1)/lambda]
    """
    out = []
    for bound in derive_stability(method).results["lam_bounds"]:
        if not bound.has(eta):
            continue
        try:
            solutions = sp.solve(sp.Eq(bound, lam), eta)
        except NotImplementedError:
            return None
        if not solutions or any(s.has(sp.I) or s.has(eta) for s in solutions):
            return None
        out += [sp.factor(s) for s in solutions]
    return out


def _written(side: sp.Expr) -> sp.Expr:
    """A side of a condition factored (2 + 2 beta as 2(1 + beta)), unless that brings a minus sign."""
    shown = factored(side)
    return side if shown.could_extract_minus_sign() else shown


def _jury_sentence(p: type, degree: int) -> Sentence:
    """Jury's conditions for a monic p of this degree, as they are usually stated."""
    inside = sp.Lt(sp.Abs(p(0)), 1, evaluate=False)
    if degree == 1:
        return say("{inside}", inside=inside)
    at_one = gt(p(1), 0)
    if degree == 2:
        return say("{one}, {minus} and {inside}", one=at_one, minus=gt(p(-1), 0), inside=inside)
    return say(
        "{one}, {minus}, {inside} and Jury's third-order condition",
        one=at_one,
        minus=gt(-p(-1), 0),
        inside=inside,
    )


def _equivalent(a: sp.Basic, b: sp.Basic) -> bool:
    try:
        equivalent("", a, b)
    except ClaimError:
        return False
    return True


def _edge_at_minus_one(poly: sp.Poly) -> sp.Expr | None:
    """The curvature where p(-1) = 0, when that equation is linear in lambda."""
    at = sp.Poly(sp.expand(poly.as_expr().subs(z, -1)), lam)
    if at.degree() != 1:
        return None
    slope, offset = at.all_coeffs()
    return sp.factor(-offset / slope)  # checked below by solves(), as any derived edge
