"""App benchmark, load and soak, in a real Chromium: `python -m tests.e2e.bench_app` prints tables.

- start: `streamlit run` to the first rendered Browse grid;
- p50/p95 of 20 repetitions of each interaction (next page, change filter, open detail, a canvas
  stroke, an upload of a 12 MP phone photo) and server RSS after warm-up with both models loaded;
- "shown" is the first change on the page; "done" is when the run has finished and every image it
  sent has loaded (what a user waits for);
- load: N concurrent sessions, each doing M mixed interactions, all fired together per round;
- soak: R reruns of a page with a detail view (matplotlib figures), and the RSS growth.

It exits 1 when any interaction failed (an exception box or a time-out), so CI-style runs can gate on it.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from tests.e2e import harness
from tests.e2e.load import upload_photos

TILES = 24


def percentiles(samples: list[float]) -> tuple[float, float]:
    ms = np.asarray(samples) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def first_grid_seconds(browser) -> tuple[float, harness.AppServer]:
    start = time.perf_counter()
    server = harness.AppServer().start()
    page = harness.open_page(browser, server.url + "/")
    page.locator('[data-testid="stImage"]').nth(TILES - 1).wait_for(timeout=60_000)
    elapsed = time.perf_counter() - start
    page.context.close()
    return elapsed, server


def interactions(browser, server, repeats: int) -> dict[str, list[tuple[float, float]]]:
    """(shown, done) seconds for each repetition of each interaction."""
    timings: dict[str, list[tuple[float, float]]] = {}
    page = harness.open_page(browser, server.url + "/?model=cnn")
    step_up = page.locator('[data-testid="stNumberInputStepUp"]').first  # the page control at the top
    timings["next page"] = [harness.timed_rerun(page, step_up.click) for _ in range(repeats)]
    toggle = harness.filter_toggle(page, "Only mistakes")  # the popover opened once, untimed
    timings["change filter"] = [harness.timed_rerun(page, toggle.click) for _ in range(repeats)]
    tiles = page.locator('[class*="st-key-tile-"] button')
    opened = []
    for i in range(repeats):  # each detail opens in a dialog; Escape closes it (untimed) before the next tile
        opened.append(harness.timed_rerun(page, tiles.nth(i % TILES).click))
        harness.rerun(page, lambda: page.keyboard.press("Escape"))
    timings["open detail"] = opened
    next_image = page.get_by_role("button", name="Next")
    harness.rerun(page, tiles.first.click)
    timings["next in detail"] = [harness.timed_rerun(page, next_image.click) for _ in range(repeats)]
    page.context.close()

    page = harness.open_page(browser, server.url + "/draw")
    strokes = []
    for i in range(repeats):  # timed from the mouse-up that ends the stroke, as a user waits
        x = 0.2 + 0.6 * i / repeats
        harness.draw_stroke(page, [(x, 0.15), (x + 0.05, 0.5), (x + 0.1, 0.85)], release=False)
        strokes.append(harness.timed_rerun(page, page.mouse.up))
    timings["canvas stroke"] = strokes
    page.context.close()

    page = harness.open_page(browser, server.url + "/photo")
    dropzone = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    remove = page.locator('[data-testid="stFileUploader"] button[aria-label^="Remove "]')  # the file's ✕ (Streamlit 1.67)
    photos = upload_photos(repeats)  # what a phone uploads: 12 MP JPEGs of distinct shared real photos where present
    uploads = []
    for i in range(repeats):
        if remove.count():  # start from an empty uploader, untimed, so each upload is one clean rerun
            harness.rerun(page, remove.first.click)
        name, photo = photos[i % len(photos)]
        files = [{"name": name, "mimeType": "image/jpeg", "buffer": photo}]
        uploads.append(harness.timed_rerun(page, lambda: dropzone.set_input_files(files=files)))
    timings["upload"] = uploads
    page.context.close()
    return timings


WARM_UP_PAGES = ("/?idx=5", "/draw", "/photo", "/model", "/map")


def warm_rss(browser, server) -> tuple[float, float]:
    """RSS once both models have served every page but Train; then once a gradient heatmap has
    loaded TensorFlow, which only gradients and training need."""
    for model in ("cnn", "mlp"):
        for path in WARM_UP_PAGES:
            page = harness.open_page(browser, f"{server.url}{path}{'&' if '?' in path else '?'}model={model}")
            page.context.close()
    without_tf = server.rss_mb()
    page = harness.open_page(browser, f"{server.url}/?model=cnn&idx=5")
    harness.rerun(page, page.get_by_role("radio", name="Gradient").click)
    page.context.close()
    return without_tf, server.rss_mb()


def load(browser, server, sessions: int, rounds: int) -> tuple[list[float], int]:
    """All sessions act at once each round; each latency runs from its action to its run's end."""
    pages = [harness.open_page(browser, f"{server.url}/?model={'cnn' if i % 2 else 'mlp'}") for i in range(sessions)]
    actions = [  # each prepares untimed (opening the Filters popover changes the page) and returns the act
        lambda p: p.locator('[data-testid="stNumberInputStepUp"]').first.click,
        lambda p: harness.filter_toggle(p, "Only mistakes").click,
        lambda p: p.locator('[class*="st-key-tile-"] button').nth(3).click,
        lambda p: lambda: p.keyboard.press("Escape"),
    ]
    latencies, errors = [], 0
    for r in range(rounds):
        started = {}
        acts = [actions[r % len(actions)](page) for page in pages]  # in order, so Escape always follows an open dialog
        for i, (page, act) in enumerate(zip(pages, acts)):
            started[i] = (harness.mark(page), time.perf_counter())
            act()
        pending = set(started)
        deadline = time.perf_counter() + 60
        while pending and time.perf_counter() < deadline:
            for i in list(pending):
                (runs, view), t0 = started[i]
                finished = f"(old) => (window.__stRunsDone > {runs} || ({harness.SIGNATURE})() !== old) && ({harness.IDLE})()"
                if pages[i].evaluate(finished, view):
                    latencies.append(time.perf_counter() - t0)
                    pending.discard(i)
        if pending:
            print(f"round {r}: {len(pending)} session(s) not finished after 60 s", file=sys.stderr)
        broken = [i for i, p in enumerate(pages) if harness.exception_boxes(p) > 0]
        if broken:
            message = pages[broken[0]].locator(harness.EXCEPTION).first.inner_text()[:300]
            print(f"round {r}: exception shown in session(s) {broken}: {message}", file=sys.stderr)
        errors += len(pending) + len(broken)
    for page in pages:
        page.context.close()
    return latencies, errors


