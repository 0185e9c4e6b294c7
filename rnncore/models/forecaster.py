"""A recurrent one-step-ahead forecaster for a univariate series, and its fit and predict helpers.

The model reads a window of the W most recent (scaled) values with an LSTM (Hochreiter &
Schmidhuber 1997) or GRU (Cho et al. 2014) and maps the last hidden state to the next value with a
linear head:

.. math:: h_W = \\mathrm{RNN}(y_{t-W+1}, \\dots, y_t), \\qquad \\hat y_{t+1} = w^\\top h_W + b.

Longer horizons come from feeding forecasts back in
(:func:`rnncore.data.timeseries.recursive_forecast` with :func:`make_step`). :func:`fit_forecaster`
trains with :func:`rnncore.training.loop.train`: mean squared error, Adam, gradient clipping,
minibatches drawn by a seeded generator, early stopping on a validation block that lies before the
test years, with the best weights restored. :func:`fit_blocks` does the whole train/validation/test
protocol.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from rnncore.data.timeseries import Scaler, make_windows
from rnncore.interop import torch_layer
from rnncore.nn.cells import CELLS
from rnncore.nn.validate import check_mode
from rnncore.training.loop import TrainResult, train
from rnncore.utils import check_array, check_positive_int

__all__ = ["BlockRun", "Forecaster", "fit_blocks", "fit_forecaster", "make_step", "predict_next"]


class Forecaster(nn.Module):
    """Map windows of past values to a forecast of the next value.

    Parameters
    ----------
    mode : "gru", "lstm" or "rnn" (tanh).
    hidden_size : H.
    num_layers : stacked recurrent layers.
    seed : if given, seeds torch before the weights are drawn (same seed, same model).
    """

    def __init__(
        self, mode: str = "gru", hidden_size: int = 32, num_layers: int = 1, seed: int | None = None
    ) -> None:
        super().__init__()
        check_mode(mode, CELLS)
        hidden_size = check_positive_int(hidden_size, "hidden_size")
        num_layers = check_positive_int(num_layers, "num_layers")
        if seed is not None:
            torch.manual_seed(seed)
        self.mode = mode
        self.rnn = torch_layer(mode, 1, hidden_size, num_layers=num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, W) windows, oldest value first -> (B,) one-step forecasts."""
        if x.ndim != 2:
            raise ValueError(f"x must have shape (B, W), got {tuple(x.shape)}")
        out, _ = self.rnn(x.unsqueeze(-1))
        return self.head(out[:, -1]).squeeze(-1)


def _as_xy(X: object, y: object | None, name: str) -> tuple[torch.Tensor, torch.Tensor | None]:
    Xa = check_array(X, f"X_{name}", ndim=2, dtype=np.float64)
    if Xa.shape[0] == 0:
        raise ValueError(f"X_{name} must hold at least one window, got shape {Xa.shape}")
    if y is None:
        return torch.as_tensor(Xa, dtype=torch.float32), None
    ya = check_array(y, f"y_{name}", ndim=1, dtype=np.float64)
    if ya.shape[0] != Xa.shape[0]:
        raise ValueError(f"y_{name} must have shape (N,) = ({Xa.shape[0]},), got {ya.shape}")
    return torch.as_tensor(Xa, dtype=torch.float32), torch.as_tensor(ya, dtype=torch.float32)


