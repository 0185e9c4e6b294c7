"""Data sets that ship inside the package (no download), their loaders, and synthetic tasks.

- ``vocab``: the character vocabulary (with optional special symbols) every text model uses.
- ``split``: consecutive training, validation and test blocks of a text or a series.
- ``text`` (with ``shakespeare/``): the Shakespeare corpus and batches of character windows.
- ``timeseries``: the sunspot series, scaling, windows and forecasting baselines.
- ``vowels`` (with ``japanese_vowels/``): the Japanese Vowels speaker-recognition data.
- ``dates``: date-format translation pairs rendered offline, for sequence to sequence.
- ``digit_strings``: strings of real handwritten digits from scikit-learn's bundled images, with
  the alignments that generating them gives away (the CTC chapter).
- ``tasks``: synthetic tasks (the adding problem, context and memory tasks, selective copying).
"""
