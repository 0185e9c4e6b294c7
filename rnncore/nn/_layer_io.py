"""Input checks of :class:`rnncore.nn.recurrent.Recurrent`: x, h0 and the upstream gradients.

``check_config`` validates the constructor's flags. The other checks convert with ``np.asarray``,
refuse integer, boolean and object arrays (``TypeError``), wrong shapes, empty batches and
non-finite values (``ValueError``) with a message naming the argument, what was expected and
what came, and cast to the layer's dtype.

Shapes: T time steps, B batch, D input features, H hidden units, L = num_layers * directions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncore.utils import check_finite

__all__ = ["check_config", "check_d_h_n", "check_d_output", "check_h0", "check_input"]


def check_config(
    mode: object,
    nonlinearity: object,
    bias: object,
    batch_first: object,
    bidirectional: object,
    dtype: object,
) -> np.dtype:
    """Validate Recurrent's configuration flags; return the dtype as a numpy dtype."""
    if mode not in ("rnn", "lstm", "gru"):
        raise ValueError(f"mode must be one of 'rnn', 'lstm', 'gru', got {mode!r}")
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    if mode != "rnn" and nonlinearity != "tanh":
        raise ValueError(f"nonlinearity applies to mode 'rnn' only, got {nonlinearity!r}")
    for name, flag in (
        ("bias", bias),
        ("batch_first", batch_first),
        ("bidirectional", bidirectional),
    ):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be a bool, got {flag!r}")
    try:
        dt = np.dtype(dtype)  # type: ignore[arg-type]
    except TypeError as err:
        raise TypeError(f"dtype must be np.float32 or np.float64, got {dtype!r}") from err
    if dt not in (np.float32, np.float64):
        raise TypeError(f"dtype must be np.float32 or np.float64, got {dt}")
    return dt


def _float_array(value: object, name: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype.kind != "f":
        raise TypeError(f"{name} must be a floating-point array, got dtype {arr.dtype}")
    return arr


def _finite_cast(arr: np.ndarray, name: str, dtype: np.dtype) -> np.ndarray:
    check_finite(arr, name)
    with np.errstate(over="ignore"):
        out = arr.astype(dtype, copy=False)
    if out is not arr:
        check_finite(out, f"{name} (after casting to {dtype})")
    return out


def check_input(layer: Any, x: object) -> np.ndarray:
    """Validate the layer's input and return it as (T, B, D) in the layer's dtype."""
    letters = "(B, T, D)" if layer.batch_first else "(T, B, D)"
    arr = _float_array(x, "x")
    if arr.ndim != 3:
        raise ValueError(
            f"x must have shape {letters} (batched input only) with D={layer.input_size}, "
            f"got {arr.shape}"
        )
    if arr.shape[2] != layer.input_size:
        raise ValueError(f"x must have shape {letters} with D={layer.input_size}, got {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(
            f"x must have shape {letters} with T>0 time steps and B>0 sequences, got {arr.shape}"
        )
    arr = _finite_cast(arr, "x", layer.dtype)
    return arr.transpose(1, 0, 2) if layer.batch_first else arr


def _state(value: object, name: str, layer: Any, B: int) -> np.ndarray:
    """One (L, B, H) state or state gradient; ``None`` means zeros."""
    L = layer.num_layers * layer.num_directions
    expected = (L, B, layer.hidden_size)
    if value is None:
        return np.zeros(expected, dtype=layer.dtype)
    arr = _float_array(value, name)
    if arr.shape != expected:
        raise ValueError(
            f"{name} must have shape (num_layers * num_directions, B, H) = {expected}, "
            f"got {arr.shape}"
        )
    return _finite_cast(arr, name, layer.dtype)


def _pair_or_array(value: object, name: str, halves: tuple[str, str], layer: Any) -> list:
    if layer.mode == "lstm":
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            got = (
                f"{type(value).__name__} of length {len(value)}"
                if isinstance(value, (tuple, list))
                else type(value).__name__
            )
            raise TypeError(
                f"{name} must be an ({halves[0]}, {halves[1]}) tuple for mode 'lstm', got {got}"
            )
        return list(value)
    if isinstance(value, (tuple, list)):
        raise TypeError(
            f"{name} must be one array of shape (num_layers * num_directions, B, H) for mode "
            f"{layer.mode!r}, got a {type(value).__name__}"
        )
    return [value]


def check_h0(layer: Any, h0: object, B: int) -> list[np.ndarray]:
    """Validate the initial state: [h0] or, for LSTM, [h0, c0], each (L, B, H)."""
    if h0 is None:
        return [_state(None, "h0", layer, B) for _ in range(2 if layer.mode == "lstm" else 1)]
    parts = _pair_or_array(h0, "h0", ("h0", "c0"), layer)
    names = ("h0", "c0")
    return [_state(p, names[k], layer, B) for k, p in enumerate(parts)]


def check_d_output(layer: Any, d_output: object, T: int, B: int) -> np.ndarray | None:
    """Validate the gradient on the output; return it as (T, B, dirs * H) or ``None``."""
    if d_output is None:
        return None
    width = layer.num_directions * layer.hidden_size
    expected = (B, T, width) if layer.batch_first else (T, B, width)
    arr = _float_array(d_output, "d_output")
    if arr.shape != expected:
        raise ValueError(
            f"d_output must have the shape of forward's output {expected}, got {arr.shape}"
        )
    arr = _finite_cast(arr, "d_output", layer.dtype)
    return arr.transpose(1, 0, 2) if layer.batch_first else arr


def check_d_h_n(layer: Any, d_h_n: object, B: int) -> list[np.ndarray | None]:
    """Validate the gradient on h_n: [dh_n] or, for LSTM, [dh_n, dc_n]; ``None`` stays."""
    if d_h_n is None:
        return [None] * (2 if layer.mode == "lstm" else 1)
    parts = _pair_or_array(d_h_n, "d_h_n", ("dh_n", "dc_n"), layer)
    names = ("d_h_n[0]", "d_h_n[1]") if layer.mode == "lstm" else ("d_h_n",)
    return [None if p is None else _state(p, names[k], layer, B) for k, p in enumerate(parts)]
