"""One token model, many sequence mixers: the testbed of the chapter on linear recurrences.

Every model is the same stack, in the manner of the Mamba block, and only the sequence mixer in
the middle changes, so a difference in accuracy is the mixer's doing:

    x -> LayerNorm -> Linear to 2E -> (u, z)
    u -> causal depthwise convolution (kernel 4) -> SiLU -> mixer -> y     (E = expand * D)
    x + Linear(y * SiLU(z))                                                 (residual)

Mixers: "lru" (linear, time-invariant), "s4d" (time-invariant, trained as a convolution), "s6"
(selective: Delta, B, C read the input), "gru" (torch's nonlinear GRU), "linear_attention" and
"attention" (causal softmax attention, the only one given learned position embeddings, since the
others know order through their recurrence).

Sources
-------
- Gu & Dao (2023), "Mamba", arXiv:2312.00752, Sec. 3.4: the gated block with the short causal
  convolution before the SSM.
- Ba, Kiros & Hinton (2016), "Layer normalization", arXiv:1607.06450.

Shapes: T time steps, B batch, V vocabulary, D model width, E = expand D mixer width.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from rnncore.models.attention_mixers import CausalLinearAttention, CausalSoftmaxAttention
from rnncore.models.selective import SelectiveSSM
from rnncore.models.ssm import LRU, DiagonalSSM
from rnncore.utils import check_positive_int

__all__ = ["MIXERS", "MixerBlock", "MixerLM", "state_numbers"]

MIXERS = ("lru", "s4d", "s6", "gru", "linear_attention", "attention")


class _GRUMixer(nn.Module):
    def __init__(self, width: int) -> None:
        super().__init__()
        self.gru = nn.GRU(width, width)

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        return self.gru(u)[0]


def _mixer(kind: str, width: int, d_state: int, heads: int) -> nn.Module:
    if kind == "lru":
        return LRU(width, d_state, r_min=0.5, r_max=0.99)
    if kind == "s4d":
        return DiagonalSSM(width, d_state)
    if kind == "s6":
        return SelectiveSSM(width, d_state)
    if kind == "gru":
        return _GRUMixer(width)
    if kind == "linear_attention":
        return CausalLinearAttention(width, heads)
    if kind == "attention":
        return CausalSoftmaxAttention(width, heads)
    raise ValueError(f"mixer must be one of {MIXERS}, got {kind!r}")


def state_numbers(kind: str, width: int, d_state: int, heads: int, context_len: int) -> int:
    """Numbers one mixer keeps per sequence between generated tokens (the conv buffer aside).

    lru: N complex = 2N reals; s4d: E N complex = 2 E N; s6: E N; gru: E; linear attention:
    h (d^2 + d) with d = E / h; attention: its KV cache, 2 t E.
    """
    E, N = check_positive_int(width, "width"), check_positive_int(d_state, "d_state")
    table = {
        "lru": lambda: 2 * N,
        "s4d": lambda: 2 * E * N,
        "s6": lambda: E * N,
        "gru": lambda: E,
        "linear_attention": lambda: heads * ((E // heads) ** 2 + E // heads),
        "attention": lambda: 2 * check_positive_int(context_len, "context_len") * E,
    }
    if kind not in table:
        raise ValueError(f"kind must be one of {MIXERS}, got {kind!r}")
    return table[kind]()


class MixerBlock(nn.Module):
    """Pre-norm residual block: gated, short-convolved input to one sequence mixer.

    ``forward(x)``: x (T, B, D) -> (T, B, D).
    """

    def __init__(
        self,
        d_model: int,
        mixer: str,
        expand: int = 2,
        d_state: int = 16,
        conv_kernel: int = 4,
        heads: int = 1,
    ) -> None:
        super().__init__()
        self.d_model = check_positive_int(d_model, "d_model")
        self.width = check_positive_int(expand, "expand") * d_model
        self.kernel = check_positive_int(conv_kernel, "conv_kernel")
        self.norm = nn.LayerNorm(d_model)
        self.in_proj = nn.Linear(d_model, 2 * self.width)  # the mixer's input u and the gate z
        self.conv = nn.Conv1d(
            self.width, self.width, conv_kernel, groups=self.width, padding=conv_kernel - 1
        )  # each channel sees its last k inputs
        self.mixer = _mixer(mixer, self.width, d_state, heads)

        self.out_proj = nn.Linear(self.width, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        T = x.shape[0]
        u, z = self.in_proj(self.norm(x)).chunk(2, dim=-1)
        u = self.conv(u.permute(1, 2, 0))[..., :T].permute(2, 0, 1)  # causal: drop the lookahead
        y = self.mixer(F.silu(u))
        return x + self.out_proj(y * F.silu(z))


class MixerLM(nn.Module):
    """Embedding, ``n_layers`` :class:`MixerBlock` s, a final norm and a linear read-out.

    ``forward(ids)``: ids (T, B) int64 in [0, V) -> logits (T, B, V). ``max_len`` is needed by
    (and only used for) the attention mixer's position embeddings.
    """

    def __init__(
        self,
        vocab_size: int,
        d_model: int,
        mixer: str,
        n_layers: int = 1,
        max_len: int | None = None,
        **block: int,
    ) -> None:
        super().__init__()
        if mixer not in MIXERS:
            raise ValueError(f"mixer must be one of {MIXERS}, got {mixer!r}")
        self.vocab_size = check_positive_int(vocab_size, "vocab_size")
        self.mixer_kind = mixer
        self.embed = nn.Embedding(vocab_size, check_positive_int(d_model, "d_model"))
        self.position = None
        if mixer == "attention":
            self.position = nn.Embedding(check_positive_int(max_len, "max_len"), d_model)
        self.blocks = nn.ModuleList(
            MixerBlock(d_model, mixer, **block)
            for _ in range(check_positive_int(n_layers, "n_layers"))
        )
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        if not isinstance(ids, torch.Tensor) or ids.dtype != torch.long or ids.ndim != 2:
            what = (ids.dtype, tuple(ids.shape)) if isinstance(ids, torch.Tensor) else type(ids)
            raise TypeError(f"ids must be an int64 tensor of shape (T, B), got {what}")
        if ids.shape[0] == 0:
            raise ValueError("ids must hold at least one time step, got T=0")
        if ids.min() < 0 or ids.max() >= self.vocab_size:
            raise ValueError(
                f"ids must lie in [0, {self.vocab_size}), got [{ids.min()}, {ids.max()}]"
            )
        x = self.embed(ids)
        if self.position is not None:
            if ids.shape[0] > self.position.num_embeddings:
                raise ValueError(
                    f"ids must have T <= max_len={self.position.num_embeddings}, "
                    f"got T={ids.shape[0]}"
                )
            x = x + self.position.weight[: ids.shape[0], None]
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x))

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
