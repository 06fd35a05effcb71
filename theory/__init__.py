"""Symbolic theory of momentum on quadratics: checked derivations, printable as LaTeX.

Every derivation is a list of steps whose claims SymPy verifies before they
can be printed (see :mod:`theory.engine.derivation`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from theory.counterexample import derive_counterexample
    from theory.decoupling import derive_decoupling, eigen_decomposition
    from theory.document import TOPICS, derive, derive_all, latex_document
    from theory.engine.claims import agrees_at, power_identity, solves
    from theory.engine.derivation import Derivation, Step, equivalent, identity
    from theory.engine.named import Named, defined
    from theory.engine.printing import Written
    from theory.errors import ClaimError, DataError, MomentumError, NotSPDError, ParameterError
    from theory.gradient_descent import derive_gd
    from theory.linear import derive_method
    from theory.methods import (
        GRADIENT_DESCENT,
        HEAVY_BALL,
        NESTEROV,
        NESTEROV_SUTSKEVER,
        QHM,
        TORCH_SGD,
        TORCH_SGD_NESTEROV,
        Method,
        builtin_methods,
        characteristic_polynomial,
        get_method,
        state_matrix,
        step_map,
        torch_sgd,
    )
    from theory.minibatch import derive_minibatch, minibatch_moment_matrix
    from theory.momentum import (
        critical_damping,
        derive_damping,
        derive_momentum,
        momentum_matrix,
        spectral_radius_expr,
    )
    from theory.nesterov import derive_nesterov
    from theory.noise import derive_noise, variance_formula
    from theory.quadratic import as_spd_matrix, derive_minimizer, minimizer, minimum
    from theory.stability import derive_stability, schur_cohn_conditions
    from theory.tuning import Tuning, derive_tuning, optimal_parameters, tuned_formulas
    from theory.weights import derive_weights, leaky_average

__all__ = [
    "GRADIENT_DESCENT",
    "HEAVY_BALL",
    "NESTEROV",
    "NESTEROV_SUTSKEVER",
    "QHM",
    "TORCH_SGD",
    "TORCH_SGD_NESTEROV",
    "builtin_methods",
    "derive_method",
    "derive_minibatch",
    "minibatch_moment_matrix",
    "derive_nesterov",
    "derive_noise",
    "variance_formula",
    "derive_counterexample",
    "TOPICS",
    "ClaimError",
    "DataError",
    "Derivation",
    "Method",
    "MomentumError",
    "NotSPDError",
    "ParameterError",
    "Step",
    "Tuning",
    "Written",
    "as_spd_matrix",
    "characteristic_polynomial",
    "critical_damping",
    "derive",
    "derive_all",
    "derive_damping",
    "derive_decoupling",
    "derive_gd",
    "derive_minimizer",
    "derive_momentum",
    "derive_stability",
    "derive_tuning",
    "derive_weights",
    "eigen_decomposition",
    "equivalent",
    "get_method",
    "agrees_at",
    "defined",
    "Named",
    "power_identity",
    "solves",
    "identity",
    "latex_document",
    "leaky_average",
    "minimizer",
    "minimum",
    "momentum_matrix",
    "optimal_parameters",
    "schur_cohn_conditions",
    "spectral_radius_expr",
    "state_matrix",
    "step_map",
    "torch_sgd",
    "tuned_formulas",
]

#: where each public name lives; imported on first use, so importing
#: ``theory.errors`` (as the numerics do) does not import SymPy
_WHERE = {
    "derive_decoupling": "theory.decoupling",
    "eigen_decomposition": "theory.decoupling",
    "Derivation": "theory.engine.derivation",
    "Step": "theory.engine.derivation",
    "equivalent": "theory.engine.derivation",
    "agrees_at": "theory.engine.claims",
    "power_identity": "theory.engine.claims",
    "solves": "theory.engine.claims",
    "Named": "theory.engine.named",
    "defined": "theory.engine.named",
    "identity": "theory.engine.derivation",
    "TOPICS": "theory.document",
    "derive": "theory.document",
    "derive_all": "theory.document",
    "latex_document": "theory.document",
    "ClaimError": "theory.errors",
    "DataError": "theory.errors",
    "MomentumError": "theory.errors",
    "NotSPDError": "theory.errors",
    "ParameterError": "theory.errors",
    "derive_gd": "theory.gradient_descent",
    "derive_method": "theory.linear",
    "GRADIENT_DESCENT": "theory.methods",
    "HEAVY_BALL": "theory.methods",
    "NESTEROV": "theory.methods",
    "NESTEROV_SUTSKEVER": "theory.methods",
    "QHM": "theory.methods",
    "TORCH_SGD": "theory.methods",
    "TORCH_SGD_NESTEROV": "theory.methods",
    "Method": "theory.methods",
    "builtin_methods": "theory.methods",
    "characteristic_polynomial": "theory.methods",
    "get_method": "theory.methods",
    "state_matrix": "theory.methods",
    "step_map": "theory.methods",
    "torch_sgd": "theory.methods",
    "critical_damping": "theory.momentum",
    "derive_damping": "theory.momentum",
    "derive_momentum": "theory.momentum",
    "momentum_matrix": "theory.momentum",
    "spectral_radius_expr": "theory.momentum",
    "derive_minibatch": "theory.minibatch",
    "minibatch_moment_matrix": "theory.minibatch",
    "derive_nesterov": "theory.nesterov",
    "derive_noise": "theory.noise",
    "variance_formula": "theory.noise",
    "derive_counterexample": "theory.counterexample",
    "Written": "theory.engine.printing",
    "as_spd_matrix": "theory.quadratic",
    "derive_minimizer": "theory.quadratic",
    "minimizer": "theory.quadratic",
    "minimum": "theory.quadratic",
    "derive_stability": "theory.stability",
    "schur_cohn_conditions": "theory.stability",
    "Tuning": "theory.tuning",
    "derive_tuning": "theory.tuning",
    "optimal_parameters": "theory.tuning",
    "tuned_formulas": "theory.tuning",
    "derive_weights": "theory.weights",
    "leaky_average": "theory.weights",
}


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'theory' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
