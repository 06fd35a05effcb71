"""Standard output and error, whatever they are: closed, a full device, a pipe whose reader left.

The exit code says what happened to the command, never what a stream did to
a message: bad input is 2 even when stderr is closed or full; a result that
cannot reach standard output is one line and 2 (closed, full device) or
:data:`PIPE_CLOSED` (141) when the reader of a pipe went away.

Why 141 for a closed pipe: it is 128 + SIGPIPE, what the shell reports for
every tool cut off that way (``seq 1e9 | head -n 1``), so ``set -o pipefail``
scripts see the output was not all delivered; and, as for those tools, no
message: the reader left on purpose (``head``). It is never 0 once output
was lost: Python's own writer counts a write cut short by the closed pipe as
complete, so the text is written here in a loop on the descriptor, every
byte accounted for.

An output small enough to fit in the pipe's buffer is delivered to the pipe
before its reader leaves; that is a success (exit 0) for every tool alike.
"""

from __future__ import annotations

import contextlib
import errno
import os

__all__ = ["PIPE_CLOSED", "StreamError", "keep_standard_descriptors", "say", "write"]

#: the exit code when the reader of standard output went away: 128 + SIGPIPE
PIPE_CLOSED = 141


class StreamError(Exception):
    """Standard output cannot take the result; ``exit_code`` and the one-line ``message``."""

    def __init__(self, message: str | None, exit_code: int) -> None:
        super().__init__(message or "")
        self.message = message
        self.exit_code = exit_code


def keep_standard_descriptors() -> None:
    """Open ``/dev/null`` on any of descriptors 0, 1 and 2 that is closed.

    Otherwise the next file opened takes that number, and whatever writes to
    "standard error" (a warning, a worker process) writes into that file.
    Python has already seen them closed (``sys.stdout`` is ``None``), so the
    command still knows there is nowhere to print.
    """
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            with contextlib.suppress(OSError):
                null = os.open(os.devnull, os.O_RDWR)
                if null != fd:
                    os.dup2(null, fd)
                    os.close(null)


def _descriptor(stream) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):  # io.StringIO, a test's capture
        return None


def _write_all(stream, text: str) -> None:
    """``text`` to ``stream``, every byte, or an OSError (a closed pipe: BrokenPipeError)."""
    if stream is None:
        raise OSError(errno.EBADF, "it is closed")
    fd = _descriptor(stream)
    if fd is None:
        stream.write(text)
        stream.flush()
        return
    data = memoryview(text.encode(stream.encoding or "utf-8", stream.errors or "strict"))
    stream.flush()  # anything written earlier goes first
    while data:
        data = data[os.write(fd, data) :]


def _silence(stream) -> None:
    """Point the stream's descriptor at ``/dev/null``: what is still buffered there would
    fail again as the interpreter exits and change the exit code to 120."""
    fd = _descriptor(stream)
    if fd is None:
        return
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)


def write(stream, text: str) -> None:
    """Write a result to standard output ``stream``.

    Raises
    ------
    StreamError
        With exit code :data:`PIPE_CLOSED` and no message when the pipe's
        reader went away; with exit code 2 and a line to print when the
        stream is closed, full, or its encoding cannot show the text
        (nothing is written then).
    """
    try:
        _write_all(stream, text)
    except UnicodeEncodeError as exc:
        shown = text[exc.start : exc.end]
        raise StreamError(
            f"standard output ({exc.encoding}) cannot show {shown!r}: set PYTHONIOENCODING=utf-8",
            2,
        ) from None
    except BrokenPipeError:
        _silence(stream)
        raise StreamError(None, PIPE_CLOSED) from None
    except OSError as exc:
        _silence(stream)
        raise StreamError(f"cannot write to standard output: {exc.strerror or exc}", 2) from None


def say(stream, line: str) -> None:
    """One line to standard error ``stream`` if it can take it; never raises."""
    text = line + "\n"
    try:
        with contextlib.suppress(UnicodeEncodeError):
            _write_all(stream, text)
            return
        _write_all(stream, text.encode("ascii", "backslashreplace").decode("ascii"))
    except (OSError, ValueError):  # closed, full, a closed pipe: the exit code still says it
        _silence(stream)
