"""Connectionist temporal classification (CTC): the loss and its gradient, in numpy.

Graves, Fernández, Gomez & Schmidhuber (2006), "Connectionist temporal classification: labelling
unsegmented sequence data with recurrent neural networks", ICML. A network emits, at each of T
frames, a distribution over C classes, one of which is the *blank*. A frame-level path
pi = (pi_1, ..., pi_T) is mapped to a labelling by the collapse rule B: merge runs of
the same class, then delete blanks, so B("aa-ab-") = "aab". The probability of a labelling l is
the sum over every path that collapses to it,

    p(l | x) = sum_{pi : B(pi) = l} prod_t y^t_{pi_t}

computed by the forward (alpha) and backward (beta) recursions over the extended label sequence
l' = (blank, l_1, blank, l_2, ..., l_U, blank) of length 2U + 1. Here
``log_alpha[t, s]`` is the log-probability of all path prefixes pi_1..pi_t that end in state s and
are consistent with l'; ``log_beta[t, s]`` is the log-probability of the remaining frames t+1..T
given state s at t. Unlike the paper's beta, ours leaves out the emission at t, so that
``alpha_t(s) * beta_t(s)`` is the probability of all paths through (t, s) without a division, and
``sum_s alpha_t(s) beta_t(s) = p(l | x)`` at every t.

The gradient of ``-log p(l | x)`` with respect to the unnormalised outputs (logits) u is the
softmax output minus the alignment posterior:

    d(-log p) / d u^t_k = y^t_k - (1 / p) sum_{s : l'_s = k} alpha_t(s) beta_t(s).

Everything runs in log space, so a thousand frames do not underflow. The collapse rule, l' and
the brute-force enumeration of paths live in :mod:`rnncore.nn.ctc_paths`. Shapes: T frames, B
sequences, C classes (blank included), S the padded target length, U one target's length.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rnncore.nn.ctc_paths import extend_with_blanks, min_input_length, skip_allowed
from rnncore.nn.functional import log_softmax
from rnncore.utils import check_array

__all__ = [
    "ctc_alignment_posterior",
    "ctc_alpha_step",
    "ctc_backward_lattice",
    "ctc_beta_step",
    "ctc_forward_lattice",
    "ctc_loss",
]

_NEG_INF = -np.inf


def _logsumexp3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Elementwise log(exp a + exp b + exp c), exact when all three are -inf (gives -inf)."""
    m = np.maximum(np.maximum(a, b), c)
    safe = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return safe + np.log(np.exp(a - safe) + np.exp(b - safe) + np.exp(c - safe))


def _shift(x: np.ndarray, k: int) -> np.ndarray:
    """Move along the last axis by k states toward higher s (k < 0: lower), filling with -inf."""
    out = np.full_like(x, _NEG_INF)
    if k >= 0:
        out[..., k:] = x[..., : x.shape[-1] - k]
    else:
        out[..., :k] = x[..., -k:]
    return out


def ctc_alpha_step(
    log_alpha_prev: np.ndarray, log_emit: np.ndarray, skip: np.ndarray
) -> np.ndarray:
    """One step of the forward recursion: log alpha_t from log alpha_{t-1}, all (..., S').

    State s is reached from s (stay), s-1 (advance) or s-2 (skip a blank, where ``skip`` allows),
    then emits its symbol: ``log_emit[s] = log y^t_{l'_s}``.
    """
    stay, advance = log_alpha_prev, _shift(log_alpha_prev, 1)
    jump = np.where(skip, _shift(log_alpha_prev, 2), _NEG_INF)
    return log_emit + _logsumexp3(stay, advance, jump)


def ctc_beta_step(
    log_beta_next: np.ndarray, log_emit_next: np.ndarray, skip: np.ndarray
) -> np.ndarray:
    """One step of the backward recursion: log beta_t from log beta_{t+1}, all (..., S').

    The mirror image of :func:`ctc_alpha_step`: from state s at t the path moves to s, s+1 or
    (where ``skip`` allows it at s+2) s+2 at t+1, which emits ``log_emit_next``.
    """
    ahead = log_beta_next + log_emit_next
    jump = np.where(_shift(skip, -2), _shift(ahead, -2), _NEG_INF)
    return _logsumexp3(ahead, _shift(ahead, -1), jump)


