"""momentum: checked derivations, rates, regions, tuning, simulations and the report.

This module imports neither SymPy nor matplotlib: ``momentum --help`` stays
fast; each command imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import signal
import sys

from momentum_cli import __version__, streams
from momentum_cli.errors import UsageError
from momentum_cli.parsing import (
    fraction,
    grid,
    integer,
    integer_list,
    matrix,
    negative_values,
    number_list,
    plot_file,
    positive,
    vector,
)
from momentum_cli.stopping import Terminated, stop_on_signals

__all__ = ["main"]

METHODS = ("gd", "heavy-ball", "nesterov", "qhm")
#: the methods `momentum train` runs (D2L's loop with the method's update)
TRAIN_METHODS = ("gd", "heavy-ball", "nesterov")
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
    "minibatch",
    "counterexample",
    "all",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage block
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _method(p: argparse.ArgumentParser) -> None:
    """--method and its options, with PyTorch's names (--nesterov, --dampening, --weight-decay)."""
    p.add_argument(
        "--method",
        choices=METHODS,
        default=None,
        help="gd; heavy-ball (D2L's momentum, torch SGD with momentum); nesterov (torch SGD "
        "nesterov=True); qhm (quasi-hyperbolic, with --nu). Default: heavy-ball",
    )
    p.add_argument(
        "--nesterov",
        action="store_true",
        help="torch SGD's nesterov=True: the same as --method nesterov",
    )
    p.add_argument(
        "--nu",
        type=fraction,
        default=None,
        metavar="NU",
        help="qhm's weight nu in [0, 1] (qhm only). Default: 0.7",
    )
    p.add_argument(
        "--dampening",
        type=fraction,
        default=None,
        metavar="D",
        help="torch SGD dampening in [0, 1] (heavy-ball; nesterov needs 0). Default: 0",
    )
    p.add_argument(
        "--weight-decay",
        type=fraction,
        default=None,
        metavar="WD",
        help="torch SGD weight decay >= 0 (gd, heavy-ball, nesterov). Default: 0",
    )


def _data(p: argparse.ArgumentParser) -> None:
    """--data FILE and --raw: least squares on your own data (default: D2L's airfoil)."""
    p.add_argument(
        "--data",
        metavar="FILE",
        default=None,
        help="your regression data: CSV or whitespace columns, the last the target, a header "
        "line allowed; standardised as D2L does unless --raw. Default: D2L's airfoil data",
    )
    p.add_argument(
        "--raw",
        action="store_true",
        help="use --data's columns as they are, not standardised. Default: standardised",
    )


ETA_HELP = "step size (torch's lr) > 0"
BETA_HELP = (
    "momentum (torch's momentum): in (-1, 1) for heavy-ball, [0, 1) for nesterov and qhm; "
    "required unless --method gd (gd: 0)"
)


def _step(p: argparse.ArgumentParser, *, eta_required: bool = True) -> None:
    """--eta/--lr and --beta/--momentum: a step and a momentum, under D2L's and PyTorch's names."""
    p.add_argument(
        "--eta",
        "--lr",
        dest="eta",
        type=positive,
        required=eta_required,
        metavar="ETA",
        help=ETA_HELP + ("; required" if eta_required else ". Default: none (give --L)"),
    )
    p.add_argument(
        "--beta",
        "--momentum",
        dest="beta",
        type=fraction,
        default=None,
        metavar="BETA",
        help=BETA_HELP,
    )


