"""``momentum tune --from-model MODULE:FUNCTION``: the theory's tuning for a PyTorch network.

``FUNCTION`` is any callable of an importable module (the current folder is
importable), or of a Python file given by its path (``path/to/file.py:FUNCTION``,
whose folder is importable as a script's is), that returns ``(model, loss_fn, data)`` as
:func:`numerics.hessian_spectrum` takes them. Whatever goes wrong in the
user's code (no such module or function, an exception inside it, a wrong
return, a model that cannot run on its data) is one line and exit code 2.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys

from momentum_cli.errors import UsageError
from momentum_cli.options import dumps, library_method, num

__all__ = ["cmd_tune_from_model", "load_model"]

SPEC_HELP = (
    "MODULE:FUNCTION or FILE.py:FUNCTION, e.g. examples.small_network:make or "
    "examples/small_network.py:make"
)


def _fail(spec: str, message: str) -> UsageError:
    return UsageError(f"momentum tune: --from-model {spec}: {message}")


def _raised(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):  # sys.exit() in the user's code: no answer came back
        return f"SystemExit({repr(exc.code)[:300]})"
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__


def _users_code():
    """While the user's code runs, its prints go to standard error: standard output is the
    command's answer alone (a --json object that parses)."""
    return contextlib.redirect_stdout(sys.stderr)


def _is_path(module_name: str) -> bool:
    """A file's path (``dir/file.py``), not a module's dotted name."""
    return module_name.endswith(".py") or "/" in module_name or os.sep in module_name


def _import_module(spec: str, module_name: str):
    try:
        with _users_code():
            return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module_name.startswith(exc.name):
            raise _fail(
                spec,
                f"no module named {exc.name!r} (run from the folder that holds it, or put that "
                "folder on PYTHONPATH)",
            ) from None
        raise _fail(spec, f"importing {module_name!r} raised {_raised(exc)}") from None
    except (Exception, SystemExit) as exc:
        raise _fail(spec, f"importing {module_name!r} raised {_raised(exc)}") from None


