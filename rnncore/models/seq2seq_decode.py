"""Decoding for the GRU encoder-decoder of :mod:`rnncore.models.seq2seq`: greedy and beam search.

Sources
-------
- Sutskever, Vinyals & Le (2014), "Sequence to sequence learning with neural networks", NeurIPS:
  a left-to-right beam search that keeps a few most likely partial hypotheses (Sec. 3.2,
  "Decoding and Rescoring"); a beam of width 1 is greedy decoding.
- Bahdanau, Cho & Bengio (2015; arXiv 2014), ICLR: the alignment weights returned by greedy decoding
  are the alpha_tj of Eq. 6.

Shapes: S source steps, B batch, H hidden units, V vocabulary, K beam width. Sources are time first,
``(S, B)``; decoded tokens are batch first, ``(B, max_len)`` or ``(B, K, max_len)``.

These functions are re-exported by :mod:`rnncore.models.seq2seq` (``Seq2Seq.greedy_decode`` and
``Seq2Seq.beam_search`` call them), so import them from either module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import torch

from rnncore.data.vocab import CharVocab
from rnncore.training.metrics import exact_match
from rnncore.utils import check_positive_int

if TYPE_CHECKING:  # only for annotations: seq2seq imports this module
    from rnncore.models.seq2seq import Seq2Seq

__all__ = ["beam_search", "exact_match_error", "greedy_decode", "translate"]


@torch.no_grad()
def greedy_decode(
    model: Seq2Seq,
    src: torch.Tensor,
    src_lengths: torch.Tensor,
    max_len: int,
    sos_id: int = 1,
    eos_id: int = 2,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Feed back the most likely token at each step.

    Returns tokens (B, max_len) (``pad_id`` after ``<eos>``) and, with attention, the weights
    (B, max_len, S) (zero after ``<eos>``); without attention the second item is None.
    """
    check_positive_int(max_len, "max_len")
    memory = model.encode(src, src_lengths)
    B = src.shape[1]
    y = torch.full((B,), sos_id, dtype=torch.int64, device=src.device)
    s, done = memory.s0, torch.zeros(B, dtype=torch.bool, device=src.device)
    tokens, alphas = [], []
    for _ in range(max_len):
        logits, s, alpha = model.step(y, s, memory)
        y = logits.argmax(-1)
        tokens.append(y.masked_fill(done, model.pad_id))
        if alpha is not None:
            alphas.append(alpha.masked_fill(done[:, None], 0.0))
        done = done | (y == eos_id)
        if bool(done.all()):
            break
    out = torch.full((B, max_len), model.pad_id, dtype=torch.int64, device=src.device)
    out[:, : len(tokens)] = torch.stack(tokens, dim=1)
    if not alphas:
        return out, None
    weights = torch.zeros(B, max_len, src.shape[0], device=src.device)
    weights[:, : len(alphas)] = torch.stack(alphas, dim=1)
    return out, weights


