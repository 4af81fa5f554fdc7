"""Run one exercise's check cell from a lesson against a chosen answer, without executing the
lesson: the cell's own source is executed in a namespace the test builds (the answer plus the
few references the check reads). This is how tests/test_exercises_*.py prove that every
exercise check rejects a plausible wrong answer and that the unsolved stub only prints a hint."""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
MARK = "NBVAL_CHECK_OUTPUT"


def check_cell(lesson: str, name: str) -> str:
    """Source of the checkpoint cell in lessons/<lesson>.ipynb that judges exercise ``name``
    (the cell calling ``checks.judge``/``checks.exercise`` with that name in quotes, alone or
    before a colon: "Exercise 3: share of dead latents")."""
    nb = nbformat.read(ROOT / "lessons" / f"{lesson}.ipynb", as_version=4)
    found = [c.source for c in nb.cells if c.cell_type == "code" and MARK in c.source
             and ("checks.judge(" in c.source or "checks.exercise(" in c.source)
             and any(f"{q}{name}{end}" in c.source for q in "'\"" for end in (q, ":"))]
    if len(found) != 1:
        raise LookupError(f"{lesson}: expected one check cell for {name!r}, found {len(found)}")
    return found[0]


def run_check(lesson: str, name: str, namespace: dict) -> str:
    """Execute the check cell with ``namespace`` (course_lib modules are added) and return what
    it printed; a failed check raises ``checks.CheckFailed`` as in the lesson."""
    from course_lib import checks, data, metrics, models, training

    ns = {"checks": checks, "data": data, "metrics": metrics, "models": models,
          "training": training, "np": __import__("numpy"), **namespace}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(check_cell(lesson, name), f"{lesson}:{name}", "exec"), ns)
    return out.getvalue()
