"""Execute lessons and store outputs on checkpoint cells only (the course's commit format).

    python tools/refresh_checkpoints.py lessons/01_anatomy.ipynb [more.ipynb ...]

Checkpoint cells (containing ``# NBVAL_CHECK_OUTPUT``) keep their text output and execution
count, because nbval compares only cells with stored outputs; every other cell is stripped so
diffs stay reviewable. Prints each lesson's wall time.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from course_lib.bench import execute_notebook

MARK = "NBVAL_CHECK_OUTPUT"


def strip(nb) -> None:
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if MARK in cell.source:
            cell.outputs = [o for o in cell.outputs if o.get("output_type") == "stream"
                            and o.get("name") == "stdout"]
        else:
            cell.outputs, cell.execution_count = [], None


def refresh(path: Path, timeout: int = 600) -> float:
    nb = nbformat.read(path, as_version=4)
    run = execute_notebook(nb, path.parent, timeout)
    if run["error"]:
        raise SystemExit(f"{path}: {run['error']}")
    strip(nb)
    nbformat.write(nb, path)
    return run["seconds"]


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for arg in sys.argv[1:]:
        print(f"{arg}: executed in {refresh(Path(arg)):.1f} s", flush=True)
