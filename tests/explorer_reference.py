"""The Python side of the explorer's links: what the command line and the library say.

A link's fragment is user input. For every link the page must either show
exactly the link's values, where the command line accepts them, or refuse
what the command line refuses (a visible note) and show a view the command
line accepts. The verdict here is built from the command line's own parsers
and rules (:mod:`momentum_cli.parsing`, :mod:`momentum_cli.options`) and the
library's overflow check; the numbers from :mod:`numerics` and
:mod:`theory`. None of it shares code with the page's JavaScript.
"""

from __future__ import annotations

import argparse
import json
import math
from fractions import Fraction
from urllib.parse import parse_qsl

import mpmath
import numpy as np

import numerics
import theory
from momentum_cli import options, parsing
from momentum_cli.errors import UsageError
from theory.errors import ParameterError

#: the page's methods, as the command line names them
METHODS = ("gd", "heavy-ball", "nesterov", "qhm")
#: the link's numeric keys
NUMBER_KEYS = ("eta", "beta", "lam", "mu", "L", "nu", "dampening", "weight_decay")
#: what the page shows for a key the link leaves out (page.html's DEFAULTS; a test checks them)
PAGE_DEFAULTS = {
    "method": "heavy-ball",
    "eta": 0.6,
    "beta": 0.5,
    "lam": 1.0,
    "mu": 1.0,
    "L": 100.0,
    "nu": 0.7,
    "dampening": 0.0,
    "weight_decay": 0.0,
    "colour": "rate",
    "class": "quadratic",
}
COLOURS = ("rate", "regime")
#: what the map speaks of, as ``momentum rate --class`` names it (issue 26)
CLASSES = ("quadratic", "smooth-strongly-convex")
#: agreement asked of the page's numbers (issue: 1e-12 relative)
RTOL = 1e-12


def python_side(link: dict[str, str]) -> dict | None:
    """The values the command line takes from ``link``, as floats; None where it refuses any.

    Numbers go through the command line's parsers (``--eta``, ``--lam``,
    ``--mu`` and ``--L`` are positive, the others any number in range); the
    method's rules (beta's range, which options go with which method) through
    :func:`momentum_cli.options.beta_of` and :func:`~momentum_cli.options.library_method`;
    mu <= L as ``momentum tune`` asks; and the state matrix must not overflow
    a float (the library's :class:`~theory.errors.ParameterError`). A key the
    page does not know is refused too: the page ignores it with a note.
    """
    method = link.get("method", PAGE_DEFAULTS["method"])
    if method not in METHODS:
        return None
    if link.get("colour", "rate") not in COLOURS:
        return None
    if link.get("class", "quadratic") not in CLASSES:
        return None
    exact: dict[str, Fraction] = {}
    for key, text in link.items():
        if key in ("method", "colour", "class"):
            continue
        if key not in NUMBER_KEYS:
            return None
        parse = parsing.positive if key in ("eta", "lam", "mu", "L") else parsing.fraction
        try:
            exact[key] = parse(text)
        except argparse.ArgumentTypeError:
            return None
    args = argparse.Namespace(
        command="rate",
        method=method,
        beta=exact.get("beta", None if method == "gd" else Fraction(PAGE_DEFAULTS["beta"])),
        nu=exact.get("nu"),
        dampening=exact.get("dampening"),
        weight_decay=exact.get("weight_decay"),
    )
    try:
        beta = options.beta_of(args)
        name, params = options.library_method(args)
    except UsageError:
        return None
    values = {k: float(exact[k]) if k in exact else PAGE_DEFAULTS[k] for k in NUMBER_KEYS}
    values.update(
        method=method,
        beta=beta,
        colour=link.get("colour", "rate"),
        **{"class": link.get("class", "quadratic")},
    )
    if values["mu"] > values["L"]:
        return None
    try:
        numerics.spectral_radius(values["eta"], beta, values["lam"], name, **params)
    except ParameterError:
        return None
    return values


def library(s: dict) -> tuple[str, dict]:
    """The library's method and parameters for a page state, as the command line maps it."""
    d, wd = s.get("dampening", 0.0), s.get("weight_decay", 0.0)
    if s["method"] == "gd":  # torch SGD without momentum: gradient descent on the decayed gradient
        return ("torch_sgd", {"dampening": 0.0, "weight_decay": wd}) if wd else ("gd", {})
    if s["method"] == "qhm":
        return "qhm", {"nu": s["nu"]}
    if d or wd:
        torch = {"heavy-ball": "torch_sgd", "nesterov": "torch_sgd_nesterov"}[s["method"]]
        return torch, {"dampening": d, "weight_decay": wd}
    return s["method"].replace("-", "_"), {}


