"""Tests for rnncore.models.seq2seq: shapes, padding, attention weights, decoding, bad inputs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import rnncore
from rnncore.data.vocab import SEQ2SEQ, CharVocab
from rnncore.models.seq2seq import PairBatches, Seq2Seq, exact_match_error, translate
from rnncore.training.loop import train

V_SRC, V_TGT = 9, 6
rnncore.set_threads(1)  # a second thread fighting a busy core is far slower


def make_model(attention: bool = True, bidirectional: bool = True, seed: int = 0) -> Seq2Seq:
    rnncore.set_seed(seed)
    return Seq2Seq(V_SRC, V_TGT, 8, 12, attention=attention, bidirectional=bidirectional).eval()


def batch(seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    lengths = torch.tensor([5, 3, 1, 4])
    src = torch.randint(3, V_SRC, (5, 4), generator=g)
    src[torch.arange(5)[:, None] >= lengths[None, :]] = 0  # right padding
    tgt_in = torch.randint(3, V_TGT, (6, 4), generator=g)
    tgt_in[0] = 1
    return src, lengths, tgt_in


@pytest.mark.parametrize("attention", [True, False])
@pytest.mark.parametrize("bidirectional", [True, False])
def test_shapes(attention, bidirectional):
    model = make_model(attention, bidirectional)
    src, lengths, tgt_in = batch()
    assert model(src, lengths, tgt_in).shape == (6, 4, V_TGT)
    tokens, weights = model.greedy_decode(src, lengths, max_len=7)
    assert tokens.shape == (4, 7) and tokens.dtype == torch.int64
    assert (weights is None) == (not attention)
    if attention:
        assert weights.shape == (4, 7, 5)
    beams, scores = model.beam_search(src, lengths, max_len=7, beam_width=3)
    assert beams.shape == (4, 3, 7) and scores.shape == (4, 3)


@pytest.mark.parametrize("attention", [True, False])
def test_padding_does_not_change_the_result(attention):
    """A sequence decoded alone and inside a padded batch gives the same logits."""
    model = make_model(attention)
    src, lengths, tgt_in = batch()
    together = model(src, lengths, tgt_in)
    for b in range(4):
        L = int(lengths[b])
        alone = model(src[:L, b : b + 1], lengths[b : b + 1], tgt_in[:, b : b + 1])
        torch.testing.assert_close(alone[:, 0], together[:, b], rtol=1e-5, atol=1e-6)


def test_attention_weights_are_a_distribution_over_real_tokens():
    model = make_model()
    src, lengths, _ = batch()
    memory = model.encode(src, lengths)
    _, alpha = model.attend(memory.s0, memory)
    torch.testing.assert_close(alpha.sum(1), torch.ones(4))
    assert (alpha[~memory.mask.T] == 0).all() and (alpha[memory.mask.T] > 0).all()


def test_greedy_decode_pads_after_eos():
    model = make_model()
    src, lengths, _ = batch()
    tokens, weights = model.greedy_decode(src, lengths, max_len=12, eos_id=4)
    for row, w in zip(tokens, weights, strict=True):
        hits = (row == 4).nonzero()
        if len(hits):
            end = int(hits[0])
            assert (row[end + 1 :] == 0).all() and (w[end + 1 :] == 0).all()


@pytest.mark.parametrize("attention", [True, False])
def test_beam_of_one_is_greedy(attention):
    model = make_model(attention, seed=1)
    src, lengths, _ = batch(1)
    greedy, _ = model.greedy_decode(src, lengths, max_len=6, eos_id=2)
    beams, _ = model.beam_search(src, lengths, max_len=6, beam_width=1, eos_id=2)
    torch.testing.assert_close(beams[:, 0], greedy)


def sequence_logprob(model, src, lengths, seq, eos_id=2):
    """Sum of log p(y_t | y_<t, x) of one row of tokens, up to and including <eos>."""
    ys = [int(y) for y in seq]
    if eos_id in ys:
        ys = ys[: ys.index(eos_id) + 1]
    tgt_in = torch.tensor([1, *ys[:-1]])[:, None]
    logp = torch.log_softmax(model(src, lengths, tgt_in), -1)[:, 0]
    return float(logp[torch.arange(len(ys)), torch.tensor(ys)].sum().detach())


def test_beam_scores_are_the_sequences_log_probabilities_and_sorted():
    model = make_model(seed=2)
    src, lengths, _ = batch(2)
    beams, scores = model.beam_search(src, lengths, max_len=5, beam_width=4, eos_id=2)
    assert (scores[:, :-1] >= scores[:, 1:]).all()
    for b in range(4):
        L = int(lengths[b])
        for k in range(4):
            expected = sequence_logprob(model, src[:L, b : b + 1], lengths[b : b + 1], beams[b, k])
            assert scores[b, k].item() == pytest.approx(expected, abs=1e-4)


def test_wide_beam_finds_the_exhaustive_optimum():
    """With K >= the number of prefixes, beam search is exact: compare against enumeration."""
    rnncore.set_seed(3)
    model = Seq2Seq(V_SRC, 4, 8, 12).eval()  # target ids: pad, sos, eos, one symbol
    src, lengths = torch.tensor([[3], [4], [5]]), torch.tensor([3])
    max_len = 3
    best = -np.inf
    for n in range(1, max_len + 1):  # every sequence of n-1 symbols then <eos>, or max_len symbols
        for body in itertools.product([1, 3], repeat=n - 1):
            best = max(best, sequence_logprob(model, src, lengths, [*body, 2]))
    for body in itertools.product([1, 3], repeat=max_len):
        best = max(best, sequence_logprob(model, src, lengths, body))
    _, scores = model.beam_search(src, lengths, max_len=max_len, beam_width=16, eos_id=2)
    assert scores[0, 0].item() == pytest.approx(best, abs=1e-4)


def test_learns_to_reverse_and_translate_helper():
    """A short seeded run teaches the attention model to reverse 3-letter strings."""
    rnncore.set_seed(0)
    src_vocab = tgt_vocab = CharVocab("abcd", SEQ2SEQ)
    rng = np.random.default_rng(0)
    texts = ["".join(rng.choice(list("abcd"), 3)) for _ in range(200)]
    src, lengths = src_vocab.encode_batch(texts)
    tgt, _ = tgt_vocab.encode_batch([t[::-1] for t in texts], add_sos=True, add_eos=True)
    model = Seq2Seq(len(src_vocab), len(tgt_vocab), 16, 32)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    result = train(
        model, lambda m, b: m.loss(*b), PairBatches(src, lengths, tgt, 32), 150, opt, progress=False
    )
    assert result.history["loss"][-1] < 0.2 < result.history["loss"][0]
    out = translate(model, texts[:50], src_vocab, tgt_vocab, max_len=5)
    assert np.mean([o == t[::-1] for o, t in zip(out, texts, strict=False)]) > 0.9
    beam = translate(model, texts[:50], src_vocab, tgt_vocab, max_len=5, beam_width=3)
    assert np.mean([o == t[::-1] for o, t in zip(beam, texts, strict=False)]) > 0.9
    error = exact_match_error(
        model, texts[:50], [t[::-1] for t in texts[:50]], src_vocab, tgt_vocab
    )
    assert error == pytest.approx(
        1 - np.mean([o == t[::-1] for o, t in zip(out, texts[:50], strict=True)])
    )
    with pytest.raises(ValueError, match="equal lengths"):
        exact_match_error(model, texts[:3], texts[:2], src_vocab, tgt_vocab)


def test_pair_batches_are_seeded_and_trimmed():
    vocab = CharVocab("ab", SEQ2SEQ)
    src, lengths = vocab.encode_batch(["a", "ab", "abab"])
    tgt, _ = vocab.encode_batch(["b", "bb", "a"], add_sos=True, add_eos=True)
    batches = PairBatches(src, lengths, tgt, 2, seed=5)
    s, sl, ti, to = batches(3)
    s2, *_ = batches(3)
    assert torch.equal(s, s2) and s.shape[0] == int(sl.max())
    assert ti.shape == to.shape == (3, 2) and (ti[0] == vocab.sos_id).all()
    with pytest.raises(ValueError, match="src_lengths"):
        PairBatches(src, lengths[:2], tgt, 2)
    with pytest.raises(ValueError, match="tgt_ids"):
        PairBatches(src, lengths, tgt.astype(float), 2)
    with pytest.raises(ValueError, match="batch_size"):
        PairBatches(src, lengths, tgt, 0)


def test_bad_inputs_raise_clear_errors():
    model = make_model()
    src, lengths, tgt_in = batch()
    with pytest.raises(TypeError, match="src must be an integer array of token ids"):
        model(src.float(), lengths, tgt_in)
    with pytest.raises(ValueError, match=r"src must have non-empty shape \(S, B\)"):
        model.encode(src[:, 0], lengths)
    with pytest.raises(ValueError, match=r"tgt_in must have non-empty shape \(T, B\)"):
        model(src, lengths, tgt_in[:0])
    with pytest.raises(ValueError, match=r"src_lengths must be a tensor of shape \(B,\)"):
        model.encode(src, lengths[:2])
    with pytest.raises(ValueError, match=r"src_lengths must lie in \[1, S=5\]"):
        model.encode(src, torch.tensor([6, 1, 1, 1]))
    with pytest.raises(ValueError, match=r"src must lie in \[0, "):
        model.encode(src + 20, lengths)
    with pytest.raises(ValueError, match=r"tgt_in must lie in \[0, "):
        model(src, lengths, tgt_in + 20)
    with pytest.raises(ValueError, match="tgt_in must have batch size"):
        model(src, lengths, tgt_in[:, :2])
    with pytest.raises(ValueError, match="tgt_out must have the shape"):
        model.loss(src, lengths, tgt_in, tgt_in[:3])
    with pytest.raises(ValueError, match="beam_width"):
        model.beam_search(src, lengths, max_len=4, beam_width=0)
    with pytest.raises(ValueError, match="max_len"):
        model.greedy_decode(src, lengths, max_len=0)
    with pytest.raises(ValueError, match="hidden_size"):
        Seq2Seq(5, 5, hidden_size=0)
    vocab = CharVocab("ab", SEQ2SEQ)
    with pytest.raises(ValueError, match="'z'"):
        translate(model, ["az"], vocab, vocab, max_len=3)
