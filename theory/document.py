"""All derivations by topic, and a standalone LaTeX document of them.

Examples
--------
>>> sorted(TOPICS)
['counterexample', 'damping', 'decoupling', 'gd', 'minibatch', 'minimizer', 'momentum', 'nesterov', 'noise', 'stability', 'tuning', 'weights']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from theory.counterexample import derive_counterexample
from theory.decoupling import derive_decoupling
from theory.engine.derivation import Derivation
from theory.errors import ParameterError
from theory.gradient_descent import derive_gd
from theory.linear import derive_method
from theory.methods import get_method
from theory.minibatch import derive_minibatch
from theory.momentum import derive_damping, derive_momentum
from theory.nesterov import derive_nesterov
from theory.noise import derive_noise
from theory.quadratic import derive_minimizer
from theory.stability import derive_stability
from theory.tuning import derive_tuning
from theory.weights import derive_weights

__all__ = ["TOPICS", "Derivations", "derive", "derive_all", "latex_document"]

#: topic name -> a function of (method, Q, c, b) building its derivation
TOPICS: dict[str, Callable[..., Derivation]] = {
    "minimizer": lambda method, Q, c, b: derive_minimizer(Q, c, b),
    "decoupling": lambda method, Q, c, b: derive_decoupling(Q),
    "gd": lambda method, Q, c, b: derive_gd(),
    "momentum": lambda method, Q, c, b: _method_derivation(method),
    "stability": lambda method, Q, c, b: derive_stability(method),
    "damping": lambda method, Q, c, b: derive_damping(),
    "tuning": lambda method, Q, c, b: _tuning_derivation(method),
    "weights": lambda method, Q, c, b: derive_weights(),
    "nesterov": lambda method, Q, c, b: derive_nesterov(),
    "noise": lambda method, Q, c, b: derive_noise(),
    "minibatch": lambda method, Q, c, b: derive_minibatch(),
    "counterexample": lambda method, Q, c, b: derive_counterexample(),
}


def _method_derivation(method) -> Derivation:
    m = get_method(method)
    return derive_momentum() if m.name == "heavy_ball" else derive_method(m)


def _tuning_derivation(method) -> Derivation:
    name = get_method(method).name
    if name == "gd":
        return derive_gd()
    if name in ("nesterov", "nesterov_sutskever"):
        return derive_nesterov()
    if name == "heavy_ball":
        return derive_tuning()
    return Derivation(
        title=f"Tuning of {name.replace('_', ' ')}",
        steps=(),
        remarks=(
            f"No closed-form tuning is derived for {name.replace('_', ' ')}: it is tuned "
            f"numerically (momentum tune --method {name.replace('_', '-')}, or "
            "numerics.tune_numeric).",
        ),
    )


def derive(topic: str, /, *, method: str = "heavy_ball", Q=None, c=None, b=None) -> Derivation:
    r"""The derivation of one topic, every step checked by SymPy before it is returned.

    Parameters
    ----------
    topic : str
        One of :data:`TOPICS`: ``minimizer``, ``decoupling``, ``gd``,
        ``momentum``, ``stability``, ``damping``, ``tuning``, ``weights``,
        ``nesterov``, ``noise``, ``minibatch``, ``counterexample``.
    method : str
        The method for ``momentum``, ``stability`` and ``tuning`` (``heavy_ball``,
        ``gd``, ``nesterov``, ``qhm``, ...).
    Q, c, b : optional
        A concrete quadratic for ``minimizer`` (all three) and ``decoupling``
        (``Q``): exact for integers and fractions. Default: symbolic dimension n.

    Returns
    -------
    Derivation
        Its steps (each a checked claim and its sentence), its ``results`` (each
        the right-hand side of the step that names it) and remarks; ``str`` of
        it is reader's text, :meth:`~theory.Derivation.to_latex` and
        :meth:`~theory.Derivation.to_markdown` print it, and Jupyter shows it
        typeset.

    Raises
    ------
    ParameterError
        For an unknown topic or method, or a ``Q`` that is not symmetric
        positive definite.

    Examples
    --------
    >>> d = derive("stability")
    >>> d.results["max_stable_lam"]
    2*(beta + 1)/eta
    >>> print(d.steps[-1].plain)
    p(−1) = 0 ⟺ λ = 2(β + 1)/η
    >>> derive("minimizer", Q=[[2, 0], [0, 4]], c=[2, 4], b=3).results["minimum"]
    0
    """
    if topic not in TOPICS:
        raise ParameterError(f"'topic' must be one of {', '.join(TOPICS)}: {topic!r}")
    return TOPICS[topic](method, Q, c, b)


class Derivations(dict):
    """Derivations by topic, in reading order: a ``dict`` that Jupyter shows typeset, one
    derivation after another (as each :class:`~theory.Derivation` shows itself)."""

    def _repr_markdown_(self) -> str:
        return "\n".join(d.to_markdown() for d in self.values())


def derive_all(*, method: str = "heavy_ball", Q=None, c=None, b=None) -> Derivations:
    """Every topic's derivation, in reading order (see :func:`derive`).

    Examples
    --------
    >>> derivations = derive_all()
    >>> list(derivations)[:3], derivations["gd"].results["eta_opt"]
    (['minimizer', 'decoupling', 'gd'], 2/(L + mu))
    """
    return Derivations({topic: derive(topic, method=method, Q=Q, c=c, b=b) for topic in TOPICS})


_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage{amsmath,amssymb}
\allowdisplaybreaks
\title{%s}
\date{}
\begin{document}
\maketitle
"""


def latex_document(
    derivations: Iterable[Derivation], title: str = "Momentum on quadratics: checked derivations"
) -> str:
    """A standalone LaTeX document (amsmath and amssymb only) of the derivations."""
    body = "\n".join(d.to_latex() for d in derivations)
    return _PREAMBLE % title + body + "\n\\end{document}\n"
