from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from rnncore.viz.unrolled import PATTERNS, draw_folded_and_unrolled, draw_pattern, draw_patterns


def count(ax, gid: str) -> int:
    return sum(1 for p in ax.patches if p.get_gid() == gid)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("T", [1, 3, 5])
def test_unrolled_graph_has_three_nodes_and_three_edges_per_step(T: int) -> None:
    ax = draw_folded_and_unrolled(T)
    # folded: x, h, y, two edges and the self-loop; unrolled: h_0, then 3 nodes and 3 edges per step
    assert count(ax, "node") == 3 + 1 + 3 * T
    assert count(ax, "edge") == 3 + 3 * T
    texts = [t.get_text() for t in ax.texts]
    assert texts.count(r"$W_{hh}$") == 1 + T  # the same recurrent matrix at every step
    assert rf"$h_{T}$" in texts and r"$h_0$" in texts
    # outputs are predictions, y-hat; y_t is the target in the rest of the book
    assert rf"$\hat{{y}}_{T}$" in texts and r"$\hat{y}_t$" in texts
    assert not any(t.startswith("$y_") for t in texts)
    assert f"T = {T}" in ax.get_title()


def test_unrolled_draws_on_a_given_axes_and_rejects_bad_T() -> None:
    _, ax = plt.subplots()
    assert draw_folded_and_unrolled(2, ax=ax) is ax
    for bad in (0, -1, 2.5):
        with pytest.raises(ValueError, match="T must be a positive int"):
            draw_folded_and_unrolled(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", list(PATTERNS))
def test_pattern_draws_one_node_per_flag(name: str) -> None:
    inp, out, dec = PATTERNS[name]
    ax = draw_pattern(inp, out, dec, title=name)
    n = len(inp)
    assert count(ax, "node") == n + sum(inp) + sum(out)
    assert count(ax, "edge") == (n - 1) + sum(inp) + sum(out)
    assert ax.get_title() == name


def test_patterns_figure_and_errors() -> None:
    fig = draw_patterns()
    assert len(fig.axes) == 4
    assert "many-to-one" in fig.axes[0].get_title()
    assert len(fig.legends) == 1 and len(fig.legends[0].get_texts()) == 4
    with pytest.raises(ValueError, match="axes must hold 4 Axes, got 2"):
        draw_patterns(axes=plt.subplots(1, 2)[1])
    with pytest.raises(ValueError, match="equal length, got 2 and 3"):
        draw_pattern([1, 1], [0, 0, 1])
    with pytest.raises(ValueError, match="is_decoder must have length 2, got 1"):
        draw_pattern([1, 1], [0, 1], [1])
