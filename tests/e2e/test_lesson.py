"""The Lesson in a real Chromium: a teacher walks all eight steps with Next, as in front of a class."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from fmnist import lesson
from tests.e2e.harness import exception_boxes, rerun

pytestmark = pytest.mark.e2e


def step_heading(page, step: int):
    return page.get_by_role("heading", name=f"{step}. {lesson.STEPS[step - 1].title}")


def test_a_teacher_walks_every_step_with_next(open_app):
    page = open_app("/lesson", width=1280, height=720)
    expect(step_heading(page, 1)).to_be_visible()
    for step in range(2, lesson.STEP_COUNT + 1):
        rerun(page, lambda: page.get_by_role("button", name="Next", exact=True).click())
        expect(step_heading(page, step)).to_be_visible()
        assert re.search(rf"[?&]step={step}(&|$)", page.url), page.url
        assert exception_boxes(page) == 0, f"an exception on step {step}"
        if step == 3:  # the diagram, drawn by the browser from the model's layers
            expect(page.locator('[data-testid="stGraphVizChart"] svg')).to_be_visible()
            expect(page.locator('[data-testid="stGraphVizChart"] svg')).to_contain_text("100,480 parameters")
    expect(page.get_by_role("button", name="Next", exact=True)).to_be_disabled()
    rerun(page, lambda: page.get_by_role("button", name="Back", exact=True).click())
    expect(step_heading(page, lesson.STEP_COUNT - 1)).to_be_visible()


def test_a_linked_step_opens_and_the_notebook_downloads(open_app):
    page = open_app("/lesson?step=7&present=1", width=1920, height=1080)
    expect(step_heading(page, 7)).to_be_visible()
    expect(page.locator('[class*="st-key-lesson-grid"] img')).to_have_count(15)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as notebook").click()
    book = json.loads(open(download.value.path()).read())
    assert book["nbformat"] == 4 and lesson.cells(3)[0] in ["".join(c["source"]) for c in book["cells"]]
    assert exception_boxes(page) == 0
