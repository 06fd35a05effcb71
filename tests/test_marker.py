"""numerics.output.marker: only a marker the toolkit wrote makes a folder the toolkit's.

The marker is read from a bounded prefix and validated (size, nesting depth,
schema) before anything trusts it: a crafted, huge or deeply nested one, or
one another program wrote under the same name, is "not ours" and answers at
once.
"""

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from numerics.output import marker
from numerics.output.files import OutputError, atomic_directory
from numerics.output.marker import MARKER, foreign_content, read_marker
from tests.folders import report as _report

ROOT = Path(__file__).resolve().parents[1]
SHA_A = hashlib.sha256(b"1").hexdigest()


def _mark(folder: Path, data) -> None:
    folder.mkdir(exist_ok=True)
    text = data if isinstance(data, (str, bytes)) else json.dumps(data)
    (folder / MARKER).write_bytes(text.encode() if isinstance(text, str) else text)


def _ours(**changes):
    record = {"toolkit": "momentum-theory", "target": "rep", "files": {"a.txt": SHA_A}}
    record.update(changes)
    return {k: v for k, v in record.items() if v is not ...}


def test_a_marker_the_toolkit_wrote_reads_back(tmp_path):
    _report(tmp_path / "rep", **{"a.txt": "1", "b.txt": "2"})
    record = read_marker(tmp_path / "rep")
    assert record["toolkit"] == "momentum-theory" and record["target"] == "rep"
    assert record["files"] == {
        "a.txt": SHA_A,
        "b.txt": hashlib.sha256(b"2").hexdigest(),
    }


# --- another program's marker: the same file name, not ours ---------------------------------


@pytest.mark.parametrize(
    "record",
    [
        # another tool's manifest of the same shape (names and SHA-256 digests): the shape
        # alone must not make the folder the toolkit's
        _ours(toolkit="another-tool"),
        _ours(toolkit=...),
        _ours(toolkit="momentum-theory-fork"),
        _ours(toolkit=["momentum-theory"]),
    ],
    ids=["another-tool", "no-toolkit", "a-fork", "a-list"],
)
def test_another_programs_marker_is_not_taken_as_ours(tmp_path, record):
    target = tmp_path / "rep"
    _mark(target, record)
    (target / "a.txt").write_text("1")  # exactly what the manifest lists
    assert read_marker(target) is None
    with pytest.raises(OutputError, match="holds no report of this toolkit"):
        with atomic_directory(target):
            raise AssertionError("the body must not run")
    assert sorted(os.listdir(target)) == [MARKER, "a.txt"]
    assert (target / "a.txt").read_text() == "1"


@pytest.mark.parametrize(
    "record",
    [
        _ours(files={"a.txt": SHA_A.upper()}),  # not the digest we write
        _ours(files={"a.txt": SHA_A[:-1]}),
        _ours(files={"a.txt": 1}),
        _ours(files={"/etc/passwd": SHA_A}),
        _ours(files={"../a.txt": SHA_A}),
        _ours(files={"a//b": SHA_A}),
        _ours(files={"": SHA_A}),
        _ours(files=["a.txt"]),
        _ours(files="a.txt"),
        _ours(files=...),
        _ours(target=...),
        _ours(target=""),
        _ours(target=".."),
        _ours(target="a/b"),
        _ours(target="a\0b"),
        _ours(target="x" * 300),
        _ours(target=5),
        _ours(extra="a key we never write"),
        [_ours()],
        "momentum-theory",
        b"\xff\xfe not UTF-8",
        "",
    ],
)
def test_a_marker_of_another_shape_is_not_ours(tmp_path, record):
    _mark(tmp_path / "rep", record)
    assert read_marker(tmp_path / "rep") is None


# --- size and depth: a crafted marker answers at once, without reading it all ---------------


def test_a_marker_past_the_size_limit_is_not_ours(tmp_path):
    """Valid JSON of ours, padded past the limit: only a bounded prefix is read."""
    text = json.dumps(_ours())
    _mark(tmp_path / "rep", text + " " * (marker.MAX_MARKER_BYTES - len(text)))
    assert read_marker(tmp_path / "rep") is not None  # at the limit: still read
    _mark(tmp_path / "rep", text + " " * (marker.MAX_MARKER_BYTES + 1 - len(text)))
    assert read_marker(tmp_path / "rep") is None


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"toolkit": "momentum-theory", "target": "rep", "files": {"a.txt": '
        + "[" * 100_000
        + "]" * 100_000
        + "}}",
        "{" * 100_000,
    ],
    ids=["deep-list", "deep-inside-ours", "unclosed"],
)
def test_a_deeply_nested_marker_is_not_ours(tmp_path, text):
    """Found by the fuzz: RecursionError from the JSON reader, and every later run into the folder."""
    _mark(tmp_path / "rep", text)
    assert read_marker(tmp_path / "rep") is None
    assert "holds no report" in foreign_content(tmp_path / "rep")


