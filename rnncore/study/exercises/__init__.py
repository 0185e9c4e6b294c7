"""Auto-graders for the coding exercises (chapter sec:coding-exercises).

The reader writes an RNN step forward and backward, an LSTM step, a GRU step and gradient
clipping from scratch, then calls ``check_<name>(their_function)``. The checker runs it on seeded
random problems against rnncore's reference, and says what is wrong (shape, values, which gate,
which mistake) or "not attempted yet" while the function still raises NotImplementedError.
"""

from __future__ import annotations

from rnncore.study.exercises._common import CheckResult
from rnncore.study.exercises.cells import (
    check_gru_step_forward,
    check_lstm_step_forward,
    check_rnn_step_backward,
    check_rnn_step_forward,
)
from rnncore.study.exercises.clipping import check_clip_grad_norm

__all__ = [
    "CheckResult",
    "check_clip_grad_norm",
    "check_gru_step_forward",
    "check_lstm_step_forward",
    "check_rnn_step_backward",
    "check_rnn_step_forward",
]
