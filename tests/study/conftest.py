"""What the checker tests share (pytest imports test modules with ``--import-mode=importlib``,
so they share it as a fixture rather than by import)."""

from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.fixture
def named_failure() -> Callable[[Callable, Callable, str], None]:
    """``named_failure(checker, broken, words)``: the checker rejects the broken solution as an
    attempt (not as a stub) with ``words`` in its message."""

    def check(checker: Callable, broken: Callable, words: str) -> None:
        result = checker(broken, verbose=False)
        assert not result.passed and result.attempted
        assert words in result.message, result.message

    return check
