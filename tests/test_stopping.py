"""The signal handlers of :mod:`momentum_cli.stopping` where raising would break the interpreter.

Found as a hang of ``test_a_signal_leaves_the_earlier_report_and_no_temp_folder``
under load: the SIGINT came while the main thread was inside importlib's own
locking (a module lock's weakref callback, between ``_imp.acquire_lock()`` and
the ``try`` that releases it). The KeyboardInterrupt left the global import
lock held, the report pool's starting thread waited for it in an import, and
the main thread waited for that thread: the command never ended.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}

# The signal arrives at each line importlib runs while it holds the global import lock: the
# tracer calls the handler with importlib's frame, as Python does when a signal is pending at
# that bytecode, and what the handler raises surfaces in that frame there.
_SIGNAL_INSIDE_IMPORTLIB = """
    import _imp, signal, sys, threading
    from momentum_cli import stopping

    stopping._AGAIN_SECONDS = 3600  # the repeat would come later than this test needs
    arrived = []

    def tracer(frame, event, arg):
        if not frame.f_code.co_filename.startswith("<frozen importlib"):
            return None
        if event == "line" and _imp.lock_held():
            arrived.append(frame.f_lineno)
            stop._handler(signal.SIGTERM, frame)
        return tracer

    with stopping.stop_on_signals() as stop:
        try:
            sys.settrace(tracer)
            import colorsys  # a module not imported yet
            outcome = "imported"
        except stopping.Terminated:
            outcome = "terminated"
        finally:
            sys.settrace(None)
        stop.caught()
    held = _imp.lock_held()  # no other thread imports here: held means leaked, by this one
    if not held:  # and then another thread's import goes through
        other = threading.Thread(target=__import__, args=("wave",), daemon=True)
        other.start()
        other.join()
    print(bool(arrived), outcome, "import lock held" if held else "import lock free")
"""


def test_a_signal_inside_importlib_leaves_the_import_lock_free():
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_SIGNAL_INSIDE_IMPORTLIB)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stderr[-2000:]
    # the signal waits for its repeat (a second later, outside importlib), and the import
    # lock is free for every thread
    assert done.stdout == "True imported import lock free\n"
