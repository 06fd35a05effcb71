"""Shared handling of command-line values: methods, ranges, exact numbers and JSON."""

from __future__ import annotations

import json
import math
from fractions import Fraction

from momentum_cli.errors import UsageError

__all__ = [
    "MAX_TRAIN_STEPS",
    "QHM_DEFAULT_NU",
    "beta_of",
    "dumps",
    "exact",
    "library_method",
    "num",
    "resolve_method",
    "seed_of",
    "show",
]

_LIBRARY_NAME = {"gd": "gd", "heavy-ball": "heavy_ball", "nesterov": "nesterov", "qhm": "qhm"}
_TORCH = {"heavy-ball": "torch_sgd", "nesterov": "torch_sgd_nesterov"}
QHM_DEFAULT_NU = Fraction(7, 10)  # Ma and Yarats (2019)'s recommended nu
#: a bound on one training run from the command line (about 10 s here)
MAX_TRAIN_STEPS = 300_000


def resolve_method(args) -> None:
    """Settle ``args.method``: ``--nesterov`` is PyTorch's name for ``--method nesterov``."""
    if not hasattr(args, "method"):
        return
    if getattr(args, "nesterov", False):
        if args.method not in (None, "nesterov"):
            raise UsageError(
                f"momentum {args.command}: --nesterov means --method nesterov, "
                f"not --method {args.method}"
            )
        args.method = "nesterov"
    elif args.method is None:
        args.method = "heavy-ball"


def library_method(args) -> tuple[str, dict]:
    """The library's method name and its extra parameters, checked."""
    m = args.method
    if args.nu is not None and m != "qhm":
        raise UsageError(f"momentum {args.command}: --nu is for --method qhm only")
    if m == "gd" and args.dampening is not None:
        raise UsageError(
            f"momentum {args.command}: --dampening is for heavy-ball and nesterov "
            "(torch ignores it without momentum)"
        )
    if m == "gd" and args.weight_decay is not None:
        wd = args.weight_decay
        if wd < 0:
            raise UsageError(
                f"momentum {args.command}: --weight-decay must be >= 0, got {show(wd)}"
            )
        # torch SGD without momentum: gradient descent on the decayed gradient
        return ("torch_sgd", {"dampening": 0.0, "weight_decay": float(wd)}) if wd else ("gd", {})
    torch_opts = args.dampening is not None or args.weight_decay is not None
    if torch_opts and m not in _TORCH:
        raise UsageError(
            f"momentum {args.command}: --dampening and --weight-decay are for heavy-ball and "
            "nesterov (--weight-decay also for gd)"
        )
    if m == "qhm":
        nu = QHM_DEFAULT_NU if args.nu is None else args.nu
        if not 0 <= nu <= 1:
            raise UsageError(f"momentum {args.command}: --nu must be in [0, 1], got {show(nu)}")
        return "qhm", {"nu": float(nu)}
    if torch_opts:
        d = args.dampening or Fraction(0)
        wd = args.weight_decay or Fraction(0)
        if not 0 <= d <= 1:
            raise UsageError(
                f"momentum {args.command}: --dampening must be in [0, 1], got {show(d)}"
            )
        if wd < 0:
            raise UsageError(
                f"momentum {args.command}: --weight-decay must be >= 0, got {show(wd)}"
            )
        if m == "nesterov" and d != 0:
            raise UsageError(f"momentum {args.command}: nesterov needs --dampening 0 (as in torch)")
        if d or wd:
            return _TORCH[m], {"dampening": float(d), "weight_decay": float(wd)}
    return _LIBRARY_NAME[m], {}


def num(value) -> float | None:
    """A JSON number; non-finite values become null."""
    value = float(value)
    return value if math.isfinite(value) else None


def show(value: Fraction) -> str:
    """A number for a message: as the user typed it, else exact when short, else 6 digits."""
    typed = getattr(value, "text", None)
    if typed is not None:
        return typed.strip() if len(typed) <= 40 else typed.strip()[:37] + "..."
    text = exact(value)
    return text if len(text) <= 24 else significant(value)


def significant(value: Fraction, digits: int = 6) -> str:
    """``value`` to ``digits`` significant digits, like ``%g``, at any magnitude (no overflow)."""
    import decimal

    with decimal.localcontext() as ctx:
        ctx.prec = digits
        ctx.Emax, ctx.Emin = decimal.MAX_EMAX, decimal.MIN_EMIN
        d = decimal.Decimal(value.numerator) / decimal.Decimal(value.denominator)
    return f"{d:.{digits}g}"


def exact(value: Fraction) -> str:
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


def _finite(obj):
    """Non-finite floats become None (JSON null), recursively."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def dumps(obj) -> str:
    return json.dumps(_finite(obj), indent=2, allow_nan=False)


def seed_of(args) -> int:
    if not 0 <= args.seed < 2**32:
        raise UsageError(f"momentum {args.command}: --seed must be in [0, 2**32), got {args.seed}")
    return args.seed


def beta_of(args) -> float:
    if args.method == "gd":
        if args.beta not in (None, 0):
            raise UsageError(
                f"momentum {args.command}: --beta is not used by --method gd (got {show(args.beta)})"
            )
        return 0.0
    if args.beta is None:
        raise UsageError(f"momentum {args.command}: --beta is required for --method {args.method}")
    # heavy ball's theory holds for |beta| < 1; Nesterov's region and QHM are stated for [0, 1)
    closed = args.method in ("nesterov", "qhm")
    inside = (args.beta >= 0 if closed else args.beta > -1) and args.beta < 1
    if not inside:
        allowed = "[0, 1)" if closed else "(-1, 1)"
        raise UsageError(
            f"momentum {args.command}: --beta must be in {allowed} for --method {args.method}, "
            f"got {show(args.beta)}"
        )
    return float(args.beta)
