"""Strict parsers for command-line values: numbers, integers, vectors, matrices, grids.

User text is never evaluated. One grammar for every number, written in ASCII
digits only (``１`` and ``1_0`` are refused everywhere): integers ``20``,
decimals with an optional exponent ``-0.25``, ``1e-3``, and fractions
``p/q``. Magnitudes are checked on the text before any arithmetic, so
``1e-99999999`` is refused at once; nonzero numbers must lie between
``MIN_MAGNITUDE`` and ``MAX_MAGNITUDE`` in size, where a float holds them
with full precision. Messages echo what the user typed, shortened when long.
"""

from __future__ import annotations

import argparse
import re
from fractions import Fraction

__all__ = [
    "MAX_DIGITS",
    "MAX_ENTRIES",
    "MAX_GRID",
    "MAX_MAGNITUDE_EXP",
    "Number",
    "echo",
    "fraction",
    "grid",
    "integer",
    "integer_list",
    "matrix",
    "negative_values",
    "number_list",
    "plot_file",
    "positive",
    "vector",
]

# re.ASCII: \d is 0-9 only, never other scripts' digits
_DECIMAL = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_TOKEN = re.compile(r"\s*(\[|\]|,|[^\s\[\],]+)")
#: figure formats that need no tool beyond matplotlib (PGF needs xelatex, PostScript drops alpha)
PLOT_FORMATS = ("png", "svg", "pdf")
#: bounds that keep parsing and the work behind it small
MAX_ENTRIES = 10_000
MAX_DIGITS = 60
MAX_GRID = 10_000_000
#: nonzero numbers lie in [1e-300, 1e300] in magnitude: inside a float's normal range
MAX_MAGNITUDE_EXP = 300
_ECHO = 40
_HUGE = Fraction(10) ** MAX_MAGNITUDE_EXP
_TINY = 1 / _HUGE


class Number(Fraction):
    """An exact number that remembers the text the user typed (for messages)."""

    text: str

    def __new__(cls, value: Fraction, text: str):
        self = super().__new__(cls, value.numerator, value.denominator)
        self.text = text
        return self


def echo(text: str) -> str:
    """The user's text quoted for a message, shortened to about 40 characters."""
    return repr(text if len(text) <= _ECHO else text[: _ECHO - 3] + "...")


def _error(text: str, why: str) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(f"{echo(text)} {why}")


def _decimal(text: str, whole: str, slack: int = 0) -> Fraction:
    """An exact decimal; its size is checked from the digits and exponent before it is built.

    ``slack`` widens the upper bound by that many powers of ten: a fraction's numerator may
    exceed the bound by as much as its denominator brings it back (the value is checked after).
    """
    m = _DECIMAL.fullmatch(text)
    if not m or not (m.group(2) or m.group(3)):
        raise _error(whole, "is not a number: use digits 0-9 as in 3, -0.25, 1e-3 or 1/2")
    sign, ints, frac, exp = m.groups()
    digits = (ints + (frac or "")).lstrip("0")
    if not digits:
        return Fraction(0)
    exponent = int(exp or 0) - len(frac or "")
    # the value is digits * 10**exponent, so 10**(order) <= |value| < 10**(order + 1)
    order = len(digits) - 1 + exponent
    if order > MAX_MAGNITUDE_EXP + slack:
        raise _error(whole, f"is too large: at most 1e{MAX_MAGNITUDE_EXP} in magnitude")
    if order < -MAX_MAGNITUDE_EXP - 1:
        raise _error(
            whole, f"is too small: a nonzero number is at least 1e-{MAX_MAGNITUDE_EXP} in magnitude"
        )
    value = Fraction(int(digits)) * Fraction(10) ** exponent
    return -value if sign == "-" else value


def _bounded(value: Fraction, text: str) -> Fraction:
    if abs(value) > _HUGE:
        raise _error(text, f"is too large: at most 1e{MAX_MAGNITUDE_EXP} in magnitude")
    if value and abs(value) < _TINY:
        raise _error(
            text, f"is too small: a nonzero number is at least 1e-{MAX_MAGNITUDE_EXP} in magnitude"
        )
    return value


def fraction(text: str) -> Number:
    """An exact number from ``3``, ``-0.25``, ``1e-3`` or ``1/2`` (ASCII digits)."""
    raw = text
    text = text.strip()
    if len(text) > MAX_DIGITS:
        raise _error(raw, f"is too long for a number: at most {MAX_DIGITS} characters")
    num, slash, den = text.partition("/")
    value = _decimal(num, raw, slack=len(den))
    if slash:
        if not _INTEGER.fullmatch(den):
            raise _error(raw, "is not a number: a fraction's denominator is an integer, as in 1/2")
        if int(den) == 0:
            raise _error(raw, "divides by zero")
        value = value / int(den)
    return Number(_bounded(value, raw), raw)


def positive(text: str) -> Number:
    value = fraction(text)
    if value <= 0:
        raise _error(text, "must be > 0")
    return value


def integer(text: str) -> int:
    """A whole number in ASCII digits, ``20`` or ``-1`` (no exponent, no underscores)."""
    t = text.strip()
    if len(t) > MAX_DIGITS or not _INTEGER.fullmatch(t):
        raise _error(text, "is not an integer: use digits 0-9, as in 20")
    return int(t)


def _tokens(text: str) -> list[str]:
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            break
        out.append(m.group(1))
        pos = m.end()
        if len(out) > 4 * MAX_ENTRIES:
            raise argparse.ArgumentTypeError(f"too many entries: at most {MAX_ENTRIES}")
    return out


