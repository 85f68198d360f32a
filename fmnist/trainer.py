"""Training that a whole class shares: a bounded queue in the web server, training in a worker process.

Equal recipes are trained once: every session that asks for a recipe already queued, running or
recently finished gets that same job and, in the end, that same model. Different recipes wait in a
bounded queue, one training at a time by default (`FMNIST_TRAINERS`, `FMNIST_TRAINING_QUEUE`).

Each training runs in a worker process (started lazily with the "spawn" context), so the web server
never imports TensorFlow and browsing stays responsive. The worker writes the model, its LiteRT
twin and its card into a run folder of its own, never into assets/; the server serves the twin
with LiteRT. A session holds its model through a `Ticket` in its state: when the session ends, the
ticket goes, a queued job nobody holds a ticket for is dropped, and a model no session holds and
the recently-trained cache has let go of is freed, its files deleted.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
import weakref
from collections import OrderedDict, deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fmnist.engines import EngineError, LiteRTEngine, fresh_twin
from fmnist.models import Classifier, load_card, probabilities_for_test_split
from fmnist.training import Recipe

TRAINERS = int(os.environ.get("FMNIST_TRAINERS", "1"))  # trainings at once; one fills 2 CPU cores
QUEUE_LIMIT = int(os.environ.get("FMNIST_TRAINING_QUEUE", "30"))  # recipes waiting, not counting those training
KEPT = int(os.environ.get("FMNIST_TRAINED_KEPT", "32"))  # finished models kept for whoever asks next
NICENESS = 10  # the worker's CPU priority below the server's

HISTORY_KEYS = {"train_loss": "loss", "train_accuracy": "accuracy", "test_loss": "val_loss", "test_accuracy": "val_accuracy"}


class TrainingError(Exception):
    """Training cannot start or did not finish; the message is one sentence for the user."""


class QueueFull(TrainingError):
    pass


@dataclass(eq=False)
class TrainedModel:
    """A finished training as the server serves it: the LiteRT classifier, its test-set answers, its card."""

    id: str  # unique per training: a cache key for results computed from this model
    recipe: Recipe
    classifier: Classifier
    probabilities: np.ndarray  # (10000, 10) float32, the test split
    card: dict


class Job:
    """One training of one recipe, shared by every session that asked for it; read it, never change it."""

    QUEUED, RUNNING, DONE, FAILED, DROPPED = "queued", "running", "done", "failed", "dropped"

    def __init__(self, recipe: Recipe, number: int):
        self.recipe = recipe
        self.number = number
        self.state = Job.QUEUED
        self.model: TrainedModel | None = None
        self.error: str | None = None
        self.started_at: float | None = None  # time.monotonic() when it left the queue
        self.finished_at: float | None = None
        self._history: dict[str, list[float]] = {key: [] for key in HISTORY_KEYS}
        self._lock = threading.Lock()
        self._tickets: weakref.WeakSet[Ticket] = weakref.WeakSet()
        self._finished = threading.Event()

    @property
    def active(self) -> bool:
        return self.state in (Job.QUEUED, Job.RUNNING)

    @property
    def wanted(self) -> bool:
        """Whether any session still holds a ticket for this job."""
        return len(self._tickets) > 0

    def history(self) -> dict[str, list[float]]:
        """Train/test loss and accuracy per epoch so far (a copy, safe to plot while training goes on)."""
        with self._lock:
            return {key: list(values) for key, values in self._history.items()}

    @property
    def epochs_done(self) -> int:
        with self._lock:
            return len(self._history["test_accuracy"])

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job has finished, failed or been dropped; False on timeout."""
        return self._finished.wait(timeout)

    def _record_epoch(self, logs: dict) -> None:
        with self._lock:
            for key, log_key in HISTORY_KEYS.items():
                self._history[key].append(float(logs[log_key]))

    def _finish(self, state: str, model: TrainedModel | None = None, error: str | None = None) -> None:
        self.model, self.error, self.state = model, error, state
        self.finished_at = time.monotonic()
        self._finished.set()


class Ticket:
    """A session's claim on a job, kept in its state; with it goes the model trained before it."""

    def __init__(self, job: Job, trainer: Trainer, previous: TrainedModel | None = None):
        self.job = job
        self.previous = previous
        self._trainer = trainer
        job._tickets.add(self)

    @property
    def model(self) -> TrainedModel | None:
        """The newest model this session has: this job's once done (the one before is let go), else the one before."""
        if self.job.model is not None:
            self.previous = None
            return self.job.model
        return self.previous

    @property
    def place(self) -> int:
        """0 while training, n for the n-th in line."""
        return self._trainer.place(self.job)