def _json(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--json", action="store_true", help="print JSON (keys: see the README's JSON table)"
    )


def _beta_usage(p: argparse.ArgumentParser) -> None:
    """The usage line shows --beta as required (it is, except for --method gd)."""
    usage = p.format_usage().removeprefix("usage: ").strip()
    p.usage = " ".join(usage.split()).replace("[--beta BETA]", "--beta BETA")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="momentum", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"momentum {__version__}")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    p = sub.add_parser("derive", help="print a checked derivation")
    p.add_argument("topic", choices=TOPICS, metavar="TOPIC", help=", ".join(TOPICS))
    _method(p)
    shape = p.add_mutually_exclusive_group()
    shape.add_argument(
        "--format",
        choices=("text", "latex", "markdown", "json"),
        default="text",
        help="text, latex, markdown or json. Default: text",
    )
    shape.add_argument(
        "--json",
        action="store_const",
        const="json",
        dest="format",
        help="the same as --format json, as in the other commands",
    )
    p.add_argument(
        "--Q",
        type=matrix,
        metavar="MATRIX",
        help="symmetric positive definite matrix as rows, e.g. '[[2, 1], [1, 3]]'; "
        "with --c and --b. Default: symbolic",
    )
    p.add_argument(
        "--c", type=vector, metavar="VECTOR", help="vector, e.g. '[1, -1]'. Default: symbolic"
    )
    p.add_argument("--b", type=fraction, metavar="NUMBER", help="number. Default: symbolic")
    p.add_argument(
        "--output",
        metavar="FILE",
        help="write to this file instead of standard output. Default: standard output",
    )

    p = sub.add_parser(
        "rate",
        help="spectral radius, regime and eigenvalues at one point; without --lam, "
        "the largest stable curvature and the regime boundaries",
    )
    _step(p, eta_required=False)
    p.add_argument(
        "--lam",
        type=positive,
        default=None,
        metavar="LAM",
        help="curvature (a Hessian eigenvalue) > 0. Default: none (report the largest stable "
        "curvature and where the regime changes)",
    )
    p.add_argument(
        "--L",
        type=positive,
        default=None,
        metavar="L",
        help="largest curvature of your problem > 0: report the largest stable step for it. "
        "Default: none",
    )
    p.add_argument(
        "--mu",
        type=positive,
        default=None,
        metavar="MU",
        help="the class's strong convexity > 0, only with --class smooth-strongly-convex (the "
        "quadratic answers need only --L). Default: none",
    )
    p.add_argument(
        "--class",
        dest="function_class",
        choices=("quadratic", "smooth-strongly-convex"),
        default="quadratic",
        help="quadratic: the quadratic theory (the default); smooth-strongly-convex: also say "
        "whether (eta, beta) is guaranteed on every L-smooth mu-strongly convex function, can "
        "cycle on one, or is undecided (with --mu and --L). Default: quadratic",
    )
    _method(p)
    _json(p)
    _beta_usage(p)

    p = sub.add_parser("stability", help="stable region over an (eta, beta) grid")
    _method(p)
    p.add_argument(
        "--lam",
        type=positive,
        default=fraction("1"),
        metavar="LAM",
        help="curvature > 0. Default: 1",
    )
    p.add_argument(
        "--eta",
        type=grid,
        default=None,
        metavar="LO:HI:N",
        help="step-size grid, N in [2, 1e7]. Default: 0 to 1.1 times the largest stable step "
        "at --lam over the beta grid, 401 points",
    )
    p.add_argument(
        "--beta",
        type=grid,
        default=(0.0, 0.99, 100),
        metavar="LO:HI:N",
        help="momentum grid, N in [2, 1e7]. Default: 0:0.99:100",
    )
    p.add_argument(
        "--plot",
        type=plot_file,
        metavar="FILE",
        help="write the region figure (format from the suffix: png, svg, pdf). Default: none",
    )
    _json(p)

    p = sub.add_parser(
        "tune", help="optimal (eta, beta) for a spectrum [mu, L] (or condition number kappa)"
    )
    p.add_argument(
        "--mu",
        type=positive,
        default=None,
        metavar="MU",
        help="smallest curvature > 0; with --L. Default: none (give --mu and --L, or --kappa)",
    )
    p.add_argument(
        "--L",
        type=positive,
        default=None,
        metavar="L",
        help="largest curvature >= mu; with --mu. Default: none (give --mu and --L, or --kappa)",
    )
    p.add_argument(
        "--kappa",
        type=positive,
        default=None,
        metavar="K",
        help="condition number >= 1: the spectrum [1, K]. Default: none (give --mu and --L)",
    )
    p.add_argument(
        "--batch-size",
        type=integer,
        default=None,
        metavar="B",
        help="tune for minibatch SGD with batches of B on least squares (the data of --data, "
        "else D2L's airfoil): the mean-square rate, numerically, instead of a spectrum. "
        "Default: none",
    )
    _data(p)
    p.add_argument(
        "--from-model",
        default=None,
        metavar="MODULE:FUNCTION",
        help="measure [mu, L] on a PyTorch network: FUNCTION() of an importable module (the "
        "current folder is importable), or of a file given as FILE.py:FUNCTION, returns "
        "(model, loss_fn, data); needs torch. "
        "Default: none (give --mu and --L, or --kappa)",
    )
    p.add_argument(
        "--momentum",
        "--beta",
        dest="beta",
        type=fraction,
        default=None,
        metavar="BETA",
        help="with --from-model: the momentum at which to give the largest stable lr. "
        "Default: the tuned momentum, or 0 when [mu, L] cannot be tuned",
    )
    _method(p)
    _json(p)

    p = sub.add_parser("simulate", help="run the method (default: D2L's f from (-5, -2))")
    _method(p)
    _step(p)
    p.add_argument(
        "--function",
        choices=("quadratic", "lessard"),
        default="quadratic",
        help="quadratic: a diagonal quadratic (--lams); lessard: Lessard, Recht and Packard's "
        "1-strongly convex, 25-smooth function, on which heavy ball at Polyak's tuning "
        "(--eta 1/9 --beta 4/9) cycles. Default: quadratic",
    )
    p.add_argument(
        "--lams",
        type=number_list,
        default=None,
        metavar="L1,L2,...",
        help="curvatures > 0 of a diagonal quadratic. Default: 0.2,4 (D2L's f)",
    )
    p.add_argument(
        "--x0",
        type=number_list,
        default=None,
        metavar="X1,X2,...",
        help="start, one entry per curvature (one number for --function lessard). "
        "Default: -5,-2 (3.3 for lessard)",
    )
    p.add_argument(
        "--steps",
        type=integer,
        default=None,
        metavar="N",
        help="steps in [0, 100000]. Default: 20 (100 for --function lessard)",
    )
    p.add_argument(
        "--plot",
        type=plot_file,
        metavar="FILE",
        help="write the trace over the contour lines of f (two curvatures). Default: none",
    )
    _json(p)
    _beta_usage(p)

    p = sub.add_parser("noise", help="stationary variance under additive gradient noise")
    _step(p)
    p.add_argument(
        "--lam", type=positive, required=True, metavar="LAM", help="curvature > 0; required"
    )
    _method(p)
    p.add_argument(
        "--sigma",
        type=positive,
        required=True,
        metavar="S",
        help="noise standard deviation > 0; required",
    )
    p.add_argument(
        "--chains",
        type=integer,
        default=None,
        metavar="N",
        help="also estimate by Monte Carlo over N chains. Default: none",
    )
    p.add_argument(
        "--seed", type=integer, default=0, metavar="S", help="random seed in [0, 2**32). Default: 0"
    )
    _json(p)
    _beta_usage(p)

    p = sub.add_parser("train", help="D2L's airfoil experiment: minibatch SGD with momentum")
    p.add_argument(
        "--lr",
        "--eta",
        dest="lr",
        type=positive,
        default=fraction("0.01"),
        metavar="LR",
        help="learning rate > 0. Default: 0.01",
    )
    p.add_argument(
        "--momentum",
        "--beta",
        dest="momentum",
        type=fraction,
        default=None,
        metavar="M",
        help="momentum in [0, 1). Default: 0.9 (0 with --method gd)",
    )
    p.add_argument(
        "--method",
        choices=TRAIN_METHODS,
        default="heavy-ball",
        help="gd; heavy-ball (D2L's sgd_momentum, torch SGD with momentum); nesterov (torch "
        "SGD nesterov=True). Default: heavy-ball",
    )
    p.add_argument(
        "--batch-size",
        type=integer,
        default=10,
        metavar="N",
        help="minibatch size in [1, n], n the data's rows (airfoil: 1500). Default: 10",
    )
    p.add_argument(
        "--epochs", type=integer, default=2, metavar="E", help="epochs in [1, 1000]. Default: 2"
    )
    p.add_argument(
        "--seed", type=integer, default=0, metavar="S", help="random seed in [0, 2**32). Default: 0"
    )
    p.add_argument(
        "--plot", type=plot_file, metavar="FILE", help="write the loss curve. Default: none"
    )
    _data(p)
    _json(p)

    p = sub.add_parser(
        "edge",
        help="the largest mean-square stable lr of minibatch SGD at each batch size and "
        "momentum, on least squares (your data or D2L's airfoil)",
    )
    _data(p)
    p.add_argument(
        "--batch-size",
        type=integer_list,
        default=None,
        metavar="LIST",
        help="batch sizes in [1, n], n the data's rows, e.g. 1,10,100. Default: 1,10,100 and n",
    )
    p.add_argument(
        "--momentum",
        "--beta",
        dest="momentum",
        type=number_list,
        default=None,
        metavar="LIST",
        help="momentum values, e.g. 0,0.5,0.9: in [0, 1) (heavy-ball also (-1, 0)). "
        "Default: 0,0.5,0.9 (0 for --method gd)",
    )
    _method(p)
    _json(p)

    p = sub.add_parser(
        "worst-case",
        help="the worst (f(x_N) - f*) / (f(x_0) - f*) over every function of a class "
        "(a performance-estimation SDP; needs the [pep] extra)",
    )
    _method(p)
    _step(p)
    p.add_argument(
        "--mu", type=fraction, required=True, metavar="MU", help="strong convexity >= 0; required"
    )
    p.add_argument(
        "--L", type=positive, required=True, metavar="L", help="smoothness > mu; required"
    )
    p.add_argument(
        "--steps", type=integer, required=True, metavar="N", help="steps in [1, 40]; required"
    )
    p.add_argument(
        "--class",
        dest="function_class",
        choices=("quadratic", "smooth-strongly-convex"),
        default="smooth-strongly-convex",
        help="the functions: quadratics with Hessian eigenvalues in [mu, L], or every L-smooth "
        "mu-strongly convex function. Default: smooth-strongly-convex",
    )
    _json(p)
    _beta_usage(p)

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
    p.add_argument(
        "--output",
        default="momentum-report",
        metavar="DIR",
        help="the report folder. Default: momentum-report",
    )
    p.add_argument(
        "--svg",
        action="store_true",
        help="also write each figure as SVG (vector graphics for slides and print; the "
        "figures then take about a third longer). Default: PNG only",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    0 success, 2 usage or input error, 130 interrupted (SIGINT), 143
    terminated (SIGTERM); each failure is one line on stderr, and no
    temporary file or folder is left behind.
    """
    streams.keep_standard_descriptors()
    with stop_on_signals() as stopping:
        try:
            return _run(argv)
        except KeyboardInterrupt:
            stopping.caught()
            _fail("momentum: interrupted")
            return 130
        except Terminated:
            stopping.caught()
            _fail("momentum: terminated")
            return 143
        except Exception:
            if stopping.received is None:
                raise
            # the interrupt came back as a library's own error (NumPy: an ImportError)
            stopping.caught()
            if stopping.received == signal.SIGINT:
                _fail("momentum: interrupted")
                return 130
            _fail("momentum: terminated")
            return 143
        finally:
            if argv is None:
                _ending()


def _ending() -> None:
    """The process ends now (the command line, not a caller's ``main([...])``).

    Everything is written; what is left in memory is only torn down. Frozen,
    the heap is not traversed again by the garbage collector as the
    interpreter exits: after SymPy and matplotlib that traversal took 0.4 s,
    a tenth of a report. Exit handlers still run, and output is flushed.
    """
    import gc

    gc.freeze()


def _run(argv: list[str] | None) -> int:
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        args = build_parser().parse_args(negative_values(argv))
        from momentum_cli import commands
        from momentum_cli.options import resolve_method

        resolve_method(args)
        if args.command == "report" or getattr(args, "plot", None):
            from momentum_cli.environment import prepare_matplotlib

            prepare_matplotlib()  # before anything (the report's workers too) imports matplotlib

        text = getattr(commands, f"cmd_{args.command.replace('-', '_')}")(args)
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
        return _print(text if text.endswith("\n") else text + "\n")
    return 0


def _print(text: str) -> int:
    """Write the result to standard output; the exit code if it cannot (see :mod:`.streams`)."""
    try:
        streams.write(sys.stdout, text)
    except streams.StreamError as exc:
        if exc.message is None:  # the reader went away: no message, like any tool cut off
            return exc.exit_code
        _fail(f"momentum: error: {exc.message}")
        return exc.exit_code
    return 0


def _fail(message: str) -> int:
    streams.say(sys.stderr, " ".join(message.split()))
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
