"""rnncore.models.recogniser: shapes, packing, the three objectives, decoding, and that a short
CTC training run learns something on easy strings."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnncore.data.digit_strings import DigitStringBatches, make_digit_strings, split_digit_images
from rnncore.models.recogniser import (
    ColumnRecogniser,
    classifier_objective,
    classify_segmented,
    ctc_objective,
    frame_log_probs,
    framewise_objective,
    recognise,
)
from rnncore.nn.ctc import ctc_loss
from rnncore.training.loop import train


@pytest.fixture(scope="module")
def pools():
    return split_digit_images(seed=0)


@pytest.fixture(scope="module")
def batch(pools):
    return make_digit_strings(pools.test_images, pools.test_labels, 6, np.random.default_rng(0))


def test_shapes_and_padding_do_not_leak(batch) -> None:
    model = ColumnRecogniser(10, 11, 8, stride=2, seed=0)
    logits = model.read(batch)
    T = batch.frame_lengths(2)
    assert logits.shape == (batch.frames(2).shape[0], 6, 11)
    # a string's logits do not depend on the padding its batch adds
    b = int(np.argmin(T))
    alone = model(batch.frames(2)[: T[b], b : b + 1], T[b : b + 1])
    torch.testing.assert_close(alone[:, 0], logits[: T[b], b])


def test_ctc_objective_is_the_numpy_ctc_loss(batch) -> None:
    model = ColumnRecogniser(10, 11, 8, stride=2, seed=1).double()
    targets, lengths = batch.targets()
    logits = model.read(batch)
    losses, _ = ctc_loss(logits.detach().numpy(), targets, batch.frame_lengths(2), lengths, blank=0)
    assert ctc_objective(model, batch).item() == pytest.approx(losses.mean(), rel=1e-9)


def test_objectives_are_finite_and_differentiable(batch) -> None:
    for objective, model in (
        (ctc_objective, ColumnRecogniser(10, 11, 8, stride=2)),
        (framewise_objective, ColumnRecogniser(10, 11, 8, stride=2, mode="lstm")),
        (classifier_objective, ColumnRecogniser(10, 10, 8, readout="mean")),
    ):
        loss = objective(model, batch)
        loss.backward()
        assert torch.isfinite(loss) and model.head.weight.grad.abs().sum() > 0


def test_decoders_return_digits(batch) -> None:
    model = ColumnRecogniser(10, 11, 8, stride=2, seed=0)
    lp = frame_log_probs(model, batch)
    np.testing.assert_allclose(np.exp(lp).sum(-1), 1.0)
    for decoder in ("greedy", "beam"):
        out = recognise(model, batch, decoder, beam_width=3)
        assert len(out) == 6 and all(0 <= d <= 9 for row in out for d in row)
    classifier = ColumnRecogniser(10, 10, 8, readout="mean")
    out = classify_segmented(classifier, batch)
    assert [len(row) for row in out] == [len(d) for d in batch.digits]
    assert model.training  # decoding switched back to train mode


def test_short_ctc_training_learns(pools) -> None:
    """100 steps on strings of one to two digits: the loss falls well below its start."""
    torch.manual_seed(0)
    model = ColumnRecogniser(10, 11, 16, stride=2, seed=0)
    batches = DigitStringBatches(
        pools.train_images, pools.train_labels, 8, seed=0, min_digits=1, max_digits=2
    )
    result = train(
        model,
        ctc_objective,
        batches,
        100,
        torch.optim.Adam(model.parameters(), lr=0.02),
        progress=False,
    )
    first, last = np.mean(result.history["loss"][:10]), np.mean(result.history["loss"][-10:])
    assert last < 0.6 * first


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"mode": "rnn"}, "mode must be one of"),
        ({"readout": "last"}, "readout must be one of"),
        ({"stride": 0}, "stride must be a positive int"),
        ({"hidden_size": 0}, "hidden_size must be a positive int"),
    ],
)
def test_bad_construction(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        ColumnRecogniser(10, **kwargs)


def test_bad_forward_and_decoder(batch) -> None:
    model = ColumnRecogniser(10, 11, 4)
    with pytest.raises(ValueError, match=r"frames must have shape \(T, B, stride \* D\)"):
        model(np.zeros((5, 2, 9)), [5, 5])
    with pytest.raises(ValueError, match="lengths must have shape"):
        model(np.zeros((5, 2, 10)), [5, 6])
    with pytest.raises(ValueError, match="decoder must be"):
        recognise(model, batch, "viterbi")
