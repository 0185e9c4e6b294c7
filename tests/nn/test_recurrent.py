"""rnncore.nn.recurrent.Recurrent: construction, parameters, forward/backward, every error."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from rnncore.nn.cells import param_count
from rnncore.nn.gradcheck import check_gradient
from rnncore.nn.recurrent import Recurrent

torch.set_num_threads(1)


@pytest.mark.parametrize("mode", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("L,bi,bias", [(1, False, True), (2, True, False), (3, True, True)])
def test_parameters_are_named_and_shaped_as_torch(mode: str, L: int, bi: bool, bias: bool) -> None:
    layer = Recurrent(mode, 3, 5, num_layers=L, bidirectional=bi, bias=bias, seed=0)
    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[mode](
        3, 5, num_layers=L, bidirectional=bi, bias=bias
    )
    named = dict(module.named_parameters())
    assert list(layer.params) == list(named)
    assert {k: v.shape for k, v in layer.params.items()} == {
        k: tuple(p.shape) for k, p in named.items()
    }
    assert layer.num_parameters() == sum(p.numel() for p in module.parameters())
    bound = 1 / np.sqrt(5)
    assert all(np.all(np.abs(v) <= bound) for v in layer.params.values())
    assert all(v.dtype == np.float64 for v in layer.params.values())


def test_initialisation_is_seeded_and_uniform() -> None:
    a = Recurrent("lstm", 4, 64, seed=1)
    b = Recurrent("lstm", 4, 64, seed=1)
    c = Recurrent("lstm", 4, 64, seed=2)
    np.testing.assert_array_equal(a.params["weight_hh_l0"], b.params["weight_hh_l0"])
    assert not np.array_equal(a.params["weight_hh_l0"], c.params["weight_hh_l0"])
    w = a.params["weight_hh_l0"]  # 16384 draws of U(-1/8, 1/8): mean 0, variance 1/192
    assert abs(w.mean()) < 0.005 and abs(w.var() - 1 / 192) < 0.0005
    assert Recurrent("gru", 2, 3, dtype=np.float32).params["weight_ih_l0"].dtype == np.float32


def test_repr_names_the_configuration() -> None:
    layer = Recurrent("rnn", 3, 4, num_layers=2, bidirectional=True, nonlinearity="relu")
    text = repr(layer)
    assert text.startswith("Recurrent('rnn', 3, 4, num_layers=2, bidirectional=True")
    assert "nonlinearity='relu'" in text and "float64" in text
    assert f"parameters={layer.num_parameters()}" in text


def test_output_and_state_shapes_follow_torch() -> None:
    layer = Recurrent("lstm", 3, 4, num_layers=2, bidirectional=True, batch_first=True, seed=0)
    out, (h_n, c_n) = layer.forward(np.zeros((5, 7, 3)))  # B=5, T=7
    assert out.shape == (5, 7, 8) and h_n.shape == c_n.shape == (4, 5, 4)
    grads = layer.backward(np.ones_like(out))
    assert grads["input"].shape == (5, 7, 3)
    assert grads["h0"].shape == grads["c0"].shape == (4, 5, 4)
    out, h_n = Recurrent("gru", 3, 4, seed=0).forward(np.zeros((7, 5, 3)))
    assert out.shape == (7, 5, 4) and h_n.shape == (1, 5, 4)


def test_backward_twice_gives_the_same_answer_and_uses_the_latest_forward() -> None:
    rng = np.random.default_rng(0)
    layer = Recurrent("gru", 3, 4, num_layers=2, seed=0)
    x1, x2 = rng.normal(size=(4, 2, 3)), rng.normal(size=(4, 2, 3))
    out, _ = layer.forward(x1)
    d = rng.normal(size=out.shape)
    first = layer.backward(d)
    second = layer.backward(d)
    for name in first:
        np.testing.assert_array_equal(first[name], second[name])
    layer.forward(x2)
    layer.forward(x1)
    third = layer.backward(d)
    for name in first:
        np.testing.assert_array_equal(first[name], third[name])


def test_changing_the_returned_output_does_not_change_backward() -> None:
    layer = Recurrent("rnn", 3, 4, seed=0)
    x = np.random.default_rng(1).normal(size=(4, 2, 3))
    out, _ = layer.forward(x)
    before = layer.backward(np.ones_like(out))["weight_hh_l0"]
    out[...] = 0.0
    np.testing.assert_array_equal(before, layer.backward(np.ones_like(out))["weight_hh_l0"])


def test_params_updated_in_place_change_the_layer() -> None:
    layer = Recurrent("lstm", 3, 4, seed=0)
    x = np.random.default_rng(2).normal(size=(4, 2, 3))
    out1, _ = layer.forward(x)
    layer.params["weight_ih_l0"] -= 0.1 * layer.backward(np.ones_like(out1))["weight_ih_l0"]
    out2, _ = layer.forward(x)
    assert not np.allclose(out1, out2)


@pytest.mark.parametrize("mode", ["rnn", "lstm", "gru"])
def test_layer_gradients_match_numerical_gradients(mode: str) -> None:
    rng = np.random.default_rng(3)
    layer = Recurrent(mode, 2, 3, num_layers=2, bidirectional=True, seed=3)
    x = rng.normal(size=(3, 2, 2))
    R = rng.normal(size=(3, 2, 6))

    def loss() -> float:
        return float(np.sum(layer.forward(x)[0] * R))

    loss()
    grads = layer.backward(R)
    assert check_gradient(loss, x, grads["input"]) < 1e-7
    for name in ("weight_hh_l0_reverse", "bias_ih_l1", "weight_ih_l1_reverse"):
        assert check_gradient(loss, layer.params[name], grads[name]) < 1e-7, name


def test_array_likes_and_other_float_dtypes_are_cast() -> None:
    layer = Recurrent("gru", 2, 3, dtype=np.float32, seed=0)
    out, h_n = layer.forward([[[0.5, -0.5]], [[1.0, 2.0]]])  # nested lists of floats, T=2, B=1
    assert out.dtype == h_n.dtype == np.float32
    out64, _ = Recurrent("gru", 2, 3, seed=0).forward(np.ones((2, 1, 2), dtype=np.float16))
    assert out64.dtype == np.float64


# ---- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs,err,match",
    [
        (
            {"mode": "transformer"},
            ValueError,
            "mode must be one of 'rnn', 'lstm', 'gru', got 'transformer'",
        ),
        ({"input_size": 0}, ValueError, "input_size must be a positive int, got 0"),
        ({"hidden_size": 2.5}, ValueError, "hidden_size must be a positive int, got 2.5"),
        ({"num_layers": 0}, ValueError, "num_layers must be a positive int, got 0"),
        ({"nonlinearity": "sigmoid"}, ValueError, "nonlinearity must be 'tanh' or 'relu'"),
        ({"mode": "gru", "nonlinearity": "relu"}, ValueError, "mode 'rnn' only, got 'relu'"),
        ({"dtype": np.float16}, TypeError, "dtype must be np.float32 or np.float64, got float16"),
        ({"dtype": np.int64}, TypeError, "dtype must be np.float32 or np.float64, got int64"),
        ({"bias": 1}, TypeError, "bias must be a bool, got 1"),
        ({"bidirectional": "yes"}, TypeError, "bidirectional must be a bool, got 'yes'"),
    ],
)
def test_constructor_errors(kwargs: dict, err: type, match: str) -> None:
    args = {"mode": "rnn", "input_size": 3, "hidden_size": 4, **kwargs}
    with pytest.raises(err, match=match):
        Recurrent(**args)


L2 = (2, 2, 4)  # (num_layers, B, H) of the LSTM below
X = np.zeros((5, 2, 3))
SHAPE = r"must have shape \(num_layers \* num_directions, B, H\) = \(2, 2, 4\)"


@pytest.mark.parametrize(
    "x,h0,err,match",
    [
        (
            np.zeros((5, 3)),
            None,
            ValueError,
            r"x must have shape \(T, B, D\) \(batched input only\)",
        ),
        (np.zeros((5, 3)), None, ValueError, r"with D=3, got \(5, 3\)"),
        (np.zeros((1, 5, 2, 3)), None, ValueError, r"x must have shape \(T, B, D\) \(batched"),
        (np.zeros((5, 2, 4)), None, ValueError, r"x must .* with D=3, got \(5, 2, 4\)"),
        (X.astype(np.int64), None, TypeError, "x must be a floating-point array, got dtype int64"),
        (X.astype(bool), None, TypeError, "x must be a floating-point array, got dtype bool"),
        (X.astype(object), None, TypeError, "x must be a floating-point array, got dtype object"),
        (np.zeros((0, 2, 3)), None, ValueError, r"T>0 time steps and B>0 .*got \(0, 2, 3\)"),
        (np.zeros((5, 0, 3)), None, ValueError, r"T>0 time steps and B>0 .*got \(5, 0, 3\)"),
        (np.full((5, 2, 3), np.nan), None, ValueError, "x must be finite, got 30 NaN/inf"),
        (X, np.zeros(L2), TypeError, r"h0 must be an \(h0, c0\) tuple .*'lstm', got ndarray"),
        (X, (np.zeros(L2),) * 3, TypeError, "tuple for mode 'lstm', got tuple of length 3"),
        (X, (np.zeros((2, 3, 4)), None), ValueError, "h0 " + SHAPE + r", got \(2, 3, 4\)"),
        (X, (None, np.zeros((1, 2, 4))), ValueError, "c0 " + SHAPE + r", got \(1, 2, 4\)"),
        (X, (np.full(L2, np.inf), None), ValueError, "h0 must be finite"),
        (X, (None, np.zeros(L2, dtype=int)), TypeError, "c0 must be a floating-point array"),
    ],
)
def test_lstm_forward_errors(x, h0, err: type, match: str) -> None:
    layer = Recurrent("lstm", 3, 4, num_layers=2, seed=0)
    with pytest.raises(err, match=match):
        layer.forward(x, h0)


def test_forward_errors_of_other_modes() -> None:
    gru = Recurrent("gru", 3, 4, batch_first=True, seed=0)
    with pytest.raises(
        ValueError, match=r"x must have shape \(B, T, D\) with D=3, got \(2, 5, 1\)"
    ):
        gru.forward(np.zeros((2, 5, 1)))
    with pytest.raises(TypeError, match=r"h0 must be one array of shape .* 'gru', got a tuple"):
        gru.forward(np.zeros((2, 5, 3)), (np.zeros((1, 2, 4)), np.zeros((1, 2, 4))))
    with pytest.raises(ValueError, match=r"h0 must have shape .* = \(1, 2, 4\), got \(2, 4\)"):
        gru.forward(np.zeros((2, 5, 3)), np.zeros((2, 4)))
    small = Recurrent("rnn", 3, 4, dtype=np.float32, seed=0)
    with pytest.raises(ValueError, match=r"x \(after casting to float32\) must be finite"):
        small.forward(np.full((2, 1, 3), 1e39))


def test_backward_errors() -> None:
    layer = Recurrent("lstm", 3, 4, bidirectional=True, seed=0)
    with pytest.raises(ValueError, match="backward called before forward"):
        layer.backward(np.zeros((5, 2, 8)))
    layer.forward(np.zeros((5, 2, 3)))
    with pytest.raises(
        ValueError,
        match=r"d_output must have the shape of forward's output \(5, 2, 8\), got \(5, 2, 4\)",
    ):
        layer.backward(np.zeros((5, 2, 4)))
    with pytest.raises(TypeError, match="d_output must be a floating-point array, got dtype int64"):
        layer.backward(np.zeros((5, 2, 8), dtype=np.int64))
    with pytest.raises(ValueError, match="d_output must be finite"):
        layer.backward(np.full((5, 2, 8), np.nan))
    with pytest.raises(
        TypeError, match=r"d_h_n must be an \(dh_n, dc_n\) tuple for mode 'lstm', got ndarray"
    ):
        layer.backward(None, np.zeros((2, 2, 4)))
    with pytest.raises(
        ValueError, match=r"d_h_n\[1\] must have shape .* = \(2, 2, 4\), got \(1, 2, 4\)"
    ):
        layer.backward(None, (None, np.zeros((1, 2, 4))))
    for bad in (0, 2.0, False):
        with pytest.raises(ValueError, match="truncate must be None or a positive int"):
            layer.backward(np.zeros((5, 2, 8)), truncate=bad)
    rnn = Recurrent("rnn", 3, 4, seed=0)
    rnn.forward(np.zeros((5, 2, 3)))
    with pytest.raises(
        ValueError, match=r"d_h_n must have shape .* = \(1, 2, 4\), got \(1, 2, 5\)"
    ):
        rnn.backward(None, np.zeros((1, 2, 5)))


def test_parameters_are_checked_at_every_forward() -> None:
    layer = Recurrent("lstm", 3, 4, num_layers=2, seed=0)
    x = np.zeros((5, 2, 3))
    layer.params["weight_hh_l1"][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"params\['weight_hh_l1'\] must be finite"):
        layer.forward(x)
    layer.params["weight_hh_l1"] = np.zeros((16, 5))
    with pytest.raises(
        ValueError, match=r"params\['weight_hh_l1'\] must have shape \(16, 4\), got \(16, 5\)"
    ):
        layer.forward(x)
    layer.params["weight_hh_l1"] = np.zeros((16, 4), dtype=np.int64)
    with pytest.raises(TypeError, match=r"params\['weight_hh_l1'\] must be a floating-point"):
        layer.forward(x)
    del layer.params["weight_hh_l1"]
    with pytest.raises(ValueError, match="params must hold"):
        layer.forward(x)


@pytest.mark.parametrize("mode", ["rnn", "lstm", "gru"])
def test_large_inputs_give_no_overflow_warning(mode: str) -> None:
    layer = Recurrent(mode, 3, 4, num_layers=2, bidirectional=True, seed=0)
    x = np.tile([[[1000.0, -1000.0, 1000.0]]], (3, 2, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, _ = layer.forward(x)
        grads = layer.backward(np.ones_like(out))
    assert np.all(np.isfinite(out)) and all(np.all(np.isfinite(g)) for g in grads.values())


def test_activations_expose_gates_in_time_order() -> None:
    rng = np.random.default_rng(5)
    layer = Recurrent("lstm", 3, 4, num_layers=2, bidirectional=True, seed=0)
    x = rng.normal(size=(6, 2, 3))
    out, (_, c_n) = layer.forward(x)
    fwd = layer.activations(1)
    rev = layer.activations(1, reverse=True)
    assert set(fwd) == {"h", "c", "tanh_c", "i", "f", "g", "o"}
    np.testing.assert_array_equal(fwd["h"], out[:, :, :4])
    np.testing.assert_array_equal(rev["h"], out[:, :, 4:])
    np.testing.assert_array_equal(rev["c"][0], c_n[3])  # the reverse direction ends at t = 0
    np.testing.assert_allclose(fwd["h"], fwd["o"] * np.tanh(fwd["c"]))
    assert not fwd["i"].flags.writeable
    gru = Recurrent("gru", 3, 4, seed=0)
    gru.forward(x)
    assert set(gru.activations()) == {"h", "r", "z", "n", "hn"}
    with pytest.raises(ValueError, match=r"layer must be in \[0, 1\), got 1"):
        gru.activations(1)
    with pytest.raises(ValueError, match="reverse=True needs a bidirectional layer"):
        gru.activations(0, reverse=True)
    with pytest.raises(ValueError, match="activations called before forward"):
        Recurrent("rnn", 3, 4).activations()


@pytest.mark.parametrize("mode", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize(
    ("num_layers", "bidirectional", "bias"), [(1, False, True), (3, True, False)]
)
def test_param_count_formula_equals_the_layer(mode, num_layers, bidirectional, bias) -> None:
    layer = Recurrent(mode, 5, 7, num_layers=num_layers, bidirectional=bidirectional, bias=bias)
    assert param_count(mode, 5, 7, num_layers, bidirectional, bias) == layer.num_parameters()
