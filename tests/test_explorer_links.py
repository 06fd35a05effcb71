"""Links to the explorer, hostile and extreme, against the Python side (issue 24).

Every test loads links in the session's headless Chromium (``tests/browser.py``)
and reads what the page shows: no link may break the page (a thrown error,
a blank view), the page shows exactly the link's values where the command
line accepts them and otherwise a visible note and a view the command line
accepts, and every number agrees with :mod:`numerics` (and, near critical
damping and overflow, with mpmath). The references are in
``tests/explorer_reference.py``; none shares code with the page.
"""

from __future__ import annotations

import math
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import numerics
from momentum_cli.main import main
from tests.explorer_reference import (
    CLASSES,
    COLOURS,
    METHODS,
    NUMBER_KEYS,
    PAGE_DEFAULTS,
    as_link,
    assert_agrees,
    exact_heavy_ball_rho,
    library,
    python_side,
    shown_state,
)

#: names every JavaScript object inherits: a lookup that is not own-property-only finds them
INHERITED = (
    "toString",
    "__proto__",
    "constructor",
    "hasOwnProperty",
    "valueOf",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "__defineGetter__",
    "__lookupSetter__",
)
#: text the command line refuses as a number
NOT_NUMBERS = ("NaN", "Infinity", "-Infinity", "inf", "0x10", "1_0", "", " ", "1e", ".", "-", "１")

# a session fixture is shared by every example on purpose (one browser for all links)
FIXTURE_OK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def fragment(link: dict[str, str]) -> str:
    return urlencode(link, quote_via=quote, safe="")


def show(explorer, link: dict[str, str]) -> dict:
    """What the page shows for ``link``; it must neither throw nor request anything."""
    q = explorer.show(fragment(link))
    assert q["errors"] == [], (link, q["errors"])
    assert q["rendered"], link
    assert q["resources"] == [], link
    return q


def test_the_references_defaults_are_the_pages(explorer):
    q = show(explorer, {})
    assert q["status"] == ""
    assert shown_state(q) == PAGE_DEFAULTS


# ---- hostile names (issue 24: `#method=toString` gave a blank page) -------------------------


@pytest.mark.parametrize("name", INHERITED)
def test_an_inherited_name_as_method_shows_the_default_with_a_note(explorer, name):
    q = show(explorer, {"method": name, "eta": "0.3", "beta": "0.4", "lam": "2"})
    assert name in q["status"] and "heavy-ball" in q["status"], q["status"]
    s = shown_state(q)
    # only the method falls back; the link's other values are kept
    assert (s["method"], s["eta"], s["beta"], s["lam"]) == ("heavy-ball", 0.3, 0.4, 2.0)
    assert_agrees(s, q)


@pytest.mark.parametrize("name", INHERITED)
def test_an_inherited_name_as_key_or_colour_is_noted_and_ignored(explorer, name):
    q = show(explorer, {name: "1", "method": "nesterov", "eta": "0.5", "beta": "0.5"})
    assert name in q["status"]
    assert shown_state(q)["method"] == "nesterov"
    q = show(explorer, {"colour": name, "method": "gd", "eta": "0.5"})
    assert name in q["status"] and q["colour_control"] == "rate"


# ---- beta's range, as the command line has it ----------------------------------------------


BETAS = ("-1.5", "-1", "-0.9999999999999999", "-0.5", "-0", "0", "0.999999", "0.9999999999999999")


@pytest.mark.parametrize("method", ["heavy-ball", "nesterov", "qhm"])
@pytest.mark.parametrize("beta", [*BETAS, "1", "1.0000000000000002", "1.5", "1e300"])
def test_an_out_of_range_beta_is_refused_exactly_as_momentum_rate_refuses_it(
    explorer, capsys, method, beta
):
    code = main(["rate", "--method", method, "--eta", "0.3", "--lam", "2", f"--beta={beta}"])
    refusal = capsys.readouterr().err
    q = show(explorer, {"method": method, "eta": "0.3", "beta": beta, "lam": "2"})
    s = shown_state(q)
    if code == 0:
        assert q["status"] == "" and s["beta"] == float(beta), (q["status"], s)
    else:
        assert code == 2
        # the same range in the same words, the default beta instead, everything else kept
        allowed = refusal.split("--beta must be in ")[1].split(" for")[0]
        assert f"beta must be in {allowed}" in q["status"], (refusal, q["status"])
        assert s["beta"] == PAGE_DEFAULTS["beta"] and (s["eta"], s["lam"]) == (0.3, 2.0)
    assert_agrees(s, q)


