from __future__ import annotations

import numpy as np
import pytest
import torch

from rnncore.data.text import char_lm_batches, load_shakespeare, streams


def test_shakespeare_is_offline_ascii_and_ends_with_the_tempest() -> None:
    text = load_shakespeare()
    assert len(text) == 1_036_335
    assert text.isascii() and len(set(text)) == 76
    assert text.startswith("HAMLET, PRINCE OF DENMARK")
    assert text.rfind("THE TEMPEST") > 0.9 * len(text)  # the validation tail is one unseen play


def test_char_lm_batches_are_shifted_windows_and_a_function_of_the_step() -> None:
    ids = np.arange(500)
    batch = char_lm_batches(ids, batch_size=4, seq_len=10, seed=3)
    x, y = batch(7)
    assert x.shape == y.shape == (10, 4) and x.dtype == torch.int64
    assert torch.equal(x[1:], y[:-1])  # y is x shifted by one character
    assert torch.equal(y - x, torch.ones_like(x))  # windows are contiguous in the text
    assert torch.equal(batch(7)[0], x) and not torch.equal(batch(8)[0], x)
    assert not torch.equal(char_lm_batches(ids, 4, 10, seed=4)(7)[0], x)
    assert int(y.max()) <= 499


def test_char_lm_batches_errors() -> None:
    with pytest.raises(ValueError, match="more than seq_len=10"):
        char_lm_batches(np.arange(10), 2, 10)
    with pytest.raises(TypeError, match="ids must be an integer array of token ids"):
        char_lm_batches(np.zeros(100), 2, 10)
    with pytest.raises(ValueError, match=r"ids must have shape \(N,\), got \(10, 10\)"):
        char_lm_batches(np.zeros((10, 10), dtype=np.int64), 2, 5)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        char_lm_batches(np.arange(100), 0, 10)


def test_streams_lay_out_contiguous_columns() -> None:
    cols = streams(np.arange(23), batch_size=4)
    assert cols.shape == (5, 4)
    assert np.array_equal(cols[:, 1], np.arange(5, 10))
    with pytest.raises(ValueError, match="at least 2 \\* batch_size"):
        streams(np.arange(7), batch_size=4)
