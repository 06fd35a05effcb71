"""numerics.output.temporaries: what killed runs left is cleaned up, and nothing else.

A leftover is the toolkit's only when it is a real folder of this user
carrying the toolkit's marker; it is dead only when the lock its run held on
that marker (released by the kernel with the process) can be taken. The
process id in its name decides nothing: in another PID namespace, or on a
file system shared between machines, it names some other process.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.output.files import write_text
from numerics.output.marker import MARKER, foreign_content
from numerics.output.temporaries import clean_stale
from tests.folders import listing as _listing
from tests.folders import report as _report

ROOT = Path(__file__).resolve().parents[1]
#: a pid no process can have here: above Linux's PID_MAX_LIMIT (and macOS's 99999)
DEAD = 2**22 + 1
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}


def _state(root: Path) -> dict:
    """Every entry below ``root``: its kind, owner, and bytes or link text (nothing followed)."""
    state = {}
    for dirpath, dirs, names in os.walk(root):
        for name in dirs + names:
            p = Path(dirpath, name)
            st_ = os.lstat(p)
            if os.path.islink(p):
                content = os.readlink(p)
            elif p.is_file() and not p.is_fifo():
                content = p.read_bytes()
            else:
                content = None
            state[p.relative_to(root).as_posix()] = (st_.st_mode, st_.st_uid, content)
    return state


# --- liveness: the kernel's lock, not the process id ------------------------------------------

_PAUSED_RUN = """
    import os, sys
    from numerics.output import files
    os.getpid = lambda: {pid}  # the name carries a pid that means nothing here
    with files.atomic_directory("rep") as d:
        (d / "a.txt").write_text("the live run's")
        print(d.name, flush=True)
        sys.stdin.readline()  # paused inside the build until the test says go on
"""


def test_a_live_run_whose_pid_means_nothing_here_is_left_alone(tmp_path):
    """Found by the fuzz: a run in another PID namespace lost its temporary to a cleanup here."""
    run = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_PAUSED_RUN.format(pid=DEAD))],
        cwd=tmp_path,
        env=ENV,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        building = run.stdout.readline().strip()
        assert building.startswith(f".momentum-tmp-{DEAD}-"), run.stderr.read()
        write_text(tmp_path / "other.txt", "x")  # cleans up the parent: a dead pid, a live run
        _report(tmp_path / "another", **{"b.txt": "y"})
        assert (tmp_path / building / "a.txt").read_text() == "the live run's"
        out, err = run.communicate("go on\n", timeout=600)
    finally:
        run.kill()
    assert (run.returncode, err) == (0, "")
    assert (tmp_path / "rep" / "a.txt").read_text() == "the live run's"
    assert _listing(tmp_path) == ["another", "other.txt", "rep"]


_KILLED_IN_A_WRITE = """
    import os, signal
    from numerics.output import files
    files.write_text("a.txt", "earlier")
    files._write_atomically("a.txt", lambda tmp: os.kill(os.getpid(), signal.SIGKILL))
