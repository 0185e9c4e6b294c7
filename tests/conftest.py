"""Helpers shared by the test modules, as fixtures (pytest imports the test modules with
``--import-mode=importlib``, so they cannot import each other).

``torch_reference`` is the torch twin of :meth:`rnncore.nn.recurrent.Recurrent.forward` and
``backward``: it runs a torch.nn.RNN/LSTM/GRU with autograd on numpy arrays. It lives here, not
in the package, because only the tests use it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest


@pytest.fixture(scope="session")
def torch_reference() -> Callable[..., tuple[np.ndarray, Any, dict[str, np.ndarray]]]:
    """The function :func:`_torch_reference` (session scope, so hypothesis tests may use it)."""
    return _torch_reference


def _torch_reference(
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
