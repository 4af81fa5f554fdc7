"""Learners build (issue 17): every lesson in the course's format has 2-3 exercises, at least one
tagged ``exercise-build``, a ``predict`` cell, hints that do not give the solution away, and a
test file (tests/test_exercises_NN.py) that runs each exercise's check against a wrong answer.

Lessons still waiting for that pass are listed in PENDING; the list may only shrink: a lesson
that gains an ``exercise-build`` stub must leave it, and from then on it is held to every rule."""
import ast
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
MARK = "NBVAL_CHECK_OUTPUT"

# Lessons from before the exercise format; each gets its pass (exercises, predictions, claims
# audit) in one edit. Remove a lesson from here when it has been through it.
PENDING = {
    "02_losses", "03_biases", "04_training",
    "07_under_overcomplete", "08_sparse", "09_denoising",
    "11_convolutional", "12_stacked_pretraining", "13_vae",
    "14_conv_vae_beta", "15_adversarial_ae", "16_sequence_attention_capsule",
    "17_visualization", "18_anomaly_detection", "19_inpainting", "20_retrieval_and_features",
    "21_compression", "22_super_resolution_colorization", "23_recommendation", "24_text",
    "29_scaling_out",
}
NAME = re.compile(r"checks\.(?:judge|exercise)\(\s*(['\"])(.+?)\1")


def _tags(cell):
    return cell.metadata.get("tags", [])


def _exercises(nb):
    """[(stub, solution, check)] for every solution-tagged cell."""
    cells = nb.cells
    return [(cells[i - 1], c, cells[i + 1]) for i, c in enumerate(cells) if "solution" in _tags(c)]


def _hints(source):
    """The string literals passed as hint= in a check cell."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg == "hint":
            out += [n.value for n in ast.walk(node.value)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return out


@pytest.fixture(params=[p for p in LESSONS if p.stem not in PENDING], ids=lambda p: p.stem)
def lesson(request):
    return request.param.stem, nbformat.read(request.param, as_version=4)


def test_pending_list_only_names_lessons_without_the_format():
    for path in LESSONS:
        nb = nbformat.read(path, as_version=4)
        built = any("exercise-build" in _tags(c) for c in nb.cells)
        if path.stem in PENDING:
            assert not built, f"{path.stem} has exercise-build stubs: remove it from PENDING"
        else:
            assert built, f"{path.stem} has no exercise-build stub and is not PENDING"
    assert PENDING <= {p.stem for p in LESSONS}


def test_exercises_predictions_and_wrong_answer_tests(lesson):
    name, nb = lesson
    exercises = _exercises(nb)
    if name != "00_start_here":
        assert 2 <= len(exercises) <= 3, f"{name}: {len(exercises)} exercises, want 2-3"
    assert any("exercise-build" in _tags(stub) for stub, _, _ in exercises)
    assert any("predict" in _tags(c) and "prediction = None" in c.source for c in nb.cells), \
        f"{name}: no predict cell"
    assert any("checks.reveal(" in c.source for c in nb.cells), f"{name}: no reveal"
    test_file = ROOT / "tests" / f"test_exercises_{name[:2]}.py"
    assert test_file.is_file(), f"{name}: no {test_file.name} with wrong answers"
    tests_text = test_file.read_text()
    for stub, solution, check in exercises:
        assert "= None" in stub.source and "solution" not in _tags(stub)
        assert MARK in check.source
        names = [m.group(2) for m in NAME.finditer(check.source)]
        assert names, f"{name}: check cell without checks.judge/exercise"
        assert any(n.split(":")[0] in tests_text for n in names), \
            f"{name}: {names[0]!r} is not exercised by {test_file.name}"
        # a hint guides; it never contains the solution's own expressions
        hints = " ".join(_hints(check.source)).replace(" ", "")
        for line in solution.source.splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                rhs = line.split("=", 1)[1].split("#")[0].strip().replace(" ", "")
                if len(rhs) > 4:
                    assert rhs not in hints, f"{name}: a hint contains the solution {rhs!r}"
