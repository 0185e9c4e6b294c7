"""How many key-value pairs a fixed-size state can recall: an associative memory, measured.

Store n pairs (k_i, v_i) and then ask for v_i given k_i. Two memories:

- **a fixed-size state** (linear attention read as an RNN, with identity features and no decay):
  S = sum_i k_i v_i^T, d_k x d_v numbers whatever n; the answer is S^T q = sum_i (k_i . q) v_i.
  With q = k_j the wanted term is |k_j|^2 v_j, and every other pair adds crosstalk (k_i . k_j) v_i.
  Random keys in d_k dimensions are nearly orthogonal only while n is small next to d_k: beyond
  that the crosstalk swamps the signal and recall fails, at a rate set by d_k;
- **a cache** (softmax attention over the n stored keys): it keeps all 2n vectors, so nothing
  interferes, and a sharp softmax returns v_j for any n, at a memory cost that grows with n.

Values are one-hot codes of V classes, so d_v = V and the answer is the argmax.

Sources: Katharopoulos et al. (2020), ICML (the state S as a sum of outer products); Arora et al.
(2024), "Zoology", ICLR (associative recall as the probe of a recurrent model's memory).

Shapes: n pairs, d_k key features, V value classes (d_v = V), m queries.
"""

from __future__ import annotations

import numpy as np

from rnncore.nn.linear_attention import linear_attention_recurrent
from rnncore.utils import check_positive_int

__all__ = ["KINDS", "recall_accuracy", "state_numbers"]

KINDS = ("state", "cache")


def state_numbers(kind: str, n_pairs: int, d_key: int, n_values: int) -> int:
    """Numbers the memory holds after n pairs: d_k V for the state, n (d_k + V) for the cache."""
    n = check_positive_int(n_pairs, "n_pairs")
    d = check_positive_int(d_key, "d_key")
    V = check_positive_int(n_values, "n_values")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    return d * V if kind == "state" else n * (d + V)


def recall_accuracy(
    kind: str,
    n_pairs: int,
    d_key: int,
    n_values: int = 16,
    trials: int = 64,
    seed: int | None = None,
) -> float:
    """Fraction of the stored pairs recalled correctly, over ``trials`` random memories.

    Keys: n random unit vectors in d_k dimensions (a fresh draw per trial); values: random classes
    among V. Every stored key is queried once. ``kind="state"`` writes the pairs into the
    d_k x V state by :func:`rnncore.nn.linear_attention.linear_attention_recurrent` (identity
    features, no normaliser) and reads with the last query step; ``kind="cache"`` runs softmax
    attention over the stored keys with temperature 1/100.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    n = check_positive_int(n_pairs, "n_pairs")
    d = check_positive_int(d_key, "d_key")
    V = check_positive_int(n_values, "n_values")
    trials = check_positive_int(trials, "trials")
    rng = np.random.default_rng(seed)
    keys = rng.standard_normal((n, trials, d))
    keys /= np.linalg.norm(keys, axis=-1, keepdims=True)
    labels = rng.integers(0, V, size=(n, trials))
    values = np.eye(V)[labels]  # (n, trials, V) one-hot
    if kind == "state":
        # write all n pairs, then read S^T q for every stored key q: the state is all that's kept
        _, (S, _) = linear_attention_recurrent(
            keys, keys, values, feature="identity", normalize=False, return_state=True
        )
        answers = np.einsum("ntd,tdv->ntv", keys, S)
    else:
        scores = 100.0 * np.einsum("qtd,ntd->tqn", keys, keys)
        weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
        weights /= weights.sum(axis=-1, keepdims=True)
        answers = np.einsum("tqn,ntv->qtv", weights, values)
    return float(np.mean(answers.argmax(axis=-1) == labels))
