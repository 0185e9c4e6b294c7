"""The bridge to PyTorch: the same weights in numpy (:func:`from_torch`) and back (`to_torch`).

``from_torch(module)`` copies a ``torch.nn.RNN`` (tanh or relu), ``torch.nn.LSTM`` or
``torch.nn.GRU`` into a :class:`rnncore.nn.recurrent.Recurrent` that computes the same outputs and
gradients (to ~1e-12 in float64, tested against torch autograd). torch is imported only when
these functions are called.

Sources: the ``torch.nn.RNN``/``LSTM``/``GRU`` documentation (parameter names and layout).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncore.nn.recurrent import Recurrent

__all__ = ["from_torch", "to_torch", "torch_reference"]

_MODES = {"RNN_TANH": ("rnn", "tanh"), "RNN_RELU": ("rnn", "relu"), "LSTM": ("lstm", "tanh")}
_MODES["GRU"] = ("gru", "tanh")


def from_torch(module: Any) -> Recurrent:
    """Copy a torch.nn.RNN/LSTM/GRU into a numpy :class:`Recurrent` with the same weights.

    The copy lives on the CPU in the module's dtype (float32 or float64) and computes what the
    module computes in ``eval()`` mode: the inter-layer dropout of a training-mode module is
    not reproduced. Any ``num_layers``, ``bidirectional``, ``batch_first`` and ``bias`` work.

    Raises
    ------
    TypeError : ``module`` is not a torch.nn.RNN/LSTM/GRU, or its dtype is not float32/float64.
    ValueError : an LSTM with ``proj_size > 0`` (not supported).
    """
    import torch

    if not isinstance(module, (torch.nn.RNN, torch.nn.LSTM, torch.nn.GRU)) or (
        getattr(module, "mode", None) not in _MODES
    ):
        raise TypeError(
            "module must be a torch.nn.RNN, torch.nn.LSTM or torch.nn.GRU, "
            f"got {type(module).__module__}.{type(module).__name__}"
        )
    if getattr(module, "proj_size", 0) > 0:
        raise ValueError(
            f"module must have proj_size=0 (LSTM projections are not supported), "
            f"got proj_size={module.proj_size}"
        )
    named = dict(module.named_parameters())
    dtypes = {p.dtype for p in named.values()}
    if not dtypes <= {torch.float32, torch.float64} or len(dtypes) != 1:
        got = ", ".join(sorted(str(d) for d in dtypes))
        raise TypeError(f"module's parameters must be all float32 or all float64, got {got}")
    dtype = np.float64 if dtypes == {torch.float64} else np.float32
    mode, nonlinearity = _MODES[module.mode]
    layer = Recurrent(
        mode,
        module.input_size,
        module.hidden_size,
        num_layers=module.num_layers,
        bias=module.bias,
        batch_first=module.batch_first,
        bidirectional=module.bidirectional,
        nonlinearity=nonlinearity,
        dtype=dtype,
        seed=0,
    )
    if list(named) != list(layer.params):
        raise ValueError(
            f"module's parameters must be named as torch's {list(layer.params)}, got {list(named)}"
        )
    layer.params = {
        name: p.detach().to("cpu").numpy().astype(dtype, copy=True) for name, p in named.items()
    }
    return layer


def to_torch(layer: Recurrent) -> Any:
    """An equivalent torch.nn.RNN/LSTM/GRU (on the CPU, in the layer's dtype) with its weights."""
    import torch

    if not isinstance(layer, Recurrent):
        raise TypeError(f"layer must be an rnncore Recurrent, got {type(layer).__name__}")
    kwargs = dict(
        num_layers=layer.num_layers,
        bias=layer.bias,
        batch_first=layer.batch_first,
        bidirectional=layer.bidirectional,
    )
    tdtype = torch.float64 if layer.dtype == np.float64 else torch.float32
    if layer.mode == "rnn":
        module = torch.nn.RNN(
            layer.input_size, layer.hidden_size, nonlinearity=layer.nonlinearity, **kwargs
        )
    elif layer.mode == "lstm":
        module = torch.nn.LSTM(layer.input_size, layer.hidden_size, **kwargs)
    else:
        module = torch.nn.GRU(layer.input_size, layer.hidden_size, **kwargs)
    module = module.to(tdtype)
    with torch.no_grad():
        for name, p in module.named_parameters():
            p.copy_(torch.from_numpy(np.ascontiguousarray(layer.params[name])))
    return module


def torch_reference(
    module: Any,
    x: np.ndarray,
    h0: Any = None,
    d_output: np.ndarray | None = None,
    d_h_n: Any = None,
    truncate: int | None = None,
) -> tuple[np.ndarray, Any, dict[str, np.ndarray]]:
    """Run a torch module with autograd on numpy arrays: the twin of forward + backward.

    The loss is sum(output * d_output) + sum(h_n * d_h_n) (``None`` terms dropped), so the
    gradients returned are what :meth:`Recurrent.backward` returns for the same upstream
    gradients. With ``truncate=k`` the sequence runs in chunks of k steps and the state is
    detached between chunks (unidirectional modules only).

    Parameters
    ----------
    module : torch.nn.RNN/LSTM/GRU; x : input as the module takes it, (T, B, D) or (B, T, D);
    h0 : (L, B, H) or, for LSTM, an (h0, c0) tuple; ``None`` for zeros.
    d_output : output-shaped array or ``None``; d_h_n : h_n-shaped (tuple for LSTM) or ``None``.

    Returns
    -------
    output, h_n (numpy, as the module returns them) and a dict with "input", "h0", ["c0"] and
    every parameter name mapped to its gradient.
    """
    import torch

    lstm = isinstance(module, torch.nn.LSTM)
    dtype = next(module.parameters()).dtype
    L = module.num_layers * (2 if module.bidirectional else 1)
    B = x.shape[0] if module.batch_first else x.shape[1]
    zeros = np.zeros((L, B, module.hidden_size))
    states = list(h0) if lstm and h0 is not None else [h0] if h0 is not None else [None, None]
    states = states if lstm else states[:1]
    xt = torch.tensor(np.asarray(x), dtype=dtype, requires_grad=True)
    st = [torch.tensor(zeros if s is None else np.asarray(s), dtype=dtype) for s in states]
    for s in st:
        s.requires_grad_(True)
    module.zero_grad(set_to_none=True)
    if truncate is None:
        out, h_n = module(xt, tuple(st) if lstm else st[0])
    else:
        if module.bidirectional:
            raise ValueError("truncate needs a unidirectional module, got bidirectional=True")
        axis = 1 if module.batch_first else 0
        state, outs = (tuple(st) if lstm else st[0]), []
        for start in range(0, xt.shape[axis], truncate):
            if start > 0:
                state = tuple(s.detach() for s in state) if lstm else state.detach()
            o, state = module(xt.narrow(axis, start, min(truncate, xt.shape[axis] - start)), state)
            outs.append(o)
        out, h_n = torch.cat(outs, dim=axis), state
    finals = list(h_n) if lstm else [h_n]
    loss = torch.zeros((), dtype=dtype)
    if d_output is not None:
        loss = loss + (out * torch.tensor(np.asarray(d_output), dtype=dtype)).sum()
    grads_n = list(d_h_n) if lstm and d_h_n is not None else [d_h_n] * len(finals)
    for f, g in zip(finals, grads_n, strict=True):
        if g is not None:
            loss = loss + (f * torch.tensor(np.asarray(g), dtype=dtype)).sum()
    loss.backward()

    def np_grad(t: Any) -> np.ndarray:
        return np.zeros(tuple(t.shape)) if t.grad is None else t.grad.detach().cpu().numpy()

    grads = {"input": np_grad(xt), "h0": np_grad(st[0])}
    if lstm:
        grads["c0"] = np_grad(st[1])
    grads.update((n, np_grad(p)) for n, p in module.named_parameters())
    h_n_np = tuple(f.detach().cpu().numpy() for f in finals) if lstm else finals[0].detach().numpy()
    return out.detach().cpu().numpy(), h_n_np, grads
