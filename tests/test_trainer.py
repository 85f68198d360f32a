"""The shared training queue with a real worker process training the real MLP on 1,000 images for one epoch."""

from __future__ import annotations

import gc
import os
import signal
import time
from dataclasses import replace

import pytest

from fmnist import trainer as trainer_module
from fmnist.config import ASSETS_DIR
from fmnist.training import RECIPES

SMALL = replace(RECIPES["mlp"], epochs=1, train_images=1000)


def recipe(seed: int, **changes):
    """A distinct small recipe per use, so no test is answered from another test's finished model."""
    return replace(SMALL, seed=seed, **changes)


def wait_until(condition, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def trainer(train_split):
    shared = trainer_module.Trainer(workers=1, queue_limit=2, kept=4)
    yield shared
    shared.close()


def test_identical_recipes_are_trained_once_and_shared(trainer):
    assets_before = {p.name: p.stat().st_mtime_ns for p in ASSETS_DIR.iterdir()}
    first, second = trainer.submit(recipe(1)), trainer.submit(recipe(1))
    assert first.job is second.job  # two sessions, one training
    assert first.job.wait(180) and first.job.state == "done", first.job.error
    model = first.model
    assert second.model is model
    assert type(model.classifier.engine).__name__ == "LiteRTEngine"  # served without TensorFlow
    assert model.probabilities.shape == (10_000, 10) and (model.probabilities.argmax(1) == model.probabilities.argmax(1)).all()
    assert len(first.job.history()["test_accuracy"]) == 1 and model.card["test_accuracy"] > 0.6
    assert model.classifier.model_file.is_relative_to(trainer.run_dir)
    assert {p.name: p.stat().st_mtime_ns for p in ASSETS_DIR.iterdir()} == assets_before  # assets/ untouched
    later = trainer.submit(recipe(1))  # a third session, after it finished: the same model at once
    assert later.job.state == "done" and later.model is model
    assert later.job.history() == first.job.history()


def test_waiting_recipes_report_their_place_and_run_in_order(trainer):
    tickets = [trainer.submit(recipe(11))]
    wait_until(lambda: tickets[0].job.state == "running")
    tickets += [trainer.submit(recipe(seed)) for seed in (12, 13)]
    assert [t.place for t in tickets] == [0, 1, 2]
    for ticket in tickets:
        assert ticket.job.wait(180) and ticket.job.state == "done", ticket.job.error
    finish_times = [t.job.finished_at for t in tickets]
    assert finish_times == sorted(finish_times)  # first come, first trained


def test_a_full_queue_refuses_with_one_sentence(trainer):
    running = trainer.submit(recipe(21))
    wait_until(lambda: running.job.state == "running")
    waiting = [trainer.submit(recipe(22)), trainer.submit(recipe(23))]  # queue_limit=2
    with pytest.raises(trainer_module.QueueFull, match=r"^The training queue is full \(2 recipes are waiting\)"):
        trainer.submit(recipe(24))
    assert trainer.submit(recipe(22)).job is waiting[0].job  # a recipe already waiting still joins it
    for ticket in (running, *waiting):
        ticket.job.wait(180)


def test_a_job_whose_sessions_left_is_dropped_and_a_running_one_still_finishes(trainer):
    running = trainer.submit(recipe(31))
    wait_until(lambda: running.job.state == "running")
    left = trainer.submit(recipe(32))
    job_left, job_running = left.job, running.job
    del left, running  # both sessions closed: one while waiting, one mid-training
    gc.collect()
    after = trainer.submit(recipe(33))
    assert after.place == 1  # the job nobody wants no longer counts as ahead of it
    assert after.job.wait(180) and after.job.state == "done"
    assert job_left.state == "dropped" and job_left.model is None
    assert job_running.state == "done"
    assert trainer.submit(recipe(31)).model is job_running.model  # kept for whoever asks next


def test_a_model_no_one_holds_is_freed_with_its_files(trainer):
    trainer.kept = 0  # no cache of finished models: only the session's ticket holds it
    try:
        ticket = trainer.submit(recipe(41))
        assert ticket.job.wait(180) and ticket.job.state == "done"
        folder = ticket.model.classifier.model_file.parent
        assert folder.is_dir()
        del ticket
        gc.collect()
        assert not folder.exists()
    finally:
        trainer.kept = 4


def test_a_worker_crash_fails_that_job_in_one_sentence_and_the_queue_carries_on(trainer):
    crashing = trainer.submit(recipe(51, epochs=3, train_images=30_000))
    nxt = trainer.submit(recipe(52))
    wait_until(lambda: crashing.job.state == "running" and trainer.worker_pids())
    os.kill(trainer.worker_pids()[0], signal.SIGKILL)
    assert crashing.job.wait(60) and crashing.job.state == "failed"
    assert crashing.job.error.startswith("The training process stopped unexpectedly")
    assert crashing.model is None
    assert nxt.job.wait(180) and nxt.job.state == "done", nxt.job.error


def test_a_training_that_fails_in_the_worker_says_why_and_the_worker_carries_on(trainer):
    bad = trainer.submit(recipe(61, batch_size=0))
    assert bad.job.wait(180) and bad.job.state == "failed"
    assert bad.job.error.startswith("Training failed (") and "\n" not in bad.job.error
    good = trainer.submit(recipe(62))
    assert good.job.wait(180) and good.job.state == "done"