class Trainer:
    """The queue, the finished-model cache, and one thread per worker process feeding it jobs."""

    def __init__(self, workers: int = TRAINERS, queue_limit: int = QUEUE_LIMIT, kept: int = KEPT, run_dir: Path | None = None):
        self.workers, self.queue_limit, self.kept = max(1, workers), max(0, queue_limit), max(0, kept)
        self.run_dir = Path(run_dir or tempfile.mkdtemp(prefix="fmnist-training-"))
        self._lock = threading.Condition()
        self._waiting: deque[Job] = deque()
        self._active: dict[Recipe, Job] = {}  # queued or running, by recipe
        self._finished: OrderedDict[Recipe, TrainedModel] = OrderedDict()  # least recently asked first
        self._slots: list[_Slot] = []
        self._numbers = itertools.count(1)
        self._test_images: np.ndarray | None = None
        self._closed = False

    # --- what sessions call ---

    def submit(self, recipe: Recipe, previous: Ticket | None = None) -> Ticket:
        """A ticket for this recipe's job: the finished model, the job already queued or running, or a new one.

        Raises QueueFull when `queue_limit` other recipes are already waiting.
        """
        keep = previous.model if previous else None
        with self._lock:
            if recipe in self._finished:
                self._finished.move_to_end(recipe)
                job = Job(recipe, next(self._numbers))
                model = self._finished[recipe]
                job._history = {key: list(model.card["history"][key]) for key in HISTORY_KEYS}
                job._finish(Job.DONE, model)
                return Ticket(job, self, keep)
            if recipe in self._active:
                return Ticket(self._active[recipe], self, keep)
            self._drop_unwanted()
            if len(self._waiting) >= self.queue_limit:
                raise QueueFull(
                    f"The training queue is full ({len(self._waiting)} recipes are waiting): try again when one has finished, "
                    "or pick a recipe someone is already training."
                )
            job = Job(recipe, next(self._numbers))
            ticket = Ticket(job, self, keep)
            self._active[recipe] = job
            self._waiting.append(job)
            self._start_slots()
            self._lock.notify()
            return ticket

    def place(self, job: Job) -> int:
        with self._lock:
            if job.state == Job.RUNNING:
                return 0
            waiting = [j for j in self._waiting if j.wanted or j is job]
            return waiting.index(job) + 1 if job in waiting else 0

    def worker_pids(self) -> list[int]:
        return [slot.process.pid for slot in self._slots if slot.process is not None and slot.process.is_alive()]

    def close(self) -> None:
        """Stop the worker processes and delete the run folder (tests; the server lets atexit do it)."""
        with self._lock:
            self._closed = True
            for job in self._waiting:
                job._finish(Job.DROPPED)
            self._waiting.clear()
            self._lock.notify_all()
        for slot in self._slots:
            slot.kill()  # its thread sees the process gone, fails a running job, then finds the queue closed
        for slot in self._slots:
            slot.thread.join(10)
        shutil.rmtree(self.run_dir, ignore_errors=True)

    # --- the worker side ---

    def _start_slots(self) -> None:
        while len(self._slots) < self.workers:
            slot = _Slot(self, len(self._slots))
            self._slots.append(slot)
            slot.thread.start()

    def _drop_unwanted(self) -> None:
        """Queued jobs no session holds a ticket for any more are not trained."""
        for job in [j for j in self._waiting if not j.wanted]:
            self._waiting.remove(job)
            self._active.pop(job.recipe, None)
            job._finish(Job.DROPPED)

    def _next_job(self) -> Job | None:
        with self._lock:
            while True:
                self._drop_unwanted()
                if self._closed:
                    return None
                if self._waiting:
                    job = self._waiting.popleft()
                    job.state, job.started_at = Job.RUNNING, time.monotonic()
                    return job
                self._lock.wait()

    def _done(self, job: Job, model_file: Path) -> None:
        try:
            model = self._load(job, model_file)
        except TrainingError as error:
            return self._failed(job, str(error))
        with self._lock:
            self._active.pop(job.recipe, None)
            if self.kept:
                self._finished[job.recipe] = model
                while len(self._finished) > self.kept:
                    self._finished.popitem(last=False)
        job._finish(Job.DONE, model)

    def _failed(self, job: Job, message: str) -> None:
        with self._lock:
            self._active.pop(job.recipe, None)
        job._finish(Job.FAILED, error=message)

    def _load(self, job: Job, model_file: Path) -> TrainedModel:
        """The trained model as the server serves it: by its LiteRT twin, never by TensorFlow."""
        card = load_card(model_file)
        twin = fresh_twin(model_file, card)
        if twin is None:
            raise TrainingError("The trained model came without its LiteRT twin, so it cannot be served; please train again.")
        try:
            classifier = Classifier(LiteRTEngine(twin), "session", card, model_file)
        except EngineError as error:
            raise TrainingError(f"The trained model cannot be served: {error}.") from error
        if self._test_images is None:
            from fmnist.data import load_test_split

            self._test_images = load_test_split()[0]
        probabilities = probabilities_for_test_split(classifier, self._test_images)  # saved by the worker: not computed here
        model = TrainedModel(f"trained-{job.number}", job.recipe, classifier, probabilities, card)
        weakref.finalize(model, shutil.rmtree, model_file.parent, True)  # its files go with the last reference
        return model


