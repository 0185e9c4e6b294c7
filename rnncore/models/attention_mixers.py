"""Causal attention as a sequence mixer: softmax attention and linear attention, in torch.

:func:`linear_attention_torch` is the torch twin of :mod:`rnncore.nn.linear_attention` (parallel
form, tested equal in float64); :class:`CausalLinearAttention` trains with it and generates with
its recurrent form (a d_k x d_v state per head). :class:`CausalSoftmaxAttention` is the baseline
that keeps every key and value (its KV cache grows with the context).

Sources
-------
- Vaswani et al. (2017), "Attention is all you need", NeurIPS: scaled dot-product attention.
- Katharopoulos et al. (2020), "Transformers are RNNs", ICML: phi(x) = elu(x) + 1, the causal
  linear attention and its recurrent form.

Shapes: T time steps, B batch, D model width, h heads, d_k = d_v = D / h.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from rnncore.models.ssm import check_sequence
from rnncore.utils import check_positive_int

__all__ = ["CausalLinearAttention", "CausalSoftmaxAttention", "linear_attention_torch"]


def linear_attention_torch(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    decay: torch.Tensor | None = None,
    feature: str = "elu",
    normalize: bool = True,
) -> torch.Tensor:
    """Causal linear attention, parallel form: q, k (T, B, d_k), v (T, B, d_v) -> (T, B, d_v).

    decay: (T, B) in (0, 1] or None; the mask is L[t, s] = a_{s+1} ... a_t below the diagonal.
    """
    if feature == "elu":
        q, k = F.elu(q) + 1, F.elu(k) + 1
    elif feature != "identity":
        raise ValueError(f"feature must be 'elu' or 'identity', got {feature!r}")
    T = q.shape[0]
    causal = torch.ones(T, T, dtype=torch.bool, device=q.device).tril()
    if decay is None:
        mask = causal.to(q.dtype)[None]
    else:
        logs = torch.cumsum(torch.log(decay), dim=0).T  # (B, T)
        diff = (logs[:, :, None] - logs[:, None, :]).masked_fill(~causal, 0.0)
        mask = torch.exp(diff) * causal
    scores = torch.einsum("tbd,sbd->bts", q, k) * mask
    out = torch.einsum("bts,sbe->tbe", scores, v)
    if normalize:
        out = out / scores.sum(dim=2).T[..., None]
    return out


class _Heads(nn.Module):
    def __init__(self, d_model: int, heads: int) -> None:
        super().__init__()
        self.d_model = check_positive_int(d_model, "d_model")
        self.heads = check_positive_int(heads, "heads")
        if d_model % heads:
            raise ValueError(f"heads must divide d_model={d_model}, got heads={heads}")
        self.q, self.k, self.v = (nn.Linear(d_model, d_model, bias=False) for _ in range(3))

    def split(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """q, k, v as (T, B h, d) with d = D / h: each head is one more 'batch' row."""
        T, B, _ = x.shape
        d = self.d_model // self.heads
        return tuple(p(x).reshape(T, B * self.heads, d) for p in (self.q, self.k, self.v))

    def merge(self, y: torch.Tensor, B: int) -> torch.Tensor:
        return y.reshape(y.shape[0], B, self.d_model)


class CausalLinearAttention(_Heads):
    """Linear attention with phi = elu + 1: x (T, B, D) -> (T, B, D), trained in parallel form.

    Between generated tokens it keeps, per head, the d x d state S and the d-vector z.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = check_sequence(x, self.d_model)
        q, k, v = self.split(x)
        return self.merge(linear_attention_torch(q, k, v), x.shape[1])

    def state_numbers(self) -> int:
        """Numbers kept per sequence between tokens: h (d^2 + d)."""
        d = self.d_model // self.heads
        return self.heads * (d * d + d)


class CausalSoftmaxAttention(_Heads):
    """Causal scaled dot-product attention: x (T, B, D) -> (T, B, D). Keeps all keys and values."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = check_sequence(x, self.d_model)
        q, k, v = (t.transpose(0, 1) for t in self.split(x))  # (B h, T, d)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.merge(y.transpose(0, 1), x.shape[1])

    def state_numbers(self, context_len: int) -> int:
        """Numbers kept per sequence after ``context_len`` tokens: the KV cache, 2 t D."""
        return 2 * check_positive_int(context_len, "context_len") * self.d_model
