"""Tests for rnncore.models.attention: each score against a direct computation, costs, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rnncore
from rnncore.models.attention import SCORES, make_score, score_cost
from rnncore.models.scaling import count_flops
from rnncore.models.seq2seq import Seq2Seq

rnncore.set_threads(1)
S, B, H, C, A = 7, 3, 5, 5, 4


def states(seed: int = 0, key_size: int = C) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    query = torch.randn(B, H, generator=g, dtype=torch.float64)
    annotations = torch.randn(S, B, key_size, generator=g, dtype=torch.float64)
    return query, annotations


def direct(kind: str, score: torch.nn.Module, s: np.ndarray, h: np.ndarray) -> float:
    """One score written out from the papers' formulas for one query s (H,) and one h (C,)."""
    p = {k: v.detach().numpy() for k, v in score.named_parameters()}
    if kind == "additive":  # v^T tanh(W s + U h + b)
        hidden = np.tanh(p["query.weight"] @ s + p["key.weight"] @ h + p["key.bias"])
        return float(p["score.weight"][0] @ hidden)
    if kind == "concat":  # v_a^T tanh(W_a [s; h])
        return float(p["score.weight"][0] @ np.tanh(p["weight"] @ np.concatenate([s, h])))
    if kind == "general":  # s^T W_a h
        return float(s @ p["bilinear.weight"] @ h)
    return float(s @ h)  # dot


@pytest.mark.parametrize("kind", SCORES)
def test_scores_match_the_formulas(kind: str) -> None:
    torch.manual_seed(0)
    score = make_score(kind, H, C, A).double()
    query, annotations = states()
    got = score(query, score.keys(annotations)).detach().numpy()
    assert got.shape == (S, B)
    want = np.array(
        [[direct(kind, score, query[b].numpy(), annotations[j, b].numpy()) for b in range(B)]
         for j in range(S)]
    )  # fmt: skip
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", SCORES)
def test_gradients_match_finite_differences(kind: str) -> None:
    torch.manual_seed(1)
    score = make_score(kind, H, C, A).double()
    query, annotations = states(1)
    query.requires_grad_(True)
    annotations.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda q, h: score(q, score.keys(h)), (query, annotations))


@pytest.mark.parametrize("kind", SCORES)
def test_cost_counts_parameters_and_flops(kind: str) -> None:
    score = make_score(kind, H, C, A)
    cost = score_cost(kind, H, C, A, S)
    assert sum(p.numel() for p in score.parameters()) == cost["parameters"]
    query, annotations = (t.float() for t in states(2))
    # one example: B = 1, so the counts are per example
    q1, h1 = query[:1], annotations[:, :1]
    with torch.no_grad():
        keys = score.keys(h1)
        assert count_flops(lambda: score.keys(h1)) == cost["per_input"]
        assert count_flops(lambda: score(q1, keys)) == cost["per_step"]


def test_additive_and_concat_differ_only_by_the_key_bias() -> None:
    cost_add, cost_cat = (score_cost(k, H, C, A, S) for k in ("additive", "concat"))
    assert cost_add["parameters"] - cost_cat["parameters"] == A
    assert cost_add["per_step"] == cost_cat["per_step"]


@pytest.mark.parametrize("kind", SCORES)
def test_seq2seq_trains_with_every_score(kind: str) -> None:
    rnncore.set_seed(0)
    model = Seq2Seq(9, 6, 8, 12, bidirectional=kind != "dot", score=kind)
    lengths = torch.tensor([5, 3, 1, 4])
    g = torch.Generator().manual_seed(0)
    src = torch.randint(3, 9, (5, 4), generator=g)
    src[torch.arange(5)[:, None] >= lengths[None, :]] = 0
    tgt = torch.randint(3, 6, (7, 4), generator=g)
    tgt[0] = 1
    loss = model.loss(src, lengths, tgt[:-1], tgt[1:])
    loss.backward()
    assert torch.isfinite(loss)
    assert all(p.grad is not None for p in model.scorer.parameters())
    with torch.no_grad():
        _, alpha = model.attend(model.encode(src, lengths).s0, model.encode(src, lengths))
    # padding gets zero weight, every row sums to one
    assert torch.allclose(alpha.sum(-1), torch.ones(4))
    assert alpha[2, 1:].abs().max() == 0


def test_additive_default_keeps_the_parameter_layout() -> None:
    rnncore.set_seed(0)
    model = Seq2Seq(9, 6, 8, 12)
    names = {n for n, _ in model.named_parameters() if n.startswith("scorer.")}
    assert names == {"scorer.query.weight", "scorer.key.weight", "scorer.key.bias",
                     "scorer.score.weight"}  # fmt: skip


def test_errors_name_the_argument() -> None:
    with pytest.raises(ValueError, match="score"):
        make_score("cosine", H, C, A)
    with pytest.raises(ValueError, match="query_size == key_size"):
        make_score("dot", H, 2 * H, A)
    with pytest.raises(ValueError, match="query_size == key_size"):
        Seq2Seq(9, 6, 8, 12, bidirectional=True, score="dot")
    with pytest.raises(ValueError, match="attention_size"):
        make_score("additive", H, C, 0)
    with pytest.raises(ValueError, match="kind"):
        score_cost("cosine", H, C, A, S)
    score = make_score("general", H, C, A)
    query, annotations = (t.float() for t in states())
    with pytest.raises(ValueError, match="query must have shape"):
        score(query[:2], score.keys(annotations))
    with pytest.raises(ValueError, match="keys must have last size"):
        score(query, annotations[..., :3])