# ---- numbers as the command line reads them --------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1e300",  # exactly the largest magnitude allowed
        "1.0000000000000001e300",  # above it, though its float is 1e300's
        "1e301",
        "1e-300",
        "9.999999999999999e-301",
        "0.1e-299",
        "1/3",
        "2e300/3",
        "1/0",
        "1_0",
        "0x10",
        " 2 ",
        "5.",
        "+.5",
        "1" * 61,
    ],
)
def test_numbers_are_read_as_the_command_line_reads_them(explorer, text):
    link = {"method": "heavy-ball", "lam": text}
    q = show(explorer, link)
    expected = python_side(link)
    if expected is None:
        assert "lambda" in q["status"] and shown_state(q)["lam"] == PAGE_DEFAULTS["lam"]
    else:
        assert q["status"] == ""
        assert math.isclose(shown_state(q)["lam"], expected["lam"], rel_tol=2**-52)


# ---- steps per decade ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        {"method": "heavy-ball", "eta": "0.6", "beta": "0.5"},
        {"method": "gd", "eta": "0.1", "lam": "3"},
        {"method": "nesterov", "eta": "0.02", "beta": "0.9", "lam": "0.5"},
        {"method": "heavy-ball", "eta": "1e-6", "beta": "0"},  # rho within 1e-6 of 1
    ],
)
def test_steps_per_decade_is_the_positive_count_rho_takes_to_shrink_tenfold(explorer, link):
    q = show(explorer, link)
    s = shown_state(q)
    method, params = library(s)
    rho = float(numerics.spectral_radius(s["eta"], s["beta"], s["lam"], method, **params))
    n = float(q["steps_per_decade"][0])
    assert n > 0
    assert math.isclose(rho**n, 0.1, rel_tol=1e-6)
    assert_agrees(s, q)


# ---- extreme floats --------------------------------------------------------------------------


@pytest.mark.parametrize("eta", ["1e155", "3e200", "1e300"])
@pytest.mark.parametrize("method", METHODS)
def test_huge_steps_do_not_overflow_where_the_library_has_an_answer(explorer, eta, method):
    link = {"method": method, "eta": eta, "beta": "0.5", "lam": "1", "mu": "1", "L": "100"}
    if method == "gd":
        del link["beta"]
    q = show(explorer, link)
    expected = python_side(link)
    assert expected is not None, "the library answers at every eta here"
    assert q["status"] == ""
    rho = float(q["spectral_radius"][0])
    assert math.isfinite(rho)
    if method == "heavy-ball":
        assert math.isclose(rho, exact_heavy_ball_rho(float(eta), 0.5), rel_tol=1e-15)
    assert_agrees(shown_state(q), q)


@pytest.mark.parametrize("method", METHODS)
def test_a_state_matrix_that_overflows_is_refused_as_the_library_refuses_it(explorer, method):
    link = {"method": method, "eta": "1e200", "beta": "0.5", "lam": "1e200"}
    if method == "gd":
        del link["beta"]
    assert python_side(link) is None
    q = show(explorer, link)
    assert "overflow" in q["status"], q["status"]
    s = shown_state(q)
    assert python_side(as_link(s)) is not None
    assert_agrees(s, q)


@st.composite
def near_critical_damping(draw):
    """Heavy ball within a relative 1e-12..1e-3 of a double root, eta*lam exact (lam = 2^k).

    Tiny betas too: there rho = sqrt(beta) is tiny beside eta*lam/2 and (1 + beta)/2, whose
    difference it is.
    """
    beta = draw(st.one_of(st.floats(0.01, 0.99), st.floats(-12, -2).map(lambda k: 10.0**k)))
    lam = 2.0 ** draw(st.integers(-30, 30))
    root = math.sqrt(beta)
    critical = draw(st.sampled_from([(1 - root) ** 2, (1 + root) ** 2]))
    distance = 10.0 ** draw(st.floats(-12, -3)) * draw(st.sampled_from([-1.0, 1.0]))
    return critical * (1 + distance) / lam, beta, lam


@FIXTURE_OK
@given(point=near_critical_damping())
@example(point=((1 - 1e-6) ** 2 * (1 + 1e-7), 1e-12, 1.0))
@example(point=((1 + 0.5**0.5) ** 2 * (1 - 1e-9) / 64, 0.5, 64.0))
def test_near_critical_damping_rho_is_exact_to_rounding(explorer, point):
    """The factored discriminant (as numerics.rates has it), against mpmath at 50 digits."""
    eta, beta, lam = point
    q = show(
        explorer, {"method": "heavy-ball", "eta": repr(eta), "beta": repr(beta), "lam": repr(lam)}
    )
    assert q["status"] == ""
    exact = exact_heavy_ball_rho(eta * lam, beta)  # a product by a power of two: exact
    # the unfactored t + sqrt(t^2 - beta) loses up to 1e-8 here (the page did, issue 24)
    assert math.isclose(float(q["spectral_radius"][0]), exact, rel_tol=1e-12), (point, exact)
    assert_agrees(shown_state(q), q, check_tuning=False)


