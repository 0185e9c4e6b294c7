"""Causal linear attention, in its parallel form and as an RNN with a matrix-valued state.

Replace softmax attention's exp(q . k) by a product of features phi(q) . phi(k). The output at t,

    y_t = sum_{s<=t} L[t, s] (phi(q_t) . phi(k_s)) v_s  /  sum_{s<=t} L[t, s] phi(q_t) . phi(k_s),

can then be computed in two ways. Parallel: form the T x T matrix of scores, mask it with the
causal mask L and multiply by V (quadratic in T, one big product, how it trains). Recurrent: pull
phi(q_t) out of the sums; what is left is a state that one step updates,

    S_t = a_t S_{t-1} + phi(k_t) v_t^T   (d_k x d_v),     z_t = a_t z_{t-1} + phi(k_t)   (d_k,),
    y_t = S_t^T phi(q_t) / (z_t . phi(q_t)),

constant work and memory per token, how it generates. With a_t = 1 (no decay) L is the plain causal
mask of ones (Katharopoulos et al.); with a scalar decay a_t in (0, 1] per step,
L[t, s] = a_{s+1} ... a_t and the state forgets: RetNet's retention decays by a fixed number per
head (and rotates q and k), Mamba-2 computes a_t from the input and drops the normaliser, which
is its state-space dual form. Each
entry of S follows its own linear recurrence S_t = a_t S_{t-1} + b_t.

Sources
-------
- Katharopoulos, Vyas, Pappas & Fleuret (2020), "Transformers are RNNs: fast autoregressive
  transformers with linear attention", ICML: the feature map phi(x) = elu(x) + 1, the causal
  parallel form and the recurrent form with the matrix state S and normaliser z.
- Dao & Gu (2024), "Transformers are SSMs", ICML: with a scalar decay per step, the causal mask
  becomes the 1-semiseparable matrix L above, and the recurrence and the masked quadratic form
  compute the same outputs (state-space duality).

Shapes: T time steps, B batch, d_k key/query features, d_v value features.
"""

from __future__ import annotations

import numpy as np

from rnncore.utils import check_array, check_shape

__all__ = [
    "FEATURES",
    "decay_mask",
    "elu_feature",
    "linear_attention_parallel",
    "linear_attention_recurrent",
    "linear_attention_state_numbers",
    "linear_attention_step",
]


def elu_feature(x: np.ndarray) -> np.ndarray:
    """phi(x) = elu(x) + 1: x + 1 for x > 0, exp(x) otherwise; always positive."""
    return np.where(x > 0, x + 1.0, np.exp(np.minimum(x, 0.0)))


FEATURES = {"elu": elu_feature, "identity": lambda x: x}


def _inputs(q, k, v, decay, feature):
    q = check_array(q, "q", ndim=3)
    k = check_array(k, "k", ndim=3)
    check_shape(k, "k", q.shape, "(T, B, d_k) like q")
    v = check_array(v, "v", ndim=3)
    check_shape(v, "v", (*q.shape[:2], None), "(T, B, d_v)")
    if q.shape[0] == 0:
        raise ValueError("q must hold at least one time step, got T=0")
    if feature not in FEATURES:
        raise ValueError(f"feature must be one of {sorted(FEATURES)}, got {feature!r}")
    if decay is not None:
        decay = check_array(decay, "decay", ndim=2)
        check_shape(decay, "decay", q.shape[:2], "(T, B)")
        if np.any(decay <= 0) or np.any(decay > 1):
            raise ValueError("decay must lie in (0, 1]")
    phi = FEATURES[feature]
    return phi(q), phi(k), v, decay


def decay_mask(decay: np.ndarray | None, T: int, B: int) -> np.ndarray:
    """L[b, t, s] = a_{s+1} ... a_t for s <= t and 0 above the diagonal: (B, T, T).

    ``decay`` (T, B) in (0, 1], or None for the plain causal mask of ones. Computed from cumulative
    sums of log a, so each entry costs O(1).
    """
    causal = np.tril(np.ones((T, T), dtype=bool))
    if decay is None:
        return np.broadcast_to(causal, (B, T, T)).astype(float)
    logs = np.cumsum(np.log(decay), axis=0).T  # (B, T): log(a_1 ... a_t)
    diff = logs[:, :, None] - logs[:, None, :]  # log(a_{s+1} ... a_t)
    return np.where(causal, np.exp(np.where(causal, diff, 0.0)), 0.0)


def linear_attention_parallel(
    q: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
    decay: np.ndarray | None = None,
    *,
    feature: str = "elu",
    normalize: bool = True,
) -> np.ndarray:
    """All outputs at once from the masked T x T score matrix: (T, B, d_v).

    q, k: (T, B, d_k); v: (T, B, d_v); decay: (T, B) in (0, 1] or None. ``normalize`` divides
    by the masked row sums (Katharopoulos); Mamba-2's dual form has no normaliser.
    """
    fq, fk, v, decay = _inputs(q, k, v, decay, feature)
    T, B, _ = fq.shape
    scores = np.einsum("tbd,sbd->bts", fq, fk) * decay_mask(decay, T, B)  # (B, T, T)
    out = np.einsum("bts,sbe->tbe", scores, v)
    if normalize:
        out = out / scores.sum(axis=2).T[..., None]
    return out


def linear_attention_step(
    S: np.ndarray,
    z: np.ndarray,
    q_t: np.ndarray,
    k_t: np.ndarray,
    v_t: np.ndarray,
    a_t: np.ndarray | float = 1.0,
    normalize: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One step of the RNN form, on features already mapped: returns (y_t, S_t, z_t).

    S: (B, d_k, d_v) the state, a sum of outer products phi(k) v^T; z: (B, d_k) the sum of phi(k);
    q_t, k_t: (B, d_k) features; v_t: (B, d_v); a_t: (B,) or a scalar decay.
    """
    a_t = np.asarray(a_t, dtype=float).reshape(-1, 1)
    S = a_t[..., None] * S + k_t[:, :, None] * v_t[:, None, :]  # write v_t under key k_t
    z = a_t * z + k_t
    y = np.einsum("bk,bkv->bv", q_t, S)  # read with the query
    if normalize:
        y = y / np.einsum("bk,bk->b", q_t, z)[:, None]
    return y, S, z


def linear_attention_recurrent(
    q: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
    decay: np.ndarray | None = None,
    *,
    feature: str = "elu",
    normalize: bool = True,
    return_state: bool = False,
) -> np.ndarray | tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """The same outputs as :func:`linear_attention_parallel`, one token at a time: (T, B, d_v).

    Only the state (S, z) of d_k (d_v + 1) numbers per sequence survives between steps, whatever
    T. With ``return_state`` also returns the final (S: (B, d_k, d_v), z: (B, d_k)).
    """
    fq, fk, v, decay = _inputs(q, k, v, decay, feature)
    T, B, dk = fq.shape
    S, z = np.zeros((B, dk, v.shape[2])), np.zeros((B, dk))
    out = np.empty((T, B, v.shape[2]))
    for t in range(T):
        a_t = 1.0 if decay is None else decay[t]
        out[t], S, z = linear_attention_step(S, z, fq[t], fk[t], v[t], a_t, normalize)
    return (out, (S, z)) if return_state else out


def linear_attention_state_numbers(d_k: int, d_v: int, normalize: bool = True) -> int:
    """Numbers the recurrent form keeps per sequence and layer: d_k d_v (+ d_k for z)."""
    for name, value in (("d_k", d_k), ("d_v", d_v)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(d_k) * int(d_v) + (int(d_k) if normalize else 0)
