"""The adding problem: a synthetic long-range memory task for recurrent networks.

Source: Hochreiter & Schmidhuber (1997), "Long short-term memory", Neural Computation 9(8),
Section 5.4 (Experiment 4). Each sequence has two channels: channel 0 holds random values, channel 1
is a marker that is 1 at exactly two time steps and 0 elsewhere. The target is the sum of the two
marked values, read out after the last step, so a model must carry information across up to T
steps.

This module uses the variant of Le, Jaitly & Hinton (2015) and later papers: values are U(0, 1), one
marker falls uniformly in the first half of the sequence and the other uniformly in the second half.
The target is the sum of two independent U(0, 1) variables, whose variance is 2 * 1/12 = 1/6, so a
model that ignores its input and predicts the mean 1 has mean squared error 1/6 (``BASELINE_MSE``).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from rnncore.utils import check_positive_int

__all__ = [
    "BASELINE_MSE",
    "adding_batches",
    "adding_problem",
    "mean_predictor_mse",
    "plateau_exit_step",
]

# Var(U1 + U2) for independent U(0, 1) values: 1/12 + 1/12. The MSE of always predicting E[y] = 1.
BASELINE_MSE = 1.0 / 6.0


def _check_dtype(dtype: object) -> np.dtype:
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"dtype must be a floating-point dtype, got {dt}")
    return dt


def adding_problem(
    n: int,
    T: int,
    seed: int | None = None,
    rng: np.random.Generator | None = None,
    dtype: object = np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` adding-problem sequences of length ``T``.

    Parameters
    ----------
    n : int
        Number of sequences (the batch size B).
    T : int
        Sequence length, at least 2 (one marker per half).
    seed : int, optional
        Seed for a fresh generator; ignored when ``rng`` is given. Same seed, same data.
    rng : numpy.random.Generator, optional
        Generator to draw from (advanced in place), for a stream of fresh batches.
    dtype : float dtype
        dtype of both outputs (float32 by default, torch's default).

    Returns
    -------
    x : (T, B, 2) array
        ``x[:, b, 0]`` are the values in [0, 1), ``x[:, b, 1]`` the 0/1 markers (exactly two ones:
        one in steps ``[0, T//2)``, one in ``[T//2, T)``).
    y : (B,) array
        The sum of the two marked values.
    """
    n = check_positive_int(n, "n")
    T = check_positive_int(T, "T")
    if T < 2:
        raise ValueError(f"T must be at least 2 (one marker per half), got {T}")
    dt = _check_dtype(dtype)
    if rng is None:
        rng = np.random.default_rng(seed)
    elif not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    half = T // 2
    values = rng.random((T, n))
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, T, size=n)
    cols = np.arange(n)
    markers = np.zeros((T, n))
    markers[first, cols] = 1.0
    markers[second, cols] = 1.0
    x = np.stack([values, markers], axis=-1).astype(dt)
    y = (values[first, cols] + values[second, cols]).astype(dt)
    return x, y


def adding_batches(
    batch_size: int, T: int, seed: int = 0, dtype: object = np.float32
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Endless stream of fresh training batches ``(x (T, B, 2), y (B,))`` from one seeded generator.

    Every batch is new data, so the training loss is an unbiased estimate of the test loss.
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    rng = np.random.default_rng(seed)
    while True:
        yield adding_problem(batch_size, T, rng=rng, dtype=dtype)


def mean_predictor_mse(y: np.ndarray) -> float:
    """MSE of the constant prediction 1 (the expected target) on targets ``y: (B,)``.

    Tends to ``BASELINE_MSE = 1/6`` as B grows; the number a model that learnt nothing reaches.
    """
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"y must be a non-empty 1-D array of targets, got shape {y.shape}")
    if y.dtype.kind != "f":
        raise TypeError(f"y must be a floating-point array, got dtype {y.dtype}")
    return float(np.mean((y.astype(np.float64) - 1.0) ** 2))


def plateau_exit_step(losses: np.ndarray, threshold: float = 0.1, window: int = 50) -> int | None:
    """First step (1-based) where the mean of the last ``window`` losses falls below ``threshold``.

    On the adding problem a model sits at the predict-the-mean loss 1/6 and then drops off it
    suddenly; with the default threshold 0.1 this returns the step where that drop happened, or
    ``None`` if it never did. ``losses: (S,)`` per-step training losses (NaN counts as not below).
    """
    losses = np.asarray(losses, dtype=np.float64)
    if losses.ndim != 1:
        raise ValueError(f"losses must be a 1-D array of per-step losses, got shape {losses.shape}")
    window = check_positive_int(window, "window")
    if losses.size < window:
        raise ValueError(f"losses must hold at least window={window} steps, got {losses.size}")
    means = np.convolve(losses, np.ones(window) / window, mode="valid")
    below = np.flatnonzero(means < threshold)  # NaN compares False
    return int(below[0]) + window if below.size else None
