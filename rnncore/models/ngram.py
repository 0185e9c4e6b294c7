"""Character n-gram language models with interpolated smoothing: the baseline an RNN must beat.

An order-n model predicts a character from the n-1 characters before it. Raw counts give probability
0 to anything unseen, so the counts are smoothed by *interpolated absolute discounting* (Ney, Essen
& Kneser, 1994, "On structuring probabilistic dependences in stochastic language modelling"):
a fixed discount D is subtracted from every seen count and the mass freed is handed to the
order-(k-1) model,

    p_k(w | h) = max(c(h w) - D, 0) / c(h) + D * N1+(h .) / c(h) * p_{k-1}(w | h'),

where h' drops the oldest character of h, c(h) sums c(h w) over w and N1+(h .) counts the distinct
characters seen after h; an unseen context falls through to p_{k-1}, and p_0 is uniform over V.
*Kneser-Ney* (Kneser & Ney, 1995; interpolated form of Chen & Goodman, 1999, "An empirical study of
smoothing techniques for language modeling") uses the same recursion but replaces the counts
of every lower order by continuation counts N1+(. h w), the number of distinct characters that
precede h w: a lower order is consulted when the longer context is rare, so it should model how many
contexts a string completes, not how often it occurs.

Counting is vectorised: a k-gram of ids is coded as one integer in base V, counted with
``np.unique`` and looked up with ``np.searchsorted``. Shapes: ids (N,), histories (M, n-1), V
characters.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rnncore.utils import check_positive_int

__all__ = ["NGramLM", "tune_discount"]

METHODS = ("kneser-ney", "absolute")


def _ids(ids: object, vocab_size: int, name: str = "ids") -> np.ndarray:
    arr = np.asarray(ids)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise TypeError(
            f"{name} must be a 1-D integer array of shape (N,), got {arr.dtype} {arr.shape}"
        )
    arr = arr.astype(np.int64, copy=False)
    if arr.size and (arr.min() < 0 or arr.max() >= vocab_size):
        raise ValueError(f"{name} must hold ids in [0, {vocab_size}), got values up to {arr.max()}")
    return arr


def _codes(windows: np.ndarray, V: int) -> np.ndarray:
    """Code each row of ``windows`` (M, k) as one base-V integer, oldest character first."""
    code = np.zeros(len(windows), dtype=np.int64)
    for j in range(windows.shape[1]):
        code = code * V + windows[:, j]
    return code


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``values`` at the positions of ``query`` in the sorted ``keys``; 0 where absent."""
    if len(keys) == 0:
        return np.zeros(len(query), dtype=values.dtype)
    pos = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return np.where(keys[pos] == query, values[pos], 0)


