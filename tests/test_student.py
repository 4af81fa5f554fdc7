"""Student copies: the tool (course_lib.student) and the committed learners' copies in student/."""
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_lib import student

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
COPIES = sorted((ROOT / "student").glob("[0-9][0-9]_*.ipynb"))
REGENERATE = "python -m course_lib.student lessons/ student/ --force"


# ---------------------------------------------------------------- the tool on the real lessons

def test_student_copies_drop_solutions_and_outputs(tmp_path):
    assert student.main([str(ROOT / "lessons"), str(tmp_path)]) == 0
    copies = sorted(tmp_path.glob("*.ipynb"))
    assert len(copies) == len(LESSONS)
    for path in copies:
        nb = nbformat.read(path, as_version=4)
        assert not [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
        assert not [c for c in nb.cells if c.cell_type == "code" and (c.outputs or
                                                                       c.execution_count)]
        checks = [c for c in nb.cells if "checks.exercise(" in c.source
                  or "checks.judge(" in c.source]
        assert checks, f"{path.name} lost its exercise check"


# ---------------------------------------------------------------- the tool on small notebooks

def _cell(kind, source, tags=(), outputs=False):
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    cell = make(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    if outputs:
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="PASS x\n")]
        cell.execution_count = 3
    return cell


def _lesson(path, title="Lesson"):
    """A tiny lesson: a predict cell, an exercise-build stub, its solution and its check."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [
        _cell("markdown", f"# {title}"),
        _cell("code", 'prediction = None  # "a" or "b"', tags=["predict"]),
        _cell("code", "answer = None  # your code here", tags=["exercise-build"]),
        _cell("code", "answer = 42", tags=["solution"], outputs=True),
        _cell("code", "# NBVAL_CHECK_OUTPUT\nchecks.exercise('E1', answer, 42)", outputs=True),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def src(tmp_path):
    folder = tmp_path / "lessons"
    for name in ("01_one", "02_two"):
        _lesson(folder / f"{name}.ipynb", name)
    return folder


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def test_strip_solutions_keeps_every_other_cell_its_tags_and_no_output(tmp_path):
    lesson = _lesson(tmp_path / "01_one.ipynb")
    assert student.student_copy(lesson, tmp_path / "out" / "01_one.ipynb") == 1
    original = nbformat.read(lesson, as_version=4)
    copy = nbformat.read(tmp_path / "out" / "01_one.ipynb", as_version=4)
    kept = [c for c in original.cells if "solution" not in c.metadata.get("tags", [])]
    assert [(c.cell_type, c.source, c.metadata, c.id) for c in copy.cells] == \
        [(c.cell_type, c.source, c.metadata, c.id) for c in kept]
    assert [c.metadata.get("tags") for c in copy.cells][1:3] == [["predict"], ["exercise-build"]]
    assert all(not c.outputs and c.execution_count is None
               for c in copy.cells if c.cell_type == "code")
    assert copy.metadata == original.metadata


def test_cli_writes_copies_and_reports_removed_cells(src, tmp_path, capsys):
    out = tmp_path / "student"
    assert student.main([str(src), str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["01_one.ipynb", "02_two.ipynb"]
    assert "1 solution cell(s) removed" in capsys.readouterr().out


@pytest.mark.parametrize("spelling", ["same", "dotdot", "trailing", "force"])
def test_cli_refuses_to_write_into_the_source_folder(src, capsys, monkeypatch, spelling):
    """`python -m course_lib.student lessons/ lessons/` used to replace the instructors'
    notebooks with solution-free copies; however the folder is spelled, it is refused."""
    before = _snapshot(src)
    monkeypatch.chdir(src.parent)
    out = {"same": "lessons", "dotdot": "lessons/../lessons", "trailing": "./lessons/",
           "force": "lessons"}[spelling]
    argv = ["lessons/", out] + (["--force"] if spelling == "force" else [])
    assert student.main(argv) != 0
    err = capsys.readouterr().err
    assert "refusing" in err and "source folder" in err
    assert _snapshot(src) == before


def test_cli_refuses_an_output_inside_the_source_folder(src, capsys):
    before = _snapshot(src)
    assert student.main([str(src), str(src / "student"), "--force"]) != 0
    assert "inside the source folder" in capsys.readouterr().err
    assert _snapshot(src) == before and not (src / "student").exists()


def test_cli_refuses_a_symlink_to_the_source_folder(src, tmp_path, capsys):
    link = tmp_path / "alias"
    link.symlink_to(src, target_is_directory=True)
    before = _snapshot(src)
    assert student.main([str(src), str(link), "--force"]) != 0
    assert "refusing" in capsys.readouterr().err
    assert _snapshot(src) == before


@pytest.mark.parametrize("as_file", [False, True])
def test_cli_refuses_to_write_one_notebook_onto_itself(src, capsys, as_file):
    lesson = src / "01_one.ipynb"
    before = lesson.read_bytes()
    out = lesson if as_file else src  # the notebook itself, or the folder it sits in
    assert student.main([str(lesson), str(out), "--force"]) != 0
    assert "onto itself" in capsys.readouterr().err
    assert lesson.read_bytes() == before
    with pytest.raises(ValueError, match="dest must differ from src"):
        student.student_copy(lesson, src / ".." / "lessons" / "01_one.ipynb")
    assert lesson.read_bytes() == before


def test_cli_copies_one_notebook_to_a_folder_or_a_file(src, tmp_path):
    assert student.main([str(src / "01_one.ipynb"), str(tmp_path / "a")]) == 0
    assert (tmp_path / "a" / "01_one.ipynb").is_file()
    assert student.main([str(src / "01_one.ipynb"), str(tmp_path / "b" / "copy.ipynb")]) == 0
    assert (tmp_path / "b" / "copy.ipynb").is_file()


def test_cli_refuses_to_overwrite_without_force_and_lists_the_files(src, tmp_path, capsys):
    out = tmp_path / "student"
    out.mkdir()
    (out / "01_one.ipynb").write_text("my edits")
    assert student.main([str(src), str(out)]) != 0
    err = capsys.readouterr().err
    assert "--force" in err and str(out / "01_one.ipynb") in err
    assert "02_two.ipynb" not in err  # only the files that would be overwritten are listed
    assert (out / "01_one.ipynb").read_text() == "my edits"
    assert not (out / "02_two.ipynb").exists()  # nothing is written when the run is refused

    assert student.main([str(src), str(out), "--force"]) == 0
    copy = nbformat.read(out / "01_one.ipynb", as_version=4)
    assert not [c for c in copy.cells if "solution" in c.metadata.get("tags", [])]


def test_cli_warns_about_copies_without_a_lesson(src, tmp_path, capsys):
    out = tmp_path / "student"
    _lesson(out / "07_gone.ipynb")
    assert student.main([str(src), str(out)]) == 0
    assert "07_gone.ipynb has no lesson" in capsys.readouterr().err
    assert (out / "07_gone.ipynb").exists()  # warned about, never deleted


def test_cli_bad_input(tmp_path, capsys):
    with pytest.raises(ValueError, match="src must be an existing .ipynb"):
        student.student_copy(tmp_path / "missing.ipynb", tmp_path / "x.ipynb")
    assert student.main([]) == 2
    assert "usage:" in capsys.readouterr().err
    assert student.main([str(tmp_path), str(tmp_path / "out")]) == 1  # a folder with no lessons
    assert "no lessons" in capsys.readouterr().err
    (tmp_path / "notes.txt").write_text("x")
    assert student.main([str(tmp_path / "notes.txt"), str(tmp_path / "out")]) == 1
    broken = tmp_path / "broken" / "01_x.ipynb"
    broken.parent.mkdir()
    broken.write_text("{not json")
    assert student.main([str(broken.parent), str(tmp_path / "out2")]) == 1
    assert "cannot read" in capsys.readouterr().err and not (tmp_path / "out2").exists()


def test_cli_missing_source_is_one_line_on_stderr_without_traceback(tmp_path):
    r = subprocess.run([sys.executable, "-m", "course_lib.student", str(tmp_path / "nope"),
                        str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode != 0
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "does not exist" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()


def test_cli_help_shows_usage():
    r = subprocess.run([sys.executable, "-m", "course_lib.student", "--help"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and r.stdout.startswith("usage: python -m course_lib.student")
    assert "--force" in r.stdout


# ---------------------------------------------------------------- the committed copies, student/

NAMES = sorted({p.stem for p in LESSONS} | {p.stem for p in COPIES})


def _differences(committed: dict, fresh: dict) -> list[str]:
    diffs = [f"notebook {k}" for k in sorted(set(committed) | set(fresh))
             if k != "cells" and committed.get(k) != fresh.get(k)]
    a, b = committed.get("cells", []), fresh.get("cells", [])
    if len(a) != len(b):
        diffs.append(f"{len(a)} cells committed, {len(b)} expected")
    diffs += [f"cell {i}: {''.join(y.get('source', ''))[:60]!r}"
              for i, (x, y) in enumerate(zip(a, b)) if x != y]
    return diffs


@pytest.mark.parametrize("name", NAMES)
def test_student_copy_is_committed_and_current(name, tmp_path):
    """student/ holds exactly one learners' copy per lesson, identical (every cell's source,
    metadata, tags and id, and the notebook's metadata) to what the tool makes from lessons/."""
    lesson, copy = ROOT / "lessons" / f"{name}.ipynb", ROOT / "student" / f"{name}.ipynb"
    assert lesson.is_file(), f"student/{name}.ipynb has no lesson in lessons/: delete it"
    assert copy.is_file(), f"lessons/{name}.ipynb has no student copy: run `{REGENERATE}`"
    committed = json.loads(copy.read_text())
    assert not [c for c in committed["cells"] if "solution" in c["metadata"].get("tags", [])], \
        f"student/{name}.ipynb holds a solution cell"
    assert not [c for c in committed["cells"] if c.get("outputs")], \
        f"student/{name}.ipynb holds outputs"
    student.student_copy(lesson, tmp_path / copy.name)
    diffs = _differences(committed, json.loads((tmp_path / copy.name).read_text()))
    assert not diffs, (f"student/{name}.ipynb is stale ({'; '.join(diffs[:5])}): "
                       f"run `{REGENERATE}`")


