"""The key numbers' Markdown lines as blocks, for the HTML page and the PDF alike.

The report writes its key numbers once, as Markdown lines (``report.md``
shows them as they are); the HTML page and the PDF each set the same blocks
in their own markup: paragraphs, lists gathered from ``- `` lines, and
`code` spans within a line.
"""

from __future__ import annotations

__all__ = ["blocks", "spans"]


def blocks(lines: list[str]) -> list[tuple[str, list[str]]]:
    """``("paragraph", [line])`` and ``("list", items)`` in order; blank lines only separate.

    >>> blocks(["Runs:", "", "- a", "- b", "Tuned."])
    [('paragraph', ['Runs:']), ('list', ['a', 'b']), ('paragraph', ['Tuned.'])]
    """
    out, items = [], []
    for line in [*lines, ""]:
        if line.startswith("- "):
            items.append(line[2:])
            continue
        if items:
            out.append(("list", items))
            items = []
        if line.strip():
            out.append(("paragraph", [line]))
    return out


def spans(line: str) -> list[tuple[bool, str]]:
    """The pieces of a line, each with whether it is a `code` span.

    >>> spans("gd `x < 1` now")
    [(False, 'gd '), (True, 'x < 1'), (False, ' now')]
    """
    return [(k % 2 == 1, piece) for k, piece in enumerate(line.split("`")) if piece]