class NGramLM:
    """An order-n character model smoothed by interpolated Kneser-Ney or absolute discounting.

    Parameters
    ----------
    order : int
        n: the model conditions on n-1 previous characters (order 1 is a unigram model).
    discount : float
        D in (0, 1), subtracted from every seen count (tune it on held-out text:
        :func:`tune_discount`).
    method : {"kneser-ney", "absolute"}
        Continuation counts for the lower orders (Kneser-Ney) or raw counts at every order.
    """

    def __init__(self, order: int, discount: float = 0.75, method: str = "kneser-ney") -> None:
        self.order = check_positive_int(order, "order")
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        self.method = method
        self.discount = discount
        self.V: int | None = None
        self.tables: list[dict[str, np.ndarray]] = []

    @property
    def discount(self) -> float:
        return self._discount

    @discount.setter
    def discount(self, value: float) -> None:
        if not 0.0 < float(value) < 1.0:
            raise ValueError(f"discount must be in (0, 1), got {value!r}")
        self._discount = float(value)

    def fit(self, ids: np.ndarray, vocab_size: int) -> NGramLM:
        """Count the k-grams of ``ids`` (N,) for every k = 1..n; returns ``self``."""
        V = check_positive_int(vocab_size, "vocab_size")
        if V**self.order >= 2**62:
            raise ValueError(f"order={self.order} with V={V} overflows the int64 k-gram codes")
        arr = _ids(ids, V)
        if len(arr) < self.order:
            raise ValueError(
                f"ids must hold at least order={self.order} characters, got {len(arr)}"
            )
        self.V, self.tables = V, []
        windows = np.lib.stride_tricks.sliding_window_view(arr, self.order)  # (N-n+1, n)
        for k in range(1, self.order + 1):
            # every k-gram of the text: windows' last k columns, plus the k-grams inside the first
            # window
            grams = windows[:, self.order - k :]
            if k < self.order:
                head = np.lib.stride_tricks.sliding_window_view(arr[: self.order - 1], k)
                grams = np.concatenate([head, grams])
            codes, counts = np.unique(_codes(grams, V), return_counts=True)
            if self.method == "kneser-ney" and k < self.order:
                longer = np.unique(_codes(np.lib.stride_tricks.sliding_window_view(arr, k + 1), V))
                codes, counts = np.unique(longer % V**k, return_counts=True)  # N1+(. h w)
            ctx, first = np.unique(codes // V, return_index=True)
            self.tables.append(
                {
                    "codes": codes,
                    "counts": counts.astype(np.float64),
                    "ctx": ctx,
                    "ctx_total": np.add.reduceat(counts, first).astype(np.float64),
                    "ctx_types": np.diff(np.append(first, len(codes))).astype(np.float64),
                }
            )
        return self

    def _check_fitted(self) -> int:
        if self.V is None:
            raise RuntimeError("the model is not fitted: call fit(ids, vocab_size) first")
        return self.V

    def prob(self, history: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Return p(target | history) per row: history (M, n-1) ids, -1 before the text began."""
        V = self._check_fitted()
        n = self.order
        hist = np.asarray(history, dtype=np.int64).reshape(len(targets), n - 1)
        w = _ids(targets, V, "targets")
        D = self.discount
        p = np.full(len(w), 1.0 / V)
        for k, table in enumerate(self.tables, start=1):
            h = hist[:, n - k :] if k > 1 else hist[:, :0]
            valid = (h >= 0).all(axis=1)
            ctx = _codes(np.where(h >= 0, h, 0), V)
            total = _lookup(table["ctx"], table["ctx_total"], ctx)
            types = _lookup(table["ctx"], table["ctx_types"], ctx)
            count = _lookup(table["codes"], table["counts"], ctx * V + w)
            seen = valid & (total > 0)
            safe = np.where(seen, total, 1.0)
            p_k = np.maximum(count - D, 0.0) / safe + D * types / safe * p
            p = np.where(seen, p_k, p)
        return p

    def histories(self, ids: np.ndarray) -> np.ndarray:
        """The (N-1, n-1) histories of the targets ``ids[1:]``, padded with -1 before the start."""
        arr = _ids(ids, self._check_fitted())
        padded = np.concatenate([np.full(self.order - 1, -1, dtype=np.int64), arr])
        return np.lib.stride_tricks.sliding_window_view(padded[:-1], self.order - 1)[1:]

    def cross_entropy(self, ids: np.ndarray) -> float:
        """Mean negative log-probability (nats) of ``ids[1:]``, each given all that precedes it."""
        arr = _ids(ids, self._check_fitted())
        if len(arr) < 2:
            raise ValueError(f"ids must hold at least 2 characters, got {len(arr)}")
        return float(-np.log(self.prob(self.histories(arr), arr[1:])).mean())

    def next_distribution(self, context: Sequence[int] | np.ndarray) -> np.ndarray:
        """The distribution (V,) of the character after ``context`` (uses its last n-1 ids)."""
        V = self._check_fitted()
        ctx = _ids(np.asarray(context, dtype=np.int64), V, "context")
        keep = min(len(ctx), self.order - 1)
        hist = np.full(self.order - 1, -1, dtype=np.int64)
        hist[self.order - 1 - keep :] = ctx[len(ctx) - keep :]
        return self.prob(np.repeat(hist[None, :], V, axis=0), np.arange(V))


def tune_discount(
    fit_ids: np.ndarray,
    tune_ids: np.ndarray,
    vocab_size: int,
    order: int,
    grid: Sequence[float] = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95),
    method: str = "kneser-ney",
) -> tuple[float, dict[float, float]]:
    """Pick the discount with the lowest cross-entropy on ``tune_ids``, fitting on ``fit_ids``.

    Returns ``(best_discount, {discount: nats})``. Tune on held-out *training* text, never on the
    validation text the model is finally scored on.
    """
    model = NGramLM(order, grid[0], method).fit(fit_ids, vocab_size)
    scores = {}
    for D in grid:
        model.discount = D
        scores[float(D)] = model.cross_entropy(tune_ids)
    return min(scores, key=scores.get), scores
