"""Interview study material, with its single sources beside the code that reads them.

- ``faq`` (with ``faq.yaml``): the interview FAQ, loaded, validated and rendered.
- ``quiz`` (with ``quizzes.yaml``): the end-of-chapter self-check quizzes.
- ``flashcards``: the FAQ exported as an Anki deck and a CSV.
- ``history``: the timeline of recurrent networks, one source of truth for dates and citations.
- ``exercises``: the auto-graders of the coding exercises.
"""