class _Slot:
    """One worker process and the server thread that feeds it jobs and relays what it reports."""

    def __init__(self, trainer: Trainer, index: int):
        self.trainer = trainer
        self.process = None
        self.connection = None
        self.thread = threading.Thread(target=self.serve, name=f"fmnist-trainer-{index}", daemon=True)

    def serve(self) -> None:
        while (job := self.trainer._next_job()) is not None:
            out_dir = self.trainer.run_dir / f"job-{job.number}"
            try:
                self.ensure_process()
                self.connection.send((job.recipe, str(out_dir)))
                self.relay(job, out_dir)
            except (EOFError, OSError):  # the worker died (killed, out of memory) or could not start
                code = self.process.exitcode if self.process is not None else None
                self.stop()
                self.trainer._failed(
                    job,
                    f"The training process stopped unexpectedly (exit code {code}); "
                    "the queue carries on, so press Train to try again.",
                )
                shutil.rmtree(out_dir, ignore_errors=True)
            except Exception as error:  # a bug here must not stop the queue: fail this job, serve the next
                self.trainer._failed(job, f"Training failed ({type(error).__name__}: {error}).")
            del job  # hold no finished job while waiting for the next: its model is freed when sessions let go

    def relay(self, job: Job, out_dir: Path) -> None:
        while True:
            if not self.connection.poll(1.0):
                if not self.process.is_alive():
                    raise EOFError("the worker process is gone")
                continue
            kind, payload = self.connection.recv()
            if kind == "epoch":
                job._record_epoch(payload)
            elif kind == "done":
                return self.trainer._done(job, Path(payload))
            else:  # "failed": a sentence from the worker
                shutil.rmtree(out_dir, ignore_errors=True)
                return self.trainer._failed(job, payload)

    def ensure_process(self) -> None:
        if self.process is not None and self.process.is_alive():
            return
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=work, args=(child,), name="fmnist-training-worker", daemon=True)
        with _plain_main():
            self.process.start()
        child.close()

    def kill(self) -> None:
        process = self.process
        if process is not None and process.is_alive():
            process.kill()

    def stop(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        if self.process is not None:
            self.process.join(5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
            self.process = None


@contextlib.contextmanager
def _plain_main():
    """Start a spawned process without re-running this process's `__main__` in it.

    Streamlit makes the app script `__main__` while it runs it, and "spawn" re-runs `__main__` in the
    child, which would run the whole app in the worker. The child is told no main module at all (it is
    dropped from the preparation data "spawn" sends), so the worker imports only what `work` needs.
    Swapping `sys.modules["__main__"]` around the start instead raced with script runs in other threads,
    which set it back mid-start (AppTest did, and the worker then ran a test script).
    """
    from multiprocessing import spawn

    original = spawn.get_preparation_data

    def without_main(name):
        data = original(name)
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
        return data

    spawn.get_preparation_data = without_main
    try:
        yield
    finally:
        spawn.get_preparation_data = original


def work(connection) -> None:
    """The worker process: train each recipe it is sent, report each epoch, write the model into the run folder."""
    from fmnist import data, training
    from fmnist.data import DataError

    os.nice(NICENESS)  # the web server, sharing the cores, comes first: browsing stays responsive while it trains
    splits = None
    while True:
        try:
            recipe, out_dir = connection.recv()
        except (EOFError, OSError):  # the server has gone
            return
        try:
            if splits is None:
                splits = data.load_split("train", download=False), data.load_test_split()
            train_split, test_split = splits
            result = training.train(recipe, train_split, test_split, on_epoch=lambda _, logs: connection.send(("epoch", logs)))
            path, _ = training.save(result, test_split, Path(out_dir))
            connection.send(("done", str(path)))
        except DataError as error:
            connection.send(("failed", str(error)))
        except Exception as error:  # one sentence for the page; the worker carries on with the next job
            connection.send(("failed", f"Training failed ({type(error).__name__}: {error})."))


_shared: Trainer | None = None
_shared_lock = threading.Lock()


def shared() -> Trainer:
    """The one trainer of this process, created on first use, its run folder removed at exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Trainer()
            atexit.register(_shared.close)
        return _shared

