"""How many answers a second the quiz stores when a class answers at once: `python -m fmnist.quiz.bench`.

Each player is a thread with its own token; all are released together and send their round's answers as
fast as the database takes them (a real class is far slower: one answer every few seconds each). Runs on a
throwaway SQLite file, and on every `--url` given (e.g. the PostgreSQL the app uses); prints a table.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from fmnist.quiz import db
from fmnist.quiz.games import ROUND_LENGTH, Quiz, Round

ROUND = Round(tuple(range(ROUND_LENGTH)), tuple(range(ROUND_LENGTH)), tuple(range(ROUND_LENGTH)))


def measure(url: str, players: int) -> dict:
    engine = db.open_engine(url)
    quiz = Quiz(engine)
    game, creator = quiz.create_game(ROUND, "random", "cnn", seed=0)
    tokens = [quiz.join(game.code, f"Player {i}") for i in range(players)]
    quiz.start(game.code, creator)
    start = threading.Barrier(players + 1)
    latencies: list[float] = []
    lock = threading.Lock()

    def play(token: str) -> None:
        start.wait()
        mine = []
        for place in range(ROUND_LENGTH):
            began = time.perf_counter()
            quiz.answer(game.code, token, place, place % 10)
            mine.append(time.perf_counter() - began)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=play, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    stored = len(quiz.answers(game.code))
    engine.dispose()
    return {
        "database": engine.dialect.name, "players": players, "answers": stored, "seconds": seconds,
        "per_second": stored / seconds,
        "p50_ms": np.percentile(latencies, 50) * 1000, "p95_ms": np.percentile(latencies, 95) * 1000,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=50)
    parser.add_argument("--url", action="append", default=[], help="a database URL to measure as well (repeatable)")
    parser.add_argument("--repeats", type=int, default=3, help="rounds per database; the table shows the median")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        urls = [f"sqlite:///{Path(folder) / 'bench.db'}", *args.url]
        print("| database | players | answers stored (fewest round) | answers/s | p50 per answer | p95 per answer |")
        print("| --- | --- | --- | --- | --- | --- |")
        for url in urls:
            runs = sorted((measure(url, args.players) for _ in range(args.repeats)), key=lambda r: r["per_second"])
            run = runs[len(runs) // 2]
            fewest = min(r["answers"] for r in runs)  # every round must store every answer, not just the median one
            print(f"| {run['database']} | {run['players']} | {fewest} of {run['players'] * ROUND_LENGTH} | "
                  f"{run['per_second']:,.0f} | {run['p50_ms']:.1f} ms | {run['p95_ms']:.1f} ms |")


if __name__ == "__main__":
    main()
