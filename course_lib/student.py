"""Write student copies of lessons: cells tagged ``solution`` removed, outputs cleared.

    python -m course_lib.student lessons/ out/

Each exercise keeps its stub (``answer = None``), so the exercise's check prints
"not solved yet — hint: ..." instead of failing, and the rest of the notebook still runs.
"""
from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["student_copy", "main"]


def student_copy(src, dest) -> int:
    """Write the student copy of notebook ``src`` to ``dest``; return how many cells were removed."""
    import nbformat

    src, dest = Path(src), Path(dest)
    if src.suffix != ".ipynb" or not src.is_file():
        raise ValueError(f"src must be an existing .ipynb file, got {src}")
    nb = nbformat.read(src, as_version=4)
    before = len(nb.cells)
    nb.cells = [c for c in nb.cells if "solution" not in c.metadata.get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest)
    return before - len(nb.cells)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    src, out = Path(argv[0]), Path(argv[1])
    notebooks = sorted(src.glob("[0-9][0-9]_*.ipynb")) if src.is_dir() else [src]
    if not notebooks:
        print(f"no lessons found in {src}", file=sys.stderr)
        return 1
    for nb in notebooks:
        removed = student_copy(nb, out / nb.name)
        print(f"{out / nb.name}: {removed} solution cell(s) removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
