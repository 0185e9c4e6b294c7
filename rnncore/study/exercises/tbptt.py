"""Checker for the reader's stateful truncated-BPTT training loop (a character language model).

The reader implements ``train_tbptt(model, ids, batch_size, window, optimizer) -> losses``:

- ``ids`` (N,) is one long text of token ids. Lay it out as ``batch_size`` parallel streams,
  each a contiguous piece of the text: ``L = N // B``, stream b = ``ids[b L : (b + 1) L]``, an
  (L, B) array time first (what :func:`rnncore.data.text.streams` returns). Row b of every window
  then continues row b of the window before.
- Walk through the streams in windows of ``window`` steps: inputs ``x = cols[s : s + window]``,
  targets ``y = cols[s + 1 : s + window + 1]`` (the next token), for s = 0, window, 2 window, ...
  while s < L - 1 (the last window may be shorter; cut x to the length of y).
- ``model(x, state) -> (logits (T, B, V), state)``; start from ``state = None`` and carry the state
  from window to window, **detached** from the previous window's graph (``state.detach()``, or
  each of ``(h, c)`` for an LSTM): the forward pass sees the whole past, the backward pass stops at
  the window's start (truncated BPTT; Williams & Peng, 1990).
- Each window: ``optimizer.zero_grad()``, the mean cross-entropy of the next token, ``backward()``,
  ``optimizer.step()``. Return the list of window losses (floats).

:func:`tbptt_variant` is the reference (no mistake switched on) and the catalogue of mistakes;
the checker runs the reader's loop and every variant on identical float64 copies of a small
:class:`rnncore.models.charlm.CharLM` (a GRU and an LSTM) and compares losses and weights.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from rnncore.data.text import streams
from rnncore.models.charlm import CharLM
from rnncore.study.exercises._common import CheckResult, _Stop, call, finish

__all__ = ["check_tbptt", "tbptt_variant"]

V, N, BATCH, WINDOW, LR = 5, 71, 3, 5, 0.5  # L = 23 steps per stream: windows of 5, 5, 5, 5, 2


def _detach(state: Any) -> Any:
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def _layout(ids: np.ndarray, B: int, how: str) -> torch.Tensor:
    if how == "streams":
        return torch.from_numpy(streams(ids, B))
    L = len(ids) // B
    return torch.from_numpy(ids[: L * B].reshape(L, B).copy())  # "interleaved": columns jump


def tbptt_variant(
    model: nn.Module,
    ids: np.ndarray,
    batch_size: int,
    window: int,
    optimizer: torch.optim.Optimizer,
    state_policy: str = "detach",
    layout: str = "streams",
    shift: bool = True,
    zero_grad: bool = True,
    reduction: str = "mean",
) -> list[float]:
    """The reference loop, with optional mistakes: ``state_policy`` "detach" | "reset";
    ``layout`` "streams" | "interleaved"; ``shift=False`` predicts the input itself;
    ``zero_grad=False`` lets gradients accumulate; ``reduction="sum"`` sums the loss."""
    cols = _layout(ids, batch_size, layout)
    state, losses = None, []
    for s in range(0, cols.shape[0] - 1, window):
        y = cols[s + 1 : s + window + 1] if shift else cols[s : s + window][: cols.shape[0] - 1 - s]
        x = cols[s : s + window][: y.shape[0]]
        if state is not None and state_policy == "detach":
            state = _detach(state)
        elif state_policy == "reset":
            state = None
        if zero_grad:
            optimizer.zero_grad()
        logits, state = model(x, state)
        loss = nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction=reduction
        )
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def _fresh(cell: str) -> tuple[nn.Module, torch.optim.Optimizer]:
    with torch.random.fork_rng():
        torch.manual_seed(5)
        model = CharLM(V, embed_size=3, hidden_size=4, cell=cell).double()
    return model, torch.optim.SGD(model.parameters(), lr=LR)


def _ids() -> np.ndarray:
    return np.random.default_rng(31).integers(0, V, size=N)


_MISTAKES = (
    (
        {"state_policy": "reset"},
        "You start every window from a zero state; carry the detached state across windows.",
    ),
    (
        {"layout": "interleaved"},
        "Batch rows must continue each other: stream b is ids[b*L:(b+1)*L], so lay the text out "
        "with ids[:B*L].reshape(B, L).T, not reshape(L, B).",
    ),
    ({"shift": False}, "The targets are the inputs shifted by one step: y = cols[s+1:s+window+1]."),
    ({"zero_grad": False}, "Call optimizer.zero_grad() every window: gradients accumulate."),
    ({"reduction": "sum"}, "Use the mean cross-entropy over the window, not the sum."),
)

_ERRORS = (
    (
        "backward through the graph a second time",
        "The carried state still links to the previous window's graph: detach it "
        "(state = state.detach()) before the next forward pass.",
    ),
    (
        "modified by an inplace operation",
        "You backpropagated into earlier windows (retain_graph=True?), whose weights the "
        "optimizer has changed since: detach the state instead.",
    ),
    ("has no attribute 'detach'", "An LSTM's state is the pair (h, c): detach both."),
)


def _run_reader(fn: Callable[..., Any], cell: str) -> tuple[list[float], nn.Module]:
    model, optimizer = _fresh(cell)
    try:
        out = call(fn, model, _ids(), BATCH, WINDOW, optimizer, what=f"train_tbptt ({cell})")
    except _Stop as stop:
        advice = next((a for key, a in _ERRORS if key in stop.message), None)
        if advice is None:
            raise
        raise _Stop(f"train_tbptt ({cell}) raised an error. {advice}") from None
    try:
        losses = [float(v) for v in out]
    except (TypeError, ValueError):
        raise _Stop(
            f"return the list of window losses (floats), got {type(out).__name__}."
        ) from None
    return losses, model


def _same(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(
        math.isclose(x, y, rel_tol=1e-9) for x, y in zip(a, b, strict=True)
    )


def check_tbptt(fn: Callable[..., Any], verbose: bool = True) -> CheckResult:
    """Check ``fn(model, ids, batch_size, window, optimizer) -> list of window losses``."""

    def body() -> str:
        for cell in ("gru", "lstm"):
            model, optimizer = _fresh(cell)
            want = tbptt_variant(model, _ids(), BATCH, WINDOW, optimizer)
            got, trained = _run_reader(fn, cell)
            if len(got) != len(want):
                raise _Stop(
                    f"{cell}: {len(got)} losses, expected {len(want)} windows (L = {N // BATCH}, "
                    f"window {WINDOW}: starts 0, {WINDOW}, ... while start < L - 1)."
                )
            weights = [p.detach() for p in trained.parameters()]
            if _same(got, want) and all(
                torch.allclose(p, q) for p, q in zip(weights, model.parameters(), strict=True)
            ):
                continue
            if all(
                torch.equal(p, q)
                for p, q in zip(weights, _fresh(cell)[0].parameters(), strict=True)
            ):
                raise _Stop(f"{cell}: the weights never changed: call optimizer.step().")
            if _same(got, want):
                raise _Stop(f"{cell}: right losses, wrong final weights: one step per window.")
            advice = ""
            for options, message in _MISTAKES:
                m, opt = _fresh(cell)
                if _same(got, tbptt_variant(m, _ids(), BATCH, WINDOW, opt, **options)):
                    advice = message
                    break
            k = next(i for i, (a, b) in enumerate(zip(got, want, strict=True)) if a != b)
            text = f"{cell}: window {k} has loss {got[k]:.6g}, expected {want[k]:.6g}."
            raise _Stop(f"{text} {advice}".strip())
        return "matches the reference loop (GRU and LSTM)."

    return finish("tbptt", body, verbose)
