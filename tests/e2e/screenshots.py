"""`python -m tests.e2e.screenshots`: the README's screenshots, taken in headless Chromium."""

from __future__ import annotations

import sys

from fmnist.config import PROJECT_ROOT
from tests.e2e import harness

DOCS = PROJECT_ROOT / "docs"


def main() -> int:
    from playwright.sync_api import sync_playwright

    DOCS.mkdir(exist_ok=True)
    server = harness.AppServer().start()
    try:
        with sync_playwright() as playwright:
            browser = harness.launch_browser(playwright)

            def shot(path: str, name: str, act=None) -> None:
                page = harness.open_page(browser, server.url + path, width=1500, height=1100)
                if act:
                    act(page)
                page.screenshot(path=str(DOCS / f"{name}.png"))
                page.context.close()

            shot("/?true=Shirt&idx=4", "browse")
            shot("/draw", "draw", lambda p: harness.rerun(p, lambda: harness.draw_stroke(
                p, [(0.3, 0.2), (0.7, 0.2), (0.75, 0.8), (0.55, 0.8), (0.5, 0.45), (0.45, 0.8), (0.25, 0.8), (0.3, 0.2)])))

            def example(page):
                harness.rerun(page, lambda: page.get_by_role("radio", name="Try an example").click())
                harness.rerun(page, lambda: page.get_by_role("button", name="Try").nth(6).click())

            shot("/photo", "photo", example)
            shot("/model", "model")

            def region(page):
                chart = page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').first
                box = chart.bounding_box()
                page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.2)
                harness.rerun(page, lambda: (page.mouse.down(), page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.4, steps=5), page.mouse.up()))

            shot("/map", "map", region)

            def train(page):
                page.get_by_role("button", name="Train").click()
                harness.wait_idle(page, timeout=180_000)
                page.get_by_text("Use it now").wait_for(timeout=180_000)

            shot("/train", "train", train)
            browser.close()
    finally:
        server.stop()
    print(f"wrote {', '.join(sorted(p.name for p in DOCS.glob('*.png')))} to {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
