"""Batch checks (embedded process pool, resumable; Apache Spark) and clone-note detection.

A face of the pipeline, like the CLI and the API: :mod:`rows` checks each row through
``assistant.pipeline``; :mod:`embedded` and :mod:`spark` run it over a whole input;
:mod:`clones` finds notes that repeat other notes.
"""
