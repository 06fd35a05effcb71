"""The command line's output paths: --output and --plot never lose what the user owns.

Every case is an argv with its exact outcome; signals go to a subprocess
running ``python -m momentum_cli.main report``.
"""

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from momentum_cli.main import main
from numerics.output.files import atomic_directory
from numerics.output.marker import MARKER, foreign_content

ROOT = Path(__file__).resolve().parents[1]
GRID = ("--eta", "0:4:11", "--beta", "0:0.9:5")
LONG = "x" * 300 + ".txt"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A working folder with a FIFO, a file, a symlink to the FIFO and a folder of notes."""
    monkeypatch.chdir(tmp_path)
    os.mkfifo("fifo")
    os.mkfifo("fifo.png")
    Path("existing.txt").write_text("mine")
    Path("to-fifo").symlink_to("fifo")
    Path("notes").mkdir()
    Path("notes/todo.txt").write_text("my notes")
    return tmp_path


def _state(root: Path) -> dict:
    return {
        p.relative_to(root).as_posix(): (
            stat.S_IFMT(os.lstat(p).st_mode),
            p.read_bytes() if p.is_file() and not p.is_symlink() else None,
        )
        for p in sorted(root.rglob("*"))
    }


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["derive", "gd", "--output", "fifo"],
            "cannot write 'fifo': it is a named pipe (FIFO), which the toolkit never replaces",
        ),
        (
            ["derive", "gd", "--output", "to-fifo"],
            "cannot write 'to-fifo': it is a named pipe (FIFO), which the toolkit never replaces",
        ),
        (
            ["derive", "gd", "--output", "existing.txt/"],
            "cannot write 'existing.txt/': it names a directory, not a file",
        ),
        (["derive", "gd", "--output", ""], "the output file name is empty"),
        (
            ["explore", "--output", "to-fifo"],
            "cannot write 'to-fifo': it is a named pipe (FIFO), which the toolkit never replaces",
        ),
        (
            ["derive", "gd", "--output", LONG],
            f"cannot write '{LONG}': a name of 304 bytes is too long (at most 255)",
        ),
        (
            ["stability", *GRID, "--plot", "fifo.png"],
            "cannot write 'fifo.png': it is a named pipe (FIFO), which the toolkit never replaces",
        ),
        (
            ["stability", *GRID, "--plot", "-"],
            "'-' (standard output) takes text only: a figure needs a file name",
        ),
        (["stability", *GRID, "--plot", ""], "the output file name is empty"),
        (
            ["simulate", "--eta", "0.4", "--beta", "0.5", "--plot", "existing.txt/"],
            "cannot write 'existing.txt/': it names a directory, not a file",
        ),
        (
            ["report", "--output", "notes"],
            "refusing to replace 'notes': it is not empty and holds no report of this toolkit "
            f"(no {MARKER} file); choose another --output folder or move it away",
        ),
        (
            ["report", "--output", "."],
            "cannot write the report to '.': name its own folder (e.g. 'momentum-report'), "
            "not '.', '..' or '/'",
        ),
        (["report", "--output", ""], "the output folder name is empty"),
        (
            ["report", "--output", "-"],
            "'-' (standard output) cannot hold a report folder: name a folder",
        ),
        (
            ["report", "--output", "existing.txt"],
            "cannot write 'existing.txt': it exists and is not a directory",
        ),
        (
            ["report", "--output", "fifo"],
            "cannot write 'fifo': it exists and is not a directory",
        ),
        (
            ["report", "--output", "d" * 300],
            f"cannot write '{'d' * 300}': a name of 300 bytes is too long (at most 255)",
        ),
    ],
)
def test_an_output_path_that_cannot_be_written_is_exit_2(capsys, folder, argv, message):
    before = _state(folder)
    code = main(argv)
    out, err = capsys.readouterr()
    assert (code, out, err) == (2, "", f"momentum: error: {message}\n")
    assert _state(folder) == before


def test_dash_is_standard_output(capsys, folder):
    before = _state(folder)
    assert main(["derive", "gd"]) == 0
    expected = capsys.readouterr().out
    assert main(["derive", "gd", "--output", "-"]) == 0
    assert capsys.readouterr() == (expected, "")
    assert _state(folder) == before


def test_a_symlink_is_followed(capsys, folder):
    Path("link.txt").symlink_to("existing.txt")
    assert main(["derive", "gd", "--output", "link.txt"]) == 0
    assert capsys.readouterr().out == "wrote link.txt\n"
    main(["derive", "gd"])
    assert Path("link.txt").is_symlink()
    assert Path("existing.txt").read_text() == capsys.readouterr().out


def test_the_file_size_limit_is_one_line(tmp_path):
    (tmp_path / "d.tex").write_text("earlier")
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))\n"
        "from momentum_cli.main import main\n"
        "sys.exit(main(['derive', 'gd', '--format', 'latex', '--output', 'd.tex']))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    child = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert (child.returncode, child.stdout, child.stderr) == (
        2,
        "",
        "momentum: error: cannot write 'd.tex': the file-size limit was reached\n",
    )
    assert sorted(os.listdir(tmp_path)) == ["d.tex"]
    assert (tmp_path / "d.tex").read_text() == "earlier"


def _earlier_report(target: Path) -> None:
    with atomic_directory(target) as d:
        (d / "report.md").write_text("the earlier report")


def test_an_earlier_report_is_replaced(capsys, tmp_path, monkeypatch):
    from momentum_cli.report import build as report

    monkeypatch.setattr(report, "FIGURES", report.FIGURES[:1])  # one figure is enough here
    _earlier_report(tmp_path / "rep")
    assert main(["report", "--output", str(tmp_path / "rep")]) == 0
    capsys.readouterr()
    assert os.listdir(tmp_path) == ["rep"] and foreign_content(tmp_path / "rep") is None
    assert "the earlier report" not in (tmp_path / "rep" / "report.md").read_text()


def _wait_for_build(proc, parent: Path) -> None:
    """Return once the run has made its temporary folder (it is then inside the build)."""
    deadline = time.monotonic() + 600  # a guard against hanging, not a measurement
    while not any(n.startswith(".momentum-tmp-") for n in os.listdir(parent)):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the report run ended before its build: {proc.communicate()}")
        time.sleep(0.02)


@pytest.mark.parametrize(
    "signum, code, line",
    [(signal.SIGINT, 130, "momentum: interrupted"), (signal.SIGTERM, 143, "momentum: terminated")],
)
def test_a_signal_leaves_the_earlier_report_and_no_temp_folder(tmp_path, signum, code, line):
    target = tmp_path / "rep"
    _earlier_report(target)
    before = _state(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "momentum_cli.main", "report", "--output", "rep"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a shell may start background jobs with SIGINT ignored; Python then keeps it ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    _wait_for_build(proc, tmp_path)
    proc.send_signal(signum)
    out, err = proc.communicate()
    assert (proc.returncode, out, err) == (code, "", line + "\n")
    assert _state(tmp_path) == before


def _patched_rate(code: str, folder) -> subprocess.CompletedProcess:
    """``momentum rate`` in a child Python whose ``code`` first replaced ``cmd_rate``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,  # a guard against hanging (the bug), not a measurement
    )


