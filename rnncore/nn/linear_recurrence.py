"""The linear recurrence h_t = a_t * h_{t-1} + b_t: a loop, a parallel scan, and its backward pass.

Every model of the chapter on linear recurrences (diagonal state-space models, the LRU, Mamba's
selective scan, minGRU, linear attention read as an RNN) reduces its state update to this one
elementwise recurrence, with coefficients a_t, b_t computed from the input before it starts.

Sources
-------
- Blelloch (1990), "Prefix sums and their applications", CMU-CS-90-190: any associative operator
  admits a prefix scan, and solving recurrences is among the applications it lists, first-order
  linear ones through the operator on pairs (a, b) written out in :func:`combine`.
- Hillis & Steele (1986), "Data parallel algorithms", CACM 29(12): the scan in ceil(log2 T)
  doubling rounds used by :func:`linear_recurrence` (every position works in every round, so
  O(T log T) work; Blelloch's up-sweep/down-sweep does O(T) work in twice the rounds).
- Martin & Cundy (2018), "Parallelizing linear recurrent neural nets over sequence length", ICLR:
  the same scan applied to training RNNs whose recurrence is linear. The backward pass below is
  derived directly: it is again a linear recurrence, run in reverse.

Shapes: T time steps, B batch, H state units (for a state-space model H counts every state
number: channels times state size). Complex coefficients are allowed in the forward pass.
"""

from __future__ import annotations

import numpy as np

from rnncore.utils import check_finite, check_shape

__all__ = [
    "METHODS",
    "combine",
    "linear_recurrence",
    "linear_recurrence_backward",
    "scan_rounds",
]

METHODS = ("parallel", "sequential")


def _check_coefficients(value: object, name: str, real_only: bool = False) -> np.ndarray:
    """Return ``value`` as a float or complex ndarray of 3 dimensions, finite and non-empty."""
    arr = np.asarray(value)
    allowed = "f" if real_only else "fc"
    if arr.dtype.kind not in allowed:
        kinds = "a real floating-point" if real_only else "a floating-point or complex"
        raise TypeError(f"{name} must be {kinds} array, got dtype {arr.dtype}")
    if arr.ndim != 3:
        raise ValueError(f"{name} must have 3 dimensions (T, B, H), got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one time step, got T=0 (shape {arr.shape})")
    check_finite(arr, name)
    return arr


def _check_h0(h0: object, a: np.ndarray, real_only: bool = False) -> np.ndarray | None:
    if h0 is None:
        return None
    arr = np.asarray(h0)
    if arr.dtype.kind not in ("f" if real_only else "fc"):
        raise TypeError(f"h0 must be a floating-point array, got dtype {arr.dtype}")
    check_shape(arr, "h0", a.shape[1:], "(B, H)")
    check_finite(arr, "h0")
    return arr


