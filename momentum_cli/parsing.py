"""Strict parsers for command-line values: numbers, vectors, matrices, grids.

User text is never evaluated: numbers are integers, decimals (with an
optional exponent) or fractions ``p/q``; vectors and matrices are bracketed
lists of them. Anything else is refused with a message saying what is allowed.
"""

from __future__ import annotations

import argparse
import math
import re
from fractions import Fraction

__all__ = ["fraction", "grid", "matrix", "number_list", "positive", "vector"]

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?(/[+-]?\d+)?")
_TOKEN = re.compile(r"\s*(\[|\]|,|[^\s\[\],]+)")
#: bounds that keep parsing and the work behind it small
MAX_ENTRIES = 10_000
MAX_DIGITS = 60
MAX_GRID = 10_000_000


def fraction(text: str) -> Fraction:
    """An exact number from ``3``, ``-0.25``, ``1e-3`` or ``1/2``."""
    text = text.strip()
    if len(text) > MAX_DIGITS or not _NUMBER.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number: use an integer, a decimal or a fraction like 1/2"
        )
    num, _, den = text.partition("/")
    try:
        value = Fraction(num) / Fraction(den) if den else Fraction(num)
    except ZeroDivisionError:
        raise argparse.ArgumentTypeError(f"{text!r} divides by zero") from None
    if abs(value) > Fraction(10) ** 300:
        raise argparse.ArgumentTypeError(f"{text!r} is too large: at most 1e300 in magnitude")
    return value


def positive(text: str) -> Fraction:
    value = fraction(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be > 0")
    return value


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
            f"unexpected text after the list: {' '.join(tokens[i:])!r}"
        )
    return items


def vector(text: str) -> list[Fraction]:
    """A vector written ``[1, -1/2, 0.25]``."""
    try:
        items = _whole(text)
        if not items or any(isinstance(x, list) for x in items):
            raise argparse.ArgumentTypeError("expected a flat non-empty list")
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a vector like [1, -1]: {exc}") from None
    return items


def matrix(text: str) -> list[list[Fraction]]:
    """A matrix written as a list of rows, ``[[2, 1], [1, 3]]``."""
    try:
        rows = _whole(text)
        if not rows or not all(isinstance(r, list) and r for r in rows):
            raise argparse.ArgumentTypeError("expected a non-empty list of non-empty rows")
        if len({len(r) for r in rows}) != 1:
            raise argparse.ArgumentTypeError("rows have different lengths")
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a matrix like [[2, 1], [1, 3]]: {exc}"
        ) from None
    return rows


def number_list(text: str) -> list[Fraction]:
    """Comma-separated numbers, ``0.2,4`` (brackets optional)."""
    body = text.strip()
    if body.startswith("["):
        return vector(body)
    parts = [p for p in body.split(",")]
    if not body or len(parts) > MAX_ENTRIES:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list like 0.2,4")
    return [fraction(p) for p in parts]


def grid(text: str) -> tuple[float, float, int]:
    """An inclusive grid ``LO:HI:N`` with LO < HI and 2 <= N."""
    parts = text.split(":")
    if len(parts) != 3:
        raise argparse.ArgumentTypeError(f"{text!r} is not a grid: use LO:HI:N, e.g. 0:4:401")
    lo, hi = float(fraction(parts[0])), float(fraction(parts[1]))
    try:
        n = int(parts[2])
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: N must be an integer >= 2") from None
    if not lo < hi:
        raise argparse.ArgumentTypeError(f"{text!r}: LO must be < HI")
    if not 2 <= n <= MAX_GRID:
        raise argparse.ArgumentTypeError(f"{text!r}: N must be in [2, {MAX_GRID}]")
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise argparse.ArgumentTypeError(f"{text!r}: LO and HI must be finite")
    return lo, hi, n
