"""Every argument check of the numpy engine, in one place.

A public function of :mod:`rnncore.nn` opens with one call into this module and then holds only the
math; a sequence function checks once and runs its steps unchecked, and
:class:`~rnncore.nn.recurrent.Recurrent` checks at its boundary and calls private cores. Each check
raises ``TypeError`` (not a floating-point array, not a bool, wrong container) or ``ValueError``
(shape, value, NaN or infinity) with a message that names the argument, what was expected and
what came, so that a wrong shape never turns into a silently wrong number. The generic helpers
(``check_array``, ``check_positive_int``, ``check_finite``) live in :mod:`rnncore.utils`.

dtype policy
------------
- The cell functions (step and sequence, readable and fast path) compute in one dtype: numpy's
  result type of x, the states passed (h_prev, c_prev, h0, c0) and the weights and biases. Every
  array is promoted to it on entry, so outputs, caches and all gradients carry it: float32
  throughout stays float32, one float64 argument makes everything float64. A state passed as
  ``None`` (zeros) takes that dtype and does not vote.
- Upstream gradients (dh_next, dc_next, dh, dh_n, dc_n) are cast to the dtype of the forward pass.
- ``Recurrent`` computes in its own dtype, as a torch module does: x, h0 and the upstream
  gradients are cast to it, and a value that the cast turns into infinity is refused.

Shapes: T time steps, B batch, D input features, H hidden units, G gate blocks,
L = num_layers * num_directions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import numpy as np

from rnncore.utils import check_array, check_finite

__all__ = [
    "check_config",
    "check_d_h_n",
    "check_d_output",
    "check_gate",
    "check_h0",
    "check_input",
    "check_mode",
    "check_nonlinearity",
    "check_params",
    "check_truncate",
    "check_weights",
    "sequence_args",
    "sequence_grads",
    "step_args",
    "step_grads",
]

C = TypeVar("C")
Arrays = list[np.ndarray]


# ---- names and flags ---------------------------------------------------------------------------


def check_mode(mode: object, cells: Mapping[str, C]) -> C:
    """Look ``mode`` up in ``cells`` (:data:`rnncore.nn.cells.CELLS`)."""
    if not isinstance(mode, str) or mode not in cells:
        raise ValueError(f"mode must be one of {', '.join(map(repr, cells))}, got {mode!r}")
    return cells[mode]


def check_gate(gate: object, gates: tuple[str, ...], mode: str) -> str:
    """Validate a gate name against a cell's gates."""
    if gate not in gates:
        raise ValueError(f"gate must be one of {gates} for mode {mode!r}, got {gate!r}")
    return str(gate)


def check_nonlinearity(nonlinearity: object) -> str:
    """Validate the vanilla RNN's nonlinearity: "tanh" or "relu"."""
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    return str(nonlinearity)


def check_truncate(truncate: object, truncate_offset: object = 0) -> int | None:
    """Validate truncated BPTT's chunk length (``None`` or a positive int) and its offset (int)."""
    if isinstance(truncate_offset, bool) or not isinstance(truncate_offset, (int, np.integer)):
        raise TypeError(f"truncate_offset must be an int, got {truncate_offset!r}")
    if truncate is None:
        return None
    if isinstance(truncate, bool) or not isinstance(truncate, (int, np.integer)) or truncate <= 0:
        raise ValueError(f"truncate must be None or a positive int, got {truncate!r}")
    return int(truncate)


# ---- the cell functions: rnncore.nn.rnn, lstm, gru and their fast paths ------------------------


def check_weights(G: int, weight_ih: object, weight_hh: object, bias_ih: object, bias_hh: object):
    """One cell's weights in PyTorch's layout: weight_ih (G*H, D), weight_hh (G*H, H), biases
    (G*H,) or both ``None``. Returns the four as float arrays (biases may be ``None``)."""
    w_hh = check_array(weight_hh, "weight_hh", ndim=2)
    H = w_hh.shape[1]
    if w_hh.shape[0] != G * H:
        raise ValueError(f"weight_hh must have shape ({G}*H, H) = ({G * H}, {H}), got {w_hh.shape}")
    w_ih = check_array(weight_ih, "weight_ih", ndim=2)
    if w_ih.shape[0] != G * H:
        raise ValueError(
            f"weight_ih must have shape ({G}*H, D) with {G}*H={G * H}, got {w_ih.shape}"
        )
    if (bias_ih is None) != (bias_hh is None):
        raise ValueError(
            "bias_ih and bias_hh must both be arrays or both be None, got "
            f"{type(bias_ih).__name__} and {type(bias_hh).__name__}"
        )
    if bias_ih is None:
        return [w_ih, w_hh, None, None]
    biases = [check_array(b, name) for b, name in ((bias_ih, "bias_ih"), (bias_hh, "bias_hh"))]
    for b, name in zip(biases, ("bias_ih", "bias_hh"), strict=True):
        if b.shape != (G * H,):
            raise ValueError(f"{name} must have shape ({G}*H,) = ({G * H},), got {b.shape}")
    return [w_ih, w_hh, *biases]


