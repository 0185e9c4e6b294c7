"""Tests for rnncore.viz.ctc: the lattice heatmap, per-frame posteriors and digit-string images."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnncore.viz.ctc import digit_string_image, frame_posteriors, lattice_heatmap


def test_lattice_heatmap_masks_unreachable_cells() -> None:
    values = np.log(np.random.default_rng(0).random((6, 5)))
    values[0, 2:] = -np.inf
    ax = lattice_heatmap(values, list("-a-b-"), title="alpha")
    assert ax.get_title() == "alpha" and ax.get_xlabel() == "frame t"
    data = ax.images[0].get_array()
    assert data.shape == (5, 6) and data.mask[2:, 0].all() and not data.mask[:2, 0].any()
    assert [t.get_text() for t in ax.get_yticklabels()][:2] == ["0: -", "1: a"]
    assert len(ax.figure.axes) == 2  # colour bar
    plt.close(ax.figure)


def test_frame_posteriors_draws_one_line_per_class() -> None:
    probs = np.full((10, 4), 0.25)
    ax = frame_posteriors(probs, [0, 2, 3], ["blank", "1", "2"], spans=[(2, 4)])
    assert len(ax.lines) == 3 and ax.lines[0].get_linestyle() == "--"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["blank", "1", "2"]
    assert len(ax.patches) == 1  # the shaded span
    plt.close(ax.figure)


def test_digit_string_image_outlines_spans() -> None:
    image = np.zeros((10, 30))
    ax = digit_string_image(image, title="07", spans=[(2, 10), (12, 20)], span_labels=["0", "7"])
    assert len(ax.patches) == 2 and [t.get_text() for t in ax.texts] == ["0", "7"]
    assert ax.get_title() == "07" and ax.get_xlabel() == "column"
    plt.close(ax.figure)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: lattice_heatmap(np.zeros(3), ["-"]), "non-empty 2-D"),
        (lambda: lattice_heatmap(np.zeros((3, 2)), ["-"]), "state_labels must have S'=2"),
        (lambda: lattice_heatmap(np.full((2, 2), np.nan), ["-", "a"]), "NaN"),
        (lambda: frame_posteriors(np.zeros((3, 2)), [0, 2], ["a", "b"]), r"ids in \[0, C=2\)"),
        (lambda: frame_posteriors(np.zeros((3, 2)), [0], ["a", "b"]), "names must match"),
        (lambda: digit_string_image(np.zeros((4, 4)), span_labels=["1"]), "span_labels needs"),
    ],
)
def test_bad_input(call, match) -> None:
    with pytest.raises(ValueError, match=match):
        call()
    plt.close("all")


def test_digit_string_image_in_frames() -> None:
    ax = digit_string_image(np.zeros((10, 30)), spans=[(2, 10)], stride=2)
    assert ax.get_xlabel() == "frame (2 columns)"
    assert ax.images[0].get_extent()[1] == pytest.approx(29.5 / 2)
    assert ax.patches[0].get_x() == pytest.approx(0.75) and ax.patches[0].get_width() == 4
    with pytest.raises(ValueError, match="stride must be a positive int"):
        digit_string_image(np.zeros((10, 30)), stride=0)
    plt.close("all")


def test_frame_posteriors_can_leave_the_legend_to_the_figure() -> None:
    ax = frame_posteriors(np.full((4, 2), 0.5), [0, 1], ["blank", "1"], legend=False)
    assert ax.get_legend() is None and len(ax.get_legend_handles_labels()[0]) == 2
    plt.close(ax.figure)
