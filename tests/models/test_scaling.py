"""rnncore.models.scaling: FLOP and memory counts against torch, minGRU scan forms agree."""

from __future__ import annotations

import itertools

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

import rnncore
from rnncore.models.scaling import (
    KVCacheAttention,
    MinGRU,
    attention_step_flops,
    autograd_ops,
    count_flops,
    cpu_seconds_per_call,
    kv_cache_bytes,
    linear_scan_parallel,
    linear_scan_sequential,
    recurrent_state_bytes,
    rnn_step_flops,
    transformer_layer_params,
)

rnncore.set_threads(1)


def counted_flops(fn) -> int:
    """The check, written out independently of rnncore.models.scaling.count_flops."""
    with FlopCounterMode(display=False) as counter:
        fn()
    return counter.get_total_flops()


def test_count_flops_matches_flop_counter():
    lin, x = torch.nn.Linear(5, 7, bias=False), torch.randn(3, 5)
    assert count_flops(lambda: lin(x)) == counted_flops(lambda: lin(x)) == 2 * 3 * 5 * 7
    with pytest.raises(TypeError, match="callable"):
        count_flops(5)


@pytest.mark.parametrize(
    ("mode", "cell"),
    [("rnn", torch.nn.RNNCell), ("gru", torch.nn.GRUCell), ("lstm", torch.nn.LSTMCell)],
)
@pytest.mark.parametrize(("D", "H"), [(3, 5), (16, 32)])
def test_rnn_step_flops_match_torch(mode, cell, D, H):
    c, x, h = cell(D, H), torch.randn(1, D), torch.randn(1, H)
    state = (h, h) if mode == "lstm" else h
    assert counted_flops(lambda: c(x, state)) == rnn_step_flops(mode, D, H)


def test_mingru_step_flops_match_torch():
    m = MinGRU(6, 10)
    assert counted_flops(lambda: m(torch.randn(1, 1, 6))) == rnn_step_flops("mingru", 6, 10)


@pytest.mark.parametrize("t", [2, 7, 64])  # at t=1 torch turns the 1-term sums into products
def test_attention_step_flops_match_torch(t):
    d = 16
    layer = KVCacheAttention(d)
    layer.prefill(torch.randn(t - 1, 1, d))
    assert counted_flops(lambda: layer.step(torch.randn(1, d))) == attention_step_flops(d, t)


@pytest.mark.parametrize(("d", "heads", "d_ff"), [(128, 4, 512), (16, 1, 16), (64, 8, 100)])
def test_transformer_layer_params_match_torch(d, heads, d_ff):
    layer = torch.nn.TransformerEncoderLayer(d, heads, dim_feedforward=d_ff)
    assert transformer_layer_params(d, d_ff) == sum(p.numel() for p in layer.parameters())


def test_kv_cache_grows_linearly_and_rnn_state_is_constant():
    d, layer = 8, KVCacheAttention(8)
    assert layer.cache_bytes() == 0
    sizes = []
    for t in range(1, 6):
        layer.step(torch.randn(2, d))
        sizes.append(layer.cache_bytes())
        assert sizes[-1] == 2 * kv_cache_bytes(t, d)  # batch of 2 sequences, float32
    assert len({b - a for a, b in itertools.pairwise(sizes)}) == 1
    layer.prefill(torch.randn(3, 2, d))  # a new context replaces the old one
    assert layer.cache_bytes() == 2 * kv_cache_bytes(3, d)


def test_kv_cache_step_equals_full_causal_attention():
    """Token-by-token outputs with the cache equal causal attention over the whole sequence."""
    torch.manual_seed(0)
    d, T = 6, 9
    layer = KVCacheAttention(d).double()
    x = torch.randn(T, 1, d, dtype=torch.float64)
    cached = torch.stack([layer.step(x[t]) for t in range(T)])  # grows through several doublings
    q, k, v = layer.q(x[:, 0]), layer.k(x[:, 0]), layer.v(x[:, 0])
    scores = (q @ k.T) / d**0.5
    scores = scores.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
    full = layer.o(torch.softmax(scores, -1) @ v)
    torch.testing.assert_close(cached[:, 0], full, rtol=0, atol=1e-12)
    assert kv_cache_bytes(1000, 64, n_layers=2) == 2 * 2 * 1000 * 64 * 4
    assert recurrent_state_bytes("lstm", 64, 2) == 2 * recurrent_state_bytes("gru", 64, 2) == 1024
    gru, h = torch.nn.GRUCell(4, 64), torch.zeros(1, 64)
    for _ in range(10):
        h = gru(torch.randn(1, 4), h)
    assert h.numel() * h.element_size() == recurrent_state_bytes("gru", 64)


