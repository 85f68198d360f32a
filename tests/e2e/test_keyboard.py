"""Browse with a keyboard only (issue #11): Tab to a control, Enter or Space to use it, Esc to close; no mouse.

At every control the test uses, the focus must be visible: the screen around the focused control looks
different from the same place with the focus taken away.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.harness import exception_boxes, rerun

pytestmark = pytest.mark.e2e

TAB_LIMIT = 80  # Tab presses allowed to reach a control: the sidebar and 24 tiles come first
# A visible focus: at least RING_PIXELS pixels change by RING_STEP or more in a colour channel (Streamlit's
# ring changes ~100; the faint tint a focused button gets without its ring, ~5, does not count).
RING_STEP, RING_PIXELS = 48, 40

FOCUSED = """() => { const e = document.activeElement;
  return e && e !== document.body ? {tag: e.tagName, role: e.getAttribute('role'), text: e.innerText || e.getAttribute('aria-label') || '',
    key: (e.closest('[class*="st-key-"]')?.className.match(/st-key-[^ ]+/) || [''])[0]} : null; }"""
# What the user sees of the focused control: a switch's input is hidden and its label shows the focus.
FOCUS_BOX = """() => { const e = document.activeElement; const shown = e.getAttribute('role') === 'switch' ? e.closest('label') : e;
  const r = shown.getBoundingClientRect(); return {x: r.x - 6, y: r.y - 6, width: r.width + 12, height: r.height + 12}; }"""

# Take the focus away: a dialog or popover keeps the focus inside itself (a plain blur comes straight back),
# so its nearest container that takes focus without a ring of its own (tabindex -1) gets it instead.
UNFOCUS = """() => { const e = window.__focused = document.activeElement;
  const container = e.parentElement.closest('[tabindex="-1"]'); container ? container.focus() : e.blur(); }"""


def tab_to(page, wanted, what: str) -> dict:
    """Press Tab until the focused element satisfies `wanted(focused)`; it fails after TAB_LIMIT presses."""
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused and wanted(focused):
            return focused
    raise AssertionError(f"{TAB_LIMIT} presses of Tab never reached {what}")


def assert_focus_visible(page, what: str) -> None:
    """The focused control looks different from itself unfocused (outline, ring or colour change)."""
    clip = page.evaluate(FOCUS_BOX)
    focused = page.screenshot(clip=clip)
    page.evaluate(UNFOCUS)
    unfocused = page.screenshot(clip=clip)
    page.evaluate("() => window.__focused.focus({focusVisible: true})")
    changed = np.abs(_pixels(focused) - _pixels(unfocused)).max(axis=2) >= RING_STEP
    assert changed.sum() >= RING_PIXELS, f"the keyboard focus on {what} is invisible ({changed.sum()} pixels changed clearly)"


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def test_browse_by_keyboard_only(open_app):
    page = open_app("/browse?model=mlp")

    tab_to(page, lambda f: f["tag"] == "BUTTON" and "Filters" in f["text"], "the Filters button")
    assert_focus_visible(page, "the Filters button")
    page.keyboard.press("Enter")
    mistakes = page.get_by_role("switch", name="Only mistakes")
    expect(mistakes).to_be_visible()
    tab_to(page, lambda f: f["role"] == "switch" and "Only mistakes" in f["text"], "the Only mistakes toggle")
    assert_focus_visible(page, "the Only mistakes toggle")
    rerun(page, lambda: page.keyboard.press("Space"))
    assert "wrong=1" in page.url
    page.keyboard.press("Escape")  # closes the popover
    expect(mistakes).to_be_hidden()

    tile = tab_to(page, lambda f: f["tag"] == "BUTTON" and f["key"].startswith("st-key-tile-"), "a tile's caption")
    assert tile["text"].startswith("✗"), tile  # only mistakes now
    assert_focus_visible(page, "a tile's caption")
    rerun(page, lambda: page.keyboard.press("Enter"))
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    index = tile["key"].removeprefix("st-key-tile-")
    assert f"idx={index}" in page.url
    heading = dialog.get_by_role("heading", name="Test image #")
    expect(heading).to_have_text(f"Test image #{index}")

    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"].strip().endswith("Next"), "the dialog's Next button")
    assert_focus_visible(page, "the dialog's Next button")
    rerun(page, lambda: page.keyboard.press("Enter"))
    expect(heading).not_to_have_text(f"Test image #{index}")

    rerun(page, lambda: page.keyboard.press("Escape"))
    expect(dialog).to_be_hidden()
    expect(page).not_to_have_url(re.compile(r"idx="))  # the closing run may end just after the dialog has gone
    assert "wrong=1" in page.url
    assert exception_boxes(page) == 0
