"""Timings of the prediction path: what `python -m fmnist bench` prints as a table."""

from __future__ import annotations

import time

import numpy as np

from fmnist.models import Classifier, load_model


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ms = np.asarray(samples) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def _latencies(predict_one, images: np.ndarray, repeats: int) -> tuple[float, float]:
    predict_one(images[0])  # warm up: trace, allocate
    samples = []
    for i in range(repeats):
        t = time.perf_counter()
        predict_one(images[i % len(images)])
        samples.append(time.perf_counter() - t)
    return _percentiles(samples)


def bench_model(name: str, images: np.ndarray, repeats: int = 200) -> dict:
    """Load time, single-image latency of the app's engine, of the tf.function engine and of Keras'
    own model.predict, and the time for a 10k-image batch."""
    start = time.perf_counter()
    classifier = load_model(name)
    load_s = time.perf_counter() - start
    engine_p50, engine_p95 = _latencies(classifier.predict, images, repeats)

    keras_model = classifier.model
    traced_p50, _ = _latencies(Classifier.from_keras(keras_model).predict, images, repeats)
    keras_p50, _ = _latencies(  # model.predict is slow; fewer samples suffice
        lambda image: keras_model.predict(image[None].astype(np.float32) / 255.0, verbose=0), images, max(10, repeats // 10)
    )

    classifier.predict(images)
    t = time.perf_counter()
    classifier.predict(images)
    batch_s = time.perf_counter() - t
    return {
        "model": name,
        "engine": type(classifier.engine).__name__.removesuffix("Engine"),
        "parameters": classifier.num_params,
        "load_s": load_s,
        "predict_p50_ms": engine_p50,
        "predict_p95_ms": engine_p95,
        "traced_p50_ms": traced_p50,
        "keras_p50_ms": keras_p50,
        "speedup": keras_p50 / engine_p50,
        "batch_images": len(images),
        "batch_s": batch_s,
    }


def format_table(rows: list[dict]) -> str:
    header = ("model", "params", "engine", "load s", "predict p50 ms", "p95 ms", "tf.function p50 ms", "model.predict p50 ms", "speed-up", "10k batch s")
    lines = [" | ".join(header), " | ".join("---" for _ in header)]
    for r in rows:
        lines.append(
            f"{r['model']} | {r['parameters']:,} | {r['engine']} | {r['load_s']:.2f} | {r['predict_p50_ms']:.2f} | {r['predict_p95_ms']:.2f} | "
            f"{r['traced_p50_ms']:.2f} | {r['keras_p50_ms']:.1f} | {r['speedup']:.0f}× | {r['batch_s']:.2f}"
        )
    return "\n".join(lines)


def synthetic_photo(images: np.ndarray):
    """A test item, dark brown, on a noisy light sheet, 4000×3000."""
    from PIL import Image

    rng = np.random.default_rng(0)
    sheet = rng.normal(215, 6, (3000, 4000, 1)).clip(0, 255).astype(np.float32)
    item = np.asarray(Image.fromarray(images[0]).resize((2600, 2600), Image.BICUBIC), dtype=np.float32)[..., None] / 255
    sheet = np.repeat(sheet, 3, axis=2)
    sheet[200:2800, 700:3300] = sheet[200:2800, 700:3300] * (1 - item) + np.array([90, 60, 40], np.float32) * item
    return Image.fromarray(sheet.astype(np.uint8))


def real_photos_at_12_megapixels(count: int):
    """Yields (file name, photo) for `count` shared phone photos (`photoset.shared_photos_dir`) spread over its
    list, scaled to 12 MP as a phone takes them, with a sensor's grain: real clothes, beds and floors, at the
    size and noise a phone uploads (the shared files are ~0.2 MP). One at a time: each is 36 MB decoded.
    Nothing where the folder is absent."""
    from fmnist.photoset import LABELS_FILE, PHONE_MEGAPIXELS, read_labels, scaled_photo, shared_photos_dir, with_grain

    folder = shared_photos_dir()
    if not (folder / LABELS_FILE).is_file():
        return
    listed = read_labels(folder)
    rng = np.random.default_rng(0)
    for path, _ in listed[:: max(1, len(listed) // count)][:count]:
        yield path.name, with_grain(scaled_photo(path, PHONE_MEGAPIXELS), rng)


def bench_photo_conversion(images: np.ndarray, repeats: int = 20, real: int = 5) -> list[dict]:
    """Time to turn a decoded 12-megapixel photo into the model input (the budget is 50 ms): a synthetic
    one, and `real` shared phone photos scaled to 12 MP where that folder is present; and, the user's
    path, the same photo from its JPEG file (quality 90), decoding included.

    CPU time is reported beside wall time, as a shared machine's wall time includes other processes' turns.
    """
    from fmnist.imaging import convert
    from fmnist.photoset import phone_jpeg

    def timed(photo) -> tuple[list[float], list[float]]:
        convert(photo)  # warm up
        wall, cpu = [], []
        for _ in range(repeats):
            t, c = time.perf_counter(), time.process_time()
            convert(photo)
            wall.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        return wall, cpu

    rows = []
    for name, photo in [("synthetic: item on a noisy sheet", synthetic_photo(images)), *real_photos_at_12_megapixels(real)]:
        wall, cpu = timed(photo)
        jpeg_wall, jpeg_cpu = timed(phone_jpeg(photo))
        wall_p50, wall_p95 = _percentiles(wall)
        rows.append({"photo": name, "size": f"{photo.width}×{photo.height}", "megapixels": photo.width * photo.height / 1e6,
                     "wall_p50_ms": wall_p50, "wall_p95_ms": wall_p95, "cpu_p50_ms": _percentiles(cpu)[0],
                     "jpeg_wall_p50_ms": _percentiles(jpeg_wall)[0], "jpeg_cpu_p50_ms": _percentiles(jpeg_cpu)[0]})
    return rows


def format_photo_table(rows: list[dict]) -> str:
    header = ("photo (decoded)", "size", "megapixels", "convert p50 ms", "p95 ms", "CPU p50 ms", "budget ms",
              "from its JPEG: p50 ms", "CPU p50 ms")
    lines = [" | ".join(header), " | ".join("---" for _ in header)]
    for row in rows:
        values = (row["photo"], row["size"], f"{row['megapixels']:.0f}", f"{row['wall_p50_ms']:.1f}", f"{row['wall_p95_ms']:.1f}",
                  f"{row['cpu_p50_ms']:.1f}", "50", f"{row['jpeg_wall_p50_ms']:.1f}", f"{row['jpeg_cpu_p50_ms']:.1f}")
        lines.append(" | ".join(values))
    return "\n".join(lines)


def _inside_page() -> None:
    """The Inside page as the app runs it (sidebar, then page), for AppTest."""
    from fmnist.ui import inside, state

    state.sidebar()
    inside.page()


def bench_inside(images: np.ndarray, repeats: int = 20) -> list[dict]:
    """The Inside page's views: what each computes on a cache miss (a new image, another unit), what is
    computed once per model and process, and the whole page script (AppTest, caches warm) for a new image.

    Each row has wall and CPU p50 (ms): on a shared machine CPU time says more about the view's own cost.
    """
    from streamlit.testing.v1 import AppTest

    from fmnist import inside
    from fmnist.engines import twin_path
    from fmnist.plots import png_bytes

    def timed(view: str, model: str, work, count: int = repeats) -> dict:
        work(0)  # warm up
        wall, cpu = [], []
        for i in range(1, count + 1):
            t, c = time.perf_counter(), time.process_time()
            work(i)
            wall.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        return {"model": model, "view": view, "wall_p50_ms": _percentiles(wall)[0], "cpu_p50_ms": _percentiles(cpu)[0]}

    rows = []
    for name in ("mlp", "cnn"):
        classifier = load_model(name)
        network = inside.Network(twin_path(classifier.model_file))
        def first_view(i: int) -> None:
            opened = inside.Network(twin_path(classifier.model_file))
            inside.top_images(inside.many_features(opened, classifier, images))

        when = "once per model" if name == "mlp" else "once per model, when asked"
        rows.append(timed(f"{when}: open the twin, top 12 test images of every unit", name, first_view, 2))
        if network.kind == "mlp":
            rows.append(timed("once per model: the 128 unit pictures", name,
                              lambda i: png_bytes(inside.unit_grid(network.dense[0])), 3))

        def chart(seen, unit: int) -> bytes:
            toward = inside.contributions(seen.features, network.output_layer, int(seen.probabilities.argmax()))
            return png_bytes(inside.features_chart(seen.features, toward, unit))

        def new_image(i: int) -> None:
            seen = network.look(images[i])
            unit = int(seen.features.argmax())
            chart(seen, unit)
            if network.kind == "mlp":
                png_bytes(inside.unit_picture(network.dense[0], unit))
            for conv, maps in zip(network.convs, seen.maps):
                png_bytes(inside.map_grid(maps))
                inside.describe_maps(conv, maps)

        seen = network.look(images[0])
        rows.append(timed("new image: activations, maps and charts", name, new_image))
        def another_unit(i: int) -> None:
            chart(seen, i)
            if network.kind == "mlp":
                png_bytes(inside.unit_picture(network.dense[0], i))

        rows.append(timed("another unit: bars and its picture", name, another_unit))

        page = AppTest.from_function(_inside_page, default_timeout=300)
        page.query_params["model"] = name
        page.run()
        rows.append(timed("whole page script, new test image (AppTest, caches warm)", name,
                          lambda i: page.number_input(key="inside.idx").set_value(100 + i).run(), 10))
    return rows


def format_inside_table(rows: list[dict]) -> str:
    header = ("model", "Inside view (on a cache miss)", "wall p50 ms", "CPU p50 ms")
    lines = [" | ".join(header), " | ".join("---" for _ in header)]
    lines += [f"{r['model']} | {r['view']} | {r['wall_p50_ms']:.1f} | {r['cpu_p50_ms']:.1f}" for r in rows]
    return "\n".join(lines)