@pytest.mark.parametrize("T", [1, 2, 3, 8, 13, 257])
def test_parallel_scan_equals_loop_float64(T):
    g = torch.Generator().manual_seed(T)
    a = torch.rand(T, 3, 4, generator=g, dtype=torch.float64)
    b = torch.randn(T, 3, 4, generator=g, dtype=torch.float64)
    h0 = torch.randn(3, 4, generator=g, dtype=torch.float64)
    seq = linear_scan_sequential(a, b, h0)
    torch.testing.assert_close(linear_scan_parallel(a, b, h0), seq, rtol=0, atol=1e-10)
    # the first step by hand
    torch.testing.assert_close(seq[0], a[0] * h0 + b[0])


@pytest.mark.parametrize("method", ["sequential", "parallel"])
def test_scans_match_the_definition_forward_and_backward(method):
    g = torch.Generator().manual_seed(3)
    a, b, h0 = (
        torch.rand(30, 2, 3, generator=g, dtype=torch.float64, requires_grad=True),
        torch.randn(30, 2, 3, generator=g, dtype=torch.float64, requires_grad=True),
        torch.randn(2, 3, generator=g, dtype=torch.float64, requires_grad=True),
    )
    h, outs = h0, []
    for t in range(30):  # the recurrence, recorded by autograd step by step
        h = a[t] * h + b[t]
        outs.append(h)
    want = torch.stack(outs)
    scan = linear_scan_sequential if method == "sequential" else linear_scan_parallel
    got = scan(a, b, h0)
    torch.testing.assert_close(got, want, rtol=0, atol=1e-12)
    w = torch.randn(30, 2, 3, generator=g, dtype=torch.float64)
    for x, y in zip(
        torch.autograd.grad((got * w).sum(), (a, b, h0)),
        torch.autograd.grad((want * w).sum(), (a, b, h0)),
        strict=True,
    ):
        torch.testing.assert_close(x, y, rtol=0, atol=1e-12)