def step_args(cell: Any, x: object, *args: object, nonlinearity: object = "tanh") -> list:
    """One time step's arguments, checked and promoted to one dtype (see the module docstring).

    ``args`` are the states of ``cell.states`` ("h_prev", "c_prev": (B, H) or ``None`` for
    zeros), then weight_ih, weight_hh, bias_ih, bias_hh. Returns [x, *states, *weights].
    """
    return _cell_args(cell, x, args, nonlinearity, sequence=False)


def sequence_args(cell: Any, x: object, *args: object, nonlinearity: object = "tanh") -> list:
    """A sequence function's arguments, checked and promoted to one dtype.

    As :func:`step_args` with x (T, B, D), T > 0 and B > 0, and the initial states ("h0", "c0").
    """
    return _cell_args(cell, x, args, nonlinearity, sequence=True)


def _cell_args(cell: Any, x: object, args: tuple, nonlinearity: object, sequence: bool) -> list:
    n = len(cell.states)
    w = check_weights(cell.blocks, *args[n:])
    check_nonlinearity(nonlinearity)
    D, H = w[0].shape[1], w[1].shape[1]
    x = check_array(x, "x")
    if not sequence and (x.ndim != 2 or x.shape[1] != D or x.shape[0] == 0):
        raise ValueError(f"x must have shape (B, D) with B>0 and D={D}, got {x.shape}")
    if sequence and (x.ndim != 3 or x.shape[2] != D):
        raise ValueError(f"x must have shape (T, B, D) with D={D}, got {x.shape}")
    if sequence and (x.shape[0] == 0 or x.shape[1] == 0):
        raise ValueError(f"x must have T>0 time steps and B>0 sequences, got {x.shape}")
    suffix = "0" if sequence else "_prev"
    states = [
        _state(v, s + suffix, x.shape[-2], H) for s, v in zip(cell.states, args[:n], strict=True)
    ]
    return _promote(x, states, w)


def _state(h: object, name: str, B: int, H: int) -> np.ndarray | None:
    if h is None:
        return None
    h = check_array(h, name)
    if h.shape != (B, H):
        raise ValueError(f"{name} must have shape (B, H) = ({B}, {H}), got {h.shape}")
    return h


def _promote(x: np.ndarray, states: list, weights: list) -> list:
    """[x, *states, *weights] in numpy's result type of all of them; ``None`` states: zeros."""
    dtype = np.result_type(x, *(a for a in (*states, *weights) if a is not None))
    zeros = np.zeros((x.shape[-2], weights[1].shape[1]), dtype)
    states = [zeros.copy() if s is None else s for s in states]
    return [None if a is None else a.astype(dtype, copy=False) for a in (x, *states, *weights)]


def _grad(g: object, name: str, shape: tuple[int, ...], letters: str, dtype: np.dtype):
    if g is None:
        return None
    g = check_array(g, name, dtype=dtype)
    if g.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {letters} = {tuple(shape)}, got {g.shape}")
    return g


def step_grads(cell: Any, cache: dict[str, Any], *grads: object) -> Arrays:
    """A step backward's upstream gradients (dh_next, dc_next), each (B, H) like the cache's h,
    ``None`` for zeros; returned in the forward's dtype."""
    h = cache["h"]
    names = [f"d{s}_next" for s in cell.states]
    out = [_grad(g, name, h.shape, "(B, H)", h.dtype) for name, g in zip(names, grads, strict=True)]
    return [np.zeros_like(h) if g is None else g for g in out]


def sequence_grads(
    cell: Any, cache: dict[str, Any], dh: object, *finals: object, truncate: object, offset: object
) -> list:
    """A sequence backward's dh (T, B, H), final-state gradients (dh_n, dc_n: (B, H)) and
    truncation, checked against the forward cache. Returns [dh, *finals, truncate] in the
    forward's dtype; ``None`` gradients are zeros."""
    h = cache["h"]
    names = [f"d{s}_n" for s in cell.states]
    finals_ = [
        _grad(g, k, h.shape[1:], "(B, H)", h.dtype) for k, g in zip(names, finals, strict=True)
    ]
    dh = _grad(dh, "dh", h.shape, "(T, B, H)", h.dtype)
    grads = [np.zeros_like(h) if dh is None else dh]
    grads += [np.zeros_like(h[0]) if g is None else g for g in finals_]
    return [*grads, check_truncate(truncate, offset)]


# ---- Recurrent: the layer's configuration, parameters, inputs and upstream gradients ---------


def check_config(mode: str, nonlinearity: object, dtype: object, **flags: object) -> np.dtype:
    """Validate Recurrent's nonlinearity, dtype and bool flags; return the dtype."""
    check_nonlinearity(nonlinearity)
    if mode != "rnn" and nonlinearity != "tanh":
        raise ValueError(f"nonlinearity applies to mode 'rnn' only, got {nonlinearity!r}")
    for name, flag in flags.items():
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be a bool, got {flag!r}")
    try:
        dt = np.dtype(dtype)  # type: ignore[arg-type]
    except TypeError as err:
        raise TypeError(f"dtype must be np.float32 or np.float64, got {dtype!r}") from err
    if dt not in (np.float32, np.float64):
        raise TypeError(f"dtype must be np.float32 or np.float64, got {dt}")
    return dt


