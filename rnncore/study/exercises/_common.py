"""What every checker shares: calling the reader's function safely, comparing arrays, and
turning a failure into a message that says what is wrong rather than just "wrong".

A checker runs the reader's function on a few seeded random problems, compares with rnncore's
reference, and on a mismatch tries a catalogue of known mistakes (each a small variant of the
reference): if the reader's output equals one of them, the message names that mistake.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "CheckResult",
    "Mistake",
    "call",
    "compare",
    "diagnose",
    "feedback",
    "finish",
    "rand",
]

RTOL, ATOL = 1e-6, 1e-9
WIDTH = 79  # printed feedback wraps to the columns of a chapter page's code area


@dataclass(frozen=True)
class CheckResult:
    """The outcome of a checker: ``passed`` (truthy), ``attempted`` and the message printed."""

    name: str
    passed: bool
    attempted: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        state = "passed" if self.passed else ("FAILED" if self.attempted else "not attempted")
        return f"<check {self.name}: {state}>"


@dataclass(frozen=True)
class Mistake:
    """A known wrong variant of the reference and the advice to give when it matches."""

    advice: str
    compute: Callable[..., Any]


class _Stop(Exception):
    """Raised inside a checker to finish with a message."""

    def __init__(self, message: str, attempted: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.attempted = attempted


def rand(rng: np.random.Generator, *shape: int, scale: float = 1.0) -> np.ndarray:
    """Standard-normal float64 test data scaled by ``scale``."""
    return rng.standard_normal(shape) * scale


def call(fn: Callable[..., Any], *args: Any, what: str, hint: str = "") -> Any:
    """Call the reader's function on copies of ``args``; turn exceptions into messages."""
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    try:
        return fn(*copies)
    except NotImplementedError:
        raise _Stop(
            f"{what}: not attempted yet (your function raises NotImplementedError). "
            "Replace the `raise NotImplementedError` with your code and run this cell again.",
            attempted=False,
        ) from None
    except Exception as err:  # the reader's bug, reported rather than re-raised
        extra = f" Hint: {hint}" if hint else ""
        raise _Stop(f"{what}: your function raised {type(err).__name__}: {err}.{extra}") from None


def as_array(value: Any, name: str, shape: Sequence[int], letters: str) -> np.ndarray:
    """Check that the reader returned a finite float array of the expected shape."""
    if not isinstance(value, np.ndarray):
        raise _Stop(f"{name} must be a numpy array, got {type(value).__name__}.")
    if value.shape != tuple(shape):
        raise _Stop(
            f"{name} has shape {value.shape}, expected {letters} = {tuple(shape)}. "
            "Check which axis you summed over or whether a weight needs a transpose."
        )
    if not np.all(np.isfinite(value)):
        raise _Stop(f"{name} contains NaN or inf; look for an overflow or a division by zero.")
    return value


def compare(got: np.ndarray, want: np.ndarray) -> bool:
    """True if the reader's array matches the reference to float64 round-off."""
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=RTOL, atol=ATOL))


def diagnose(got: Any, mistakes: Sequence[Mistake], matches: Callable[[Any, Any], bool]) -> str:
    """The advice of the first known mistake whose output equals the reader's, else ""."""
    for mistake in mistakes:
        try:
            if matches(got, mistake.compute()):
                return mistake.advice
        except (ValueError, IndexError):  # the variant does not apply to this shape
            continue
    return ""


def mismatch(name: str, got: np.ndarray, want: np.ndarray, advice: str) -> str:
    """A message for wrong values: the largest error, where it is, and the advice if any."""
    err = np.abs(got - want)
    where = np.unravel_index(int(np.argmax(err)), err.shape)
    text = (
        f"{name} has the right shape but wrong values: largest error {err.max():.3g} at index "
        f"{tuple(int(i) for i in where)} (yours {got[where]:.6g}, expected {want[where]:.6g})."
    )
    return f"{text} {advice}" if advice else text


def feedback(result: CheckResult) -> str:
    """The printed form of a result: a mark, the name and the message, wrapped to WIDTH columns
    with the continuation lines indented under the message (words and numbers never split)."""
    mark = "✓" if result.passed else ("…" if not result.attempted else "✗")
    return textwrap.fill(
        f"{mark} {result.name}: {result.message}",
        width=WIDTH,
        subsequent_indent="  ",
        break_long_words=False,
        break_on_hyphens=False,
    )


def finish(name: str, body: Callable[[], str], verbose: bool) -> CheckResult:
    """Run a checker body; print and return its result."""
    try:
        message = "passed: " + body()
        result = CheckResult(name, True, True, message)
    except _Stop as stop:
        result = CheckResult(name, False, stop.attempted, stop.message)
    if verbose:
        print(feedback(result))
    return result
