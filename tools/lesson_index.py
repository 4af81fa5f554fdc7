"""Keep every lesson's Colab/Binder badges, its Colab setup cell and README's lesson table in
line with the one repository setting in pyproject.toml ([tool.course] repository, branch).

Badges and the README table point learners to the student copies (student/NN_name.ipynb, made by
`python -m course_lib.student lessons/ student/ --force`), not to lessons/, which holds the
instructors' copies with solutions. Regenerate student/ after running this tool: it edits lessons.

Each header's "Time on a laptop CPU" line is rewritten from benchmarks/lessons.json, so the time a
lesson claims is the time the course benchmark measured.

    python tools/lesson_index.py          # rewrite what is stale
    python tools/lesson_index.py --check  # exit 1 and list what is stale (used by the tests)
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import nbformat
import tomllib

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- lessons:start -->", "<!-- lessons:end -->"
STUDENT = "student"  # the learners' copies, which every badge and README link opens


def settings() -> tuple[str, str]:
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["course"]
    return conf["repository"].rstrip("/"), conf.get("branch", "main")


def badges(name: str) -> str:
    repo, branch = settings()
    slug = repo.split("github.com/", 1)[1]
    colab = f"https://colab.research.google.com/github/{slug}/blob/{branch}"
    return (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            f"({colab}/{STUDENT}/{name}.ipynb)\n"
            f"[![Binder](https://mybinder.org/badge_logo.svg)]"
            f"(https://mybinder.org/v2/gh/{slug}/{branch}?labpath={STUDENT}%2F{name}.ipynb)")


def setup_cell() -> str:
    repo, branch = settings()
    return ('# On Colab, fetch the course so `course_lib` imports; elsewhere this cell does '
            'nothing.\n'
            'import sys\n'
            'if "google.colab" in sys.modules:\n'
            '    import subprocess\n'
            '    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", '
            f'"{branch}",\n'
            f'                    "{repo}", "/content/course"], check=True)\n'
            '    sys.path.insert(0, "/content/course")')


def lessons():
    return sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))


def title(nb) -> str:
    first = nb.cells[0].source.splitlines()[0]
    return first.split("—", 1)[1].strip() if "—" in first else first.lstrip("# ").strip()


TIME_PREFIX = "**Time on a laptop CPU:**"


def measured_seconds() -> dict:
    """{lesson: wall seconds} from the course benchmark (benchmarks/lessons.json)."""
    bench = ROOT / "benchmarks" / "lessons.json"
    if not bench.is_file():
        return {}
    return {r["lesson"]: r["seconds"] for r in json.loads(bench.read_text())["lessons"]}


def time_line(seconds: float) -> str:
    """The header's time claim, from the benchmark: rounded up to 5 s, so it is never an
    underestimate of what was measured."""
    return (f"{TIME_PREFIX} about {5 * math.ceil(seconds / 5):.0f} s to run every cell "
            f"(measured on 2 CPU cores: benchmarks/lessons.md).")


def fix_notebook(path: Path):
    """Return (changed, notebook): changed is True when the notebook was (or would be) stale."""
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    lines = [ln for ln in first.source.splitlines()
             if not ln.startswith(("[![Open In Colab]", "[![Binder]"))]
    # badges sit right after the title line and its blank line, with a blank line after them
    # (otherwise Markdown runs them and "**You will learn**" together into one paragraph)
    rest = lines[2:]
    while rest and not rest[0].strip():
        rest = rest[1:]
    seconds = measured_seconds().get(path.stem)
    if seconds is not None:  # the time in the header is the benchmark's, not a guess
        rest = [time_line(seconds) if ln.startswith(TIME_PREFIX) else ln for ln in rest]
    new_first = "\n".join(lines[:2] + badges(path.stem).splitlines() + [""] + rest)
    new_setup = setup_cell()
    changed = first.source != new_first or nb.cells[1].source != new_setup
    first.source, nb.cells[1].source = new_first, new_setup
    return changed, nb


def table() -> str:
    rows = ["| lesson | topic | open |", "|---|---|---|"]
    for p in lessons():
        nb = nbformat.read(p, as_version=4)
        b = badges(p.stem).replace("\n", " ").replace("Open In Colab", "Colab")
        rows.append(f"| [{p.stem}]({STUDENT}/{p.name}) | {title(nb)} | {b} |")
    return "\n".join(rows)


def main(argv) -> int:
    check = "--check" in argv
    stale = []
    for p in lessons():
        changed, nb = fix_notebook(p)
        if changed:
            stale.append(f"{p.relative_to(ROOT)}: badges, time line or Colab setup cell")
            if not check:
                nbformat.write(nb, p)
    readme = (ROOT / "README.md").read_text()
    if START not in readme or END not in readme:
        stale.append(f"README.md: no {START} ... {END} block")
    else:
        head, rest = readme.split(START, 1)
        body, tail = rest.split(END, 1)
        new = f"{head}{START}\n{table()}\n{END}{tail}"
        if new != readme:
            stale.append("README.md: lesson table")
            if not check:
                (ROOT / "README.md").write_text(new)
    for s in stale:
        print(("stale: " if check else "updated: ") + s)
    return 1 if (check and stale) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
