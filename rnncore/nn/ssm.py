"""A diagonal state-space model: zero-order-hold discretisation, recurrent view, convolution view.

The continuous model of one channel reads an input signal u(t) into an N-dimensional state:

    x'(t) = A x(t) + B u(t),        y(t) = Re(C x(t)) + D u(t),

with A diagonal (entries lambda_n, complex, Re lambda_n < 0 for a stable model). Sampling with a
step Delta and holding u constant over each step (zero-order hold) gives the exact discrete map

    x_k = Abar x_{k-1} + Bbar u_k,   Abar = exp(Delta A),   Bbar = (Abar - 1) / A * B,

a linear recurrence with coefficients that do not depend on k or on the input (a linear
time-invariant, LTI, system). Unrolling it from x_0 = 0 gives y_k = sum_j K_j u_{k-j} + D u_k with
the kernel K_j = Re(sum_n C_n Abar_n^j Bbar_n): the same model is a causal convolution, which an
FFT computes in O(T log T) for all k at once. That is how S4 trains.

Sources
-------
- Gu, Goel & Re (2022), "Efficiently modeling long sequences with structured state spaces", ICLR:
  the continuous model, its recurrent and convolutional views (S4 itself discretises with the
  bilinear transform; zero-order hold, used here, is S4D's and Mamba's rule).
- Gu, Gupta, Goel & Re (2022), "On the parameterization and initialization of diagonal state space
  models", NeurIPS (S4D): diagonal A, ZOH discretisation, the kernel as a Vandermonde product,
  and the S4D-Lin (lambda_n = -1/2 + i pi n) and S4D-Real (lambda_n = -(n+1)) initialisations.
  S4D keeps one of each conjugate pair and doubles the real part; here the factor 2 is folded
  into C.

Shapes: T time steps, B batch, H channels (independent single-input single-output SSMs), N state
size per channel. Parameters A, B, C: (H, N) complex; Delta: (H,) positive; D: (H,) real.
"""

from __future__ import annotations

import numpy as np

from rnncore.nn.linear_recurrence import linear_recurrence
from rnncore.utils import check_array, check_finite, check_positive_int, check_shape

__all__ = [
    "causal_conv_fft",
    "discretize_zoh",
    "s4d_init",
    "ssm_convolutional",
    "ssm_kernel",
    "ssm_recurrent",
]


def _complex(value: object, name: str, shape: tuple | None = None) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype.kind not in "fc":
        raise TypeError(f"{name} must be a floating-point or complex array, got dtype {arr.dtype}")
    if shape is not None:
        check_shape(arr, name, shape, "(H, N)")
    check_finite(arr, name)
    return arr.astype(np.complex128)


def s4d_init(
    H: int,
    N: int,
    kind: str = "lin",
    dt_min: float = 1e-3,
    dt_max: float = 1e-1,
    seed: int | None = None,
) -> dict[str, np.ndarray]:
    """Initial parameters of a diagonal SSM in the manner of S4D.

    ``kind="lin"``: lambda_n = -1/2 + i pi n; ``kind="real"``: lambda_n = -(n + 1). B = 1,
    C ~ complex normal with variance 1/2 per part, D ~ normal, Delta log-uniform in
    [dt_min, dt_max]. Returns {"A", "B", "C": (H, N) complex; "dt", "D": (H,)}.
    """
    H = check_positive_int(H, "H")
    N = check_positive_int(N, "N")
    if kind not in ("lin", "real"):
        raise ValueError(f"kind must be 'lin' or 'real', got {kind!r}")
    if not 0 < dt_min <= dt_max:
        raise ValueError(
            f"dt_min and dt_max must satisfy 0 < dt_min <= dt_max, got {dt_min}, {dt_max}"
        )
    rng = np.random.default_rng(seed)
    n = np.arange(N)
    if kind == "lin":
        lam = -0.5 + 1j * np.pi * n
    else:
        lam = -(n + 1.0) + 0j
    A = np.broadcast_to(lam, (H, N)).astype(np.complex128)
    B = np.ones((H, N), dtype=np.complex128)
    C = (rng.standard_normal((H, N)) + 1j * rng.standard_normal((H, N))) * np.sqrt(0.5)
    dt = np.exp(rng.uniform(np.log(dt_min), np.log(dt_max), H))
    D = rng.standard_normal(H)
    return {"A": A, "B": B, "C": C, "dt": dt, "D": D}


