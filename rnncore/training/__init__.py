"""The torch side's training machinery.

- ``loop``: ``train``, the one training loop every torch model of the course uses, and its
  ``TrainResult``; it reads as the textbook loop and calls the modules below by name.
- ``batches``: where the loop's batches come from (a function of the step index or an iterable).
- ``early_stopping``: evaluation without gradients, the best result, when to stop.
- ``checkpoint``: what a run saves, atomic checkpoint writes, safe loads, the global random states.
- ``schedules``: learning-rate schedules (``warmup_cosine``).
- ``progress``: a progress bar that always ends as exactly one line of output.
- ``sequences``: variable-length batches (padding, masks, packing, pooling).
- ``metrics``: nats, bits, perplexity, RMSE, accuracy and exact match.
"""
