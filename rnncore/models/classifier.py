"""Sequence classification: a packed recurrent classifier and the order-blind linear baseline.

:class:`SequenceClassifier` runs an LSTM (Hochreiter & Schmidhuber 1997) or GRU (Cho et al. 2014)
over a padded batch **packed** with ``torch.nn.utils.rnn.pack_padded_sequence``, so the padding
never enters the recurrence, and classifies from the final state ``h_n`` (the state after each
sequence's own last frame; both directions' final states when bidirectional):

.. math:: p(c \\mid x_{1:T_b}) = \\mathrm{softmax}(W h_{T_b} + b)_c.

:class:`SoftmaxRegression` is multinomial logistic regression on fixed-size summary features
(e.g. :func:`rnncore.data.vowels.pooled_features`), fitted to convergence by L-BFGS with an L2
penalty: the baseline that ignores frame order. Batches are batch-first, x: (B, T, D).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from rnncore.interop import torch_layer
from rnncore.nn.cells import CELLS
from rnncore.nn.validate import check_mode
from rnncore.training.loop import TrainResult, train
from rnncore.training.sequences import collate_padded, pack
from rnncore.utils import check_array, check_positive_int

__all__ = ["SequenceClassifier", "SoftmaxRegression", "fit_classifier", "predict_classes"]


class SequenceClassifier(nn.Module):
    """Map a padded batch x: (B, T, D) with lengths (B,) to class logits (B, C).

    Parameters
    ----------
    input_size, hidden_size, n_classes : D, H and C.
    mode : "gru", "lstm" or "rnn" (tanh).
    bidirectional : read each sequence both ways and concatenate the two final states.
    dropout : dropout on the final state before the linear head.
    seed : if given, seeds torch before the weights are drawn.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        n_classes: int,
        mode: str = "gru",
        bidirectional: bool = False,
        dropout: float = 0.0,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        check_mode(mode, CELLS)
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            check_positive_int(value, name)
        if check_positive_int(n_classes, "n_classes") < 2:
            raise ValueError(f"n_classes must be at least 2, got {n_classes}")
        if seed is not None:
            torch.manual_seed(seed)
        self.mode = mode
        self.rnn = torch_layer(
            mode, input_size, hidden_size, batch_first=True, bidirectional=bidirectional
        )
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size * (2 if bidirectional else 1), n_classes)

    def forward(self, x: torch.Tensor, lengths: Any) -> torch.Tensor:
        """x: (B, T, D) zero-padded, lengths: (B,) -> logits (B, C)."""
        if x.ndim != 3 or x.shape[-1] != self.rnn.input_size:
            raise ValueError(
                f"x must have shape (B, T, D) with D={self.rnn.input_size}, got {tuple(x.shape)}"
            )
        _, h_n = self.rnn(pack(x, lengths))
        if isinstance(h_n, tuple):  # LSTM returns (h_n, c_n)
            h_n = h_n[0]
        # h_n: (directions, B, H), the last layer's final states, in the batch's original order
        final = torch.cat(list(h_n[-(2 if self.rnn.bidirectional else 1) :]), dim=-1)
        return self.head(self.drop(final))


def _dataset(seqs: list[np.ndarray], labels: Any) -> list[tuple[np.ndarray, int]]:
    lab = np.asarray(labels)
    if lab.ndim != 1 or lab.dtype.kind not in "iu" or lab.size != len(seqs):
        raise ValueError(
            f"labels must be (N,) ints with N=len(seqs)={len(seqs)}, got {lab.dtype} {lab.shape}"
        )
    return [(s, int(c)) for s, c in zip(seqs, lab, strict=True)]


