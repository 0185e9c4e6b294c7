"""A numpy recurrent layer with the interface, weights and numbers of torch.nn.RNN/LSTM/GRU.

``Recurrent`` stacks ``num_layers`` layers of one cell (vanilla RNN with tanh or relu, LSTM or GRU),
optionally bidirectional, and runs them with the fast sequence paths of :mod:`rnncore.nn.rnn`,
:mod:`rnncore.nn.lstm` and :mod:`rnncore.nn.gru`: its arguments are checked once, at
:meth:`Recurrent.forward` and :meth:`Recurrent.backward`, and the paths' private cores run
unchecked. Parameter names, shapes, the initial-state layout
(index = layer * num_directions + direction) and ``batch_first`` follow PyTorch exactly, so that
:func:`rnncore.from_torch` and :meth:`Recurrent.to_torch` move weights across and both sides compute
the same outputs and gradients (tested against torch autograd).

Sources: the ``torch.nn.RNN``, ``torch.nn.LSTM`` and ``torch.nn.GRU`` documentation (parameter
layout, initialisation U(-1/sqrt(H), 1/sqrt(H))); M. Schuster and K. K. Paliwal, "Bidirectional
recurrent neural networks", IEEE Trans. Signal Processing 45(11), 1997.

Shapes: T time steps, B batch, D input features, H hidden units, L = num_layers * directions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncore.nn._fast_gru import _gru_backward, _gru_forward
from rnncore.nn._fast_lstm import _lstm_backward, _lstm_forward
from rnncore.nn._fast_rnn import _rnn_backward, _rnn_forward
from rnncore.nn.cells import CELLS
from rnncore.nn.validate import (
    check_config,
    check_d_h_n,
    check_d_output,
    check_h0,
    check_input,
    check_mode,
    check_params,
    check_truncate,
)
from rnncore.utils import check_positive_int

__all__ = ["Recurrent"]


class Recurrent:
    """A stack of recurrent layers in numpy that computes what torch.nn.RNN/LSTM/GRU computes.

    Parameters
    ----------
    mode : ``"rnn"``, ``"lstm"`` or ``"gru"``.
    input_size : D, features per time step.
    hidden_size : H, hidden units per direction.
    num_layers : layers stacked; layer l > 0 reads layer l-1's outputs.
    bias : with ``bias_ih``/``bias_hh`` parameters (as torch).
    batch_first : inputs and outputs are (B, T, .) instead of (T, B, .); states are not affected.
    bidirectional : add a second direction per layer that reads the sequence backwards.
    nonlinearity : ``"tanh"`` or ``"relu"`` (mode ``"rnn"`` only).
    dtype : ``np.float32`` or ``np.float64``; parameters and computations use it: x, h0 and
        the upstream gradients are cast to it (see :mod:`rnncore.nn.validate`).
    seed : seed of the numpy Generator that draws the initial weights, U(-1/sqrt(H), 1/sqrt(H)).

    Attributes
    ----------
    cell : the :class:`rnncore.nn.cells.Cell` describing ``mode`` (gate blocks, states, ...).
    params : dict mapping torch's parameter names (``weight_ih_l0``, ``bias_hh_l1_reverse``, ...)
        to arrays, in the order of ``module.named_parameters()``. Updating them in place (an
        optimizer step) changes the layer; :meth:`forward` checks them (shapes, finite values).
    """

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        bidirectional: bool = False,
        nonlinearity: str = "tanh",
        dtype: type | np.dtype = np.float64,
        seed: int | None = None,
    ) -> None:
        self.cell = check_mode(mode, CELLS)
        dt = check_config(
            mode,
            nonlinearity,
            dtype,
            bias=bias,
            batch_first=batch_first,
            bidirectional=bidirectional,
        )
        self.mode = mode
        self.input_size = check_positive_int(input_size, "input_size")
        self.hidden_size = check_positive_int(hidden_size, "hidden_size")
        self.num_layers = check_positive_int(num_layers, "num_layers")
        self.bias, self.batch_first = bool(bias), bool(batch_first)
        self.bidirectional = bool(bidirectional)
        self.num_directions = 2 if bidirectional else 1
        self.nonlinearity = nonlinearity
        self.dtype = dt
        rng = np.random.default_rng(seed)
        k = 1.0 / np.sqrt(self.hidden_size)
        self.params: dict[str, np.ndarray] = {}
        for name, shape in self.param_shapes().items():
            self.params[name] = rng.uniform(-k, k, size=shape).astype(dt)
        self._cache: dict[str, Any] | None = None

    # ---- structure ---------------------------------------------------------------------------

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Torch's parameter names mapped to their shapes, in ``named_parameters()`` order."""
        H, G = self.hidden_size, self.cell.blocks
        shapes: dict[str, tuple[int, ...]] = {}
        for layer in range(self.num_layers):
            d_in = self.input_size if layer == 0 else H * self.num_directions
            for direction in range(self.num_directions):
                sfx = f"_l{layer}" + ("_reverse" if direction else "")
                shapes[f"weight_ih{sfx}"] = (G * H, d_in)
                shapes[f"weight_hh{sfx}"] = (G * H, H)
                if self.bias:
                    shapes[f"bias_ih{sfx}"] = (G * H,)
                    shapes[f"bias_hh{sfx}"] = (G * H,)
        return shapes

    def num_parameters(self) -> int:
        """Total number of scalar parameters (torch's ``sum(p.numel() for p in parameters())``)."""
        return int(sum(p.size for p in self.params.values()))

    def __repr__(self) -> str:
        extra = ""
        if self.num_layers != 1:
            extra += f", num_layers={self.num_layers}"
        if not self.bias:
            extra += ", bias=False"
        if self.batch_first:
            extra += ", batch_first=True"
        if self.bidirectional:
            extra += ", bidirectional=True"
        if self.mode == "rnn" and self.nonlinearity != "tanh":
            extra += f", nonlinearity={self.nonlinearity!r}"
        return (
            f"Recurrent({self.mode!r}, {self.input_size}, {self.hidden_size}{extra}, "
            f"dtype={self.dtype.name}, parameters={self.num_parameters()})"
        )

    @staticmethod
    def _weights(params: dict, layer: int, direction: int) -> list[np.ndarray | None]:
        sfx = f"_l{layer}" + ("_reverse" if direction else "")
        return [params.get(f"{k}{sfx}") for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]

    # ---- forward and backward ----------------------------------------------------------------

    def forward(self, x: Any, h0: Any = None) -> tuple[np.ndarray, Any]:
        """Run the stack over a batch of sequences, as the torch module does in eval mode.

        Parameters
        ----------
        x : (T, B, D) inputs, or (B, T, D) when ``batch_first``; floating point.
        h0 : (L, B, H) initial hidden states with L = num_layers * num_directions and index
            layer * num_directions + direction; for LSTM an ``(h0, c0)`` tuple of such arrays.
            ``None`` (or a ``None`` half of the tuple) means zeros.

        Returns
        -------
        output : (T, B, num_directions * H), or (B, T, num_directions * H) when ``batch_first``:
            the last layer's hidden states, directions concatenated (forward first).
        h_n : (L, B, H) final hidden states (for LSTM an ``(h_n, c_n)`` tuple); for the reverse
            direction "final" is the state after reading time step 0.
        """
        # checked once here; the fast paths' private cores below do not check again
        params = check_params(self)
        x = check_input(self, x)
        T, B, _ = x.shape
        states = check_h0(self, h0, B)  # list of (L, B, H) arrays: [h0] or [h0, c0]
        dirs = self.num_directions
        caches: dict[tuple[int, int], dict] = {}
        finals = [np.empty_like(s) for s in states]
        inp = x
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                idx = layer * dirs + d
                seq = inp if d == 0 else inp[::-1]
                init = [s[idx] for s in states]
                h, cache = self._run(seq, init, self._weights(params, layer, d))
                caches[layer, d] = cache
                finals[0][idx] = h[-1]
                if self.mode == "lstm":
                    finals[1][idx] = cache["c"][-1]
                outs.append(h if d == 0 else h[::-1])
            inp = outs[0] if dirs == 1 else np.concatenate(outs, axis=2)
        self._cache = {"caches": caches, "T": T, "B": B}
        output = np.array(inp.transpose(1, 0, 2) if self.batch_first else inp, copy=True)
        h_n = tuple(finals) if self.mode == "lstm" else finals[0]
        return output, h_n

    __call__ = forward

    def _run(self, x: np.ndarray, init: list[np.ndarray], w: list) -> tuple[np.ndarray, dict]:
        if self.mode == "lstm":
            h, _, cache = _lstm_forward(x, init[0], init[1], *w)
        elif self.mode == "gru":
            h, cache = _gru_forward(x, init[0], *w)
        else:
            h, cache = _rnn_forward(x, init[0], *w, self.nonlinearity)
        return h, cache

    def backward(
        self, d_output: Any, d_h_n: Any = None, truncate: int | None = None
    ) -> dict[str, np.ndarray]:
        """Backpropagate through the most recent :meth:`forward` (nothing accumulates).

        Parameters
        ----------
        d_output : gradient of the loss with respect to ``output``, same shape, or ``None``.
        d_h_n : gradient with respect to ``h_n``, (L, B, H), or ``None``; for LSTM a
            ``(dh_n, dc_n)`` tuple whose halves may be ``None``.
        truncate : ``None`` for full BPTT, or k for truncated BPTT: the gradient through the
            recurrent state is cut between time steps k-1 and k, 2k-1 and 2k, ... in every layer
            (as torch gives when the state is detached every k steps); the reverse direction is
            cut at the same time boundaries.

        Returns
        -------
        dict with "input" (x's shape), "h0" (L, B, H), for LSTM also "c0" (L, B, H), and every
        parameter name mapped to the gradient of that parameter (its shape).
        """
        if self._cache is None:
            raise ValueError("backward called before forward: call forward(x) first")
        truncate = check_truncate(truncate)
        T, B = self._cache["T"], self._cache["B"]
        H, dirs, L = self.hidden_size, self.num_directions, self.num_layers
        d_out = check_d_output(self, d_output, T, B)  # (T, B, dirs * H) or None
        d_fin = check_d_h_n(self, d_h_n, B)  # list of (L, B, H) arrays or None
        grads: dict[str, np.ndarray] = {}
        d_init = [np.zeros((L * dirs, B, H), dtype=self.dtype) for _ in d_fin]
        for layer in reversed(range(L)):
            d_in = None
            for d in range(dirs):
                idx = layer * dirs + d
                dh = None if d_out is None else d_out[:, :, d * H : (d + 1) * H]
                if dh is not None and d == 1:
                    dh = dh[::-1]
                extra = [None if g is None else g[idx] for g in d_fin]
                offset = 0 if d == 0 else -T
                g = self._back(dh, self._cache["caches"][layer, d], extra, truncate, offset)
                d_init[0][idx] = g["h0"]
                if self.mode == "lstm":
                    d_init[1][idx] = g["c0"]
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                    if g[k] is not None:
                        grads[k + sfx] = g[k]
                dx = g["x"] if d == 0 else g["x"][::-1]
                d_in = dx if d_in is None else d_in + dx
            d_out = d_in
        out = {"input": d_out.transpose(1, 0, 2).copy() if self.batch_first else d_out}
        out["h0"] = d_init[0]
        if self.mode == "lstm":
            out["c0"] = d_init[1]
        out.update((name, grads[name]) for name in self.params)
        return out

    def _back(self, dh, cache, extra, truncate, offset) -> dict:
        if self.mode == "lstm":
            return _lstm_backward(dh, cache, extra[0], extra[1], truncate, offset)
        if self.mode == "gru":
            return _gru_backward(dh, cache, extra[0], truncate, offset)
        return _rnn_backward(dh, cache, extra[0], truncate, offset)

    def activations(self, layer: int = 0, reverse: bool = False) -> dict[str, np.ndarray]:
        """The per-step activations of one layer and direction from the most recent forward.

        Returns a dict of (T, B, H) arrays in time order (also for the reverse direction), one
        per name in ``self.cell.cache_arrays`` (:mod:`rnncore.nn.cells`): "h" for every mode,
        "c", "tanh_c", "i", "f", "g", "o" for LSTM and "r", "z", "n", "hn" for GRU. They are
        read-only views into the layer's cache: copy them to keep them past the next forward.
        """
        if self._cache is None:
            raise ValueError("activations called before forward: call forward(x) first")
        if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)):
            raise TypeError(f"layer must be an int, got {layer!r}")
        if not 0 <= layer < self.num_layers:
            raise ValueError(f"layer must be in [0, {self.num_layers}), got {layer}")
        if reverse and not self.bidirectional:
            raise ValueError("reverse=True needs a bidirectional layer, got bidirectional=False")
        cache = self._cache["caches"][int(layer), int(bool(reverse))]
        out = {}
        for key in self.cell.cache_arrays:
            view = cache[key][::-1] if reverse else cache[key][:]
            view.flags.writeable = False
            out[key] = view
        return out

    # ---- torch ---------------------------------------------------------------------------------

    def to_torch(self) -> Any:
        """An equivalent ``torch.nn.RNN``/``LSTM``/``GRU`` holding a copy of these weights (CPU)."""
        from rnncore.interop import to_torch

        return to_torch(self)
