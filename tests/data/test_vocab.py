"""rnncore.data.vocab: one character vocabulary, with or without special symbols."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnncore.data.vocab import BLANK, SEQ2SEQ, CharVocab


def test_characters_only_round_trip_and_sorted_ids() -> None:
    vocab = CharVocab.from_text("hello world")
    assert vocab.chars == vocab.tokens == sorted(set("hello world")) and len(vocab) == 8
    ids = vocab.encode("low hello")
    assert ids.dtype == np.int64 and ids.shape == (9,)
    assert vocab.decode(ids) == "low hello"
    assert vocab.decode(torch.from_numpy(ids)) == "low hello"
    assert vocab.decode([]) == ""
    assert vocab == CharVocab(vocab.chars) and vocab != CharVocab("abc")
    assert CharVocab("ba").chars == ["b", "a"]  # the constructor keeps the order given


def test_specials_come_first_and_decode_stops_at_eos() -> None:
    v = CharVocab.from_text(["cab", "ba"], SEQ2SEQ)
    assert v.tokens == ["<pad>", "<sos>", "<eos>", "a", "b", "c"] and len(v) == 6
    assert (v.pad_id, v.sos_id, v.eos_id) == (0, 1, 2)
    ids = v.encode("cab", add_sos=True, add_eos=True)
    assert ids.tolist() == [1, 5, 3, 4, 2] and ids.dtype == np.int64
    assert v.decode(ids) == "cab"  # <sos> is left out
    assert v.decode([*v.encode("ab"), v.eos_id, v.index["c"]]) == "ab"  # stops at <eos>
    assert v != CharVocab("abc") and "specials" in repr(v)


def test_a_ctc_blank_is_id_zero_and_decodes_to_nothing() -> None:
    v = CharVocab.from_text("ab", specials=(BLANK,))
    assert v.blank_id == 0 and v.encode("ba").tolist() == [2, 1]
    assert v.decode([0, 1, 0, 0, 2]) == "ab"
    with pytest.raises(
        ValueError, match=r"specials must include '<eos>', got specials=\('<blank>',\)"
    ):
        _ = v.eos_id
    with pytest.raises(ValueError, match="specials must include '<sos>'"):
        v.encode("a", add_sos=True)


def test_encode_batch_pads_time_first() -> None:
    v = CharVocab("abc", SEQ2SEQ)
    ids, lengths = v.encode_batch(["a", "abc"], add_eos=True)
    assert ids.shape == (4, 2) and ids.dtype == np.int64
    np.testing.assert_array_equal(lengths, [2, 4])
    assert ids[2, 0] == v.pad_id and ids[3, 1] == v.eos_id
    assert [v.decode(ids[:, b]) for b in range(2)] == ["a", "abc"]
    with pytest.raises(ValueError, match="texts must hold at least one string"):
        v.encode_batch([])
    with pytest.raises(ValueError, match="texts must be non-empty strings, got '' at index 1"):
        v.encode_batch(["a", ""])
    with pytest.raises(ValueError, match="specials must include '<pad>'"):
        CharVocab("abc").encode_batch(["a"])


@pytest.mark.parametrize("specials", [(), SEQ2SEQ])
def test_unknown_character_is_named_with_its_position(specials) -> None:
    vocab = CharVocab("abc", specials)
    with pytest.raises(
        ValueError, match=r"character 'é' \(U\+00E9\) at position 3, .* of 3 characters"
    ):
        vocab.encode("abcé")


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda v: v.decode([0, 5]), ValueError, r"ids must lie in \[0, 2\] \(V=3\), got 5"),
        (lambda v: v.decode(np.array([0.5])), TypeError, "ids must be an integer array"),
        (lambda v: v.decode(np.zeros((2, 2), int)), ValueError, r"ids must have shape \(N,\)"),
        (lambda v: v.encode(b"abc"), TypeError, "text must be a str, got bytes"),
        (lambda v: CharVocab.from_text(""), ValueError, "text must not be empty"),
        (lambda v: CharVocab.from_text(b"ab"), TypeError, "text must be a str or strings"),
        (lambda v: CharVocab(["a", "a"]), ValueError, "distinct, got 'a' twice"),
        (lambda v: CharVocab(["ab"]), ValueError, "chars must be single characters, got 'ab'"),
        (lambda v: CharVocab([]), ValueError, "chars must hold at least one character"),
        (lambda v: CharVocab("a", ["!"]), ValueError, "specials must be tokens like '<eos>'"),
        (lambda v: CharVocab("a", [BLANK, BLANK]), ValueError, "'<blank>' twice"),
    ],
)
def test_errors_name_the_argument(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call(CharVocab("abc"))