def _lattices(
    log_probs: np.ndarray, ext: np.ndarray, n_states: np.ndarray, lengths: np.ndarray, blank: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """log alpha and log beta, both (T, B, S'), and log p (B,), for a padded batch.

    log_probs (T, B, C); ext (B, S') extended targets padded with blank; n_states (B,) = 2U_b + 1;
    lengths (B,) input lengths. Cells at t >= lengths[b] or s >= n_states[b] hold -inf.
    """
    T, B, _ = log_probs.shape
    S2 = ext.shape[1]
    emit = np.take_along_axis(log_probs, np.broadcast_to(ext[None], (T, B, S2)), axis=2)
    state_ok = np.arange(S2)[None, :] < n_states[:, None]
    emit = np.where(state_ok[None], emit, _NEG_INF)
    skip = skip_allowed(ext, blank)
    log_alpha = np.full((T, B, S2), _NEG_INF)
    log_beta = np.full((T, B, S2), _NEG_INF)
    if T == 0:
        empty = n_states == 1
        return log_alpha, log_beta, np.where(empty & (lengths == 0), 0.0, _NEG_INF)
    # a path starts with a blank or with the first label
    log_alpha[0, :, :2] = emit[0, :, :2]
    for t in range(1, T):
        log_alpha[t] = ctc_alpha_step(log_alpha[t - 1], emit[t], skip)
    # a path ends in the last label or the final blank
    last = np.clip(lengths - 1, 0, None)
    finals = np.zeros((B, S2), dtype=bool)
    rows = np.arange(B)
    finals[rows, n_states - 1] = True
    finals[rows, np.maximum(n_states - 2, 0)] = True
    finals &= (lengths > 0)[:, None]
    end_alpha = log_alpha[last, rows]  # (B, S')
    log_p = np.logaddexp.reduce(np.where(finals, end_alpha, _NEG_INF), axis=1)
    log_p = np.where(lengths == 0, np.where(n_states == 1, 0.0, _NEG_INF), log_p)
    for t in range(T - 1, -1, -1):
        if t < T - 1:
            log_beta[t] = ctc_beta_step(log_beta[t + 1], emit[t + 1], skip)
        at_end = t == last
        log_beta[t] = np.where(at_end[:, None], np.where(finals, 0.0, _NEG_INF), log_beta[t])
        log_beta[t] = np.where((t >= lengths)[:, None], _NEG_INF, log_beta[t])
    log_alpha = np.where((np.arange(T)[:, None] < lengths[None, :])[..., None], log_alpha, _NEG_INF)
    return log_alpha, log_beta, log_p


def _check_int_array(value: object, name: str, ndim: int) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
    if arr.ndim != ndim:
        letters = "(B, S)" if ndim == 2 else "(B,)"
        raise ValueError(f"{name} must have shape {letters}, got {arr.shape}")
    return arr.astype(np.int64)


def _validate(logits, targets, input_lengths, target_lengths, blank):
    x = check_array(logits, "logits", ndim=3)
    T, B, C = x.shape
    if isinstance(blank, bool) or not isinstance(blank, (int, np.integer)) or not 0 <= blank < C:
        raise ValueError(f"blank must be an int in [0, C={C}), got {blank!r}")
    y = _check_int_array(targets, "targets", 2)
    lengths = _check_int_array(input_lengths, "input_lengths", 1)
    t_lengths = _check_int_array(target_lengths, "target_lengths", 1)
    for name, arr in (("targets", y), ("input_lengths", lengths), ("target_lengths", t_lengths)):
        if arr.shape[0] != B:
            raise ValueError(
                f"{name} must have batch size B={B} (logits is (T, B, C) = {x.shape}), "
                f"got {arr.shape[0]}"
            )
    for name, arr, top, letter in (
        ("input_lengths", lengths, T, "T"),
        ("target_lengths", t_lengths, y.shape[1], "S"),
    ):
        if arr.size and arr.min() < 0:
            raise ValueError(f"{name} must be non-negative, got {int(arr.min())}")
        if arr.size and arr.max() > top:
            raise ValueError(f"{name} must be at most {letter}={top}, got {int(arr.max())}")
    real = np.arange(y.shape[1])[None, :] < t_lengths[:, None]
    used = y[real]
    if used.size and (used.min() < 0 or used.max() >= C):
        bad = int(used[(used < 0) | (used >= C)][0])
        raise ValueError(f"targets must be class ids in [0, C={C}), got {bad}")
    if np.any(used == blank):
        raise ValueError(f"targets must never equal blank={blank}, got a target equal to it")
    return x, y, lengths, t_lengths


def ctc_loss(
    logits: np.ndarray,
    targets: np.ndarray,
    input_lengths: np.ndarray,
    target_lengths: np.ndarray,
    *,
    blank: int = 0,
    zero_infinity: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(losses, d_logits)``: -log p(target_b | x_b) per sequence and its gradient.

    Parameters
    ----------
    logits : (T, B, C) float32 or float64
        Unnormalised scores; the log-softmax over C is applied here.
    targets : (B, S) integers
        Padded label sequences; row b's first ``target_lengths[b]`` entries are in [0, C) and
        never ``blank``; the rest is ignored.
    input_lengths, target_lengths : (B,) integers
        Frames of each input (at most T) and labels of each target (at most S).
    blank : int
        The blank's class id.
    zero_infinity : bool
        An infeasible pair (fewer frames than :func:`min_input_length`) has p = 0 and an
        infinite loss; with True its loss and gradient are set to zero, as in torch.

    Returns
    -------
    losses : (B,) in the logits' dtype
        Equal to ``torch.nn.functional.ctc_loss(logits.log_softmax(-1), ..., reduction="none")``.
    d_logits : (T, B, C) in the logits' dtype
        The gradient of ``losses.sum()`` with respect to ``logits``: softmax minus the alignment
        posterior, zero at frames t >= input_lengths[b]. Computed in float64.
    """
    x, y, lengths, t_lengths = _validate(logits, targets, input_lengths, target_lengths, blank)
    T, B, C = x.shape
    log_probs = log_softmax(x.astype(np.float64))
    S = y.shape[1]
    padded = np.where(np.arange(S)[None, :] < t_lengths[:, None], y, blank)
    ext = np.full((B, 2 * S + 1), blank, dtype=np.int64)
    ext[:, 1::2] = padded
    n_states = 2 * t_lengths + 1
    log_alpha, log_beta, log_p = _lattices(log_probs, ext, n_states, lengths, blank)
    gamma = _class_posterior(log_alpha, log_beta, log_p, ext, C)
    probs = np.exp(log_probs)
    valid = (np.arange(T)[:, None] < lengths[None, :])[..., None]
    feasible = np.isfinite(log_p)
    losses = -log_p
    # p = 0 has no gradient (torch gives NaN); zero_infinity drops such pairs instead
    undefined = 0.0 if zero_infinity else np.nan
    grad = np.where(feasible[None, :, None], probs - gamma, undefined)
    grad = np.where(valid, grad, 0.0)
    if zero_infinity:
        losses = np.where(feasible, losses, 0.0)
    return losses.astype(x.dtype), grad.astype(x.dtype)


def _class_posterior(log_alpha, log_beta, log_p, ext, C) -> np.ndarray:
    """(T, B, C): the posterior probability that frame t emits class k, summed over states."""
    _, B, S2 = log_alpha.shape
    safe_p = np.where(np.isfinite(log_p), log_p, 0.0)
    with np.errstate(invalid="ignore"):
        state_post = np.exp(log_alpha + log_beta - safe_p[None, :, None])
    state_post = np.where(np.isfinite(log_p)[None, :, None], state_post, 0.0)
    one_hot = np.zeros((B, S2, C))
    one_hot[np.arange(B)[:, None], np.arange(S2)[None, :], ext] = 1.0
    return np.einsum("tbs,bsc->tbc", state_post, one_hot)


def _single(log_probs: np.ndarray, target: Sequence[int], blank: int):
    lp = check_array(log_probs, "log_probs", ndim=2).astype(np.float64)
    T = lp.shape[0]
    target = np.asarray(target, dtype=np.int64).reshape(1, -1)
    _validate(lp[:, None], target, [T], [target.shape[1]], blank)
    ext = extend_with_blanks(target[0], blank)[None]
    return lp, ext, _lattices(lp[:, None], ext, np.array([ext.shape[1]]), np.array([T]), blank)


def ctc_forward_lattice(
    log_probs: np.ndarray, target: Sequence[int], blank: int = 0
) -> tuple[np.ndarray, float]:
    """The forward lattice of one sequence: ``(log_alpha (T, 2U+1), log p(target | x))``.

    ``log_probs`` is (T, C) and must already be normalised (a log-softmax output).
    """
    _, _, (log_alpha, _, log_p) = _single(log_probs, target, blank)
    return log_alpha[:, 0], float(log_p[0])


def ctc_backward_lattice(
    log_probs: np.ndarray, target: Sequence[int], blank: int = 0
) -> np.ndarray:
    """The backward lattice of one sequence, ``log_beta (T, 2U+1)``: the log-probability of
    frames t+1..T given state s at frame t (the emission at t is not included)."""
    _, _, (_, log_beta, _) = _single(log_probs, target, blank)
    return log_beta[:, 0]


def ctc_alignment_posterior(
    log_probs: np.ndarray, target: Sequence[int], blank: int = 0
) -> np.ndarray:
    """(T, C): the posterior probability, over alignments that collapse to ``target``, that frame
    t emits class k; each row sums to 1. The CTC gradient is the softmax minus this."""
    lp, ext, (log_alpha, log_beta, log_p) = _single(log_probs, target, blank)
    if not np.isfinite(log_p[0]):
        raise ValueError(
            f"target needs at least {min_input_length(ext[0, 1::2])} frames, "
            f"log_probs has T={lp.shape[0]}"
        )
    return _class_posterior(log_alpha, log_beta, log_p, ext, lp.shape[1])[:, 0]
