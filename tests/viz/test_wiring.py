"""The stacked/bidirectional wiring diagram: one node per state, and h_n labels where torch puts
them (checked against torch.nn.GRU)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch

from rnncore.viz.wiring import draw_stacked, final_states


def count(ax, gid: str) -> int:
    return sum(1 for p in ax.patches if p.get_gid() == gid)


@pytest.mark.parametrize(("L", "bidirectional"), [(1, False), (2, False), (2, True), (3, True)])
def test_final_states_are_where_torch_puts_h_n(L: int, bidirectional: bool) -> None:
    T, B, D, H = 4, 2, 3, 5
    torch.manual_seed(0)
    gru = torch.nn.GRU(D, H, num_layers=L, bidirectional=bidirectional).double()
    x = torch.randn(T, B, D, dtype=torch.float64)
    _, h_n = gru(x)
    # each layer's output sequence, from single-layer GRUs holding that layer's weights
    inp, outputs = x, []
    for layer in range(L):
        one = torch.nn.GRU(inp.shape[-1], H, bidirectional=bidirectional).double()
        with torch.no_grad():
            for name, _ in one.named_parameters():
                getattr(one, name).copy_(getattr(gru, name.replace("l0", f"l{layer}")))
        inp, _ = one(inp)
        outputs.append(inp)
    positions = final_states(L, bidirectional, T)
    assert sorted(positions) == list(range(h_n.shape[0]))
    for k, (layer, direction, t) in positions.items():
        half = outputs[layer][t - 1, :, direction * H : (direction + 1) * H]
        torch.testing.assert_close(h_n[k], half)


@pytest.mark.parametrize(("L", "bidirectional", "T"), [(1, False, 3), (2, True, 3), (3, True, 2)])
def test_diagram_draws_every_state_and_labels_every_h_n_row(L, bidirectional, T) -> None:
    ax = draw_stacked(L, bidirectional, T)
    dirs = 2 if bidirectional else 1
    assert count(ax, "node") == T * (1 + L * dirs + 1)  # inputs, states, outputs
    assert count(ax, "concat") == (T * L if bidirectional else 0)
    # vertical arrows: one into each layer and one to the output per step; recurrent ones
    assert count(ax, "edge") == T * (L + 1) + L * dirs * (T - 1)
    labels = sorted(t.get_text() for t in ax.texts if t.get_gid() == "h_n")
    assert labels == sorted(f"h_n[{k}]" for k in range(L * dirs))
    assert f"T = {T}" in ax.get_title() and "h_n" in ax.get_title()


def test_diagram_draws_on_a_given_axes_and_rejects_bad_sizes() -> None:
    _, ax = plt.subplots()
    assert draw_stacked(1, True, 2, ax=ax) is ax
    with pytest.raises(ValueError, match="num_layers must be a positive int"):
        draw_stacked(0)
    with pytest.raises(ValueError, match="T must be a positive int"):
        final_states(2, True, 0)
