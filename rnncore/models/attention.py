"""Attention scores for an RNN encoder-decoder: additive (Bahdanau); Luong's dot, general, concat.

A score compares the decoder's query state with every encoder annotation; a softmax over the
source positions turns the scores into alignment weights. All four scores are split the same way:
``keys(annotations)`` does, once per input, the work that does not depend on the decoder step, and
``forward(query, keys)`` does the per-step rest.

Sources
-------
- Bahdanau, Cho & Bengio (2015; arXiv 2014), "Neural machine translation by jointly learning to
  align and translate", ICLR, Sec. 3.1 and Appendix A.1.2: the additive alignment model
  ``e_j = v^T tanh(W s + U h_j)``.
- Luong, Pham & Manning (2015), "Effective approaches to attention-based neural machine
  translation", EMNLP, Sec. 3.1, Eq. 8: ``dot``: ``s^T h_j``; ``general``: ``s^T W_a h_j``;
  ``concat``: ``v_a^T tanh(W_a [s; h_j])``. (Luong et al. query with the current decoder state and
  feed the attentional state back as input; here only the score function is swapped, the query is
  whatever state the decoder passes.)

Shapes: S source steps, B batch, H query size (decoder state), C annotation size, A attention
width.
"""

from __future__ import annotations

import torch
from torch import nn

from rnncore.utils import check_positive_int

__all__ = [
    "SCORES",
    "AdditiveScore",
    "ConcatScore",
    "DotScore",
    "GeneralScore",
    "make_score",
    "score_cost",
]

SCORES = ("additive", "dot", "general", "concat")


def _check_query_keys(query: torch.Tensor, keys: torch.Tensor, width: int) -> None:
    if query.ndim != 2 or keys.ndim != 3 or query.shape[0] != keys.shape[1]:
        raise ValueError(
            f"query must have shape (B, H) and keys (S, B, K) with the same B, got "
            f"{tuple(query.shape)} and {tuple(keys.shape)}"
        )
    if keys.shape[-1] != width:
        raise ValueError(f"keys must have last size {width}, got {tuple(keys.shape)}")


