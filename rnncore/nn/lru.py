"""The Linear Recurrent Unit (LRU): a complex diagonal linear recurrence, stably parametrised.

    h_t = lambda * h_{t-1} + gamma * (B x_t),        y_t = Re(C h_t) + D * x_t

with one complex eigenvalue lambda_j per state unit. The parametrisation keeps every eigenvalue
inside the unit disc whatever the trained values: lambda_j = exp(-exp(nu_j) + i exp(theta_j))
has modulus exp(-exp(nu_j)) < 1 and phase exp(theta_j). The normalisation gamma_j, initialised
to sqrt(1 - |lambda_j|^2) and then trained, keeps the state's variance near the input's when
|lambda_j| is close to 1 (a white-noise input of unit variance gives a state of variance
|gamma_j|^2 / (1 - |lambda_j|^2) = 1).

The coefficients do not depend on the input: the LRU is linear and time-invariant, like S4D, but
written directly as a discrete recurrence (no continuous model, no discretisation step).

Source
------
Orvieto, Smith, Gu, Fernando, Gulcehre, Pascanu & De (2023), "Resurrecting recurrent neural
networks for long sequences", ICML: the exponential parametrisation of lambda, the ring
initialisation (|lambda| uniform on the ring r_min <= |lambda| <= r_max by area, phase uniform in
[0, max_phase]), the normalisation gamma (kept as a trained log gamma), B and C complex with
Glorot-like scale, D real.

Shapes: T time steps, B batch, D features in and out, N state units.
"""

from __future__ import annotations

import numpy as np

from rnncore.nn.linear_recurrence import linear_recurrence
from rnncore.nn.params import check_params
from rnncore.utils import check_array, check_positive_int, check_shape

__all__ = ["LRU_PARAMS", "lru_eigenvalues", "lru_forward", "lru_init"]

#: parameter names and their shapes, in terms of D (features) and N (state units)
LRU_PARAMS = {
    "nu_log": ("N",),
    "theta_log": ("N",),
    "gamma_log": ("N",),
    "B": ("N", "D"),
    "C": ("D", "N"),
    "D": ("D",),
}


def lru_init(
    D: int,
    N: int,
    r_min: float = 0.0,
    r_max: float = 1.0,
    max_phase: float = 2 * np.pi,
    seed: int | None = None,
) -> dict[str, np.ndarray]:
    """Initial LRU parameters: eigenvalues uniform on a ring of the unit disc.

    ``r_min``, ``r_max``: the ring 0 <= r_min < r_max < = 1 of moduli; ``max_phase``: phases drawn
    in [0, max_phase]. Returns the arrays of :data:`LRU_PARAMS` (B and C complex128).
    """
    D = check_positive_int(D, "D")
    N = check_positive_int(N, "N")
    if not 0.0 <= r_min < r_max <= 1.0:
        raise ValueError(
            f"r_min and r_max must satisfy 0 <= r_min < r_max <= 1, got {r_min}, {r_max}"
        )
    if not 0.0 < max_phase <= 2 * np.pi:
        raise ValueError(f"max_phase must be in (0, 2 pi], got {max_phase}")
    rng = np.random.default_rng(seed)
    u1, u2 = rng.uniform(size=N), rng.uniform(size=N)
    # |lambda|^2 uniform in [r_min^2, r_max^2] puts the eigenvalues uniformly on the ring's area
    modulus_sq = u1 * (r_max**2 - r_min**2) + r_min**2
    modulus_sq = np.clip(modulus_sq, 1e-12, 1 - 1e-12)
    nu_log = np.log(-0.5 * np.log(modulus_sq))  # exp(-exp(nu)) = |lambda|
    theta_log = np.log(np.maximum(max_phase * u2, 1e-12))
    lam = np.exp(-np.exp(nu_log) + 1j * np.exp(theta_log))
    gamma_log = np.log(np.sqrt(1 - np.abs(lam) ** 2))
    B = (rng.standard_normal((N, D)) + 1j * rng.standard_normal((N, D))) / np.sqrt(2 * D)
    C = (rng.standard_normal((D, N)) + 1j * rng.standard_normal((D, N))) / np.sqrt(N)
    Dskip = rng.standard_normal(D)
    return {
        "nu_log": nu_log,
        "theta_log": theta_log,
        "gamma_log": gamma_log,
        "B": B,
        "C": C,
        "D": Dskip,
    }


def lru_eigenvalues(nu_log: np.ndarray, theta_log: np.ndarray) -> np.ndarray:
    """lambda = exp(-exp(nu_log) + i exp(theta_log)): (N,) complex, always |lambda| < 1."""
    nu_log = check_array(nu_log, "nu_log", ndim=1)
    theta_log = check_array(theta_log, "theta_log", ndim=1)
    check_shape(theta_log, "theta_log", nu_log.shape, "(N,) like nu_log")
    return np.exp(-np.exp(nu_log) + 1j * np.exp(theta_log))


def _check_params(params: dict, D: int) -> int:
    if not isinstance(params, dict) or "nu_log" not in params:
        check_params(params, LRU_PARAMS, {"N": 0, "D": D})
    N = np.asarray(params["nu_log"]).shape[0]
    check_params(params, LRU_PARAMS, {"N": N, "D": D})
    return N


def lru_forward(
    x: np.ndarray,
    params: dict[str, np.ndarray],
    *,
    method: str = "parallel",
    return_state: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Run the LRU over a sequence: x (T, B, D) real -> y (T, B, D) real.

    The input projection gamma * (B x_t) is computed for all t first; the recurrence is then one
    :func:`linear_recurrence` with the constant decay lambda. With ``return_state`` also returns
    the complex states h: (T, B, N).
    """
    x = check_array(x, "x", ndim=3)
    T, Bsz, D = x.shape
    N = _check_params(params, D)
    lam = lru_eigenvalues(params["nu_log"], params["theta_log"])
    gamma = np.exp(check_array(params["gamma_log"], "params['gamma_log']", ndim=1))
    bu = gamma * np.einsum("tbd,nd->tbn", x, params["B"])  # (T, B, N) complex
    h = linear_recurrence(np.broadcast_to(lam, (T, Bsz, N)), bu, method=method)
    y = np.einsum("tbn,dn->tbd", h, params["C"]).real + params["D"] * x
    return (y, h) if return_state else y
