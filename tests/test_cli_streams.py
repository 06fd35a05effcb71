"""The exit code holds whatever standard output and error are: closed, full, or a closed pipe.

0 success, 2 bad input (one line on stderr when stderr can take it), 141 when
the reader of standard output went away (a closed pipe: 128 + SIGPIPE, what
the shell reports for any tool cut off by ``head``), never a traceback, and
never 0 after output was lost. Each case runs ``python -m momentum_cli.main``
in a child whose descriptors 1 and 2 are set up as drawn.
"""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
SMALL = ["rate", "--eta", "0.5", "--beta", "0.5", "--lam", "1"]
#: about 0.8 MB of JSON: far more than a pipe holds (64 KiB)
LARGE = ["simulate", "--eta", "0.4", "--beta", "0.5", "--steps", "20000", "--json"]
BAD = ["rate", "--eta", "x"]
STATES = ("open", "closed", "full", "closed-pipe")


def _stream(state: str, cleanup: list):
    """What the child gets as a descriptor: a pipe we read, nothing, /dev/full, a pipe nobody reads."""
    if state == "open":
        r, w = os.pipe()
        cleanup.append(r)
        return w, r
    if state == "full":
        return os.open("/dev/full", os.O_WRONLY), None
    if state == "closed-pipe":
        r, w = os.pipe()
        os.close(r)  # the reader is gone before anything is written: every write is EPIPE
        return w, None
    return None, None  # closed


def _run(argv, stdout: str, stderr: str) -> tuple[int, str, str]:
    """(exit code, what reached stdout, what reached stderr) of the command with those streams."""
    if "full" in (stdout, stderr) and not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    cleanup: list[int] = []
    out_w, out_r = _stream(stdout, cleanup)
    err_w, err_r = _stream(stderr, cleanup)

    def child_fds():
        # a descriptor the child must not have is closed in it (>&-), not merely unset
        for fd, target in ((1, out_w), (2, err_w)):
            if target is None:
                os.close(fd)
            else:
                os.dup2(target, fd)

    read = {}

    def drain(name, fd):
        with open(fd, "rb", closefd=False) as fh:
            read[name] = fh.read()

    proc = subprocess.Popen(
        [sys.executable, "-m", "momentum_cli.main", *argv],
        env=ENV,
        stdin=subprocess.DEVNULL,
        preexec_fn=child_fds,
        close_fds=True,
        pass_fds=[fd for fd in (out_w, err_w) if fd is not None],
    )
    for fd in (out_w, err_w):
        if fd is not None:
            os.close(fd)
    threads = [
        threading.Thread(target=drain, args=(name, fd))
        for name, fd in (("out", out_r), ("err", err_r))
        if fd is not None
    ]
    for t in threads:
        t.start()
    code = proc.wait(timeout=600)
    for t in threads:
        t.join()
    for fd in cleanup:
        os.close(fd)
    return code, read.get("out", b"").decode(), read.get("err", b"").decode()


def test_bad_input_is_exit_2_when_stderr_is_closed():
    """Found by the fuzz: exit 1 (the one line's write raised, and its traceback went nowhere)."""
    assert _run(BAD, "open", "closed")[:2] == (2, "")


def test_bad_input_is_exit_2_when_stderr_is_full():
    assert _run(BAD, "open", "full")[:2] == (2, "")


def test_a_closed_pipe_on_a_large_output_is_141_not_a_silent_0():
    """Found by the fuzz: ``simulate ... --json | head -c 1`` exited 0 with only its first 64 KiB written.

    Python's buffered writer reported the whole text written after a partial
    write; the rest was dropped and the exit code said all was well.
    """
    code, out, err = _run(LARGE, "closed-pipe", "open")
    assert (code, out, err) == (141, "", "")


def test_a_reader_that_leaves_early_gives_141():
    """``momentum simulate ... --json | head -c 1`` itself, through a real shell pipe."""
    cmd = " ".join([sys.executable, "-m", "momentum_cli.main", *LARGE]) + " | head -c 1"
    done = subprocess.run(
        ["bash", "-c", cmd + "; status=${PIPESTATUS[0]}; echo; echo $status"],
        env=ENV,
        capture_output=True,
        text=True,
    )
    assert done.stdout.splitlines()[-1] == "141" and "Traceback" not in done.stderr


def test_an_output_the_encoding_cannot_hold_is_one_line():
    """``PYTHONIOENCODING=ascii``: one line and exit 2, not a traceback (or mangled maths)."""
    done = subprocess.run(
        [sys.executable, "-m", "momentum_cli.main", "derive", "gd"],
        env={**ENV, "PYTHONIOENCODING": "ascii"},
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("momentum: error: standard output (ascii) cannot show")
    assert len(done.stderr.splitlines()) == 1


def test_closed_descriptors_are_never_reused_for_files(tmp_path):
    """With 1 and 2 closed, no file the command opens may take their numbers.

    Otherwise anything that writes to "standard error" meanwhile (a library's
    message, a child process inheriting it) writes into that file. The file
    is written; the line saying so cannot be, hence exit code 2.
    """
    code = (
        "import os, sys\n"
        "os.close(1); os.close(2)\n"
        "sys.stdout = sys.stderr = None\n"
        "opened, real_open = [], os.open\n"
        "def recording(path, *args, **kwargs):\n"
        "    fd = real_open(path, *args, **kwargs)\n"
        "    if path != os.devnull:  # the null device is what 1 and 2 should be\n"
        "        opened.append(fd)\n"
        "    return fd\n"
        "os.open = recording\n"
        "from momentum_cli.main import main\n"
        "code = main(['derive', 'gd', '--output', 'gd.txt'])\n"
        "open('opened.txt', 'w').write(repr(sorted(set(opened))))\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=ENV)
    assert done.returncode == 2
    opened = eval((tmp_path / "opened.txt").read_text())
    assert opened and not set(opened) & {1, 2}, opened
    expected = subprocess.run(
        [sys.executable, "-m", "momentum_cli.main", "derive", "gd"],
        env=ENV,
        capture_output=True,
        text=True,
    ).stdout
    assert (tmp_path / "gd.txt").read_text() == expected
    assert sorted(os.listdir(tmp_path)) == ["gd.txt", "opened.txt"]


@settings(max_examples=20)
@given(
    argv=st.sampled_from([SMALL, LARGE, BAD]),
    stdout=st.sampled_from(STATES),
    stderr=st.sampled_from(STATES),
)
def test_the_exit_code_depends_on_the_command_and_stdout_only(argv, stdout, stderr):
    code, out, err = _run(argv, stdout, stderr)
    if argv is BAD:
        expected = 2
    else:
        expected = {"open": 0, "closed": 2, "full": 2, "closed-pipe": 141}[stdout]
    assert code == expected, (argv, stdout, stderr, err)
    assert "Traceback" not in err and "Exception ignored" not in err
    if stderr == "open" and expected == 2:
        assert len(err.splitlines()) == 1, err
    if stderr == "open" and expected in (0, 141):
        assert err == ""
    if stdout == "open" and expected == 0:
        assert out.endswith("\n") and len(out) > 10
