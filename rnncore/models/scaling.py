"""What a generated token costs: a recurrent state against attention's growing KV cache; minGRU.

Sources
-------
- Vaswani et al. (2017), "Attention is all you need", NeurIPS, Table 1: per layer, self-attention
  costs O(n^2 d) and O(1) sequential operations, a recurrent layer O(n d^2) and O(n) sequential
  ones.
  At generation time a decoder keeps the keys and values of every earlier token (the KV cache), so
  one new token costs O(d^2 + t d) at context length t and the cache holds 2 t d numbers per layer.
- Feng et al. (2024), "Were RNNs all we needed?", arXiv:2410.01201, Sec. 3: minGRU drops the
  previous state from the gates, z_t = sigmoid(W_z x_t + b_z), h~_t = W_h x_t + b_h,
  h_t = (1 - z_t) * h_{t-1} + z_t * h~_t, so the recurrence is linear in h and every coefficient is
  known before the recurrence starts; a parallel scan then computes all h_t in O(log T) steps.
- The scan: h_t = a_t h_{t-1} + b_t composes associatively, (a, b) then (a', b') equals
  (a' a, a' b + b'), so a prefix scan applies (Blelloch, 1990, "Prefix sums and their
  applications"; for linear RNNs Martin & Cundy, 2018, ICLR). The loop and the scan (Hillis &
  Steele's log2 T doubling rounds) are those of :mod:`rnncore.models.scan`, whose backward pass is
  the same recurrence run backwards, written out rather than recorded by autograd.
- Multi-query attention (Shazeer, 2019, "Fast transformer decoding: one write-head is all you
  need", arXiv:1911.02150) shares one key and one value head among all query heads; grouped-query
  attention (Ainslie et al., 2023, "GQA", EMNLP) shares one among each group of query heads. With
  h heads of size d / h and g key-value heads the cache holds 2 g d / h numbers per token and
  layer: g = h is multi-head attention, g = 1 multi-query.

FLOPs count a multiply-add as 2 and cover matrix products only (what
``torch.utils.flop_counter.FlopCounterMode`` counts); elementwise gate arithmetic is O(H), left out.
Shapes: T time steps, B batch, D input features, H hidden units, t context length, d model width.
"""

from __future__ import annotations

import math
import statistics
import time
from collections import Counter
from collections.abc import Callable

import torch
from torch import nn

from rnncore.models.scan import linear_recurrence_torch
from rnncore.nn.cells import CELLS
from rnncore.utils import check_positive_int

__all__ = [
    "KVCacheAttention",
    "MinGRU",
    "attention_step_flops",
    "autograd_ops",
    "count_flops",
    "cpu_seconds_per_call",
    "kv_cache_bytes",
    "linear_scan_parallel",
    "linear_scan_sequential",
    "recurrent_state_bytes",
    "rnn_step_flops",
    "transformer_layer_params",
]


def rnn_step_flops(mode: str, input_size: int, hidden_size: int) -> int:
    """FLOPs of the matrix products in one step of one sequence: ``2 G H (D + H)``.

    ``mode`` is "rnn", "gru" or "lstm" (G = 1, 3, 4 gate blocks) or "mingru" (two blocks that read
    only the input: ``2 * 2 H D``). The cost does not depend on how long the sequence already is.
    """
    D = check_positive_int(input_size, "input_size")
    H = check_positive_int(hidden_size, "hidden_size")
    if mode == "mingru":
        return 2 * 2 * H * D
    if mode not in CELLS:
        raise ValueError(f"mode must be one of 'rnn', 'gru', 'lstm', 'mingru', got {mode!r}")
    return 2 * CELLS[mode].blocks * H * (D + H)


def attention_step_flops(d_model: int, context_len: int) -> int:
    """FLOPs of one new token through one single-head self-attention layer with a KV cache.

    ``context_len`` t counts the tokens attended to, the new one included. Projections q, k, v and
    the output (4 matrices d x d): ``8 d^2``; scores against ``t`` cached keys and the weighted sum
    of ``t`` values: ``4 t d``. Total ``8 d^2 + 4 t d``, linear in ``t``.
    """
    d = check_positive_int(d_model, "d_model")
    t = check_positive_int(context_len, "context_len")
    return 8 * d * d + 4 * t * d


def transformer_layer_params(d_model: int, d_ff: int) -> int:
    """Weights of one Transformer layer as ``torch.nn.TransformerEncoderLayer(d, h, d_ff)`` holds.

    Attention's four d x d projections and their biases, ``4 d^2 + 4 d`` whatever the number of
    heads; the feed-forward block d -> d_ff -> d, ``2 d d_ff + d_ff + d``; two layer norms, ``4 d``.
    """
    d = check_positive_int(d_model, "d_model")
    f = check_positive_int(d_ff, "d_ff")
    return 4 * d * d + 4 * d + 2 * d * f + f + d + 4 * d


