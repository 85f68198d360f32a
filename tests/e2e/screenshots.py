"""`python -m tests.e2e.screenshots`: every page at a projector (1280×720, 1920×1080) and on a phone (390×844),
taken in headless Chromium and written to docs/ as `<page>-<viewport>.png`."""

from __future__ import annotations

import sys

from fmnist.config import PROJECT_ROOT
from tests.e2e import harness

DOCS = PROJECT_ROOT / "docs"
VIEWPORTS = {
    "1280x720": {"width": 1280, "height": 720},
    "1920x1080": {"width": 1920, "height": 1080},
    "phone": {"width": 390, "height": 844, "is_mobile": True, "has_touch": True, "device_scale_factor": 2},
}
TSHIRT_OUTLINE = [(0.3, 0.2), (0.7, 0.2), (0.75, 0.8), (0.55, 0.8), (0.5, 0.45), (0.45, 0.8), (0.25, 0.8), (0.3, 0.2)]


def draw(page) -> None:
    harness.rerun(page, lambda: harness.draw_stroke(page, TSHIRT_OUTLINE))


def example(page) -> None:
    harness.rerun(page, lambda: page.get_by_role("radio", name="Try an example").click())
    harness.rerun(page, lambda: page.get_by_role("button", name="Try").nth(6).click())


def region(page) -> None:
    chart = page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').first
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.2)
    harness.rerun(page, lambda: (page.mouse.down(), page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.4, steps=5), page.mouse.up()))


def train(page) -> None:
    page.get_by_role("button", name="Train").first.click()
    page.get_by_text("Use it now").wait_for(timeout=300_000)
    harness.wait_idle(page)


SHOTS = [  # (path, name, what to do before the shot)
    ("/browse?true=Shirt", "browse", None),
    ("/browse?true=Shirt&idx=4", "detail", None),
    ("/draw", "draw", draw),
    ("/photo", "photo", example),
    ("/model", "model", None),
    ("/map", "map", region),
    ("/browse?present=1", "present", None),
    ("/train", "train", train),  # the same recipe at each viewport: trained once, shared
]


def main() -> int:
    from playwright.sync_api import sync_playwright

    DOCS.mkdir(exist_ok=True)
    server = harness.AppServer().start()
    try:
        with sync_playwright() as playwright:
            browser = harness.launch_browser(playwright)
            for viewport, options in VIEWPORTS.items():
                for path, name, act in SHOTS:
                    page = harness.open_page(browser, server.url + path, **options)
                    if act:
                        act(page)
                    page.screenshot(path=str(DOCS / f"{name}-{viewport}.png"))
                    page.context.close()
            browser.close()
    finally:
        server.stop()
    print(f"wrote {', '.join(sorted(p.name for p in DOCS.glob('*.png')))} to {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
