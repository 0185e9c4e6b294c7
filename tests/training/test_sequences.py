"""rnncore.training.sequences: padding, masks, packing, pooling and the collate function."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnncore.training.sequences import (
    collate_padded,
    gather_last,
    lengths_to_mask,
    masked_mean,
    pack,
    pad_sequences,
)


def _seqs(rng: np.random.Generator, lengths: list[int], D: int = 3) -> list[np.ndarray]:
    return [rng.normal(size=(n, D)) for n in lengths]


def test_pad_sequences_places_values_and_padding() -> None:
    rng = np.random.default_rng(0)
    seqs = _seqs(rng, [2, 4, 1])
    padded, lengths = pad_sequences(seqs, padding_value=-7.0)
    assert padded.shape == (3, 4, 3)
    np.testing.assert_array_equal(lengths, [2, 4, 1])
    for b, s in enumerate(seqs):
        np.testing.assert_array_equal(padded[b, : len(s)], s)
        assert np.all(padded[b, len(s) :] == -7.0)
    assert pad_sequences(seqs, max_len=6)[0].shape == (3, 6, 3)


@pytest.mark.parametrize(
    ("seqs", "exc", "match"),
    [
        ([], ValueError, "at least one sequence"),
        (np.zeros((2, 3, 1)), TypeError, "list of \\(T_b, D\\) arrays"),
        ([np.zeros((2, 3)), np.zeros((0, 3))], ValueError, "seqs\\[1\\] is empty"),
        ([np.zeros((2, 3)), np.zeros((2, 4))], ValueError, "D=3, got \\(2, 4\\)"),
        ([np.zeros(3)], ValueError, "seqs\\[0\\] must have 2 dimensions"),
        ([np.array([[1.0], [np.nan]])], ValueError, "seqs\\[0\\] must be finite"),
        ([np.zeros((2, 3), dtype=int)], TypeError, "floating-point"),
    ],
)
def test_pad_sequences_rejects_bad_input(seqs: object, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        pad_sequences(seqs)


def test_pad_sequences_rejects_short_max_len() -> None:
    with pytest.raises(ValueError, match="max_len=2 is shorter"):
        pad_sequences([np.zeros((3, 1))], max_len=2)


def test_lengths_to_mask() -> None:
    mask = lengths_to_mask(np.array([1, 3]), max_len=4)
    assert mask.dtype == torch.bool
    assert mask.tolist() == [[True, False, False, False], [True, True, True, False]]
    assert lengths_to_mask(torch.tensor([2, 1])).shape == (2, 2)
    with pytest.raises(ValueError, match="must all be >= 1"):
        lengths_to_mask(np.array([2, 0]))
    with pytest.raises(TypeError, match="must hold integers"):
        lengths_to_mask(np.array([2.0]))
    with pytest.raises(ValueError, match="shape \\(B,\\)"):
        lengths_to_mask(np.array([]))
    with pytest.raises(ValueError, match="max_len=1 is shorter"):
        lengths_to_mask(np.array([2]), max_len=1)


def test_masked_mean_and_gather_last_ignore_padding() -> None:
    rng = np.random.default_rng(1)
    seqs = _seqs(rng, [3, 1, 5])
    padded, lengths = pad_sequences(seqs, padding_value=1e6)
    x = torch.as_tensor(padded)
    mean = masked_mean(x, lengths)
    last = gather_last(x, lengths)
    for b, s in enumerate(seqs):
        np.testing.assert_allclose(mean[b].numpy(), s.mean(axis=0), rtol=1e-12)
        np.testing.assert_allclose(last[b].numpy(), s[-1])


def test_batch_helpers_reject_mismatches() -> None:
    x = torch.zeros(2, 3, 1)
    with pytest.raises(ValueError, match="values <= T=3"):
        masked_mean(x, np.array([1, 4]))
    with pytest.raises(ValueError, match="shape \\(B,\\) = \\(2,\\)"):
        gather_last(x, np.array([1, 2, 3]))
    with pytest.raises(ValueError, match="x must have shape \\(B, T, D\\)"):
        pack(torch.zeros(2, 3), np.array([1, 2]))
    with pytest.raises(TypeError, match=r"x must be a torch\.Tensor"):
        pack(np.zeros((2, 3, 1)), np.array([1, 2]))


def test_packing_equals_running_each_sequence_alone() -> None:
    torch.manual_seed(0)
    gru = torch.nn.GRU(3, 5, batch_first=True).double()
    rng = np.random.default_rng(2)
    seqs = _seqs(rng, [4, 2, 6])
    padded, lengths = pad_sequences(seqs, padding_value=3.0)
    x = torch.as_tensor(padded)
    _, h_packed = gru(pack(x, lengths))
    out_masked, _ = gru(x)  # masking route: run over the padding, read at the last real step
    last_masked = gather_last(out_masked, lengths)
    for b, s in enumerate(seqs):
        _, h_alone = gru(torch.as_tensor(s)[None])
        torch.testing.assert_close(h_packed[0, b], h_alone[0, 0])
        torch.testing.assert_close(last_masked[b], h_alone[0, 0])
    # reading the padded run at the final time step instead is wrong for the short sequences
    assert not torch.allclose(out_masked[1, -1], h_packed[0, 1])


def test_collate_padded() -> None:
    rng = np.random.default_rng(3)
    batch = [(s, i) for i, s in enumerate(_seqs(rng, [2, 5]))]
    x, lengths, labels = collate_padded(batch)
    assert x.dtype == torch.float32 and x.shape == (2, 5, 3)
    assert lengths.tolist() == [2, 5] and labels.tolist() == [0, 1]
    with pytest.raises(ValueError, match="non-empty list"):
        collate_padded([])
    with pytest.raises(ValueError, match="batch\\[0\\] must be a \\(sequence, label\\) pair"):
        collate_padded([np.zeros((2, 3))])
    with pytest.raises(TypeError, match="label must be an int class id"):
        collate_padded([(np.zeros((2, 3)), 1.5)])
