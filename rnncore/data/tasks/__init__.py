"""Synthetic sequence tasks with a known answer.

- ``adding``: the adding problem, a long-range memory task.
- ``context``: token tasks whose answer depends on context outside the current position.
- ``memory``: delayed recall, the input token k steps earlier.
- ``selective_copy``: copy the data tokens scattered among noise, in order (selectivity).
"""