def test_a_swallowed_signal_is_sent_again(tmp_path):
    """A library's bare ``except:`` (mpmath's import has one) must not lose a SIGTERM."""
    code = (
        "import os, signal, sys, time\n"
        "from momentum_cli import commands, main\n"
        "def swallowing(args):\n"
        "    try:\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "        time.sleep(1)\n"
        "    except BaseException:\n"
        "        pass\n"
        "    while True:  # runs until the signal comes again\n"
        "        time.sleep(0.01)\n"
        "commands.cmd_rate = swallowing\n"
        "sys.exit(main.main(['rate', '--eta', '0.5', '--beta', '0.5', '--lam', '1']))\n"
    )
    child = _patched_rate(code, tmp_path)
    assert (child.returncode, child.stdout, child.stderr) == (143, "", "momentum: terminated\n")


def test_a_repeated_signal_does_not_cut_the_cleanup_short(tmp_path):
    """While the first exception is on its way out, the repeat waits (a report waits for pdflatex)."""
    code = (
        "import os, signal, sys, time\n"
        "from momentum_cli import commands, main, stopping\n"
        "stopping._AGAIN_SECONDS = 0.05\n"
        "def slow_cleanup(args):\n"
        "    try:\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "        time.sleep(5)\n"
        "    finally:\n"
        "        time.sleep(0.5)  # ten repeat periods\n"
        "        sys.stderr.write('cleaned up\\n')\n"
        "commands.cmd_rate = slow_cleanup\n"
        "sys.exit(main.main(['rate', '--eta', '0.5', '--beta', '0.5', '--lam', '1']))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    child = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert (child.returncode, child.stdout, child.stderr) == (
        143,
        "",
        "cleaned up\nmomentum: terminated\n",
    )