def soak(browser, server, reruns: int) -> tuple[float, float, int]:
    page = harness.open_page(browser, server.url + "/?model=cnn&idx=5")
    step = page.get_by_role("button", name="Next")
    back = page.get_by_role("button", name="Previous")
    for i in range(10):  # warm-up: caches filled, allocator settled
        harness.rerun(page, (step if i % 2 == 0 else back).click)
    before = server.rss_mb()
    for i in range(reruns):  # the detail dialog stepping back and forth: panel, chart and heatmap each time
        harness.rerun(page, (step if i % 2 == 0 else back).click)
    after = server.rss_mb()
    errors = harness.exception_boxes(page)
    page.context.close()
    return before, after, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--reruns", type=int, default=300)
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = harness.launch_browser(playwright)
        first_grid, server = first_grid_seconds(browser)
        try:
            timings = interactions(browser, server, args.repeats)
            rss, rss_with_tf = warm_rss(browser, server)
            load_latencies, load_errors = load(browser, server, args.sessions, args.rounds)
            soak_before, soak_after, soak_errors = soak(browser, server, args.reruns)
        finally:
            server.stop()
            browser.close()

    print(f"first Browse grid after `streamlit run`: {first_grid:.1f} s (target ≤ 10 s)\n")
    print("interaction | shown p50 ms | shown p95 ms | done p50 ms | done p95 ms | target (p95)")
    print("--- | --- | --- | --- | --- | ---")
    for name, samples in timings.items():
        s50, s95 = percentiles([shown for shown, _ in samples])
        f50, f95 = percentiles([done for _, done in samples])
        print(f"{name} (×{len(samples)}) | {s50:.0f} | {s95:.0f} | {f50:.0f} | {f95:.0f} | ≤ 500")
    p50, p95 = percentiles(load_latencies)
    print(f"under load: {args.sessions} sessions × {args.rounds} interactions | | | {p50:.0f} | {p95:.0f} | 0 errors (got {load_errors})")
    print()
    print("memory | MB | target")
    print("--- | --- | ---")
    print(f"server RSS, both models, every page but Train visited | {rss:.0f} | ≤ 800")
    print(f"… then a gradient heatmap loads TensorFlow | {rss_with_tf:.0f} | (none)")
    print(f"RSS growth over {args.reruns} reruns ({soak_before:.0f} → {soak_after:.0f}) | {soak_after - soak_before:+.0f} | ≤ 50")
    return 1 if load_errors or soak_errors else 0


if __name__ == "__main__":
    sys.exit(main())
