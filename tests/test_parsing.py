"""The command line's number grammar: bounded, one grammar everywhere, typed text echoed (issue 11)."""

import argparse
import json
import time
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from momentum_cli.main import main
from momentum_cli.parsing import (
    fraction,
    grid,
    integer,
    negative_values,
    number_list,
    plot_file,
    vector,
)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "text, value",
    [
        ("3", Fraction(3)),
        ("-0.25", Fraction(-1, 4)),
        ("1e-3", Fraction(1, 1000)),
        ("1/2", Fraction(1, 2)),
        ("-3/-4", Fraction(3, 4)),
        (".5e1", Fraction(5)),
        ("1.", Fraction(1)),
        ("0e-99999999", Fraction(0)),
        ("1e300", Fraction(10**300)),
        ("1e-300", Fraction(1, 10**300)),
        ("0.00000000000000000000000000000000000000000001e-256", Fraction(1, 10**300)),
    ],
)
def test_numbers_parse_exactly(text, value):
    assert fraction(text) == value


@pytest.mark.parametrize(
    "text, message",
    [
        ("1e-99999999", "'1e-99999999' is too small: a nonzero number is at least 1e-300"),
        ("1e-400", "'1e-400' is too small"),
        ("1e-5000", "'1e-5000' is too small"),
        ("1e400", "'1e400' is too large: at most 1e300 in magnitude"),
        ("1e99999999999", "'1e99999999999' is too large"),
        ("2e300", "'2e300' is too large"),
        ("1e300/1e-1", "denominator is an integer"),
        ("1/0", "'1/0' divides by zero"),
        ("１", "'１' is not a number: use digits 0-9"),
        ("1_0", "'1_0' is not a number"),
        ("٣", "'٣' is not a number"),
        ("nan", "'nan' is not a number"),
        ("inf", "'inf' is not a number"),
        ("0x10", "'0x10' is not a number"),
        ("9" * 80, "is too long for a number: at most 60 characters"),
    ],
)
def test_bad_numbers_are_refused_with_their_own_reason(text, message):
    with pytest.raises(argparse.ArgumentTypeError, match=message.replace("(", r"\(")) as info:
        fraction(text)
    assert len(str(info.value)) < 140  # a long input is echoed shortened


def test_huge_exponents_are_refused_before_any_arithmetic():
    start = time.process_time()
    for text in ("1e-99999999", "1e99999999", "1" * 59 + "e-9999999"):
        with pytest.raises(argparse.ArgumentTypeError):
            fraction(text)
    assert time.process_time() - start < 5  # generous: the old parser took minutes


@pytest.mark.parametrize("text", ["1_0", "１０", "1e3", "1.0", "", "+", "0x1"])
def test_integers_share_the_ascii_grammar(text):
    with pytest.raises(argparse.ArgumentTypeError, match="is not an integer: use digits 0-9"):
        integer(text)
    assert integer(" -7 ") == -7


@pytest.mark.parametrize(
    "argv, message",
    [
        (["rate", "--eta", "1_0", "--beta", "0", "--lam", "1"], "'1_0' is not a number"),
        (["simulate", "--eta", "0.1", "--beta", "0", "--steps", "1_0"], "'1_0' is not an integer"),
        (
            ["simulate", "--eta", "0.1", "--beta", "0", "--steps", "２０"],
            "'２０' is not an integer",
        ),
        (
            [
                "noise",
                "--eta",
                "0.1",
                "--beta",
                "0",
                "--lam",
                "1",
                "--sigma",
                "1",
                "--chains",
                "1_0",
            ],
            "not an integer",
        ),
        (["train", "--epochs", "1_0"], "'1_0' is not an integer"),
        (["stability", "--beta", "0:0.9:1_0"], "N must be an integer >= 2 in digits 0-9"),
        (["rate", "--eta", "１", "--beta", "0", "--lam", "1"], "'１' is not a number"),
        (
            ["derive", "minimizer", "--Q", "[[１]]", "--c", "[1]", "--b", "0"],
            "'１' is not a number",
        ),
    ],
)
def test_one_grammar_on_the_command_line(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["rate", "--eta", "1e-99999999", "--beta", "0", "--lam", "1"],
            "'1e-99999999' is too small",
        ),
        (["rate", "--eta", "1e-400", "--beta", "0", "--lam", "1"], "'1e-400' is too small"),
        (
            ["derive", "minimizer", "--Q", "[[2]]", "--c", "[1]", "--b", "1e-5000"],
            "'1e-5000' is too small",
        ),
        (["tune", "--mu", "1e-5000", "--L", "4"], "'1e-5000' is too small"),
        (["tune", "--mu", "1e-320", "--L", "4"], "'1e-320' is too small"),
        (["tune", "--mu", "1e-300", "--L", "1e300"], "kappa = L/mu = 1.00000e+600 is too large"),
    ],
)
def test_absurd_sizes_get_one_line(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert message in err and len(err.splitlines()) == 1


def test_messages_echo_what_was_typed(capsys):
    code, _, err = run(capsys, "rate", "--eta", "0.5", "--beta", "1.2", "--lam", "1")
    assert code == 2
    assert err == "momentum rate: --beta must be in (-1, 1) for --method heavy-ball, got 1.2\n"
    long = "0." + "9" * 57
    code, _, err = run(capsys, "rate", "--eta", "0.5", "--beta", "1" + long[1:], "--lam", "1")
    assert code == 2 and "got 1.99999999999999999999999999999999999..." in err


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["simulate", "--x0", "-5,3"], ["simulate", "--x0=-5,3"]),
        (["stability", "--beta", "-0.9:0.9:50"], ["stability", "--beta=-0.9:0.9:50"]),
        (["rate", "--beta", "-1/2", "--json"], ["rate", "--beta=-1/2", "--json"]),
        (["rate", "--beta", "-.5"], ["rate", "--beta=-.5"]),
        (["rate", "--json", "--eta", "1"], ["rate", "--json", "--eta", "1"]),
        (["rate", "--eta", "-h"], ["rate", "--eta", "-h"]),
        (["rate", "--eta", "--beta"], ["rate", "--eta", "--beta"]),
        (["rate", "--beta=-1", "--", "-5"], ["rate", "--beta=-1", "--", "-5"]),
    ],
)
def test_negative_values_join_their_option(argv, expected):
    assert negative_values(argv) == expected


