"""Timings of the prediction path: what `python -m fmnist bench` prints as a table."""

from __future__ import annotations

import time

import numpy as np

from fmnist.models import load_model


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ms = np.asarray(samples) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def bench_model(name: str, images: np.ndarray, repeats: int = 200) -> dict:
    """Load time, single-image latency (ours vs Keras' model.predict), and a 10k-image batch."""
    start = time.perf_counter()
    classifier = load_model(name)
    load_s = time.perf_counter() - start

    one = images[:1]
    classifier.predict(one)  # trace once
    fast = []
    for i in range(repeats):
        t = time.perf_counter()
        classifier.predict(images[i % len(images)])
        fast.append(time.perf_counter() - t)

    scaled = images[:1].astype(np.float32) / 255.0
    classifier.model.predict(scaled, verbose=0)
    keras_times = []
    for _ in range(max(10, repeats // 10)):  # model.predict is slow; fewer samples suffice
        t = time.perf_counter()
        classifier.model.predict(scaled, verbose=0)
        keras_times.append(time.perf_counter() - t)

    classifier.predict(images)
    t = time.perf_counter()
    classifier.predict(images)
    batch_s = time.perf_counter() - t

    p50, p95 = _percentiles(fast)
    k50, k95 = _percentiles(keras_times)
    return {
        "model": name,
        "parameters": classifier.num_params,
        "load_s": load_s,
        "predict_p50_ms": p50,
        "predict_p95_ms": p95,
        "keras_p50_ms": k50,
        "keras_p95_ms": k95,
        "speedup": k50 / p50,
        "batch_images": len(images),
        "batch_s": batch_s,
    }


def format_table(rows: list[dict]) -> str:
    header = ("model", "params", "load s", "predict p50 ms", "p95 ms", "model.predict p50 ms", "p95 ms", "speed-up", "10k batch s")
    lines = [" | ".join(header), " | ".join("---" for _ in header)]
    for r in rows:
        lines.append(
            f"{r['model']} | {r['parameters']:,} | {r['load_s']:.2f} | {r['predict_p50_ms']:.2f} | {r['predict_p95_ms']:.2f} | "
            f"{r['keras_p50_ms']:.1f} | {r['keras_p95_ms']:.1f} | {r['speedup']:.0f}× | {r['batch_s']:.2f}"
        )
    return "\n".join(lines)
