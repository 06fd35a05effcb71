"""Fast, exact numerics of momentum on quadratics: rates, regions, simulations, plots.

The figures live in :mod:`numerics.plots` (imported on demand, so importing
``numerics`` does not import matplotlib; a result's ``.plot()`` draws it),
atomic output in :mod:`numerics.output`, and :mod:`numerics.testing`
(imported on its own) checks an optimiser of yours against the theory. The
Hessian spectrum of a PyTorch model (:func:`hessian_spectrum`) imports torch,
an optional extra, when it is called.
"""

from numerics.airfoil import (
    divergence_edge,
    gradient_noise_covariance,
    least_squares_quadratic,
    load_airfoil,
    noise_plateau,
    predicted_plateau,
    train_sgd,
)
from numerics.class_regions import (
    ClassRegions,
    ClassVerdict,
    class_regions,
    classify,
    cycle_lengths,
    cycle_margin,
    guaranteed_max_eta,
)
from numerics.divergence import Growth, growth
from numerics.edge_of_stability import SharpnessRun, chebyshev_problem, edge_of_stability
from numerics.envelope import Envelope, envelope
from numerics.grids import (
    NormalisedGrid,
    RateGrid,
    VolumeGrid,
    VolumeSummary,
    WorstCaseGrid,
    axis,
    best_for_spectrum,
    normalised_grid,
    rate_grid,
    volume_grid,
    volume_summary,
    worst_case_grid,
    worst_case_rate,
)
from numerics.hessian import HessianSpectrum, ModelError, hessian_spectrum
from numerics.lessard import LessardBasin, LessardRun, lessard_basin, run_lessard
from numerics.methods import NumericMethod, numeric_method
from numerics.minibatch import (
    LeastSquaresData,
    LinearStep,
    SecondMoment,
    finite_population_factor,
    least_squares_data,
    linear_step,
    second_moment,
)
from numerics.minibatch_edge import (
    EdgeTable,
    MinibatchTuning,
    edge_table,
    full_batch_max_stable_lr,
    minibatch_max_stable_lr,
    tune_by_batch,
    tune_minibatch,
)
from numerics.model_tuning import ModelTuning, tune_for_model
from numerics.noise import (
    MonteCarlo,
    monte_carlo_variance,
    stationary_covariance,
    stationary_variance,
)
from numerics.output.files import OutputError, atomic_directory, save_figure, write_text
from numerics.performance import WorstCase, quadratic_worst_case, worst_case
from numerics.rates import (
    REGIMES,
    eigenvalues,
    max_stable_eta,
    max_stable_lam,
    regime,
    spectral_radius,
    stable,
)
from numerics.regimes import RegimeBoundary, Verdict, regime_boundaries, verdict
from numerics.regression_file import load_regression
from numerics.seeds import SeedPlateau, SeedRuns, train_seeds
from numerics.simulate import D2L_LAMS, D2L_X0, Trajectory, d2l_line, simulate, simulate_d2l
from numerics.tuning import NumericTuning, exact_tuning, tune_closed_form, tune_numeric

#: modules of this package that are not its API and stay out of the reference: the input
#: checks every module shares (numerics._generated_methods is private by its name)
_INTERNAL = ("checks",)

__all__ = [
    "EdgeTable",
    "LeastSquaresData",
    "LinearStep",
    "MinibatchTuning",
    "SecondMoment",
    "edge_table",
    "finite_population_factor",
    "full_batch_max_stable_lr",
    "least_squares_data",
    "linear_step",
    "load_regression",
    "minibatch_max_stable_lr",
    "second_moment",
    "tune_by_batch",
    "tune_minibatch",
    "MonteCarlo",
    "divergence_edge",
    "gradient_noise_covariance",
    "least_squares_quadratic",
    "load_airfoil",
    "monte_carlo_variance",
    "noise_plateau",
    "predicted_plateau",
    "stationary_covariance",
    "stationary_variance",
    "train_sgd",
    "WorstCase",
    "ClassRegions",
    "ClassVerdict",
    "LessardBasin",
    "LessardRun",
    "class_regions",
    "classify",
    "cycle_lengths",
    "cycle_margin",
    "guaranteed_max_eta",
    "lessard_basin",
    "run_lessard",
    "quadratic_worst_case",
    "worst_case",
    "D2L_LAMS",
    "D2L_X0",
    "REGIMES",
    "NormalisedGrid",
    "NumericMethod",
    "NumericTuning",
    "OutputError",
    "Envelope",
    "Growth",
    "HessianSpectrum",
    "ModelError",
    "ModelTuning",
    "RateGrid",
    "RegimeBoundary",
    "Verdict",
    "SeedPlateau",
    "SeedRuns",
    "SharpnessRun",
    "Trajectory",
    "VolumeGrid",
    "VolumeSummary",
    "WorstCaseGrid",
    "atomic_directory",
    "axis",
    "best_for_spectrum",
    "chebyshev_problem",
    "d2l_line",
    "edge_of_stability",
    "eigenvalues",
    "envelope",
    "max_stable_eta",
    "max_stable_lam",
    "normalised_grid",
    "numeric_method",
    "rate_grid",
    "growth",
    "hessian_spectrum",
    "regime",
    "regime_boundaries",
    "verdict",
    "save_figure",
    "simulate",
    "simulate_d2l",
    "spectral_radius",
    "stable",
    "exact_tuning",
    "tune_closed_form",
    "tune_for_model",
    "tune_numeric",
    "train_seeds",
    "volume_grid",
    "volume_summary",
    "worst_case_grid",
    "worst_case_rate",
    "write_text",
]