def test_kv_cache_shrinks_with_shared_key_value_heads():
    t, d, L = 1000, 512, 3
    mha = kv_cache_bytes(t, d, L, n_heads=8)
    assert mha == kv_cache_bytes(t, d, L) == 2 * L * t * d * 4  # heads alone change nothing
    assert kv_cache_bytes(t, d, L, n_heads=8, n_kv_heads=2) == mha // 4  # grouped-query
    assert kv_cache_bytes(t, d, L, n_heads=8, n_kv_heads=1) == mha // 8  # multi-query
    # the bytes of real caches: (B=1, g, t, d / h) keys and values per layer
    k = torch.zeros(1, 2, t, d // 8)
    assert L * 2 * k.numel() * k.element_size() == mha // 4
    with pytest.raises(ValueError, match="n_heads must divide d_model=512, got 3"):
        kv_cache_bytes(t, d, n_heads=3)
    with pytest.raises(ValueError, match="n_kv_heads must divide n_heads=8, got 3"):
        kv_cache_bytes(t, d, n_heads=8, n_kv_heads=3)


def test_parallel_scan_does_not_modify_inputs():
    a, b, h0 = torch.rand(5, 1, 2), torch.randn(5, 1, 2), torch.randn(1, 2)
    a0, b0 = a.clone(), b.clone()
    linear_scan_parallel(a, b, h0)
    assert torch.equal(a, a0) and torch.equal(b, b0)


def test_mingru_forms_agree_and_match_the_definition():
    rnncore.set_seed(0)
    m = MinGRU(3, 5).double()
    x, h0 = torch.randn(40, 2, 3, dtype=torch.float64), torch.randn(2, 5, dtype=torch.float64)
    par, seq = m(x, h0), m(x, h0, mode="sequential")
    torch.testing.assert_close(par, seq, rtol=0, atol=1e-10)
    z = torch.sigmoid(m.gate(x[0]))
    torch.testing.assert_close(seq[0], (1 - z) * h0 + z * m.candidate(x[0]))
    # gradients agree too
    gp = torch.autograd.grad(m(x, h0).sum(), m.gate.weight)[0]
    gs = torch.autograd.grad(m(x, h0, mode="sequential").sum(), m.gate.weight)[0]
    torch.testing.assert_close(gp, gs, rtol=0, atol=1e-10)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="mode must be one of"):
        rnn_step_flops("transformer", 3, 4)
    with pytest.raises(ValueError, match="hidden_size"):
        rnn_step_flops("gru", 3, 0)
    with pytest.raises(ValueError, match="context_len"):
        attention_step_flops(8, 0)
    with pytest.raises(ValueError, match="n_layers"):
        kv_cache_bytes(10, 8, n_layers=0)
    with pytest.raises(ValueError, match="mode must be one of"):
        recurrent_state_bytes("attention", 8)
    a = torch.rand(4, 2, 3)
    with pytest.raises(ValueError, match=r"a must have non-empty shape \(T, B, H\)"):
        linear_scan_parallel(a[0], a[0], a[0, 0])
    with pytest.raises(ValueError, match="b must have the shape of a"):
        linear_scan_sequential(a, a[:2], a[0])
    with pytest.raises(ValueError, match=r"h0 must have shape \(B, H\)"):
        linear_scan_parallel(a, a, a[0, 0])
    with pytest.raises(TypeError, match="torch tensors"):
        linear_scan_parallel(a.numpy(), a, a[0])
    m = MinGRU(3, 5)
    with pytest.raises(ValueError, match=r"x must have shape \(T, B, D\) with D=3"):
        m(torch.randn(4, 2, 7))
    with pytest.raises(ValueError, match="T=0"):
        m(torch.randn(0, 2, 3))
    with pytest.raises(ValueError, match="mode must be 'parallel' or 'sequential'"):
        m(torch.randn(4, 2, 3), mode="fast")
    layer = KVCacheAttention(8)
    layer.step(torch.randn(2, 8))
    with pytest.raises(ValueError, match="cached batch size B=2"):
        layer.step(torch.randn(3, 8))
    with pytest.raises(ValueError, match=r"x must have shape \(B, d\) with d=8"):
        layer.step(torch.randn(2, 3))
    with pytest.raises(ValueError, match=r"x must have shape \(t, B, d\)"):
        layer.prefill(torch.randn(2, 8))
    with pytest.raises(ValueError, match="repeat"):
        cpu_seconds_per_call(lambda: None, repeat=0)
    with pytest.raises(TypeError, match="callable"):
        cpu_seconds_per_call(3)


def test_cpu_seconds_per_call_calls_the_function():
    calls = []
    seconds = cpu_seconds_per_call(lambda: calls.append(1), repeat=3, warmup=2)
    assert len(calls) == 5 and seconds >= 0.0


def test_autograd_ops_counts_recorded_operations():
    x = torch.randn(3, 4, requires_grad=True)
    w = torch.randn(4, 2, requires_grad=True)
    ops = autograd_ops(torch.tanh(x @ w).sum())
    assert ops["MmBackward0"] == 1 and ops["TanhBackward0"] == 1 and ops["SumBackward0"] == 1
    assert ops["AccumulateGrad"] == 2  # the two leaves
    # indexing a tensor T times leaves T index nodes, each with a full-size gradient
    a = torch.rand(7, 2, requires_grad=True)
    assert autograd_ops(torch.stack([a[t] for t in range(7)]))["SelectBackward0"] == 7
    with pytest.raises(ValueError, match="require grad"):
        autograd_ops(torch.zeros(2))
