"""Answers before explanations, so that when a whole class uploads at once every student sees an answer soon.

A phone's 12 MP photo costs the server ~60 ms to decode and convert, and ~75 ms more for the "Why?"
box's occlusion heatmap (145 runs of the CNN). Thirty uploads at once share two cores: without an order,
each answer waits behind other students' heatmaps. Every session runs in a thread of one process, so a
heatmap simply waits, up to MAX_WAIT, while any session is still working out its answer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

MAX_WAIT = 3.0  # seconds: while answers keep coming, an explanation is late, never lost

_answers_in_flight = 0
_no_answers_in_flight = threading.Condition()


@contextmanager
def answering() -> Iterator[None]:
    """Marks the work of one answer (converting the input, the prediction, showing it)."""
    global _answers_in_flight
    with _no_answers_in_flight:
        _answers_in_flight += 1
    try:
        yield
    finally:
        with _no_answers_in_flight:
            _answers_in_flight -= 1
            if _answers_in_flight == 0:
                _no_answers_in_flight.notify_all()


def after_answers(timeout: float = MAX_WAIT) -> None:
    """Waits until no session is working out an answer (or `timeout` seconds)."""
    with _no_answers_in_flight:
        _no_answers_in_flight.wait_for(lambda: _answers_in_flight == 0, timeout)