def test_negative_numbers_as_users_type_them(capsys):
    code, out, err = run(
        capsys,
        "simulate",
        "--eta",
        "0.1",
        "--beta",
        "0.5",
        "--lams",
        "1,2,3",
        "--x0",
        "-5,3,-2",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["x0"] == [-5.0, 3.0, -2.0]
    code, out, err = run(capsys, "stability", "--beta", "-0.9:0.9:50", "--json")
    assert code == 0, err
    assert '"beta": [\n    -0.9,' in out
    code, out, err = run(capsys, "rate", "--eta", "0.5", "--beta", "-0.5", "--lam", "1")
    assert code == 0 and "beta=-0.5" in out
    code, out, err = run(capsys, "rate", "--eta", "0.5", "--beta", "-1/2", "--lam", "1")
    assert code == 0 and "beta=-0.5" in out


@pytest.mark.parametrize("name", ["out.pgf", "out.ps", "out.eps", "out.jpg", "out", "out.PNG.x"])
def test_only_figure_formats_that_need_no_tools(capsys, tmp_path, name):
    path = tmp_path / name
    code, out, err = run(capsys, "stability", "--plot", str(path))
    assert (code, out) == (2, "")
    assert err.endswith(
        "is not a figure file: its name must end in .png, .svg, .pdf (see 'momentum stability --help')\n"
    )
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_figure_suffixes_any_case():
    assert plot_file("a/b.PDF") == "a/b.PDF"
    for name in ("-", "", "dir/"):
        assert plot_file(name) == name  # the writer refuses these with its own reasons


def test_lists_and_grids():
    assert number_list("-5,3,-2") == [-5, 3, -2]
    assert vector("[1, -1/2]") == [1, Fraction(-1, 2)]
    assert grid("-0.9:0.9:50") == (-0.9, 0.9, 50)
    with pytest.raises(argparse.ArgumentTypeError, match="N must be in"):
        grid("0:1:99999999999")


def _in_range(value: Fraction) -> bool:
    return value == 0 or Fraction(1, 10**300) <= abs(value) <= 10**300


@given(st.integers(-(10**30), 10**30), st.integers(1, 10**12), st.integers(-330, 330))
@example(mantissa=100, scale=10, exponent=299)  # 1e300 written as 100e299/10: in range
def test_property_decimal_text_parses_to_its_exact_value(mantissa, scale, exponent):
    # reference: exact Fraction arithmetic on the integers the text was made from
    for text, expected in (
        (f"{mantissa}e{exponent}", Fraction(mantissa) * Fraction(10) ** exponent),
        (f"{mantissa}e{exponent}/{scale}", Fraction(mantissa) * Fraction(10) ** exponent / scale),
    ):
        if _in_range(expected):
            assert fraction(text) == expected
        else:
            with pytest.raises(argparse.ArgumentTypeError, match="too (large|small)"):
                fraction(text)


@pytest.mark.parametrize("text", ["0:1:1", "-0.9:0.9:1", "0:4:0"])
def test_a_grid_of_fewer_than_two_points_is_refused(text):
    # LO:HI:1 names one point and two bounds: which is meant? (issue 24)
    with pytest.raises(argparse.ArgumentTypeError, match=r"N must be in \[2,"):
        grid(text)
