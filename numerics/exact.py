"""Decisions made exactly on the rationals of float inputs: stability and Goh's regime at a point.

Every float is a rational number; the characteristic polynomial's
coefficients at a point are polynomials in (eta, beta, lambda, ...), so the
generated coefficient functions evaluated on :class:`fractions.Fraction`
give them exactly. Schur stability (every root in the open unit disc) is
then decided by the Schur-Cohn recursion and, for two states, Goh's regime
by the signs of the discriminant and the trace, without rounding.

The float kernels of :mod:`numerics.rates` are right to an ulp or so; where
the spectral radius is 1 to a float's precision they cannot tell which side
of 1 it lies on (at eta = lam = 1e-300 the true rate is 1 - 1e-600/(1 - beta)).
These functions decide those points, one at a time.

Examples
--------
>>> from numerics.methods import numeric_method
>>> m = numeric_method("heavy_ball")
>>> schur_stable(coefficients(m, 1e-300, 0.5, 1e-300, [])), regime(m, 1e-300, 0.5, 1e-300, [])
(True, 'monotone')
"""

from __future__ import annotations

from fractions import Fraction

__all__ = ["MARGINAL_ULPS", "coefficients", "marginal", "rational", "regime", "schur_stable"]

#: a float rho within this many ulps of 1 is 1 to a float's precision
MARGINAL_ULPS = 4


def rational(value) -> Fraction:
    """A number as the exact rational it is (a float is a dyadic rational)."""
    return value if isinstance(value, Fraction) else Fraction(float(value))


def marginal(rho):
    """Where a float spectral radius is 1 to a float's precision (:data:`MARGINAL_ULPS`)."""
    return abs(rho - 1.0) <= MARGINAL_ULPS * 2.0**-52


def coefficients(m, eta, beta, lam, values) -> list[Fraction]:
    """The characteristic polynomial of x's recursion at one point, in exact rationals.

    det(z I - R), highest power first; where no other state moves x (every
    entry of x's row of R but its own is 0: QHM at nu = 0) x obeys
    x' = R[x, x] x alone, and its polynomial is z - R[x, x].
    """
    args = [rational(v) for v in (eta, beta, lam, *values)]
    if m.states > 1 and m.coupling_of is not None:
        if all(rational(c) == 0 for c in m.coupling_of(*args)):
            return [Fraction(1), -rational(m.own_of(*args))]
    return [rational(c) for c in m.coefficients_of(*args)]


def schur_stable(coeffs: list[Fraction]) -> bool:
    """Every root of the polynomial (highest power first) strictly inside the unit disc.

    The Schur-Cohn recursion (Jury 1964): with a the leading and c the constant
    coefficient, |c| < |a| and the same holds for (a p(z) - c p*(z))/z, p* the
    reversed polynomial, down to degree 0.
    """
    p = list(coeffs)
    while len(p) > 1:
        lead, const = p[0], p[-1]
        if not abs(const) < abs(lead):
            return False
        # (lead p - const p*) / z: the constant term cancels, the degree drops by one
        p = [lead * p[i] - const * p[-1 - i] for i in range(len(p) - 1)]
    return True


def regime(m, eta, beta, lam, values) -> str | None:
    """Goh's regime at one point, decided exactly; None for three or more states.

    As :func:`numerics.regime` names them: ``divergent`` unless Schur stable;
    for one state z - a, ``critical`` at a = 0, else by the sign of a; for two,
    ``ripples`` (complex roots), ``critical`` (a double root), or by the sign
    of the trace ``monotone`` / ``oscillating``.
    """
    coeffs = coefficients(m, eta, beta, lam, values)
    if len(coeffs) > 3:
        return None
    if not schur_stable(coeffs):
        return "divergent"
    lead = coeffs[0]
    if len(coeffs) == 2:  # z - a
        a = -coeffs[1] / lead
        return "critical" if a == 0 else "monotone" if a > 0 else "oscillating"
    p, q = coeffs[1] / lead, coeffs[2] / lead  # z^2 + p z + q: trace -p, determinant q
    disc = p * p - 4 * q
    if disc == 0:
        return "critical"
    if disc < 0:
        return "ripples"
    return "monotone" if -p > 0 else "oscillating"
