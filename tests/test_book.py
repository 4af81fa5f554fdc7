"""tools/book.py: the course rendered as a static HTML book.

The tests named ``test_executes_lesson_*`` (marked ``slow``; the Chromium one also ``browser``)
EXECUTE a real lesson (02_losses, ~14 s on a quiet machine) through ``python tools/book.py`` once
per test module, then check the pages on disk and in headless Chromium (Debian's
/usr/bin/chromium driven by Playwright, as in tests/test_browser.py; no browser is downloaded).
The other tests take a second or two each.
"""
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "book.py"
sys.path.insert(0, str(ROOT / "tools"))
import book  # noqa: E402
import lesson_index  # noqa: E402

# One of the quickest lessons in benchmarks/lessons.md (~14 s) that draws matplotlib figures.
# Quicker ones either draw none (24_text), start worker processes (29_scaling_out) or check the
# whole course's presence (00_start_here).
LESSON = "02_losses"
# how the project launches Chromium: tests/test_browser.py
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
ARTIFACTS = ROOT / "tests" / "artifacts"


def _run(*args, timeout=900):
    return subprocess.run([sys.executable, str(TOOL), *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.srcs = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag == "img" and a.get("src"):
            self.srcs.append(a["src"])


def _links(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _local_targets(page: Path, hrefs):
    """The files that the page's relative links point to (remote links and #anchors left out)."""
    targets = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path:
            continue
        targets.append((page.parent / unquote(parts.path)).resolve())
    return targets


# ------------------------------------------------------------------ quick tests (no kernel)
def test_unknown_lesson_is_a_one_line_error_listing_the_valid_names(tmp_path):
    r = _run(tmp_path / "book", "99_no_such_lesson", timeout=120)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "99_no_such_lesson" in lines[0], r.stderr
    assert "01_anatomy" in lines[0] and LESSON in lines[0]
    assert not (tmp_path / "book").exists()


@pytest.mark.parametrize("out", ["lessons", "student", "lessons/book", "./student/"])
def test_refuses_to_write_into_lessons_or_student(out):
    before = sorted(p.name for p in (ROOT / "lessons").iterdir())
    r = _run(out, "01_anatomy", timeout=120)
    assert r.returncode == 2 and "refusing" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in (ROOT / "lessons").iterdir()) == before


def test_lessons_resolve_by_name_file_name_or_path():
    path = ROOT / "lessons" / "01_anatomy.ipynb"
    assert book.resolve_lessons(["01_anatomy", "01_anatomy.ipynb", str(path)]) == [path]
    assert book.resolve_lessons([]) == book.available()
    with pytest.raises(book.BookError, match="valid names: .*01_anatomy"):
        book.resolve_lessons(["anatomy"])


@pytest.mark.parametrize("number,part", [(0, "Start here"), (1, "Part I "), (7, "Part I "),
                                         (8, "Part II "), (16, "Part II "), (17, "Part III "),
                                         (24, "Part III "), (25, "Part IV "), (29, "Part IV ")])
def test_lessons_are_grouped_by_the_plans_numbering(number, part):
    assert book.part_of(number).startswith(part)


def test_course_map_lists_every_lesson_with_title_and_topic():
    for path in book.available():
        info = book.lesson_info(path)
        assert info["title"] and not info["title"].startswith("#"), path.name
        assert info["topic"] and "\n" not in info["topic"], path.name


def _widget_notebook():
    """An executed cell holding an Explorer (title, selection slider, output with a PNG) and a
    tqdm-style progress bar, as the runner saves them in nb.metadata.widgets."""
    png = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJ"
           "RU5ErkJggg==")  # a 1x1 PNG

    def m(name, **state):
        return {"model_name": name, "model_module": "@jupyter-widgets/controls",
                "model_module_version": "2.0.0", "state": state}

    state = {
        "box": m("VBoxModel", children=["IPY_MODEL_title", "IPY_MODEL_slider", "IPY_MODEL_out"]),
        "title": m("HTMLModel", value="<b>Drag the slider</b>"),
        "slider": m("SelectionSliderModel", description="code size", index=2,
                    _options_labels=["2", "8", "32", "64"]),
        "out": m("OutputModel", outputs=[{"output_type": "display_data", "metadata": {},
                                          "data": {"image/png": png, "text/plain": "<Image>"}}]),
        "bar": m("HBoxModel", children=["IPY_MODEL_left", "IPY_MODEL_prog", "IPY_MODEL_right"]),
        "left": m("HTMLModel", value="training: 100%"),
        "prog": m("FloatProgressModel", value=6.0, min=0.0, max=6.0),
        "right": m("HTMLModel", value="6/6 [00:05&lt;00:00]"),
    }

    def view(mid, text):
        return nbformat.v4.new_output("display_data", data={
            "text/plain": text, book.WIDGET_VIEW: {"model_id": mid, "version_major": 2,
                                                   "version_minor": 0}})

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(
                    "# Lesson 01 — Title\n\n" + lesson_index.badges("01_anatomy") + "\n\ntext"),
                nbformat.v4.new_code_cell("explorer", outputs=[
                    view("box", "VBox(children=...)"), view("bar", "training:   0%|"),
                    nbformat.v4.new_output("stream", name="stderr", text=(
                        "WARNING: All log messages before absl::InitializeLog() is called are "
                        "written to STDERR\nE0000 00:00:1796293847.006823    6218 "
                        "node_def_util.cc:682] NodeDef mentions attribute\n"))])]
    nb.metadata["widgets"] = {book.WIDGET_STATE: {"version_major": 2, "version_minor": 0,
                                                  "state": state}}
    return nb, png


