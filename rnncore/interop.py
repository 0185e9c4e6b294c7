"""The bridge to PyTorch: the same weights in numpy (:func:`from_torch`) and back (`to_torch`).

:func:`torch_layer` builds the torch module of a cell description (``torch.nn.RNN``, ``LSTM`` or
``GRU``), so the torch models name their recurrent layer the way the numpy engine does.

``from_torch(module)`` copies a ``torch.nn.RNN`` (tanh or relu), ``torch.nn.LSTM`` or
``torch.nn.GRU`` into a :class:`rnncore.nn.recurrent.Recurrent` that computes the same outputs and
gradients (to ~1e-12 in float64, tested against torch autograd). torch is imported only when
these functions are called.

Sources: the ``torch.nn.RNN``/``LSTM``/``GRU`` documentation (parameter names and layout).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncore.nn.cells import CELLS
from rnncore.nn.recurrent import Recurrent
from rnncore.nn.validate import check_mode

__all__ = ["from_torch", "to_torch", "torch_layer"]

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

    classes = tuple(getattr(torch.nn, cell.torch_class) for cell in CELLS.values())
    if not isinstance(module, classes) or (getattr(module, "mode", None) not in _MODES):
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
    if layer.mode == "rnn":
        kwargs["nonlinearity"] = layer.nonlinearity
    tdtype = torch.float64 if layer.dtype == np.float64 else torch.float32
    cls = getattr(torch.nn, layer.cell.torch_class)
    module = cls(layer.input_size, layer.hidden_size, **kwargs).to(tdtype)
    with torch.no_grad():
        for name, p in module.named_parameters():
            p.copy_(torch.from_numpy(np.ascontiguousarray(layer.params[name])))
    return module


def torch_layer(mode: str, *args: Any, **kwargs: Any) -> Any:
    """Build the ``torch.nn.RNN``, ``LSTM`` or ``GRU`` that computes the cell ``mode``.

    ``mode`` is a key of :data:`rnncore.nn.cells.CELLS` (``"rnn"``, ``"lstm"``, ``"gru"``); the
    other arguments go to the torch class unchanged (input size, hidden size, ``num_layers``,
    ``batch_first``, ``bidirectional``, ...).
    """
    import torch

    cell = check_mode(mode, CELLS)
    return getattr(torch.nn, cell.torch_class)(*args, **kwargs)
