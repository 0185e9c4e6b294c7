"""Gradient flow through time: Jacobian products, gradient norms against distance, initialisers.

For a vanilla RNN ``h_t = f(a_t)``, ``a_t = W_ih x_t + W_hh h_{t-1} + b``, the chain rule gives

    dh_t/dh_k = prod_{j=k+1}^{t} diag(f'(a_j)) W_hh      (latest factor on the left)

so ``||dL/dh_k||`` shrinks or grows roughly like ``(|f'| rho(W_hh))^(t-k)`` (Bengio, Simard &
Frasconi 1994; Hochreiter 1991; Pascanu, Mikolov & Bengio 2013, Sections 2-3).
:func:`hidden_gradient_norms` measures this with rnncore's numpy step backward functions for RNN,
LSTM and GRU layers.

Initialisers: orthogonal (Saxe, McClelland & Ganguli 2014), identity for ReLU RNNs (IRNN; Le,
Jaitly & Hinton 2015), a matrix rescaled to a target spectral radius, a constant forget-gate bias
(Gers, Schmidhuber & Cummins 2000; Jozefowicz, Zaremba & Sutskever 2015) and chrono initialisation
``b_f ~ log U(1, T_max - 1)``, ``b_i = -b_f`` (Tallec & Ollivier 2018). Weights follow
PyTorch's layout: gate blocks stacked along the first axis, LSTM order (i, f, g, o), GRU (r, z, n).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncore.nn import validate
from rnncore.nn.cells import CELLS
from rnncore.nn.validate import check_mode
from rnncore.utils import check_array, check_positive_int

__all__ = [
    "chrono_bias",
    "fit_log_slope",
    "forget_gate_bias",
    "gate_slice",
    "gaussian",
    "hidden_gradient_norms",
    "identity",
    "jacobian_product",
    "layer_gradient_norms",
    "orthogonal",
    "rnn_jacobians",
    "scale_to_spectral_radius",
    "spectral_radius",
]


def _generator(rng: np.random.Generator | int | None) -> np.random.Generator:
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.Generator):
        return rng
    raise TypeError(f"rng must be a numpy.random.Generator, an int seed or None, got {rng!r}")


def gate_slice(mode: str, gate: str, hidden_size: int) -> slice:
    """Rows of a ``(G*H, ...)`` weight or ``(G*H,)`` bias holding ``gate`` (torch's order)."""
    return check_mode(mode, CELLS).gate_slice(gate, hidden_size)


def spectral_radius(W: np.ndarray) -> float:
    """Largest eigenvalue modulus of a square matrix ``W: (H, H)``."""
    W = check_array(W, "W", ndim=2)
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be square (H, H), got {W.shape}")
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def orthogonal(
    H: int, gain: float = 1.0, rng: np.random.Generator | int | None = None
) -> np.ndarray:
    """A random orthogonal ``(H, H)`` matrix times ``gain``, drawn uniformly (Haar measure).

    QR of a Gaussian matrix, with the signs of R's diagonal moved into Q so the draw is uniform.
    Every singular value equals ``gain``, so ``||W^k v|| = gain^k ||v||`` exactly.
    """
    H = check_positive_int(H, "H")
    q, r = np.linalg.qr(_generator(rng).standard_normal((H, H)))
    return gain * q * np.sign(np.diag(r))


def identity(H: int, scale: float = 1.0) -> np.ndarray:
    """``scale * I``: the IRNN recurrent weight of Le, Jaitly & Hinton (2015), ``(H, H)``."""
    return scale * np.eye(check_positive_int(H, "H"))


def gaussian(H: int, rng: np.random.Generator | int | None = None) -> np.ndarray:
    """Gaussian ``(H, H)`` matrix with entries N(0, 1/H): spectral radius close to 1 for large H."""
    H = check_positive_int(H, "H")
    return _generator(rng).standard_normal((H, H)) / np.sqrt(H)


def scale_to_spectral_radius(W: np.ndarray, rho: float) -> np.ndarray:
    """Return ``W`` rescaled so that its spectral radius is exactly ``rho > 0``, ``(H, H)``."""
    if not np.isfinite(rho) or rho <= 0:
        raise ValueError(f"rho must be a positive finite number, got {rho!r}")
    current = spectral_radius(W)
    if current == 0.0:
        raise ValueError("W has spectral radius 0 (nilpotent or zero) and cannot be rescaled")
    return np.asarray(W, dtype=np.float64) * (rho / current)


def forget_gate_bias(hidden_size: int, value: float = 1.0) -> np.ndarray:
    """LSTM bias ``(4H,)``: ``value`` on the forget-gate block (i, f, g, o order), zero elsewhere.

    With sigma(1) = 0.73 the cell starts by keeping most of its state each step instead of half of
    it (Gers et al. 2000; Jozefowicz et al. 2015). Use it for ``bias_ih`` and zero ``bias_hh``,
    since torch adds the two.
    """
    b = np.zeros(4 * check_positive_int(hidden_size, "hidden_size"))
    b[gate_slice("lstm", "f", hidden_size)] = value
    return b


def chrono_bias(
    hidden_size: int, t_max: float, rng: np.random.Generator | int | None = None
) -> np.ndarray:
    """Chrono initialisation of an LSTM bias ``(4H,)`` (Tallec & Ollivier 2018).

    Forget gate ``b_f = log(u)``, ``u ~ U(1, t_max - 1)``, input gate ``b_i = -b_f``, other blocks
    zero. A unit with forget activation ``sigma(b_f)`` keeps memory for about ``1 + e^{b_f} = u``
    steps, so the initial time constants spread over the range of dependencies expected.
    """
    H = check_positive_int(hidden_size, "hidden_size")
    if not np.isfinite(t_max) or t_max <= 2:
        raise ValueError(f"t_max must be a finite number > 2, got {t_max!r}")
    b = np.zeros(4 * H)
    b_f = np.log(_generator(rng).uniform(1.0, t_max - 1.0, size=H))
    b[gate_slice("lstm", "f", H)] = b_f
    b[gate_slice("lstm", "i", H)] = -b_f
    return b


def rnn_jacobians(h: np.ndarray, weight_hh: np.ndarray, nonlinearity: str = "tanh") -> np.ndarray:
    """Per-step Jacobians ``J_t = dh_t/dh_{t-1} = diag(f'(a_t)) W_hh`` of a vanilla RNN.

    Parameters
    ----------
    h : (T, B, H) hidden states h_1..h_T (f' is read off the outputs: 1 - h^2 for tanh, 1[h>0] relu)
    weight_hh : (H, H)

    Returns
    -------
    (T, B, H, H) array; ``J[t - 1, b]`` is the Jacobian of step t for sequence b.
    """
    h = check_array(h, "h", ndim=3)
    weight_hh = check_array(weight_hh, "weight_hh", ndim=2)
    H = h.shape[2]
    if weight_hh.shape != (H, H):
        raise ValueError(f"weight_hh must have shape (H, H) = ({H}, {H}), got {weight_hh.shape}")
    if nonlinearity == "tanh":
        fprime = 1.0 - h * h
    elif nonlinearity == "relu":
        fprime = (h > 0).astype(h.dtype)
    else:
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    return fprime[..., :, None] * weight_hh


def jacobian_product(jacobians: np.ndarray, t: int, k: int) -> np.ndarray:
    """``dh_t/dh_k = J_t J_{t-1} ... J_{k+1}`` from ``rnn_jacobians`` output; ``(B, H, H)``.

    Steps are 1-based as in the maths (h_0 is the initial state), ``0 <= k <= t <= T``; ``t == k``
    gives the identity.
    """
    jacobians = check_array(jacobians, "jacobians", ndim=4)
    T, B, H, _ = jacobians.shape
    if not (0 <= k <= t <= T):
        raise ValueError(f"need 0 <= k <= t <= T={T}, got t={t}, k={k}")
    out = np.broadcast_to(np.eye(H), (B, H, H)).copy()
    for j in range(k + 1, t + 1):  # multiply newer factors on the left
        out = jacobians[j - 1] @ out
    return out


def hidden_gradient_norms(
    mode: str,
    x: np.ndarray,
    weight_ih: np.ndarray,
    weight_hh: np.ndarray,
    bias_ih: np.ndarray | None = None,
    bias_hh: np.ndarray | None = None,
    nonlinearity: str = "tanh",
    seed: int = 0,
) -> np.ndarray:
    """Mean ``||dL/dh_{T-k}||`` over the batch for every distance ``k = 0..T-1`` in time.

    Runs the layer forward with rnncore's numpy step functions, sets ``L = sum_b u_b . h_T[b]`` with
    random unit vectors ``u_b`` (so the norm at distance 0 is 1), and walks the step backward
    functions from the last step to the first, recording the norm of the gradient reaching each
    hidden state. For an LSTM it is the gradient on ``h`` (the cell-state gradient flows alongside).

    Parameters
    ----------
    mode : "rnn", "lstm" or "gru"
    x : (T, B, D) inputs; weights in torch's layout: weight_ih (G*H, D), weight_hh (G*H, H),
        biases (G*H,) or None.

    Returns
    -------
    (T,) array; entry k is the norm at distance k from the last step.
    """
    from rnncore.nn import gru, lstm, rnn

    cell = check_mode(mode, CELLS)
    G = cell.blocks
    x = check_array(x, "x", ndim=3, dtype=np.float64)
    T, B, _ = x.shape
    if T == 0 or B == 0:
        raise ValueError(f"x must hold at least one step and one sequence, got shape {x.shape}")
    weight_hh = check_array(weight_hh, "weight_hh", ndim=2, dtype=np.float64)
    H = weight_hh.shape[1]
    if weight_hh.shape != (G * H, H):
        raise ValueError(
            f"weight_hh must have shape ({G}*H, H) = ({G * H}, {H}) for mode "
            f"{mode!r}, got {weight_hh.shape}"
        )
    # checked once here, from zero initial states; the step functions below run unchecked
    zeros = [None] * len(cell.states)
    x, h, *rest = validate.sequence_args(
        cell, x, *zeros, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity=nonlinearity
    )
    c, args = (rest[0], rest[1:]) if mode == "lstm" else (None, rest)
    caches = []
    for t in range(T):
        if mode == "rnn":
            h, cache = rnn.rnn_step_forward(x[t], h, *args, nonlinearity, check=False)
        elif mode == "lstm":
            h, c, cache = lstm.lstm_step_forward(x[t], h, c, *args, check=False)
        else:
            h, cache = gru.gru_step_forward(x[t], h, *args, check=False)
        caches.append(cache)
    u = np.random.default_rng(seed).standard_normal((B, H))
    dh = u / np.linalg.norm(u, axis=1, keepdims=True)
    dc = np.zeros((B, H))
    norms = np.empty(T)
    for k in range(T):
        norms[k] = float(np.mean(np.linalg.norm(dh, axis=1)))
        cache = caches[T - 1 - k]
        if mode == "rnn":
            grads = rnn.rnn_step_backward(dh, cache, check=False)
        elif mode == "lstm":
            grads = lstm.lstm_step_backward(dh, dc, cache, check=False)
            dc = grads["c_prev"]
        else:
            grads = gru.gru_step_backward(dh, cache, check=False)
        dh = grads["h_prev"]
    return norms


def layer_gradient_norms(layer: Any, x: np.ndarray, seed: int = 0) -> np.ndarray:
    """:func:`hidden_gradient_norms` for the first layer of a ``Recurrent`` layer.

    ``layer`` is typically ``rnncore.from_torch(torch_module)``; its layer-0 forward weights are
    used in float64. ``x: (T, B, D)`` (time first). Returns the ``(T,)`` norms against distance.
    """
    from rnncore.nn.recurrent import Recurrent

    if not isinstance(layer, Recurrent):
        raise TypeError(
            f"layer must be a rnncore.nn.recurrent.Recurrent, got {type(layer).__name__}"
        )
    p = {k: None if v is None else np.asarray(v, dtype=np.float64) for k, v in layer.params.items()}
    return hidden_gradient_norms(
        layer.mode,
        x,
        p["weight_ih_l0"],
        p["weight_hh_l0"],
        p.get("bias_ih_l0"),
        p.get("bias_hh_l0"),
        nonlinearity=layer.nonlinearity,
        seed=seed,
    )


def fit_log_slope(norms: np.ndarray, start: int = 0) -> float:
    """Least-squares slope of ``log(norms[k])`` against ``k`` for ``k >= start``.

    For ``||dL/dh_{T-k}|| ~ C rho^k`` the slope is ``log(rho)``: negative when gradients vanish.
    """
    norms = check_array(norms, "norms", ndim=1)
    if np.any(norms <= 0):
        raise ValueError("norms must be positive to take logs")
    k = np.arange(norms.size)[start:]
    if k.size < 2:
        raise ValueError(f"need at least 2 points after start={start}, got {k.size}")
    return float(np.polyfit(k, np.log(norms[start:]), 1)[0])