def fit_forecaster(
    model: Forecaster,
    X_train: object,
    y_train: object,
    X_val: object | None = None,
    y_val: object | None = None,
    *,
    steps: int = 600,
    batch_size: int = 32,
    lr: float = 1e-2,
    clip: float = 1.0,
    eval_every: int = 25,
    patience: int | None = None,
    seed: int = 0,
    progress: bool = False,
) -> TrainResult:
    """Train ``model`` on scaled windows with MSE and Adam for a fixed, seeded number of steps.

    Parameters
    ----------
    X_train : (N, W) scaled input windows. y_train : (N,) scaled next values.
    X_val, y_val : optional validation windows/targets; with them the loop evaluates the
        validation MSE every ``eval_every`` steps, stops after ``patience`` evaluations without
        improvement (if given) and restores the best weights.
    steps, batch_size, lr, clip : step budget, minibatch size, Adam step size, gradient-norm cap.
    seed : seeds the minibatch sampler.

    Returns the :class:`rnncore.training.loop.TrainResult` (history, best validation MSE, its
    step).
    """
    Xt, yt = _as_xy(X_train, y_train, "train")
    batch_size = check_positive_int(batch_size, "batch_size")
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together")
    gen = torch.Generator().manual_seed(seed)
    order = torch.randint(0, Xt.shape[0], (steps, batch_size), generator=gen)

    def batches(i: int) -> tuple[torch.Tensor, torch.Tensor]:
        return Xt[order[i]], yt[order[i]]

    def loss_fn(m: nn.Module, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        xb, yb = batch
        return nn.functional.mse_loss(m(xb), yb)

    eval_fn = None
    if X_val is not None:
        Xv, yv = _as_xy(X_val, y_val, "val")

        def eval_fn(m: nn.Module) -> float:
            return float(nn.functional.mse_loss(m(Xv), yv))

    return train(
        model,
        loss_fn,
        batches,
        steps,
        torch.optim.Adam(model.parameters(), lr=lr),
        clip=clip,
        eval_fn=eval_fn,
        eval_every=eval_every if eval_fn else None,
        patience=patience,
        restore_best=eval_fn is not None,
        progress=progress,
        desc=f"{model.mode} forecaster",
    )


@torch.no_grad()
def predict_next(model: Forecaster, X: object) -> np.ndarray:
    """One-step forecasts of a trained model, in the model's (scaled) units. X: (N, W) -> (N,)."""
    Xt, _ = _as_xy(X, None, "pred")
    model.eval()
    return model(Xt).double().numpy()


def make_step(model: Forecaster, scaler: Scaler) -> Callable[[np.ndarray], np.ndarray]:
    """Wrap a model trained on ``scaler``'s standardised values as a step in original units.

    The step maps raw windows (N, W) to raw one-step forecasts (N,): ``scaler.transform`` in,
    the model, ``scaler.inverse_transform`` out. It plugs into
    :func:`rnncore.data.timeseries.recursive_forecast`, like ``ARModel.predict_next``.
    """
    if not isinstance(scaler, Scaler):
        raise TypeError(f"scaler must be a fitted rnncore Scaler, got {type(scaler).__name__}")
    scaler.transform(0.0)  # a scaler that was never fitted fails here, not at the first step

    def step(X: np.ndarray) -> np.ndarray:
        return scaler.inverse_transform(predict_next(model, scaler.transform(X)))

    return step


@dataclass
class BlockRun:
    """One forecaster fitted on the training block and scored on the later blocks.

    ``step`` maps raw windows (N, W) to raw one-step forecasts (N,); ``val_rmse`` and ``test_rmse``
    are in the series' own units; ``steps`` is the number of optimizer steps taken.
    """

    model: Forecaster
    step: Callable[[np.ndarray], np.ndarray]
    steps: int
    val_rmse: float
    test_rmse: float


def fit_blocks(
    series: object,
    val_start: int,
    test_start: int,
    *,
    mode: str = "gru",
    window: int = 20,
    hidden_size: int = 32,
    seed: int = 0,
    **fit_kwargs: object,
) -> BlockRun:
    """Fit a forecaster on ``series[:val_start]``, early-stop on the validation block, score both.

    The scaler is fitted on the training block only; training windows have targets before
    ``val_start``, validation targets lie in ``[val_start, test_start)``, test targets in
    ``[test_start, n)``, and every window's inputs precede its target. ``fit_kwargs`` go to
    :func:`fit_forecaster` (e.g. ``steps``, ``patience``).
    """
    from rnncore.training.metrics import rmse

    y = check_array(series, "series", ndim=1, dtype=np.float64)
    if not window < val_start < test_start < y.size:
        raise ValueError(
            f"need window < val_start < test_start < len(series), got window={window}, "
            f"val_start={val_start}, test_start={test_start}, len={y.size}"
        )
    scaler = Scaler().fit(y[:val_start])
    z = scaler.transform(y)
    Xtr, Ytr = make_windows(z, window, stop=val_start)
    Xva, Yva = make_windows(z, window, start=val_start, stop=test_start)
    model = Forecaster(mode, hidden_size=hidden_size, seed=seed)
    result = fit_forecaster(model, Xtr, Ytr[:, 0], Xva, Yva[:, 0], seed=seed, **fit_kwargs)
    step = make_step(model, scaler)
    Xv, Yv = make_windows(y, window, start=val_start, stop=test_start)
    Xt, Yt = make_windows(y, window, start=test_start)
    return BlockRun(model, step, result.steps, rmse(step(Xv), Yv[:, 0]), rmse(step(Xt), Yt[:, 0]))
