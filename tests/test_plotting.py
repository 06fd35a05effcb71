import numpy as np
import pytest

from numerics import plotting
from numerics.files import OutputError, save_figure
from numerics.grids import normalised_grid, rate_grid, volume_grid, worst_case_grid
from numerics.simulate import simulate, simulate_d2l


def _labelled(ax):
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


def test_region_has_exact_boundary():
    g = rate_grid(np.linspace(0.01, 4, 50), np.linspace(0, 0.99, 40), 2.0)
    art = g.plot()
    _labelled(art["ax"])
    x, y = art["boundary"].get_data()
    np.testing.assert_allclose(x, 2 * (1 + y) / 2.0, rtol=1e-6)


def test_rate_map_has_damping_curves_edge_and_regimes():
    art = normalised_grid(np.linspace(0.01, 4, 60), np.linspace(0, 0.99, 40)).plot()
    _labelled(art["ax"])
    assert len(art["critical"]) == 2
    texts = {t.get_text() for t in art["ax"].texts}
    assert {"ripples", "monotone", "oscillating", "divergent"} <= texts
    x, y = art["edge"].get_data()
    np.testing.assert_allclose(x, 2 * (1 + y), rtol=1e-6)


def test_volume_slices():
    art = volume_grid(
        np.linspace(0.01, 4, 40), np.linspace(0, 0.99, 30), np.linspace(0.5, 2, 4)
    ).plot(slices=4)
    assert len(art["slices"]) == 4 and len(art["legend"].get_texts()) == 4


def test_worst_case_marks_best():
    art = worst_case_grid(np.linspace(0.01, 1, 30), np.linspace(0, 0.99, 20), 1, 10).plot()
    assert "best" in art["legend"].get_texts()[0].get_text()


def test_trace_2d():
    run = simulate_d2l(0.6, 0.5)
    art = run.plot()
    _labelled(art["ax"])
    assert art["path"].get_xydata().shape == (21, 2)


@pytest.mark.parametrize("fn, n", [(plotting.plot_weights, 4), (plotting.plot_gd_decay, 4)])
def test_seed_curves(fn, n):
    art = fn()
    assert len(art["lines"]) == n and len(art["legend"].get_texts()) == n
    _labelled(art["ax"])


def test_weights_values():
    art = plotting.plot_weights()
    y = art["lines"][1].get_ydata()
    np.testing.assert_allclose(y, 0.9 ** np.arange(40))


def test_envelope_bounds_the_run():
    run = simulate(0.5, 0.5, lams=[1.5], x0=[1.0], steps=30)
    art = plotting.plot_envelope(run, 1.5)
    sim, env = art["simulated"].get_ydata(), art["envelope"].get_ydata()
    assert (sim <= env * (1 + 1e-9) + 1e-300).all()


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_save_formats(tmp_path, suffix):
    art = plotting.plot_weights()
    path = save_figure(art["ax"].figure, tmp_path / f"w.{suffix}")
    assert path.stat().st_size > 1000


def test_save_unknown_format_leaves_nothing(tmp_path):
    art = plotting.plot_weights()
    with pytest.raises(OutputError, match="unsupported figure format"):
        save_figure(art["ax"].figure, tmp_path / "w.xyz")
    assert list(tmp_path.iterdir()) == []
