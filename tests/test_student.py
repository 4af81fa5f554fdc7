from pathlib import Path

import nbformat
import pytest

from course_lib import student

ROOT = Path(__file__).resolve().parent.parent


def test_student_copies_drop_solutions_and_outputs(tmp_path):
    assert student.main([str(ROOT / "lessons"), str(tmp_path)]) == 0
    copies = sorted(tmp_path.glob("*.ipynb"))
    assert len(copies) == len(list((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb")))
    for path in copies:
        nb = nbformat.read(path, as_version=4)
        assert not [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
        assert not [c for c in nb.cells if c.cell_type == "code" and c.outputs]
        checks = [c for c in nb.cells if "checks.exercise(" in c.source]
        assert checks, f"{path.name} lost its exercise check"


def test_student_copy_bad_input(tmp_path):
    with pytest.raises(ValueError, match="src must be an existing .ipynb"):
        student.student_copy(tmp_path / "missing.ipynb", tmp_path / "x.ipynb")
    assert student.main([]) == 2
    assert student.main([str(tmp_path), str(tmp_path / "out")]) == 1


def _names(source, ctx):
    import ast

    tree = ast.parse("\n".join(l for l in source.splitlines() if not l.lstrip().startswith(("%", "!"))))
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}


LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_later_cells_do_not_need_what_a_solution_computes(path):
    """A student copy runs on without the solution cells: only the exercise's own check may
    read the names a solution defines (beyond the stub's None)."""
    import ast

    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    for i, cell in enumerate(cells):
        if "solution" not in cell.metadata.get("tags", []):
            continue
        defined = _names(cell.source, ast.Store) - _names(cells[i - 1].source, ast.Store)
        for later in cells[i + 2:]:
            if "solution" in later.metadata.get("tags", []):
                continue
            used = (_names(later.source, ast.Load) & defined) - _names(later.source, ast.Store)
            assert not used, (f"{path.name}: a cell after the solution uses {sorted(used)}, "
                              f"which only the solution defines:\n{later.source[:200]}")


@pytest.mark.parametrize("name", ["01_anatomy", "03_biases"])
def test_student_copy_executes_end_to_end(name, tmp_path):
    from course_lib.bench import execute_notebook

    copy = tmp_path / f"{name}.ipynb"
    student.student_copy(ROOT / "lessons" / f"{name}.ipynb", copy)
    nb = nbformat.read(copy, as_version=4)
    run = execute_notebook(nb, ROOT / "lessons", 600)
    assert run["error"] is None, run["error"]
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "not solved yet" in text and "hint" in text
    assert "PASS " in text  # the lesson's own checkpoints still run and hold
