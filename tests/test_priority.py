"""Answers before explanations (`fmnist.ui.priority`): real threads, as Streamlit runs its sessions."""

from __future__ import annotations

import threading
import time

from fmnist.ui import priority


def test_an_explanation_waits_for_the_answers_in_flight():
    order, started = [], threading.Event()

    def one_answer() -> None:
        with priority.answering():
            started.set()
            time.sleep(0.3)  # another session converting its photo
            order.append("answer")

    session = threading.Thread(target=one_answer)
    session.start()
    started.wait()
    priority.after_answers(timeout=10)
    order.append("explanation")
    session.join()
    assert order == ["answer", "explanation"]


def test_an_explanation_is_late_but_never_lost():
    with priority.answering():  # an answer that never ends, as when answers keep coming
        start = time.perf_counter()
        priority.after_answers(timeout=0.2)
        waited = time.perf_counter() - start
    assert 0.15 <= waited < 5
    start = time.perf_counter()
    priority.after_answers(timeout=10)  # none in flight: no wait
    assert time.perf_counter() - start < 1


def test_an_answer_that_fails_still_lets_explanations_go():
    try:
        with priority.answering():
            raise ValueError("a corrupt upload")
    except ValueError:
        pass
    start = time.perf_counter()
    priority.after_answers(timeout=10)
    assert time.perf_counter() - start < 1