def test_widgets_become_static_html_that_keeps_the_explorers_png():
    nb, png = _widget_notebook()
    book.prepare(nb)
    outputs = nb.cells[1].outputs
    assert "widgets" not in nb.metadata  # no widget JavaScript on the page
    assert len(outputs) == 2  # TensorFlow's C++ log lines on stderr are dropped
    explorer, bar = (o["data"]["text/html"] for o in outputs)
    assert all(book.WIDGET_VIEW not in o["data"] for o in outputs)
    assert f'src="data:image/png;base64,{png}"' in explorer
    assert "<b>Drag the slider</b>" in explorer and "code size" in explorer
    assert "<b>32</b>" in explorer and "shown as it was last drawn" in explorer
    assert "last drawn" not in bar  # a finished progress bar needs no "interactive" note
    assert "training: 100%" in bar and '<progress value="6.0" max="6.0">' in bar
    # the header's badges leave the notebook body (they become links in the page's header)
    assert "[![" not in nb.cells[0].source and nb.cells[0].source.startswith("# Lesson 01")


def test_a_widget_without_saved_state_falls_back_to_its_text():
    nb, _ = _widget_notebook()
    nb.metadata.pop("widgets")
    book.prepare(nb)
    assert [o["data"] for o in nb.cells[1].outputs] == [{"text/plain": "VBox(children=...)"},
                                                       {"text/plain": "training:   0%|"}]


# ------------------------------------------------------------------ tests that execute a lesson
@pytest.fixture(scope="module")
def built_book(tmp_path_factory):
    """The book of one lesson, built once by the command line (this EXECUTES the lesson)."""
    out = tmp_path_factory.mktemp("book")
    r = _run(out, LESSON)
    assert r.returncode == 0, f"book.py failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return out


@pytest.mark.slow
def test_executes_lesson_into_pages_with_figures_checkpoints_and_navigation(built_book):
    index, page = built_book / "index.html", built_book / f"{LESSON}.html"
    assert index.is_file() and page.is_file()
    text = page.read_text(encoding="utf-8")
    assert "data:image/png;base64," in text, "no embedded figure on the lesson page"
    assert re.search(r"<pre>PASS \S", text), "no PASS checkpoint line on the lesson page"
    assert re.search(r"(\d+)/\1 checkpoints PASS", text)  # the header's summary: all of them
    assert "Traceback" not in text
    links = _links(page)
    assert links.hrefs.count("index.html") == 2  # course map link at the top and the bottom
    assert '<span class="book-off">← previous</span>' in text  # one lesson: no neighbours
    for target in _local_targets(page, links.hrefs) + _local_targets(index, _links(index).hrefs):
        assert target.is_file(), f"broken link to {target}"
    assert f'href="{LESSON}.html"' in index.read_text(encoding="utf-8")
    # the student copy's Colab and Binder links, as tools/lesson_index.py makes them
    for label, url in book.student_links(LESSON):
        assert url in links.hrefs, f"{label} link {url} missing"


@pytest.mark.slow
@pytest.mark.browser
def test_executes_lesson_and_chromium_shows_its_page(built_book):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with `apt-get install "
                    f"chromium` (or set COURSE_CHROMIUM to a Chromium binary)")
    from playwright.sync_api import sync_playwright

    page_path = built_book / f"{LESSON}.html"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        # offline and local: only file:// loads (MathJax's CDN script is refused, not awaited)
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
            "file://") else route.abort())
        try:
            page.goto(page_path.as_uri(), wait_until="load", timeout=60_000)
            assert LESSON in page.title()
            images = page.eval_on_selector_all(
                "img", "els => els.map(e => [e.complete, e.naturalWidth, e.src.slice(0, 30)])")
            assert images, "no image on the page"
            assert any(src.startswith("data:image/png") for _, _, src in images)
            assert all(done and width > 0 for done, width, _ in images), images
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            local = [urlsplit(h) for h in hrefs if h.startswith("file://")]
            assert local, "no local links on the page"
            for u in local:
                assert Path(unquote(u.path)).is_file(), f"broken link {u.geturl()}"
            page.screenshot(path=str(ARTIFACTS / "book_lesson.png"))
            page.click("nav.book-nav-top >> text=Course map")
            page.wait_for_load_state("load")
            assert page.url.endswith("/index.html")
            assert page.locator(f'a[href="{LESSON}.html"]').count() == 1
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "book_failure.png"), full_page=True)
            raise
        finally:
            browser.close()
