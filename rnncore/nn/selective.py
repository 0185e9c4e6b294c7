"""A minimal selective state-space model in the manner of Mamba's S6: Delta, B and C read the input.

For each of the D channels and N state units, with A = -exp(A_log) real and negative:

    Delta_t = softplus(W_delta x_t + b_delta)   (D,)  how far to advance: ignore (0) or write
    B_t = W_B x_t,  C_t = W_C x_t               (N,)  where to write, what to read (all channels)
    h_t[d, n] = exp(Delta_t[d] A[d, n]) h_{t-1}[d, n] + Delta_t[d] B_t[n] x_t[d]
    y_t[d] = sum_n C_t[n] h_t[d, n] + D[d] x_t[d]

The decay exp(Delta_t A) is the zero-order hold of A with a step that depends on the input; the
input term uses the simpler Euler step Delta_t B_t, as Mamba's reference implementation does (the
paper's Eq. 4 writes the zero-order hold for B too; its authors say the change does not affect
results). A
small Delta_t leaves the state untouched (decay near 1, nothing written): the token is skipped; a
large one overwrites the state with the current token. Because the coefficients change with t, the
model is no longer a convolution: there is no single kernel, and it must be computed as a
recurrence (here :func:`linear_recurrence`, a parallel scan).

Source
------
Gu & Dao (2023), "Mamba: linear-time sequence modeling with selective state spaces",
arXiv:2312.00752 (COLM 2024): Algorithm 2 (S6: s_B, s_C linear in x,
Delta = softplus(parameter + s_Delta(x))), the S4D-Real initialisation A[d, n] = -(n + 1)
(Sec. 3.6), and the selective copying task as the motivation (Sec. 3.1, Fig. 2; experiments in
Sec. 4.1.1). Mamba's s_Delta is a rank-1 or low-rank projection (Sec. 3.6); here it is a full
D x D matrix (the chapter's models are small).

Shapes: T time steps, B batch, D channels, N state units per channel.
"""

from __future__ import annotations

import numpy as np

from rnncore.nn.linear_recurrence import linear_recurrence
from rnncore.nn.params import check_params
from rnncore.utils import check_array, check_positive_int, check_shape

__all__ = ["S6_PARAMS", "s6_init", "selective_scan", "selective_ssm", "softplus"]

#: parameter names and their shapes, in terms of D (channels) and N (state units)
S6_PARAMS = {
    "W_delta": ("D", "D"),
    "b_delta": ("D",),
    "W_B": ("N", "D"),
    "W_C": ("N", "D"),
    "A_log": ("D", "N"),
    "D": ("D",),
}


def softplus(z: np.ndarray) -> np.ndarray:
    """log(1 + exp(z)), computed without overflow for large z."""
    return np.logaddexp(0.0, z)


def s6_init(
    D: int, N: int, dt_min: float = 1e-3, dt_max: float = 1e-1, seed: int | None = None
) -> dict[str, np.ndarray]:
    """Initial parameters: S4D-Real A = -(n + 1), b_delta such that softplus(b_delta) is
    log-uniform in [dt_min, dt_max], weights with variance 1/D. Returns :data:`S6_PARAMS`."""
    D = check_positive_int(D, "D")
    N = check_positive_int(N, "N")
    if not 0 < dt_min <= dt_max:
        raise ValueError(
            f"dt_min and dt_max must satisfy 0 < dt_min <= dt_max, got {dt_min}, {dt_max}"
        )
    rng = np.random.default_rng(seed)
    dt = np.exp(rng.uniform(np.log(dt_min), np.log(dt_max), D))
    return {
        "W_delta": rng.standard_normal((D, D)) / np.sqrt(D),
        "b_delta": dt + np.log(-np.expm1(-dt)),  # the inverse of softplus at dt
        "W_B": rng.standard_normal((N, D)) / np.sqrt(D),
        "W_C": rng.standard_normal((N, D)) / np.sqrt(D),
        "A_log": np.log(np.broadcast_to(np.arange(1.0, N + 1), (D, N)).copy()),
        "D": np.ones(D),
    }


def selective_scan(
    x: np.ndarray,
    delta: np.ndarray,
    A: np.ndarray,
    B: np.ndarray,
    C: np.ndarray,
    D: np.ndarray | None = None,
    *,
    method: str = "parallel",
    return_state: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """The selective scan: a linear recurrence whose decay and input change at every step.

    x, delta: (T, B, D) with delta > 0; A: (D, N) real, negative; B, C: (T, B, N); D: (D,) or
    None. Returns y: (T, B, D) (and the states h: (T, B, D, N) with ``return_state``).
    """
    x = check_array(x, "x", ndim=3)
    T, Bsz, Dch = x.shape
    delta = check_array(delta, "delta", ndim=3)
    check_shape(delta, "delta", x.shape, "(T, B, D) like x")
    if np.any(delta <= 0):
        raise ValueError(f"delta must be positive, got minimum {delta.min()!r}")
    A = check_array(A, "A", ndim=2)
    if A.shape[0] != Dch:
        raise ValueError(f"A must have shape (D, N) with D={Dch}, got {A.shape}")
    if np.any(A >= 0):
        raise ValueError("A must be negative everywhere (a decaying state)")
    N = A.shape[1]
    B = check_array(B, "B", ndim=3)
    check_shape(B, "B", (T, Bsz, N), "(T, B, N)")
    C = check_array(C, "C", ndim=3)
    check_shape(C, "C", (T, Bsz, N), "(T, B, N)")
    decay = np.exp(delta[..., None] * A)  # (T, B, D, N): exp(Delta_t A), in (0, 1)
    write = (delta * x)[..., None] * B[:, :, None, :]  # (T, B, D, N): Delta_t B_t x_t
    h = linear_recurrence(
        decay.reshape(T, Bsz, Dch * N), write.reshape(T, Bsz, Dch * N), method=method
    ).reshape(T, Bsz, Dch, N)
    y = np.einsum("tbdn,tbn->tbd", h, C)
    if D is not None:
        D = check_array(D, "D", ndim=1)
        check_shape(D, "D", (Dch,), "(D,)")
        y = y + D * x
    return (y, h) if return_state else y


def selective_ssm(
    x: np.ndarray, params: dict[str, np.ndarray], *, method: str = "parallel"
) -> np.ndarray:
    """S6 over a sequence: compute Delta, B, C from x, then :func:`selective_scan`.

    x: (T, B, D) real; params: the arrays of :data:`S6_PARAMS`. Returns y: (T, B, D).
    """
    x = check_array(x, "x", ndim=3)
    if not isinstance(params, dict) or "A_log" not in params:
        check_params(params, S6_PARAMS, {"D": x.shape[2], "N": 0})
    N = np.asarray(params["A_log"]).shape[-1]
    check_params(params, S6_PARAMS, {"D": x.shape[2], "N": N})
    delta = softplus(x @ params["W_delta"].T + params["b_delta"])
    B = x @ params["W_B"].T
    C = x @ params["W_C"].T
    A = -np.exp(params["A_log"])
    return selective_scan(x, delta, A, B, C, params["D"], method=method)
