"""Tests for rnncore.models.seq2seq_decode: the functions are the methods, and are re-exported.

The decoders' behaviour (shapes, padding, beam width 1 = greedy, bad inputs) is tested through the
``Seq2Seq`` methods in tests/test_models_seq2seq.py.
"""

from __future__ import annotations

import torch

import rnncore
from rnncore.models import seq2seq, seq2seq_decode
from rnncore.models.seq2seq import Seq2Seq

rnncore.set_threads(1)


def test_reexported_from_seq2seq():
    for name in seq2seq_decode.__all__:
        assert getattr(seq2seq, name) is getattr(seq2seq_decode, name)
        assert name in seq2seq.__all__


def test_functions_match_methods():
    rnncore.set_seed(0)
    model = Seq2Seq(9, 6, 8, 12).eval()
    g = torch.Generator().manual_seed(0)
    src, lengths = torch.randint(3, 9, (5, 3), generator=g), torch.tensor([5, 2, 4])
    tokens, weights = seq2seq_decode.greedy_decode(model, src, lengths, 7)
    m_tokens, m_weights = model.greedy_decode(src, lengths, 7)
    assert torch.equal(tokens, m_tokens) and torch.equal(weights, m_weights)
    beams, scores = seq2seq_decode.beam_search(model, src, lengths, 7, beam_width=2)
    m_beams, m_scores = model.beam_search(src, lengths, 7, beam_width=2)
    assert torch.equal(beams, m_beams) and torch.equal(scores, m_scores)
    assert beams.shape == (3, 2, 7)
    assert not scores.requires_grad and not weights.requires_grad  # decoded without autograd