@torch.no_grad()
def beam_search(
    model: Seq2Seq,
    src: torch.Tensor,
    src_lengths: torch.Tensor,
    max_len: int,
    beam_width: int = 3,
    sos_id: int = 1,
    eos_id: int = 2,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Keep the ``beam_width`` most probable prefixes at each step instead of one.

    A finished hypothesis (one that emitted ``<eos>``) keeps its score and competes with the
    open ones; the search ends when every beam is finished or after ``max_len`` tokens.
    Scores are summed log-probabilities (no length penalty).

    Returns tokens (B, K, max_len), best first, ``pad_id`` after ``<eos>``, and their scores
    (B, K). With K = 1 this is greedy decoding.
    """
    K = check_positive_int(beam_width, "beam_width")
    check_positive_int(max_len, "max_len")
    memory = model.encode(src, src_lengths)
    B, dev = src.shape[1], src.device
    V = model.out.out_features
    # every beam gets its own copy of the encoder memory, at batch index b*K + k
    memory = memory._replace(
        annotations=memory.annotations.repeat_interleave(K, dim=1),
        keys=None if memory.keys is None else memory.keys.repeat_interleave(K, dim=1),
        mask=memory.mask.repeat_interleave(K, dim=1),
        summary=memory.summary.repeat_interleave(K, dim=0),
        s0=memory.s0.repeat_interleave(K, dim=0),
    )
    s = memory.s0  # (B*K, H)
    y = torch.full((B * K,), sos_id, dtype=torch.int64, device=dev)
    scores = torch.full((B, K), float("-inf"), device=dev)
    scores[:, 0] = 0.0  # one live hypothesis at the start, or the K beams would be copies
    finished = torch.zeros(B, K, dtype=torch.bool, device=dev)
    history = torch.zeros(B, K, 0, dtype=torch.int64, device=dev)
    # a finished hypothesis may only be extended by padding, at no cost
    frozen = torch.full((V,), float("-inf"), device=dev)
    frozen[model.pad_id] = 0.0
    offsets = torch.arange(B, device=dev)[:, None] * K
    for t in range(max_len):
        logits, s, _ = model.step(y, s, memory)
        logp = torch.log_softmax(logits, dim=-1).view(B, K, V)
        logp = torch.where(finished[..., None], frozen, logp)
        top, idx = (scores[..., None] + logp).view(B, K * V).topk(K, dim=1)  # sorted
        beam, tok = idx // V, idx % V  # which prefix each survivor extends, and with what
        scores = top
        history = torch.cat([history.gather(1, beam[..., None].expand(B, K, t)), tok[..., None]], 2)
        finished = finished.gather(1, beam) | (tok == eos_id)
        s = s[(offsets + beam).view(-1)]
        y = tok.view(-1)
        if bool(finished.all()):
            break
    out = torch.full((B, K, max_len), model.pad_id, dtype=torch.int64, device=dev)
    out[..., : history.shape[2]] = history
    return out, scores


def translate(
    model: Seq2Seq,
    texts: Sequence[str],
    src_vocab: CharVocab,
    tgt_vocab: CharVocab,
    max_len: int,
    beam_width: int | None = None,
    batch_size: int = 1000,
) -> list[str]:
    """Translate ``texts`` with ``model``: greedy decoding, or beam search if ``beam_width`` is set.

    The model is put in eval mode. Returns one string per text (the best beam), decoded with
    ``tgt_vocab`` up to the first ``<eos>``.
    """
    check_positive_int(batch_size, "batch_size")
    if beam_width is not None:
        check_positive_int(beam_width, "beam_width")
    model.eval()
    out: list[str] = []
    for start in range(0, len(texts), batch_size):
        ids, lengths = src_vocab.encode_batch(texts[start : start + batch_size])
        src, lengths = torch.from_numpy(ids), torch.from_numpy(lengths)
        kw = {"sos_id": tgt_vocab.sos_id, "eos_id": tgt_vocab.eos_id}
        if beam_width is None:
            tokens, _ = model.greedy_decode(src, lengths, max_len, **kw)
        else:
            tokens = model.beam_search(src, lengths, max_len, beam_width, **kw)[0][:, 0]
        out += [tgt_vocab.decode(row) for row in tokens.tolist()]
    return out


def exact_match_error(
    model: Seq2Seq,
    src_texts: Sequence[str],
    tgt_texts: Sequence[str],
    src_vocab: CharVocab,
    tgt_vocab: CharVocab,
) -> float:
    """1 - exact-match accuracy of greedy decoding: lower is better, as ``train``'s eval_fn wants.

    A row counts as right only if every target character and the final ``<eos>`` are produced
    (``rnncore.training.metrics.exact_match`` on the token ids).
    """
    if len(src_texts) != len(tgt_texts):
        raise ValueError(
            f"src_texts and tgt_texts must have equal lengths, got {len(src_texts)} and "
            f"{len(tgt_texts)}"
        )
    reference, _ = tgt_vocab.encode_batch(tgt_texts, add_eos=True)  # (T + 1, B)
    ids, lengths = src_vocab.encode_batch(src_texts)
    model.eval()
    tokens, _ = model.greedy_decode(
        torch.from_numpy(ids),
        torch.from_numpy(lengths),
        reference.shape[0],
        tgt_vocab.sos_id,
        tgt_vocab.eos_id,
    )
    return 1.0 - exact_match(tokens, reference.T)
