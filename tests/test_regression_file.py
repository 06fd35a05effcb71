"""numerics.load_regression: your own regression data, and every way a file can be wrong."""

import os
from importlib import resources

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import numerics
from numerics import regression_file
from numerics.regression_file import load_regression
from tests.references import airfoil_design
from theory.errors import DataError, ParameterError


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
    return path


def test_airfoil_file_loads_as_d2l_standardises_it(tmp_path):
    raw = resources.files("numerics.data").joinpath("airfoil_self_noise.dat").read_bytes()
    X, y = load_regression(write(tmp_path, raw, "airfoil.dat"))
    A, target = airfoil_design(1503)
    np.testing.assert_allclose(X, A[:, :-1], rtol=1e-12)
    np.testing.assert_allclose(y, target, rtol=1e-12)
    Xa, ya = numerics.load_airfoil(1503)
    np.testing.assert_allclose(X, Xa, rtol=1e-12)


def test_csv_with_header_comments_blank_lines_and_a_byte_order_mark(tmp_path):
    text = "\ufeff# my data\nsize, age, price\n\n1, 2.5, 3\n2,-1e1,5\n# a note\n3,.5,4.25\n"
    X, y = load_regression(write(tmp_path, text), raw=True)
    assert X.tolist() == [[1, 2.5], [2, -10], [3, 0.5]] and y.tolist() == [3, 5, 4.25]
    Xs, ys = load_regression(write(tmp_path, text))
    full = np.column_stack([Xs, ys])
    np.testing.assert_allclose(full.mean(axis=0), 0, atol=1e-15)
    np.testing.assert_allclose(full.std(axis=0), 1, rtol=1e-14)


def test_whitespace_columns_with_crlf(tmp_path):
    X, y = load_regression(write(tmp_path, "1\t2  3\r\n4 5\t6\r\n", "d.txt"), raw=True)
    assert X.tolist() == [[1, 2], [4, 5]] and y.tolist() == [3, 6]


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "holds no data"),
        ("\n# only a comment\n\n", "holds no data"),
        ("a,b,c\n", "only a header"),
        ("1,2,3\n4,5\n", "line 2: 2 columns where line 1 has 3"),
        ("1 2 3\n4 5 6 7\n", "line 2: 4 columns"),
        ("1,2,3\n4,five,6\n", "line 2, column 2: 'five' is not a number"),
        ("1,2,3\n4,nan,6\n", "'nan' is not a number"),
        ("1,2,3\n4,inf,6\n", "'inf' is not a number"),
        ("1,2,3\n4,1_0,6\n", "'1_0' is not a number"),
        ("1,2,3\n4,\uff11\uff12,6\n", "is not a number"),  # fullwidth digits: float() takes them
        ("1,2,3\n4,\u0661,6\n", "is not a number"),  # an Arabic-Indic digit
        ("1,2,3\n4,,6\n", "'' is not a number"),
        ("1,2,3\n4,1e200,6\n", "is too large"),
        ("1,2,3\n", "1 row of data; at least 2"),
        ("1\n2\n3\n", "one column"),
        ("1,5,3\n2,5,4\n3,5,1\n", "column 2 is constant"),
        ("1,2,3\n1,2,3\n", "column 1 is constant"),
    ],
)
def test_bad_files_get_one_clear_error(tmp_path, text, message):
    with pytest.raises(DataError, match=message):
        load_regression(write(tmp_path, text))


def test_a_constant_column_raw_is_collinear_with_the_bias(tmp_path):
    X, y = load_regression(write(tmp_path, "1,5,3\n2,5,4\n3,5,1\n"), raw=True)
    with pytest.raises(ParameterError, match="linearly dependent"):
        numerics.least_squares_data(X, y)


def test_files_that_are_not_data(tmp_path, monkeypatch):
    with pytest.raises(DataError, match="no such file"):
        load_regression(tmp_path / "missing.csv")
    with pytest.raises(DataError, match="is a folder"):
        load_regression(tmp_path)
    with pytest.raises(DataError, match="binary"):
        load_regression(write(tmp_path, b"1,2,3\n\x00\x01\x02\n"))
    with pytest.raises(DataError, match="not UTF-8"):
        load_regression(write(tmp_path, b"1,2,3\n4,5,\xff\n"))
    with pytest.raises(DataError, match="not a regular file"):
        load_regression(os.devnull)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="not a regular file"):
        load_regression(fifo)  # refused before it is opened: no hang waiting for a writer
    monkeypatch.setattr(regression_file, "MAX_BYTES", 10)
    with pytest.raises(DataError, match="at most 10 are read"):
        load_regression(write(tmp_path, "1,2,3\n4,5,6\n7,8,9\n"))


@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_any_bytes_load_or_are_refused_with_a_data_error(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("fuzz") / "data.csv"
    path.write_bytes(content)
    try:
        X, y = load_regression(path)
    except DataError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 400
        return
    assert np.isfinite(X).all() and np.isfinite(y).all() and X.shape[0] == y.size >= 2
