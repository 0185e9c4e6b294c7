"""rnncore.training.batches: a function of the step index or an iterable, skipped on resume."""

from __future__ import annotations

import pytest

from rnncore.training.batches import batch_source


def test_a_function_is_used_as_it_is() -> None:
    def batches(i: int) -> int:
        return 10 * i

    assert batch_source(batches, start=5) is batches


def test_an_iterable_is_read_in_order_after_skipping_the_steps_done() -> None:
    get = batch_source(iter(range(100, 110)), start=3)
    assert [get(i) for i in range(3, 6)] == [103, 104, 105]
    get = batch_source([1, 2, 3], start=0)  # a list is an iterable, not a function
    assert [get(i) for i in range(3)] == [1, 2, 3]


def test_running_out_names_the_step() -> None:
    get = batch_source([1, 2], start=1)
    assert get(1) == 2
    with pytest.raises(ValueError, match="batches ran out at step 3"):
        get(2)
    with pytest.raises(ValueError, match="batches ran out at step 3"):
        batch_source([1, 2], start=3)  # a resume beyond the iterable fails at once


def test_anything_else_is_refused() -> None:
    with pytest.raises(TypeError, match="batches must be a function of the step index"):
        batch_source(5, start=0)