def _finite_cast(arr: np.ndarray, name: str, dtype: np.dtype) -> np.ndarray:
    check_finite(arr, name)
    with np.errstate(over="ignore"):
        out = arr.astype(dtype, copy=False)
    if out is not arr:
        check_finite(out, f"{name} (after casting to {dtype})")
    return out


def check_params(layer: Any) -> dict[str, np.ndarray]:
    """The layer's parameters, checked against its shapes and cast to its dtype."""
    shapes = layer.param_shapes()
    if set(layer.params) != set(shapes):
        raise ValueError(f"params must hold {sorted(shapes)}, got {sorted(layer.params)}")
    out = {}
    for name, shape in shapes.items():
        p = check_array(layer.params[name], f"params[{name!r}]", finite=False)
        if p.shape != shape:
            raise ValueError(f"params[{name!r}] must have shape {shape}, got {p.shape}")
        out[name] = _finite_cast(p, f"params[{name!r}]", layer.dtype)
    return out


def check_input(layer: Any, x: object) -> np.ndarray:
    """Validate the layer's input and return it as (T, B, D) in the layer's dtype."""
    letters = "(B, T, D)" if layer.batch_first else "(T, B, D)"
    arr = check_array(x, "x", finite=False)
    D = layer.input_size
    if arr.ndim != 3:
        raise ValueError(
            f"x must have shape {letters} (batched input only) with D={D}, got {arr.shape}"
        )
    if arr.shape[2] != D:
        raise ValueError(f"x must have shape {letters} with D={D}, got {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(
            f"x must have shape {letters} with T>0 time steps and B>0 sequences, got {arr.shape}"
        )
    arr = _finite_cast(arr, "x", layer.dtype)
    return arr.transpose(1, 0, 2) if layer.batch_first else arr


def _layer_state(value: object, name: str, layer: Any, B: int) -> np.ndarray:
    """One (L, B, H) state or state gradient; ``None`` means zeros."""
    expected = (layer.num_layers * layer.num_directions, B, layer.hidden_size)
    if value is None:
        return np.zeros(expected, dtype=layer.dtype)
    arr = check_array(value, name, finite=False)
    if arr.shape != expected:
        raise ValueError(
            f"{name} must have shape (num_layers * num_directions, B, H) = {expected}, "
            f"got {arr.shape}"
        )
    return _finite_cast(arr, name, layer.dtype)


def _parts(value: object, name: str, halves: tuple[str, ...], layer: Any) -> list:
    """The state value split into one part per recurrent state of the layer's cell."""
    if len(halves) > 1:
        if not isinstance(value, (tuple, list)) or len(value) != len(halves):
            got = type(value).__name__
            if isinstance(value, (tuple, list)):
                got += f" of length {len(value)}"
            raise TypeError(
                f"{name} must be an ({', '.join(halves)}) tuple for mode {layer.mode!r}, got {got}"
            )
        return list(value)
    if isinstance(value, (tuple, list)):
        raise TypeError(
            f"{name} must be one array of shape (num_layers * num_directions, B, H) for mode "
            f"{layer.mode!r}, got a {type(value).__name__}"
        )
    return [value]


def check_h0(layer: Any, h0: object, B: int) -> Arrays:
    """Validate the initial state: [h0] or, for LSTM, [h0, c0], each (L, B, H)."""
    names = tuple(f"{s}0" for s in layer.cell.states)
    parts = [None] * len(names) if h0 is None else _parts(h0, "h0", names, layer)
    return [_layer_state(p, name, layer, B) for p, name in zip(parts, names, strict=True)]


def check_d_output(layer: Any, d_output: object, T: int, B: int) -> np.ndarray | None:
    """Validate the gradient on the output; return it as (T, B, dirs * H) or ``None``."""
    if d_output is None:
        return None
    width = layer.num_directions * layer.hidden_size
    expected = (B, T, width) if layer.batch_first else (T, B, width)
    arr = check_array(d_output, "d_output", finite=False)
    if arr.shape != expected:
        raise ValueError(
            f"d_output must have the shape of forward's output {expected}, got {arr.shape}"
        )
    arr = _finite_cast(arr, "d_output", layer.dtype)
    return arr.transpose(1, 0, 2) if layer.batch_first else arr


def check_d_h_n(layer: Any, d_h_n: object, B: int) -> list[np.ndarray | None]:
    """Validate the gradient on h_n: [dh_n] or, for LSTM, [dh_n, dc_n]; ``None`` stays."""
    halves = tuple(f"d{s}_n" for s in layer.cell.states)
    if d_h_n is None:
        return [None] * len(halves)
    parts = _parts(d_h_n, "d_h_n", halves, layer)
    names = [f"d_h_n[{k}]" for k in range(len(halves))] if len(halves) > 1 else ["d_h_n"]
    return [
        None if p is None else _layer_state(p, n, layer, B)
        for p, n in zip(parts, names, strict=True)
    ]
