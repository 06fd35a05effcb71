"""The command line's own error: a usage mistake, reported in one line with exit code 2.

It lives apart from :mod:`momentum_cli.main` so that the commands and option
helpers can raise it without importing the entry point (no import circle).
"""

from __future__ import annotations

__all__ = ["UsageError"]


class UsageError(Exception):
    """A command-line mistake: one line on stderr, exit code 2."""