class AdditiveScore(nn.Module):
    """The additive score ``e_j = v^T tanh(W s + U h_j + b)``: a one-hidden-layer network.

    Bahdanau et al.'s formula (their Appendix A.1.2) has no bias ``b``; this one keeps a bias on
    the key side, which adds A parameters and changes nothing else. ``U h_j + b`` is computed once
    per input (``keys``), so a decoder step costs ``W s`` and the ``S`` products with ``v``.
    """

    def __init__(self, query_size: int, key_size: int, attention_size: int) -> None:
        super().__init__()
        H = check_positive_int(query_size, "query_size")
        C = check_positive_int(key_size, "key_size")
        self.width = A = check_positive_int(attention_size, "attention_size")
        self.query = nn.Linear(H, A, bias=False)  # W: the decoder state asks
        self.key = nn.Linear(C, A)  # U: each annotation answers
        self.score = nn.Linear(A, 1, bias=False)  # v: how well they match

    def keys(self, annotations: torch.Tensor) -> torch.Tensor:
        """``U h_j + b`` for every annotation: (S, B, C) -> (S, B, A)."""
        return self.key(annotations)

    def forward(self, query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        """Scores (S, B) of query (B, H) against precomputed keys (S, B, A)."""
        _check_query_keys(query, keys, self.width)
        return self.score(torch.tanh(self.query(query)[None] + keys)).squeeze(-1)


class ConcatScore(nn.Module):
    """Luong's concat score ``v_a^T tanh(W_a [s; h_j])``, one matrix on the concatenation.

    ``W_a [s; h_j] = W_a[:, :H] s + W_a[:, H:] h_j``, so the annotation half is computed once per
    input, as in the additive score (which is this score with a bias on the annotation half).
    """

    def __init__(self, query_size: int, key_size: int, attention_size: int) -> None:
        super().__init__()
        self.query_size = H = check_positive_int(query_size, "query_size")
        C = check_positive_int(key_size, "key_size")
        self.width = A = check_positive_int(attention_size, "attention_size")
        self.weight = nn.Parameter(torch.empty(A, H + C))  # W_a acts on [s; h_j]
        self.score = nn.Linear(A, 1, bias=False)  # v_a
        nn.init.uniform_(self.weight, -((H + C) ** -0.5), (H + C) ** -0.5)

    def keys(self, annotations: torch.Tensor) -> torch.Tensor:
        """The annotation half ``W_a[:, H:] h_j``: (S, B, C) -> (S, B, A)."""
        return annotations @ self.weight[:, self.query_size :].T

    def forward(self, query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        """Scores (S, B) of query (B, H) against precomputed keys (S, B, A)."""
        _check_query_keys(query, keys, self.width)
        q = query @ self.weight[:, : self.query_size].T  # (B, A)
        return self.score(torch.tanh(q[None] + keys)).squeeze(-1)


class GeneralScore(nn.Module):
    """Luong's general (bilinear) score ``s^T W_a h_j``; ``W_a h_j`` is computed once per input."""

    def __init__(self, query_size: int, key_size: int) -> None:
        super().__init__()
        self.width = H = check_positive_int(query_size, "query_size")
        C = check_positive_int(key_size, "key_size")
        self.bilinear = nn.Linear(C, H, bias=False)  # W_a: (H, C)

    def keys(self, annotations: torch.Tensor) -> torch.Tensor:
        """``W_a h_j`` for every annotation: (S, B, C) -> (S, B, H)."""
        return self.bilinear(annotations)

    def forward(self, query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        """Scores (S, B) of query (B, H) against precomputed keys (S, B, H)."""
        _check_query_keys(query, keys, self.width)
        return torch.einsum("sbh,bh->sb", keys, query)


class DotScore(nn.Module):
    """Luong's dot score ``s^T h_j``: no parameters, so query and annotation must have one size."""

    def __init__(self, query_size: int, key_size: int) -> None:
        super().__init__()
        H = check_positive_int(query_size, "query_size")
        C = check_positive_int(key_size, "key_size")
        if H != C:
            raise ValueError(
                "the dot score needs query_size == key_size (e.g. a unidirectional encoder "
                f"whose hidden size equals the decoder's), got query_size={H}, key_size={C}"
            )
        self.width = H

    def keys(self, annotations: torch.Tensor) -> torch.Tensor:
        """The annotations themselves (nothing to precompute)."""
        return annotations

    def forward(self, query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        """Scores (S, B) of query (B, H) against the annotations (S, B, H)."""
        _check_query_keys(query, keys, self.width)
        return torch.einsum("sbh,bh->sb", keys, query)


def make_score(kind: str, query_size: int, key_size: int, attention_size: int) -> nn.Module:
    """Build the score named ``kind`` (one of :data:`SCORES`); ``attention_size`` is A."""
    if kind == "additive":
        return AdditiveScore(query_size, key_size, attention_size)
    if kind == "concat":
        return ConcatScore(query_size, key_size, attention_size)
    if kind == "general":
        return GeneralScore(query_size, key_size)
    if kind == "dot":
        return DotScore(query_size, key_size)
    raise ValueError(f"score must be one of {list(SCORES)}, got {kind!r}")


def score_cost(
    kind: str, query_size: int, key_size: int, attention_size: int, src_len: int
) -> dict[str, int]:
    """Parameters and matrix-product FLOPs of one score for one example (2 per multiply-add).

    ``per_input``: the keys, once per source sentence of length ``src_len`` (S); ``per_step``:
    each decoder step. Element-wise work (tanh, the additions) is not counted, as torch's
    ``FlopCounterMode`` does not count it either.
    """
    H = check_positive_int(query_size, "query_size")
    C = check_positive_int(key_size, "key_size")
    A = check_positive_int(attention_size, "attention_size")
    S = check_positive_int(src_len, "src_len")
    if kind == "additive":
        return {"parameters": A * (H + C + 2), "per_input": 2 * S * C * A,
                "per_step": 2 * H * A + 2 * S * A}  # fmt: skip
    if kind == "concat":
        return {"parameters": A * (H + C + 1), "per_input": 2 * S * C * A,
                "per_step": 2 * H * A + 2 * S * A}  # fmt: skip
    if kind == "general":
        return {"parameters": H * C, "per_input": 2 * S * C * H, "per_step": 2 * S * H}
    if kind == "dot":
        if H != C:
            raise ValueError(f"the dot score needs query_size == key_size, got {H} and {C}")
        return {"parameters": 0, "per_input": 0, "per_step": 2 * S * H}
    raise ValueError(f"kind must be one of {list(SCORES)}, got {kind!r}")