def shown_state(q: dict) -> dict:
    """The state the page settled on (its own link), every key filled in, as floats."""
    link = dict(parse_qsl(q["state"], keep_blank_values=True))
    s = dict(PAGE_DEFAULTS)
    s.update({k: float(v) if k in NUMBER_KEYS else v for k, v in link.items()})
    if s["method"] == "gd":
        s["beta"] = 0.0
    return s


def as_link(s: dict) -> dict[str, str]:
    """The shortest link to state ``s``: the keys its method takes, the options that are set."""
    link = {"method": s["method"]}
    link.update({k: repr(s[k]) for k in ("eta", "beta", "lam", "mu", "L")})
    if s["method"] == "gd":
        del link["beta"]
    if s["method"] == "qhm":
        link["nu"] = repr(s["nu"])
    link.update({k: repr(s[k]) for k in ("dampening", "weight_decay") if s[k]})
    if s["colour"] != PAGE_DEFAULTS["colour"]:
        link["colour"] = s["colour"]
    if s["class"] != PAGE_DEFAULTS["class"]:
        link["class"] = s["class"]
    return link


def close(page_value: str | None, expected: float, rtol: float = RTOL) -> bool:
    if page_value == "null":
        return not math.isfinite(expected)
    return math.isclose(float(page_value), expected, rel_tol=rtol, abs_tol=1e-300)


def tuned(s: dict, method: str, params: dict):
    """Closed-form tuning from theory, on the spectrum shifted by the weight decay; None for qhm."""
    if method == "qhm" or params.get("dampening", 0.0) >= 1:
        return None
    wd = params.get("weight_decay", 0.0)
    base = {"gd": "gd", "heavy-ball": "heavy_ball", "nesterov": "nesterov"}[s["method"]]
    t = theory.optimal_parameters(s["mu"] + wd, s["L"] + wd, method=base)
    return float(t.eta) / (1 - params.get("dampening", 0.0)), float(t.beta), float(t.rate)


def exact_heavy_ball_rho(h: float, beta: float) -> float:
    """Heavy ball's spectral radius at eta*lam = h, beta, by mpmath at 50 digits."""
    with mpmath.workdps(50):
        h, b = mpmath.mpf(h), mpmath.mpf(beta)
        s = 1 + b - h
        disc = s * s - 4 * b
        if disc >= 0:
            return float((abs(s) + mpmath.sqrt(disc)) / 2)
        return float(mpmath.sqrt(abs(b)))


def assert_agrees(s: dict, q: dict, *, check_tuning: bool = True) -> bool:
    """Every number the page shows for state ``s`` against the Python side; True if rho was compared.

    Heavy ball's spectral radius is held to mpmath at every point (exact at
    h = eta*lam as a float, the one rounding the page and numerics both make),
    double roots included: its discriminant is factored on both sides. The
    other methods' is not (here or in numerics), so next to a double root,
    where rounding is amplified to sqrt(eps), their rate is not compared; the
    eigenvalues are compared with the error their conditioning allows.
    """
    method, params = library(s)
    eta, beta, lam = s["eta"], s["beta"], s["lam"]
    where = f"{s} ({method})"
    shown = [float(q["controls"][k]) for k in ("eta", "beta", "lam", "mu", "L")]
    assert shown == [eta, beta, lam, s["mu"], s["L"]], where
    assert q["method_control"] == s["method"], where
    assert q["colour_control"] == s["colour"], where
    assert q["class_control"] == (s["class"] == "smooth-strongly-convex"), where
    assert_class_agrees(s, q, method)
    assert q["method"][0] == method, where
    page_rho = float(q["spectral_radius"][0])
    exact = exact_heavy_ball_rho(eta * lam, beta) if method == "heavy_ball" else None
    if exact is not None:
        assert close(q["spectral_radius"][0], exact), where
    rho = float(numerics.spectral_radius(eta, beta, lam, method, **params))
    eig = numerics.eigenvalues(eta, beta, lam, method, **params)
    sep = abs(eig[0] - eig[1]) if len(eig) == 2 else math.inf
    near_double = len(eig) == 2 and sep < 1e-4 * max(abs(eig[0]), 1e-300)
    compared = not near_double or method == "heavy_ball"
    if not near_double:
        if exact is None:  # heavy ball's was held to the exact value above
            assert close(q["spectral_radius"][0], rho), where
        page_eig = np.array([complex(a, b) for a, b in json.loads(q["eigenvalues"][0])])
        # the roots' rounding, amplified by 1/separation (the square root of the discriminant)
        atol = 1e-15 * max(1, rho) + 4e-16 * rho * (rho / max(sep, 1e-300))
        assert np.allclose(page_eig, eig, rtol=RTOL, atol=atol), where
        if abs(rho - 1) > 1e-9:
            assert q["regime"][0] == str(numerics.regime(eta, beta, lam, method, **params)), where
    # steps to shrink the error tenfold: rho**n = 1/10, a positive count
    rho = exact if exact is not None else rho
    if 0 < rho < 1 and compared and page_rho < 1:
        n = float(q["steps_per_decade"][0])
        # log rho amplifies rho's rounding by 1/|log rho| near 1
        rtol = 2 * RTOL * max(1.0, 1 / -math.log(rho))
        assert n > 0 and close(q["steps_per_decade"][0], math.log(10) / -math.log(rho), rtol), where
    elif not float(q["spectral_radius"][0]) < 1:
        assert q["steps_per_decade"][0] == "null", where
    # the bounds are generated formulas; the page evaluates them in doubles, numerics in long
    # double, and next to |beta| = 1 their denominators ((1 - beta) + 2 beta (1 - nu) for QHM)
    # cancel: the double's error grows as eps / (1 - |beta|)
    bound_rtol = RTOL + 4e-16 / max(1 - abs(beta), 1e-300)
    assert close(
        q["max_stable_lam"][0],
        float(numerics.max_stable_lam(eta, beta, method, **params)),
        bound_rtol,
    ), where
    assert close(
        q["max_stable_eta"][0],
        float(numerics.max_stable_eta(beta, lam, method, **params)),
        bound_rtol,  # both closed form: the smallest positive eta bound
    ), where
    # D2L's trajectory: the rates at its two curvatures, and where 20 steps end
    d2l_rates = numerics.spectral_radius(eta, beta, np.array(numerics.D2L_LAMS), method, **params)
    page_rates = json.loads(q["d2l_rates"][0])
    assert np.allclose(page_rates, d2l_rates, rtol=1e-12, atol=0), where
    run = numerics.simulate(
        eta, beta, lams=numerics.D2L_LAMS, x0=numerics.D2L_X0, method=method, **params
    )
    final = np.array(json.loads(q["d2l_line"][0]), dtype=float)
    if np.isfinite(run.x[-1, 0]).all():
        assert np.allclose(final, run.x[-1, 0], rtol=1e-10, atol=1e-300), where
    if check_tuning:
        t = tuned(s, method, params)
        if t is None:
            assert q["tuned_eta"][0] == q["tuned_beta"][0] == q["tuned_rate"][0] == "null", where
        else:
            for name, value in zip(("tuned_eta", "tuned_beta", "tuned_rate"), t, strict=True):
                # beta and the rate lie in [0, 1): theory's floats round them to 1e-16 absolute
                absolute = 0.0 if name == "tuned_eta" else 1e-15
                assert math.isclose(float(q[name][0]), value, rel_tol=RTOL, abs_tol=absolute), (
                    where,
                    name,
                )
    return compared


