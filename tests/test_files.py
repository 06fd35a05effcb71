"""numerics.output.files: atomic writers that never replace what the toolkit did not write."""

import errno
import os
import shutil
import socket
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from numerics.output import files
from numerics.output.files import OutputError, atomic_directory, save_figure, write_text
from numerics.output.marker import MARKER, foreign_content
from tests.folders import listing as _listing
from tests.folders import report as _report

ROOT = Path(__file__).resolve().parents[1]


def _python(code, *, cwd, preexec_fn=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=preexec_fn,
    )


# --- files ------------------------------------------------------------------------------


def test_write_text_replaces_atomically(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    write_text(target, "new")
    assert target.read_text() == "new"
    assert _listing(tmp_path) == ["a.txt"]


def test_replacing_keeps_the_file_mode(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    target.chmod(0o640)
    write_text(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_unwritable_path_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write .*: Not a directory"):
        write_text(blocker / "sub" / "a.txt", "x")
    with pytest.raises(OutputError, match="it is a directory"):
        write_text(tmp_path, "x")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only directories")
def test_read_only_directory(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(OutputError):
            write_text(ro / "a.txt", "x")
    finally:
        ro.chmod(0o700)


def test_a_fifo_is_never_replaced(tmp_path):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match=r"'.*pipe.png': it is a named pipe \(FIFO\)"):
        write_text(fifo, "x")
    from momentum_cli.figures import new_figure

    fig, _ = new_figure()
    with pytest.raises(OutputError, match="named pipe"):
        save_figure(fig, fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and _listing(tmp_path) == ["pipe.png"]


def test_a_socket_is_never_replaced(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a relative name: socket paths are limited to ~100 bytes
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind("sock")
        with pytest.raises(OutputError, match="'sock': it is a socket"):
            write_text("sock", "x")
    assert stat.S_ISSOCK(os.lstat(tmp_path / "sock").st_mode)


def test_a_symlink_is_followed_to_its_target(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to("real.txt")
    write_text(link, "new")
    assert link.is_symlink() and os.readlink(link) == "real.txt" and real.read_text() == "new"
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to("made.txt")
    write_text(dangling, "made")
    assert dangling.is_symlink() and (tmp_path / "made.txt").read_text() == "made"
    assert _listing(tmp_path) == ["dangling.txt", "link.txt", "made.txt", "real.txt"]


def test_a_symlink_to_a_fifo_or_a_folder_is_refused(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "to-pipe").symlink_to("pipe")
    (tmp_path / "to-dir").symlink_to(".")
    with pytest.raises(OutputError, match="'.*to-pipe': it is a named pipe"):
        write_text(tmp_path / "to-pipe", "x")
    with pytest.raises(OutputError, match="'.*to-dir': it is a directory"):
        write_text(tmp_path / "to-dir", "x")
    assert stat.S_ISFIFO(os.lstat(tmp_path / "pipe").st_mode)
    assert _listing(tmp_path) == ["pipe", "to-dir", "to-pipe"]


@pytest.mark.parametrize("suffix", ["/", "/.", "/.."])
def test_a_trailing_slash_is_not_a_file_name(tmp_path, suffix):
    existing = tmp_path / "existing.txt"
    existing.write_text("mine")
    with pytest.raises(OutputError, match="it names a directory, not a file"):
        write_text(str(existing) + suffix, "x")
    assert existing.read_text() == "mine" and _listing(tmp_path) == ["existing.txt"]


def test_a_removed_current_folder_is_one_error(tmp_path, monkeypatch):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    with pytest.raises(OutputError, match="'a.txt': the current folder is gone"):
        write_text("a.txt", "x")
    with pytest.raises(OutputError, match="'rep': the current folder is gone"):
        with atomic_directory("rep"):
            raise AssertionError("the body must not run")
    _report(tmp_path / "rep", **{"a.txt": "1"})  # an absolute path needs no current folder
    assert _listing(tmp_path / "rep") == [MARKER, "a.txt"]


def test_an_empty_name_is_refused():
    with pytest.raises(OutputError, match="the output file name is empty"):
        write_text("", "x")


@pytest.mark.parametrize(
    "name, message",
    [("a\0b.txt", "contains a NUL character"), ("a\ud800.txt", "cannot be encoded")],
)
def test_a_name_no_file_system_holds_is_refused(tmp_path, name, message):
    with pytest.raises(OutputError, match=message):
        write_text(tmp_path / name, "x")
    with pytest.raises(OutputError, match=message):
        with atomic_directory(tmp_path / name):
            raise AssertionError("the body must not run")
    assert _listing(tmp_path) == []


def test_a_device_is_never_replaced(tmp_path):
    device = tmp_path / "null"
    try:  # a new node for the null device (1, 3), never /dev/null itself
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    with pytest.raises(OutputError, match="'.*null': it is a device, which the toolkit never"):
        write_text(device, "x")
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_too_long_name_is_refused_before_any_work(tmp_path):
    with pytest.raises(OutputError, match=r"a name of 304 bytes is too long \(at most 255\)"):
        write_text(tmp_path / ("x" * 300 + ".txt"), "x")
    with pytest.raises(OutputError, match="a name of 300 bytes is too long"):
        with atomic_directory(tmp_path / ("d" * 300)):
            raise AssertionError("the body must not run")
    assert _listing(tmp_path) == []


def test_a_full_disk_keeps_the_earlier_file(tmp_path, monkeypatch):
    target = tmp_path / "a.txt"
    target.write_text("earlier")

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(OutputError, match="'.*a.txt': no space left on the device"):
        write_text(target, "new")
    monkeypatch.undo()
    assert target.read_text() == "earlier" and _listing(tmp_path) == ["a.txt"]


def test_the_file_size_limit_keeps_the_earlier_file(tmp_path):
    """RLIMIT_FSIZE: the write fails with EFBIG (Python ignores SIGXFSZ)."""
    (tmp_path / "a.txt").write_text("earlier")
    child = _python(
        """
        import resource
        from numerics.output.files import OutputError, write_text
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
        try:
            write_text("a.txt", "x" * 5000)
        except OutputError as exc:
            print(exc)
        """,
        cwd=tmp_path,
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout == "cannot write 'a.txt': the file-size limit was reached\n"
    assert (tmp_path / "a.txt").read_text() == "earlier" and _listing(tmp_path) == ["a.txt"]


def test_a_failing_figure_leaves_no_temp_file(tmp_path):
    from momentum_cli.figures import new_figure

    fig, (ax,) = new_figure()
    ax.set_title("$\\unknowncommand$")  # mathtext fails inside savefig
    with pytest.raises(ValueError):
        save_figure(fig, tmp_path / "f.png")
    assert _listing(tmp_path) == []


# --- report folders -----------------------------------------------------------------------


def test_failed_directory_keeps_the_earlier_one(tmp_path):
    target = tmp_path / "report"
    _report(target, **{"one.txt": "1"})
    with pytest.raises(RuntimeError):
        with atomic_directory(target) as d:
            (d / "two.txt").write_text("2")
            raise RuntimeError("a figure failed")
    assert _listing(target) == [MARKER, "one.txt"]
    assert _listing(tmp_path) == ["report"]


def test_an_os_error_inside_becomes_an_output_error(tmp_path):
    with pytest.raises(OutputError, match="cannot write '.*rep': no space left on the device"):
        with atomic_directory(tmp_path / "rep"):
            raise OSError(errno.ENOSPC, "No space left on device")
    assert _listing(tmp_path) == []


def test_directory_target_that_is_a_file(tmp_path):
    target = tmp_path / "report"
    target.write_text("not a directory")
    with pytest.raises(OutputError, match="not a directory"):
        with atomic_directory(target):
            pass


def test_an_earlier_report_is_replaced(tmp_path):
    target = tmp_path / "rep"
    _report(target, **{"old.txt": "1"})
    _report(target, **{"new.txt": "2"})
    assert _listing(target) == [MARKER, "new.txt"] and _listing(tmp_path) == ["rep"]


def test_an_empty_folder_is_used(tmp_path):
    (tmp_path / "rep").mkdir()
    _report(tmp_path / "rep", **{"a.txt": "1"})
    assert _listing(tmp_path / "rep") == [MARKER, "a.txt"]


def test_an_earlier_report_missing_a_file_is_replaced(tmp_path):
    _report(tmp_path / "rep", **{"a.txt": "1", "b.txt": "2"})
    (tmp_path / "rep" / "a.txt").unlink()
    _report(tmp_path / "rep", **{"c.txt": "3"})
    assert _listing(tmp_path / "rep") == [MARKER, "c.txt"]


def _notes(folder):
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")


@pytest.mark.parametrize(
    "spoil, reason",
    [
        (_notes, "it is not empty and holds no report of this toolkit"),
        (
            lambda d: _report(d, **{"a.txt": "1"}) or (d / "b.txt").write_text("mine"),
            "it holds 'b.txt', which the toolkit did not write",
        ),
        (
            lambda d: _report(d, **{"a.txt": "1"}) or (d / "a.txt").write_text("edited"),
            "'a.txt' was changed after the toolkit wrote it",
        ),
        (
            lambda d: _report(d, **{"a.txt": "1"}) or (d / "extra").mkdir(),
            "it holds 'extra', which the toolkit did not write",
        ),
        (
            lambda d: _report(d, **{"a.txt": "1"}) or (d / "link").symlink_to("a.txt"),
            "it holds 'link', which the toolkit did not write",
        ),
        (
            lambda d: _notes(d) or (d / MARKER).write_text('{"toolkit": "other"}'),
            "it is not empty and holds no report of this toolkit",
        ),
    ],
)
def test_a_folder_the_toolkit_did_not_write_is_refused(tmp_path, spoil, reason):
    target = tmp_path / "rep"
    spoil(target)
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    with pytest.raises(OutputError, match=f"refusing to replace '.*rep': {reason}"):
        with atomic_directory(target):
            raise AssertionError("the body must not run")
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == before
    assert _listing(tmp_path) == ["rep"]


def test_a_file_added_while_the_report_is_built_is_kept(tmp_path):
    target = tmp_path / "rep"
    _report(target, **{"a.txt": "1"})
    with pytest.raises(OutputError, match="it holds 'notes.txt'"):
        with atomic_directory(target) as d:
            (d / "a.txt").write_text("2")
            (target / "notes.txt").write_text("mine")
    assert _listing(target) == [MARKER, "a.txt", "notes.txt"] and _listing(tmp_path) == ["rep"]


def test_a_file_added_between_the_check_and_the_swap_is_swapped_back(tmp_path, monkeypatch):
    target = tmp_path / "rep"
    _report(target, **{"a.txt": "1"})
    real_refuse, checks = atomic_directory._refuse_foreign, []

    def late_note(self, folder):
        real_refuse(self, folder)
        checks.append(folder)
        if checks == [target, target]:  # just after the last check (the first is on entry)
            (target / "notes.txt").write_text("mine")

    monkeypatch.setattr(atomic_directory, "_refuse_foreign", late_note)
    for exchange in (files._exchange, lambda a, b: False):
        monkeypatch.setattr(files, "_exchange", exchange)
        (target / "notes.txt").unlink(missing_ok=True)
        checks.clear()
        with pytest.raises(OutputError, match="it holds 'notes.txt'"):
            _report(target, **{"a.txt": "2"})
        assert (target / "a.txt").read_text() == "1" and (target / "notes.txt").exists()
        assert _listing(tmp_path) == ["rep"]


def test_a_symlinked_report_folder_is_followed(tmp_path):
    _report(tmp_path / "real", **{"a.txt": "1"})
    (tmp_path / "link").symlink_to("real")
    _report(tmp_path / "link", **{"b.txt": "2"})
    assert (tmp_path / "link").is_symlink() and _listing(tmp_path / "real") == [MARKER, "b.txt"]


@pytest.mark.parametrize("name", ["", ".", "..", "/", "./", "-"])
def test_folder_names_that_cannot_be_a_report(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    message = {"": "the output folder name is empty", "-": "standard output"}.get(
        name, "name its own folder"
    )
    with pytest.raises(OutputError, match=message):
        with atomic_directory(name):
            raise AssertionError("the body must not run")
    assert _listing(tmp_path) == []


def test_the_current_folder_is_never_replaced(tmp_path, monkeypatch):
    _report(tmp_path / "rep", **{"a.txt": "1"})
    monkeypatch.chdir(tmp_path / "rep")
    with pytest.raises(OutputError, match="it holds the current folder"):
        with atomic_directory(tmp_path / "rep"):
            raise AssertionError("the body must not run")


@pytest.mark.parametrize("spelling", ["absolute", "../../../rep", "../deeper/../../../rep"])
def test_a_folder_above_the_current_one_is_never_replaced(tmp_path, monkeypatch, spelling):
    """The report's own subfolder as the current folder: the marker alone would call it ours."""
    target = tmp_path / "rep"
    with atomic_directory(target) as d:
        (d / "figures" / "deeper").mkdir(parents=True)
        (d / "figures" / "deeper" / "f.png").write_bytes(b"png")
    assert foreign_content(target) is None  # every entry below it is the toolkit's
    monkeypatch.chdir(target / "figures" / "deeper")
    name = str(target) if spelling == "absolute" else spelling
    with pytest.raises(
        OutputError, match=f"cannot write the report to '{name}': it holds the current folder"
    ):
        with atomic_directory(name):
            raise AssertionError("the body must not run")
    assert os.getcwd() == str(target / "figures" / "deeper")
    assert _listing(tmp_path) == ["rep"] and foreign_content(target) is None


def test_the_fallback_swap_replaces_an_earlier_report(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "_exchange", lambda a, b: False)
    _report(tmp_path / "rep", **{"a.txt": "1"})
    _report(tmp_path / "rep", **{"b.txt": "2"})
    assert _listing(tmp_path / "rep") == [MARKER, "b.txt"] and _listing(tmp_path) == ["rep"]


def test_the_marker_lists_what_was_written(tmp_path):
    _report(tmp_path / "rep", **{"a.txt": "1"})
    assert foreign_content(tmp_path / "rep") is None
    (tmp_path / "rep" / "a.txt").write_text("2")
    assert foreign_content(tmp_path / "rep") == "'a.txt' was changed after the toolkit wrote it"


# --- kills and concurrent writers (subprocesses) -------------------------------------------

_WRITER = """
    import os, signal, sys
    from numerics.output import files
    mode, label, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == "fallback":
        files._exchange = lambda a, b: False
    for i in range(count):
        with files.atomic_directory("rep") as d:
            (d / "who.txt").write_text(f"{label} {i}")
            (d / "figures").mkdir()
            (d / "figures" / "f.txt").write_text(label * 1000)
"""


@pytest.mark.parametrize("mode", ["exchange", "fallback"])
def test_concurrent_writers_into_one_folder(tmp_path, mode):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    code = textwrap.dedent(_WRITER)
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", code, mode, label, "25"],
            cwd=tmp_path,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for label in "ABC"
    ]
    errors = [w.communicate()[1] for w in writers]
    assert [w.returncode for w in writers] == [0, 0, 0], errors
    assert _listing(tmp_path) == ["rep"]
    assert foreign_content(tmp_path / "rep") is None
    assert (tmp_path / "rep" / "who.txt").read_text()[2:] == "24"


_KILLED = """
    import os, signal
    from numerics.output import files
    with files.atomic_directory("rep") as d:
        (d / "a.txt").write_text("earlier")
    if {mode!r} == "exchange":
        real = files._exchange
        def exchange(a, b):
            real(a, b)
            os.kill(os.getpid(), signal.SIGKILL)  # just after the swap
        files._exchange = exchange
    else:
        files._exchange = lambda a, b: False
        real_rename = os.rename
        def rename(a, b):
            real_rename(a, b)
            if ".momentum-old-" in str(b):
                os.kill(os.getpid(), signal.SIGKILL)  # between the two renames
        os.rename = rename
    with files.atomic_directory("rep") as d:
        (d / "a.txt").write_text("new")
"""


@pytest.mark.parametrize(
    "mode, after_kill, survivor",
    [
        ("exchange", [".momentum-tmp-", "rep"], "new"),  # the earlier one waits at a temp name
        ("fallback", [".momentum-old-", ".momentum-tmp-"], "earlier"),  # the window, repaired
    ],
)
def test_a_kill_inside_the_swap_leaves_a_report(tmp_path, mode, after_kill, survivor):
    child = _python(_KILLED.format(mode=mode), cwd=tmp_path)
    assert child.returncode == -9, child.stderr
    assert [n[:14] for n in _listing(tmp_path)] == after_kill
    _report(tmp_path / "other", **{"b.txt": "x"})  # the next run cleans up
    assert _listing(tmp_path) == ["other", "rep"]
    assert (tmp_path / "rep" / "a.txt").read_text() == survivor
    assert foreign_content(tmp_path / "rep") is None


# --- any name: the file (or folder) as asked, or one OutputError; nothing else changes ------

_PARTS = st.one_of(
    st.sampled_from([".", "..", "", "f", "p", "d", "l", "x" * 300, "-", "new", "a\0", "\ud800"]),
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="/")
        | st.sampled_from(["\0", "\udcff", "\ud800", "\u0661", "\u00e9"]),
        min_size=1,
        max_size=12,
    ),
)


@given(
    parts=st.lists(_PARTS, min_size=1, max_size=6),
    trailing=st.booleans(),
    folder=st.booleans(),
    text=st.text(max_size=40),
)
def test_any_name_gives_the_output_or_one_output_error(parts, trailing, folder, text):
    import tempfile

    name = "/".join(parts) + ("/" if trailing else "")
    with tempfile.TemporaryDirectory() as root:
        inner = Path(root, *"abcdefgh")  # deeper than six '..' reach: all stays inside root
        inner.mkdir(parents=True)
        os.mkfifo(inner / "p")
        (inner / "f").write_text("mine")
        (inner / "d").mkdir()
        (inner / "l").symlink_to("f")
        here = os.getcwd()
        os.chdir(inner)
        try:
            if folder:
                with atomic_directory(name) as d:
                    (d / "a.txt").write_text(text, encoding="utf-8")
                written = Path(os.path.realpath(name)) / "a.txt"
            else:
                write_text(name, text)
                written = Path(os.path.realpath(name))
            assert written.read_bytes() == text.encode("utf-8")
        except OutputError:
            pass
        finally:
            os.chdir(here)
        assert stat.S_ISFIFO(os.lstat(inner / "p").st_mode) and (inner / "d").is_dir()
        assert (inner / "l").is_symlink()
        if folder or (inner / "f").read_text() != text:
            assert (inner / "f").read_text() == "mine"
        leftovers = [p for p in Path(root).rglob(".momentum-*") if p.name != MARKER]
        assert leftovers == []


# --- deciding what a folder is: from its first entries, and never an unreadable one as empty ---


def _tree(folder: Path, width: int = 30) -> None:
    """A folder of the user's: notes and a tree of subfolders below them."""
    for k in range(width):
        (folder / f"sub{k:02}" / "deeper").mkdir(parents=True)
        (folder / f"sub{k:02}" / "deeper" / "data.txt").write_text("mine")


def _counting_listings(monkeypatch) -> list:
    listed = []
    real = os.scandir

    def scandir(path="."):
        listed.append(path)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    return listed


@pytest.mark.parametrize("marked", [False, True], ids=["no-marker", "a-report-with-a-note"])
def test_a_folder_not_ours_is_refused_from_its_first_entries(tmp_path, monkeypatch, marked):
    """Found by the fuzz: ``--output /usr`` walked the whole tree (3-4 s) before refusing."""
    target = tmp_path / "big"
    if marked:
        _report(target, **{"a.txt": "1"})
    else:
        target.mkdir()
    _tree(target)
    listed = _counting_listings(monkeypatch)
    reason = foreign_content(target)
    assert reason == (
        "it holds 'sub00', which the toolkit did not write"
        if marked
        else f"it is not empty and holds no report of this toolkit (no {MARKER} file)"
    )
    assert len(listed) == 1  # the folder itself; none of the 60 below it


def _unreadable_inode(monkeypatch, folder: Path) -> None:
    """Listing ``folder`` fails as for mode 000, wherever it is renamed to (the inode is refused)."""
    refused = os.stat(folder).st_ino
    real = os.scandir

    def scandir(path="."):
        if not isinstance(path, int) and os.stat(path).st_ino == refused:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "fallback"])
def test_an_unreadable_folder_is_refused_never_counted_as_empty(tmp_path, monkeypatch, exchange):
    """Found by the fuzz: a mode-000 folder counted as empty; its files ended in a hidden temporary.

    The PermissionError is injected at the listing (as root, mode 000 is still
    readable); ``test_a_mode_000_folder_is_refused_for_real`` checks the real thing.
    """
    if not exchange:
        monkeypatch.setattr(files, "_exchange", lambda a, b: False)
    target = tmp_path / "locked"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    _unreadable_inode(monkeypatch, target)
    with pytest.raises(OutputError, match=r"refusing to replace '.*locked': it cannot be read"):
        _report(target, **{"a.txt": "1"})
    monkeypatch.undo()
    assert _listing(tmp_path) == ["locked"] and _listing(target) == ["notes.txt"]


_AS_ANOTHER_USER = """
    import sys
    from numerics.output.files import OutputError, atomic_directory
    try:
        with atomic_directory(sys.argv[1]) as d:
            (d / "a.txt").write_text("1")
    except OutputError as exc:
        print(exc)
"""


def test_a_mode_000_folder_is_refused_for_real(tmp_path):
    """The real permission: run directly when not root; as root, as the user nobody (setpriv).

    Root reads a mode-000 folder, so the check runs as another user who owns
    the folder but may not list it, the way a user meets their own chmod 000.
    """
    import shutil
    import tempfile

    drop = []
    if os.geteuid() == 0:
        import pwd

        setpriv = shutil.which("setpriv")
        try:
            nobody = pwd.getpwnam("nobody")
        except KeyError:
            nobody = None
        if setpriv is None or nobody is None:
            pytest.skip("root without setpriv or a user 'nobody': the injected test covers it")
        drop = [setpriv, f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        probe = [*drop, sys.executable, "-c", "import numerics; print(numerics.__file__)"]
        seen = subprocess.run(probe, env=env, capture_output=True, text=True).stdout.strip()
        if seen != str(ROOT / "numerics" / "__init__.py"):  # another copy, or none at all
            pytest.skip(f"the user nobody cannot read {ROOT} (a private copy of the project)")
    # a folder every user can reach (pytest's own is private to root)
    root = Path(tempfile.mkdtemp(prefix="momentum-000-"))
    try:
        os.chmod(root, 0o755)
        target = root / "locked"
        target.mkdir()
        (target / "notes.txt").write_text("mine")
        if drop:
            os.chown(root, nobody.pw_uid, nobody.pw_gid)
            for p in (target, target / "notes.txt"):
                os.chown(p, nobody.pw_uid, nobody.pw_gid)
        os.chmod(target, 0o000)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
        child = subprocess.run(
            [*drop, sys.executable, "-c", textwrap.dedent(_AS_ANOTHER_USER), str(target)],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
        )
        os.chmod(target, 0o700)
        assert (child.returncode, child.stderr) == (0, "")
        assert child.stdout.startswith(
            f"refusing to replace '{target}': it cannot be read (Permission denied)"
        )
        assert _listing(root) == ["locked"] and _listing(target) == ["notes.txt"]
    finally:
        shutil.rmtree(root)


# --- the target swapped for a symlink while the report is built ------------------------------


def _swap_for_symlink(target: Path, to: Path) -> None:
    shutil.rmtree(target)
    target.symlink_to(to)


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "fallback"])
@pytest.mark.parametrize("when", ["during-the-build", "after-the-last-check"])
def test_a_target_swapped_for_a_symlink_is_never_emptied_through_it(
    tmp_path, monkeypatch, exchange, when
):
    """Found by the fuzz: the symlink's target was emptied and a temporary left dangling."""
    if not exchange:
        monkeypatch.setattr(files, "_exchange", lambda a, b: False)
    target, other = tmp_path / "rep", tmp_path / "other"
    _report(target, **{"a.txt": "1"})
    _report(other, **{"b.txt": "another report of the user's"})
    if when == "after-the-last-check":
        real_refuse, checks = atomic_directory._refuse_foreign, []

        def then_swap(self, folder):
            real_refuse(self, folder)
            checks.append(folder)
            if checks == [target, target]:  # the check just before the swap (the first: on entry)
                _swap_for_symlink(target, other)

        monkeypatch.setattr(atomic_directory, "_refuse_foreign", then_swap)
    with pytest.raises(OutputError, match="it was swapped for a symlink or another entry"):
        with atomic_directory(target) as d:
            (d / "a.txt").write_text("2")
            if when == "during-the-build":
                _swap_for_symlink(target, other)
    assert _listing(tmp_path) == ["other", "rep"]
    assert target.is_symlink() and os.readlink(target) == str(other)
    assert _listing(other) == [MARKER, "b.txt"] and foreign_content(other) is None


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "fallback"])
@pytest.mark.parametrize("existing", [True, False], ids=["file-there", "none-there"])
@pytest.mark.parametrize("when", ["during-the-write", "after-the-last-check"])
def test_a_file_target_swapped_for_a_symlink_is_never_written_through_it(
    tmp_path, monkeypatch, exchange, existing, when
):
    """The symlink a user puts in place of the target while a file is written stays, and
    the file it points to is not touched; nothing of the write is left behind."""
    if not exchange:
        monkeypatch.setattr(files, "_exchange", lambda a, b: False)
    target, other = tmp_path / "out.txt", tmp_path / "notes.txt"
    other.write_text("the user's notes")
    if existing:
        target.write_text("the earlier output")

    def swap():
        target.unlink(missing_ok=True)
        target.symlink_to(other.name)

    if when == "after-the-last-check":
        real_check, checks = files._file_target, []

        def then_swap(path):
            checked = real_check(path)
            checks.append(path)
            if len(checks) == 2:  # the check just before the rename (the first: on entry)
                swap()
            return checked

        monkeypatch.setattr(files, "_file_target", then_swap)
    with pytest.raises(OutputError, match="swapped for a symlink or another entry"):
        files._write_atomically(
            target, lambda tmp: tmp.write_text("new") and when == "during-the-write" and swap()
        )
    assert _listing(tmp_path) == ["notes.txt", "out.txt"]
    assert target.is_symlink() and os.readlink(target) == "notes.txt"
    assert other.read_text() == "the user's notes"
