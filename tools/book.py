"""Build the course as a static HTML book: each lesson executed, with its figures and checkpoint
lines, one page per lesson, and an index page with the course map.

    python tools/book.py OUT                          # every lessons/NN_*.ipynb
    python tools/book.py OUT 01_anatomy 02_losses     # just these (names or paths to notebooks)

Then open OUT/index.html in a browser (or `python -m http.server -d OUT -b 127.0.0.1`).

Committed lessons carry no figures, so GitHub shows none; this book shows what a learner sees
after running every cell. Each lesson runs top to bottom in a fresh kernel through the course's
runner (`course_lib.bench.execute_notebook`, the same one the benchmark uses) and is rendered by
nbconvert's HTMLExporter. On the page:
- previous / course map / next links at the top and bottom, and links that open the lesson's
  student copy on Colab or Binder (from tools/lesson_index.py's `badges()`);
- an ipywidgets explorer is shown as it was last drawn (its PNG and its controls' values), since
  a static page has no kernel to move a slider;
- the reference solutions of exercises are folded away under "Reference solution";
- TensorFlow's C++ log lines on stderr are left out (noise, not lesson output).

Exit status: 0 when every lesson ran without error, 1 when a lesson failed (its page is still
written, showing the error), 2 for a bad command line (unknown lesson, OUT that is lessons/ or
student/).
"""
from __future__ import annotations

import argparse
import contextlib
import html
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
STUDENT = ROOT / "student"
LESSON_GLOB = "[0-9][0-9]_*.ipynb"
MARK = "NBVAL_CHECK_OUTPUT"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# (first, last lesson number, heading); numbering from the course plan
PARTS = [(0, 0, "Start here"),
         (1, 7, "Part I — Foundations"),
         (8, 16, "Part II — Variants"),
         (17, 24, "Part III — Applications"),
         (25, 29, "Part IV — Modern autoencoders and scaling")]
# absl/TensorFlow C++ log lines ("E0000 00:00:17.. 6218 node_def_util.cc:682] ...")
TF_LOG = re.compile(r"^(?:[IWEF]\d{4} \d\d:\d\d:[\d.]+\s+\d+ \S+:\d+\]|WARNING: All log messages "
                    r"before absl::InitializeLog\(\) is called)")

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lesson_index  # noqa: E402  (tools/lesson_index.py: titles and Colab/Binder badges)


class BookError(ValueError):
    """A request the tool refuses; the message is one line meant for the command line."""


# ---------------------------------------------------------------- what to build, and where
def available() -> list[Path]:
    return sorted(LESSONS.glob(LESSON_GLOB))


def resolve_lessons(names) -> list[Path]:
    """Lesson notebooks for names such as ``01_anatomy``, ``01_anatomy.ipynb`` or a path; all
    lessons when ``names`` is empty. Raises BookError naming the valid names."""
    if not names:
        found = available()
        if not found:
            raise BookError(f"no lessons (NN_name.ipynb) in {LESSONS}")
        return found
    paths = []
    for name in names:
        path = Path(name)
        if path.suffix == ".ipynb" and path.is_file():
            if not re.fullmatch(r"\d\d_\w+", path.stem):
                raise BookError(f"lesson {name!r} is not named NN_name.ipynb")
            paths.append(path.resolve())
            continue
        candidate = LESSONS / f"{path.name.removesuffix('.ipynb')}.ipynb"
        if not re.fullmatch(r"\d\d_\w+", candidate.stem) or not candidate.is_file():
            valid = ", ".join(p.stem for p in available())
            raise BookError(f"unknown lesson {name!r}; valid names: {valid}")
        paths.append(candidate)
    paths = list(dict.fromkeys(paths))  # each lesson once, in the order given
    stems = [p.stem for p in paths]
    twice = sorted({s for s in stems if stems.count(s) > 1})
    if twice:
        raise BookError(f"two notebooks named {', '.join(twice)}: their pages would collide")
    return paths


