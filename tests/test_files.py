import os

import pytest

from numerics.files import OutputError, atomic_directory, write_text


def test_write_text_replaces_atomically(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    write_text(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_unwritable_path_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write"):
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


def test_failed_directory_keeps_the_earlier_one(tmp_path):
    target = tmp_path / "report"
    with atomic_directory(target) as d:
        (d / "one.txt").write_text("1")
    with pytest.raises(RuntimeError):
        with atomic_directory(target) as d:
            (d / "two.txt").write_text("2")
            raise RuntimeError("a figure failed")
    assert sorted(p.name for p in target.iterdir()) == ["one.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_directory_target_that_is_a_file(tmp_path):
    target = tmp_path / "report"
    target.write_text("not a directory")
    with pytest.raises(OutputError, match="not a directory"):
        with atomic_directory(target):
            pass