def combine(
    earlier: tuple[np.ndarray, np.ndarray], later: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Compose two affine steps: ``earlier`` then ``later`` is one step of the same form.

    A step (a, b) maps h to a * h + b. Applying (a1, b1) and then (a2, b2) gives
    a2 * (a1 * h + b1) + b2 = (a2 * a1) * h + (a2 * b1 + b2). The operator is associative (it is
    the composition of functions), which is all a parallel scan needs; it is not commutative.
    """
    a1, b1 = earlier
    a2, b2 = later
    return a2 * a1, a2 * b1 + b2


def scan_rounds(T: int) -> list[int]:
    """The offsets of the doubling rounds for T steps: 1, 2, 4, ... below T (ceil(log2 T) of them).

    In the round with offset k, position t combines its block with the block ending at t - k.
    """
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T <= 0:
        raise ValueError(f"T must be a positive int, got {T!r}")
    offsets, k = [], 1
    while k < T:
        offsets.append(k)
        k *= 2
    return offsets


def linear_recurrence(
    a: np.ndarray, b: np.ndarray, h0: np.ndarray | None = None, *, method: str = "parallel"
) -> np.ndarray:
    """Compute h_t = a_t * h_{t-1} + b_t for t = 1..T, elementwise, from h_0 = ``h0``.

    Parameters
    ----------
    a, b : (T, B, H) float32, float64 or complex arrays
        The decay and the input of every step, known before the recurrence starts.
    h0 : (B, H), optional
        The state before the first step; zeros when None.
    method : "parallel" or "sequential"
        "sequential" is the loop, T dependent steps. "parallel" is a Hillis-Steele scan:
        ceil(log2 T) rounds, each one vectorised :func:`combine` over all positions. They agree
        to rounding (about 1e-15 relative in float64 when |a| <= 1).

    Returns
    -------
    h : (T, B, H), in the common dtype of the inputs: the states after each step.
    """
    a = _check_coefficients(a, "a")
    b = _check_coefficients(b, "b")
    check_shape(b, "b", a.shape, "(T, B, H) like a")
    h0 = _check_h0(h0, a)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    dtype = np.result_type(a, b, *(() if h0 is None else (h0,)))
    A, Bt = a.astype(dtype), b.astype(dtype)  # copies: the inputs are never written to
    if h0 is not None:
        Bt[0] = A[0] * h0 + Bt[0]  # fold h0 into the first step, so h_1 = b'_1
    if method == "sequential":
        h = np.empty_like(Bt)
        state = Bt[0]
        h[0] = state
        for t in range(1, len(Bt)):
            state = A[t] * state + Bt[t]
            h[t] = state
        return h
    for k in scan_rounds(len(A)):
        # every t >= k: its block (steps t-k+1..t) follows the block ending at t-k
        A_new, B_new = combine((A[:-k], Bt[:-k]), (A[k:], Bt[k:]))
        A[k:], Bt[k:] = A_new, B_new
    # Bt[t] now composes steps 1..t applied to h = 0 (h0 was folded in): it is h_t
    return Bt


def linear_recurrence_backward(
    dh: np.ndarray, a: np.ndarray, h: np.ndarray, h0: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of L = sum(dh * h) through h_t = a_t * h_{t-1} + b_t (real inputs).

    The gradient reaching the state, g_t = dL/dh_t, collects dh_t and what flows back from the
    next step: g_t = dh_t + a_{t+1} * g_{t+1}, with g_T = dh_T. That is the same linear
    recurrence run backwards in time (decays shifted by one step), so it is computed with
    :func:`linear_recurrence` on reversed arrays. Then db_t = g_t, da_t = g_t * h_{t-1} and
    dh0 = a_1 * g_1.

    Parameters
    ----------
    dh : (T, B, H) upstream gradient dL/dh (the direct part, before the recurrence).
    a : (T, B, H) the decays of the forward pass.
    h : (T, B, H) the states the forward pass returned (the cache).
    h0 : (B, H) the initial state of the forward pass, or None for zeros.

    Returns
    -------
    da, db : (T, B, H); dh0 : (B, H).
    """
    dh = _check_coefficients(dh, "dh", real_only=True)
    a = _check_coefficients(a, "a", real_only=True)
    h = _check_coefficients(h, "h", real_only=True)
    check_shape(a, "a", dh.shape, "(T, B, H) like dh")
    check_shape(h, "h", dh.shape, "(T, B, H) like dh")
    h0 = _check_h0(h0, a, real_only=True)
    dtype = np.result_type(dh, a, h, *(() if h0 is None else (h0,)))
    # reversed time: g'_s = a'_s * g'_{s-1} + dh'_s with a'_s = a_{T-s}; a'_0 meets a zero state
    a_back = np.concatenate([np.zeros_like(a[:1]), a[:0:-1]]).astype(dtype)
    g = linear_recurrence(a_back, dh[::-1].astype(dtype))[::-1]
    h_prev = np.concatenate([np.zeros_like(h[:1]) if h0 is None else h0[None], h[:-1]])
    da = g * h_prev
    dh0 = a[0] * g[0]
    return da.astype(dtype), np.ascontiguousarray(g), dh0.astype(dtype)
