"""Lesson 01 in a real browser: JupyterLab on localhost, Debian's Chromium driven by Playwright.

Runs every cell of a copy of lesson 01, drags the code-size slider and checks that the
reconstruction figure and the slider's readout change. A screenshot of the notebook after the
drag is saved to tests/artifacts/ (git-ignored; CI keeps it as an artifact).
Needs Chromium at /usr/bin/chromium (`apt-get install chromium`); no browser is downloaded.
"""
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
LESSON = "01_anatomy.ipynb"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def jupyterlab(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with `apt-get install "
                    f"chromium` (or set COURSE_CHROMIUM to a Chromium binary)")
    # A copy, so JupyterLab's autosave never writes outputs into the committed lesson.
    shutil.copy(ROOT / "lessons" / LESSON, tmp_path / LESSON)
    token, port = secrets.token_hex(16), _free_port()
    log = open(tmp_path / "jupyterlab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", "--allow-root",
         f"--port={port}", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={tmp_path}", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
        # a learner's kernel: the test suite's Agg backend (tests/conftest.py) stays out of it
        env={k: v for k, v in os.environ.items() if k != "MPLBACKEND"})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("JupyterLab did not start:\n"
                                + (tmp_path / "jupyterlab.log").read_text()[-3000:])
                time.sleep(0.5)
        yield url, token
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _run_all_cells(page):
    """Run > Run All Cells, once the kernel is connected, and check that execution started.

    The toolbar's execution indicator reads 'idle' before any kernel is attached, and JupyterLab
    silently skips cells run before then; the status bar's 'Python 3 (ipykernel) | Idle' appears
    only once the kernel is connected and idle.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                 .some(e => /\\|\\s*Idle\\s*$/.test(e.textContent))""", timeout=120_000)
    # A click that lands in that gap is lost, so it is repeated (at most twice) until a code cell
    # shows [*] or [n] in its prompt; a kernel that never runs anything still fails the test.
    for attempt in range(3):
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        try:
            page.wait_for_function(
                """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                         .some(e => /\\[(\\*|\\d+)\\]/.test(e.textContent))""",
                timeout=30_000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise


def test_code_size_slider_changes_the_reconstruction_in_chromium(jupyterlab):
    from playwright.sync_api import sync_playwright

    url, token = jupyterlab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu",
                                          "--disable-dev-shm-usage"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{url}/lab/tree/{LESSON}?token={token}")
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=90_000)
            _run_all_cells(page)

            # the explorer: a slider plus an output area holding the reconstruction figure
            handle = page.wait_for_selector(".jp-OutputArea .noUi-handle", timeout=300_000)
            figure = page.locator(".jp-OutputArea .widget-output img").first
            figure.wait_for(timeout=120_000)
            readout = page.locator(".jp-OutputArea .widget-readout").first
            before_src, before_value = figure.get_attribute("src"), readout.inner_text()

            handle.scroll_into_view_if_needed()
            box = handle.bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.mouse.down()
            page.mouse.move(box["x"] - 600, box["y"] + box["height"] / 2, steps=15)  # far left
            page.mouse.up()

            deadline = time.monotonic() + 60
            while figure.get_attribute("src") == before_src and time.monotonic() < deadline:
                time.sleep(0.5)
            after_src, after_value = figure.get_attribute("src"), readout.inner_text()
            page.screenshot(path=str(ARTIFACTS / "lesson01_code_size_slider.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "lesson01_failure.png"), full_page=True)
            raise
        finally:
            browser.close()
    assert after_value != before_value, f"slider readout stayed {before_value!r}"
    assert after_src != before_src, "the reconstruction figure did not change after the drag"
    assert after_src.startswith("data:image/png")