def check_out(out) -> Path:
    """OUT as an absolute path; refuses the course's own notebook folders and files."""
    out = Path(out).resolve()
    for folder in (LESSONS, STUDENT):
        if out == folder or folder in out.parents:
            raise BookError(f"refusing to write the book into {out}: that is the course's "
                            f"{folder.name}/ folder; choose another OUT (e.g. /tmp/book)")
    if out.exists() and not out.is_dir():
        raise BookError(f"OUT {out} exists and is not a folder")
    return out


def part_of(number: int) -> str:
    return next((title for lo, hi, title in PARTS if lo <= number <= hi), "More lessons")


def _plain(markdown: str) -> str:
    """Markdown of one line reduced to plain text (emphasis, code and math markers dropped)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return re.sub(r"\s+", " ", text.replace("*", "").replace("`", "").replace("$", "")).strip()


def topic(nb, limit: int = 120) -> str:
    """One line about the lesson: the first "You will learn" bullet, shortened."""
    lines = nb.cells[0].source.splitlines()
    start = next((i for i, ln in enumerate(lines) if "you will learn" in ln.lower()), None)
    if start is None:
        return ""
    bullet = []
    for ln in lines[start + 1:]:
        s = ln.strip()
        if s.startswith(("- ", "* ")):
            if bullet:
                break
            bullet.append(s[2:])
        elif bullet and s:
            bullet.append(s)
        elif bullet or s:  # the bullet ended, or no bullet list follows the heading
            break
    text = _plain(" ".join(bullet)).rstrip(";,.")
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0].rstrip(";,:") + " …"
    return text[:1].upper() + text[1:]


def lesson_info(path: Path) -> dict:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    number = int(path.stem[:2])
    return {"name": path.stem, "number": number, "part": part_of(number),
            "title": lesson_index.title(nb), "topic": topic(nb), "page": f"{path.stem}.html",
            "badges": student_links(path.stem)}


def student_links(name: str) -> list[tuple[str, str]]:
    """(label, url) of the student copy's Colab and Binder badges."""
    return re.findall(r"\[!\[([^\]]*)\]\([^)]*\)\]\(([^)]*)\)", lesson_index.badges(name))


# ---------------------------------------------------------------- executing a lesson
@contextlib.contextmanager
def _inline_figures():
    """The kernel inherits our environment: make sure it draws figures inline (as PNG outputs),
    whatever MPLBACKEND the caller has (the test suite sets Agg, which would draw nothing)."""
    old = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = old


def execute(path: Path, timeout: int = 600):
    """Run the lesson in a fresh kernel (in its own folder, as the benchmark does); return the
    executed notebook and ``{"seconds", "peak_rss_mb", "error", "verdicts"}``."""
    import nbformat

    from course_lib.bench import execute_notebook

    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    with _inline_figures():
        try:
            run = execute_notebook(nb, path.parent, timeout)
        except Exception as e:  # a cell timeout or a dead kernel: keep the page of what ran
            run = {"seconds": time.perf_counter() - t0, "peak_rss_mb": float("nan"),
                   "error": f"{type(e).__name__}: {str(e).strip()[:300]}"}
    run["verdicts"] = [ln for c in nb.cells if c.cell_type == "code" and MARK in c.source
                       for o in c.get("outputs", []) for ln in o.get("text", "").splitlines()
                       if ln.startswith(("PASS", "FAIL", "TODO"))]
    return nb, run


# ---------------------------------------------------------------- static widgets
def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _output_html(out, models, depth) -> str:
    kind = out.get("output_type")
    if kind == "stream":
        return f"<pre>{_e(out.get('text', ''))}</pre>"
    if kind == "error":
        return f"<pre>{_e(out.get('ename', ''))}: {_e(out.get('evalue', ''))}</pre>"
    data = out.get("data", {})
    if WIDGET_VIEW in data:
        return _widget_html(data[WIDGET_VIEW].get("model_id", ""), models, depth + 1)
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            b64 = "".join(data[mime].split()) if isinstance(data[mime], str) else ""
            return f'<img src="data:{mime};base64,{b64}" alt="figure">'
    if "text/html" in data:
        return "".join(data["text/html"])
    return f"<pre>{_e(''.join(data.get('text/plain', '')))}</pre>"


