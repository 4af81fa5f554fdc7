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
