"""The linear recurrence h_t = a_t * h_{t-1} + b_t in torch, with its backward pass written out.

The torch twin of :mod:`rnncore.nn.linear_recurrence` (tested equal in float64, forward and
gradients). The forward pass is a loop or a parallel scan; the backward pass is not left to
autograd, which would record every slice of every round and spend most of its time filling
zeros, but written as what it is: the same recurrence run backwards in time,

    g_t = dL/dh_t + conj(a_{t+1}) g_{t+1},   dL/db_t = g_t,   dL/da_t = g_t conj(h_{t-1}),

so a training step costs two scans. The conjugates make it right for complex tensors (torch's
convention for gradients of real losses with respect to complex numbers); for real tensors they
do nothing. The scan is Hillis & Steele's (1986, "Data parallel algorithms", CACM 29(12)):
ceil(log2 T) rounds, each combining every position with the one ``offset`` steps earlier.
(The minGRU of :mod:`rnncore.models.scaling` trains through this function.)

Shapes: T time steps, B batch, H state units.
"""

from __future__ import annotations

import torch

__all__ = ["METHODS", "linear_recurrence_torch", "scan"]

METHODS = ("parallel", "sequential")


@torch.no_grad()
def scan(a: torch.Tensor, b: torch.Tensor, method: str = "parallel") -> torch.Tensor:
    """h_t = a_t h_{t-1} + b_t from h_0 = 0, without autograd: a, b (T, B, H) -> h (T, B, H)."""
    if method == "sequential":
        h = torch.empty_like(b)
        h[0] = b[0]
        for t in range(1, b.shape[0]):
            torch.addcmul(b[t], a[t], h[t - 1], out=h[t])
        return h
    A, Bv, offset = a.clone(), b.clone(), 1
    while offset < a.shape[0]:
        # positions >= offset: (A', B') of the block ending `offset` earlier, then (A, B)
        Bv[offset:] = torch.addcmul(Bv[offset:], A[offset:], Bv[:-offset])
        A[offset:] = A[offset:] * A[:-offset]
        offset *= 2
    return Bv


class _LinearRecurrence(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b, method):
        h = scan(a, b, method)
        ctx.save_for_backward(a, h)
        ctx.method = method
        return h

    @staticmethod
    def backward(ctx, dh):
        a, h = ctx.saved_tensors
        # reversed time: g'_s = conj(a_{T-s}) g'_{s-1} + dh'_s; the first decay meets a zero state
        a_back = torch.cat([torch.zeros_like(a[:1]), a[1:].flip(0)]).conj()
        g = scan(a_back, dh.flip(0), ctx.method).flip(0)
        h_prev = torch.cat([torch.zeros_like(h[:1]), h[:-1]])
        return g * h_prev.conj(), g, None


def _check(a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor | None, method: str) -> None:
    for name, t in (("a", a), ("b", b)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch tensor, got {type(t).__name__}")
        if not (t.is_floating_point() or t.is_complex()):
            raise TypeError(f"{name} must be a floating-point or complex tensor, got {t.dtype}")
    if a.ndim != 3:
        raise ValueError(f"a must have 3 dimensions (T, B, H), got shape {tuple(a.shape)}")
    if a.shape[0] == 0:
        raise ValueError("a must hold at least one time step, got T=0")
    if b.shape != a.shape:
        raise ValueError(f"b must have the shape of a {tuple(a.shape)}, got {tuple(b.shape)}")
    if h0 is not None and (not isinstance(h0, torch.Tensor) or h0.shape != a.shape[1:]):
        shape = tuple(h0.shape) if isinstance(h0, torch.Tensor) else type(h0).__name__
        raise ValueError(f"h0 must have shape (B, H) = {tuple(a.shape[1:])}, got {shape}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def linear_recurrence_torch(
    a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor | None = None, method: str = "parallel"
) -> torch.Tensor:
    """Compute h_t = a_t * h_{t-1} + b_t for all t: a, b (T, B, H), h0 (B, H) -> h (T, B, H).

    ``method="sequential"`` runs T dependent steps; ``"parallel"`` runs ceil(log2 T) rounds of
    the combine (a, b) then (a', b') = (a' a, a' b + b') over all positions at once. Gradients
    flow to a, b and h0 through the reversed recurrence (see the module docstring).
    """
    _check(a, b, h0, method)
    dtype = torch.promote_types(a.dtype, b.dtype)
    a, b = a.to(dtype), b.to(dtype)
    if h0 is not None:
        # fold h0 into the first step: h_1 = a_1 h0 + b_1 becomes the new b_1
        b = torch.cat([(a[0] * h0.to(dtype) + b[0])[None], b[1:]])
    return _LinearRecurrence.apply(a.contiguous(), b.contiguous(), method)
