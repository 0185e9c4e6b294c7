"""The rounds of a parallel prefix scan, drawn: which earlier step each position combines with.

After round r (offset 2^(r-1)), position t holds the composition of steps max(1, t - 2^r + 1) .. t;
after ceil(log2 T) rounds every position holds all the steps from the first, which is the loop's
answer. The offsets are those of :func:`rnncore.nn.linear_recurrence.scan_rounds` (Hillis & Steele,
1986, "Data parallel algorithms", CACM 29(12)).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from rnncore.nn.linear_recurrence import scan_rounds
from rnncore.viz import OKABE_ITO

__all__ = ["plot_scan_rounds"]


def plot_scan_rounds(T: int = 8, ax: Axes | None = None) -> Axes:
    """Draw the scan over T steps (2 <= T <= 32): one row per round, an arrow per combine.

    Row 0 holds the inputs (a_t, b_t); in row r each position t >= k (k = 2^(r-1)) receives an
    arrow from position t - k of the row above, and is labelled with the first step it covers.
    """
    if isinstance(T, bool) or not isinstance(T, int) or not 2 <= T <= 32:
        raise ValueError(f"T must be an int in [2, 32], got {T!r}")
    offsets = scan_rounds(T)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 1.0 + 0.9 * len(offsets)))
    first = list(range(1, T + 1))  # first step covered by position t (1-based)
    for t in range(T):
        ax.plot(t + 1, 0, "o", color=OKABE_ITO[7], ms=6)
    for r, k in enumerate(offsets, start=1):
        colour = OKABE_ITO[(r - 1) % 6]
        first = [first[t] if t < k else first[t - k] for t in range(T)]
        for t in range(T):
            # every position keeps its own block (grey) and, from t >= k, combines (arrow)
            ax.plot([t + 1, t + 1], [-r + 1, -r], color="0.85", lw=0.8, zorder=0)
            if t >= k:
                ax.annotate(
                    "",
                    xy=(t + 1, -r),
                    xytext=(t + 1 - k, -r + 1),
                    arrowprops={"arrowstyle": "->", "color": colour, "lw": 1.0},
                )
            ax.plot(t + 1, -r, "o", color=colour, ms=6)
        ax.text(T + 0.6, -r, f"offset {k}", va="center", fontsize=8, color=colour)
    done = all(f == 1 for f in first)
    ax.set_yticks(
        [-r for r in range(len(offsets) + 1)],
        ["inputs"] + [f"round {r}" for r in range(1, len(offsets) + 1)],
    )
    ax.set_xticks(range(1, T + 1))
    ax.set_xlim(0.5, T + 2.2)
    ax.set_xlabel("position t (step of the sequence)")
    ax.set_title(
        f"Parallel scan over T = {T}: {len(offsets)} rounds"
        + (", then every position holds h_t" if done else "")
    )
    ax.grid(False)
    return ax