# ---- the colour mode lives in the link (issue 25) --------------------------------------------


@pytest.mark.parametrize("colour", COLOURS)
def test_the_colour_mode_is_kept_in_the_link(explorer, colour):
    q = show(explorer, {"method": "nesterov", "eta": "0.3", "beta": "0.8", "colour": colour})
    assert q["status"] == "" and q["colour_control"] == colour
    # the page's own link carries it, so the link it writes reproduces the view
    assert shown_state(q)["colour"] == colour
    again = show(explorer, {k: v for k, v in (p.split("=") for p in q["state"].split("&"))})
    assert again["colour_control"] == colour and again["state"] == q["state"]


# ---- the link fuzz: hostile names, extreme floats, near critical damping ---------------------


def _text(x: float) -> str:
    return repr(x)


ordinary = st.floats(1e-3, 10.0).map(_text)
near_one = st.one_of(
    st.integers(1, 53).map(lambda k: _text(1 - 2.0**-k)),
    st.integers(1, 52).map(lambda k: _text(1 + 2.0**-k)),
    st.integers(1, 53).map(lambda k: _text(-1 + 2.0**-k)),
    st.sampled_from(["1", "-1", "0.99", "0.999999999"]),
)
near_overflow = st.one_of(
    st.floats(1e150, 1e300).map(_text),
    st.integers(150, 310).map(lambda k: f"1e{k}"),
    st.sampled_from(["1e300", "1.0000000000000001e300", "9.999999999999999e299", "1e301"]),
)
near_underflow = st.one_of(
    st.floats(1e-310, 1e-280).map(_text),
    st.integers(-330, -280).map(lambda k: f"1e{k}"),
    st.sampled_from(["1e-300", "9.999999999999999e-301", "1.0000000000000001e-300", "5e-324"]),
)
numbers = st.one_of(
    ordinary,
    ordinary.map(lambda t: "-" + t),
    near_one,
    near_overflow,
    near_underflow,
    st.sampled_from(["0", "-0", "0.5", "1e-12"]),
    st.sampled_from(NOT_NUMBERS),
    st.text(max_size=8),
)
method_names = st.one_of(
    st.sampled_from(METHODS),
    st.sampled_from(METHODS),
    st.sampled_from(INHERITED),
    st.text(max_size=12),
)


@st.composite
def links(draw) -> dict[str, str]:
    """A link as a user, a typo or an attacker writes it: any keys, any text."""
    link: dict[str, str] = {}
    if draw(st.integers(0, 7)) > 0:
        link["method"] = draw(method_names)
    keys = draw(st.lists(st.sampled_from(NUMBER_KEYS), unique=True, max_size=len(NUMBER_KEYS)))
    for key in keys:
        link[key] = draw(numbers)
    if draw(st.integers(0, 9)) == 0:
        link["colour"] = draw(st.one_of(st.sampled_from(COLOURS), st.sampled_from(INHERITED)))
    if draw(st.integers(0, 5)) == 0:
        link["class"] = draw(st.one_of(st.sampled_from(CLASSES), st.sampled_from(INHERITED)))
    if draw(st.integers(0, 9)) == 0:
        link[draw(st.one_of(st.sampled_from(INHERITED), st.text(min_size=1, max_size=8)))] = "1"
    if draw(st.integers(0, 3)) == 0:  # near critical damping: eta from beta and lam
        beta, lam = draw(st.floats(0.0, 0.999)), 10 ** draw(st.floats(-3, 3))
        critical = (1 + draw(st.sampled_from([-1, 1])) * math.sqrt(beta)) ** 2
        eta = critical * (1 + draw(st.floats(-1e-6, 1e-6))) / lam
        link.update(method="heavy-ball", beta=_text(beta), lam=_text(lam), eta=_text(eta))
    return link


@FIXTURE_OK
@given(link=links())
def test_property_every_link_shows_what_the_python_side_accepts(explorer, link):
    q = show(explorer, link)
    expected = python_side(link)
    s = shown_state(q)
    if expected is not None:
        # accepted as is: no note, and exactly the link's values
        assert q["status"] == "", (link, q["status"])
        assert s == expected, (link, s)
    else:
        # refused: a visible note, and a view the command line accepts
        assert q["status"] != "", link
        assert python_side(as_link(s)) is not None, (link, s)
    assert_agrees(s, q, check_tuning=all(1e-200 < s[k] < 1e200 for k in ("mu", "L")))
