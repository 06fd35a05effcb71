"""What the tests of files and report folders share: a folder's listing, a small report."""

from pathlib import Path

from numerics.output.files import atomic_directory

__all__ = ["listing", "report"]


def listing(folder) -> list[str]:
    """The names in ``folder``, sorted."""
    return sorted(p.name for p in Path(folder).iterdir())


def report(target, **contents) -> None:
    """A report folder written by :class:`atomic_directory` holding ``name=text`` files."""
    with atomic_directory(target) as d:
        for name, text in contents.items():
            (d / name).write_text(text)