def _parse_list(tokens: list[str], i: int, depth: int):
    if depth > 2:
        raise argparse.ArgumentTypeError("lists nest at most two deep, as in [[2, 1], [1, 3]]")
    if i >= len(tokens) or tokens[i] != "[":
        raise argparse.ArgumentTypeError("expected '['")
    i += 1
    items = []
    while True:
        if i >= len(tokens):
            raise argparse.ArgumentTypeError("missing ']'")
        tok = tokens[i]
        if tok == "]" and not items:
            return items, i + 1
        if tok == "[":
            item, i = _parse_list(tokens, i, depth + 1)
        elif tok in ("]", ","):
            raise argparse.ArgumentTypeError(f"unexpected {tok!r}")
        else:
            item, i = fraction(tok), i + 1
        items.append(item)
        if i < len(tokens) and tokens[i] == ",":
            i += 1
            continue
        if i < len(tokens) and tokens[i] == "]":
            return items, i + 1
        raise argparse.ArgumentTypeError("expected ',' or ']'")


def _whole(text: str):
    tokens = _tokens(text)
    items, i = _parse_list(tokens, 0, 1)
    if i != len(tokens):
        raise argparse.ArgumentTypeError(
            f"unexpected text after the list: {echo(' '.join(tokens[i:]))}"
        )
    return items


def vector(text: str) -> list[Number]:
    """A vector written ``[1, -1/2, 0.25]``."""
    try:
        items = _whole(text)
        if not items or any(isinstance(x, list) for x in items):
            raise argparse.ArgumentTypeError("expected a flat non-empty list")
    except argparse.ArgumentTypeError as exc:
        raise _error(text, f"is not a vector like [1, -1]: {exc}") from None
    return items


def matrix(text: str) -> list[list[Number]]:
    """A matrix written as a list of rows, ``[[2, 1], [1, 3]]``."""
    try:
        rows = _whole(text)
        if not rows or not all(isinstance(r, list) and r for r in rows):
            raise argparse.ArgumentTypeError("expected a non-empty list of non-empty rows")
        if len({len(r) for r in rows}) != 1:
            raise argparse.ArgumentTypeError("rows have different lengths")
    except argparse.ArgumentTypeError as exc:
        raise _error(text, f"is not a matrix like [[2, 1], [1, 3]]: {exc}") from None
    return rows


def number_list(text: str) -> list[Number]:
    """Comma-separated numbers, ``0.2,4`` (brackets optional)."""
    body = text.strip()
    if body.startswith("["):
        return vector(body)
    if not body or body.count(",") >= MAX_ENTRIES:
        raise _error(text, f"is not a list like 0.2,4 of at most {MAX_ENTRIES:,} numbers")
    return [fraction(p) for p in body.split(",")]


def integer_list(text: str) -> list[int]:
    """Comma-separated whole numbers, ``1,10,100`` (ASCII digits, at most 100 of them)."""
    parts = text.split(",")
    if len(parts) > 100:
        raise _error(text, "has too many entries: at most 100")
    try:
        return [integer(p) for p in parts]
    except argparse.ArgumentTypeError:
        raise _error(text, "is not a list of integers like 1,10,100 (digits 0-9)") from None


def grid(text: str) -> tuple[float, float, int]:
    """An inclusive grid ``LO:HI:N`` with LO < HI and 2 <= N."""
    parts = text.split(":")
    if len(parts) != 3:
        raise _error(text, "is not a grid: use LO:HI:N, e.g. 0:4:401")
    lo, hi = float(fraction(parts[0])), float(fraction(parts[1]))
    try:
        n = integer(parts[2])
    except argparse.ArgumentTypeError:
        raise _error(text, "is not a grid: N must be an integer >= 2 in digits 0-9") from None
    if not lo < hi:
        raise _error(text, "is not a grid: LO must be < HI")
    if not 2 <= n <= MAX_GRID:
        raise _error(text, f"is not a grid: N must be in [2, {MAX_GRID:,}]")
    return lo, hi, n


def negative_values(argv: list[str]) -> list[str]:
    """``--x0 -5,3`` as ``--x0=-5,3``: a word after an option that starts '-' and a non-letter.

    argparse takes ``-5,3``, ``-0.9:0.9:50`` or ``-1/2`` for an option and
    refuses them ("expected one argument"); no option of this tool is a
    dash and a non-letter, so such a word after ``--name`` is its value.
    """
    out: list[str] = []
    i = 0
    while i < len(argv):
        word, nxt = argv[i], argv[i + 1] if i + 1 < len(argv) else ""
        if word == "--":
            return out + argv[i:]
        value_like = len(nxt) > 1 and nxt[0] == "-" and nxt[1] != "-" and not nxt[1].isalpha()
        if word.startswith("--") and len(word) > 2 and "=" not in word and value_like:
            out.append(f"{word}={nxt}")
            i += 2
        else:
            out.append(word)
            i += 1
    return out


def plot_file(text: str) -> str:
    """A figure file name whose suffix is one of :data:`PLOT_FORMATS`.

    ``-``, an empty name and a name ending in ``/`` pass: the file writer
    refuses them with its own reasons.
    """
    if text in ("", "-") or text.endswith("/"):
        return text
    suffix = text.rsplit(".", 1)[-1].lower() if "." in text.rsplit("/", 1)[-1] else ""
    if suffix not in PLOT_FORMATS:
        allowed = ", ".join(f".{f}" for f in PLOT_FORMATS)
        raise _error(text, f"is not a figure file: its name must end in {allowed}")
    return text