"""


def test_what_a_killed_file_write_left_is_removed_by_the_next_write(tmp_path):
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_KILLED_IN_A_WRITE)],
        cwd=tmp_path,
        env=ENV,
        capture_output=True,
        text=True,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert [n[:14] for n in _listing(tmp_path)] == [".momentum-tmp-", "a.txt"]
    write_text(tmp_path / "b.txt", "x")
    assert _listing(tmp_path) == ["a.txt", "b.txt"]
    assert (tmp_path / "a.txt").read_text() == "earlier"


def test_dead_leftovers_of_ours_are_removed_and_an_earlier_report_restored(tmp_path):
    building = tmp_path / f".momentum-tmp-{DEAD}-ijklmnop"
    _report(building, **{"a.txt": "partial"})  # a folder carrying the toolkit's marker, unlocked
    _report(tmp_path / "rep", **{"a.txt": "earlier"})
    os.rename(tmp_path / "rep", tmp_path / f".momentum-old-{DEAD}-abcdefgh")  # killed mid-swap
    write_text(tmp_path / "out.txt", "x")
    assert _listing(tmp_path) == ["out.txt", "rep"]
    assert (tmp_path / "rep" / "a.txt").read_text() == "earlier"


# --- crafted entries: left alone, and no run stops for them -----------------------------------


def _marked(folder: Path, record=None, **files) -> Path:
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    record = record or {"toolkit": "momentum-theory", "target": "rep", "files": None}
    (folder / MARKER).write_text(json.dumps(record))
    return folder


def _other_owner(path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can give a folder to another user")
    for p in [path, *path.rglob("*")]:
        os.lchown(p, 65534, 65534)


CRAFTED = {
    "a plain file": lambda p: p.write_text("half a file, or a file of the user's"),
    "an empty folder": lambda p: p.mkdir(),
    "a folder of notes": lambda p: p.mkdir() or (p / "notes.txt").write_text("mine"),
    "a FIFO": lambda p: os.mkfifo(p),
    "a symlink to a dead report": lambda p: (
        _marked(p.with_name("real-report"), **{"a.txt": "mine"}) and p.symlink_to("real-report")
    ),
    "a dangling symlink": lambda p: p.symlink_to("nowhere"),
    "another owner's dead report": lambda p: _other_owner(_marked(p, **{"a.txt": "theirs"})),
    "an old report with a note added": lambda p: (
        _report(p, **{"a.txt": "1"}) or (p / "note.txt").write_text("mine")
    ),
    "a marker nested 100000 deep": lambda p: (
        p.mkdir() or (p / MARKER).write_text("[" * 100_000 + "]" * 100_000)
    ),
    "a marker naming a target with NUL": lambda p: _marked(
        p, {"toolkit": "momentum-theory", "target": "a\0b", "files": {}}
    ),
    "a marker naming a target above": lambda p: _marked(
        p, {"toolkit": "momentum-theory", "target": "../../etc", "files": {}}
    ),
    "another program's marker": lambda p: _marked(
        p, {"toolkit": "other", "target": "rep", "files": None}, **{"notes.txt": "mine"}
    ),
}
NAMES = [
    f".momentum-tmp-{DEAD}-abcdefgh",
    f".momentum-old-{DEAD}-abcdefgh",
    ".momentum-tmp-" + "9" * 40 + "-abcdefgh",  # found by the fuzz: OverflowError in kill()
    ".momentum-old-0-abcdefgh",
    ".momentum-tmp-notes",
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kind", sorted(CRAFTED))
def test_a_crafted_entry_is_left_alone_and_the_run_goes_on(tmp_path, kind, name):
    CRAFTED[kind](tmp_path / name)
    before = _state(tmp_path)
    write_text(tmp_path / "out.txt", "x")
    _report(tmp_path / "rep", **{"a.txt": "1"})
    _report(tmp_path / "rep", **{"a.txt": "2"})  # the swap, with the crafted entry beside it
    after = _state(tmp_path)
    assert {k: v for k, v in after.items() if k in before} == before
    assert sorted(set(after) - set(before)) == sorted(
        ["out.txt", "rep", f"rep/{MARKER}", "rep/a.txt"]
    )
    assert foreign_content(tmp_path / "rep") is None


# --- the property: any mix of crafted entries, every run goes on, nothing crafted changes ----

_KINDS = st.sampled_from(sorted(CRAFTED))
_CRAFTED_NAMES = st.builds(
    "{}{}-{}".format,
    st.sampled_from([".momentum-tmp-", ".momentum-old-"]),
    st.sampled_from(["0", "1", str(DEAD), "9" * 25, "-1", "x"]),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=7, max_size=9),
)


@settings(max_examples=25)
@given(st.dictionaries(_CRAFTED_NAMES, _KINDS, min_size=1, max_size=5))
def test_any_crafted_parent_leaves_every_run_going_and_every_entry_alone(entries):
    with tempfile.TemporaryDirectory() as root:
        parent = Path(root)
        for name, kind in entries.items():
            if kind == "another owner's dead report" and os.geteuid() != 0:
                continue
            if (parent / name).exists() or (parent / name).is_symlink():
                continue
            try:
                CRAFTED[kind](parent / name)
            except FileExistsError:  # two symlinks to one 'real-report'
                continue
        before = _state(parent)
        write_text(parent / "out.txt", "x")
        _report(parent / "rep", **{"a.txt": "1"})
        clean_stale(parent)
        after = _state(parent)
        assert {k: v for k, v in after.items() if k in before} == before


class _Stop(BaseException):
    """What a signal handler raises (as the command line's raise KeyboardInterrupt)."""


@contextlib.contextmanager
def _stopped_by_a_held_sigterm(monkeypatch, owner, name: str):
    """``owner.name`` sends SIGTERM after it returns (held there: delivered as the held block
    ends); the block must end in the handler's exception."""
    real = getattr(owner, name)

    def then_signal(*args, **kwargs):
        result = real(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)
        return result

    def stop(signum, frame):
        raise _Stop

    monkeypatch.setattr(owner, name, then_signal)
    earlier = signal.signal(signal.SIGTERM, stop)
    try:
        with pytest.raises(_Stop):
            yield
    finally:
        signal.signal(signal.SIGTERM, earlier)


@pytest.mark.parametrize("writer", ["folder", "file"])
def test_a_signal_held_while_the_temporary_is_made_leaves_no_temporary(
    tmp_path, monkeypatch, writer
):
    """Found as the flaky signal test of test_cli_files: a ``.momentum-tmp-*`` with its marker left.

    The signal held while the temporary folder was made is delivered as the held
    block ends, still inside ``Temporary.__init__``: the caller never got the
    Temporary it would have removed.
    """
    from numerics.output import temporaries

    with _stopped_by_a_held_sigterm(monkeypatch, temporaries.tempfile, "mkdtemp"):
        if writer == "folder":
            _report(tmp_path / "rep", **{"a.txt": "1"})
        else:
            write_text(tmp_path / "a.txt", "1")
    assert _listing(tmp_path) == []


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "fallback"])
def test_a_signal_held_during_the_swap_leaves_the_new_report_and_nothing_else(
    tmp_path, monkeypatch, exchange
):
    """The swap done, the held signal arrives: the new report stands, the earlier one is gone
    (set aside as ``.momentum-old-*`` by the fallback, it was left behind)."""
    from numerics.output import files

    if not exchange:
        monkeypatch.setattr(files, "_exchange", lambda a, b: False)
    _report(tmp_path / "rep", **{"a.txt": "earlier"})
    with _stopped_by_a_held_sigterm(monkeypatch, files.atomic_directory, "_swap"):
        _report(tmp_path / "rep", **{"a.txt": "new"})
    assert _listing(tmp_path) == ["rep"]
    assert (tmp_path / "rep" / "a.txt").read_text() == "new"
    assert foreign_content(tmp_path / "rep") is None