def _value(state: dict) -> str:
    labels, index = state.get("_options_labels"), state.get("index")
    if labels is not None and index is not None:
        picked = index if isinstance(index, (list, tuple)) else [index]
        return ", ".join(str(labels[i]) for i in picked if i is not None and 0 <= i < len(labels))
    value = state.get("value", "")
    return " – ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def _widget_html(model_id: str, models: dict, depth: int = 0) -> str:
    """Static HTML for one widget model of the saved widget state, children included."""
    model = models.get(str(model_id).removeprefix("IPY_MODEL_"))
    if model is None or depth > 30:
        return ""
    name, state = model.get("model_name", ""), model.get("state", {})
    label = f'<span class="book-widget-label">{_e(state["description"])}</span> ' \
        if state.get("description") else ""
    if name == "OutputModel":
        return "".join(_output_html(o, models, depth) for o in state.get("outputs", []))
    if isinstance(state.get("children"), list):
        box = "book-hbox" if name == "HBoxModel" else "book-vbox"
        inner = "".join(_widget_html(c, models, depth + 1) for c in state["children"])
        return f'<div class="{box}">{inner}</div>'
    if name in ("HTMLModel", "HTMLMathModel"):
        return f"<div>{label}{state.get('value', '')}</div>"
    if name == "LabelModel":
        return f"<div>{label}{_e(state.get('value', ''))}</div>"
    if name in ("IntProgressModel", "FloatProgressModel"):
        lo, hi, val = state.get("min", 0), state.get("max", 100), state.get("value", 0)
        return (f'<div>{label}<progress value="{_e(val - lo)}" max="{_e(hi - lo)}">'
                f"{_e(val)}</progress></div>")
    if "value" in state or "index" in state:
        return f'<div class="book-control">{label}<b>{_e(_value(state))}</b></div>'
    return ""


def static_widgets(nb) -> int:
    """Replace every widget view in the outputs by static HTML drawn from the widget state that
    the run saved (an Explorer's last PNG, its controls' values, a finished progress bar); drop
    the widget state, so the page needs no widget JavaScript. Returns how many were replaced."""
    import nbformat

    models = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    replaced = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for i, out in enumerate(cell.get("outputs", [])):
            data = out.get("data", {})
            if WIDGET_VIEW not in data:
                continue
            plain = data.get("text/plain", "")
            body = _widget_html(data[WIDGET_VIEW].get("model_id", ""), models)
            if "book-control" in body:  # it has controls a learner would move
                body = ('<div class="book-widget"><div class="book-widget-note">Interactive '
                        "widget, shown as it was last drawn: run the lesson in Jupyter to use its "
                        f"controls.</div>{body}</div>")
            if body:
                new = nbformat.v4.new_output("display_data",
                                             data={"text/html": body, "text/plain": plain})
            else:  # no saved state for it: its text form
                new = nbformat.v4.new_output("display_data", data={"text/plain": plain})
            cell.outputs[i] = new
            replaced += 1
    nb.metadata.pop("widgets", None)
    return replaced


