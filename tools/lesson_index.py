"""Keep every lesson's Colab/Binder badges, its Colab setup cell and README's lesson table in
line with the one repository setting in pyproject.toml ([tool.course] repository, branch).

    python tools/lesson_index.py          # rewrite what is stale
    python tools/lesson_index.py --check  # exit 1 and list what is stale (used by the tests)
"""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- lessons:start -->", "<!-- lessons:end -->"


def settings() -> tuple[str, str]:
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["course"]
    return conf["repository"].rstrip("/"), conf.get("branch", "main")


def badges(name: str) -> str:
    repo, branch = settings()
    slug = repo.split("github.com/", 1)[1]
    return (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            f"(https://colab.research.google.com/github/{slug}/blob/{branch}/lessons/{name}.ipynb)\n"
            f"[![Binder](https://mybinder.org/badge_logo.svg)]"
            f"(https://mybinder.org/v2/gh/{slug}/{branch}?labpath=lessons%2F{name}.ipynb)")


def setup_cell() -> str:
    repo, branch = settings()
    return ('# On Colab, fetch the course so `course_lib` imports; elsewhere this cell does nothing.\n'
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


def fix_notebook(path: Path) -> bool:
    """Return True when the notebook was (or would be) changed."""
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    lines = [ln for ln in first.source.splitlines()
             if not ln.startswith(("[![Open In Colab]", "[![Binder]"))]
    # badges sit right after the title line and its blank line
    new_first = "\n".join(lines[:2] + badges(path.stem).splitlines() + lines[2:])
    new_setup = setup_cell()
    changed = first.source != new_first or nb.cells[1].source != new_setup
    first.source, nb.cells[1].source = new_first, new_setup
    return changed, nb


def table() -> str:
    rows = ["| lesson | topic | open |", "|---|---|---|"]
    for p in lessons():
        nb = nbformat.read(p, as_version=4)
        b = badges(p.stem).replace("\n", " ").replace("Open In Colab", "Colab")
        rows.append(f"| [{p.stem}](lessons/{p.name}) | {title(nb)} | {b} |")
    return "\n".join(rows)


def main(argv) -> int:
    check = "--check" in argv
    stale = []
    for p in lessons():
        changed, nb = fix_notebook(p)
        if changed:
            stale.append(f"{p.relative_to(ROOT)}: badges or Colab setup cell")
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
