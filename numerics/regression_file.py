"""Your own regression data from a file: columns of numbers, the last one the target.

:func:`load_regression` reads comma-separated (a comma anywhere makes the
file CSV) or whitespace-separated columns, one example a line; blank lines
and lines starting with ``#`` are skipped, and a first line of column names
(no number in it) is read as a header. Numbers are written in ASCII digits
(``12``, ``-0.5``, ``1e-3``; not ``１２``, ``1_0``, ``nan`` or ``inf``) and are
at most ``MAX_MAGNITUDE`` in size. Every column is then standardised as D2L's
``get_data_ch11`` does (mean 0, population standard deviation 1) unless
``raw=True``.

Everything wrong with a file is a :class:`theory.errors.DataError` that says
where and what: a missing file, a folder, a file that is not UTF-8 text,
an empty one, ragged rows, text or a non-finite value in a cell, fewer than
two rows, a constant column.

Examples
--------
>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "data.csv")
>>> _ = open(path, "w").write("x1,x2,y\\n1,2,3\\n2,1,5\\n3,5,4\\n")
>>> X, y = load_regression(path, raw=True)
>>> X.tolist(), y.tolist()
([[1.0, 2.0], [2.0, 1.0], [3.0, 5.0]], [3.0, 5.0, 4.0])
"""

from __future__ import annotations

import os
import re
import stat

import numpy as np

from theory.errors import DataError, describe

__all__ = ["MAX_BYTES", "MAX_MAGNITUDE", "load_regression", "standardise"]

#: the largest file read (bytes)
MAX_BYTES = 100_000_000
#: the largest magnitude of a value: its square and sums of n squares stay finite
MAX_MAGNITUDE = 1e100
# re.ASCII: \d is 0-9 only (float() also takes other scripts' digits, '1_0', 'nan', 'inf')
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def _text(path) -> str:
    name = os.fspath(path)
    try:
        info = os.stat(name)
    except FileNotFoundError:
        raise DataError(f"{name}: no such file") from None
    except OSError as exc:
        raise DataError(f"{name}: cannot be read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise DataError(f"{name}: is a folder, not a data file")
    if not stat.S_ISREG(info.st_mode):
        raise DataError(f"{name}: is not a regular file (a device, FIFO or socket)")
    if info.st_size > MAX_BYTES:
        raise DataError(f"{name}: is {info.st_size:,} bytes; at most {MAX_BYTES:,} are read")
    try:
        with open(name, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise DataError(f"{name}: cannot be read: {exc.strerror or exc}") from None
    if b"\x00" in raw:
        raise DataError(f"{name}: is binary, not text (it holds NUL bytes)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{name}: is not UTF-8 text (byte {exc.start:,})") from None


def _cells(line: str, csv: bool) -> list[str]:
    return [c.strip() for c in line.split(",")] if csv else line.split()


def load_regression(path, *, raw: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Features X (n, p) and target y (n,) from a file; standardised unless ``raw``."""
    name = os.fspath(path)
    text = _text(path)
    lines = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise DataError(f"{name}: holds no data (no line with numbers)")
    csv = "," in text
    first = _cells(lines[0][1], csv)
    if not any(_NUMBER.fullmatch(c) for c in first):
        lines = lines[1:]  # a header of column names
        if not lines:
            raise DataError(f"{name}: holds only a header line, no data")
    width = len(_cells(lines[0][1], csv))
    rows = []
    for number, line in lines:
        cells = _cells(line, csv)
        if len(cells) != width:
            raise DataError(
                f"{name}, line {number}: {len(cells)} columns where line {lines[0][0]} has "
                f"{width}: every row needs the same columns"
            )
        for column, cell in enumerate(cells, start=1):
            if not _NUMBER.fullmatch(cell):
                raise DataError(
                    f"{name}, line {number}, column {column}: {describe(cell, 30)} is not a "
                    "number (ASCII digits, as in 3, -0.25 or 1e-3)"
                )
        values = [float(c) for c in cells]
        for column, value in enumerate(values, start=1):
            if not abs(value) <= MAX_MAGNITUDE:
                raise DataError(
                    f"{name}, line {number}, column {column}: {describe(cells[column - 1], 30)} "
                    f"is too large (at most {MAX_MAGNITUDE:g} in magnitude)"
                )
        rows.append(values)
    if width < 2:
        raise DataError(f"{name}: one column; at least one feature and the target are needed")
    if len(rows) < 2:
        raise DataError(f"{name}: {len(rows)} row of data; at least 2 are needed")
    data = np.array(rows)
    if not raw:
        data = standardise(data, name)
    return data[:, :-1], data[:, -1]


def standardise(data: np.ndarray, name: str = "data") -> np.ndarray:
    """Every column to mean 0 and population standard deviation 1, as D2L's get_data_ch11."""
    mean = data.mean(axis=0)
    spread = data.std(axis=0)
    size = np.abs(data).max(axis=0)
    constant = ~(spread > 1e-12 * size)
    if constant.any():
        column = int(np.argmax(constant)) + 1
        raise DataError(
            f"{name}: column {column} is constant, so it cannot be standardised (the model's "
            "bias already is a constant: drop the column)"
        )
    return (data - mean) / spread
