"""The one bridge from a method's SymPy theory to NumPy code, as Python source text.

For a :class:`theory.Method` this module writes the source of plain NumPy
functions: the trace, determinant and characteristic-polynomial coefficients
of its state matrix R; the iterate's row of R (``own`` = R[x, x] and the
``coupling`` entries through which the other states move x), and whether
its rate depends on eta and lambda through eta*lambda alone (``scale_free``); the curvatures
where its derived stability conditions change (``lam_bounds``) and, at a
given curvature, the step sizes where they do (``eta_bounds``, the same
curves solved for eta); its update equations (the gradient ``g`` passed in);
R and the noise input b as polynomials in lambda. For gradient descent,
heavy ball and Nesterov it also writes the closed-form tuning on [mu, L] as a
rational function of (mu, L, r), r the one square root the formulas hold.

The built-in methods' source is generated ahead of time into
:mod:`numerics._generated_methods`, so the numeric paths never import SymPy;
``python -m numerics.codegen`` rewrites that file, and the tests regenerate it
and compare, so the SymPy derivation stays the single source of truth. A
method of the user's own is compiled here at run time from the same source.

The explorer page's JavaScript is generated from the same SymPy theory by
the command line's own generator, ``python -m momentum_cli.explorer.codegen``
(numerics knows nothing of the command line).
"""

from __future__ import annotations

import keyword
from pathlib import Path

import sympy as sp
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.precedence import PRECEDENCE

from theory.methods import (
    Method,
    builtin_methods,
    characteristic_polynomial,
    get_method,
    position_row,
)
from theory.methods import state_matrix as _state_matrix
from theory.noise import noise_input
from theory.stability import derive_stability, eta_bounds
from theory.symbols import L, beta, eta, lam, mu
from theory.tuning import tuned_formulas

__all__ = [
    "GENERATED",
    "builtin_source",
    "compile_method",
    "grouped",
    "method_source",
    "write_builtins",
]

#: the generated module of the built-in methods
GENERATED = Path(__file__).with_name("_generated_methods.py")
#: for each method with a closed-form tuning, the quantity whose square root the formulas hold
TUNING_ROOTS = {
    "gd": sp.Integer(1),
    "heavy_ball": L / mu,
    "nesterov": 3 * L / mu + 1,
    "nesterov_sutskever": 3 * L / mu + 1,
}
_r = sp.Symbol("r", positive=True)
_RESERVED = {"numpy", "g", "eta", "beta", "lam", "mu", "L", "r"}


class _Printer(NumPyPrinter):
    """NumPy's printer, but ``x**(-n)`` as ``(1/x**n)``: exact for rationals (not ``x**(-1.0)``)."""

    def _print_Pow(self, expr, rational=False):
        if expr.exp.is_Integer and expr.exp < 0:
            base = self.parenthesize(expr.base, PRECEDENCE["Pow"])
            n = -int(expr.exp)
            return f"(1/{base})" if n == 1 else f"(1/{base}**{n})"
        return super()._print_Pow(expr, rational)


_PRINTER = _Printer({"allow_unknown_functions": True, "fully_qualified_modules": True})


def _code(expr) -> str:
    return _PRINTER.doprint(sp.sympify(expr))


def grouped(expr, gens: tuple) -> sp.Expr:
    """``expr`` with the coefficient of each monomial in ``gens`` factored, left unexpanded.

    A method's further parameters enter through differences such as
    ``1 - dampening``: expanded, ``dampening*eta*lam - eta*lam`` cancels next to
    dampening = 1 (the rounding of ``dampening*eta*lam`` is the size of the
    result), where ``eta*lam*(dampening - 1)`` is exact to a few ulps.
    """
    if expr.is_Atom or not expr.free_symbols & set(gens):
        return expr
    if expr.is_polynomial(*gens):
        terms = []
        for powers, coeff in sp.Poly(expr, *gens).terms():
            monomial = sp.Mul(*(g**k for g, k in zip(gens, powers, strict=True)))
            coeff = sp.factor(coeff)
            # a number times a sum would be multiplied out again: that product is kept whole
            whole = any(f.is_Add for f in sp.Mul.make_args(coeff))
            terms.append(coeff if monomial == 1 else sp.Mul(coeff, monomial, evaluate=not whole))
        return sp.Add(*terms, evaluate=False) if len(terms) > 1 else terms[0]
    if expr.is_Add or expr.is_Mul or expr.is_Pow:
        return expr.func(*(grouped(a, gens) for a in expr.args), evaluate=False)
    return expr


