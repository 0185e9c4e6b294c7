"""A character-level language model in torch: embedding, recurrent layers, and a softmax over V.

The model of Graves (2013, "Generating sequences with recurrent neural networks", Section 3) and
Karpathy, Johnson & Fei-Fei (2015, "Visualizing and understanding recurrent networks"): each input
character id is embedded, a stack of LSTM (Hochreiter & Schmidhuber, 1997), GRU (Cho et al., 2014)
or tanh RNN layers reads the sequence, and a linear layer turns every hidden state into logits for
the next character. Trained with the mean cross-entropy of the next character; sampled one character
at a time with a temperature: ``p_tau(c) = softmax(logits / tau)(c)`` (Hinton, Vinyals & Dean,
2015), optionally truncated to the k most likely characters (top-k; Fan, Lewis & Dauphin, 2018)
or to the nucleus, the smallest set of most likely characters whose probability reaches p
(top-p; Holtzman et al., 2020, Sec. 3.1), then renormalised.

Shapes: x (T, B) int64 ids; logits (T, B, V); hidden state (L, B, H) per layer stack.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import nn

from rnncore.data.text import streams
from rnncore.data.vocab import CharVocab
from rnncore.utils import check_ids, check_positive_int

__all__ = [
    "CharLM",
    "charlm_loss",
    "count_parameters",
    "evaluate_charlm",
    "next_char_logits",
    "predictive_entropy",
    "sample",
    "sampling_probs",
]

_CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


class CharLM(nn.Module):
    """Embedding -> recurrent layers -> linear: next-character logits for every position.

    Parameters
    ----------
    vocab_size : int
        V, the number of characters.
    embed_size : int
        E, the size of a character's embedding.
    hidden_size : int
        H, the hidden units of every recurrent layer.
    num_layers : int
        L, stacked recurrent layers.
    cell : {"lstm", "gru", "rnn"}
        The recurrent layer (``"rnn"`` is a tanh RNN).
    dropout : float
        Dropout on the embeddings, between stacked layers and on the last layer's outputs (the
        non-recurrent connections, as in Zaremba, Sutskever & Vinyals, 2014); 0 turns it off.
    """

    def __init__(
        self,
        vocab_size: int,
        embed_size: int = 64,
        hidden_size: int = 256,
        num_layers: int = 1,
        cell: str = "lstm",
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if cell not in _CELLS:
            raise ValueError(f"cell must be one of {sorted(_CELLS)}, got {cell!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        self.config = {
            "vocab_size": check_positive_int(vocab_size, "vocab_size"),
            "embed_size": check_positive_int(embed_size, "embed_size"),
            "hidden_size": check_positive_int(hidden_size, "hidden_size"),
            "num_layers": check_positive_int(num_layers, "num_layers"),
            "cell": cell,
            "dropout": float(dropout),
        }
        self.embed = nn.Embedding(vocab_size, embed_size)
        self.drop = nn.Dropout(dropout)
        between = dropout if num_layers > 1 else 0.0
        self.rnn = _CELLS[cell](embed_size, hidden_size, num_layers, dropout=between)
        self.head = nn.Linear(hidden_size, vocab_size)
        if (
            cell == "lstm"
        ):  # forget gate open at the start (Gers et al., 2000; Jozefowicz et al., 2015)
            for name, bias in self.rnn.named_parameters():
                if name.startswith("bias_ih"):
                    with torch.no_grad():
                        bias[hidden_size : 2 * hidden_size].fill_(1.0)

    def forward(self, x: torch.Tensor, state: Any = None) -> tuple[torch.Tensor, Any]:
        """Return next-character logits (T, B, V) for ids x (T, B), and the final recurrent state.

        ``state`` is the state returned by a previous call (carry it across windows of one text) or
        None for zeros: (L, B, H), or the pair (h, c) of such tensors for an LSTM.
        """
        x = torch.as_tensor(x)
        check_ids(x, "x", self.config["vocab_size"], ndim=2, letters="(T, B)")
        output, state = self.rnn(self.drop(self.embed(x)), state)
        return self.head(self.drop(output)), state


def charlm_loss(model: nn.Module, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """The training loss for :func:`rnncore.training.loop.train`: mean next-char cross-entropy.

    ``batch`` is ``(x, y)`` with x, y (T, B) as made by :func:`rnncore.data.text.char_lm_batches`.
    """
    x, y = batch
    logits, _ = model(x)
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def count_parameters(model: nn.Module) -> int:
    """The number of trainable scalars in ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


@torch.no_grad()
def evaluate_charlm(
    model: CharLM, ids: np.ndarray, batch_size: int = 32, seq_len: int = 256
) -> float:
    """Return the mean cross-entropy (nats per character) of ``model`` on the text ``ids`` (N,).

    The text is laid out as B parallel streams (:func:`rnncore.data.text.streams`) read in windows
    of T, carrying the hidden state across windows, so every character but each stream's first is
    predicted from its whole past in the stream. The model is put in eval mode and restored
    afterwards.
    """
    cols = torch.from_numpy(streams(ids, batch_size))  # (N // B, B)
    was_training = model.training
    model.eval()
    total, count, state = 0.0, 0, None
    try:
        for start in range(0, cols.shape[0] - 1, check_positive_int(seq_len, "seq_len")):
            x = cols[start : start + seq_len]
            y = cols[start + 1 : start + seq_len + 1]
            x = x[: y.shape[0]]
            logits, state = model(x, state)
            loss = nn.functional.cross_entropy(
                logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum"
            )
            total += float(loss)
            count += y.numel()
    finally:
        model.train(was_training)
    return total / count