def fit_classifier(
    model: SequenceClassifier,
    seqs: list[np.ndarray],
    labels: Any,
    val_seqs: list[np.ndarray] | None = None,
    val_labels: Any = None,
    *,
    steps: int = 400,
    batch_size: int = 32,
    lr: float = 5e-3,
    clip: float = 1.0,
    eval_every: int = 25,
    seed: int = 0,
    progress: bool = False,
) -> TrainResult:
    """Train with cross-entropy and Adam on seeded minibatches for a fixed number of steps.

    seqs : list of N float arrays (T_b, D); labels : (N,) ints in [0, C). With validation data,
    the validation cross-entropy is checked every ``eval_every`` steps and the best weights are
    restored.
    """
    data = _dataset(seqs, labels)
    batch_size = check_positive_int(batch_size, "batch_size")
    gen = torch.Generator().manual_seed(seed)
    order = torch.randint(
        0, len(data), (check_positive_int(steps, "steps"), batch_size), generator=gen
    )

    def batches(i: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return collate_padded([data[j] for j in order[i].tolist()])

    def loss_fn(m: nn.Module, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
        x, lengths, y = batch
        return nn.functional.cross_entropy(m(x, lengths), y)

    eval_fn = None
    if val_seqs is not None:
        xv, lv, yv = collate_padded(_dataset(val_seqs, val_labels))

        def eval_fn(m: nn.Module) -> float:
            return float(nn.functional.cross_entropy(m(xv, lv), yv))

    return train(
        model,
        loss_fn,
        batches,
        steps,
        torch.optim.Adam(model.parameters(), lr=lr),
        clip=clip,
        eval_fn=eval_fn,
        eval_every=eval_every if eval_fn else None,
        restore_best=eval_fn is not None,
        progress=progress,
        desc=f"{model.mode} classifier",
    )


@torch.no_grad()
def predict_classes(model: SequenceClassifier, seqs: list[np.ndarray]) -> np.ndarray:
    """Predicted class ids (N,) for a list of N (T_b, D) sequences, in eval mode."""
    model.eval()
    x, lengths, _ = collate_padded([(s, 0) for s in seqs])
    return model(x, lengths).argmax(dim=-1).numpy()


class SoftmaxRegression:
    """Multinomial logistic regression with an L2 penalty, fitted by L-BFGS (float64, full batch).

    ``fit(features (N, F), labels (N,))`` minimises mean cross-entropy + ``l2 * ||W||^2 / 2``
    (bias not penalised); features are standardised with their training mean and std inside.
    """

    def __init__(self, l2: float = 1e-2, max_iter: int = 500) -> None:
        if not l2 >= 0:
            raise ValueError(f"l2 must be a non-negative number, got {l2!r}")
        self.l2 = float(l2)
        self.max_iter = check_positive_int(max_iter, "max_iter")
        self.weight: torch.Tensor | None = None

    def fit(self, features: object, labels: Any) -> SoftmaxRegression:
        """Fit to features (N, F) and integer labels (N,) in [0, C)."""
        X = check_array(features, "features", ndim=2, dtype=np.float64)
        y = np.asarray(labels)
        if y.ndim != 1 or y.dtype.kind not in "iu" or y.size != X.shape[0]:
            raise ValueError(
                f"labels must be (N,) ints with N={X.shape[0]}, got {y.dtype} {y.shape}"
            )
        self.mean_, self.std_ = X.mean(axis=0), X.std(axis=0) + 1e-12
        Xt = torch.as_tensor((X - self.mean_) / self.std_)
        yt = torch.as_tensor(y.astype(np.int64))
        C = int(y.max()) + 1
        self.weight = torch.zeros(X.shape[1], C, dtype=torch.float64, requires_grad=True)
        self.bias = torch.zeros(C, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.LBFGS(
            [self.weight, self.bias], max_iter=self.max_iter, line_search_fn="strong_wolfe"
        )

        def closure() -> torch.Tensor:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(Xt @ self.weight + self.bias, yt)
            loss = loss + 0.5 * self.l2 * (self.weight**2).sum()
            loss.backward()
            return loss

        opt.step(closure)
        return self

    @torch.no_grad()
    def predict(self, features: object) -> np.ndarray:
        """Class ids (N,) for features (N, F)."""
        if self.weight is None:
            raise RuntimeError("SoftmaxRegression is not fitted: call fit(features, labels) first")
        X = check_array(features, "features", ndim=2, dtype=np.float64)
        if X.shape[1] != self.weight.shape[0]:
            raise ValueError(f"features must have F={self.weight.shape[0]} columns, got {X.shape}")
        Xt = torch.as_tensor((X - self.mean_) / self.std_)
        return (Xt @ self.weight + self.bias).argmax(dim=-1).numpy()
