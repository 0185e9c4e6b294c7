"""Argument checks shared by the three cells (rnn, lstm, gru) and their sequence functions.

Every check raises ``ValueError`` or ``TypeError`` with a message that names the argument, what
was expected and what came, so that a wrong shape never turns into a silently wrong number.
"""

from __future__ import annotations

import numpy as np

from rnncore.utils import check_array

__all__ = [
    "check_grad",
    "check_nonlinearity",
    "check_sequence",
    "check_sequence_args",
    "check_state",
    "check_step_input",
    "check_truncate",
    "check_weights",
    "detached_before",
]


def check_weights(
    weight_ih: object,
    weight_hh: object,
    bias_ih: object,
    bias_hh: object,
    gates: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Validate one cell's weights in PyTorch's layout: weight_ih (G*H, D), weight_hh (G*H, H).

    ``gates`` is G (1 RNN, 4 LSTM, 3 GRU). The biases are both ``None`` or both of shape (G*H,).
    Returns the four arrays as float ndarrays (biases may be ``None``).
    """
    w_hh = check_array(weight_hh, "weight_hh", ndim=2)
    H = w_hh.shape[1]
    if w_hh.shape[0] != gates * H:
        raise ValueError(
            f"weight_hh must have shape ({gates}*H, H) = ({gates * H}, {H}), got {w_hh.shape}"
        )
    w_ih = check_array(weight_ih, "weight_ih", ndim=2)
    if w_ih.shape[0] != gates * H:
        raise ValueError(
            f"weight_ih must have shape ({gates}*H, D) with {gates}*H={gates * H}, got {w_ih.shape}"
        )
    if (bias_ih is None) != (bias_hh is None):
        raise ValueError(
            "bias_ih and bias_hh must both be arrays or both be None, got "
            f"{type(bias_ih).__name__} and {type(bias_hh).__name__}"
        )
    if bias_ih is None:
        return w_ih, w_hh, None, None
    b_ih = check_array(bias_ih, "bias_ih")
    b_hh = check_array(bias_hh, "bias_hh")
    for b, name in ((b_ih, "bias_ih"), (b_hh, "bias_hh")):
        if b.shape != (gates * H,):
            raise ValueError(f"{name} must have shape ({gates}*H,) = ({gates * H},), got {b.shape}")
    return w_ih, w_hh, b_ih, b_hh


def check_step_input(x: object, D: int) -> np.ndarray:
    """Validate one time step's input x: (B, D) with B > 0."""
    x = check_array(x, "x")
    if x.ndim != 2 or x.shape[1] != D or x.shape[0] == 0:
        raise ValueError(f"x must have shape (B, D) with B>0 and D={D}, got {x.shape}")
    return x


def check_state(h: object, name: str, B: int, H: int, dtype: np.dtype | None = None) -> np.ndarray:
    """Validate a recurrent state (hidden or cell): (B, H); ``None`` means zeros."""
    if h is None:
        return np.zeros((B, H), dtype=dtype if dtype is not None else np.float64)
    h = check_array(h, name, dtype=dtype)
    if h.shape != (B, H):
        raise ValueError(f"{name} must have shape (B, H) = ({B}, {H}), got {h.shape}")
    return h


def check_sequence(x: object, D: int, name: str = "x") -> np.ndarray:
    """Validate a sequence x: (T, B, D) with T > 0 and B > 0."""
    x = check_array(x, name)
    if x.ndim != 3 or x.shape[2] != D:
        raise ValueError(f"{name} must have shape (T, B, D) with D={D}, got {x.shape}")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name} must have T>0 time steps and B>0 sequences, got {x.shape}")
    return x


def check_nonlinearity(nonlinearity: object) -> str:
    """Validate the vanilla RNN's nonlinearity: "tanh" or "relu"."""
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    return str(nonlinearity)


def check_truncate(truncate: object) -> int | None:
    """Validate truncated BPTT's chunk length: ``None`` (full BPTT) or a positive int."""
    if truncate is None:
        return None
    if isinstance(truncate, bool) or not isinstance(truncate, (int, np.integer)) or truncate <= 0:
        raise ValueError(f"truncate must be None or a positive int, got {truncate!r}")
    return int(truncate)


def check_grad(
    g: object, name: str, shape: tuple[int, ...], letters: str, dtype: np.dtype
) -> np.ndarray | None:
    """Validate an upstream gradient of the given shape; ``None`` stays ``None`` (zero)."""
    if g is None:
        return None
    g = check_array(g, name, dtype=dtype)
    if g.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {letters} = {tuple(shape)}, got {g.shape}")
    return g


def detached_before(t: int, truncate: int | None, offset: int = 0) -> bool:
    """True if truncated BPTT cuts the recurrent gradient flowing from step t into step t-1.

    The state is "detached" at chunk boundaries: steps t > 0 with (t + offset) % truncate == 0.
    With offset 0 the chunks are [0, k), [k, 2k), ...
    """
    return truncate is not None and t > 0 and (t + offset) % truncate == 0


def check_sequence_args(
    x: object,
    states: dict[str, object],
    weight_ih: object,
    weight_hh: object,
    bias_ih: object,
    bias_hh: object,
    gates: int,
) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray | None]]:
    """Validate a sequence function's arguments and cast them to one float dtype.

    ``states`` maps each initial state's name ("h0", "c0") to its value or ``None`` (zeros).
    Returns x (T, B, D), the states (B, H) in the order given, and [weight_ih, weight_hh,
    bias_ih, bias_hh], all in the dtype numpy's promotion gives x and the weights.
    """
    weights = check_weights(weight_ih, weight_hh, bias_ih, bias_hh, gates)
    x = check_sequence(x, weights[0].shape[1])
    dtype = np.result_type(x, *(w for w in weights if w is not None))
    B, H = x.shape[1], weights[1].shape[1]
    hs = [check_state(v, k, B, H, dtype) for k, v in states.items()]
    cast = [None if w is None else w.astype(dtype, copy=False) for w in weights]
    return x.astype(dtype, copy=False), hs, cast
