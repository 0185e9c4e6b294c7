"""The torch sequence mixers equal their numpy twins in float64 (forward), their gradients equal
finite differences of the numpy forward, and the token model runs every mixer."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rnncore
from rnncore.models.attention_mixers import (
    CausalLinearAttention,
    CausalSoftmaxAttention,
    linear_attention_torch,
)
from rnncore.models.mixer_model import MIXERS, MixerLM, state_numbers
from rnncore.models.selective import SelectiveSSM
from rnncore.models.ssm import LRU, DiagonalSSM
from rnncore.nn.gradcheck import numerical_gradient, relative_error
from rnncore.nn.linear_attention import linear_attention_parallel
from rnncore.nn.lru import lru_forward
from rnncore.nn.selective import selective_ssm
from rnncore.nn.ssm import discretize_zoh, ssm_convolutional, ssm_recurrent


def _x(T=20, B=2, D=4, seed=0):
    return np.random.default_rng(seed).standard_normal((T, B, D))


@pytest.mark.parametrize("mode", ["conv", "scan"])
def test_diagonal_ssm_equals_numpy(mode: str) -> None:
    rnncore.set_seed(0)
    layer = DiagonalSSM(4, 6).double()
    x = _x()
    p = layer.numpy_params()
    A_bar, B_bar = discretize_zoh(p["A"], p["B"], p["dt"])
    expected = ssm_recurrent(x, A_bar, B_bar, p["C"], p["D"])
    assert np.allclose(ssm_convolutional(x, A_bar, B_bar, p["C"], p["D"]), expected, atol=1e-12)
    y = layer(torch.from_numpy(x), mode=mode).detach().numpy()
    assert np.abs(y - expected).max() < 1e-12


def test_lru_equals_numpy_and_gradient_matches_finite_differences() -> None:
    rnncore.set_seed(1)
    layer = LRU(4, 5, r_min=0.5, r_max=0.95).double()
    x = _x(seed=1)
    p = layer.numpy_params()
    w = np.random.default_rng(2).standard_normal(x.shape)
    y = layer(torch.from_numpy(x))
    assert np.abs(y.detach().numpy() - lru_forward(x, p)).max() < 1e-12
    (y * torch.from_numpy(w)).sum().backward()
    for name in ("nu_log", "theta_log", "gamma_log", "D"):
        numeric = numerical_gradient(lambda: float(np.sum(w * lru_forward(x, p))), p[name])
        assert relative_error(getattr(layer, name).grad.numpy(), numeric) < 1e-6, name


def test_selective_ssm_equals_numpy_and_gradient_matches_finite_differences() -> None:
    rnncore.set_seed(2)
    layer = SelectiveSSM(4, 3).double()
    x = _x(seed=3)
    p = layer.numpy_params()
    w = np.random.default_rng(4).standard_normal(x.shape)
    for method in ("parallel", "sequential"):
        y = layer(torch.from_numpy(x), method=method)
        assert np.abs(y.detach().numpy() - selective_ssm(x, p)).max() < 1e-12
    layer.zero_grad()
    (layer(torch.from_numpy(x)) * torch.from_numpy(w)).sum().backward()
    grads = {
        "A_log": layer.A_log.grad,
        "W_delta": layer.delta_proj.weight.grad,
        "W_B": layer.B_proj.weight.grad,
        "W_C": layer.C_proj.weight.grad,
    }
    for name, grad in grads.items():
        numeric = numerical_gradient(lambda: float(np.sum(w * selective_ssm(x, p))), p[name])
        assert relative_error(grad.numpy(), numeric) < 1e-6, name


@pytest.mark.parametrize("decay", [False, True])
def test_linear_attention_torch_equals_numpy(decay: bool) -> None:
    rng = np.random.default_rng(5)
    q, k, v = rng.standard_normal((3, 15, 2, 4))
    a = rng.uniform(0.5, 1.0, (15, 2)) if decay else None
    ta = None if a is None else torch.from_numpy(a)
    y = linear_attention_torch(*(torch.from_numpy(t) for t in (q, k, v)), ta)
    assert np.abs(y.numpy() - linear_attention_parallel(q, k, v, a)).max() < 1e-12


def test_attention_mixers_are_causal_and_count_their_state() -> None:
    rnncore.set_seed(3)
    x = torch.randn(10, 2, 8, dtype=torch.float64)
    x2 = x.clone()
    x2[6:] += 1.0
    for layer in (CausalLinearAttention(8, 2).double(), CausalSoftmaxAttention(8, 2).double()):
        assert torch.allclose(layer(x)[:6], layer(x2)[:6])
        assert not torch.allclose(layer(x)[6:], layer(x2)[6:])
    assert CausalLinearAttention(8, 2).state_numbers() == 2 * (16 + 4)
    assert CausalSoftmaxAttention(8, 2).state_numbers(100) == 2 * 100 * 8
    with pytest.raises(ValueError, match="heads must divide"):
        CausalLinearAttention(8, 3)


@pytest.mark.parametrize("mixer", MIXERS)
def test_mixer_lm_runs_every_mixer_causally(mixer: str) -> None:
    rnncore.set_seed(4)
    model = MixerLM(7, 8, mixer, max_len=12, d_state=4, heads=2).double()
    ids = torch.randint(0, 7, (12, 3))
    logits = model(ids)
    assert logits.shape == (12, 3, 7) and model.num_parameters() > 0
    ids2 = ids.clone()
    ids2[8:] = (ids2[8:] + 1) % 7
    assert torch.allclose(model(ids2)[:8], logits[:8], atol=1e-10)
    logits.sum().backward()


def test_mixer_lm_bad_input_and_state_numbers() -> None:
    with pytest.raises(ValueError, match="mixer must be one of"):
        MixerLM(5, 8, "transformer")
    with pytest.raises(ValueError, match="max_len must be a positive int"):
        MixerLM(5, 8, "attention")
    model = MixerLM(5, 8, "s6", d_state=4)
    with pytest.raises(TypeError, match="ids must be an int64"):
        model(torch.zeros(3, 2))
    with pytest.raises(ValueError, match="ids must lie in"):
        model(torch.full((3, 2), 5))
    assert state_numbers("s6", 32, 8, 1, 100) == 256
    assert state_numbers("lru", 32, 128, 1, 100) == 256
    assert state_numbers("attention", 32, 8, 1, 100) == 6400
    with pytest.raises(ValueError, match="kind must be one of"):
        state_numbers("rnn", 32, 8, 1, 1)


def test_layers_refuse_bad_sequences() -> None:
    layer = LRU(4, 3)
    with pytest.raises(ValueError, match="x must have shape"):
        layer(torch.zeros(5, 2, 3))
    with pytest.raises(TypeError, match="floating-point"):
        layer(torch.zeros(5, 2, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="T=0"):
        SelectiveSSM(4, 2)(torch.zeros(0, 2, 4))
    with pytest.raises(ValueError, match="mode must be"):
        DiagonalSSM(4, 2)(torch.zeros(3, 1, 4), mode="fft")
