"""Exact tunings written as a person writes them: rationalised, collected, equal to the value."""

import mpmath
import pytest
import sympy as sp

from theory.engine.forms import collected
from theory.engine.reader_text import plain
from theory.engine.sympy_text import sympy_text


def _tuned(mu, L):
    """Polyak's heavy-ball tuning on [mu, L], as SymPy builds it (typed here from Polyak 1964)."""
    s_mu, s_L = sp.sqrt(mu), sp.sqrt(L)
    return 4 / (s_L + s_mu) ** 2, ((s_L - s_mu) / (s_L + s_mu)) ** 2, (s_L - s_mu) / (s_L + s_mu)


@pytest.mark.parametrize(
    "mu, L, written",
    [
        # torch's weight decay 5e-4 on [1, 100]: the spectrum [1.0005, 100.0005]
        (
            sp.Rational(2001, 2000),
            sp.Rational(200001, 2000),
            (
                "(33667 − √44466889)/816750",
                "(588966889 − 33667√44466889)/544500000",
                "(33667 − √44466889)/33000",
            ),
        ),
        (1, 2, ("12 − 8√2", "17 − 12√2", "3 − 2√2")),
        (sp.Rational(1, 3), 7, ("(33 − 3√21)/50", "(71 − 11√21)/50", "(11 − √21)/10")),
    ],
)
def test_a_tuning_is_rationalised_and_collected(mu, L, written):
    for value, text in zip(_tuned(mu, L), written, strict=True):
        form = collected(value)
        assert plain(form) == text
        denominator = sp.fraction(sp.together(sp.sympify(sympy_text(form))))[1]
        assert denominator.is_Integer  # rationalised: no root below the line
        # equal to 50 digits, by mpmath on the two texts: no code shared with the checker
        with mpmath.workdps(50):
            a = mpmath.mpf(sp.N(sp.sympify(sympy_text(form)), 60))
            b = mpmath.mpf(sp.N(value, 60))
            assert abs(a - b) < mpmath.mpf(10) ** -45


def test_rationals_and_symbols_are_left_as_they_are():
    assert collected(sp.Rational(4, 121)) == sp.Rational(4, 121)
    kappa = sp.Symbol("kappa", positive=True)
    expr = (sp.sqrt(kappa) - 1) / (sp.sqrt(kappa) + 1)
    assert collected(expr) is expr
