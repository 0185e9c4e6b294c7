"""Tests for rnncore.models.classifier: the packed classifier and the softmax baseline."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rnncore
from rnncore.models.classifier import (
    SequenceClassifier,
    SoftmaxRegression,
    fit_classifier,
    predict_classes,
)
from rnncore.training.metrics import accuracy
from rnncore.training.sequences import collate_padded


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    rnncore.set_threads(1)


def _order_task(n: int, seed: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Label 1 if the sequence rises, 0 if it falls: same values, so only the order tells."""
    rng = np.random.default_rng(seed)
    seqs, labels = [], []
    for _ in range(n):
        T = int(rng.integers(3, 9))
        s = np.sort(rng.normal(size=T))[:, None]
        label = int(rng.integers(0, 2))
        seqs.append(s if label else s[::-1].copy())
        labels.append(label)
    return seqs, np.array(labels)


@pytest.mark.parametrize(
    ("mode", "bidirectional"), [("gru", False), ("lstm", True), ("rnn", False)]
)
def test_logits_shape_and_padding_invariance(mode: str, bidirectional: bool) -> None:
    model = SequenceClassifier(2, 5, 3, mode=mode, bidirectional=bidirectional, seed=0).double()
    rng = np.random.default_rng(0)
    seqs = [rng.normal(size=(n, 2)) for n in (4, 1, 6)]
    x, lengths, _ = collate_padded([(s, 0) for s in seqs])
    logits = model(x.double(), lengths)
    assert logits.shape == (3, 3)
    for b, s in enumerate(seqs):  # each row equals the sequence classified alone, unpadded
        alone = model(torch.as_tensor(s)[None], np.array([len(s)]))
        torch.testing.assert_close(logits[b], alone[0])


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="mode must be one of"):
        SequenceClassifier(2, 4, 3, mode="cnn")
    with pytest.raises(ValueError, match="n_classes must be at least 2"):
        SequenceClassifier(2, 4, 1)
    model = SequenceClassifier(2, 4, 3, seed=0)
    with pytest.raises(ValueError, match="D=2, got \\(1, 3, 5\\)"):
        model(torch.zeros(1, 3, 5), np.array([3]))
    with pytest.raises(ValueError, match="labels must be \\(N,\\) ints with N=len\\(seqs\\)=1"):
        fit_classifier(model, [np.zeros((2, 2))], np.array([0, 1]), steps=1)


def test_learns_an_order_only_task_that_pooling_cannot() -> None:
    seqs, labels = _order_task(200, seed=0)
    test_seqs, test_labels = _order_task(100, seed=1)
    model = SequenceClassifier(1, 8, 2, seed=0)
    fit_classifier(model, seqs, labels, test_seqs[:50], test_labels[:50], steps=150, seed=0)
    acc = accuracy(predict_classes(model, test_seqs[50:]), test_labels[50:])
    assert acc > 0.95
    # mean/std of the values are identical for both orders: the linear baseline is at chance
    feats = np.stack([np.r_[s.mean(0), s.std(0)] for s in seqs])
    test_feats = np.stack([np.r_[s.mean(0), s.std(0)] for s in test_seqs[50:]])
    base = accuracy(SoftmaxRegression().fit(feats, labels).predict(test_feats), test_labels[50:])
    assert base < 0.7


def test_softmax_regression_separates_blobs_and_checks_input() -> None:
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 3.0], [3.0, 0.0], [-3.0, -3.0]])
    y = np.repeat(np.arange(3), 40)
    X = centres[y] + rng.normal(size=(120, 2))
    model = SoftmaxRegression(l2=1e-3).fit(X, y)
    assert accuracy(model.predict(X), y) > 0.95
    with pytest.raises(RuntimeError, match="not fitted"):
        SoftmaxRegression().predict(X)
    with pytest.raises(ValueError, match="features must have F=2 columns"):
        model.predict(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="labels must be \\(N,\\) ints with N=120"):
        SoftmaxRegression().fit(X, y[:5])
    with pytest.raises(ValueError, match="l2 must be a non-negative number"):
        SoftmaxRegression(l2=-1.0)
