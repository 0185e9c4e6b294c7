"""A recurrent layer plus a linear head that reads one number off the last hidden state.

The torch model behind the adding problem (Hochreiter & Schmidhuber 1997, Section 5.4; data in
:mod:`rnncore.data.tasks.adding`): ``torch.nn.RNN``, ``LSTM`` or ``GRU`` with an initialisation
option taken from :mod:`rnncore.nn.diagnostics` (orthogonal, IRNN identity, forget-gate bias,
chrono), and a thin ``fit`` around :func:`rnncore.training.loop.train` with optional gradient-norm
clipping (Pascanu, Mikolov & Bengio 2013, Algorithm 1).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch
from torch import nn

from rnncore.interop import torch_layer
from rnncore.nn import diagnostics
from rnncore.nn.cells import CELLS
from rnncore.nn.validate import check_mode
from rnncore.utils import check_positive_int

__all__ = ["INITS", "SequenceRegressor", "evaluate_mse", "fit"]

INITS = ("default", "orthogonal", "identity", "forget_bias", "chrono")


class SequenceRegressor(nn.Module):
    """Map a sequence ``x: (T, B, D)`` to one prediction per sequence, ``(B,)``.

    Parameters
    ----------
    mode : "rnn", "lstm" or "gru"
    input_size, hidden_size : D and H
    nonlinearity : "tanh" or "relu" (vanilla RNN only)
    init : one of ``INITS``. "default" keeps torch's U(-1/sqrt(H), 1/sqrt(H)); "orthogonal" and
        "identity" set every recurrent gate block (identity also zeroes the biases, as in the IRNN);
        "forget_bias" and "chrono" set the LSTM gate biases.
    forget_bias : value for init="forget_bias"; t_max : range for init="chrono".
    seed : seeds torch's initialisation and the numpy initialisers.
    """

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        nonlinearity: str = "tanh",
        init: str = "default",
        forget_bias: float = 1.0,
        t_max: float | None = None,
        seed: int = 0,
    ) -> None:
        super().__init__()
        check_mode(mode, CELLS)
        if init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {init!r}")
        if init in ("forget_bias", "chrono") and mode != "lstm":
            raise ValueError(f"init={init!r} needs mode='lstm', got mode={mode!r}")
        if init == "chrono" and t_max is None:
            raise ValueError("init='chrono' needs t_max (the longest dependency expected)")
        D = check_positive_int(input_size, "input_size")
        H = check_positive_int(hidden_size, "hidden_size")
        torch.manual_seed(seed)
        kwargs = {"nonlinearity": nonlinearity} if mode == "rnn" else {}
        self.mode, self.init = mode, init
        self.rnn = torch_layer(mode, D, H, **kwargs)
        self.head = nn.Linear(H, 1)
        self._initialise(init, H, forget_bias, t_max, seed)

    @torch.no_grad()
    def _initialise(self, init: str, H: int, forget_bias: float, t_max: float | None, seed: int):
        rng = np.random.default_rng(seed)
        G = CELLS[self.mode].blocks
        w_hh, b_ih, b_hh = self.rnn.weight_hh_l0, self.rnn.bias_ih_l0, self.rnn.bias_hh_l0
        if init in ("orthogonal", "identity"):
            for g in range(G):
                block = diagnostics.orthogonal(H, rng=rng) if init == "orthogonal" else np.eye(H)
                w_hh[g * H : (g + 1) * H] = torch.from_numpy(block)
            if init == "identity":
                b_ih.zero_()
                b_hh.zero_()
        elif init == "forget_bias":
            b_ih.copy_(torch.from_numpy(diagnostics.forget_gate_bias(H, forget_bias)))
            b_hh.zero_()
        elif init == "chrono":
            b_ih.copy_(torch.from_numpy(diagnostics.chrono_bias(H, t_max, rng=rng)))
            b_hh.zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Predictions ``(B,)`` from the last hidden state of ``x: (T, B, D)``."""
        if x.dim() != 3 or x.shape[2] != self.rnn.input_size:
            raise ValueError(
                f"x must have shape (T, B, D) with D={self.rnn.input_size}, got {tuple(x.shape)}"
            )
        out, _ = self.rnn(x)
        return self.head(out[-1]).squeeze(-1)


def evaluate_mse(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error of ``model`` on ``x: (T, B, D)``, ``y: (B,)``, without gradients."""
    model.eval()
    with torch.no_grad():
        pred = model(torch.as_tensor(x))
        return float(torch.mean((pred - torch.as_tensor(y)) ** 2))


def fit(
    model: nn.Module,
    batches: Iterator[tuple[np.ndarray, np.ndarray]],
    steps: int,
    lr: float = 1e-3,
    optimizer: str = "adam",
    clip: float | None = None,
    progress: bool = False,
    desc: str = "train",
) -> dict[str, object]:
    """Train ``model`` with MSE for ``steps`` batches ``(x (T, B, D), y (B,))``; return the history.

    Runs :func:`rnncore.training.loop.train` (Adam or plain SGD, optional clipping of the global
    gradient norm to ``clip``). A run whose loss turns NaN/inf does not raise: training stops there
    and the history says so. Returns ``loss`` and ``grad_norm`` (before clipping), each
    ``(steps,)``, NaN after a divergence, and ``diverged_at``, the 1-based step of the first
    non-finite loss (0 if none).
    """
    from rnncore.training.loop import train

    steps = check_positive_int(steps, "steps")
    if clip is not None and not (np.isfinite(clip) and clip > 0):
        raise ValueError(f"clip must be a positive number or None, got {clip!r}")
    if optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    elif optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=lr)
    else:
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    seen: list[float] = []

    def loss_fn(m: nn.Module, batch: tuple[np.ndarray, np.ndarray]) -> torch.Tensor:
        x, y = batch
        loss = torch.mean((m(torch.as_tensor(x)) - torch.as_tensor(y)) ** 2)
        seen.append(loss.item())
        return loss

    losses = np.full(steps, np.nan)
    norms = np.full(steps, np.nan)
    try:
        result = train(model, loss_fn, batches, steps, opt, clip=clip, progress=progress, desc=desc)
        norms[:] = result.history["grad_norm"]
        diverged_at = 0
    except FloatingPointError:  # the loss went NaN/inf: that is the result, not an error
        diverged_at = len(seen)
    losses[: len(seen)] = seen
    return {"loss": losses, "grad_norm": norms, "diverged_at": diverged_at}
