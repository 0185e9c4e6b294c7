"""The encoder-decoder diagram: every state drawn, one attention edge per source position with
width growing with its weight, and bad arguments rejected."""

from __future__ import annotations

import pytest

from rnncore.viz.encoder_decoder import draw_encoder_decoder


def patches(ax, gid: str) -> list:
    return [p for p in ax.patches if p.get_gid() == gid]


def test_attention_diagram_has_every_node_and_weighted_edges() -> None:
    S, T = 5, 3
    alpha = [0.05, 0.1, 0.6, 0.2, 0.05]
    ax = draw_encoder_decoder(S, T, step=2, alpha=alpha)
    # x_j and h_j; s_0; per step input, state, output; the context
    assert len(patches(ax, "node")) == 2 * S + 1 + 3 * T + 1
    edges = patches(ax, "attention")
    assert len(edges) == S
    widths = [e.get_linewidth() for e in edges]
    assert widths.index(max(widths)) == alpha.index(max(alpha))
    texts = [t.get_text() for t in ax.texts]
    assert r"$c_2$" in texts and r"$s_0$" in texts and r"$\langle sos\rangle$" in texts
    assert "step 2" in ax.get_title()


def test_without_attention_one_summary_feeds_every_step() -> None:
    ax = draw_encoder_decoder(4, 3, attention=False)
    assert not patches(ax, "attention")
    assert r"$c$" in [t.get_text() for t in ax.texts]
    assert "without attention" in ax.get_title()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"S": 0}, "S must be a positive int"),
        ({"T": 2, "step": 3}, r"step must be in \[1, T=2\]"),
        ({"S": 3, "alpha": [0.5, 0.5]}, "alpha must hold S=3"),
        ({"S": 2, "alpha": [0.7, 0.7]}, "summing to 1"),
    ],
)
def test_bad_arguments_are_rejected(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        draw_encoder_decoder(**kwargs)