def kv_cache_bytes(
    context_len: int,
    d_model: int,
    n_layers: int = 1,
    bytes_per_value: int = 4,
    n_heads: int = 1,
    n_kv_heads: int | None = None,
) -> int:
    """Bytes of the keys and values a decoder keeps after ``context_len`` tokens: 2 L t g (d/h) b.

    ``n_heads`` h query heads of size d / h share ``n_kv_heads`` g key-value heads (default g = h,
    multi-head attention; g = 1 is multi-query, 1 < g < h grouped-query attention).
    """
    t = check_positive_int(context_len, "context_len")
    d = check_positive_int(d_model, "d_model")
    L = check_positive_int(n_layers, "n_layers")
    h = check_positive_int(n_heads, "n_heads")
    g = h if n_kv_heads is None else check_positive_int(n_kv_heads, "n_kv_heads")
    if d % h:
        raise ValueError(f"n_heads must divide d_model={d}, got {h}")
    if h % g:
        raise ValueError(f"n_kv_heads must divide n_heads={h}, got {g}")
    return 2 * L * t * g * (d // h) * check_positive_int(bytes_per_value, "bytes_per_value")


def recurrent_state_bytes(
    mode: str, hidden_size: int, n_layers: int = 1, bytes_per_value: int = 4
) -> int:
    """Bytes of a recurrent network's state: ``L H b``, twice that for the LSTM's (h, c).

    It does not depend on how many tokens have been read.
    """
    if mode not in (*CELLS, "mingru"):
        raise ValueError(f"mode must be one of 'rnn', 'gru', 'lstm', 'mingru', got {mode!r}")
    H = check_positive_int(hidden_size, "hidden_size")
    L = check_positive_int(n_layers, "n_layers")
    per_layer = H if mode == "mingru" else len(CELLS[mode].states) * H
    return L * per_layer * check_positive_int(bytes_per_value, "bytes_per_value")


def count_flops(fn: Callable[[], object]) -> int:
    """Run ``fn()`` once and return the FLOPs of the matrix products torch executed in it.

    Uses ``torch.utils.flop_counter.FlopCounterMode``, which intercepts every operator call; it is
    the independent check of the formulas above.
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        fn()
    return int(counter.get_total_flops())


def autograd_ops(output: torch.Tensor) -> Counter:
    """Count the nodes of the autograd graph behind ``output`` by type name.

    Every differentiable operation the forward pass ran leaves one node (``AddmmBackward0`` for a
    matrix product with bias, ``MkldnnRnnLayerBackward0`` for oneDNN's fused RNN layer, ...), so
    the count says how many operations autograd recorded and will run backwards.
    """
    if not isinstance(output, torch.Tensor) or output.grad_fn is None:
        raise ValueError("output must be a tensor computed from tensors that require grad")
    seen, stack, names = set(), [output.grad_fn], Counter()
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        names[type(node).__name__] += 1
        stack.extend(parent for parent, _ in node.next_functions)
    return names


def _check_scan(a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor) -> None:
    if not all(isinstance(v, torch.Tensor) for v in (a, b, h0)):
        raise TypeError("a, b and h0 must be torch tensors")
    if a.ndim != 3 or a.shape[0] == 0:
        raise ValueError(f"a must have non-empty shape (T, B, H), got {tuple(a.shape)}")
    if b.shape != a.shape:
        raise ValueError(f"b must have the shape of a {tuple(a.shape)}, got {tuple(b.shape)}")
    if h0.shape != a.shape[1:]:
        raise ValueError(f"h0 must have shape (B, H) = {tuple(a.shape[1:])}, got {tuple(h0.shape)}")


def linear_scan_sequential(a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor) -> torch.Tensor:
    """Run ``h_t = a_t * h_{t-1} + b_t`` one step at a time: T dependent steps.

    a, b: (T, B, H); h0: (B, H). Returns h: (T, B, H) (h_1 ... h_T). The loop of
    :func:`rnncore.models.scan.linear_recurrence_torch`; its backward pass is the reversed loop.
    """
    _check_scan(a, b, h0)
    return linear_recurrence_torch(a, b, h0, method="sequential")


def linear_scan_parallel(a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor) -> torch.Tensor:
    """The same recurrence by a Hillis-Steele prefix scan: ceil(log2 T) rounds over all steps.

    a, b: (T, B, H); h0: (B, H). Returns h: (T, B, H). The scan of
    :func:`rnncore.models.scan.linear_recurrence_torch` (h0 folded into the first step); its
    backward pass is the same scan run backwards in time.
    """
    _check_scan(a, b, h0)
    return linear_recurrence_torch(a, b, h0, method="parallel")


class MinGRU(nn.Module):
    """minGRU (Feng et al., 2024): gates that read only the input, hence a parallel scan.

    ``forward(x, h0=None, mode="parallel")`` with x: (T, B, D), h0: (B, H) returns h: (T, B, H);
    ``mode="sequential"`` runs the same recurrence as a loop (the two agree to rounding).
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.input_size = check_positive_int(input_size, "input_size")
        self.hidden_size = check_positive_int(hidden_size, "hidden_size")
        self.gate = nn.Linear(input_size, hidden_size)  # z_t: how much of the candidate to take
        self.candidate = nn.Linear(input_size, hidden_size)  # h~_t: proposed state, from x_t only

    def coefficients(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return a_t = 1 - z_t and b_t = z_t * h~_t, both (T, B, H), for every step at once."""
        if not isinstance(x, torch.Tensor) or x.ndim != 3 or x.shape[-1] != self.input_size:
            shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"x must have shape (T, B, D) with D={self.input_size}, got {shape}")
        if x.shape[0] == 0:
            raise ValueError("x must hold at least one time step, got T=0")
        z = torch.sigmoid(self.gate(x))
        return 1.0 - z, z * self.candidate(x)

    def forward(
        self, x: torch.Tensor, h0: torch.Tensor | None = None, mode: str = "parallel"
    ) -> torch.Tensor:
        a, b = self.coefficients(x)
        if h0 is None:
            h0 = x.new_zeros(x.shape[1], self.hidden_size)
        if mode == "parallel":
            return linear_scan_parallel(a, b, h0)
        if mode == "sequential":
            return linear_scan_sequential(a, b, h0)
        raise ValueError(f"mode must be 'parallel' or 'sequential', got {mode!r}")


class KVCacheAttention(nn.Module):
    """One causal single-head self-attention layer that generates token by token with a KV cache.

    ``step(x)`` takes the new token's vector x: (B, d), appends its key and value to the cache and
    returns the output (B, d) attending over every token so far (inference, no gradients).
    ``cache_bytes()`` is the memory the cached keys and values occupy, which grows by ``2 d``
    numbers per token and sequence. The cache
    lives in buffers that double when full, so appending costs O(1) amortised, as in real decoders.
    """

    def __init__(self, d_model: int) -> None:
        super().__init__()
        self.d_model = check_positive_int(d_model, "d_model")
        self.q, self.k, self.v, self.o = (nn.Linear(d_model, d_model, bias=False) for _ in range(4))
        self.reset()

    def reset(self) -> None:
        """Forget the context: an empty cache."""
        self._k: torch.Tensor | None = None  # (capacity, B, d); the first self.length rows are used
        self._v: torch.Tensor | None = None
        self.length = 0

    def _append(self, k: torch.Tensor, v: torch.Tensor) -> None:
        """Store keys and values k, v: (n, B, d) after the cached ones, growing the buffers."""
        n = k.shape[0]
        if self._k is None:
            self._k, self._v = k.new_empty((n, *k.shape[1:])), v.new_empty((n, *v.shape[1:]))
        elif self.length + n > self._k.shape[0]:
            capacity = max(2 * self._k.shape[0], self.length + n)
            grown_k = self._k.new_empty((capacity, *self._k.shape[1:]))
            grown_v = self._v.new_empty((capacity, *self._v.shape[1:]))
            grown_k[: self.length], grown_v[: self.length] = (
                self._k[: self.length],
                self._v[: self.length],
            )
            self._k, self._v = grown_k, grown_v
        self._k[self.length : self.length + n] = k
        self._v[self.length : self.length + n] = v
        self.length += n

    def prefill(self, x: torch.Tensor) -> None:
        """Start a new cache from a context x: (t, B, d), without computing outputs."""
        if x.ndim != 3 or x.shape[-1] != self.d_model:
            raise ValueError(
                f"x must have shape (t, B, d) with d={self.d_model}, got {tuple(x.shape)}"
            )
        self.reset()
        with torch.no_grad():
            self._append(self.k(x), self.v(x))

    @torch.no_grad()
    def step(self, x: torch.Tensor) -> torch.Tensor:
        """Attend from the new token x: (B, d) over the cache plus itself; returns (B, d).

        Inference only (no gradients): the cache is written in place.
        """
        if x.ndim != 2 or x.shape[-1] != self.d_model:
            raise ValueError(
                f"x must have shape (B, d) with d={self.d_model}, got {tuple(x.shape)}"
            )
        if self._k is not None and self._k.shape[1] != x.shape[0]:
            raise ValueError(
                f"x must have the cached batch size B={self._k.shape[1]}, got {x.shape[0]}"
            )
        self._append(self.k(x)[None], self.v(x)[None])
        keys, values = self._k[: self.length], self._v[: self.length]  # (t, B, d)
        q = self.q(x)  # (B, d)
        scores = torch.einsum("bd,tbd->bt", q, keys) / math.sqrt(self.d_model)
        return self.o(torch.einsum("bt,tbd->bd", torch.softmax(scores, -1), values))

    def cache_bytes(self) -> int:
        """Bytes occupied by the cached keys and values (the used part of the buffers)."""
        if self._k is None:
            return 0
        return 2 * self._k[: self.length].numel() * self._k.element_size()


def cpu_seconds_per_call(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    """Median CPU time (``time.process_time``) of ``fn()`` over ``repeat`` calls, after warm-up.

    CPU time rather than wall time, so other processes on a shared machine inflate it less; still a
    measurement, to be shown, never asserted.
    """
    check_positive_int(repeat, "repeat")
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)