def discretize_zoh(A: np.ndarray, B: np.ndarray, dt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Zero-order hold: Abar = exp(Delta A), Bbar = (Abar - 1) / A * B, elementwise.

    A, B: (H, N) complex with Re A < 0 (a stable continuous model, so A is never 0); dt: (H,)
    positive steps Delta. Returns Abar, Bbar: (H, N) complex, |Abar| < 1.
    """
    A = _complex(A, "A")
    if A.ndim != 2:
        raise ValueError(f"A must have shape (H, N), got {A.shape}")
    B = _complex(B, "B", A.shape)
    dt = check_array(dt, "dt", ndim=1)
    check_shape(dt, "dt", (A.shape[0],), "(H,)")
    if np.any(dt <= 0):
        raise ValueError(f"dt must be positive, got minimum {dt.min()!r}")
    if np.any(A.real >= 0):
        raise ValueError("A must have a negative real part everywhere (a stable model)")
    dtA = dt[:, None] * A
    A_bar = np.exp(dtA)
    # (exp(dt A) - 1) / (dt A) * dt B, computed with expm1 for accuracy at small dt A
    B_bar = np.expm1(dtA) / A * B
    return A_bar, B_bar


def ssm_kernel(A_bar: np.ndarray, B_bar: np.ndarray, C: np.ndarray, T: int) -> np.ndarray:
    """The convolution kernel K_j = Re(sum_n C_n Abar_n^j Bbar_n) for j = 0..T-1: (T, H) real.

    A Vandermonde product: the powers Abar^j for all j at once, weighted by C Bbar.
    """
    A_bar = _complex(A_bar, "A_bar")
    if A_bar.ndim != 2:
        raise ValueError(f"A_bar must have shape (H, N), got {A_bar.shape}")
    B_bar = _complex(B_bar, "B_bar", A_bar.shape)
    C = _complex(C, "C", A_bar.shape)
    T = check_positive_int(T, "T")
    powers = A_bar[None] ** np.arange(T)[:, None, None]  # (T, H, N): Abar^j
    return np.einsum("thn,hn->th", powers, C * B_bar).real


def causal_conv_fft(u: np.ndarray, K: np.ndarray) -> np.ndarray:
    """y_k = sum_{j=0}^{k} K_j u_{k-j} for every k, by FFT: u (T, B, H), K (T, H) -> (T, B, H).

    Zero-padding both signals to length 2T makes the FFT's circular convolution equal the linear
    one on the first T outputs, so no output wraps around to read the future.
    """
    u = check_array(u, "u", ndim=3)
    K = check_array(K, "K", ndim=2)
    check_shape(K, "K", (u.shape[0], u.shape[2]), "(T, H)")
    T = u.shape[0]
    n = 2 * T
    spectrum = np.fft.rfft(u, n=n, axis=0) * np.fft.rfft(K, n=n, axis=0)[:, None, :]
    return np.fft.irfft(spectrum, n=n, axis=0)[:T]


def ssm_recurrent(
    u: np.ndarray,
    A_bar: np.ndarray,
    B_bar: np.ndarray,
    C: np.ndarray,
    D: np.ndarray | None = None,
    *,
    method: str = "parallel",
    return_state: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Run the discrete SSM as a recurrence: x_k = Abar x_{k-1} + Bbar u_k, y_k = Re(C x_k) + D u_k.

    u: (T, B, H) real; Abar, Bbar, C: (H, N) complex; D: (H,) or None. The H N state numbers
    evolve independently, so :func:`linear_recurrence` runs them all as one (T, B, H N) scan.
    Returns y: (T, B, H) (and the states x: (T, B, H, N) with ``return_state``).
    """
    u = check_array(u, "u", ndim=3)
    A_bar = _complex(A_bar, "A_bar")
    if A_bar.ndim != 2 or A_bar.shape[0] != u.shape[2]:
        raise ValueError(f"A_bar must have shape (H, N) with H={u.shape[2]}, got {A_bar.shape}")
    B_bar = _complex(B_bar, "B_bar", A_bar.shape)
    C = _complex(C, "C", A_bar.shape)
    T, Bsz, H = u.shape
    N = A_bar.shape[1]
    a = np.broadcast_to(A_bar.reshape(1, 1, H * N), (T, Bsz, H * N))
    b = (u[..., None] * B_bar).reshape(T, Bsz, H * N)
    x = linear_recurrence(a, b, method=method).reshape(T, Bsz, H, N)
    y = np.einsum("tbhn,hn->tbh", x, C).real
    if D is not None:
        D = check_array(D, "D", ndim=1)
        check_shape(D, "D", (H,), "(H,)")
        y = y + D * u
    return (y, x) if return_state else y


def ssm_convolutional(
    u: np.ndarray, A_bar: np.ndarray, B_bar: np.ndarray, C: np.ndarray, D: np.ndarray | None = None
) -> np.ndarray:
    """The same outputs as :func:`ssm_recurrent`, as one causal convolution with the SSM kernel.

    u: (T, B, H) real; returns y: (T, B, H). No state is ever formed: the kernel (T, H) carries
    the model, which is only possible because Abar, Bbar and C are the same at every step.
    """
    u = check_array(u, "u", ndim=3)
    K = ssm_kernel(A_bar, B_bar, C, u.shape[0])
    if K.shape[1] != u.shape[2]:
        raise ValueError(f"A_bar must have shape (H, N) with H={u.shape[2]}, got H={K.shape[1]}")
    y = causal_conv_fft(u, K)
    if D is not None:
        D = check_array(D, "D", ndim=1)
        check_shape(D, "D", (u.shape[2],), "(H,)")
        y = y + D * u
    return y