def prepare(nb) -> None:
    """The executed notebook made ready for a static page (in place)."""
    first = nb.cells[0]
    if first.cell_type == "markdown":  # badges move to the page header as plain links
        first.source = "\n".join(ln for ln in first.source.splitlines()
                                 if not ln.startswith(("[![Open In Colab]", "[![Binder]")))
    static_widgets(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                text = "".join(ln for ln in out.get("text", "").splitlines(keepends=True)
                               if not TF_LOG.match(ln))
                if not text.strip():
                    continue
                out["text"] = text
            kept.append(out)
        cell.outputs = kept


# ---------------------------------------------------------------- pages
CSS = """
.book-nav { display: flex; gap: 1em; justify-content: space-between; align-items: center;
  font-family: system-ui, sans-serif; font-size: 15px; padding: 10px 16px; margin: 0 0 12px;
  background: #f3f5f8; border-bottom: 1px solid #d8dde5; }
.book-nav a { text-decoration: none; color: #1558b0; }
.book-nav .book-off { color: #9aa3ad; }
.book-nav-bottom { border-top: 1px solid #d8dde5; border-bottom: none; margin: 24px 0 0; }
.book-meta { font-family: system-ui, sans-serif; font-size: 14px; color: #444;
  padding: 0 16px 8px; }
.book-badge { display: inline-block; padding: 2px 9px; margin: 0 2px; border-radius: 4px;
  background: #1558b0; color: #fff !important; text-decoration: none; font-size: 13px; }
.book-widget { border: 1px dashed #b8c2cf; border-radius: 6px; padding: 6px 10px; }
.book-widget-note { font-size: 12px; color: #666; margin-bottom: 4px; font-style: italic; }
.book-hbox { display: flex; gap: 8px; align-items: center; }
.book-widget img { max-width: 100%; }
details.book-solution { margin: 4px 0; }
details.book-solution > summary { cursor: pointer; color: #1558b0;
  font-family: system-ui, sans-serif; font-size: 14px; padding: 2px 16px; }
"""

LESSON_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_css -%}<style type="text/css">{{ resources.book.css }}</style>
{%- endblock html_head_css -%}
{%- block body_header -%}{{ super() }}
{{ resources.book.top }}
{%- endblock body_header -%}
{% block body_footer %}{{ resources.book.bottom }}
{{ super() }}{% endblock body_footer %}
{% block codecell %}
{%- if 'solution' in cell.metadata.get('tags', []) -%}
<details class="book-solution"><summary>Reference solution (try the exercise first)</summary>
{{ super() }}
</details>
{%- else -%}
{{ super() }}
{%- endif -%}
{% endblock codecell %}
"""


def _link(info, text, rel) -> str:
    if info is None:
        return f'<span class="book-off">{_e(text)}</span>'
    return (f'<a rel="{rel}" href="{_e(info["page"])}" title="{_e(info["title"])}">'
            f'{_e(text)}</a>')


def nav(prev, nxt, where: str) -> str:
    left = _link(prev, f"← {prev['name']}" if prev else "← previous", "prev")
    right = _link(nxt, f"{nxt['name']} →" if nxt else "next →", "next")
    return (f'<nav class="book-nav book-nav-{where}">{left}'
            f'<a href="index.html">Course map</a>{right}</nav>')


def badges_html(info) -> str:
    return " ".join(f'<a class="book-badge" href="{_e(url)}">{_e(label)}</a>'
                    for label, url in info["badges"])


def _summary(run) -> str:
    verdicts = run["verdicts"]
    passed = sum(v.startswith("PASS") for v in verdicts)
    text = f"{passed}/{len(verdicts)} checkpoints PASS"
    if run["error"]:
        text += " — the lesson stopped with an error"
    return text


def render_lesson(nb, info, run, prev, nxt) -> str:
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", template_file="book_lesson.html.j2",
                            extra_loaders=[jinja2.DictLoader({"book_lesson.html.j2":
                                                              LESSON_TEMPLATE})])
    nb.metadata["title"] = f"{info['name']} — {info['title']}"
    meta = (f'<div class="book-meta">{_e(info["part"])} · executed in {run["seconds"]:.0f} s · '
            f'{_e(_summary(run))} · run the student copy: {badges_html(info)}</div>')
    book = {"css": CSS, "top": nav(prev, nxt, "top") + meta, "bottom": nav(prev, nxt, "bottom")}
    body, _ = exporter.from_notebook_node(nb, resources={"book": book})
    return body


def course_title() -> str:
    first = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[0]
    return first.lstrip("# ").strip() if first.startswith("#") else "Autoencoders course"


def render_index(infos, runs) -> str:
    """The course map: every lesson of lessons/ by part; those built this time are linked."""
    parts = []
    for _, _, part in PARTS + [(None, None, "More lessons")]:
        rows = [i for i in infos if i["part"] == part]
        if not rows:
            continue
        items = []
        for info in rows:
            run = runs.get(info["name"])
            head = f'<span class="num">{info["number"]:02d}</span> {_e(info["title"])}'
            if run is None:
                items.append(f'<li class="off">{head}<div class="topic">{_e(info["topic"])}</div>'
                             '<div class="meta">not in this build</div></li>')
                continue
            items.append(f'<li><a href="{_e(info["page"])}">{head}</a>'
                         f'<div class="topic">{_e(info["topic"])}</div>'
                         f'<div class="meta">{_e(_summary(run))} · {run["seconds"]:.0f} s · '
                         f"student copy: {badges_html(info)}</div></li>")
        parts.append(f"<h2>{_e(part)}</h2>\n<ol class=\"book-map\">{''.join(items)}</ol>")
    title = _e(course_title())
    built = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em;
  color: #222; line-height: 1.45; }}
h2 {{ margin-top: 1.6em; border-bottom: 1px solid #ddd; }}
ol.book-map {{ list-style: none; padding: 0; }}
ol.book-map li {{ margin: 0 0 0.9em; }}
ol.book-map li > a {{ font-weight: 600; color: #1558b0; text-decoration: none; }}
ol.book-map li.off {{ color: #888; }}
.num {{ font-variant-numeric: tabular-nums; }}
.topic {{ color: #444; }}
.meta {{ font-size: 13px; color: #666; }}
{CSS}
</style></head>
<body>
<h1>{title}</h1>
<p>Every lesson of this book was executed top to bottom at build time ({built}); its figures and
checkpoint lines (<code>PASS …</code>) are what you will see when you run it. To work through a
lesson yourself, open its student copy on Colab or Binder, or clone the repository and run
<code>jupyter lab lessons/</code>.</p>
{chr(10).join(parts)}
</body></html>
"""


