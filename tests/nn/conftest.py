"""The cell suites' fixtures: each cell's functions behind one signature, parametrised over CELLS.

A test that takes ``api`` runs once per cell variant (the vanilla RNN with tanh and with relu,
the LSTM, the GRU); one that takes ``cell_api`` once per cell. ``api.twin`` runs the same
computation in torch (the session fixture ``torch_reference`` of tests/conftest.py).

Shapes: T time steps, B batch, D input features, H hidden units, G gate blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from rnncore.nn import gru, lstm, rnn
from rnncore.nn.cells import CELLS

PARAMS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
VARIANTS = [
    (name, nl) for name in CELLS for nl in (("tanh", "relu") if name == "rnn" else ("tanh",))
]


class CellAPI:
    """One cell's step and sequence functions, called the same way for every cell.

    States travel as lists in the order of ``cell.states``: [h] or [h, c].
    """

    def __init__(self, name: str, nonlinearity: str, torch_reference: Callable) -> None:
        self.name, self.nonlinearity, self.cell = name, nonlinearity, CELLS[name]
        self.id = name if name != "rnn" else f"rnn-{nonlinearity}"
        self._mod = {"rnn": rnn, "lstm": lstm, "gru": gru}[name]
        self._kw = {"nonlinearity": nonlinearity} if name == "rnn" else {}
        self._torch_reference = torch_reference

    def fn(self, suffix: str) -> Callable:
        return getattr(self._mod, f"{self.name}_{suffix}")

    def params(self, rng, D: int, H: int, bias: bool = True, dtype=np.float64) -> dict:
        """weight_ih (G*H, D), weight_hh (G*H, H), biases (G*H,) or None, N(0, 0.5^2)."""
        G = self.cell.blocks
        shapes = {"weight_ih": (G * H, D), "weight_hh": (G * H, H), "bias_ih": (G * H,)}
        shapes["bias_hh"] = (G * H,)
        return {
            k: rng.normal(0, 0.5, shapes[k]).astype(dtype) if bias or "weight" in k else None
            for k in PARAMS
        }

    def states(self, rng, B: int, H: int, dtype=np.float64) -> list[np.ndarray]:
        return [rng.normal(size=(B, H)).astype(dtype) for _ in self.cell.states]

    def step_problem(self, seed: int, bias: bool = True, B: int = 3, D: int = 4, H: int = 5):
        """x (B, D), the states, the weights and upstream gradients on the next states."""
        rng = np.random.default_rng(seed)
        x, states, p = rng.normal(size=(B, D)), self.states(rng, B, H), self.params(rng, D, H, bias)
        return x, states, p, [rng.normal(size=(B, H)) for _ in states]

    def sequence_problem(self, seed: int, T: int, B: int, D: int, H: int, bias: bool = True):
        """x (T, B, D), the initial states, the weights, dh (T, B, H) and [dh_n(, dc_n)]."""
        rng = np.random.default_rng(seed)
        x, states, p = (
            rng.normal(size=(T, B, D)),
            self.states(rng, B, H),
            self.params(rng, D, H, bias),
        )
        return x, states, p, rng.normal(size=(T, B, H)), [rng.normal(size=(B, H)) for _ in states]

    def step_forward(self, x, states, p: dict, **kw) -> tuple[list[np.ndarray], dict]:
        """The next states [h] or [h, c], each (B, H), and the step cache."""
        *nxt, cache = self.fn("step_forward")(x, *states, **p, **self._kw, **kw)
        return nxt, cache

    def step_backward(self, d_states, cache: dict, **kw) -> dict:
        return self.fn("step_backward")(*d_states, cache, **kw)

    def forward(self, path: str, x, states, p: dict) -> tuple[np.ndarray, list, dict]:
        """h (T, B, H), the final states [h_n] or [h_n, c_n] and the cache, on either path."""
        out = self.fn("forward_steps" if path == "steps" else "forward")(
            x, *states, **p, **self._kw
        )
        cache = out[-1]
        return out[0], [cache[s][-1] for s in self.cell.states], cache

    def backward(self, path: str, dh, cache: dict, d_finals, truncate=None, **kw) -> dict:
        fn = self.fn("backward_steps" if path == "steps" else "backward")
        return fn(dh, cache, *d_finals, truncate=truncate, **kw)

    def state_keys(self, suffix: str) -> list[str]:
        """The states' names with a suffix: ["h0", "c0"], ["h_prev", "c_prev"], ..."""
        return [s + suffix for s in self.cell.states]

    def twin(self, x, states, p: dict, dh, d_finals, truncate=None) -> tuple[Any, list, dict]:
        """torch's h (T, B, H), final states and gradients (in our names) for the same inputs."""
        import torch

        cls = getattr(torch.nn, self.cell.torch_class)
        H = states[0].shape[1]
        module = cls(x.shape[2], H, bias=p["bias_ih"] is not None, **self._kw).double()
        with torch.no_grad():
            for k in PARAMS:
                if p[k] is not None:
                    getattr(module, f"{k}_l0").copy_(torch.from_numpy(p[k]))
        pack = tuple if len(states) > 1 else (lambda parts: parts[0])
        out, h_n, g = self._torch_reference(
            module,
            x,
            h0=pack([s[None] for s in states]),
            d_output=dh,
            d_h_n=pack([d[None] for d in d_finals]),
            truncate=truncate,
        )
        finals = [f[0] for f in (h_n if len(states) > 1 else [h_n])]
        grads = {"x": g["input"], **{k: g[k][0] for k in self.state_keys("0")}}
        grads.update({k: g.get(f"{k}_l0") for k in PARAMS})
        return out, finals, grads

    def __repr__(self) -> str:
        return f"CellAPI({self.id})"


@pytest.fixture(params=VARIANTS, ids=[n if n != "rnn" else f"rnn-{nl}" for n, nl in VARIANTS])
def api(request, torch_reference) -> CellAPI:
    """Every cell variant: rnn with tanh and relu, lstm, gru."""
    return CellAPI(*request.param, torch_reference)


@pytest.fixture(params=list(CELLS))
def cell_api(request, torch_reference) -> CellAPI:
    """Every cell once (the vanilla RNN with tanh)."""
    return CellAPI(request.param, "tanh", torch_reference)
