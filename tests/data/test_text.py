from __future__ import annotations

import numpy as np
import pytest
import torch

from rnncore.data.text import (
    CharVocab,
    char_lm_batches,
    load_shakespeare,
    split_by_position,
    streams,
)


def test_shakespeare_is_offline_ascii_and_ends_with_the_tempest() -> None:
    text = load_shakespeare()
    assert len(text) == 1_036_335
    assert text.isascii() and len(set(text)) == 76
    assert text.startswith("HAMLET, PRINCE OF DENMARK")
    assert text.rfind("THE TEMPEST") > 0.9 * len(text)  # the validation tail is one unseen play


def test_vocab_round_trip_and_sorted_ids() -> None:
    vocab = CharVocab.from_text("hello world")
    assert vocab.chars == sorted(set("hello world")) and len(vocab) == 8
    ids = vocab.encode("low hello")
    assert ids.dtype == np.int64 and ids.shape == (9,)
    assert vocab.decode(ids) == "low hello"
    assert vocab.decode(torch.from_numpy(ids)) == "low hello"
    assert vocab == CharVocab(vocab.chars) and vocab != CharVocab("abc")


def test_unknown_character_is_named_with_its_position() -> None:
    vocab = CharVocab.from_text("abc")
    with pytest.raises(
        ValueError, match=r"character 'é' \(U\+00E9\) at position 3, .* 3 characters"
    ):
        vocab.encode("abcé")


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda v: v.decode([0, 5]), ValueError, r"ids must be in \[0, 3\), got 5 at position 1"),
        (lambda v: v.decode(np.array([0.5])), TypeError, "ids must be integers"),
        (lambda v: v.encode(b"abc"), TypeError, "text must be a str"),
        (lambda v: CharVocab.from_text(""), ValueError, "text must not be empty"),
        (lambda v: CharVocab(["a", "a"]), ValueError, "distinct"),
        (lambda v: CharVocab(["ab"]), TypeError, "single characters"),
        (lambda v: CharVocab([]), ValueError, "must not be empty"),
    ],
)
def test_vocab_errors(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call(CharVocab("abc"))


def test_split_by_position_is_contiguous_and_complete() -> None:
    data = np.arange(1000)
    train, tune, val = split_by_position(data, [0.8, 0.1, 0.1])
    assert (len(train), len(tune), len(val)) == (800, 100, 100)
    assert np.array_equal(np.concatenate([train, tune, val]), data)
    assert train.max() < tune.min() and tune.max() < val.min()  # no leakage backwards
    assert split_by_position("abcdefghij", [0.7, 0.3]) == ["abcdefg", "hij"]


@pytest.mark.parametrize(
    ("fractions", "match"),
    [
        ([1.0], "at least two"),
        ([0.5, 0.6], "sum to 1"),
        ([1.2, -0.2], "positive"),
        ([0.999, 0.001], "empty"),
    ],
)
def test_split_errors(fractions, match) -> None:
    with pytest.raises(ValueError, match=match):
        split_by_position(np.arange(10), fractions)


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
    with pytest.raises(TypeError, match="1-D integer array"):
        char_lm_batches(np.zeros(100), 2, 10)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        char_lm_batches(np.arange(100), 0, 10)


def test_streams_lay_out_contiguous_columns() -> None:
    cols = streams(np.arange(23), batch_size=4)
    assert cols.shape == (5, 4)
    assert np.array_equal(cols[:, 1], np.arange(5, 10))
    with pytest.raises(ValueError, match="at least 2 \\* batch_size"):
        streams(np.arange(7), batch_size=4)
