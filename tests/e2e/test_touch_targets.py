"""Every control a student taps on a phone (390×844, touch) is at least 44×44 px (WCAG 2.5.5, Apple's HIG).

Streamlit's own sizes are 18-40 px; fmnist/ui/accessible.css raises them on a narrow screen. What is measured
is the box the finger hits: a checkbox's or radio's label rather than its 13 px box, a slider's whole track.
"""

from __future__ import annotations

import pytest

from tests.e2e.harness import exception_boxes, rerun

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}
MIN_PX = 44

# Left out on purpose, each for a reason WCAG 2.5.5 names or that the app cannot change:
EXCEPTIONS = {
    "stHeaderActionElements": "a heading's copy-link anchor, inline beside the heading's text (2.5.5's inline exception)",
    "stTooltipIcon": "a help (?) icon at the end of a label or sentence, inline with its text",
    "stBaseButton-elementToolbar": "Streamlit's optional toolbar (fullscreen, download) floating over a picture or chart; "
    "44 px would cover the picture, and nothing in the lesson needs it",
}

# Each visible control on the first screen and below (not the collapsed sidebar, not visually hidden
# helpers such as the skip link or react-aria's dismiss button), as {what, x, y, width, height}.
CONTROLS = """(exceptions) => {
  const hidden = (e) => { for (let a = e; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a), r = a.getBoundingClientRect();
      if (s.visibility === 'hidden' || s.display === 'none' || s.clipPath === 'inset(50%)' || (r.width <= 1 && r.height <= 1)) return true;
    } return false; };
  const target = (e) => (e.type === 'checkbox' || e.type === 'radio' ? e.closest('label') : e);
  const seen = new Set(), out = [];
  for (const e of document.querySelectorAll('button, a[href], input, select, textarea, [role="button"], [role="radio"], [role="tab"], [role="slider"]')) {
    const t = target(e);
    if (seen.has(t) || e.closest('[data-testid="stSidebar"]')) continue;
    seen.add(t);
    const own = e.getAttribute('data-testid'), holder = e.closest(exceptions.map(k => `[data-testid="${k}"]`).join(','));
    if ((own && exceptions.includes(own)) || holder) continue;
    if (e.type === 'range' || hidden(e)) continue;  // a slider's range input is hidden; its track and thumb are measured below
    const r = t.getBoundingClientRect();
    if (r.right <= 0 || r.left >= window.innerWidth) continue;  // off to the side: the closed sidebar's toggle area
    const name = (e.getAttribute('aria-label') || e.innerText || e.value || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    out.push({what: `${e.tagName.toLowerCase()} ${own || t.closest('[data-testid]')?.getAttribute('data-testid')} "${name}"`,
              width: Math.round(r.width), height: Math.round(r.height)});
  }
  for (const s of document.querySelectorAll('[data-testid="stSlider"] [role="group"] > div')) {
    const r = s.getBoundingClientRect();
    out.push({what: 'slider track', width: Math.round(r.width), height: Math.round(r.height)});
  }
  return out;
}"""


def too_small(page) -> tuple[list[dict], list[dict]]:
    """All controls measured, and those under 44 px either way."""
    controls = page.evaluate(CONTROLS, list(EXCEPTIONS))
    return controls, [c for c in controls if c["width"] < MIN_PX or c["height"] < MIN_PX]


def check(page, expected: list[str]) -> None:
    page.wait_for_timeout(300)  # widgets finish laying out after the run
    controls, small = too_small(page)
    names = " | ".join(c["what"] for c in controls)
    for part in expected:  # the controls the tester reported are among those measured
        assert part in names, f"{part!r} not measured: {names}"
    assert small == [], small
    assert exception_boxes(page) == 0


def test_browse_with_the_detail_open(open_app):
    page = open_app("/browse?model=mlp&idx=5", **PHONE)
    check(page, ['stDialog "Close"', 'Previous"', 'Next"', "stNumberInputStepUp", "stButtonGroup", "stBaseButton-tertiary"])


def test_quiz_round(open_app):
    page = open_app("/quiz?model=mlp", **PHONE)
    check(page, ['"Alone"', '"Class game"', "The model's hardest", '"T-shirt/top"', '"Ankle boot"', 'New round"'])


def test_photo_with_an_example(open_app):
    page = open_app("/photo?model=mlp", **PHONE)
    rerun(page, lambda: page.get_by_role("radio", name="Try an example").tap())
    rerun(page, lambda: page.locator(".st-key-example-1 button").tap())
    check(page, ['"Try 1"', "Upload a photo", '"Occlusion"', '"Gradient"', "stSelectbox"])


def test_draw(open_app):
    page = open_app("/draw?model=mlp", **PHONE)
    check(page, ['Clear"', "slider track"])
