"""WCAG 2.1 AA on every page, checked by axe-core in Chromium, at a desktop and a phone viewport (issue #11).

The pages come from the app's own navigation (`fmnist.ui.app.pages()`, every visible page), so a page
added there is audited without touching this file. axe-core is `axe-playwright-python`'s bundled copy
(no network). Critical and serious findings fail the test; moderate and minor ones are printed (run with
`-s`, or `python -m tests.e2e.test_a11y` for the table in the README).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
BLOCKING = ("critical", "serious")

# Charts (Vega-Lite) draw after the script run has finished; the content has loaded once each has drawn.
CHARTS_DRAWN = (
    "() => Array.from(document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]'))"
    ".every(c => c.querySelector('canvas, svg'))"
)


def navigation_paths() -> list[str]:
    """The url_path of every visible page in the app's navigation, read by running `pages()` in Streamlit."""
    from streamlit.testing.v1 import AppTest

    listing = AppTest.from_string(
        "import streamlit as st\n"
        "from fmnist.ui import app\n"
        "st.session_state['paths'] = [p.url_path for p in app.pages() if p.visibility == 'visible']\n",
        default_timeout=120,
    ).run()
    return list(listing.session_state["paths"])


# Pages again in other states. Browse: with an image's detail dialog open, and its right / wrong captions
# (least sure first shows both) in the colour-blind palette and in presenter mode. Lesson: every later step.
AGAIN = {
    "browse": ["idx=5", "palette=safe&sort=confidence", "present=1&sort=confidence"],
    "lesson": [f"step={step}" for step in range(2, 9)],
}


def views(paths: list[str]) -> list[str]:
    """Every page, and some again in the states above."""
    return [*paths, *(f"{path}?{query}" for path in paths for query in AGAIN.get(path, []))]


def audit(page) -> list[dict]:
    """axe-core's violations on the page as it is now (dialogs and the sidebar included)."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
    page.wait_for_timeout(300)  # charts and the canvas lay themselves out after drawing
    return Axe().run(page).response["violations"]


def summary(violations: list[dict]) -> list[str]:
    """One line a finding: rule (impact) × nodes: the first node's selector."""
    return [
        f"{v['id']} ({v['impact']}) ×{len(v['nodes'])}: {' '.join(map(str, v['nodes'][0]['target']))} — {v['help']}"
        for v in violations
    ]


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("view", views(navigation_paths()))
def test_no_critical_or_serious_violation(open_app, view, viewport):
    separator = "&" if "?" in view else "?"
    page = open_app(f"/{view}{separator}model=mlp", **VIEWPORTS[viewport])
    if "idx=" in view:
        page.get_by_role("dialog").wait_for(state="visible")
    violations = audit(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    for line in summary([v for v in violations if v["impact"] not in BLOCKING]):
        print(f"/{view} {viewport}: {line}")
    assert not blocking, "\n".join(summary(blocking))


def main() -> None:
    """Every view at both viewports, every finding whatever its impact: the README's accessibility table."""
    from playwright.sync_api import sync_playwright

    from tests.e2e import harness

    server = harness.AppServer().start()
    try:
        with sync_playwright() as playwright:
            browser = harness.launch_browser(playwright)
            print("| page | viewport | findings (impact × elements) |\n| --- | --- | --- |")
            for view in views(navigation_paths()):
                for name, viewport in VIEWPORTS.items():
                    separator = "&" if "?" in view else "?"
                    page = harness.open_page(browser, f"{server.url}/{view}{separator}model=mlp", **viewport)
                    found = "; ".join(f"{v['id']} ({v['impact']} × {len(v['nodes'])})" for v in audit(page)) or "none"
                    print(f"| /{view} | {name} | {found} |", flush=True)
                    page.context.close()
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