def test_two_reports_into_one_folder_at_once(tmp_path):
    """Both finish; the folder holds one complete report and nothing else is left."""
    _earlier_report(tmp_path / "rep")
    code = (
        "import sys\n"
        "from momentum_cli import main\n"
        "from momentum_cli.report import build as report\n"
        "report.FIGURES = report.FIGURES[:1]  # one figure is enough here\n"
        "sys.exit(main.main(['report', '--output', 'rep']))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = [(run.communicate()[1], run.returncode) for run in runs]
    assert outcomes == [("", 0), ("", 0)]
    assert os.listdir(tmp_path) == ["rep"] and foreign_content(tmp_path / "rep") is None
    assert "the earlier report" not in (tmp_path / "rep" / "report.md").read_text()


def test_a_signal_inside_a_callback_python_cannot_raise_from_is_not_a_traceback(tmp_path):
    """The handler's exception in a weakref callback (importlib has one) is only printed by Python.

    Found by signalling ``momentum report`` during its imports: "Exception
    ignored in: <function _get_module_lock.<locals>.cb>" and a traceback on
    stderr before the one line. The repeated signal stops the run instead.
    """
    code = (
        "import signal, sys, time, weakref\n"
        "from momentum_cli import commands, main, stopping\n"
        "stopping._AGAIN_SECONDS = 0.05\n"
        "class Thing:\n"
        "    pass\n"
        "def in_a_callback(args):\n"
        "    thing = Thing()\n"
        "    ref = weakref.ref(thing, lambda _: signal.raise_signal(signal.SIGTERM))\n"
        "    del thing\n"
        "    while True:  # runs until the signal comes again\n"
        "        time.sleep(0.01)\n"
        "commands.cmd_rate = in_a_callback\n"
        "sys.exit(main.main(['rate', '--eta', '0.5', '--beta', '0.5', '--lam', '1']))\n"
    )
    child = _patched_rate(code, tmp_path)
    assert (child.returncode, child.stdout, child.stderr) == (143, "", "momentum: terminated\n")


def test_an_interrupt_a_library_turned_into_its_own_error_is_still_an_interrupt(tmp_path):
    """NumPy turns a KeyboardInterrupt during its import into an ImportError (50 lines).

    Found by sending SIGINT to ``momentum report`` 20-40 ms after its start:
    exit code 1 and numpy's "troubleshooting" traceback instead of 130.
    """
    code = (
        "import signal, sys\n"
        "from momentum_cli import commands, main\n"
        "def importing(args):\n"
        "    try:\n"
        "        signal.raise_signal(signal.SIGINT)\n"
        "    except KeyboardInterrupt:\n"
        "        raise ImportError('could not import module \"datetime\"') from None\n"
        "commands.cmd_rate = importing\n"
        "sys.exit(main.main(['rate', '--eta', '0.5', '--beta', '0.5', '--lam', '1']))\n"
    )
    child = _patched_rate(code, tmp_path)
    assert (child.returncode, child.stdout, child.stderr) == (130, "", "momentum: interrupted\n")


@pytest.mark.parametrize("stdout", ["closed", "full"])
def test_a_result_that_cannot_reach_standard_output_is_one_line(tmp_path, stdout):
    """``momentum ... >&-`` or ``> /dev/full``: one line on stderr and exit code 2, no traceback."""
    if stdout == "full" and not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    code = (
        "import os, sys\n"
        "from momentum_cli import main\n"
        + ("os.close(1)\nsys.stdout = None\n" if stdout == "closed" else "")
        + "sys.exit(main.main(['rate', '--eta', '0.5', '--beta', '0.5', '--lam', '1']))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    with open(os.devnull if stdout == "closed" else "/dev/full", "w") as out:
        child = subprocess.run(
            [sys.executable, "-c", code],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
        )
    reason = "it is closed" if stdout == "closed" else "No space left on device"
    assert (child.returncode, child.stderr) == (
        2,
        f"momentum: error: cannot write to standard output: {reason}\n",
    )
