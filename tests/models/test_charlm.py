from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

import rnncore
from rnncore.data.text import char_lm_batches
from rnncore.data.vocab import CharVocab
from rnncore.models.charlm import (
    CharLM,
    charlm_loss,
    count_parameters,
    evaluate_charlm,
    next_char_logits,
    predictive_entropy,
    sample,
    sampling_probs,
)
from rnncore.training.loop import train

TEXT = "the cat sat on the mat. " * 40


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_forward_shapes_and_state_carrying(cell: str) -> None:
    rnncore.set_seed(0)
    model = CharLM(11, embed_size=5, hidden_size=7, num_layers=2, cell=cell)
    x = torch.randint(0, 11, (6, 3))
    logits, _state = model(x)
    assert logits.shape == (6, 3, 11)
    # reading a sequence in two halves with the state carried equals reading it at once
    first, mid = model(x[:4])
    second, _ = model(x[4:], mid)
    assert torch.allclose(torch.cat([first, second]), logits, atol=1e-6)


def test_lstm_forget_gate_bias_starts_at_one() -> None:
    model = CharLM(5, 4, 6, cell="lstm")
    assert torch.all(model.rnn.bias_ih_l0[6:12] == 1.0)


def test_parameter_count_matches_the_formula() -> None:
    V, E, H = 20, 8, 16
    model = CharLM(V, E, H, cell="gru")
    assert count_parameters(model) == V * E + 3 * (H * E + H * H + 2 * H) + H * V + V


