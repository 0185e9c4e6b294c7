"""rnncore.from_torch / to_torch: the numpy layer computes what torch computes (1e-9 in float64)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import rnncore
from rnncore.interop import to_torch
from rnncore.nn.gradcheck import relative_error
from rnncore.nn.recurrent import Recurrent

torch.set_num_threads(1)

CELLS = {
    "rnn_tanh": (torch.nn.RNN, {"nonlinearity": "tanh"}),
    "rnn_relu": (torch.nn.RNN, {"nonlinearity": "relu"}),
    "lstm": (torch.nn.LSTM, {}),
    "gru": (torch.nn.GRU, {}),
}
TOL = {torch.float64: 1e-9, torch.float32: 1e-4}


def make_module(
    cell: str, D: int, H: int, dtype: torch.dtype = torch.float64, **kw
) -> torch.nn.Module:
    cls, extra = CELLS[cell]
    return cls(D, H, **extra, **kw).to(dtype)


def random_inputs(module: torch.nn.Module, T: int, B: int, seed: int) -> dict:
    """x, h0 and upstream gradients for module, as numpy arrays in the module's dtype."""
    rng = np.random.default_rng(seed)
    npdt = np.float64 if next(module.parameters()).dtype == torch.float64 else np.float32
    L = module.num_layers * (2 if module.bidirectional else 1)
    H, D = module.hidden_size, module.input_size
    dirs = 2 if module.bidirectional else 1
    x_shape = (B, T, D) if module.batch_first else (T, B, D)
    out_shape = (B, T, dirs * H) if module.batch_first else (T, B, dirs * H)

    def draw(*shape: int) -> np.ndarray:
        return rng.normal(size=shape).astype(npdt)

    lstm = isinstance(module, torch.nn.LSTM)
    h0 = (draw(L, B, H), draw(L, B, H)) if lstm else draw(L, B, H)
    d_h_n = (draw(L, B, H), draw(L, B, H)) if lstm else draw(L, B, H)
    return {"x": draw(*x_shape), "h0": h0, "d_output": draw(*out_shape), "d_h_n": d_h_n}


@pytest.fixture(scope="module")
def assert_matches_torch(torch_reference):
    """Check a numpy copy of ``module`` against torch (conftest's twin) on ``inputs``."""

    def check(module: torch.nn.Module, inputs: dict, truncate: int | None = None) -> None:
        tol = TOL[next(module.parameters()).dtype]
        layer = rnncore.from_torch(module)
        out_t, h_n_t, grads_t = torch_reference(module, **inputs, truncate=truncate)
        out, h_n = layer.forward(inputs["x"], inputs["h0"])
        grads = layer.backward(inputs["d_output"], inputs["d_h_n"], truncate=truncate)
        assert out.dtype == layer.dtype and out.shape == out_t.shape
        assert relative_error(out, out_t) < tol
        for ours, theirs in zip(
            h_n if layer.mode == "lstm" else [h_n],
            h_n_t if layer.mode == "lstm" else [h_n_t],
            strict=True,
        ):
            assert ours.shape == theirs.shape and relative_error(ours, theirs) < tol
        assert grads.keys() == grads_t.keys()
        for name, g in grads_t.items():
            assert grads[name].shape == g.shape, name
            assert grads[name].dtype == layer.dtype, name
            assert relative_error(grads[name], g) < tol, (name, relative_error(grads[name], g))

    return check


CONFIGS = [  # num_layers, bidirectional, batch_first, bias, T, B
    (1, False, False, True, 5, 3),
    (1, False, False, False, 1, 1),
    (2, False, True, True, 4, 2),
    (1, True, False, True, 3, 1),
    (2, True, True, False, 6, 2),
    (3, True, False, True, 2, 3),
]


@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize("L,bi,bf,bias,T,B", CONFIGS)
def test_matches_torch_float64(
    cell: str, L: int, bi: bool, bf: bool, bias: bool, T: int, B: int, assert_matches_torch
):
    torch.manual_seed(L * 10 + T)
    module = make_module(cell, 3, 4, num_layers=L, bidirectional=bi, batch_first=bf, bias=bias)
    assert_matches_torch(module, random_inputs(module, T, B, seed=T * B))