def _names(symbols, prefix: str) -> dict:
    """A safe Python identifier for each symbol (its own name where that is one)."""
    out = {}
    for i, s in enumerate(symbols):
        name = str(s)
        ok = name.isidentifier() and not keyword.iskeyword(name) and name not in _RESERVED
        out[s] = sp.Symbol(
            name if ok and name not in {v.name for v in out.values()} else f"{prefix}{i}"
        )
    return out


def _function(name: str, args: list[str], body: str) -> str:
    return f"def {name}({', '.join(args)}):\n    return {body}\n"


def method_source(method: Method, prefix: str) -> str:
    """Source text of the NumPy functions of ``method`` and a dict ``{prefix}spec`` naming them."""
    extra = [p for p in method.parameters if p not in (eta, beta)]
    rename = {eta: sp.Symbol("eta"), beta: sp.Symbol("beta"), lam: sp.Symbol("lam")}
    rename |= _names(method.state, "s") | _names(extra, "p")
    state_args = [str(rename[s]) for s in method.state]
    extra_args = [str(rename[p]) for p in extra]
    params = ["eta", "beta", "lam", *extra_args]

    def code(expr) -> str:
        return _code(sp.sympify(expr).xreplace(rename))

    def form(expr) -> str:
        """A quantity of R: the further parameters' differences kept whole (see grouped;
        renamed first, as xreplace would multiply them out again)."""
        expr = sp.sympify(expr).xreplace(rename)
        return _code(grouped(expr, (rename[eta], rename[lam])) if extra else expr)

    R = _state_matrix(method)
    bounds = list(derive_stability(method).results["lam_bounds"]) or [sp.oo]
    steps = eta_bounds(method)
    coeffs = characteristic_polynomial(method).all_coeffs()
    parts = [
        _function(f"{prefix}trace", params, form(R.trace())),
        _function(f"{prefix}det", params, form(R.det())),
        _function(f"{prefix}coefficients", params, "[" + ", ".join(map(form, coeffs)) + "]"),
        _function(
            f"{prefix}lam_bounds",
            ["eta", "beta", *extra_args],
            "[" + ", ".join(map(form, bounds)) + "]",
        ),
    ]
    own, coupling = position_row(method)
    # the rate depends on (eta, lam) through eta*lam alone: the spectrum may be rescaled
    s = sp.Symbol("s", positive=True)
    poly = characteristic_polynomial(method).as_expr()
    scale_free = sp.expand(poly.xreplace({eta: s * eta, lam: lam / s}) - poly) == 0
    parts.append(_function(f"{prefix}own", params, form(own)))
    parts.append(_function(f"{prefix}coupling", params, "[" + ", ".join(map(form, coupling)) + "]"))
    if steps is not None:
        parts.append(
            _function(
                f"{prefix}eta_bounds",
                ["beta", "lam", *extra_args],
                "[" + ", ".join(map(form, steps or [sp.oo])) + "]",
            )
        )
    update_args = [*state_args, "eta", "beta", *extra_args, "g"]
    tables = []
    for kind, updates in (("update", method.updates), ("first", method.first_updates)):
        if not updates:
            tables.append("None")
            continue
        rows = []
        for i, (target, rhs) in enumerate(updates):
            fname = f"{prefix}{kind}_{i}"
            parts.append(_function(fname, update_args, code(rhs)))
            rows.append(f"({str(target)!r}, {fname})")
        tables.append("(" + ", ".join(rows) + ",)")

    def poly(expr) -> str:
        terms = sp.Poly(sp.expand(expr), lam).all_coeffs()[::-1]  # lowest power first
        return "[" + ", ".join(map(form, terms)) + "]"

    rows = ", ".join("[" + ", ".join(poly(e) for e in row) + "]" for row in R.tolist())
    parts.append(_function(f"{prefix}noise_R", ["eta", "beta", *extra_args], f"[{rows}]"))
    b_rows = ", ".join(poly(e) for e in noise_input(method))
    parts.append(_function(f"{prefix}noise_b", ["eta", "beta", *extra_args], f"[{b_rows}]"))
    spec = {
        "name": repr(method.name),
        "state": repr(tuple(str(s) for s in method.state)),
        "position": repr(str(method.position)),
        "extra": repr(tuple(str(p) for p in extra)),
        "trace": f"{prefix}trace",
        "det": f"{prefix}det",
        "coefficients": f"{prefix}coefficients",
        "lam_bounds": f"{prefix}lam_bounds",
        "own": f"{prefix}own",
        "coupling": f"{prefix}coupling",
        "eta_bounds": "None" if steps is None else f"{prefix}eta_bounds",
        "scale_free": repr(scale_free),
        "updates": tables[0],
        "first_updates": tables[1],
        "noise_R": f"{prefix}noise_R",
        "noise_b": f"{prefix}noise_b",
    }
    body = "".join(f"    {k!r}: {v},\n" for k, v in spec.items())
    parts.append(f"{prefix}spec = {{\n{body}}}\n")
    return "\n\n".join(parts)