def test_training_lowers_validation_loss_and_evaluate_matches_direct_cross_entropy() -> None:
    rnncore.set_seed(0)
    vocab = CharVocab.from_text(TEXT)
    ids = vocab.encode(TEXT)
    model = CharLM(len(vocab), 8, 32)
    before = evaluate_charlm(model, ids, batch_size=4, seq_len=16)
    assert before == pytest.approx(math.log(len(vocab)), abs=0.3)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    train(model, charlm_loss, char_lm_batches(ids, 8, 16), 60, opt, clip=1.0, progress=False)
    after = evaluate_charlm(model, ids, batch_size=4, seq_len=16)
    assert after < 0.5 * before
    logits = next_char_logits(model, ids, batch_size=4, seq_len=16)
    cols = np.asarray(ids[: len(ids) // 4 * 4]).reshape(4, -1).T
    targets = torch.from_numpy(cols[1:]).reshape(-1)
    direct = float(torch.nn.functional.cross_entropy(logits, targets))
    assert direct == pytest.approx(after, rel=1e-6)
    assert model.training  # evaluation restored train mode


def test_sampling_repeats_with_a_seed_and_temperature_orders_entropy() -> None:
    rnncore.set_seed(0)
    vocab = CharVocab.from_text(TEXT)
    model = CharLM(len(vocab), 8, 16)
    a = sample(model, vocab, "the ", 30, temperature=0.8, seed=1)
    assert len(a) == 30 and set(a) <= set(vocab.chars)
    assert a == sample(model, vocab, "the ", 30, temperature=0.8, seed=1)
    logits = torch.randn(50, 9)
    ents = [predictive_entropy(logits, t) for t in (0.25, 0.5, 1.0, 2.0, 100.0)]
    assert all(x < y for x, y in itertools.pairwise(ents))
    assert ents[-1] == pytest.approx(math.log(9), abs=1e-3)


@pytest.mark.parametrize(
    ("options", "kept"),
    [
        ({}, [0, 1, 2, 3, 4]),
        ({"top_k": 2}, [0, 1]),
        ({"top_k": 9}, [0, 1, 2, 3, 4]),
        ({"top_p": 0.35}, [0]),  # the first token alone reaches 0.35
        ({"top_p": 0.75}, [0, 1, 2]),  # 0.4 + 0.3 < 0.75: the third token crosses it
        ({"top_p": 1.0}, [0, 1, 2, 3, 4]),
        ({"top_k": 3, "top_p": 0.5}, [0, 1]),  # after top-k: 0.4/0.9 = 0.44 < 0.5
    ],
)
def test_sampling_probs_keeps_the_right_tokens(options: dict, kept: list[int]) -> None:
    p = torch.tensor([0.4, 0.3, 0.2, 0.06, 0.04], dtype=torch.float64)
    probs = sampling_probs(p.log(), **options)
    assert torch.nonzero(probs).flatten().tolist() == kept
    assert probs.sum().item() == pytest.approx(1.0)
    torch.testing.assert_close(probs[kept], p[kept] / p[kept].sum())


def test_sampling_probs_temperature_ties_and_batches() -> None:
    z = torch.tensor([[2.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]], dtype=torch.float64)
    torch.testing.assert_close(sampling_probs(z, 0.5), torch.softmax(z / 0.5, -1))
    # ties with the k-th largest logit are kept, in every row
    assert (sampling_probs(z, top_k=2) > 0).sum(-1).tolist() == [3, 4]
    # a tiny p keeps the most likely token, and every token tied with it
    assert (sampling_probs(z, top_p=1e-6) > 0).sum(-1).tolist() == [1, 4]


def test_sample_with_top_k_one_is_greedy() -> None:
    rnncore.set_seed(0)
    vocab = CharVocab.from_text(TEXT)
    model = CharLM(len(vocab), 8, 16)
    texts = {sample(model, vocab, "the ", 20, seed=s, top_k=1) for s in range(3)}
    assert len(texts) == 1  # no randomness left
    model.eval()
    x = torch.from_numpy(vocab.encode("the "))[:, None]
    with torch.no_grad():
        first = int(model(x)[0][-1, 0].argmax())
    assert texts.pop()[0] == vocab.decode([first])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda m, v: CharLM(5, cell="lstmx"), ValueError, "cell must be one of"),
        (lambda m, v: CharLM(0), ValueError, "vocab_size must be a positive int"),
        (lambda m, v: CharLM(5, dropout=1.0), ValueError, "dropout"),
        (lambda m, v: m(torch.zeros(3, 2)), TypeError, "x must be an integer array of token ids"),
        (lambda m, v: m(torch.zeros(3, dtype=int)), ValueError, r"x must have shape \(T, B\)"),
        (lambda m, v: m(torch.full((3, 2), 9)), ValueError, r"x must lie in \[0, 3\] \(V=4\)"),
        (lambda m, v: sample(m, v, "", 5), ValueError, "prompt must not be empty"),
        (lambda m, v: sample(m, v, "ab", 5, temperature=0.0), ValueError, "temperature"),
        (lambda m, v: sample(m, v, "az", 5), ValueError, "'z'"),
        (lambda m, v: sample(m, CharVocab("ab"), "ab", 5), ValueError, "V=2"),
        (lambda m, v: sample(m, v, "ab", 5, top_k=0), ValueError, "top_k must be a positive"),
        (lambda m, v: sample(m, v, "ab", 5, top_p=1.5), ValueError, r"top_p must be in \(0, 1\]"),
        (lambda m, v: sampling_probs(torch.zeros(3), top_p=0.0), ValueError, "top_p"),
        (lambda m, v: predictive_entropy(torch.zeros(3), 1.0), ValueError, r"shape \(M, V\)"),
    ],
)
def test_errors(call, error, match) -> None:
    model, vocab = CharLM(4, 3, 5), CharVocab("abcd")
    with pytest.raises(error, match=match):
        call(model, vocab)


def test_dropout_acts_in_training_only() -> None:
    rnncore.set_seed(0)
    model = CharLM(7, 4, 8, cell="gru", dropout=0.5)
    x = torch.randint(0, 7, (5, 2))
    assert not torch.equal(model(x)[0], model(x)[0])  # two different masks
    model.eval()
    assert torch.equal(model(x)[0], model(x)[0])
    assert CharLM(7, 4, 8, num_layers=2, dropout=0.3).rnn.dropout == 0.3
    assert CharLM(7, 4, 8, num_layers=1, dropout=0.3).rnn.dropout == 0.0  # torch warns otherwise