def _import_file(spec: str, path_text: str):
    """The module of a Python file, seen as its script would see it (its folder first on
    ``sys.path``, so that it imports the files beside it), under a name of its own."""
    import importlib.util
    from pathlib import Path

    path = Path(path_text).expanduser()
    if not path.is_file():
        raise _fail(spec, f"no such file {path_text!r}")
    folder = str(path.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = "_momentum_from_model_" + "".join(c if c.isalnum() else "_" for c in path.stem)
    found = importlib.util.spec_from_file_location(name, path)
    if found is None or found.loader is None:
        raise _fail(spec, f"{path_text!r} cannot be imported as Python")
    module = importlib.util.module_from_spec(found)
    sys.modules[name] = module  # as an import does: dataclasses and pickle look it up there
    try:
        with _users_code():
            found.loader.exec_module(module)
    except (Exception, SystemExit) as exc:
        del sys.modules[name]
        raise _fail(spec, f"importing {path_text!r} raised {_raised(exc)}") from None
    return module


def load_model(spec: str) -> tuple:
    """Import ``MODULE`` (or the file ``FILE.py``), call ``FUNCTION()`` and check it returned
    (model, loss_fn, data)."""
    # split at the last colon: a path may hold one (C:\\...), a function's name never does
    module_name, colon, function = spec.rpartition(":")
    if not colon or not module_name or not function:
        raise UsageError(f"momentum tune: --from-model must be {SPEC_HELP}: got {spec!r}")
    if os.getcwd() not in sys.path:  # a module of the folder the command runs in
        sys.path.insert(0, os.getcwd())
    if _is_path(module_name):
        module, where = _import_file(spec, module_name), f"file {module_name!r}"
    else:
        module, where = _import_module(spec, module_name), f"module {module_name!r}"
    make = getattr(module, function, None)
    if make is None:
        raise _fail(spec, f"{where} has no {function!r}")
    if not callable(make):
        raise _fail(spec, f"{function!r} is not callable: {type(make).__name__}")
    try:
        with _users_code():
            made = make()
    except (Exception, SystemExit) as exc:
        raise _fail(spec, f"{function}() raised {_raised(exc)}") from None
    if not (isinstance(made, tuple | list) and len(made) == 3):
        got = f"{len(made)} values" if isinstance(made, tuple | list) else type(made).__name__
        raise _fail(spec, f"{function}() must return (model, loss_fn, data): got {got}")
    model, loss_fn, _ = made
    torch = sys.modules.get("torch")
    if torch is None or not isinstance(model, torch.nn.Module):
        raise _fail(
            spec,
            f"{function}() must return (model, loss_fn, data) with model a torch.nn.Module: "
            f"got {type(model).__name__}",
        )
    if not callable(loss_fn):
        raise _fail(spec, f"{function}()'s loss_fn must be callable: got {type(loss_fn).__name__}")
    return tuple(made)


def cmd_tune_from_model(args) -> str:
    """The tuning for the spectrum of the user's network (both ends, by Lanczos)."""
    from numerics.optional import import_torch

    for given, name in ((args.mu, "--mu"), (args.L, "--L"), (args.kappa, "--kappa")):
        if given is not None:
            raise UsageError(f"momentum tune: give --from-model or {name}, not both")
    try:
        import_torch("momentum tune --from-model")
    except ImportError as exc:
        raise UsageError(f"momentum tune: {exc}") from None
    import numerics
    from theory.errors import MomentumError

    method, params = library_method(args)
    if args.beta is not None and args.method == "gd":
        raise UsageError("momentum tune: --momentum is not used by --method gd")
    beta = None if args.beta is None else float(args.beta)
    if beta is not None and not (0 if args.method in ("nesterov", "qhm") else -1) <= beta < 1:
        allowed = "[0, 1)" if args.method in ("nesterov", "qhm") else "(-1, 1)"
        raise UsageError(f"momentum tune: --momentum must be in {allowed}: got {beta:g}")
    model, loss_fn, data = load_model(args.from_model)
    try:
        with _users_code():  # the model's forward pass and loss are the user's code too
            tuned = numerics.tune_for_model(model, loss_fn, data, method, beta=beta, **params)
    except MomentumError:
        raise
    except (Exception, SystemExit) as exc:  # the user's model, loss or data broke inside torch
        raise _fail(args.from_model, f"the Hessian could not be computed: {_raised(exc)}") from None
    return _format(args, tuned)


def _format(args, tuned) -> str:
    spec, t = tuned.spectrum, tuned.tuning
    wd = float(args.weight_decay or 0)
    out = {
        "method": args.method,
        "mu": num(tuned.mu),
        "L": num(tuned.L),
        "eta": t.eta if t else None,
        "beta": t.beta if t else None,
        "rate": t.rate if t else None,
        "exact": None,
        "numeric": bool(t.numeric) if t else None,
        "kappa": num(tuned.L / tuned.mu) if tuned.mu_reliable else None,
        "weight_decay": wd,
        "dampening": float(args.dampening or 0),
        "effective_spectrum": [num(tuned.mu + wd), num(tuned.L + wd)],
        "from_model": args.from_model,
        "mu_reliable": tuned.mu_reliable,
        "edge_momentum": tuned.beta,
        "max_stable_lr": num(tuned.max_stable_lr),
        "warning": tuned.warning,
        "hessian": {
            "parameters": spec.n_parameters,
            "examples": spec.n_examples,
            "batches": spec.batches,
            "products": spec.hvps,
            "converged": spec.converged,
            "residuals": [num(r) for r in (*spec.bottom_residuals, *spec.top_residuals)],
        },
    }
    if args.json:
        return dumps(out)
    residuals = ", ".join(f"{r:.1g}" for r in out["hessian"]["residuals"])
    lines = [
        f"{args.method} for the Hessian of {args.from_model} ({spec.n_parameters:,} parameters, "
        f"{spec.n_examples:,} examples): Lanczos, {spec.hvps} products, "
        + ("converged" if spec.converged else "NOT converged"),
        f"spectrum [mu, L] = [{tuned.mu:.6g}, {tuned.L:.6g}] (residuals {residuals})",
    ]
    if t is not None:
        how = "numeric (SciPy Nelder-Mead on the worst-case rate)" if t.numeric else "closed form"
        lines.append(
            f"tuned for [{tuned.mu:.6g}, {tuned.L:.6g}] (kappa = {out['kappa']:.6g}), {how}:"
        )
        lines += [
            f"eta  = {t.eta:.10g}   (torch: lr)",
            f"beta = {t.beta:.10g}   (torch: momentum)",
            f"rate = {t.rate:.10g}",
        ]
    which = "given" if args.beta is not None else ("tuned" if t else "none given")
    edge = "none" if out["max_stable_lr"] is None else f"{tuned.max_stable_lr:.6g}"
    lines += [
        f"largest stable lr at momentum {tuned.beta:g} ({which}) for L = {tuned.L:.6g}: "
        f"lr < {edge} (the full-batch edge at these parameters)",
        "on a network, full-batch training below it often raises the sharpness until it "
        "reaches the edge for its lr and hovers there (the edge of stability, Cohen et al. "
        "2021; a quadratic's sharpness never moves)",
        f"warning: {tuned.warning}",
    ]
    return "\n".join(lines)
