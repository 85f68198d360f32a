"""A real Streamlit server and a real Chromium, shared by the end-to-end tests and the app benchmark.

The server runs `streamlit run` on a free port; the browser is Debian's Chromium driven by Playwright
(Playwright's own browser download cannot work offline). We wait on Streamlit's own signal: the
`data-test-script-state` attribute of the app root, which is "running" while the script runs.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from fmnist.config import PROJECT_ROOT

CHROMIUM = os.environ.get("FMNIST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Several sessions at once (the load test) need every tab to render, not just the front one.
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
ARTIFACTS = PROJECT_ROOT / "artifacts"

# Counts finished script runs: every time the app root's state leaves "running".
RUN_COUNTER = """
window.__stRunsDone = 0;
new MutationObserver((records) => {
  for (const r of records) { if (r.oldValue === 'running') window.__stRunsDone += 1; }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']});
"""
# Idle: the script is not running, no element is still a loading skeleton (widget code loads lazily),
# and every image the script sent has arrived (a grid's 24 images finish loading ~100-170 ms after
# the run; until then the user sees gaps).
IDLE = (
    "() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
    " return a && a.dataset.testScriptState === 'notRunning' && !document.querySelector('[data-testid=\"stSkeleton\"]')"
    " && Array.from(document.querySelectorAll('[data-testid=\"stMain\"] img')).every(i => i.complete && i.naturalWidth > 0); }"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """`streamlit run streamlit_app.py` on a free loopback port, started and stopped by the caller."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log_path = ARTIFACTS / f"streamlit-{self.port}.log"

    def command(self) -> tuple[list[str], dict[str, str] | None]:
        """The command line and environment (None: inherited) that start the server."""
        return [
            sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "streamlit_app.py"),
            "--server.port", str(self.port), "--server.address", "127.0.0.1", "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        ], None

    @property
    def pid(self) -> int:
        """The Streamlit process (the one whose memory counts)."""
        return self.process.pid

    def start(self, timeout: float = 90) -> "AppServer":
        ARTIFACTS.mkdir(exist_ok=True)
        command, env = self.command()
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"streamlit did not become healthy within {timeout:.0f} s; see {self.log_path}")

    def rss_mb(self) -> float:
        """Resident memory of the server process, in MB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far (user + system), whatever else the machine runs."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def has_loaded(self, package: str) -> bool:
        """Whether the server process has mapped a shared library from site-packages/<package>/."""
        maps = Path(f"/proc/{self.pid}/maps").read_text()
        return f"/site-packages/{package}/" in maps

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "_log", None):
            self._log.close()


def launch_browser(playwright):
    """Debian's Chromium when present (always in CI); otherwise Playwright's own, if the user has it."""
    executable = CHROMIUM if Path(CHROMIUM).exists() else None
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


def open_page(browser, url: str, width: int = 1400, height: int = 1000, **context_options):
    """A new tab at `url`, with the run counter installed, once the first script run has finished.

    `context_options` go to Playwright's new_context, e.g. is_mobile=True, has_touch=True for a phone.
    """
    context = browser.new_context(viewport={"width": width, "height": height}, permissions=["camera"], **context_options)
    page = context.new_page()
    page.add_init_script(RUN_COUNTER)
    page.goto(url)
    wait_idle(page)  # the root exists and is idle …
    page.wait_for_function(f"() => window.__stRunsDone >= 1 && ({IDLE})()", timeout=90_000)  # … after the first run
    return page


def wait_idle(page, timeout: float = 60_000) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(IDLE, timeout=timeout)


# What the script put on the page body and in an open dialog (which Streamlit renders outside stMain):
# every image's source and every piece of rendered text (the uploader's file list and the camera's
# snapshot, which the browser shows before any rerun, left out).
SIGNATURE = (
    "() => Array.from(document.querySelectorAll('[data-testid=\"stMain\"] img,"
    " [data-testid=\"stMain\"] [data-testid=\"stMarkdownContainer\"],"
    " [role=\"dialog\"] img, [role=\"dialog\"] [data-testid=\"stMarkdownContainer\"]'))"
    ".filter(e => !e.closest('[data-testid=\"stFileUploader\"], [data-testid=\"stCameraInput\"]'))"
    ".map(e => e.getAttribute('src') || e.innerText).join('|')"
)


def runs_done(page) -> int:
    return page.evaluate("window.__stRunsDone")


def mark(page) -> tuple[int, str]:
    """What to compare with after an action: finished runs so far, and what the page shows."""
    return runs_done(page), page.evaluate(SIGNATURE)


def wait_rerun(page, before: tuple[int, str], timeout: float = 60_000) -> None:
    """Wait until a run after `before` has finished and the page is idle.

    A run that starts and ends within one React render never shows "running" in the DOM (seen under
    load), so a changed page also counts as a finished run.
    """
    runs, view = before
    page.wait_for_function(
        f"(old) => (window.__stRunsDone > {runs} || ({SIGNATURE})() !== old) && ({IDLE})()", arg=view, timeout=timeout
    )


def rerun(page, action, timeout: float = 60_000) -> float:
    """Do `action`, wait until the script run it caused has finished; return the seconds it took."""
    before = mark(page)
    start = time.perf_counter()
    action()
    wait_rerun(page, before, timeout)
    return time.perf_counter() - start


def timed_rerun(page, action, timeout: float = 60_000) -> tuple[float, float]:
    """Seconds from `action` until the page first shows something new, and until it is done: the run
    has finished and its images have loaded."""
    before = mark(page)
    start = time.perf_counter()
    action()
    page.wait_for_function(f"(old) => ({SIGNATURE})() !== old", arg=before[1], polling="raf", timeout=timeout)
    shown = time.perf_counter() - start
    wait_rerun(page, before, timeout)
    return shown, time.perf_counter() - start


INK = """(canvas) => {
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let bright = 0;
  for (let i = 0; i < pixels.length; i += 4) if (pixels[i] > 128) bright++;
  return bright > 0;
}"""


def draw_stroke(page, points: list[tuple[float, float]], release: bool = True) -> None:
    """Drag the mouse along points given as fractions of the drawing canvas (and let go).

    Hovering first lets Playwright wait until the canvas is visible, no longer moving and hit by the
    pointer. A stroke that leaves no ink (the canvas was still mounting) is drawn once more, so a
    test fails on what the app does with a stroke, not on gesture timing.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    top = page.locator('canvas[data-fabric="top"]')  # Fabric's top canvas takes the mouse
    for attempt in range(2):
        top.wait_for(state="visible")
        size = top.bounding_box()
        top.hover(position={"x": points[0][0] * size["width"], "y": points[0][1] * size["height"]})
        box = top.bounding_box()
        page.mouse.move(box["x"] + points[0][0] * box["width"], box["y"] + points[0][1] * box["height"])
        page.mouse.down()
        for fx, fy in points[1:]:
            page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"], steps=4)
        if not release:
            return
        page.mouse.up()
        try:  # the canvas sits in the component's shadow root, which locators (not querySelector) reach
            page.wait_for_function(INK, arg=page.locator("canvas.dc-canvas.lower-canvas").element_handle(), timeout=5_000)
            return
        except PlaywrightTimeout:
            if attempt:
                raise AssertionError("two strokes in a row left no ink on the canvas") from None
            print("draw_stroke: the stroke left no ink; drawing it again", file=sys.stderr)


def filter_toggle(page, label: str):
    """One of Browse's filter toggles ("Only mistakes", "Least sure first"), visible: the Filters popover is
    opened first when it is closed. Open it before marking a rerun: its text appearing changes the page."""
    toggle = page.get_by_text(label, exact=True)
    if not toggle.is_visible():
        page.get_by_role("button", name="Filters").first.click()
        toggle.wait_for(state="visible")
    return toggle


EXCEPTION = '[data-testid="stException"]'


def exception_boxes(page) -> int:
    return page.locator(EXCEPTION).count()