# ---------------------------------------------------------------- student copies still run

def _tree(source):
    import ast

    kept = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    return ast.parse("\n".join(kept))


def _names(source, ctx):
    import ast

    return {n.id for n in ast.walk(_tree(source)) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ctx)}


def _globals_defined(source):
    """Names a cell binds in the notebook's namespace: assignments, imports, def and class
    names at the top level (not the locals inside a function it defines)."""
    import ast

    names, todo = set(), list(ast.iter_child_nodes(_tree(source)))
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
                             ast.GeneratorExp)):
            continue  # their variables are their own
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        todo.extend(ast.iter_child_nodes(node))
    return names


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_later_cells_do_not_need_what_a_solution_computes(path):
    """A student copy runs on without the solution cells: only the exercise's own check may
    read the names a solution defines (beyond the stub's None), unless a later cell of the
    lesson defines them again."""
    import ast

    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    for i, cell in enumerate(cells):
        if "solution" not in cell.metadata.get("tags", []):
            continue
        defined = _globals_defined(cell.source) - _globals_defined(cells[i - 1].source)
        for later in cells[i + 2:]:
            if "solution" in later.metadata.get("tags", []):
                continue
            defined -= _globals_defined(later.source)  # the lesson defines it again here
            used = _names(later.source, ast.Load) & defined
            assert not used, (f"{path.name}: a cell after the solution uses {sorted(used)}, "
                              f"which only the solution defines:\n{later.source[:200]}")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["01_anatomy", "03_biases"])
def test_student_copy_executes_end_to_end(name):
    """The committed learners' copy, as Binder and Colab open it, runs top to bottom."""
    from course_lib.bench import execute_notebook

    nb = nbformat.read(ROOT / "student" / f"{name}.ipynb", as_version=4)
    run = execute_notebook(nb, ROOT / "student", 600)  # executes in memory; the file is untouched
    assert run["error"] is None, run["error"]
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "not solved yet" in text and "hint" in text
    assert "PASS " in text  # the lesson's own checkpoints still run and hold
