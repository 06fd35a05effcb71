"""Symbolic theory of momentum on quadratics: checked derivations, printable as LaTeX.

Every derivation is a list of steps whose claims SymPy verifies before they
can be printed (see :mod:`theory.derivation`).
"""

from theory.decoupling import derive_decoupling, eigen_decomposition
from theory.derivation import Derivation, Step, equivalent, holds, identity
from theory.document import TOPICS, derive, derive_all, latex_document
from theory.errors import ClaimError, MomentumError, NotSPDError, ParameterError
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
from theory.momentum import (
    critical_damping,
    derive_damping,
    derive_momentum,
    momentum_matrix,
    spectral_radius_expr,
)
from theory.nesterov import derive_nesterov
from theory.noise import derive_noise, variance_formula
from theory.printing import Written
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
    "derive_nesterov",
    "derive_noise",
    "variance_formula",
    "TOPICS",
    "ClaimError",
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
    "holds",
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
