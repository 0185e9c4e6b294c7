from __future__ import annotations

import pytest
import torch

from rnncore.models.cells import LSTMCellScratch, ScratchLSTM


@pytest.mark.parametrize("bias", [True, False])
def test_scratch_lstm_equals_torch_lstm_forward_and_gradients(bias: bool) -> None:
    torch.manual_seed(0)
    T, B, D, H = 7, 3, 4, 5
    ref = torch.nn.LSTM(D, H, bias=bias).double()
    mine = ScratchLSTM.from_torch(ref)
    x = torch.randn(T, B, D, dtype=torch.float64)
    h0 = torch.randn(1, B, H, dtype=torch.float64)
    c0 = torch.randn(1, B, H, dtype=torch.float64)
    weights = torch.randn(T, B, H, dtype=torch.float64)  # a loss that touches every output

    results = []
    for model in (ref, mine):
        xs, hs, cs = (t.clone().requires_grad_() for t in (x, h0, c0))
        out, (h_n, c_n) = model(xs, (hs, cs))
        loss = (out * weights).sum() + h_n.pow(2).sum() + c_n.sum()
        grads = torch.autograd.grad(loss, [xs, hs, cs, *model.parameters()])
        results.append((out, h_n, c_n, grads))
    (out_a, h_a, c_a, g_a), (out_b, h_b, c_b, g_b) = results
    torch.testing.assert_close(out_b, out_a, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(h_b, h_a, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(c_b, c_a, rtol=1e-12, atol=1e-12)
    assert len(g_a) == len(g_b) == 3 + (4 if bias else 2)
    for a, b in zip(g_a, g_b, strict=True):
        torch.testing.assert_close(b, a, rtol=1e-10, atol=1e-12)


def test_zero_initial_state_matches_torch_default() -> None:
    torch.manual_seed(1)
    ref = torch.nn.LSTM(3, 4).double()
    x = torch.randn(5, 2, 3, dtype=torch.float64)
    out_ref, _ = ref(x)
    out, (h_n, c_n) = ScratchLSTM.from_torch(ref)(x)
    torch.testing.assert_close(out, out_ref)
    assert h_n.shape == c_n.shape == (1, 2, 4)


def test_cell_gates_by_hand() -> None:
    cell = LSTMCellScratch(1, 1).double()
    with torch.no_grad():
        cell.weight_ih.zero_()
        cell.weight_hh.zero_()
        cell.bias_hh.zero_()
        cell.bias_ih.copy_(torch.tensor([0.0, 100.0, 0.0, 100.0]))  # i=0.5, f=1, g=0, o=1
    x = torch.zeros(1, 1, dtype=torch.float64)
    h, c = cell(
        x, (torch.zeros(1, 1, dtype=torch.float64), torch.full((1, 1), 0.3, dtype=torch.float64))
    )
    assert c.item() == pytest.approx(0.3)  # an open forget gate keeps the cell exactly
    assert h.item() == pytest.approx(torch.tanh(torch.tensor(0.3)).item())


def test_errors() -> None:
    cell = LSTMCellScratch(3, 4)
    with pytest.raises(ValueError, match=r"x must have shape \(B, D\) with D=3, got \(2, 5\)"):
        cell(torch.zeros(2, 5), (torch.zeros(2, 4), torch.zeros(2, 4)))
    with pytest.raises(ValueError, match=r"h and c must have shape \(B, H\) = \(2, 4\)"):
        cell(torch.zeros(2, 3), (torch.zeros(2, 3), torch.zeros(2, 4)))
    with pytest.raises(ValueError, match="num_layers=1"):
        ScratchLSTM.from_torch(torch.nn.LSTM(3, 4, num_layers=2))
    with pytest.raises(TypeError, match=r"torch\.nn\.LSTM"):
        ScratchLSTM.from_torch(torch.nn.GRU(3, 4))
    with pytest.raises(ValueError, match=r"x must have shape \(T, B, D\) with T > 0"):
        ScratchLSTM(3, 4)(torch.zeros(0, 2, 3))
    with pytest.raises(ValueError, match="input_size must be a positive int"):
        LSTMCellScratch(0, 4)
