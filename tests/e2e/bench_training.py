"""Training together, measured: `python -m tests.e2e.bench_training` prints a table.

Part 1: N Chromium tabs (sessions) on the Train page press Train at the same moment, with the same
recipe (the MLP's defaults: trained once, shared) or, with --distinct, N recipes differing in their
epochs (queued, one training at a time). Seconds from each press until that tab shows its result,
and the resident memory of the server and of the training worker, sampled every 0.2 s.

Part 2 (--browsing U): Q sessions queue Q distinct trainings over Streamlit's protocol and keep their
sessions open, while U virtual users open page views (tests.e2e.load); p50/p95 per page.

Part 3 (--models M): M sessions each train a small recipe of their own (1,000 images), use it, and open
Browse and the feature map with it; the server's RSS while all M hold their models.
"""

from __future__ import annotations

import argparse
import threading
import time
from pathlib import Path

from tests.e2e import harness

DONE = "Your model reached"


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    """Child processes started by any thread of `pid` (the trainer starts its worker from its own thread)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


class MemorySampler(threading.Thread):
    """Peak RSS of the server and of its worker processes (those that run the training)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.server_peak, self.worker_peak, self.stopped = pid, 0.0, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.server_peak = max(self.server_peak, rss_mb(self.pid))
            self.worker_peak = max(self.worker_peak, sum(rss_mb(c) for c in children(self.pid)))
            time.sleep(0.2)


def press_train_together(server: harness.AppServer, sessions: int, distinct: bool) -> tuple[list, list[str]]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = harness.launch_browser(playwright)
        pages = [harness.open_page(browser, server.url + "/train?model=mlp", width=1280, height=900) for _ in range(sessions)]
        if distinct:  # epochs 10, 9, 8, …: a different recipe in each tab
            for i, page in enumerate(pages):
                thumb = page.locator('.st-key-train-epochs input[type="range"]')
                for _ in range(i):
                    harness.rerun(page, lambda: (thumb.focus(), thumb.press("ArrowLeft")))
        buttons = [page.locator(".st-key-train button").first for page in pages]
        pressed = []
        for button in buttons:
            pressed.append(time.perf_counter())
            button.click(no_wait_after=True)
        seconds: list[float | None] = [None] * sessions
        said: list[str] = [""] * sessions
        deadline = time.perf_counter() + 1800
        while None in seconds and time.perf_counter() < deadline:
            for i, page in enumerate(pages):
                if seconds[i] is None and page.get_by_text(DONE).count():
                    seconds[i] = time.perf_counter() - pressed[i]
                    said[i] = page.get_by_text(DONE).first.inner_text()
            time.sleep(0.25)
        browser.close()
    return seconds, said


def _widget(run, label: str, **value):
    """The WidgetState that sets the widget labelled exactly `label` ("Train" is not "Training images")."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    return WidgetState(id=run.widgets[label][0], **value)


def queue_trainings(base_url: str, count: int) -> list:
    """`count` sessions press Train with distinct recipes (epochs 30, 29, …) and stay open."""
    from tests.e2e.load import VirtualUser

    users = []
    for i in range(count):
        user = VirtualUser(base_url)
        run = user.open("train", "model=mlp")
        run = user.rerun([_widget(run, "Epochs", double_array_value={"data": [30 - i]})])
        user.rerun([_widget(run, "Epochs", double_array_value={"data": [30 - i]}), _widget(run, "Train", trigger_value=True)])
        users.append(user)
    return users


def hold_trained_models(base_url: str, count: int) -> tuple[list, float]:
    """`count` sessions each train a distinct small recipe (1,000 images), use it, open Browse and the map with it.

    Returns the open sessions (each holding its model) and the seconds until the last had its model.
    """
    from tests.e2e.load import VirtualUser

    recipes = [(e, u, r) for e in (1, 2) for u in ("16", "32", "64") for r in ("0.0001", "0.0003", "0.001", "0.003", "0.01")]
    users, states = [], []
    start = time.perf_counter()
    for i in range(count):
        epochs, units, rate = recipes[i % len(recipes)]
        user = VirtualUser(base_url)
        run = user.open("train", "model=mlp")
        widgets = [
            _widget(run, "Epochs", double_array_value={"data": [epochs + 2 * (i // len(recipes))]}),
            _widget(run, "Hidden units", string_array_value={"data": [units]}),
            _widget(run, "Learning rate", string_array_value={"data": [rate]}),
            _widget(run, "Training images", string_array_value={"data": ["1,000"]}),
        ]
        user.rerun(widgets)
        user.rerun([*widgets, _widget(run, "Train", trigger_value=True)])
        users.append(user)
        states.append(widgets)
    waiting = set(range(count))
    while waiting:
        if time.perf_counter() - start > 1800:
            raise TimeoutError(f"{len(waiting)} sessions still without their model after 30 minutes")
        time.sleep(2)
        for i in sorted(waiting):
            run = users[i].rerun(states[i])
            if "Use it now" in run.widgets:
                users[i].rerun([*states[i], _widget(run, "Use it now", trigger_value=True)])
                waiting.discard(i)
    seconds = time.perf_counter() - start
    for user in users:
        for page in ("browse", "map"):
            user.page = page
            run = user.rerun()
            if run.error:
                raise RuntimeError(f"{page} with a trained model: {run.error}")
            user.fetch_media(run)
        if "model=session" not in user.query:
            raise RuntimeError(f"the session does not use its trained model: {user.query}")
    return users, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--distinct", action="store_true", help="a different recipe in each session")
    parser.add_argument("--browsing", type=int, default=0, help="part 2: this many browsing users while trainings are queued")
    parser.add_argument("--queued", type=int, default=10, help="part 2: trainings queued meanwhile")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--models", type=int, default=0, help="part 3: this many sessions each hold a model of its own")
    args = parser.parse_args(argv)

    server = harness.AppServer().start()
    try:
        print(f"server RSS at start: {server.rss_mb():.0f} MB")
        sampler = MemorySampler(server.process.pid)
        sampler.start()
        if args.sessions:
            seconds, said = press_train_together(server, args.sessions, args.distinct)
            kind = "distinct recipes" if args.distinct else "the same recipe (MLP defaults)"
            print(f"\n{args.sessions} sessions press Train at once, {kind}")
            print("| session | seconds until it sees its model | what it says |\n| --- | --- | --- |")
            for i, (s, text) in enumerate(zip(seconds, said), 1):
                print(f"| {i} | {'timed out' if s is None else f'{s:.1f}'} | {text} |")
        if args.browsing:
            from tests.e2e.load import run_load, table

            waiting = queue_trainings(server.url, args.queued)
            samples, wall = run_load(server.url, args.browsing, args.rounds)
            print(f"\n{args.browsing} users browsing while {args.queued} trainings are queued or running")
            print(table(samples, args.browsing, wall, server.rss_mb()))
            for user in waiting:
                user.close()
        if args.models:
            holding, seconds = hold_trained_models(server.url, args.models)
            print(f"\n{args.models} sessions each trained a small recipe of its own in {seconds:.0f} s, then opened Browse and "
                  f"the feature map with it: server RSS {server.rss_mb():.0f} MB")
            for user in holding:
                user.close()
        sampler.stopped.set()
        sampler.join()
        print(f"\nserver RSS: peak {sampler.server_peak:.0f} MB, now {server.rss_mb():.0f} MB; "
              f"training worker RSS peak {sampler.worker_peak:.0f} MB; "
              f"TensorFlow in the server: {server.has_loaded('tensorflow')}")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
