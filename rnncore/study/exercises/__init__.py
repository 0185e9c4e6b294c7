"""Auto-graders for the coding exercises (in the chapters that teach each idea, and collected in
chapter sec:coding-exercises).

The reader writes from scratch an RNN step forward and backward, backpropagation through time
over a whole sequence, the LSTM and GRU steps forward and backward, gradient clipping, scaled
dot-product and additive attention, a sampling distribution with temperature, top-k and top-p, a
beam search with length normalisation and a stateful truncated-BPTT training loop, then calls
``check_<name>(their_function)``. The checker runs it on seeded problems against a reference, and
says what is wrong (shape, values, which gate, which mistake) or "not attempted yet" while the
function still raises NotImplementedError.
"""

from __future__ import annotations

from rnncore.study.exercises._common import CheckResult
from rnncore.study.exercises.attention import check_additive_attention, check_dot_attention
from rnncore.study.exercises.beam import check_beam_search
from rnncore.study.exercises.bptt import check_rnn_backward
from rnncore.study.exercises.cells import (
    check_gru_step_forward,
    check_lstm_step_forward,
    check_rnn_step_backward,
    check_rnn_step_forward,
)
from rnncore.study.exercises.clipping import check_clip_grad_norm
from rnncore.study.exercises.gated_backward import check_gru_step_backward, check_lstm_step_backward
from rnncore.study.exercises.sampling import check_top_k_top_p
from rnncore.study.exercises.tbptt import check_tbptt

__all__ = [
    "CheckResult",
    "check_additive_attention",
    "check_beam_search",
    "check_clip_grad_norm",
    "check_dot_attention",
    "check_gru_step_backward",
    "check_gru_step_forward",
    "check_lstm_step_backward",
    "check_lstm_step_forward",
    "check_rnn_backward",
    "check_rnn_step_backward",
    "check_rnn_step_forward",
    "check_tbptt",
    "check_top_k_top_p",
]
