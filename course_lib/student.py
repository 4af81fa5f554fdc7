"""Write the learners' copies of lessons: cells tagged ``solution`` removed, every output cleared.

    python -m course_lib.student lessons/ student/ --force     # regenerate the committed copies
    python -m course_lib.student lessons/03_biases.ipynb /tmp/copies/

Each exercise keeps its stub (``answer = None``), so the exercise's check prints
"not solved yet — hint: ..." instead of failing, and the rest of the notebook still runs. Every
other cell (its source, its metadata and tags such as ``exercise-build`` or ``predict``) is copied
unchanged. The tool never writes into the source folder, never writes a notebook onto itself and
replaces existing files only with ``--force``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["strip_solutions", "student_copy", "plan", "main", "StudentCopyError"]

PROG = "python -m course_lib.student"
LESSON_GLOB = "[0-9][0-9]_*.ipynb"


class StudentCopyError(ValueError):
    """A request the tool refuses; the message is one line meant for the command line."""


def strip_solutions(nb) -> int:
    """Turn notebook ``nb`` (an nbformat v4 node) into its student copy, in place.

    Removes the cells tagged ``solution``, clears every code cell's outputs and execution count,
    and drops run-time metadata (cell ``execution`` timings, saved widget state). Returns how many
    cells were removed."""
    if not hasattr(nb, "cells"):
        raise TypeError(f"nb must be an nbformat notebook, got {type(nb).__name__}")
    before = len(nb.cells)
    nb.cells = [c for c in nb.cells if "solution" not in c.metadata.get("tags", [])]
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)
    return before - len(nb.cells)


def student_copy(src, dest) -> int:
    """Write the student copy of notebook ``src`` to ``dest``; return how many cells it dropped."""
    import nbformat

    src, dest = Path(src), Path(dest)
    if src.suffix != ".ipynb" or not src.is_file():
        raise ValueError(f"src must be an existing .ipynb file, got {src}")
    if dest.resolve() == src.resolve():
        raise ValueError(f"dest must differ from src: writing {src} onto itself would delete "
                         "its solutions")
    nb = nbformat.read(src, as_version=4)
    removed = strip_solutions(nb)
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest)
    return removed


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def plan(source, output) -> list[tuple[Path, Path]]:
    """The (lesson, copy) pairs that ``main`` would write, after every safety check.

    ``source`` is a folder (its ``NN_name.ipynb`` lessons) or one notebook; ``output`` is a folder,
    or, for a single notebook, a ``.ipynb`` path. Raises :class:`StudentCopyError` when the source
    is missing or empty, or when a copy would land in the source folder or on its own lesson."""
    source, output = Path(source), Path(output)
    if not source.exists():
        raise StudentCopyError(f"source {str(source)!r} does not exist")
    if source.is_dir():
        notebooks = sorted(source.glob(LESSON_GLOB))
        if not notebooks:
            raise StudentCopyError(f"no lessons (NN_name.ipynb) in {str(source)!r}")
        if output.resolve() == source.resolve():
            raise StudentCopyError(
                f"refusing to write to {str(output)!r}: it is the source folder, and the copies "
                "would replace the instructors' notebooks and delete their solutions; choose "
                "another folder, e.g. student/")
        if _inside(output.resolve(), source.resolve()):
            raise StudentCopyError(
                f"refusing to write to {str(output)!r}: it is inside the source folder "
                f"{str(source)!r}; choose a folder outside it, e.g. student/")
        if output.exists() and not output.is_dir():
            raise StudentCopyError(f"output {str(output)!r} exists and is not a folder")
        return [(nb, output / nb.name) for nb in notebooks]
    if source.suffix != ".ipynb":
        raise StudentCopyError(f"source {str(source)!r} is neither a folder nor a .ipynb notebook")
    to_file = output.suffix == ".ipynb" and not output.is_dir()
    dest = output if to_file else output / source.name
    if dest.resolve() == source.resolve():
        raise StudentCopyError(f"refusing to write {str(source)!r} onto itself (that would delete "
                               "its solutions); choose another output, e.g. student/")
    if not to_file and output.exists() and not output.is_dir():
        raise StudentCopyError(f"output {str(output)!r} exists and is not a folder")
    return [(source, dest)]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Write student copies of lessons: solution cells removed, outputs cleared.",
        epilog="example: %(prog)s lessons/ student/ --force   (regenerates the committed copies)")
    p.add_argument("source", help="a lessons folder (every NN_name.ipynb in it) or one notebook")
    p.add_argument("output", help="folder for the copies (for one notebook also a .ipynb path); "
                                  "must not be the source folder or inside it")
    p.add_argument("--force", action="store_true", help="replace copies that already exist")
    return p


def main(argv=None) -> int:
    import nbformat

    parser = _parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    except SystemExit as e:  # usage error (2) or --help (0): argparse has printed the message
        return int(e.code or 0)

    def fail(message: str) -> int:
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 1

    try:
        pairs = plan(args.source, args.output)
    except StudentCopyError as e:
        return fail(str(e))

    existing = [dest for _, dest in pairs if dest.exists()]
    if existing and not args.force:
        print(f"{PROG}: error: {len(existing)} file(s) already exist and would be overwritten; "
              "rerun with --force to replace them:", file=sys.stderr)
        for dest in existing:
            print(f"  {dest}", file=sys.stderr)
        return 1

    copies = []  # read and convert everything first, so a broken lesson writes nothing
    for src, dest in pairs:
        try:
            nb = nbformat.read(src, as_version=4)
        except (OSError, ValueError) as e:
            return fail(f"cannot read {str(src)!r}: {str(e).splitlines()[0] if str(e) else e!r}")
        copies.append((dest, nb, strip_solutions(nb)))
    for dest, nb, removed in copies:
        dest.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, dest)
        print(f"{dest}: {removed} solution cell(s) removed")

    if Path(args.source).is_dir():
        lessons = {src.name for src, _ in pairs}
        for orphan in sorted(Path(args.output).glob(LESSON_GLOB)):
            if orphan.name not in lessons:
                print(f"{PROG}: warning: {orphan} has no lesson in {args.source} "
                      "(delete it if the lesson was renamed or removed)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
