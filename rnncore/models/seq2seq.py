"""GRU encoder-decoder for sequence-to-sequence tasks, with or without additive attention.

Sources
-------
- Sutskever, Vinyals & Le (2014), "Sequence to sequence learning with neural networks", NeurIPS:
  the encoder-decoder trained on p(y | x) = prod_t p(y_t | y_<t, x), decoded with a left-to-right
  beam search (Sec. 2-3).
- Cho et al. (2014), "Learning phrase representations using RNN encoder-decoder for statistical
  machine translation", EMNLP: the GRU, and a decoder that sees the fixed summary c at every step,
  s_t = f(s_{t-1}, y_{t-1}, c) (Sec. 2.2). This is ``attention=False`` here.
- Bahdanau, Cho & Bengio (2015; arXiv 2014), "Neural machine translation by jointly learning to
  align and translate", ICLR: a bidirectional encoder whose annotations h_j = [h_j_fwd; h_j_bwd]
  are weighted by an alignment model a(s_{t-1}, h_j) = v^T tanh(W s_{t-1} + U h_j) (Sec. 3.1,
  Eq. 4-6, and Appendix A.1.2); c_t = sum_j alpha_tj h_j, and s_t = f(s_{t-1}, y_{t-1}, c_t).
  This is ``attention=True`` with ``score="additive"``; Luong et al.'s dot, general and concat
  scores (:mod:`rnncore.models.attention`) can replace it through ``score``.

Shapes: S source steps, T target steps, B batch, E embedding size, H hidden units, A attention size,
V vocabulary, K beam width. All sequences are time first, ``(S, B)`` and ``(T, B)``.

Decoding (greedy, beam search) and the text-level helpers ``translate`` and ``exact_match_error``
live in :mod:`rnncore.models.seq2seq_decode` and are re-exported here.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnncore.models.attention import make_score
from rnncore.models.seq2seq_decode import beam_search, exact_match_error, greedy_decode, translate
from rnncore.utils import check_ids, check_positive_int

# decoding lives in seq2seq_decode; its functions are re-exported here
__all__ = [
    "Memory",
    "PairBatches",
    "Seq2Seq",
    "beam_search",
    "exact_match_error",
    "greedy_decode",
    "translate",
]


class Memory(NamedTuple):
    """What the encoder hands the decoder.

    annotations (S, B, C), keys (S, B, K) or None (the score's per-input part, e.g. U h_j, computed
    once), mask (S, B) bool (True on real tokens), summary (B, C) (last forward [and first backward]
    state), s0 (B, H); C = 2H for a bidirectional encoder, else H.
    """

    annotations: torch.Tensor
    keys: torch.Tensor | None
    mask: torch.Tensor
    summary: torch.Tensor
    s0: torch.Tensor


class Seq2Seq(nn.Module):
    """Translate a token sequence into another: bidirectional GRU encoder, GRU decoder.

    Parameters
    ----------
    src_vocab_size, tgt_vocab_size : int
        V of source and target; id ``pad_id`` is padding in the source.
    embed_size : int
        E, the size of both embeddings.
    hidden_size : int
        H: each encoder direction and the decoder have H units.
    bidirectional : bool
        Read the source in both directions (Bahdanau et al.) or only left to right (Cho et al.).
    attention : bool
        True: additive attention recomputes the context c_t at every step (Bahdanau et al.).
        False: the context is the encoder's fixed summary, the same at every step (Cho et al.).
    attention_size : int, optional
        A, the width of the alignment model (default H).
    score : str
        The attention score, one of :data:`rnncore.models.attention.SCORES`: ``"additive"``
        (Bahdanau et al., the default), or Luong et al.'s ``"dot"`` (needs C = H, so
        ``bidirectional=False``), ``"general"`` or ``"concat"``.
    """

    def __init__(
        self,
        src_vocab_size: int,
        tgt_vocab_size: int,
        embed_size: int = 32,
        hidden_size: int = 64,
        attention: bool = True,
        attention_size: int | None = None,
        bidirectional: bool = True,
        pad_id: int = 0,
        score: str = "additive",
    ) -> None:
        super().__init__()
        check_positive_int(src_vocab_size, "src_vocab_size")
        check_positive_int(tgt_vocab_size, "tgt_vocab_size")
        E = check_positive_int(embed_size, "embed_size")
        H = check_positive_int(hidden_size, "hidden_size")
        A = H if attention_size is None else check_positive_int(attention_size, "attention_size")
        self.attention, self.pad_id, self.hidden_size = bool(attention), pad_id, H
        self.bidirectional = bool(bidirectional)
        C = 2 * H if self.bidirectional else H  # size of an annotation and of the context
        self.src_embed = nn.Embedding(src_vocab_size, E, padding_idx=pad_id)
        self.encoder = nn.GRU(E, H, bidirectional=self.bidirectional)
        self.bridge = nn.Linear(C, H)  # s_0 = tanh(W_s [h_S_fwd; h_1_bwd] + b_s)
        self.tgt_embed = nn.Embedding(tgt_vocab_size, E)
        if self.attention:
            # e_tj = score(s_{t-1}, h_j), with its per-input part precomputed by scorer.keys
            self.scorer = make_score(score, H, C, A)
        self.cell = nn.GRUCell(E + C, H)
        self.out = nn.Linear(H + C + E, tgt_vocab_size)

    def encode(self, src: torch.Tensor, src_lengths: torch.Tensor) -> Memory:
        """Read ``src`` (S, B) with true lengths ``src_lengths`` (B,) into a :class:`Memory`."""
        src = torch.as_tensor(src)
        check_ids(
            src, "src", self.src_embed.num_embeddings, ndim=2, letters="(S, B)", nonempty=True
        )
        S, B = src.shape
        if not isinstance(src_lengths, torch.Tensor) or tuple(src_lengths.shape) != (B,):
            shape = tuple(src_lengths.shape) if isinstance(src_lengths, torch.Tensor) else None
            raise ValueError(f"src_lengths must be a tensor of shape (B,) = ({B},), got {shape}")
        if int(src_lengths.min()) < 1 or int(src_lengths.max()) > S:
            raise ValueError(
                f"src_lengths must lie in [1, S={S}], got values in "
                f"[{int(src_lengths.min())}, {int(src_lengths.max())}]"
            )
        packed = pack_padded_sequence(self.src_embed(src), src_lengths.cpu(), enforce_sorted=False)
        out, h_n = self.encoder(packed)
        annotations, _ = pad_packed_sequence(out, total_length=S)  # (S, B, C), zeros on padding
        summary = torch.cat(list(h_n), dim=-1)  # forward's last state [; backward's first]: (B, C)
        mask = torch.arange(S, device=src.device)[:, None] < src_lengths.to(src.device)[None, :]
        keys = self.scorer.keys(annotations) if self.attention else None
        return Memory(annotations, keys, mask, summary, torch.tanh(self.bridge(summary)))

    def attend(self, s_prev: torch.Tensor, memory: Memory) -> tuple[torch.Tensor, torch.Tensor]:
        """Return the context (B, C) and alignment weights alpha (B, S) given s_prev (B, H)."""
        # e_tj = score(s_{t-1}, h_j), e.g. v^T tanh(W s_{t-1} + U h_j): one per source position
        e = self.scorer(s_prev, memory.keys)  # (S, B)
        e = e.masked_fill(~memory.mask, float("-inf"))  # padding gets zero weight
        alpha = torch.softmax(e, dim=0)
        context = (alpha[..., None] * memory.annotations).sum(0)
        return context, alpha.T

    def step(
        self, y_prev: torch.Tensor, s_prev: torch.Tensor, memory: Memory
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """One decoder step: previous token ids (B,) and state (B, H) to logits (B, V), new state
        (B, H) and alignment weights (B, S) (None without attention)."""
        emb = self.tgt_embed(y_prev)
        if self.attention:
            context, alpha = self.attend(s_prev, memory)
        else:
            context, alpha = memory.summary, None
        s = self.cell(torch.cat([emb, context], dim=-1), s_prev)
        logits = self.out(torch.cat([s, context, emb], dim=-1))
        return logits, s, alpha

    def forward(
        self, src: torch.Tensor, src_lengths: torch.Tensor, tgt_in: torch.Tensor
    ) -> torch.Tensor:
        """Teacher forcing: logits (T, B, V) for the next token given the *true* previous ones.

        ``tgt_in`` (T, B) is the target shifted right (``<sos>`` first), so step t sees the
        reference y_{t-1}, never the model's own guess.
        """
        tgt_in = torch.as_tensor(tgt_in)
        V = self.tgt_embed.num_embeddings
        check_ids(tgt_in, "tgt_in", V, ndim=2, letters="(T, B)", nonempty=True)
        if tgt_in.shape[1] != src.shape[1]:
            raise ValueError(
                f"tgt_in must have batch size B={src.shape[1]} like src, got shape "
                f"{tuple(tgt_in.shape)}"
            )
        memory = self.encode(src, src_lengths)
        s, logits = memory.s0, []
        for t in range(tgt_in.shape[0]):
            step_logits, s, _ = self.step(tgt_in[t], s, memory)
            logits.append(step_logits)
        return torch.stack(logits)

    def loss(
        self,
        src: torch.Tensor,
        src_lengths: torch.Tensor,
        tgt_in: torch.Tensor,
        tgt_out: torch.Tensor,
    ) -> torch.Tensor:
        """Mean cross-entropy (nats per target token) under teacher forcing, padding ignored."""
        logits = self(src, src_lengths, tgt_in)
        if tuple(tgt_out.shape) != tuple(tgt_in.shape):
            raise ValueError(
                f"tgt_out must have the shape of tgt_in {tuple(tgt_in.shape)}, "
                f"got {tuple(tgt_out.shape)}"
            )
        return nn.functional.cross_entropy(
            logits.flatten(0, 1), tgt_out.flatten(), ignore_index=self.pad_id
        )

    def greedy_decode(
        self,
        src: torch.Tensor,
        src_lengths: torch.Tensor,
        max_len: int,
        sos_id: int = 1,
        eos_id: int = 2,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Feed back the most likely token at each step (:func:`seq2seq_decode.greedy_decode`).

        Returns tokens (B, max_len) and, with attention, the weights (B, max_len, S), else None.
        """
        return greedy_decode(self, src, src_lengths, max_len, sos_id, eos_id)

    def beam_search(
        self,
        src: torch.Tensor,
        src_lengths: torch.Tensor,
        max_len: int,
        beam_width: int = 3,
        sos_id: int = 1,
        eos_id: int = 2,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Keep the ``beam_width`` best prefixes at each step (:func:`seq2seq_decode.beam_search`).

        Returns tokens (B, K, max_len), best first, and their scores (B, K).
        """
        return beam_search(self, src, src_lengths, max_len, beam_width, sos_id, eos_id)


class PairBatches:
    """Random mini-batches of (source, target) pairs, as a function of the step index.

    Batch ``i`` is drawn with the generator seeded by ``(seed, i)``, so it is the same on every run
    and after a resume. Returns ``(src (S, B), src_lengths (B,), tgt_in (T, B), tgt_out (T, B))``
    int64 tensors, ``src`` trimmed to the longest source of the batch.

    Parameters
    ----------
    src_ids : (S, N) int array, src_lengths : (N,) int array
        Padded sources and their lengths (:meth:`rnncore.data.vocab.CharVocab.encode_batch`).
    tgt_ids : (T + 1, N) int array
        Targets framed by ``<sos>`` ... ``<eos>`` (``add_sos=True, add_eos=True``).
    """

    def __init__(
        self,
        src_ids: np.ndarray,
        src_lengths: np.ndarray,
        tgt_ids: np.ndarray,
        batch_size: int,
        seed: int = 0,
    ) -> None:
        self.batch_size = check_positive_int(batch_size, "batch_size")
        src_ids, src_lengths, tgt_ids = map(np.asarray, (src_ids, src_lengths, tgt_ids))
        for name, arr, ndim in (
            ("src_ids", src_ids, 2),
            ("src_lengths", src_lengths, 1),
            ("tgt_ids", tgt_ids, 2),
        ):
            if arr.dtype.kind not in "iu" or arr.ndim != ndim:
                raise ValueError(
                    f"{name} must be an integer array with {ndim} dimensions, got dtype "
                    f"{arr.dtype} and shape {arr.shape}"
                )
        N = src_ids.shape[1]
        if src_lengths.shape != (N,) or tgt_ids.shape[1] != N or tgt_ids.shape[0] < 2:
            raise ValueError(
                "src_ids (S, N), src_lengths (N,) and tgt_ids (T + 1 >= 2, N) must agree on N, "
                f"got {src_ids.shape}, {src_lengths.shape} and {tgt_ids.shape}"
            )
        self.src = torch.from_numpy(src_ids.astype(np.int64))
        self.lengths = torch.from_numpy(src_lengths.astype(np.int64))
        self.tgt = torch.from_numpy(tgt_ids.astype(np.int64))
        self.seed, self.n = seed, N

    def __call__(self, i: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        rng = np.random.default_rng([self.seed, int(i)])
        idx = torch.from_numpy(rng.integers(self.n, size=self.batch_size))
        lengths = self.lengths[idx]
        src = self.src[: int(lengths.max()), idx]
        tgt = self.tgt[:, idx]
        return src, lengths, tgt[:-1], tgt[1:]
