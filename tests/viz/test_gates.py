"""Tests for rnncore.viz.gates: reading gates from the numpy LSTM cache, heatmaps, the diagram."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnncore.nn.lstm import lstm_forward_steps
from rnncore.viz.gates import draw_gru_cell, draw_lstm_cell, gates_from_cache, plot_gate_heatmaps


def _cache() -> dict:
    rng = np.random.default_rng(0)
    T, B, D, H = 6, 3, 2, 4
    w_ih, w_hh = rng.standard_normal((4 * H, D)), rng.standard_normal((4 * H, H))
    _, _, cache = lstm_forward_steps(rng.standard_normal((T, B, D)), None, None, w_ih, w_hh)
    return cache


def test_gates_from_cache_picks_one_sequence() -> None:
    cache = _cache()
    g = gates_from_cache(cache, b=2)
    assert list(g) == ["i", "f", "o", "c"]
    np.testing.assert_array_equal(g["f"], cache["f"][:, 2, :])
    assert g["c"].shape == (6, 4)
    with pytest.raises(KeyError, match="cache has no key 'z'"):
        gates_from_cache(cache, keys=("z",))
    with pytest.raises(ValueError, match=r"b must be in \[0, B=3\)"):
        gates_from_cache(cache, b=3)


def test_gates_from_cache_picks_units_in_order() -> None:
    cache = _cache()
    g = gates_from_cache(cache, b=1, keys=("f", "c"), units=[3, 0])
    np.testing.assert_array_equal(g["f"], cache["f"][:, 1, [3, 0]])
    assert g["c"].shape == (6, 2)
    with pytest.raises(
        ValueError, match=r"units must be a non-empty list of indices in \[0, H=4\)"
    ):
        gates_from_cache(cache, units=[4])
    with pytest.raises(ValueError, match="units must be a non-empty list"):
        gates_from_cache(cache, units=[])


def test_heatmaps_one_panel_per_gate_with_scales() -> None:
    g = gates_from_cache(_cache(), b=0, keys=("i", "f", "c"))
    fig = plot_gate_heatmaps(g, markers=[1, 4])
    panels = [ax for ax in fig.axes if ax.get_images()]
    assert len(panels) == 3
    assert panels[0].get_images()[0].get_clim() == (0.0, 1.0)  # sigmoid gate: fixed 0..1 scale
    lo, hi = panels[2].get_images()[0].get_clim()  # cell state: symmetric diverging scale
    assert lo == -hi and hi > 0
    assert panels[0].get_title() and "time step" in panels[-1].get_xlabel()
    (marks,) = panels[1].get_lines()  # the markers: triangles above the panel, off the image
    assert list(marks.get_xdata()) == [1, 4] and set(marks.get_ydata()) == {-0.5}
    assert marks.get_marker() == "v" and not marks.get_clip_on()
    np.testing.assert_array_equal(panels[1].get_images()[0].get_array(), g["f"].T)
    plt.close("all")


def test_heatmap_errors() -> None:
    with pytest.raises(ValueError, match="gates must be a non-empty mapping"):
        plot_gate_heatmaps({})
    with pytest.raises(ValueError, match=r"gates\['f'\] must have shape \(T, H\)"):
        plot_gate_heatmaps({"f": np.ones(3)})


def test_lstm_diagram_draws_four_gates() -> None:
    ax = draw_lstm_cell()
    texts = [t.get_text() for t in ax.texts]
    for gate in ("$f_t$", "$i_t$", "$g_t$", "$o_t$", "$c_{t-1}$", "$h_t$"):
        assert gate in texts
    assert "c_t" in ax.get_title()
    plt.close("all")


def test_heatmap_rows_can_carry_unit_labels() -> None:
    g = gates_from_cache(_cache(), keys=("c",), units=[2, 0])
    fig = plot_gate_heatmaps(g, unit_labels=[2, 0])
    (ax,) = [a for a in fig.axes if a.get_images()]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2", "0"]
    plt.close("all")


def test_gru_diagram_draws_three_gates_and_the_reset_product() -> None:
    ax = draw_gru_cell()
    texts = [t.get_text() for t in ax.texts]
    for label in ("$z_t$", "$r_t$", "$n_t$", "$h_{t-1}$", "$h_t$"):
        assert label in texts
    assert any("W_{hn} h_{t-1} + b_{hn}" in t for t in texts)  # the reset gate's place (PyTorch)
    assert "1 - z_t" in ax.get_title()
    plt.close("all")
