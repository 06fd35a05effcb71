"""The README's examples run: every ``console`` block and every ``python`` block.

A ``console`` block holds ``$ momentum ...`` lines, each followed by the
output it must print (compared line by line; a command with no output shown
must exit 0). A trailing ``# comment`` on a command line is not part of it.
``python`` blocks run in order in one namespace, as a reader pastes them;
blocks marked ``python fragment`` need code of the reader's own and are not
run (``examples/`` holds their runnable versions).
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import matplotlib
import pytest

from momentum_cli.main import main

matplotlib.use("Agg")
README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"^```([^\n]*)\n(.*?)^```", re.S | re.M)
#: commands the README shows that other tests run in full (each takes seconds)
HEAVY = {"report", "explore"}


def blocks(kind: str) -> list[str]:
    return [body for info, body in BLOCK.findall(README.read_text()) if info.strip() == kind]


def console_examples() -> list[tuple[str, list[str]]]:
    examples = []
    for body in blocks("console"):
        for chunk in re.split(r"(?m)^(?=\$ )", body):
            if not chunk.strip():
                continue
            command, *output = chunk.rstrip("\n").split("\n")
            examples.append((command[2:], output))
    return examples


def test_readme_has_examples():
    assert len(console_examples()) >= 10 and len(blocks("python")) >= 4


def test_the_readme_keeps_its_two_set_up_commands():
    # the README's promise, verbatim: install and report; install the test extra and test
    text = README.read_text()
    assert "python -m pip install . && momentum report\n" in text
    assert "python -m pip install '.[test]' && python -m pytest\n" in text


def test_the_install_block_makes_a_virtual_environment_first():
    # Debian has python3 but no python, and refuses system-wide pip (PEP 668): the block a new
    # user pastes must start by making and entering a virtual environment
    install = next(body for info, body in BLOCK.findall(README.read_text()) if not info.strip())
    lines = install.strip().split("\n")
    assert lines[0] == "python3 -m venv .venv && . .venv/bin/activate"
    assert lines[1:] == [
        "python -m pip install . && momentum report",
        "python -m pip install '.[test]' && python -m pytest",
    ]


@pytest.mark.parametrize("command, output", console_examples(), ids=lambda v: str(v)[:60])
def test_console_example(command, output, tmp_path, monkeypatch):
    argv = shlex.split(command, comments=True)
    assert argv[0] == "momentum"
    if argv[1] in HEAVY:
        pytest.skip(f"momentum {argv[1]} runs in full in tests/test_cli.py")
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv[1:])
    assert code == 0, err.getvalue()
    if output:
        assert out.getvalue().rstrip("\n").split("\n") == output


def test_python_blocks_run_in_order(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for code in blocks("python"):
            exec(compile(code, str(README), "exec"), namespace)
    plt.close("all")


def question_commands() -> list[str]:
    text = README.read_text()
    section = text.split("## Questions, one command each", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"`(momentum [^`]+)`", section)


def test_questions_table_is_there():
    assert len(question_commands()) >= 8


@pytest.mark.parametrize("command", question_commands())
def test_each_question_is_one_command(command, tmp_path, monkeypatch):
    if "--from-model" in command:
        pytest.importorskip("torch", reason="torch not installed: pip install '.[torch]'")
    if command.startswith("momentum worst-case"):
        pytest.importorskip("PEPit", reason="PEPit not installed: pip install '.[pep]'")
    monkeypatch.chdir(tmp_path)
    if "my.csv" in command:  # the reader's own data: here D2L's airfoil rows as a CSV file
        from importlib import resources

        raw = resources.files("numerics.data").joinpath("airfoil_self_noise.dat").read_text()
        rows = [",".join(line.split()) for line in raw.splitlines() if line.strip()]
        (tmp_path / "my.csv").write_text("\n".join(["f,a,c,v,t,sound", *rows]) + "\n")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(shlex.split(command)[1:])
    assert code == 0 and out.getvalue(), err.getvalue()
