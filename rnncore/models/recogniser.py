"""A recogniser of handwritten digit strings: a bidirectional recurrent layer over image columns.

The architecture of offline handwriting recognition with CTC (Graves & Schmidhuber 2009, "Offline
handwriting recognition with multidimensional recurrent neural networks", NIPS 21), reduced to
one dimension: the image is read left to right, ``stride`` columns per frame, a bidirectional GRU
or LSTM (Schuster & Paliwal 1997) gives every frame context from both sides, and a linear head
scores C classes per frame, class 0 being the CTC blank (Graves et al. 2006).

The same network is trained three ways in the CTC chapter:

- :func:`ctc_objective`: CTC on the digit labels only, no alignment;
- :func:`framewise_objective`: cross-entropy on every frame's class, using the alignment that
  generating the data gives away (gap frames are blank);
- :func:`classifier_objective`, with ``readout="mean"``: a per-digit classifier on digits cut out
  along their true spans (the segmentation is given).

Batches are :class:`rnncore.data.digit_strings.DigitStrings`. Frames are time-major:
``frames (T, B, stride * D)``, ``lengths (B,)``; logits ``(T, B, C)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from rnncore.data.digit_strings import BLANK, to_frames
from rnncore.interop import torch_layer
from rnncore.nn.ctc_decode import best_path_decode, prefix_beam_search_batch
from rnncore.utils import check_positive_int

__all__ = [
    "ColumnRecogniser",
    "classifier_objective",
    "classify_segmented",
    "ctc_objective",
    "frame_log_probs",
    "framewise_objective",
    "recognise",
]

# the gated cells only: a vanilla RNN does not learn this task in the chapter's budget
MODES = ("gru", "lstm")


class ColumnRecogniser(nn.Module):
    """A bidirectional recurrent layer over frames of image columns, then a linear head.

    Parameters
    ----------
    column_size : D, the pixels per column.
    num_classes : C, the blank included (11 for digits; 10 for the per-digit classifier).
    hidden_size : H, per direction.
    mode : "gru" or "lstm".
    readout : "frames" gives logits (T, B, C) for every frame; "mean" averages the outputs over
        the real frames and gives (B, C), a classifier of whole images.
    stride : columns per frame; the recurrent layer reads ``stride * D`` numbers per step.
    seed : seeds the initialisation.
    """

    def __init__(
        self,
        column_size: int,
        num_classes: int = 11,
        hidden_size: int = 32,
        *,
        mode: str = "gru",
        readout: str = "frames",
        stride: int = 1,
        seed: int = 0,
    ) -> None:
        for name, value, allowed in (
            ("mode", mode, list(MODES)),
            ("readout", readout, ["frames", "mean"]),
        ):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
        super().__init__()
        self.stride = check_positive_int(stride, "stride")
        self.input_size = self.stride * check_positive_int(column_size, "column_size")
        self.num_classes = check_positive_int(num_classes, "num_classes")
        hidden = check_positive_int(hidden_size, "hidden_size")
        self.readout = readout
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            self.rnn = torch_layer(mode, self.input_size, hidden, bidirectional=True)
            self.head = nn.Linear(2 * hidden, self.num_classes)

    def forward(self, frames: Any, lengths: Any) -> torch.Tensor:
        """Logits for ``frames (T, B, stride * D)`` with real lengths ``lengths (B,)``.

        Padding is packed away, so the backward direction of every sequence starts at its own
        last frame, not in the padding.
        """
        x = torch.as_tensor(frames, dtype=self.head.weight.dtype)
        if x.ndim != 3 or x.shape[2] != self.input_size:
            raise ValueError(
                f"frames must have shape (T, B, stride * D) = (?, ?, {self.input_size}), "
                f"got {tuple(x.shape)}"
            )
        n = torch.as_tensor(lengths, dtype=torch.int64).cpu()
        if n.shape != (x.shape[1],) or int(n.min()) < 1 or int(n.max()) > x.shape[0]:
            raise ValueError(
                f"lengths must have shape (B,) = ({x.shape[1]},) with values in [1, T={x.shape[0]}]"
                f", got {n.tolist()}"
            )
        packed = nn.utils.rnn.pack_padded_sequence(x, n, enforce_sorted=False)
        out, _ = self.rnn(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, total_length=x.shape[0])  # (T, B, 2H)
        if self.readout == "mean":
            return self.head(out.sum(0) / n[:, None].to(out.dtype))
        return self.head(out)

    def read(self, batch: Any) -> torch.Tensor:
        """Logits (T, B, C) for a batch of digit strings, framed at the model's stride."""
        return self(batch.frames(self.stride), batch.frame_lengths(self.stride))


