"""The timeline figure: one point per event at its year, titled, labelled, legend; errors."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from rnncore.study import history
from rnncore.viz.timeline import CATEGORY_COLOURS, plot_timeline


def test_one_point_per_event_at_its_year() -> None:
    ax = plot_timeline()
    points = [c.get_offsets()[0] for c in ax.collections]
    assert len(points) == len(history.EVENTS)
    assert [int(p[0]) for p in points] == [e.year for e in history.EVENTS]
    assert [int(p[1]) for p in points] == list(range(len(history.EVENTS)))
    texts = [t.get_text() for t in ax.texts]
    assert any("LSTM (Hochreiter & Schmidhuber, 1995)" in t for t in texts)
    assert ax.get_title() and ax.get_xlabel()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == list(history.CATEGORIES)
    plt.close(ax.figure)


def test_draws_on_a_given_axes_and_subset() -> None:
    fig, ax = plt.subplots()
    out = plot_timeline(history.events("revival"), ax=ax)
    assert out is ax and len(ax.collections) == len(history.events("revival"))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["revival"]
    plt.close(fig)


def test_colours_cover_every_category() -> None:
    assert set(CATEGORY_COLOURS) == set(history.CATEGORIES)


def test_errors() -> None:
    with pytest.raises(ValueError, match="events"):
        plot_timeline([])
    with pytest.raises(TypeError, match=r"events\[0\]"):
        plot_timeline(["LSTM"])  # type: ignore[list-item]