def test_nesting_inside_strings_is_not_depth(tmp_path):
    _mark(tmp_path / "rep", _ours(target='[[[{{{\\"]]]'))  # brackets and an escaped quote
    assert read_marker(tmp_path / "rep")["target"] == '[[[{{{\\"]]]'
    _mark(tmp_path / "rep", _ours(files={"[[[{{{.txt": SHA_A}))
    assert read_marker(tmp_path / "rep")["files"] == {"[[[{{{.txt": SHA_A}


def test_a_one_gigabyte_marker_is_not_read_into_memory(tmp_path):
    """A sparse 1 GiB marker, read with 256 MiB of address space to spare: "not ours", no MemoryError."""
    folder = tmp_path / "rep"
    folder.mkdir()
    with open(folder / MARKER, "wb") as fh:
        fh.truncate(1 << 30)
    code = textwrap.dedent(
        """
        import resource, sys
        from pathlib import Path
        from numerics.output.marker import foreign_content, read_marker
        with open("/proc/self/status") as fh:
            size = next(int(l.split()[1]) for l in fh if l.startswith("VmSize")) * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size + (256 << 20), resource.RLIM_INFINITY))
        print(read_marker(Path(sys.argv[1])), foreign_content(Path(sys.argv[1])))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    child = subprocess.run(
        [sys.executable, "-c", code, str(folder)], env=env, capture_output=True, text=True
    )
    assert (child.returncode, child.stderr) == (0, "")
    assert child.stdout.startswith("None it is not empty and holds no report of this toolkit")


@pytest.mark.parametrize("kind", ["fifo", "folder", "symlink"])
def test_a_marker_that_is_not_a_regular_file_is_not_ours(tmp_path, kind):
    folder = tmp_path / "rep"
    folder.mkdir()
    real = tmp_path / "real-marker"
    real.write_text(json.dumps(_ours()))
    {
        "fifo": lambda: os.mkfifo(folder / MARKER),  # never opened for a blocking read
        "folder": lambda: (folder / MARKER).mkdir(),
        "symlink": lambda: (folder / MARKER).symlink_to(real),
    }[kind]()
    assert read_marker(folder) is None


# --- any bytes: a valid record or None, at once ------------------------------------------------

_JSON_PIECES = st.sampled_from(
    ['{"toolkit": "momentum-theory", ', '"target": "rep", ', '"files": ', "{", "}", "[", "]"]
    + ['"a.txt": "' + SHA_A + '"', "null", ", ", ":", '"', "\\", "1e999999", "-", "0"]
)


@given(
    st.one_of(
        st.binary(max_size=200),
        st.lists(_JSON_PIECES, max_size=40).map("".join).map(str.encode),
        st.builds(
            lambda n, body: b"[" * n + body + b"]" * n,
            st.integers(0, 5000),
            st.sampled_from([b"", b"1", json.dumps(_ours()).encode()]),
        ),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=8),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.sampled_from(["toolkit", "target", "files", "a"]), inner)
            ),
            max_leaves=12,
        ).map(lambda v: json.dumps(v).encode()),
    )
)
@example(json.dumps(_ours()).encode())
def test_any_marker_bytes_give_a_valid_record_or_none(data):
    import tempfile

    with tempfile.TemporaryDirectory() as root:
        folder = Path(root, "rep")
        _mark(folder, data)
        record = read_marker(folder)
        if record is not None:  # then it is exactly a record the toolkit could have written
            assert set(record) == {"toolkit", "target", "files"}
            assert record["toolkit"] == "momentum-theory"
            assert isinstance(record["target"], str) and "/" not in record["target"]
            files = record["files"]
            assert files is None or all(
                isinstance(v, str) and len(v) == 64 and int(v, 16) >= 0 for v in files.values()
            )
        reason = foreign_content(folder)
        assert reason is None or isinstance(reason, str)