def ctc_objective(model: ColumnRecogniser, batch: Any) -> torch.Tensor:
    """Mean over strings of -log p(digits | image), by ``torch.nn.functional.ctc_loss``.

    torch's loss is the one ``rnncore.nn.ctc.ctc_loss`` is tested equal to, and it is faster.
    """
    targets, target_lengths = batch.targets()
    losses = nn.functional.ctc_loss(
        model.read(batch).log_softmax(-1),
        torch.from_numpy(targets),
        torch.from_numpy(batch.frame_lengths(model.stride)),
        torch.from_numpy(target_lengths),
        blank=BLANK,
        reduction="sum",
    )
    return losses / len(targets)


def framewise_objective(model: ColumnRecogniser, batch: Any) -> torch.Tensor:
    """Mean cross-entropy of every real frame's class: training *with* the alignment."""
    logits = model.read(batch)  # (T, B, C)
    labels = torch.from_numpy(batch.frame_targets(model.stride))  # (T, B), -100 on padding
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1))


def _crop_logits(model: ColumnRecogniser, images: np.ndarray) -> torch.Tensor:
    frames = to_frames(images, model.stride)
    return model(frames, np.full(len(images), frames.shape[0]))


def classifier_objective(model: ColumnRecogniser, batch: Any) -> torch.Tensor:
    """Cross-entropy of a ``readout="mean"`` model on the batch's digits, cut along true spans."""
    images, digits = batch.crops()
    return nn.functional.cross_entropy(_crop_logits(model, images), torch.from_numpy(digits))


def _eval(model: nn.Module, fn: Any) -> Any:
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return fn()
    finally:
        model.train(was_training)


def frame_log_probs(model: ColumnRecogniser, batch: Any) -> np.ndarray:
    """The model's per-frame log-probabilities (T, B, C) as float64 numpy, in eval mode."""
    return _eval(model, lambda: model.read(batch).double().log_softmax(-1).numpy())


def recognise(
    model: ColumnRecogniser,
    batch: Any,
    decoder: str = "greedy",
    beam_width: int = 8,
    min_prob: float = 0.0,
) -> list[list[int]]:
    """Decode every string of ``batch`` to its digits 0..9: best path ("greedy") or prefix beam
    search ("beam", see :func:`rnncore.nn.ctc_decode.prefix_beam_search`)."""
    if decoder not in ("greedy", "beam"):
        raise ValueError(f"decoder must be 'greedy' or 'beam', got {decoder!r}")
    lp = frame_log_probs(model, batch)
    lengths = batch.frame_lengths(model.stride)
    if decoder == "greedy":
        classes = best_path_decode(lp, lengths, blank=BLANK)
    else:
        classes = prefix_beam_search_batch(lp, beam_width, lengths, BLANK, min_prob)
    return [[k - 1 for k in row] for row in classes]


def classify_segmented(model: ColumnRecogniser, batch: Any) -> list[list[int]]:
    """Read every string digit by digit along its true spans with a per-digit classifier."""
    images, _ = batch.crops()
    predicted = _eval(model, lambda: _crop_logits(model, images).argmax(-1).numpy())
    out, start = [], 0
    for digits in batch.digits:
        out.append(predicted[start : start + len(digits)].tolist())
        start += len(digits)
    return out
