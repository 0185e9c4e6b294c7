"""Auto-graders for the coding exercises (in the chapters that teach each idea, and collected in
chapter sec:coding-exercises).

The reader writes an RNN step forward and backward, backpropagation through time over a whole
sequence, the LSTM and GRU steps forward and backward, and gradient clipping from scratch, then
calls ``check_<name>(their_function)``. The checker runs it on seeded
random problems against rnncore's reference, and says what is wrong (shape, values, which gate,
which mistake) or "not attempted yet" while the function still raises NotImplementedError.
"""

from __future__ import annotations

from rnncore.study.exercises._common import CheckResult
from rnncore.study.exercises.bptt import check_rnn_backward
from rnncore.study.exercises.cells import (
    check_gru_step_forward,
    check_lstm_step_forward,
    check_rnn_step_backward,
    check_rnn_step_forward,
)
from rnncore.study.exercises.clipping import check_clip_grad_norm
from rnncore.study.exercises.gated_backward import check_gru_step_backward, check_lstm_step_backward

__all__ = [
    "CheckResult",
    "check_clip_grad_norm",
    "check_gru_step_backward",
    "check_gru_step_forward",
    "check_lstm_step_backward",
    "check_lstm_step_forward",
    "check_rnn_backward",
    "check_rnn_step_backward",
    "check_rnn_step_forward",
]
