"""torch models for the application chapters, one module each (import them by module name).

- ``rnncore.models.charlm``: character language model
- ``rnncore.models.cells``: a from-scratch LSTM cell for teaching, equal to ``torch.nn.LSTM``
- ``rnncore.models.forecaster``, ``rnncore.models.classifier``, ``rnncore.models.seq2seq``: the
  forecasting, sequence-classification and encoder-decoder models
- ``rnncore.models.sequence_regressor``: RNN/LSTM/GRU + linear head for the adding problem, with the
  initialisations the LSTM/GRU chapter compares
- ``rnncore.models.birnn`` and ``rnncore.models.window_mlp``: the tagger of the bidirectional
  experiments and the fixed-window baseline of the history chapter

This package imports torch; ``import rnncore`` alone does not.
"""
