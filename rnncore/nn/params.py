"""Check a dict of parameter arrays against a table of named shapes (one place for every layer).

A layer's table maps each parameter name to its shape in letters, e.g. ``{"B": ("N", "D")}``;
:func:`check_params` resolves the letters with the sizes given and raises, naming the parameter,
the expected and the received shape, at the first mismatch.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["check_params"]


def check_params(
    params: object, table: Mapping[str, tuple[str, ...]], sizes: Mapping[str, int]
) -> None:
    """Raise unless ``params`` is a dict holding every name of ``table`` with the shape it says."""
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    missing = sorted(set(table) - set(params))
    if missing:
        raise ValueError(f"params must hold {sorted(table)}, missing {missing}")
    for name, letters in table.items():
        want = tuple(sizes[s] for s in letters)
        got = np.asarray(params[name]).shape
        if got != want:
            raise ValueError(
                f"params[{name!r}] must have shape ({', '.join(letters)}) = {want}, got {got}"
            )
