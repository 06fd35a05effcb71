"""momentum: checked derivations, rates, regions, tuning, simulations and the report.

This module imports neither SymPy nor matplotlib: ``momentum --help`` stays
fast; each command imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from momentum_cli import __version__
from momentum_cli.errors import UsageError
from momentum_cli.parsing import fraction, grid, matrix, number_list, positive, vector

__all__ = ["main"]

METHODS = ("gd", "heavy-ball", "nesterov", "qhm")
TOPICS = (
    "minimizer",
    "decoupling",
    "gd",
    "momentum",
    "stability",
    "damping",
    "tuning",
    "weights",
    "nesterov",
    "noise",
    "all",
)


class _Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt so that every ``with`` block cleans up."""


def _terminate(signum, frame):
    raise _Terminated()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage block
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _method(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--method",
        choices=METHODS,
        default="heavy-ball",
        help="gd; heavy-ball (D2L's momentum, torch SGD with momentum; default); "
        "nesterov (torch SGD nesterov=True); qhm (quasi-hyperbolic, with --nu)",
    )
    p.add_argument("--nu", type=fraction, default=None, help="qhm's weight nu (default 0.7)")
    p.add_argument(
        "--dampening",
        type=fraction,
        default=None,
        help="torch SGD dampening in [0, 1] (heavy-ball, nesterov)",
    )
    p.add_argument(
        "--weight-decay",
        type=fraction,
        default=None,
        help="torch SGD weight decay >= 0 (heavy-ball, nesterov)",
    )


def _point(p: argparse.ArgumentParser) -> None:
    """--eta, --beta, --lam and the method options: one point of (eta, beta, lambda)."""
    p.add_argument("--eta", type=positive, required=True)
    p.add_argument("--beta", type=fraction, default=None)
    p.add_argument("--lam", type=positive, required=True)
    _method(p)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="momentum", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"momentum {__version__}")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    p = sub.add_parser("derive", help="print a checked derivation")
    p.add_argument("topic", choices=TOPICS, metavar="TOPIC", help=", ".join(TOPICS))
    _method(p)
    p.add_argument("--format", choices=("text", "latex", "markdown", "json"), default="text")
    p.add_argument("--Q", type=matrix, help="matrix as rows, e.g. '[[2, 1], [1, 3]]'")
    p.add_argument("--c", type=vector, help="vector, e.g. '[1, -1]'")
    p.add_argument("--b", type=fraction, help="number")
    p.add_argument("--output", help="write to this file instead of standard output")

    p = sub.add_parser("rate", help="spectral radius, regime and eigenvalues at one point")
    _point(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("stability", help="stable region over an (eta, beta) grid")
    _method(p)
    p.add_argument("--lam", type=positive, default=fraction("1"))
    p.add_argument("--eta", type=grid, default=(0.0, 4.0, 401), metavar="LO:HI:N")
    p.add_argument("--beta", type=grid, default=(0.0, 0.99, 100), metavar="LO:HI:N")
    p.add_argument(
        "--plot", metavar="FILE", help="write the region figure (format from the suffix)"
    )
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("tune", help="optimal (eta, beta) for a spectrum [mu, L]")
    p.add_argument("--mu", type=positive, required=True)
    p.add_argument("--L", type=positive, required=True)
    _method(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("simulate", help="run the method (default: D2L's f from (-5, -2))")
    _method(p)
    p.add_argument("--eta", type=positive, required=True)
    p.add_argument("--beta", type=fraction, default=None)
    p.add_argument("--lams", type=number_list, default=None, metavar="L1,L2,...")
    p.add_argument("--x0", type=number_list, default=None, metavar="X1,X2,...")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--plot", metavar="FILE", help="write the trace over the contour lines of f")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("noise", help="stationary variance under additive gradient noise")
    _point(p)
    p.add_argument("--sigma", type=positive, required=True, help="noise standard deviation")
    p.add_argument(
        "--chains", type=int, default=None, help="also estimate by Monte Carlo over N chains"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("train", help="D2L's airfoil experiment: minibatch SGD with momentum")
    p.add_argument("--lr", type=positive, default=fraction("0.01"))
    p.add_argument("--momentum", type=fraction, default=fraction("0.9"))
    p.add_argument("--batch-size", type=int, default=10)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--plot", metavar="FILE", help="write the loss curve")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser(
        "explore", help="write the interactive explorer: one offline, self-contained HTML page"
    )
    p.add_argument(
        "--output",
        default="momentum-explorer.html",
        metavar="FILE",
        help="where to write the page (default momentum-explorer.html; '-' for standard output)",
    )

    p = sub.add_parser("report", help="the main job: every derivation and figure, in one folder")
    p.add_argument("--output", default="momentum-report", metavar="DIR")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    0 success, 2 usage or input error, 130 interrupted (SIGINT), 143
    terminated (SIGTERM); each failure is one line on stderr, and no
    temporary file or folder is left behind.
    """
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if on_main_thread else None
    try:
        return _run(argv)
    except KeyboardInterrupt:
        _fail("momentum: interrupted")
        return 130
    except _Terminated:
        _fail("momentum: terminated")
        return 143
    finally:
        if on_main_thread:
            signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def _run(argv: list[str] | None) -> int:
    try:
        args = build_parser().parse_args(argv)
        from momentum_cli import commands

        text = getattr(commands, f"cmd_{args.command}")(args)
    except UsageError as exc:
        return _fail(str(exc))
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    except Exception as exc:  # library input errors are ValueError subclasses
        errors = sys.modules.get("theory.errors")
        if errors is not None and isinstance(exc, errors.MomentumError):
            return _fail(f"momentum: error: {exc}")
        raise
    if text:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _fail(message: str) -> int:
    sys.stderr.write(" ".join(message.split()) + "\n")
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
