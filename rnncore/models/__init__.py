"""torch models for the application chapters, one module each (import them by module name).

- ``charlm``: character language model
- ``cells``: a from-scratch LSTM cell for teaching, equal to ``torch.nn.LSTM``
- ``forecaster``, ``classifier``: the forecasting and sequence-classification models
- ``seq2seq`` with ``seq2seq_decode`` (greedy and beam search) and ``attention`` (additive, dot,
  general and concat scores): the encoder-decoder of the sequence-to-sequence chapter
- ``recogniser``: the handwritten digit-string recogniser and its references (CTC chapter)
- ``sequence_regressor``: RNN/LSTM/GRU + linear head for the adding problem, with the
  initialisations the LSTM/GRU chapter compares
- ``birnn`` and ``window_mlp``: the tagger of the bidirectional experiments and the fixed-window
  baseline of the history chapter
- ``scaling``: what a generated token costs (FLOPs, KV cache, recurrent state) and minGRU
- ``scan``, ``ssm`` (S4D, LRU), ``selective`` (S6), ``attention_mixers`` and ``mixer_model``: the
  trainable linear recurrences and the testbed of the chapter on state-space models
- ``ngram``: the n-gram language model baseline (numpy)

This package imports torch; ``import rnncore`` alone does not.
"""