#: the largest cycle length the page looks for (page.html's CLASS_K_CAP)
PAGE_K_CAP = 20000


def assert_class_agrees(s: dict, q: dict, method: str) -> None:
    """The page's verdict for heavy ball on every L-smooth mu-strongly convex f, against
    :func:`numerics.classify`; a dash where it does not apply (another method, mu = L).

    Points whose verdict a rounding could flip (within 1e-9 of an edge or of a
    cycle's conic) are not compared: the page and numerics evaluate the conic
    in different forms.
    """
    from numerics.class_regions import _default_kmax, cycle_margin, guaranteed_max_eta

    value, text = q["class_verdict"]
    if method != "heavy_ball" or not s["mu"] < s["L"]:
        assert value == "null" and text.startswith("\u2014"), (s, text)
        return
    eta, beta, mu, L = s["eta"], s["beta"], s["mu"], s["L"]
    verdict, safe, K = json.loads(value)
    if not (1e-200 < mu < L < 1e200) or _default_kmax(mu, L) > PAGE_K_CAP:
        return  # the page looks for cycles up to K = 20000 only, and says so
    # past eta ~ 1e150 numerics' conic overflows (a warning); the quadratic edge decides there
    with np.errstate(over="ignore", invalid="ignore"):
        expected = numerics.classify(eta, beta, mu, L)
        margins = cycle_margin(eta, beta, mu, L, np.arange(2, _default_kmax(mu, L) + 1))
        y = np.float64(mu * eta)  # the size of the conic's terms: it rounds to a few ulps of it
        scale = y * y + 4 * y * (1 + abs(beta)) + 8 * mu / L * (1 + abs(beta)) ** 2
    if safe is None:  # NaN through JSON: beta < 0, where the guarantee says nothing
        assert math.isnan(expected.guaranteed_max_eta), s
    else:
        assert math.isclose(safe, expected.guaranteed_max_eta, rel_tol=RTOL), s
    edges = [2 * (1 + beta) / L, float(guaranteed_max_eta(beta, L))]
    if np.min(np.abs(margins)) < 1e-9 * scale or any(abs(eta - e) < 1e-9 * e for e in edges):
        return
    assert verdict == expected.verdict, (s, verdict, expected)
    assert K == expected.cycle_length, (s, K, expected)
    assert text.startswith(expected.verdict), (s, text)