@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize("bi", [False, True])
def test_matches_torch_float32(cell: str, bi: bool, assert_matches_torch) -> None:
    torch.manual_seed(1)
    module = make_module(cell, 5, 6, torch.float32, num_layers=2, bidirectional=bi)
    assert_matches_torch(module, random_inputs(module, 7, 3, seed=2))


@settings(max_examples=30, deadline=None)
@given(
    cell=st.sampled_from(list(CELLS)),
    D=st.integers(1, 5),
    H=st.integers(1, 5),
    L=st.integers(1, 3),
    T=st.integers(1, 6),
    B=st.integers(1, 3),
    bi=st.booleans(),
    bf=st.booleans(),
    bias=st.booleans(),
    double=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_matches_torch_on_random_sizes(
    cell, D, H, L, T, B, bi, bf, bias, double, seed, assert_matches_torch
) -> None:
    torch.manual_seed(seed)
    dtype = torch.float64 if double else torch.float32
    module = make_module(
        cell, D, H, dtype, num_layers=L, bidirectional=bi, batch_first=bf, bias=bias
    )
    assert_matches_torch(module, random_inputs(module, T, B, seed))


@pytest.mark.parametrize("cell", list(CELLS))
def test_default_states_and_missing_gradients_are_zeros(cell: str, assert_matches_torch) -> None:
    torch.manual_seed(3)
    module = make_module(cell, 3, 4, num_layers=2)
    inputs = random_inputs(module, 4, 2, seed=3)
    inputs.update(h0=None, d_h_n=None)
    assert_matches_torch(module, inputs)


def test_lstm_state_gradient_halves_may_be_none(assert_matches_torch) -> None:
    torch.manual_seed(4)
    module = make_module("lstm", 3, 4)
    inputs = random_inputs(module, 4, 2, seed=4)
    inputs["d_h_n"] = (None, inputs["d_h_n"][1])
    inputs["d_output"] = None
    assert_matches_torch(module, inputs)


@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize("k", [1, 2, 3])
def test_truncated_bptt_matches_torch_with_detached_state(
    cell: str, k: int, assert_matches_torch
) -> None:
    torch.manual_seed(5)
    module = make_module(cell, 3, 4, num_layers=2, batch_first=(k == 2))
    assert_matches_torch(module, random_inputs(module, 7, 2, seed=k), truncate=k)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
@pytest.mark.parametrize("k", [2, 3])
def test_truncated_bptt_reverse_direction_cuts_at_the_same_time_boundaries(cell: str, k: int):
    """A bidirectional layer's reverse half equals a forward module on the flipped sequence
    whose chunks end where the forward direction's chunks end: [T - T % k, T), ... reversed."""
    torch.manual_seed(6)
    T, B = 7, 2
    bi = make_module(cell, 3, 4, bidirectional=True)
    layer = rnncore.from_torch(bi)
    inputs = random_inputs(bi, T, B, seed=k)
    layer.forward(inputs["x"], inputs["h0"])
    grads = layer.backward(inputs["d_output"], inputs["d_h_n"], truncate=k)
    lstm = cell == "lstm"
    for d in (0, 1):
        uni = make_module(cell, 3, 4)
        with torch.no_grad():
            for name, p in uni.named_parameters():
                p.copy_(dict(bi.named_parameters())[name + ("_reverse" if d else "")])
        x = inputs["x"][::-1] if d else inputs["x"]
        d_out = inputs["d_output"][:, :, 4 * d : 4 * (d + 1)]
        d_out = d_out[::-1] if d else d_out
        h0 = tuple(s[d : d + 1] for s in inputs["h0"]) if lstm else inputs["h0"][d : d + 1]
        d_h_n = tuple(s[d : d + 1] for s in inputs["d_h_n"]) if lstm else inputs["d_h_n"][d : d + 1]
        # the flipped sequence starts with the last, possibly short, forward chunk
        first = (T % k or k) if d else k
        ref = _chunked_grads(uni, x.copy(), h0, d_out.copy(), d_h_n, [first] + [k] * T)
        for name in ("weight_ih_l0", "weight_hh_l0"):
            ours = grads[name + ("_reverse" if d else "")]
            assert relative_error(ours, ref[name]) < 1e-9, (d, name)


def _chunked_grads(module, x, h0, d_out, d_h_n, sizes) -> dict:
    lstm = isinstance(module, torch.nn.LSTM)
    xt = torch.tensor(x, requires_grad=True)
    state = tuple(torch.tensor(s) for s in h0) if lstm else torch.tensor(h0)
    outs, start = [], 0
    for size in sizes:
        if start >= x.shape[0]:
            break
        state = tuple(s.detach() for s in state) if lstm else state.detach()
        o, state = module(xt[start : start + size], state)
        outs.append(o)
        start += size
    loss = (torch.cat(outs) * torch.tensor(d_out)).sum()
    finals = state if lstm else (state,)
    d_fin = d_h_n if lstm else (d_h_n,)
    loss = loss + sum((f * torch.tensor(g)).sum() for f, g in zip(finals, d_fin, strict=True))
    loss.backward()
    return {n: p.grad.numpy() for n, p in module.named_parameters()}


# ---- to_torch and from_torch's refusals -----------------------------------------------------


@pytest.mark.parametrize("mode,nonlinearity", [("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_to_torch_round_trip(mode: str, nonlinearity: str, dtype: type) -> None:
    layer = Recurrent(
        mode,
        3,
        4,
        num_layers=2,
        bidirectional=True,
        batch_first=True,
        nonlinearity=nonlinearity,
        dtype=dtype,
        seed=0,
    )
    module = layer.to_torch()
    assert module.batch_first and module.bidirectional and module.num_layers == 2
    assert next(module.parameters()).dtype == (
        torch.float64 if dtype == np.float64 else torch.float32
    )
    for name, p in module.named_parameters():
        np.testing.assert_array_equal(p.detach().numpy(), layer.params[name])
    back = rnncore.from_torch(module)
    assert repr(back) == repr(layer)
    x = np.random.default_rng(0).normal(size=(2, 5, 3))
    out_t, _ = module(torch.tensor(x, dtype=next(module.parameters()).dtype))
    assert (
        relative_error(layer.forward(x)[0], out_t.detach().numpy())
        < TOL[next(module.parameters()).dtype]
    )


def test_from_torch_copies_the_weights() -> None:
    module = make_module("gru", 3, 4)
    layer = rnncore.from_torch(module)
    with torch.no_grad():
        module.weight_hh_l0.add_(1.0)
    assert not np.allclose(layer.params["weight_hh_l0"], module.weight_hh_l0.detach().numpy())


@pytest.mark.parametrize(
    "module,err,match",
    [
        (
            torch.nn.Linear(3, 4),
            TypeError,
            r"module must be a torch.nn.RNN, .*got torch.nn.*Linear",
        ),
        (torch.nn.LSTMCell(3, 4), TypeError, "module must be a torch.nn.RNN"),
        ("lstm", TypeError, "module must be a torch.nn.RNN, .*got builtins.str"),
        (torch.nn.LSTM(3, 4, proj_size=2), ValueError, "proj_size=0 .*got proj_size=2"),
        (torch.nn.GRU(3, 4).half(), TypeError, "float32 or all float64, got torch.float16"),
        (torch.nn.RNN(3, 4).bfloat16(), TypeError, "got torch.bfloat16"),
    ],
)
def test_from_torch_refuses_unsupported_modules(module, err: type, match: str) -> None:
    with pytest.raises(err, match=match):
        rnncore.from_torch(module)


def test_to_torch_refuses_other_objects() -> None:
    with pytest.raises(TypeError, match="layer must be an rnncore Recurrent, got dict"):
        to_torch({})
