"""Data sets that ship inside the package (no download), their loaders, and synthetic tasks.

- ``text`` (with ``shakespeare/``): the Shakespeare corpus, a character vocabulary, splits, batches.
- ``timeseries``: the sunspot series, splits, scaling, windows and forecasting baselines.
- ``vowels`` (with ``japanese_vowels/``): the Japanese Vowels speaker-recognition data.
- ``dates``: date-format translation pairs rendered offline, for sequence to sequence.
- ``tasks``: synthetic tasks (the adding problem, context and memory tasks).
"""
