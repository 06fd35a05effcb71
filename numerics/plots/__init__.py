"""The toolkit's figures: a layer above the computing modules of :mod:`numerics`.

Every function takes ``ax=None`` (or axes), draws what it is given and
returns its artists; none calls ``plt.show()``. matplotlib is imported
inside the functions, so importing this package is light.

- :mod:`numerics.plots.maps`: maps over (eta, beta): stability region, rate
  map, stability volume, worst case over a spectrum;
- :mod:`numerics.plots.curves`: D2L's traces, effective weights, gradient
  descent's decay, a run against its envelope;
- :mod:`numerics.plots.comparison`: figures that compute what they draw
  (methods side by side, tuned rate against kappa, exercise 2's decays);
- :mod:`numerics.plots.noise`: stationary variance, loss curves, the
  divergence edge of training;
- :mod:`numerics.plots.minibatch`: the minibatch theory: the largest stable
  lr against batch size, the plateau against lr, tuning by batch size;
- :mod:`numerics.plots.beyond`: beyond quadratics: Lessard's cycle and its
  basin, heavy ball's regions on every smooth strongly convex function;
- :mod:`numerics.plots.edge`: the edge of stability of a network, sharpness
  and loss against step;
- :mod:`numerics.plots.style` and :mod:`numerics.plots.level_sets`: the
  conventions every figure shares, and the exact level lines of the rate.

Computing modules never import this package at module level; a result's
``.plot()`` imports the function that draws it.
"""

from numerics.plots.beyond import (
    plot_class_regions,
    plot_lessard_basin,
    plot_lessard_phase,
    plot_lessard_run,
)
from numerics.plots.comparison import (
    plot_eigen_decay,
    plot_exercise2,
    plot_method_rate_maps,
    plot_rate_vs_kappa,
    plot_stability_edges,
)
from numerics.plots.curves import (
    plot_envelope,
    plot_gd_decay,
    plot_trace_2d,
    plot_weights,
    trace_frame,
)
from numerics.plots.edge import plot_edge_of_stability
from numerics.plots.maps import (
    critical_curves,
    plot_rate_map,
    plot_region,
    plot_volume,
    plot_volume_surface,
    plot_worst_case,
)
from numerics.plots.minibatch import (
    plot_edge_vs_batch,
    plot_plateau_vs_lr,
    plot_runs,
    plot_tuned_vs_batch,
    run_keys,
)
from numerics.plots.noise import (
    plot_divergence,
    plot_divergence_overview,
    plot_losses,
    plot_plateaus,
    plot_seed_band,
    plot_variance_vs_beta,
    variance_curves,
)

__all__ = [
    "plot_edge_vs_batch",
    "plot_plateau_vs_lr",
    "plot_runs",
    "plot_tuned_vs_batch",
    "run_keys",
    "plot_class_regions",
    "plot_lessard_basin",
    "plot_lessard_phase",
    "plot_lessard_run",
    "critical_curves",
    "plot_divergence",
    "plot_divergence_overview",
    "plot_edge_of_stability",
    "plot_eigen_decay",
    "plot_envelope",
    "plot_exercise2",
    "plot_gd_decay",
    "plot_losses",
    "plot_method_rate_maps",
    "plot_plateaus",
    "plot_rate_map",
    "plot_rate_vs_kappa",
    "plot_region",
    "plot_seed_band",
    "plot_stability_edges",
    "plot_trace_2d",
    "plot_variance_vs_beta",
    "plot_volume",
    "plot_volume_surface",
    "plot_weights",
    "plot_worst_case",
    "trace_frame",
    "variance_curves",
]