@torch.no_grad()
def next_char_logits(
    model: CharLM, ids: np.ndarray, batch_size: int = 32, seq_len: int = 256
) -> torch.Tensor:
    """Return the logits the model gives every next character of ``ids``, shape (M, V).

    Read exactly as in :func:`evaluate_charlm` (M = B * (N // B - 1) predictions).
    """
    cols = torch.from_numpy(streams(ids, batch_size))
    was_training = model.training
    model.eval()
    out, state = [], None
    try:
        for start in range(0, cols.shape[0] - 1, seq_len):
            x = cols[start : start + seq_len][: cols.shape[0] - 1 - start]
            logits, state = model(x, state)
            out.append(logits.reshape(-1, logits.shape[-1]))
    finally:
        model.train(was_training)
    return torch.cat(out)


def predictive_entropy(logits: torch.Tensor | np.ndarray, temperature: float = 1.0) -> float:
    """Return the mean entropy, in nats, of ``softmax(logits / temperature)`` over rows.

    ``logits``: (M, V). Low temperatures sharpen the distribution towards its mode (entropy to 0),
    high ones flatten it towards uniform (entropy to log V).
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature!r}")
    z = torch.as_tensor(logits, dtype=torch.float64)
    if z.ndim != 2 or z.shape[0] == 0:
        raise ValueError(f"logits must have shape (M, V) with M > 0, got {tuple(z.shape)}")
    log_p = torch.log_softmax(z / temperature, dim=-1)
    return float(-(log_p.exp() * log_p).sum(-1).mean())


def sampling_probs(
    logits: torch.Tensor,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
) -> torch.Tensor:
    """The distribution a sampler draws from: logits (..., V) -> probabilities (..., V).

    In order: divide the logits by ``temperature``; keep the ``top_k`` largest (every token tied
    with the k-th is kept; k >= V keeps all); of what is left, keep the nucleus, the smallest set
    of most likely tokens whose probability reaches ``top_p`` (every token tied with the last one
    needed is kept; p = 1 keeps all); renormalise. None switches a filter off.
    """
    if not temperature > 0 or math.isinf(temperature):
        raise ValueError(f"temperature must be a positive finite number, got {temperature!r}")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1):
        raise ValueError(f"top_k must be a positive int or None, got {top_k!r}")
    if top_p is not None and not 0.0 < top_p <= 1.0:
        raise ValueError(f"top_p must be in (0, 1] or None, got {top_p!r}")
    z = torch.as_tensor(logits) / temperature
    if top_k is not None and top_k < z.shape[-1]:
        kth = z.topk(top_k, dim=-1).values[..., -1:]  # the k-th largest logit
        z = z.masked_fill(z < kth, float("-inf"))
    probs = torch.softmax(z, dim=-1)
    if top_p is not None and top_p < 1.0:
        ranked = probs.sort(dim=-1, descending=True).values
        # the rank of the token whose cumulative probability first reaches p: the last one kept
        last = (ranked.cumsum(-1) < top_p).sum(-1, keepdim=True).clamp(max=z.shape[-1] - 1)
        probs = probs.masked_fill(probs < ranked.gather(-1, last), 0.0)
        probs = probs / probs.sum(-1, keepdim=True)
    return probs


@torch.no_grad()
def sample(
    model: CharLM,
    vocab: CharVocab,
    prompt: str,
    length: int,
    temperature: float = 1.0,
    seed: int = 0,
    top_k: int | None = None,
    top_p: float | None = None,
) -> str:
    """Generate ``length`` characters after ``prompt``, each drawn from :func:`sampling_probs`.

    The prompt is read first to set the hidden state; then each drawn character is fed back in,
    with the state the model returned. ``seed`` seeds a private generator, so a sample repeats
    without touching the global RNG. Returns the generated text (without the prompt).
    """
    length = check_positive_int(length, "length")
    if not prompt:
        raise ValueError("prompt must not be empty: the model needs a first character")
    if len(vocab) != model.config["vocab_size"]:
        raise ValueError(
            f"vocab has V={len(vocab)} characters but the model {model.config['vocab_size']}"
        )
    sampling_probs(torch.zeros(1), temperature, top_k, top_p)  # check the options first
    gen = torch.Generator().manual_seed(seed)
    was_training = model.training
    model.eval()
    try:
        x = torch.from_numpy(vocab.encode(prompt))[:, None]  # (T, 1)
        logits, state = model(x)
        out = []
        for _ in range(length):
            probs = sampling_probs(logits[-1, 0].double(), temperature, top_k, top_p)
            nxt = int(torch.multinomial(probs, 1, generator=gen))
            out.append(nxt)
            logits, state = model(torch.tensor([[nxt]]), state)
    finally:
        model.train(was_training)
    return vocab.decode(out)
