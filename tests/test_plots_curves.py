"""The curve figures show what their captions say: markers, windows, divergent cases, parameters."""

import numpy as np
import pytest

from numerics.plots import curves
from numerics.simulate import simulate, simulate_d2l
from tests.figure_checks import fonts_readable, legend_labels, legends_clear


def _integer_ticks(ax):
    ticks = ax.get_xticks()
    assert np.allclose(ticks, np.round(ticks))


def test_trace_marks_start_and_minimum_and_names_the_method():
    run = simulate_d2l(0.6, 0.5)
    art = run.plot(subtitle="epoch 20, x1: 0.007188, x2: 0.002553")
    ax = art["ax"]
    assert art["path"].get_xydata().shape == (21, 2)
    np.testing.assert_allclose(art["minimum"].get_xydata(), [[0.0, 0.0]])
    np.testing.assert_allclose(art["start"].get_xydata(), [[-5.0, -2.0]])
    title = ax.get_title()
    assert title.startswith("Heavy ball") and r"\eta = 0.6" in title and r"\beta = 0.5" in title
    assert "epoch 20" in title
    # a converging run is framed whole
    pts = art["path"].get_xydata()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 <= pts[:, 0].min() and pts[:, 0].max() <= x1
    assert y0 <= pts[:, 1].min() and pts[:, 1].max() <= y1
    assert {"start (step 0)", r"minimum $x^*$"} <= set(legend_labels(art["legend"]))
    legends_clear(ax.figure)
    fonts_readable(ax.figure)


def test_gradient_descent_trace_says_it_diverges():
    art = simulate_d2l(0.6, 0.0, method="gd").plot()
    assert "Gradient descent" in art["ax"].get_title() and "diverges" in art["ax"].get_title()


def test_weights_are_stems_with_their_window():
    betas = (0.9, 0.6)
    art = curves.plot_weights(betas=betas, T=30)
    ax = art["ax"]
    for dots, window, b in zip(art["lines"], art["windows"], betas, strict=True):
        assert dots.get_linestyle() == "None"  # discrete weights as markers
        np.testing.assert_allclose(dots.get_ydata(), b ** np.arange(30))
        assert window.get_xdata()[0] == pytest.approx(1 / (1 - b))
    assert all("1/(1-\\beta)" in t for t in legend_labels(art["legend"]))
    # the legend draws each window's dashed line, in its beta's colour, beside the stem's dot
    from matplotlib.lines import Line2D

    keys = [(h.get_linestyle(), h.get_color()) for h in art["legend"].findobj(Line2D)]
    for dots, window in zip(art["lines"], art["windows"], strict=True):
        assert ("None", dots.get_color()) in keys
        assert ("--", window.get_color()) in keys
    assert "dashed" in art["legend"].get_title().get_text()
    _integer_ticks(ax)
    legends_clear(ax.figure)
    fonts_readable(ax.figure)


def test_gd_decay_shows_a_divergent_case_on_integer_steps():
    art = curves.plot_gd_decay(eta=0.1, lams=(1.0, 19.0, 20.5), T=20)
    ax = art["ax"]
    div = art["lines"][-1]
    np.testing.assert_allclose(div.get_ydata(), (1 - 2.05) ** np.arange(21))
    assert abs(div.get_ydata()[-1]) > 1 and "diverges" in legend_labels(art["legend"])[-1]
    assert "oscillates" in legend_labels(art["legend"])[1]
    _integer_ticks(ax)
    legends_clear(ax.figure)
    fonts_readable(ax.figure)


def test_envelope_draws_the_tight_bound_and_states_its_parameters():
    run = simulate(0.5, 0.5, lams=[1.5], x0=[1.0], steps=30)
    art = curves.plot_envelope(run, 1.5)
    sim, env = art["simulated"].get_ydata(), art["envelope"].get_ydata()
    # heavy ball's rate here is sqrt(beta); C from numpy's eigenvectors of R, start (v, x) = (0, 1)
    R = np.array([[0.5, 1.5], [-0.25, 1 - 0.75]])
    _, U = np.linalg.eig(R)
    C = np.abs(np.linalg.solve(U, [0.0, 1.0]) * U[1]).sum()
    np.testing.assert_allclose(env, C * np.sqrt(0.5) ** np.arange(31), rtol=1e-9)
    assert (sim <= env * (1 + 1e-9) + 1e-300).all()
    title = art["ax"].get_title()
    assert all(s in title for s in (r"\eta = 0.5", r"\beta = 0.5", r"\lambda = 1.5"))
    assert f"C = {C:.3g}" in legend_labels(art["legend"])[1]
    legends_clear(art["ax"].figure)
    fonts_readable(art["ax"].figure)


def test_power_labels():
    assert [curves.power_label(i) for i in range(4)] == ["1", "1/2", "1/4", "1/8"]


def test_trace_frame_holds_every_converging_run_and_ignores_a_diverging_one():
    runs = [simulate_d2l(0.4, 0.0, method="gd"), simulate_d2l(0.6, 0.0, method="gd")]
    runs.append(simulate_d2l(0.6, 0.25))
    (x0, x1), (y0, y1) = curves.trace_frame(runs)
    converging = np.concatenate([r.x[:, 0, :] for r in runs if not r.diverged[0]])
    assert runs[1].diverged[0] and not runs[2].diverged[0]
    assert x0 <= converging[:, 0].min() and converging[:, 0].max() <= x1
    assert y0 <= converging[:, 1].min() and converging[:, 1].max() <= y1
    assert y1 < 5  # the diverging run (x2 near -1673 at the end) does not stretch it
    # the default frame is kept where the runs stay inside it
    assert curves.trace_frame([])[0] == (-5.5, 1.0)
