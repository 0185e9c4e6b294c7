"""rnncore.nn.cells: the descriptions agree with torch and with the step functions; param_count."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
import torch

from rnncore.nn.cells import CELLS, GRU, LSTM, RNN, Cell, param_count
from rnncore.nn.recurrent import Recurrent

ACTIVATIONS = {"sigmoid": lambda a: 1.0 / (1.0 + np.exp(-a)), "tanh": np.tanh}


def test_the_table_holds_the_three_cells_in_torchs_order() -> None:
    assert list(CELLS) == ["rnn", "lstm", "gru"] and CELLS["lstm"] is LSTM
    assert (RNN.blocks, LSTM.blocks, GRU.blocks) == (1, 4, 3)
    assert LSTM.gates == ("i", "f", "g", "o") and GRU.gates == ("r", "z", "n")
    assert LSTM.states == ("h", "c") and RNN.states == GRU.states == ("h",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        LSTM.gates = ("f", "i", "g", "o")  # type: ignore[misc]
    with pytest.raises(ValueError, match="one activation per gate"):
        Cell("x", ("a", "b"), ("tanh",), ("h",), ("h",), "RNN")


@pytest.mark.parametrize("cell", CELLS.values(), ids=list(CELLS))
def test_blocks_states_and_class_agree_with_torch(cell: Cell) -> None:
    module = getattr(torch.nn, cell.torch_class)(3, 5)
    assert module.weight_ih_l0.shape == (cell.blocks * 5, 3)
    assert module.weight_hh_l0.shape == (cell.blocks * 5, 5)
    _, state = module(torch.zeros(2, 1, 3))
    assert (len(state) if isinstance(state, tuple) else 1) == len(cell.states)


@pytest.mark.parametrize("cell", CELLS.values(), ids=list(CELLS))
def test_the_described_gate_is_the_block_torch_reads_there(cell: Cell) -> None:
    """Saturate one gate through its described rows in torch: the forget gate keeps the cell,
    the update gate keeps the state, the RNN's only block saturates h."""
    gate = {"rnn": "h", "lstm": "f", "gru": "z"}[cell.name]
    module = getattr(torch.nn, cell.torch_class)(2, 3).double()
    with torch.no_grad():
        for p in module.parameters():
            p.zero_()
        module.bias_ih_l0[cell.gate_slice(gate, 3)] = 30.0
    h0 = torch.full((1, 1, 3), 0.5, dtype=torch.float64)
    state = (h0, torch.ones_like(h0)) if len(cell.states) == 2 else h0
    with torch.no_grad():
        _, out = module(torch.ones(1, 1, 2, dtype=torch.float64), state)
    if cell.name == "lstm":  # c = f c0 + i g = 1 + 0.5 tanh(0)
        np.testing.assert_allclose(out[1].numpy(), 1.0)
    elif cell.name == "gru":  # h = (1 - z) n + z h0 = h0
        np.testing.assert_allclose(out.numpy(), 0.5)
    else:
        np.testing.assert_allclose(out.numpy(), np.tanh(30.0))


@pytest.mark.parametrize("cell", CELLS.values(), ids=list(CELLS))
def test_gates_and_activations_are_what_the_step_functions_compute(cell: Cell) -> None:
    """Bias one gate's rows to +3, the rest 0, weights 0: the step cache shows that gate at
    act(3) and every other gate at act(0), with the activations the description names."""
    from rnncore.nn import gru, lstm, rnn

    step = {"rnn": rnn.rnn_step_forward, "lstm": lstm.lstm_step_forward}
    step["gru"] = gru.gru_step_forward
    H = 3
    zeros = [np.zeros((2, H)) for _ in cell.states]
    for gate in cell.gates:
        b = np.zeros(cell.blocks * H)
        b[cell.gate_slice(gate, H)] = 3.0
        w = {
            "weight_ih": np.zeros((cell.blocks * H, 2)),
            "weight_hh": np.zeros((cell.blocks * H, H)),
        }
        *_, cache = step[cell.name](np.ones((2, 2)), *zeros, **w, bias_ih=b, bias_hh=0 * b)
        for other, act in zip(cell.gates, cell.activations, strict=True):
            want = ACTIVATIONS[act](3.0 if other == gate else 0.0)
            np.testing.assert_allclose(cache[other], want, err_msg=f"{gate}: {other}")


@pytest.mark.parametrize("cell", CELLS.values(), ids=list(CELLS))
def test_cache_arrays_are_what_recurrent_activations_returns(cell: Cell) -> None:
    layer = Recurrent(cell.name, 2, 3, seed=0)
    layer.forward(np.zeros((4, 1, 2)))
    assert tuple(layer.activations()) == cell.cache_arrays


def test_gate_slice_and_its_errors() -> None:
    assert LSTM.gate_slice("f", 5) == slice(5, 10) and GRU.gate_slice("n", 3) == slice(6, 9)
    assert RNN.gate_slice("h", 4) == slice(0, 4)
    with pytest.raises(ValueError, match=r"gate must be one of \('r', 'z', 'n'\) for mode 'gru'"):
        GRU.gate_slice("f", 3)
    with pytest.raises(ValueError, match="hidden_size must be a positive int, got 0"):
        LSTM.gate_slice("i", 0)


@pytest.mark.parametrize("mode", list(CELLS))
@pytest.mark.parametrize(
    "num_layers,bidirectional,bias",
    list(itertools.product([1, 2, 3], [False, True], [False, True])),
)
def test_param_count_matches_torch(mode: str, num_layers: int, bidirectional: bool, bias: bool):
    module = getattr(torch.nn, CELLS[mode].torch_class)(
        5, 7, num_layers=num_layers, bidirectional=bidirectional, bias=bias
    )
    expected = sum(p.numel() for p in module.parameters())
    assert param_count(mode, 5, 7, num_layers, bidirectional, bias) == expected


@pytest.mark.parametrize("mode", list(CELLS))
@pytest.mark.parametrize("D,H", [(1, 1), (10, 20), (7, 5), (4, 9), (128, 256)])
def test_param_count_matches_torch_for_other_sizes(mode: str, D: int, H: int) -> None:
    module = getattr(torch.nn, CELLS[mode].torch_class)(D, H, num_layers=2, bidirectional=True)
    assert param_count(mode, D, H, 2, True) == sum(p.numel() for p in module.parameters())
    assert param_count(mode, D, H) == CELLS[mode].blocks * (H * (D + H) + 2 * H)


@pytest.mark.parametrize(
    "args,match",
    [
        (("transformer", 3, 4), "mode must be one of 'rnn', 'lstm', 'gru', got 'transformer'"),
        ((["lstm"], 3, 4), r"mode must be one of .*, got \['lstm'\]"),
        (("lstm", 0, 4), "input_size must be a positive int, got 0"),
        (("lstm", 3, 2.5), "hidden_size must be a positive int, got 2.5"),
        (("gru", 3, 4, 0), "num_layers must be a positive int, got 0"),
    ],
)
def test_param_count_errors(args: tuple, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        param_count(*args)
