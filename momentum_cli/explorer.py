"""``momentum explore``: one self-contained, offline HTML page to explore momentum.

The page's maths are the closed forms the library derives, not a second
implementation typed by hand: for every method the trace and determinant of
its state matrix R, the curvature bounds of its stability region, its update
equations and (where one exists) its closed-form tuning are taken from
:mod:`theory` as SymPy expressions and printed as JavaScript with SymPy's
``jscode`` printer. The page around them (``explorer.html``) holds only the
generic algebra of a 2x2 (or 1x1) matrix's spectrum, the drawing and the
controls, mirroring :mod:`numerics.rates` step for step so that the numbers
agree to rounding.

The page requests nothing from the network: it has no external reference and
its Content-Security-Policy forbids every fetch (``default-src 'none'``).
"""

from __future__ import annotations

import json
from importlib import resources

__all__ = ["EXPLORER_METHODS", "explorer_html", "explorer_script"]

#: methods of the page: (page key, library name)
EXPLORER_METHODS = (
    ("gd", "gd"),
    ("heavy_ball", "heavy_ball"),
    ("nesterov", "nesterov"),
    ("qhm", "qhm"),
    ("torch_sgd", "torch_sgd"),
    ("torch_sgd_nesterov", "torch_sgd_nesterov"),
)
#: every generated function takes these arguments, in this order
_ARGS = ("eta", "beta", "lam", "nu", "dampening", "weight_decay")
#: the closed-form tuning each page method maps to, on the spectrum shifted by weight decay
_TUNED_AS = {
    "gd": "gd",
    "heavy_ball": "heavy_ball",
    "nesterov": "nesterov",
    "torch_sgd": "heavy_ball",
    "torch_sgd_nesterov": "nesterov",
}


def _symbols():
    import sympy as sp

    from theory.methods import dampening, weight_decay
    from theory.symbols import L, beta, eta, lam, mu, nu

    js = {s: sp.Symbol(n) for s, n in zip((eta, beta, lam, nu), _ARGS[:4], strict=True)}
    js[dampening] = sp.Symbol("dampening")
    js[weight_decay] = sp.Symbol("weight_decay")
    js[mu] = sp.Symbol("mu")
    js[L] = sp.Symbol("L")
    return js


def _js(expr, names) -> str:
    import sympy as sp

    return sp.jscode(sp.sympify(expr).xreplace(names))


def _step_code(method, updates, names) -> str:
    """A JavaScript function body running the update equations once on the state array ``s``."""
    from theory.symbols import grad, lam

    lines = [f"let {', '.join(str(v) for v in method.state)};"]
    lines += [f"{v} = s[{i}];" for i, v in enumerate(method.state)]
    for target, rhs in updates:
        # on f(x) = lam/2 x^2 the gradient at y is lam*y, as in numerics' simulator
        expr = rhs.replace(grad, lambda y: lam * y)
        lines.append(f"{target} = {_js(expr, names)};")
    lines.append(f"return [{', '.join(str(v) for v in method.state)}];")
    return " ".join(lines)


def _function(body_or_expr: str, *, expression: bool = True, args=_ARGS) -> str:
    body = f"return {body_or_expr};" if expression else body_or_expr
    return f"function({', '.join(args)}) {{ {body} }}"


def explorer_script() -> str:
    """The generated JavaScript: ``const METHODS = {...}`` from the SymPy derivations."""
    from theory.methods import get_method, state_matrix
    from theory.stability import derive_stability
    from theory.tuning import tuned_formulas

    names = _symbols()
    parts = []
    for key, library_name in EXPLORER_METHODS:
        method = get_method(library_name)
        R = state_matrix(method)
        bounds = list(derive_stability(method).results["lam_bounds"])
        fields = {
            "name": json.dumps(library_name),
            "states": str(len(method.state)),
            "params": json.dumps([str(p) for p in method.parameters[2:]]),
            "trace": _function(_js(R.trace(), names)),
            "det": _function(_js(R.det(), names)),
            "lamBounds": _function("[" + ", ".join(_js(b, names) for b in bounds) + "]"),
            "step": _function(
                _step_code(method, method.updates, names),
                expression=False,
                args=("s", *_ARGS),
            ),
        }
        if method.first_updates:
            fields["firstStep"] = _function(
                _step_code(method, method.first_updates, names),
                expression=False,
                args=("s", *_ARGS),
            )
        if key in _TUNED_AS:
            t = tuned_formulas(_TUNED_AS[key])
            fields["tuned"] = _function(
                "[" + ", ".join(_js(e, names) for e in (t.eta, t.beta, t.rate)) + "]",
                args=("mu", "L"),
            )
        body = ",\n    ".join(f"{k}: {v}" for k, v in fields.items())
        parts.append(f"  {key}: {{\n    {body}\n  }}")
    return "const METHODS = {\n" + ",\n".join(parts) + "\n};\n"


def explorer_html() -> str:
    """The whole page as one string: the template with the generated script inlined."""
    template = resources.files("momentum_cli").joinpath("explorer.html").read_text("utf-8")
    marker = "/*@GENERATED@*/"
    if template.count(marker) != 1:  # pragma: no cover - guards the packaged template
        raise RuntimeError("explorer.html must hold the generated-code marker exactly once")
    return template.replace(marker, explorer_script())
