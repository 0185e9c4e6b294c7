"""The torch side's training machinery.

- ``loop``: ``train``, the one training loop every torch model of the course uses.
- ``checkpoint``: atomic checkpoint writes, safe loads, the global random states.
- ``progress``: a progress bar that always ends as exactly one line of output.
- ``sequences``: variable-length batches (padding, masks, packing, pooling).
- ``metrics``: nats, bits, perplexity, RMSE, accuracy and exact match.
"""
