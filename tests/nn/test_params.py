"""check_params: every parameter present with the shape its table says, or an error naming it."""

from __future__ import annotations

import numpy as np
import pytest

from rnncore.nn.params import check_params

TABLE = {"B": ("N", "D"), "D": ("D",)}


def test_accepts_matching_shapes() -> None:
    check_params({"B": np.ones((3, 2)), "D": np.ones(2)}, TABLE, {"N": 3, "D": 2})


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ([1, 2], TypeError, "params must be a dict"),
        ({"B": np.ones((3, 2))}, ValueError, "missing \\['D'\\]"),
        ({"B": np.ones((2, 3)), "D": np.ones(2)}, ValueError, "params\\['B'\\] must have shape"),
    ],
)
def test_rejects_bad_params(params: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        check_params(params, TABLE, {"N": 3, "D": 2})
