"""Where the training loop's batches come from: a function of the step index, or an iterable.

:func:`~rnncore.training.loop.train` asks for the batch of step ``i`` (0-based) as
``get_batch(i)``. The best source is a function of ``i``, e.g. ``lambda i: data[i % n]`` or one
seeded by ``i``: a run resumed at step ``start`` then sees exactly the batches the uninterrupted run
saw, without replaying anything. An iterable (a list, a generator, a ``DataLoader``) also works;
on resume its first ``start`` items are drawn and dropped, which repeats the uninterrupted run only
if the iterable yields the same items again without drawing random numbers (the random states are
restored before the skipping; a shuffling ``DataLoader`` draws a seed when it starts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["batch_source"]


def batch_source(batches: Callable[[int], Any] | Iterable[Any], start: int) -> Callable[[int], Any]:
    """Turn ``batches`` into a function of the 0-based step index that starts at step ``start``.

    A function is returned as it is (it needs no skipping: step ``i`` asks for batch ``i``). An
    iterable is read in order, its first ``start`` items skipped; running out raises ``ValueError``
    naming the 1-based step that found it empty.
    """
    if callable(batches) and not hasattr(batches, "__next__"):
        return batches
    if not isinstance(batches, Iterable):
        raise TypeError(
            "batches must be a function of the step index or an iterable, "
            f"got {type(batches).__name__}"
        )
    iterator = iter(batches)

    def skip_then_next(i: int) -> Any:
        try:
            return next(iterator)
        except StopIteration:
            raise ValueError(
                f"batches ran out at step {i + 1}; give more batches or fewer steps"
            ) from None

    for i in range(start):
        skip_then_next(i)
    return skip_then_next