# ---------------------------------------------------------------- command line
def build(out: Path, paths, timeout: int = 600, log=print) -> int:
    """Execute and render ``paths`` into ``out``; return the number of lessons that failed."""
    out.mkdir(parents=True, exist_ok=True)
    order = [lesson_info(p) for p in paths]
    infos = {p.stem: lesson_info(p) for p in available()}
    infos.update({i["name"]: i for i in order})  # a lesson given as a path is on the map too
    runs, failed = {}, 0
    for k, info in enumerate(order):
        nb, run = execute(paths[k], timeout)
        runs[info["name"]] = run
        prepare(nb)
        page = render_lesson(nb, info, run, order[k - 1] if k else None,
                             order[k + 1] if k + 1 < len(order) else None)
        (out / info["page"]).write_text(page, encoding="utf-8")
        failed += bool(run["error"])
        error = re.sub(r"\x1b\[[0-9;]*m", "", run["error"] or "")  # no terminal colours
        log(f"{info['name']:38s} {run['seconds']:6.1f} s  {_summary(run)}"
            f"{'  ERROR: ' + error if error else ''}", flush=True)
    index = sorted(infos.values(), key=lambda i: (i["number"], i["name"]))
    (out / "index.html").write_text(render_index(index, runs), encoding="utf-8")
    log(f"wrote {out / 'index.html'} and {len(order)} lesson page(s)")
    return failed


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python tools/book.py",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("out", metavar="OUT", help="folder for the book (created if missing)")
    ap.add_argument("lessons", metavar="LESSON", nargs="*",
                    help="lesson names such as 01_anatomy, or notebook paths (default: all)")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    args = ap.parse_args(argv)
    try:
        if args.timeout <= 0:
            raise BookError(f"--timeout must be a positive number of seconds, got {args.timeout}")
        out = check_out(args.out)
        paths = resolve_lessons(args.lessons)
    except BookError as e:
        print(f"book.py: error: {e}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    failed = build(out, paths, args.timeout)
    print(f"built in {time.perf_counter() - t0:.0f} s; open {out / 'index.html'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