def tuning_source(name: str, prefix: str) -> str:
    """The closed-form tuning of ``name`` as ``{prefix}tuning_root(mu, L)`` and ``{prefix}tuning(mu, L, r)``.

    ``r`` is the square root of ``tuning_root``; the tuned (eta, beta, rate)
    are rational functions of (mu, L, r) with integer coefficients, so exact
    rationals in give exact rationals out whenever r is rational.
    """
    root = TUNING_ROOTS[name]
    formulas = tuned_formulas(name)
    # write L through r: r^2 = root(mu, L) solved for L, so every square root becomes r
    if root.has(L):
        (L_of_r,) = sp.solve(sp.Eq(root, _r**2), L)
        subs = {L: L_of_r}
    else:
        subs = {}
    values = []
    for expr in (formulas.eta, formulas.beta, formulas.rate):
        # factored, not expanded: (r - 1)**2 keeps its accuracy when r is near 1
        value = sp.factor(sp.cancel(sp.simplify(sp.sympify(expr).subs(subs))))
        if any(not p.exp.is_integer for p in value.atoms(sp.Pow)):
            raise ValueError(f"the tuning of {name} keeps a root besides r: {value}")
        values.append(_code(value))
    return "\n\n".join(
        [
            _function(f"{prefix}tuning_root", ["mu", "L"], _code(root)),
            _function(f"{prefix}tuning", ["mu", "L", "r"], "(" + ", ".join(values) + ")"),
        ]
    )


def builtin_source() -> str:
    """The whole text of :mod:`numerics._generated_methods`."""
    header = (
        '"""Generated by ``python -m numerics.codegen`` from the SymPy theory: do not edit.\n\n'
        "The NumPy forms of the built-in methods (see :mod:`numerics.codegen`); the tests\n"
        'regenerate this file and compare it with what is here.\n"""\n\n'
        "# ruff: noqa\n"
        "import numpy\n"
    )
    parts = [header]
    names = builtin_methods()
    for name in names:
        parts.append(method_source(get_method(name), f"_{name}_"))
    for name in TUNING_ROOTS:
        parts.append(tuning_source(name, f"_{name}_"))
    parts.append(
        "METHODS = {\n" + "".join(f"    {n!r}: _{n}_spec,\n" for n in names) + "}\n"
        "TUNINGS = {\n"
        + "".join(f"    {n!r}: (_{n}_tuning_root, _{n}_tuning),\n" for n in TUNING_ROOTS)
        + "}\n"
    )
    return "\n\n".join(parts)


def write_builtins(path: Path = GENERATED) -> Path:
    """Rewrite the generated module of the built-in methods."""
    path.write_text(builtin_source())
    return path


def compile_method(method: Method) -> dict:
    """The spec dict of a method's NumPy functions, compiled from :func:`method_source`."""
    namespace: dict = {"numpy": __import__("numpy")}
    exec(
        compile(method_source(method, "_"), f"<numerics.codegen: {method.name}>", "exec"), namespace
    )
    return namespace["_spec"]


if __name__ == "__main__":  # pragma: no cover
    print(f"wrote {write_builtins()}")
