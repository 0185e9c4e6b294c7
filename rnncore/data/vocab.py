"""The character vocabulary every chapter uses: characters to integer ids and back.

A character model reads text as a sequence of ids, one per character (Graves, 2013, "Generating
sequences with recurrent neural networks", Section 3). Some models also need symbols that are not
characters, and those come first, at ids ``0 .. K-1``, in the order given:

- a language model needs none: ``CharVocab.from_text(text)``;
- an encoder-decoder needs padding, a start and an end symbol (Sutskever, Vinyals & Le, 2014,
  Section 2): ``CharVocab.from_text(text, specials=SEQ2SEQ)``, so ``<pad>`` is id 0;
- connectionist temporal classification needs a blank (Graves et al., 2006, Section 3.1):
  ``CharVocab.from_text(text, specials=(BLANK,))``, so the blank is id 0.

A special symbol is a token of two or more characters such as ``"<eos>"``, so it can never be
confused with a character of the text. Shapes: N characters, T time steps, B batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from rnncore.utils import check_ids

__all__ = ["BLANK", "EOS", "PAD", "SEQ2SEQ", "SOS", "CharVocab"]

PAD, SOS, EOS, BLANK = "<pad>", "<sos>", "<eos>", "<blank>"
#: the special symbols of an encoder-decoder, at ids 0, 1, 2
SEQ2SEQ: tuple[str, ...] = (PAD, SOS, EOS)


def _special_id(token: str, role: str) -> property:
    """A read-only attribute holding the id of the special symbol ``token``."""

    def get(vocab: CharVocab) -> int:
        if token not in vocab.specials:
            raise ValueError(
                f"the vocabulary's specials must include {token!r}, got specials={vocab.specials}"
            )
        return vocab.index[token]

    return property(get, doc=f"The id of ``{token}``, which {role}.")


class CharVocab:
    """A bijection between tokens and the ids ``0 .. V-1``: the special symbols, then characters.

    ``chars`` keep the order given (``from_text`` sorts them by code point). ``encode`` maps a
    string to an int64 array and names the first character it does not know; ``decode`` maps ids
    back to a string, stops at the first ``<eos>`` (if the vocabulary has one) and leaves out the
    other special symbols. ``len(vocab)`` is V, special symbols included.
    """

    def __init__(self, chars: Sequence[str] | str, specials: Sequence[str] = ()) -> None:
        chars, specials = list(chars), tuple(specials)
        if not chars:
            raise ValueError("chars must hold at least one character, got none")
        for c in chars:
            if not isinstance(c, str) or len(c) != 1:
                raise ValueError(f"chars must be single characters, got {c!r}")
        for s in specials:
            if not isinstance(s, str) or len(s) < 2:
                raise ValueError(f"specials must be tokens like '<eos>' (2+ characters), got {s!r}")
        tokens = [*specials, *chars]
        if len(set(tokens)) != len(tokens):
            dup = next(t for t in tokens if tokens.count(t) > 1)
            raise ValueError(f"chars and specials must be distinct, got {dup!r} twice")
        self.chars: list[str] = chars
        self.specials: tuple[str, ...] = specials
        self.tokens: list[str] = tokens
        self.index: dict[str, int] = {t: i for i, t in enumerate(tokens)}

    @classmethod
    def from_text(cls, text: str | Iterable[str], specials: Sequence[str] = ()) -> CharVocab:
        """Build the vocabulary of every distinct character in ``text`` (a string, or several)."""
        if isinstance(text, (bytes, bytearray)):
            raise TypeError(f"text must be a str or strings, got {type(text).__name__}")
        chars = set(text) if isinstance(text, str) else set().union(*(set(t) for t in text))
        if not chars:
            raise ValueError("text must not be empty")
        return cls(sorted(chars), specials)

    def __len__(self) -> int:
        return len(self.tokens)

    def __repr__(self) -> str:
        specials = f", specials={self.specials}" if self.specials else ""
        return f"CharVocab(V={len(self)}{specials})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CharVocab) and self.tokens == other.tokens

    __hash__ = None  # mutable-looking container: equality by content, no hashing

    # the id of a special symbol, or a ValueError naming the symbol if this vocabulary lacks it
    pad_id = _special_id(PAD, "fills a sequence up to the length of the longest")
    sos_id = _special_id(SOS, "is the decoder's first input")
    eos_id = _special_id(EOS, "ends an output")
    blank_id = _special_id(BLANK, 'is CTC\'s "no character at this step"')

    def encode(self, text: str, add_sos: bool = False, add_eos: bool = False) -> np.ndarray:
        """Map ``text`` (N characters) to int64 ids (N,), optionally framed by ``<sos>``, ``<eos>``.

        Raises ``ValueError`` naming the first unknown character, its code point and its position.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        try:
            ids = np.fromiter((self.index[c] for c in text), dtype=np.int64, count=len(text))
        except KeyError:
            pos = next(i for i, c in enumerate(text) if c not in self.index)
            c = text[pos]
            raise ValueError(
                f"text has character {c!r} (U+{ord(c):04X}) at position {pos}, which is not in "
                f"the vocabulary of {len(self.chars)} characters"
            ) from None
        head = np.array([self.sos_id] if add_sos else [], dtype=np.int64)
        tail = np.array([self.eos_id] if add_eos else [], dtype=np.int64)
        return np.concatenate([head, ids, tail]) if add_sos or add_eos else ids

    def decode(self, ids: Sequence[int] | np.ndarray) -> str:
        """Map ids, shape (N,), back to a string, up to the first ``<eos>``, without specials."""
        if len(ids) == 0:
            return ""
        arr = check_ids(ids, "ids", len(self), ndim=1, letters="(N,)")
        if EOS in self.specials:
            ends = np.flatnonzero(arr == self.eos_id)
            arr = arr[: ends[0]] if ends.size else arr
        k = len(self.specials)
        return "".join(self.chars[i - k] for i in arr.tolist() if i >= k)

    def encode_batch(
        self, texts: Sequence[str], add_sos: bool = False, add_eos: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Encode and right-pad with ``<pad>``: ids (T, B) and lengths (B,), int64, time first."""
        if len(texts) == 0:
            raise ValueError("texts must hold at least one string, got an empty sequence")
        seqs = [self.encode(t, add_sos, add_eos) for t in texts]
        lengths = np.array([len(s) for s in seqs], dtype=np.int64)
        if lengths.min() == 0:
            raise ValueError(f"texts must be non-empty strings, got '' at index {lengths.argmin()}")
        ids = np.full((lengths.max(), len(seqs)), self.pad_id, dtype=np.int64)
        for b, s in enumerate(seqs):
            ids[: len(s), b] = s
        return ids, lengths
