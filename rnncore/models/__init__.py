"""torch models for the application chapters, one module each (import them by module name).

- ``rnncore.models.charlm``: character language model
- ``rnncore.models.cells``: a from-scratch LSTM cell for teaching, equal to ``torch.nn.LSTM``
- ``rnncore.models.forecaster``, ``rnncore.models.classifier``, ``rnncore.models.seq2seq``: the
  forecasting, sequence-classification and encoder-decoder models

This package imports torch; ``import rnncore`` alone does not.
"""
